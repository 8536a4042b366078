//! The queue (排队叫号): tickets numbered per category per Beijing day in the
//! ticket's own transaction (`ticket_sequences` bumped by one upsert, so two
//! kiosks never get one number), the clerks' window sessions, calling the next
//! ticket by the domain's order among the categories a window serves, the
//! window's actions on a ticket, what the displays and the hall map read, and
//! the times statistics are made of.

use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::queue::{
    Candidate, Priority, TicketAction, TicketSource, TicketState, TicketTimes, next_ticket,
    streak_after, ticket_after, ticket_number,
};
use domain::supervision::beijing_date;
use sqlx::AssertSqlSafe;

/// A ticket as stored, with its category and the window that called it.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: i64,
    pub center_id: i64,
    pub hall_id: Option<i64>,
    pub category_id: i64,
    pub category_code: String,
    pub category_name: String,
    pub day: NaiveDate,
    pub seq: i64,
    pub number: String,
    pub state: TicketState,
    pub priority: Priority,
    pub source: TicketSource,
    pub appointment_id: Option<i64>,
    /// Only this window may call it (after a transfer to a window).
    pub window_id: Option<i64>,
    pub called_window_id: Option<i64>,
    pub called_window_number: Option<String>,
    /// The hall of the window that called it.
    pub called_hall_id: Option<i64>,
    pub recall_count: i64,
    pub transfer_count: i64,
    pub queue_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub serving_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub case_no: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    center_id: i64,
    hall_id: Option<i64>,
    category_id: i64,
    category_code: String,
    category_name: String,
    day: NaiveDate,
    seq: i64,
    number: String,
    state: String,
    priority: String,
    source: String,
    appointment_id: Option<i64>,
    window_id: Option<i64>,
    called_window_id: Option<i64>,
    called_window_number: Option<String>,
    called_hall_id: Option<i64>,
    recall_count: i64,
    transfer_count: i64,
    queue_at: DateTime<Utc>,
    issued_at: DateTime<Utc>,
    called_at: Option<DateTime<Utc>>,
    serving_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    case_no: Option<String>,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> Result<Ticket> {
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("ticket {what} {v}"));
        Ok(Ticket {
            state: TicketState::parse(&r.state).ok_or_else(|| bad("state", &r.state))?,
            priority: Priority::parse(&r.priority).ok_or_else(|| bad("priority", &r.priority))?,
            source: TicketSource::parse(&r.source).ok_or_else(|| bad("source", &r.source))?,
            id: r.id,
            center_id: r.center_id,
            hall_id: r.hall_id,
            category_id: r.category_id,
            category_code: r.category_code,
            category_name: r.category_name,
            day: r.day,
            seq: r.seq,
            number: r.number,
            appointment_id: r.appointment_id,
            window_id: r.window_id,
            called_window_id: r.called_window_id,
            called_window_number: r.called_window_number,
            called_hall_id: r.called_hall_id,
            recall_count: r.recall_count,
            transfer_count: r.transfer_count,
            queue_at: r.queue_at,
            issued_at: r.issued_at,
            called_at: r.called_at,
            serving_at: r.serving_at,
            finished_at: r.finished_at,
            case_no: r.case_no,
        })
    }
}

const TICKET_SELECT: &str = "SELECT t.id, t.center_id, t.hall_id, t.queue_category_id AS category_id, c.code AS category_code,
    c.name AS category_name, t.day, t.seq, t.number, t.state, t.priority, t.source, t.appointment_id,
    t.window_id, t.called_window_id, w.number AS called_window_number, w.hall_id AS called_hall_id,
    t.recall_count, t.transfer_count, t.queue_at, t.issued_at, t.called_at, t.serving_at,
    t.finished_at, t.case_no
    FROM tickets t JOIN business_categories c ON c.id = t.queue_category_id
    LEFT JOIN windows w ON w.id = t.called_window_id";

/// A ticket to issue.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub center_id: i64,
    pub hall_id: Option<i64>,
    pub category_id: i64,
    pub priority: Priority,
    pub source: TicketSource,
}

/// A clerk's sign-on at a window.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WindowSession {
    pub id: i64,
    pub window_id: i64,
    pub user_id: i64,
    pub day: NaiveDate,
    pub signed_on_at: DateTime<Utc>,
    pub priority_streak: i64,
}

/// Waiting tickets of one category now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingCount {
    pub category_id: i64,
    pub code: String,
    pub name: String,
    pub waiting: i64,
}

/// What the hall map colours a window by: signed on (open) and, if so,
/// whether a called or served ticket is at it (serving) or not (idle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowActivity {
    pub window_id: i64,
    pub open: bool,
    pub serving: bool,
}

/// Where a ticket is transferred to: another category, or one window (of a
/// category the window serves).
#[derive(Debug, Clone, Copy)]
pub enum TransferTo {
    Category(i64),
    Window(i64),
}

/// What one round of `call_next` came to.
enum Pick {
    Nobody,
    Took(i64),
    /// Another window took the chosen ticket first.
    Lost,
}

/// A ticket's times with where it was issued and called, for statistics.
#[derive(Debug, Clone)]
pub struct TicketStatRow {
    pub category_id: i64,
    pub window_id: Option<i64>,
    pub times: TicketTimes,
}

impl Store {
    /// Issues a ticket: the category's next number for the Beijing day of
    /// `now`, bumped in the same transaction as the ticket is written.
    pub async fn issue_ticket(&self, t: &NewTicket, now: DateTime<Utc>) -> Result<Ticket> {
        self.issue_ticket_for(t, None, now).await
    }

    pub(crate) async fn issue_ticket_for(
        &self,
        t: &NewTicket,
        appointment_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Ticket> {
        let day = beijing_date(now);
        let code: Option<(String, bool)> = on_db!(self, pool => sqlx::query_as(
            "SELECT code, active FROM business_categories WHERE id = $1 AND center_id = $2")
            .bind(t.category_id)
            .bind(t.center_id)
            .fetch_optional(pool)
            .await?);
        let code = match code {
            Some((code, true)) => code,
            _ => {
                return Err(StoreError::Invalid(
                    domain::FieldError::new(
                        "ticket.category_unknown",
                        "category_id",
                        "所选业务类别不存在或已停用",
                    )
                    .into(),
                ));
            }
        };
        let letter = code.chars().next().unwrap_or('A');
        let id: i64 = write_tx!(self, tx => {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO ticket_sequences (category_id, day, last, created_at) VALUES ($1, $2, 1, $3)
                 ON CONFLICT (category_id, day) DO UPDATE SET last = ticket_sequences.last + 1
                 RETURNING last")
                .bind(t.category_id)
                .bind(day)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tickets (center_id, hall_id, category_id, queue_category_id, day, seq, number, state, priority,
                   source, appointment_id, queue_at, issued_at, created_at)
                 VALUES ($1, $2, $3, $3, $4, $5, $6, 'waiting', $7, $8, $9, $10, $10, $10) RETURNING id")
                .bind(t.center_id)
                .bind(t.hall_id)
                .bind(t.category_id)
                .bind(day)
                .bind(seq)
                .bind(ticket_number(letter, seq))
                .bind(t.priority.code())
                .bind(t.source.code())
                .bind(appointment_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(a) = appointment_id {
                let n = sqlx::query(
                    "UPDATE appointments SET state = 'checked_in', ticket_id = $2, checked_in_at = $3
                     WHERE id = $1 AND state = 'booked'")
                    .bind(a)
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::conflict(
                        "appointment.state",
                        Some("code"),
                        "该预约已签到、已取消或已爽约",
                    ));
                }
            }
            id
        });
        self.ticket(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn ticket(&self, id: i64) -> Result<Option<Ticket>> {
        let row: Option<TicketRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{TICKET_SELECT} WHERE t.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Ticket::try_from).transpose()
    }

    /// How many waiting tickets of the same category go before this one:
    /// priority ones before an ordinary ticket, then by queue place.
    pub async fn people_ahead(&self, t: &Ticket) -> Result<i64> {
        if t.state != TicketState::Waiting {
            return Ok(0);
        }
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE queue_category_id = $1 AND day = $2 AND state = 'waiting' AND id <> $3
               AND ((priority <> 'none' AND ($4 OR queue_at < $5 OR (queue_at = $5 AND id < $3)))
                 OR (priority = 'none' AND $4 AND (queue_at < $5 OR (queue_at = $5 AND id < $3))))")
            .bind(t.category_id)
            .bind(t.day)
            .bind(t.id)
            .bind(!t.priority.is_priority())
            .bind(t.queue_at)
            .fetch_one(pool)
            .await?))
    }

    /// The waiting tickets per active category of a center on a day (every
    /// category, zeros included), by letter.
    pub async fn waiting_counts(
        &self,
        center_id: i64,
        day: NaiveDate,
    ) -> Result<Vec<WaitingCount>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT c.id AS category_id, c.code, c.name,
               (SELECT COUNT(*) FROM tickets t WHERE t.queue_category_id = c.id AND t.day = $2 AND t.state = 'waiting') AS waiting
             FROM business_categories c WHERE c.center_id = $1 AND c.active ORDER BY c.code")
            .bind(center_id)
            .bind(day)
            .fetch_all(pool)
            .await?))
    }

    /// Signs a clerk on to a window for the day. A session of an earlier day
    /// (nobody signed off) is closed first, and so is the clerk's session at
    /// another window; a window someone else holds today is refused.
    pub async fn sign_on(
        &self,
        window_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<WindowSession> {
        let day = beijing_date(now);
        if self.window(window_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let session: WindowSession = write_tx!(self, tx => {
            sqlx::query("UPDATE window_sessions SET signed_off_at = $2 WHERE signed_off_at IS NULL AND (day < $1 OR user_id = $3)")
                .bind(day)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query_as(
                "INSERT INTO window_sessions (window_id, user_id, day, signed_on_at, created_at)
                 VALUES ($1, $2, $3, $4, $4)
                 RETURNING id, window_id, user_id, day, signed_on_at, priority_streak")
                .bind(window_id)
                .bind(user_id)
                .bind(day)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::on_unique("window.taken", "window_id", "该窗口已有其他工作人员签到"))?
        });
        Ok(session)
    }

    /// Signs a clerk off wherever they are.
    pub async fn sign_off(&self, user_id: i64, now: DateTime<Utc>) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "UPDATE window_sessions SET signed_off_at = $2 WHERE user_id = $1 AND signed_off_at IS NULL")
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// The clerk's open session of today, if any.
    pub async fn session_of(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<WindowSession>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT id, window_id, user_id, day, signed_on_at, priority_streak FROM window_sessions
             WHERE user_id = $1 AND signed_off_at IS NULL AND day = $2")
            .bind(user_id)
            .bind(beijing_date(now))
            .fetch_optional(pool)
            .await?))
    }

    /// Calls the next ticket for a window by the domain's order: the waiting
    /// tickets of today in the categories the window serves, or transferred
    /// to this window, priority first within the streak rule. `None` when
    /// nobody waits. The session's streak moves in the same transaction.
    pub async fn call_next(
        &self,
        session: &WindowSession,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>> {
        let day = beijing_date(now);
        // Another window may take the chosen ticket between the read and the
        // write (PostgreSQL); the guarded update then changes nothing and the
        // next round reads again.
        for _ in 0..8 {
            let picked: Pick = write_tx!(self, tx => {
                let streak: i64 = sqlx::query_scalar("SELECT priority_streak FROM window_sessions WHERE id = $1")
                    .bind(session.id)
                    .fetch_one(&mut *tx)
                    .await?;
                let rows: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT t.id, t.priority, t.queue_at FROM tickets t
                     WHERE t.day = $1 AND t.state = 'waiting'
                       AND (t.window_id = $2 OR (t.window_id IS NULL AND t.queue_category_id IN
                            (SELECT category_id FROM window_categories WHERE window_id = $2)))
                     ORDER BY t.queue_at, t.id LIMIT 500")
                    .bind(day)
                    .bind(session.window_id)
                    .fetch_all(&mut *tx)
                    .await?;
                let candidates: Vec<Candidate> = rows
                    .iter()
                    .map(|(id, p, at)| Candidate { id: *id, priority: p != "none", queue_at: *at })
                    .collect();
                match next_ticket(&candidates, streak.max(0) as u32) {
                    None => Pick::Nobody,
                    Some(i) => {
                        let c = candidates[i];
                        let n = sqlx::query(
                            "UPDATE tickets SET state = 'called', called_window_id = $2, called_by = $3, called_at = $4
                             WHERE id = $1 AND state = 'waiting'")
                            .bind(c.id)
                            .bind(session.window_id)
                            .bind(session.user_id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if n == 1 {
                            sqlx::query("UPDATE window_sessions SET priority_streak = $2 WHERE id = $1")
                                .bind(session.id)
                                .bind(i64::from(streak_after(streak.max(0) as u32, c.priority)))
                                .execute(&mut *tx)
                                .await?;
                            Pick::Took(c.id)
                        } else {
                            Pick::Lost
                        }
                    }
                }
            });
            match picked {
                Pick::Nobody => return Ok(None),
                Pick::Took(id) => return self.ticket(id).await,
                Pick::Lost => continue,
            }
        }
        Err(StoreError::conflict(
            "queue.busy",
            None,
            "叫号繁忙，请稍后重试",
        ))
    }

    /// A window's action on a ticket it holds (recall, skip, serve, finish)
    /// or a transfer. The domain's transition decides; the update is guarded
    /// by the state read, so two clicks never both apply.
    pub async fn ticket_action(
        &self,
        ticket_id: i64,
        action: TicketAction,
        transfer: Option<TransferTo>,
        now: DateTime<Utc>,
    ) -> Result<Ticket> {
        let t = self.ticket(ticket_id).await?.ok_or(StoreError::NotFound)?;
        let next = ticket_after(t.state, action)
            .map_err(|e| StoreError::conflict(e.code(), None, e.message()))?;
        let (category_id, window_id) = match (action, transfer) {
            (TicketAction::Transfer, Some(TransferTo::Category(c))) => {
                let ok = self
                    .list_categories(t.center_id)
                    .await?
                    .iter()
                    .any(|x| x.id == c && x.active);
                if !ok {
                    return Err(StoreError::Invalid(
                        domain::FieldError::new(
                            "ticket.category_unknown",
                            "category_id",
                            "所选业务类别不存在或已停用",
                        )
                        .into(),
                    ));
                }
                (c, None)
            }
            (TicketAction::Transfer, Some(TransferTo::Window(w))) => {
                let window = self.window(w).await?;
                match window {
                    Some(w) if w.active => {
                        // Counted under a category the window serves, so the
                        // statistics and the displays still make sense.
                        let c = if w.category_ids.contains(&t.category_id) {
                            t.category_id
                        } else {
                            w.category_ids.first().copied().unwrap_or(t.category_id)
                        };
                        (c, Some(w.id))
                    }
                    _ => {
                        return Err(StoreError::Invalid(
                            domain::FieldError::new(
                                "ticket.window_unknown",
                                "window_id",
                                "所选窗口不存在",
                            )
                            .into(),
                        ));
                    }
                }
            }
            (TicketAction::Transfer, None) => {
                return Err(StoreError::Invalid(
                    domain::FieldError::new(
                        "ticket.transfer_target",
                        "category_id",
                        "请选择转往的业务类别或窗口",
                    )
                    .into(),
                ));
            }
            _ => (t.category_id, t.window_id),
        };
        let state = t.state.code();
        let n = on_db!(self, pool => match action {
            TicketAction::Recall => sqlx::query(
                "UPDATE tickets SET recall_count = recall_count + 1 WHERE id = $1 AND state = $2")
                .bind(ticket_id).bind(state).execute(pool).await?,
            TicketAction::Skip => sqlx::query(
                "UPDATE tickets SET state = 'skipped', finished_at = $3 WHERE id = $1 AND state = $2")
                .bind(ticket_id).bind(state).bind(now).execute(pool).await?,
            TicketAction::Serve => sqlx::query(
                "UPDATE tickets SET state = 'serving', serving_at = $3 WHERE id = $1 AND state = $2")
                .bind(ticket_id).bind(state).bind(now).execute(pool).await?,
            TicketAction::Finish => sqlx::query(
                "UPDATE tickets SET state = 'done', finished_at = $3 WHERE id = $1 AND state = $2")
                .bind(ticket_id).bind(state).bind(now).execute(pool).await?,
            TicketAction::Transfer => sqlx::query(
                "UPDATE tickets SET state = 'waiting', queue_category_id = $3, window_id = $4, transfer_count = transfer_count + 1,
                   called_window_id = NULL, called_by = NULL, called_at = NULL WHERE id = $1 AND state = $2")
                .bind(ticket_id).bind(state).bind(category_id).bind(window_id).execute(pool).await?,
            // Calling goes through `call_next`, which picks the ticket.
            TicketAction::Call => return Err(StoreError::conflict("ticket.state", None, "请使用“叫下一位”叫号")),
        }
        .rows_affected());
        debug_assert!(next == TicketState::Waiting || action != TicketAction::Transfer);
        if n == 0 {
            return Err(StoreError::conflict(
                "ticket.state",
                None,
                "该号的状态刚刚已被改变，请刷新后重试",
            ));
        }
        self.ticket(ticket_id).await?.ok_or(StoreError::NotFound)
    }

    /// Records the case accepted for the person holding this ticket.
    pub async fn link_ticket_case(&self, ticket_id: i64, case_no: &str) -> Result<Ticket> {
        let n = on_db!(self, pool => sqlx::query("UPDATE tickets SET case_no = $2 WHERE id = $1")
            .bind(ticket_id)
            .bind(case_no)
            .execute(pool)
            .await?
            .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.ticket(ticket_id).await?.ok_or(StoreError::NotFound)
    }

    /// The latest calls of a day, newest first: of a hall's windows, of one
    /// window, or of the whole center.
    pub async fn recent_calls(
        &self,
        center_id: i64,
        hall_id: Option<i64>,
        window_id: Option<i64>,
        day: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Ticket>> {
        let rows: Vec<TicketRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{TICKET_SELECT} WHERE t.center_id = $1 AND t.day = $2 AND t.called_at IS NOT NULL
               AND ($3 IS NULL OR w.hall_id = $3) AND ($4 IS NULL OR t.called_window_id = $4)
             ORDER BY t.called_at DESC, t.id DESC LIMIT $5")))
            .bind(center_id)
            .bind(day)
            .bind(hall_id)
            .bind(window_id)
            .bind(limit)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Ticket::try_from).collect()
    }

    /// The tickets a window holds now (called or being served), today.
    pub async fn window_tickets(&self, window_id: i64, now: DateTime<Utc>) -> Result<Vec<Ticket>> {
        let rows: Vec<TicketRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{TICKET_SELECT} WHERE t.called_window_id = $1 AND t.day = $2 AND t.state IN ('called', 'serving')
             ORDER BY t.called_at")))
            .bind(window_id)
            .bind(beijing_date(now))
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Ticket::try_from).collect()
    }

    /// Today's tickets of a center in one state, by queue place (the waiting list).
    pub async fn tickets_in_state(
        &self,
        center_id: i64,
        state: TicketState,
        now: DateTime<Utc>,
    ) -> Result<Vec<Ticket>> {
        let rows: Vec<TicketRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{TICKET_SELECT} WHERE t.center_id = $1 AND t.day = $2 AND t.state = $3
             ORDER BY t.queue_at, t.id LIMIT 500")))
            .bind(center_id)
            .bind(beijing_date(now))
            .bind(state.code())
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Ticket::try_from).collect()
    }

    /// Every window of a center with whether a clerk is signed on today
    /// (open) and whether a called or served ticket is at it (serving); the
    /// hall map colours windows open/serving/idle/closed from this.
    pub async fn window_activity(
        &self,
        center_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<WindowActivity>> {
        let rows: Vec<(i64, bool, bool)> = on_db!(self, pool => sqlx::query_as(
            "SELECT w.id,
               EXISTS (SELECT 1 FROM window_sessions s WHERE s.window_id = w.id AND s.day = $2 AND s.signed_off_at IS NULL),
               EXISTS (SELECT 1 FROM tickets t WHERE t.called_window_id = w.id AND t.day = $2 AND t.state IN ('called', 'serving'))
             FROM windows w JOIN halls h ON h.id = w.hall_id
             WHERE h.center_id = $1 ORDER BY w.id")
            .bind(center_id)
            .bind(beijing_date(now))
            .fetch_all(pool)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(window_id, open, serving)| WindowActivity {
                window_id,
                open,
                serving,
            })
            .collect())
    }

    /// The tickets of a center issued on the Beijing days `from..=to`, with
    /// their times, for the statistics.
    pub async fn ticket_stat_rows(
        &self,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TicketStatRow>> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            Option<i64>,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        )> = on_db!(self, pool => sqlx::query_as(
            "SELECT queue_category_id, called_window_id, state, issued_at, called_at, serving_at, finished_at
             FROM tickets WHERE center_id = $1 AND day >= $2 AND day <= $3")
            .bind(center_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?);
        Ok(rows
            .into_iter()
            .map(
                |(category_id, window_id, state, issued_at, called_at, serving_at, finished_at)| {
                    TicketStatRow {
                        category_id,
                        window_id,
                        times: TicketTimes {
                            issued_at,
                            called_at,
                            serving_at,
                            finished_at,
                            skipped: state == "skipped",
                        },
                    }
                },
            )
            .collect())
    }
}
