//! Ratings (好差评): one per case and channel, the follow-up each bad rating
//! opens (watched like a case: its yellow and red days are stored on it and
//! read through partial indexes), appeals, and the published figures.

use crate::{CaseRecord, Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::access::{Grant, Permission};
use domain::case::EventBody;
use domain::rating::{
    AppealStatus, DEFAULT_BAD_RATING_WORKING_DAYS, FollowupAction, FollowupEventKind,
    FollowupState, FollowupStatus, NewRating, RatingCounts, followup_after, followup_dates,
    rateable,
};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// Ratings given on one day, per department.
pub type DayRatings = HashMap<i64, GivenRatings>;

/// Ratings given and the good ones among them (levels 1–3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GivenRatings {
    pub ratings: i64,
    pub good: i64,
}

macro_rules! insert_followup_event {
    ($tx:ident, $id:expr, $kind:expr, $user:expr, $name:expr, $note:expr, $now:expr) => {{
        let kind: FollowupEventKind = $kind;
        sqlx::query(
            "INSERT INTO followup_events (followup_id, kind, actor_user_id, actor_name, note, at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind($id)
        .bind(kind.code())
        .bind($user)
        .bind($name)
        .bind($note)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// A rating as stored, with its follow-up when it is a bad one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRecord {
    pub id: i64,
    pub case_no: String,
    pub department_id: i64,
    pub department_name: String,
    pub staff_name: Option<String>,
    pub channel: String,
    pub level: i64,
    /// JSON array.
    pub tags: String,
    pub comment: String,
    pub rated_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub followup_id: Option<i64>,
    pub followup_status: Option<String>,
}

impl RatingRecord {
    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }
}

/// A bad rating's follow-up as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowupRecord {
    pub id: i64,
    pub rating_id: i64,
    pub case_no: String,
    pub item_name: String,
    pub applicant_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub staff_name: Option<String>,
    pub level: i64,
    pub channel: String,
    pub tags: String,
    pub comment: String,
    pub rated_at: DateTime<Utc>,
    pub status: String,
    pub appeal: Option<String>,
    pub due_date: NaiveDate,
    pub yellow_on: Option<NaiveDate>,
    pub red_on: Option<NaiveDate>,
    pub finding: String,
    pub measures: String,
    pub revisit: String,
    pub appeal_reason: String,
    pub appeal_review: String,
    pub closed_at: Option<DateTime<Utc>>,
}

impl FollowupRecord {
    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }

    pub fn state(&self) -> Result<FollowupState> {
        let status = FollowupStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("followup status {}", self.status)))?;
        let appeal = match self.appeal.as_deref() {
            None => None,
            Some(a) => Some(
                AppealStatus::parse(a).ok_or_else(|| StoreError::Corrupt(format!("appeal {a}")))?,
            ),
        };
        Ok(FollowupState { status, appeal })
    }
}

/// One step of a follow-up's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowupEventRecord {
    pub kind: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// Filters of the follow-up list.
#[derive(Debug, Clone, Default)]
pub struct FollowupFilter {
    /// Only these statuses; every status when empty.
    pub statuses: Vec<FollowupStatus>,
    /// Only follow-ups whose appeal waits for review.
    pub appeal_pending: bool,
    pub department_id: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// The figures of one department over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRatings {
    pub department_id: i64,
    pub department_name: String,
    pub counts: RatingCounts,
}

/// The figures of one staff member (the window that served) over a period.
/// Cases are counted only through their ratings, so `cases` is 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRatings {
    pub user_id: i64,
    pub name: String,
    pub department_name: String,
    pub counts: RatingCounts,
}

#[derive(sqlx::FromRow)]
struct CountsRow {
    id: i64,
    name: String,
    department_name: String,
    cases: i64,
    rated_cases: i64,
    ratings: i64,
    good: i64,
    bad: i64,
    rectified: i64,
    rectified_on_time: i64,
}

impl CountsRow {
    fn counts(&self) -> RatingCounts {
        RatingCounts {
            cases: self.cases,
            rated_cases: self.rated_cases,
            ratings: self.ratings,
            good: self.good,
            bad: self.bad,
            rectified: self.rectified,
            rectified_on_time: self.rectified_on_time,
        }
    }
}

const RATING_COLUMNS: &str = "r.id, k.case_no, r.department_id, d.name AS department_name,
    COALESCE(NULLIF(u.display_name, ''), u.username) AS staff_name, r.channel, r.level, r.tags,
    r.comment, r.rated_at, r.voided_at, f.id AS followup_id, f.status AS followup_status";
const RATING_FROM: &str = "FROM ratings r JOIN cases k ON k.id = r.case_id
    JOIN departments d ON d.id = r.department_id LEFT JOIN users u ON u.id = r.staff_user_id
    LEFT JOIN rating_followups f ON f.rating_id = r.id";

const FOLLOWUP_COLUMNS: &str = "f.id, f.rating_id, k.case_no, k.item_name, k.applicant_name,
    f.department_id, d.name AS department_name,
    COALESCE(NULLIF(u.display_name, ''), u.username) AS staff_name, r.level, r.channel, r.tags,
    r.comment, r.rated_at, f.status, f.appeal, f.due_date, f.yellow_on, f.red_on, f.finding,
    f.measures, f.revisit, f.appeal_reason, f.appeal_review, f.closed_at";
const FOLLOWUP_FROM: &str = "FROM rating_followups f JOIN ratings r ON r.id = f.rating_id
    JOIN cases k ON k.id = f.case_id JOIN departments d ON d.id = f.department_id
    LEFT JOIN users u ON u.id = r.staff_user_id";

/// The first instant of a Beijing day, in UTC.
pub(crate) fn day_start(day: NaiveDate) -> DateTime<Utc> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    offset
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .single()
        .map_or_else(
            || Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)),
            |t| t.with_timezone(&Utc),
        )
}

impl Store {
    // ------------------------------------------------------------ settings

    /// The working days a center's departments have to settle a bad rating.
    pub async fn bad_rating_working_days(&self, center_id: i64) -> Result<u32> {
        let days: Option<i64> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT bad_rating_working_days FROM supervision_settings WHERE center_id = $1",
        )
        .bind(center_id)
        .fetch_optional(pool)
        .await?);
        Ok(days
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(DEFAULT_BAD_RATING_WORKING_DAYS))
    }

    /// Changes that setting; follow-ups already open keep their due dates.
    pub async fn set_bad_rating_working_days(
        &self,
        grant: &Grant,
        center_id: i64,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if grant.permission() != Permission::Supervise {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                "没有修改差评整改期限的权限",
            ));
        }
        let current = self.warning_settings(center_id).await?;
        on_db!(self, pool => sqlx::query(
            "INSERT INTO supervision_settings (center_id, yellow_working_days, yellow_permille,
                bad_rating_working_days, updated_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (center_id) DO UPDATE SET
                bad_rating_working_days = excluded.bad_rating_working_days,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(center_id)
        .bind(i64::from(current.yellow_working_days))
        .bind(i64::from(current.yellow_permille))
        .bind(i64::from(days))
        .bind(grant.actor().user_id)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }

    // ------------------------------------------------------------- ratings

    /// Records an applicant's rating of a case (the caller has checked the
    /// query code). A bad rating opens its follow-up in the same transaction,
    /// due the center's `bad_rating_working_days` working days later. A
    /// second rating on the same channel is refused (`rating.duplicate`).
    pub async fn rate_case(
        &self,
        case: &CaseRecord,
        rating: &NewRating,
        now: DateTime<Utc>,
    ) -> Result<RatingRecord> {
        if !rateable(case.case.status) {
            return Err(StoreError::conflict(
                "rating.not_rateable",
                None,
                "办件尚在预审，受理或办理之后才能评价",
            ));
        }
        let today = domain::supervision::beijing_date(now);
        // The window that served: whoever accepted the case.
        let staff_user_id = self
            .case_events(case.id)
            .await?
            .into_iter()
            .find(|e| matches!(e.event.body, EventBody::Accepted { .. }))
            .and_then(|e| e.event.actor.user_id);
        let dates = if rating.level.is_bad() {
            let calendar = self.calendar(case.center_id).await?;
            let days = self.bad_rating_working_days(case.center_id).await?;
            let settings = self.warning_settings(case.center_id).await?;
            Some(
                followup_dates(&calendar, today, days, settings.yellow_working_days).ok_or_else(
                    || StoreError::Corrupt("no working day for the follow-up's due date".into()),
                )?,
            )
        } else {
            None
        };
        let tags = serde_json::to_string(&rating.tags)
            .map_err(|e| StoreError::Corrupt(format!("tags: {e}")))?;
        let department_id = case.case.item.department_id;
        let id = write_tx!(self, tx => {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO ratings (case_id, department_id, staff_user_id, channel, level, tags,
                    comment, rated_at, rated_on, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)
                 ON CONFLICT (case_id, channel) DO NOTHING RETURNING id",
            )
            .bind(case.id)
            .bind(department_id)
            .bind(staff_user_id)
            .bind(rating.channel.code())
            .bind(rating.level.number())
            .bind(&tags)
            .bind(&rating.comment)
            .bind(now)
            .bind(today)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Err(StoreError::conflict(
                    "rating.duplicate",
                    Some("channel"),
                    format!("该办件已通过“{}”评价过，同一渠道只能评价一次", rating.channel.label()),
                ));
            };
            if let Some(d) = dates {
                let followup: i64 = sqlx::query_scalar(
                    "INSERT INTO rating_followups (rating_id, case_id, department_id, status, due_date,
                        yellow_on, red_on, created_at, updated_at)
                     VALUES ($1, $2, $3, 'verifying', $4, $5, $6, $7, $7) RETURNING id",
                )
                .bind(id)
                .bind(case.id)
                .bind(department_id)
                .bind(d.due_date)
                .bind(d.yellow_on)
                .bind(d.red_on)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let note = format!(
                    "{}：请于 {} 前核实、整改并回访",
                    rating.level.label(),
                    d.due_date.format("%Y年%m月%d日")
                );
                insert_followup_event!(tx, followup, FollowupEventKind::Opened, None::<i64>, "好差评系统", &note, now);
            }
            id
        });
        self.rating(id).await
    }

    async fn rating(&self, id: i64) -> Result<RatingRecord> {
        let sql = format!("SELECT {RATING_COLUMNS} {RATING_FROM} WHERE r.id = $1");
        let row: Option<RatingRecord> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// A case's ratings, oldest first.
    pub async fn case_ratings(&self, case_id: i64) -> Result<Vec<RatingRecord>> {
        let sql =
            format!("SELECT {RATING_COLUMNS} {RATING_FROM} WHERE r.case_id = $1 ORDER BY r.id");
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(case_id)
            .fetch_all(pool)
            .await?),
        )
    }

    // ---------------------------------------------------------- follow-ups

    /// Follow-ups the grant sees (a department its own), open ones first by
    /// due date, then the settled ones newest first.
    pub async fn followups(
        &self,
        grant: &Grant,
        filter: &FollowupFilter,
    ) -> Result<(Vec<FollowupRecord>, i64)> {
        if grant.permission() != Permission::ViewSupervision {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                "没有查看差评整改的权限",
            ));
        }
        let scope = grant.scope().department();
        if let (Some(mine), Some(asked)) = (scope, filter.department_id)
            && mine != asked
        {
            return Ok((Vec::new(), 0));
        }
        let department = scope.or(filter.department_id).unwrap_or(0);
        let statuses = if filter.statuses.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.code()))
                .collect();
            format!(" AND f.status IN ({})", list.join(", "))
        };
        let appeal = if filter.appeal_pending {
            " AND f.appeal = 'pending'"
        } else {
            ""
        };
        let filter_sql = format!("WHERE ($1 = 0 OR f.department_id = $1){statuses}{appeal}");
        let limit = filter.limit.clamp(1, 500);
        let offset = filter.offset.max(0);
        let list_sql = format!(
            "SELECT {FOLLOWUP_COLUMNS} {FOLLOWUP_FROM} {filter_sql}
             ORDER BY CASE WHEN f.status IN ('verifying', 'rectifying', 'revisiting') THEN 0 ELSE 1 END,
                CASE WHEN f.status IN ('verifying', 'rectifying', 'revisiting') THEN f.due_date END,
                f.id DESC
             LIMIT {limit} OFFSET {offset}"
        );
        let count_sql = format!("SELECT COUNT(*) FROM rating_followups f {filter_sql}");
        let (rows, total) = on_db!(self, pool => (
            sqlx::query_as::<_, FollowupRecord>(AssertSqlSafe(list_sql.as_str()))
                .bind(department)
                .fetch_all(pool)
                .await?,
            sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str()))
                .bind(department)
                .fetch_one(pool)
                .await?,
        ));
        Ok((rows, total))
    }

    /// One follow-up with its history, if the grant sees it.
    pub async fn followup(
        &self,
        grant: &Grant,
        id: i64,
    ) -> Result<(FollowupRecord, Vec<FollowupEventRecord>)> {
        if !matches!(
            grant.permission(),
            Permission::ViewSupervision | Permission::Supervise | Permission::AnswerCorrections
        ) {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                "没有查看差评整改的权限",
            ));
        }
        let sql = format!("SELECT {FOLLOWUP_COLUMNS} {FOLLOWUP_FROM} WHERE f.id = $1");
        let row: Option<FollowupRecord> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        let row = row
            .filter(|r| grant.covers(r.department_id))
            .ok_or(StoreError::NotFound)?;
        let events: Vec<FollowupEventRecord> = on_db!(self, pool => sqlx::query_as(
            "SELECT kind, actor_name, note, at FROM followup_events WHERE followup_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?);
        Ok((row, events))
    }

    /// A step on a follow-up: the department verifies, rectifies, records the
    /// return visit or appeals; the supervisors decide an appeal (an upheld
    /// one voids the rating, which then counts nowhere).
    pub async fn act_on_followup(
        &self,
        grant: &Grant,
        id: i64,
        action: FollowupAction,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowupRecord> {
        let allowed = if action.by_supervisor() {
            grant.permission() == Permission::Supervise
        } else {
            grant.permission() == Permission::AnswerCorrections
                || (matches!(action, FollowupAction::Revisit { .. })
                    && grant.permission() == Permission::Supervise)
        };
        if !allowed {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                format!("没有“{}”的权限", action.event().label()),
            ));
        }
        let (current, _) = self.followup(grant, id).await?;
        let before = current.state()?;
        let after = followup_after(before, action)
            .map_err(|c| StoreError::conflict(c.code, None, c.message))?;
        let settled = !after.status.is_open();
        let actor = grant.actor();
        let name: String = on_db!(self, pool => sqlx::query_scalar(
            "SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = $1",
        )
        .bind(actor.user_id)
        .fetch_one(pool)
        .await?);
        let column = match action {
            FollowupAction::Verify => "finding",
            FollowupAction::Rectify => "measures",
            FollowupAction::Revisit { .. } => "revisit",
            FollowupAction::Appeal => "appeal_reason",
            FollowupAction::ReviewAppeal { .. } => "appeal_review",
        };
        let update = format!(
            "UPDATE rating_followups SET status = $2, appeal = $3,
                yellow_on = CASE WHEN $4 THEN NULL ELSE yellow_on END,
                red_on = CASE WHEN $4 THEN NULL ELSE red_on END,
                closed_at = CASE WHEN $4 THEN $5 ELSE closed_at END,
                closed_on = CASE WHEN $4 THEN $6 ELSE closed_on END,
                updated_at = $5, {column} = $7
             WHERE id = $1 AND status = $8 AND COALESCE(appeal, '') = $9"
        );
        let today = domain::supervision::beijing_date(now);
        write_tx!(self, tx => {
            let changed = sqlx::query(AssertSqlSafe(update.as_str()))
                .bind(id)
                .bind(after.status.code())
                .bind(after.appeal.map(|a| a.code()))
                .bind(settled)
                .bind(now)
                .bind(today)
                .bind(note)
                .bind(before.status.code())
                .bind(before.appeal.map_or("", |a| a.code()))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::conflict(
                    "followup.changed",
                    None,
                    "整改单刚被他人处理，请刷新后再试",
                ));
            }
            insert_followup_event!(tx, id, action.event(), Some(actor.user_id), &name, note, now);
            if after.status == FollowupStatus::Voided {
                sqlx::query("UPDATE ratings SET voided_at = $2 WHERE id = $1")
                    .bind(current.rating_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        self.followup(grant, id).await.map(|(f, _)| f)
    }

    // ------------------------------------------------------------- figures

    /// 好评率, 差评整改率 and 未评价率 of every department of a center over the
    /// Beijing days `from..=to`: cases accepted in the period, valid ratings
    /// given in it. Public figures: no grant needed.
    pub async fn department_ratings(
        &self,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DepartmentRatings>> {
        let end = to.succ_opt().unwrap_or(to);
        let rows: Vec<CountsRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT d.id, d.name, d.name AS department_name,
                    COALESCE(c.cases, 0) AS cases, COALESCE(c.rated_cases, 0) AS rated_cases,
                    COALESCE(r.ratings, 0) AS ratings, COALESCE(r.good, 0) AS good,
                    COALESCE(r.bad, 0) AS bad, COALESCE(r.rectified, 0) AS rectified,
                    COALESCE(r.rectified_on_time, 0) AS rectified_on_time
             FROM departments d
             LEFT JOIN (
                SELECT k.department_id, COUNT(*) AS cases,
                       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM ratings x
                            WHERE x.case_id = k.id AND x.voided_at IS NULL)) AS rated_cases
                FROM cases k WHERE k.accepted_at >= $2 AND k.accepted_at < $3
                GROUP BY k.department_id
             ) c ON c.department_id = d.id
             LEFT JOIN (
                SELECT r.department_id, COUNT(*) AS ratings,
                       COUNT(*) FILTER (WHERE r.level <= 3) AS good,
                       COUNT(*) FILTER (WHERE r.level >= 4) AS bad,
                       COUNT(f.id) FILTER (WHERE f.status = 'closed') AS rectified,
                       COUNT(f.id) FILTER (WHERE f.status = 'closed' AND f.closed_on <= f.due_date) AS rectified_on_time
                FROM ratings r LEFT JOIN rating_followups f ON f.rating_id = r.id
                WHERE r.voided_at IS NULL AND r.rated_on >= $4 AND r.rated_on <= $5
                GROUP BY r.department_id
             ) r ON r.department_id = d.id
             WHERE d.center_id = $1
             ORDER BY d.id",
        )
        .bind(center_id)
        .bind(day_start(from))
        .bind(day_start(end))
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| DepartmentRatings {
                counts: r.counts(),
                department_id: r.id,
                department_name: r.name,
            })
            .collect())
    }

    /// Valid ratings and good ones (levels 1–3) per department given over
    /// the Beijing days `from..=to`: the big screen's satisfaction. A rating
    /// never changes its day or level, so every past day's count of ratings
    /// given (voided ones included) is read once per process and kept; today
    /// is read live, and ratings voided since (upheld appeals, few) are
    /// subtracted through a partial index on the voided ones.
    pub async fn given_ratings(
        &self,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<HashMap<i64, GivenRatings>> {
        let cache = &self.calendars.rating_days;
        let days: Vec<NaiveDate> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .take(400)
            .collect();
        let missing: Vec<NaiveDate> = days
            .iter()
            .copied()
            .filter(|d| *d >= today || cache.get(center_id, *d).is_none())
            .collect();
        let mut fresh: HashMap<NaiveDate, DayRatings> =
            missing.iter().map(|d| (*d, DayRatings::new())).collect();
        if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
            let rows: Vec<(i64, NaiveDate, i64, i64)> = on_db!(self, pool => sqlx::query_as(
                "SELECT r.department_id, r.rated_on, COUNT(*), COUNT(*) FILTER (WHERE r.level <= 3)
                 FROM ratings r JOIN departments d ON d.id = r.department_id
                 WHERE r.rated_on >= $2 AND r.rated_on <= $3 AND d.center_id = $1
                 GROUP BY r.department_id, r.rated_on",
            )
            .bind(center_id)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?);
            for (department, day, ratings, good) in rows {
                if let Some(d) = fresh.get_mut(&day) {
                    d.insert(department, GivenRatings { ratings, good });
                }
            }
            for (day, figures) in &fresh {
                if *day < today {
                    cache.put(center_id, *day, figures.clone());
                }
            }
        }
        let mut out: HashMap<i64, GivenRatings> = HashMap::new();
        for day in &days {
            let figures = match fresh.get(day) {
                Some(f) => f.clone(),
                None => cache
                    .get(center_id, *day)
                    .map(|f| (*f).clone())
                    .unwrap_or_default(),
            };
            for (department, g) in figures {
                let t = out.entry(department).or_default();
                t.ratings += g.ratings;
                t.good += g.good;
            }
        }
        let voided: Vec<(i64, i64, i64)> = on_db!(self, pool => sqlx::query_as(
            "SELECT r.department_id, COUNT(*), COUNT(*) FILTER (WHERE r.level <= 3)
             FROM ratings r JOIN departments d ON d.id = r.department_id
             WHERE r.voided_at IS NOT NULL AND r.rated_on >= $2 AND r.rated_on <= $3 AND d.center_id = $1
             GROUP BY r.department_id",
        )
        .bind(center_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?);
        for (department, ratings, good) in voided {
            let t = out.entry(department).or_default();
            t.ratings -= ratings;
            t.good -= good;
        }
        Ok(out)
    }

    /// The same figures per staff member who served (accepted) the rated
    /// cases, over ratings given in `from..=to`; staff without ratings are
    /// left out.
    pub async fn staff_ratings(
        &self,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StaffRatings>> {
        let rows: Vec<CountsRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) AS name,
                    d.name AS department_name, CAST(0 AS BIGINT) AS cases,
                    COUNT(DISTINCT r.case_id) AS rated_cases, COUNT(*) AS ratings,
                    COUNT(*) FILTER (WHERE r.level <= 3) AS good,
                    COUNT(*) FILTER (WHERE r.level >= 4) AS bad,
                    COUNT(f.id) FILTER (WHERE f.status = 'closed') AS rectified,
                    COUNT(f.id) FILTER (WHERE f.status = 'closed' AND f.closed_on <= f.due_date) AS rectified_on_time
             FROM ratings r JOIN users u ON u.id = r.staff_user_id
             JOIN departments d ON d.id = r.department_id
             LEFT JOIN rating_followups f ON f.rating_id = r.id
             WHERE r.voided_at IS NULL AND r.rated_on >= $2 AND r.rated_on <= $3 AND d.center_id = $1
             GROUP BY u.id, u.display_name, u.username, d.name
             ORDER BY u.id",
        )
        .bind(center_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| StaffRatings {
                counts: r.counts(),
                user_id: r.id,
                name: r.name,
                department_name: r.department_name,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_beijing_day_starts_at_four_in_the_afternoon_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        assert_eq!(day_start(d).to_rfc3339(), "2026-09-30T16:00:00+00:00");
    }
}
