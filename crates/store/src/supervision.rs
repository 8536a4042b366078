//! Electronic supervision's storage: the warning days kept in `case_watches`
//! (written by the case writer, rebuilt here when a center's calendar or
//! settings change), the live warning list, violations, the worker's runs and
//! correction orders (纠错/督办).

use crate::watches::{Deltas, Stored, apply_tallies};
use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::calendar::WorkCalendar;
use domain::case::CaseStatus;
use domain::catalogue::CaseKind;
use domain::supervision::{
    CorrectionAction, CorrectionEventKind, CorrectionStatus, NewCorrection, ViolationRule,
    ViolationStatus, WarningLevel, WarningSettings, WatchInput, beijing_date, correction_after,
    watch,
};
use sqlx::AssertSqlSafe;
use std::sync::Arc;

macro_rules! insert_correction_event {
    ($tx:ident, $id:expr, $kind:expr, $user:expr, $name:expr, $note:expr, $now:expr) => {{
        let kind: CorrectionEventKind = $kind;
        sqlx::query(
            "INSERT INTO correction_events (correction_id, kind, actor_user_id, actor_name, note, at, created_at)
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

/// How many watches a rebuild reads and rewrites per transaction (short, so
/// that the case writer, which waits for the audit head, hardly notices).
const REWATCH_CHUNK: i64 = 4_000;

/// Filters of the warning list.
#[derive(Debug, Clone)]
pub struct WarningQuery {
    /// The day the list is for (warnings are compared with it).
    pub today: NaiveDate,
    pub level: Option<WarningLevel>,
    pub department_id: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// One current warning: a time rule on a case, or an open violation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WarningRow {
    /// `time` (from the case's thresholds), `violation` or `followup` (a
    /// bad rating's follow-up near or past its due date).
    pub source: String,
    /// The violation's id (for `violation`), the case's id otherwise.
    pub ref_id: i64,
    pub case_no: Option<String>,
    pub department_id: i64,
    pub department_name: String,
    pub level: String,
    pub rule: String,
    pub since: NaiveDate,
    /// Where it stands in the list within its level: the day it began, but
    /// for a yellow that turns red the day it does (the most urgent first).
    pub order_on: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub item_name: Option<String>,
    pub applicant_name: Option<String>,
    pub status: Option<String>,
    pub current_step: Option<String>,
    pub detail: String,
}

/// Current warnings of one department, by level.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WarningCount {
    pub department_id: i64,
    pub department_name: String,
    pub yellow: i64,
    pub red: i64,
    /// Of those, open violations (not time warnings).
    pub violations: i64,
}

/// What one run of the supervision worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SupervisionRun {
    pub today: NaiveDate,
    /// Warnings that began since the last run (yellow, red, step over budget).
    pub warnings_recorded: i64,
    /// Correction orders past their reply deadline, escalated now.
    pub corrections_escalated: i64,
}

/// The last run of the worker, as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupervisionRunRecord {
    pub ran_at: DateTime<Utc>,
    pub today: NaiveDate,
    pub warnings_recorded: i64,
    pub corrections_escalated: i64,
}

/// A violation as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ViolationRecord {
    pub id: i64,
    pub department_id: i64,
    pub case_no: Option<String>,
    pub certificate_no: Option<String>,
    pub rule: String,
    pub level: String,
    pub detail: String,
    pub occurred_at: DateTime<Utc>,
    pub status: String,
    pub resolution: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// What a correction order is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrectionTarget {
    Case(String),
    Department(i64),
    Violation(i64),
}

/// A correction order as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CorrectionRecord {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub case_no: Option<String>,
    pub violation_id: Option<i64>,
    pub reason: String,
    pub reply_working_days: i64,
    pub reply_due: NaiveDate,
    pub status: String,
    pub reply: String,
    pub issued_by_name: String,
    pub issued_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One step in a correction order's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CorrectionEventRecord {
    pub kind: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// Filters of the correction list.
#[derive(Debug, Clone, Default)]
pub struct CorrectionFilter {
    pub status: Option<CorrectionStatus>,
    pub department_id: Option<i64>,
}

const CORRECTION_COLUMNS: &str = "c.id, c.department_id, d.name AS department_name,
    k.case_no, c.violation_id, c.reason, c.reply_working_days, c.reply_due, c.status, c.reply,
    COALESCE(NULLIF(u.display_name, ''), u.username) AS issued_by_name, c.issued_at, c.escalated_at, c.closed_at";
const CORRECTION_FROM: &str = "FROM corrections c JOIN departments d ON d.id = c.department_id
    JOIN users u ON u.id = c.issued_by LEFT JOIN cases k ON k.id = c.case_id";

/// A watch row as the rebuild reads it: the inputs and the days they gave.
#[derive(sqlx::FromRow)]
struct WatchRow {
    case_id: i64,
    department_id: i64,
    case_kind: String,
    accepted_on: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    paused_working_days: i64,
    step_started_on: Option<NaiveDate>,
    step_budget_days: Option<i64>,
    yellow_on: Option<NaiveDate>,
    red_on: Option<NaiveDate>,
    step_over_on: Option<NaiveDate>,
}

impl WatchRow {
    fn input(&self) -> Result<WatchInput> {
        let case_kind = CaseKind::parse(&self.case_kind)
            .ok_or_else(|| StoreError::Corrupt(format!("case kind {}", self.case_kind)))?;
        Ok(WatchInput {
            status: CaseStatus::Accepted,
            case_kind,
            accepted_on: self.accepted_on,
            due_date: self.due_date,
            paused_working_days: u32::try_from(self.paused_working_days).unwrap_or(0),
            step: self
                .step_started_on
                .zip(self.step_budget_days)
                .map(|(d, b)| (d, u32::try_from(b).unwrap_or(0))),
        })
    }

    fn stored(&self) -> Stored {
        Stored {
            yellow_on: self.yellow_on,
            red_on: self.red_on,
            step_over_on: self.step_over_on,
        }
    }
}

fn forbidden(what: &str) -> StoreError {
    StoreError::conflict("auth.forbidden", None, format!("没有{what}的权限"))
}

fn require(grant: &Grant, permission: Permission, what: &str) -> Result<()> {
    if grant.permission() == permission {
        Ok(())
    } else {
        Err(forbidden(what))
    }
}

impl Store {
    // ------------------------------------------------------------ settings

    /// A center's warning thresholds (the defaults when it has set none).
    pub async fn warning_settings(&self, center_id: i64) -> Result<WarningSettings> {
        if let Some(s) = self.calendars.warnings(center_id) {
            return Ok(s);
        }
        let row: Option<(i64, i64)> = on_db!(self, pool => sqlx::query_as(crate::cases::WARNINGS_SQL)
            .bind(center_id)
            .fetch_optional(pool)
            .await?);
        self.calendars.insert_warnings(center_id, row)
    }

    /// Changes a center's thresholds and rebuilds its open cases' warnings.
    pub async fn set_warning_settings(
        &self,
        grant: &Grant,
        center_id: i64,
        settings: WarningSettings,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        require(grant, Permission::Supervise, "修改预警设置")?;
        on_db!(self, pool => sqlx::query(
            "INSERT INTO supervision_settings (center_id, yellow_working_days, yellow_permille,
                updated_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (center_id) DO UPDATE SET yellow_working_days = excluded.yellow_working_days,
                yellow_permille = excluded.yellow_permille, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at",
        )
        .bind(center_id)
        .bind(i64::from(settings.yellow_working_days))
        .bind(i64::from(settings.yellow_permille))
        .bind(grant.actor().user_id)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?);
        self.calendars.forget(center_id);
        self.rewatch(Some(center_id)).await
    }

    // ------------------------------------------------------------- rebuild

    /// Recomputes the warning days of every case whose clock runs (of one
    /// center, or of all) from its watch row and the centers' current
    /// calendars and settings. Returns how many cases were read.
    ///
    /// Only `case_watches` is read and written (never the archive), in chunks
    /// of [`REWATCH_CHUNK`], each read, computed and written under the audit
    /// head in one short transaction: case writes wait for a chunk at most,
    /// and no case write can slip between a chunk's read and its write.
    /// Rows whose days did not change are not rewritten.
    pub async fn rewatch(&self, center_id: Option<i64>) -> Result<usize> {
        let centers: Vec<i64> = match center_id {
            Some(c) => vec![c],
            None => on_db!(self, pool => sqlx::query_scalar("SELECT id FROM centers ORDER BY id")
                .fetch_all(pool)
                .await?),
        };
        let mut read = 0;
        for center in centers {
            let calendar = self.calendar(center).await?;
            let settings = self.warning_settings(center).await?;
            let mut after = 0i64;
            loop {
                let (n, last) = self
                    .rewatch_chunk(center, after, &calendar, &settings)
                    .await?;
                read += n;
                match last {
                    Some(last) => after = last,
                    None => break,
                }
            }
        }
        // Every warning day may have moved: the planner's picture of them
        // (which the warning list's plans rest on) is renewed now rather than
        // whenever the database next gets to it.
        on_db!(self, pool => sqlx::query("ANALYZE case_watches").execute(pool).await.map(drop)?);
        Ok(read)
    }

    /// One chunk of [`Store::rewatch`]: the watches of `center` after case
    /// `after`; evaluates to how many were read and the last case id.
    async fn rewatch_chunk(
        &self,
        center: i64,
        after: i64,
        calendar: &Arc<WorkCalendar>,
        settings: &WarningSettings,
    ) -> Result<(usize, Option<i64>)> {
        macro_rules! chunk {
            ($tx:ident) => {{
                let _head: String = crate::cases::lock_head!($tx);
                let rows: Vec<WatchRow> = sqlx::query_as(
                    "SELECT case_id, department_id, case_kind, accepted_on, due_date, paused_working_days,
                            step_started_on, step_budget_days, yellow_on, red_on, step_over_on
                     FROM case_watches WHERE center_id = $1 AND case_id > $2
                     ORDER BY case_id LIMIT $3",
                )
                .bind(center)
                .bind(after)
                .bind(REWATCH_CHUNK)
                .fetch_all(&mut *$tx)
                .await?;
                let mut deltas = Deltas::default();
                let mut values = Vec::new();
                for r in &rows {
                    let old = r.stored();
                    let new = Stored::from(&watch(&r.input()?, calendar, settings));
                    if old != new {
                        deltas.change(r.department_id, &old, &new);
                        values.push((r.case_id, new));
                    }
                }
                if !values.is_empty() {
                    let days = serde_json::Value::from(
                        values
                            .iter()
                            .map(|(id, w)| serde_json::json!([id, w.yellow_on, w.red_on, w.step_over_on]))
                            .collect::<Vec<_>>(),
                    );
                    sqlx::query(crate::watches::sql_of(&$tx).rewrite_days)
                        .bind(days.to_string())
                        .execute(&mut *$tx)
                        .await?;
                }
                apply_tallies!($tx, &deltas);
                (rows.len(), rows.last().map(|r| r.case_id))
            }};
        }
        Ok(match &self.db {
            crate::Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = chunk!(tx);
                tx.commit().await?;
                out
            }
            crate::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let out = chunk!(tx);
                tx.commit().await?;
                out
            }
        })
    }

    // --------------------------------------------------------- live lists

    /// The warnings on `query.today`: red first, by the day they began (the
    /// longest overdue first); then yellow, those that turn red by the day
    /// they do (the most urgent first) and the others by the day they began.
    /// Time warnings come from the running cases' watches, with open
    /// violations and bad ratings' follow-ups; only those are read, through
    /// their indexes, whatever the size of the archive.
    pub async fn warnings(
        &self,
        grant: &Grant,
        query: &WarningQuery,
    ) -> Result<(Vec<WarningRow>, i64)> {
        require(grant, Permission::ViewSupervision, "查看预警")?;
        let department = grant.scope().department().or(query.department_id);
        if let (Some(mine), Some(asked)) = (grant.scope().department(), query.department_id)
            && mine != asked
        {
            return Ok((Vec::new(), 0));
        }
        let limit = query.limit.clamp(1, 500);
        let offset = query.offset.max(0);
        // Each rule is one part read through its own index in its list order,
        // at most `offset + limit` rows each; the parts are merged here. A
        // first page costs a few short index range scans whatever the number
        // of warnings. $1 is the day, $2 the department (when one is asked for).
        let dept = |column: &str| {
            if department.is_some() {
                format!(" AND {column} = $2")
            } else {
                String::new()
            }
        };
        let want = offset + limit;
        // A case rule's part reads `case_watches` in the order of `order_on`
        // (its indexes carry the department first for one department's list;
        // `+w.department_id` keeps a planner from reading every department's
        // rows through those and sorting them when all are asked for);
        // its total is a sum over `warning_tallies` (a few rows per department
        // and day), not a count of its warnings.
        let case_part = |level: &str,
                         rule: &str,
                         since: &str,
                         order_on: &str,
                         cond: &str,
                         tally: &str| {
            (
                format!(
                    "SELECT 'time' AS source, w.case_id AS ref_id, k.case_no, w.department_id, {level} AS level,
                        {rule} AS rule, w.{since} AS since, w.{order_on} AS order_on, k.due_date, k.item_name,
                        k.applicant_name, k.status, k.current_step, '' AS detail, d.name AS department_name
                     FROM case_watches w JOIN cases k ON k.id = w.case_id
                     JOIN departments d ON d.id = +w.department_id
                     WHERE {cond}{} ORDER BY w.{order_on}, w.case_id LIMIT {want}",
                    dept("w.department_id")
                ),
                format!(
                    "SELECT CAST(COALESCE(SUM({tally}), 0) AS BIGINT) FROM warning_tallies t
                     WHERE t.on_date <= $1{}",
                    dept("t.department_id")
                ),
            )
        };
        let followup_part = |level: &str, rule: &str, since: &str, order_on: &str, cond: &str| {
            (
                format!(
                    "SELECT 'followup' AS source, f.id AS ref_id, k.case_no, f.department_id, {level} AS level,
                        {rule} AS rule, f.{since} AS since, f.{order_on} AS order_on, f.due_date, k.item_name,
                        k.applicant_name, k.status, k.current_step, '' AS detail, d.name AS department_name
                     FROM rating_followups f JOIN cases k ON k.id = f.case_id
                     JOIN departments d ON d.id = f.department_id
                     WHERE {cond}{} ORDER BY f.{order_on}, f.id LIMIT {want}",
                    dept("f.department_id")
                ),
                format!(
                    "SELECT COUNT(*) FROM rating_followups f WHERE {cond}{}",
                    dept("f.department_id")
                ),
            )
        };
        let mut parts = Vec::new();
        if query.level != Some(WarningLevel::Yellow) {
            parts.push(case_part(
                "'red'",
                "CASE WHEN w.case_kind = 'immediate' THEN 'immediate_not_same_day' ELSE 'overdue' END",
                "red_on",
                "red_on",
                "w.red_on <= $1",
                "CASE t.kind WHEN 'red' THEN t.n ELSE 0 END",
            ));
            parts.push(followup_part(
                "'red'",
                "'bad_rating_overdue'",
                "red_on",
                "red_on",
                "f.red_on <= $1",
            ));
        }
        if query.level != Some(WarningLevel::Red) {
            parts.push(case_part(
                "'yellow'",
                "'near_deadline'",
                "yellow_on",
                "red_on",
                "w.red_on > $1 AND w.yellow_on <= $1",
                "CASE t.kind WHEN 'yellow' THEN t.n WHEN 'both' THEN -t.n ELSE 0 END",
            ));
            parts.push(case_part(
                "'yellow'",
                "'step_over_budget'",
                "step_over_on",
                "step_over_on",
                "w.step_over_on <= $1",
                "CASE t.kind WHEN 'step' THEN t.n ELSE 0 END",
            ));
            parts.push(followup_part(
                "'yellow'",
                "'bad_rating_near_due'",
                "yellow_on",
                "red_on",
                "f.red_on > $1 AND f.yellow_on <= $1",
            ));
        }
        let violation_level = match query.level {
            Some(l) => format!(" AND v.level = '{}'", l.code()),
            None => String::new(),
        };
        let vcond = format!(
            "v.status = 'open' AND v.occurred_on <= $1{violation_level}{}",
            dept("v.department_id")
        );
        parts.push((
            format!(
                "SELECT 'violation' AS source, v.id AS ref_id, k.case_no, v.department_id, v.level,
                    v.rule, v.occurred_on AS since, v.occurred_on AS order_on, k.due_date, k.item_name,
                    k.applicant_name, k.status,
                    k.current_step, v.detail, d.name AS department_name
                 FROM violations v LEFT JOIN cases k ON k.id = v.case_id
                 JOIN departments d ON d.id = v.department_id
                 WHERE {vcond} ORDER BY v.occurred_on, v.id LIMIT {want}"
            ),
            format!("SELECT COUNT(*) FROM violations v WHERE {vcond}"),
        ));
        let mut rows: Vec<WarningRow> = Vec::new();
        let mut total = 0i64;
        for (list_sql, count_sql) in &parts {
            let (found, n) = on_db!(self, pool => {
                let mut q = sqlx::query_as::<_, WarningRow>(AssertSqlSafe(list_sql.as_str())).bind(query.today);
                let mut c = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str())).bind(query.today);
                if let Some(d) = department {
                    q = q.bind(d);
                    c = c.bind(d);
                }
                (q.fetch_all(pool).await?, c.fetch_one(pool).await?)
            });
            rows.extend(found);
            total += n;
        }
        // Red before yellow, then each in its order.
        rows.sort_by(|a, b| {
            (a.level != "red")
                .cmp(&(b.level != "red"))
                .then(a.order_on.cmp(&b.order_on))
                .then_with(|| a.case_no.cmp(&b.case_no))
                .then_with(|| a.rule.cmp(&b.rule))
                .then(a.ref_id.cmp(&b.ref_id))
        });
        let rows = rows
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok((rows, total))
    }
}

/// A certificate issued outside govhall, as a department registers it.
#[derive(Debug, Clone)]
pub struct ExternalCertificate {
    pub certificate_no: String,
    pub name: String,
    pub holder_name: String,
    pub holder_id_number: String,
    pub issued_on: NaiveDate,
    /// The govhall case it was issued under, if the department names one.
    pub case_no: Option<String>,
}

/// What registering one external certificate found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredCertificate {
    pub certificate_no: String,
    /// Set when no accepted case of the department stands behind it (体外循环).
    pub violation_id: Option<i64>,
}

impl Store {
    /// Current warnings per department (only departments that have some):
    /// the cases' from `warning_tallies` (a sum over days, not a count of
    /// warnings), follow-ups' and violations' counted.
    pub async fn warning_counts(
        &self,
        grant: &Grant,
        today: NaiveDate,
    ) -> Result<Vec<WarningCount>> {
        require(grant, Permission::ViewSupervision, "查看预警")?;
        let dept = match grant.scope().department() {
            Some(_) => " AND department_id = $2",
            None => "",
        };
        let sql = format!(
            "SELECT w.department_id, d.name AS department_name,
                    CAST(COALESCE(SUM(w.yellow), 0) AS BIGINT) AS yellow,
                    CAST(COALESCE(SUM(w.red), 0) AS BIGINT) AS red,
                    CAST(COALESCE(SUM(w.violations), 0) AS BIGINT) AS violations
             FROM (
                SELECT department_id,
                       SUM(CASE kind WHEN 'yellow' THEN n WHEN 'both' THEN -n WHEN 'step' THEN n ELSE 0 END) AS yellow,
                       SUM(CASE kind WHEN 'red' THEN n ELSE 0 END) AS red, 0 AS violations
                  FROM warning_tallies WHERE on_date <= $1{dept} GROUP BY department_id
                UNION ALL
                SELECT department_id, COUNT(*) FILTER (WHERE red_on > $1), COUNT(*) FILTER (WHERE red_on <= $1), 0
                  FROM rating_followups WHERE yellow_on <= $1{dept} GROUP BY department_id
                UNION ALL
                SELECT department_id, COUNT(*) FILTER (WHERE level = 'yellow'),
                       COUNT(*) FILTER (WHERE level = 'red'), COUNT(*)
                  FROM violations WHERE status = 'open' AND occurred_on <= $1{dept} GROUP BY department_id
             ) w JOIN departments d ON d.id = w.department_id
             GROUP BY w.department_id, d.name
             ORDER BY red DESC, yellow DESC, w.department_id"
        );
        let rows = on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, WarningCount>(AssertSqlSafe(sql.as_str())).bind(today);
            if let Some(d) = grant.scope().department() {
                q = q.bind(d);
            }
            q.fetch_all(pool).await?
        });
        Ok(rows.into_iter().filter(|r| r.yellow + r.red > 0).collect())
    }

    /// How many (department, kind, day) rows of `warning_tallies` disagree
    /// with a recount of the days in `case_watches`, plus how many running
    /// cases have no watch row and watch rows no running case (or another
    /// department): 0 while the writers keep them in step. For tests and
    /// checks, not for requests (it reads every running case).
    pub async fn warning_tally_drift(&self) -> Result<i64> {
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM cases k WHERE k.status = 'accepted'
                        AND NOT EXISTS (SELECT 1 FROM case_watches w WHERE w.case_id = k.id))
                  + (SELECT COUNT(*) FROM case_watches w JOIN cases k ON k.id = w.case_id
                        WHERE k.status <> 'accepted' OR k.department_id <> w.department_id
                           OR k.center_id <> w.center_id)
                  + (SELECT COUNT(*) FROM (
                SELECT department_id, kind, on_date FROM (
                    SELECT department_id, kind, on_date, n FROM warning_tallies
                    UNION ALL SELECT department_id, 'yellow', yellow_on, -1 FROM case_watches WHERE yellow_on IS NOT NULL
                    UNION ALL SELECT department_id, 'red', red_on, -1 FROM case_watches WHERE red_on IS NOT NULL
                    UNION ALL SELECT department_id, 'step', step_over_on, -1 FROM case_watches WHERE step_over_on IS NOT NULL
                    UNION ALL SELECT department_id, 'both',
                                     CASE WHEN yellow_on > red_on THEN yellow_on ELSE red_on END, -1
                              FROM case_watches WHERE yellow_on IS NOT NULL AND red_on IS NOT NULL
                ) x GROUP BY department_id, kind, on_date HAVING SUM(n) <> 0
             ) d)",
        )
        .fetch_one(pool)
        .await?))
    }

    // -------------------------------------------------------------- worker

    /// One run of the supervision worker for `today`: records every warning
    /// that has begun and was not recorded yet (read from the running cases'
    /// watches through their indexes), escalates correction orders
    /// past their reply deadline, and notes the run.
    pub async fn run_supervision(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<SupervisionRun> {
        let run = write_tx!(self, tx => {
            let mut recorded = 0u64;
            for sql in [
                "INSERT INTO warning_records (case_id, department_id, rule, level, since, recorded_at, created_at)
                 SELECT case_id, department_id,
                        CASE WHEN case_kind = 'immediate' THEN 'immediate_not_same_day' ELSE 'overdue' END,
                        'red', red_on, $2, $2
                 FROM case_watches WHERE red_on <= $1
                 ON CONFLICT (case_id, rule, since) DO NOTHING",
                "INSERT INTO warning_records (case_id, department_id, rule, level, since, recorded_at, created_at)
                 SELECT case_id, department_id, 'near_deadline', 'yellow', yellow_on, $2, $2
                 FROM case_watches WHERE yellow_on <= $1 AND (red_on IS NULL OR red_on > $1)
                 ON CONFLICT (case_id, rule, since) DO NOTHING",
                "INSERT INTO warning_records (case_id, department_id, rule, level, since, recorded_at, created_at)
                 SELECT case_id, department_id, 'step_over_budget', 'yellow', step_over_on, $2, $2
                 FROM case_watches WHERE step_over_on <= $1
                 ON CONFLICT (case_id, rule, since) DO NOTHING",
            ] {
                recorded += sqlx::query(sql)
                    .bind(today)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            // Days whose warnings all ended (cases concluded, thresholds moved).
            sqlx::query("DELETE FROM warning_tallies WHERE n = 0")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO correction_events (correction_id, kind, actor_user_id, actor_name, note, at, created_at)
                 SELECT id, 'escalated', NULL, '电子监察系统',
                        '答复期限已过仍未答复，已升级督办并抄报中心领导', $2, $2
                 FROM corrections
                 WHERE status IN ('issued', 'returned') AND reply_due < $1 AND escalated_at IS NULL",
            )
            .bind(today)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let escalated = sqlx::query(
                "UPDATE corrections SET escalated_at = $2, updated_at = $2
                 WHERE status IN ('issued', 'returned') AND reply_due < $1 AND escalated_at IS NULL",
            )
            .bind(today)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "INSERT INTO supervision_runs (ran_at, today, warnings_recorded, corrections_escalated, created_at)
                 VALUES ($1, $2, $3, $4, $1)",
            )
            .bind(now)
            .bind(today)
            .bind(recorded as i64)
            .bind(escalated as i64)
            .execute(&mut *tx)
            .await?;
            SupervisionRun {
                today,
                warnings_recorded: recorded as i64,
                corrections_escalated: escalated as i64,
            }
        });
        Ok(run)
    }

    /// The worker's last run, if it has run.
    pub async fn last_supervision_run(&self) -> Result<Option<SupervisionRunRecord>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT ran_at, today, warnings_recorded, corrections_escalated
             FROM supervision_runs ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(pool)
        .await?))
    }

    /// How many warnings each department has had begin in a period (from the
    /// worker's records): the history behind scores and reports.
    pub async fn warning_history(
        &self,
        grant: &Grant,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, String, i64)>> {
        require(grant, Permission::ViewSupervision, "查看预警")?;
        let scope = grant.scope().department().unwrap_or(0);
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT department_id, level, COUNT(*) FROM warning_records
             WHERE since BETWEEN $1 AND $2 AND ($3 = 0 OR department_id = $3)
             GROUP BY department_id, level ORDER BY department_id, level",
        )
        .bind(from)
        .bind(to)
        .bind(scope)
        .fetch_all(pool)
        .await?))
    }

    // ---------------------------------------------------------- violations

    /// A violation, if the grant sees it.
    pub async fn violation(&self, grant: &Grant, id: i64) -> Result<ViolationRecord> {
        if !matches!(
            grant.permission(),
            Permission::ViewSupervision | Permission::Supervise
        ) {
            return Err(forbidden("查看预警"));
        }
        let v: ViolationRecord = on_db!(self, pool => sqlx::query_as(
            "SELECT v.id, v.department_id, k.case_no, t.certificate_no, v.rule, v.level, v.detail,
                    v.occurred_at, v.status, v.resolution, v.resolved_at
             FROM violations v LEFT JOIN cases k ON k.id = v.case_id
             LEFT JOIN certificates t ON t.id = v.certificate_id WHERE v.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?)
        .ok_or(StoreError::NotFound)?;
        if !grant.covers(v.department_id) {
            return Err(StoreError::NotFound);
        }
        Ok(v)
    }

    /// The violations found on one case, oldest first.
    pub async fn case_violations(&self, case_no: &str) -> Result<Vec<ViolationRecord>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT v.id, v.department_id, k.case_no, NULL AS certificate_no, v.rule, v.level,
                    v.detail, v.occurred_at, v.status, v.resolution, v.resolved_at
             FROM violations v JOIN cases k ON k.id = v.case_id
             WHERE k.case_no = $1 ORDER BY v.id",
        )
        .bind(case_no)
        .fetch_all(pool)
        .await?))
    }

    /// A supervisor closes an open violation: dismissed (a mistaken flag) or
    /// corrected, with a note.
    pub async fn resolve_violation(
        &self,
        grant: &Grant,
        id: i64,
        status: ViolationStatus,
        resolution: &str,
        now: DateTime<Utc>,
    ) -> Result<ViolationRecord> {
        require(grant, Permission::Supervise, "处理违规")?;
        if status == ViolationStatus::Open {
            return Err(StoreError::conflict(
                "violation.status_invalid",
                Some("status"),
                "处理结果应为“已排除”或“已纠正”",
            ));
        }
        let resolution = resolution.trim();
        if resolution.is_empty() || resolution.chars().count() > 1000 {
            return Err(StoreError::Invalid(
                domain::FieldError::new(
                    "field.required",
                    "resolution",
                    "请填写处理说明（1000字以内）",
                )
                .into(),
            ));
        }
        let changed = on_db!(self, pool => sqlx::query(
            "UPDATE violations SET status = $2, resolution = $3, resolved_by = $4, resolved_at = $5
             WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(status.code())
        .bind(resolution)
        .bind(grant.actor().user_id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        let v = self.violation(grant, id).await?;
        if changed == 0 {
            return Err(StoreError::conflict(
                "violation.resolved",
                None,
                format!(
                    "该违规已处理（{}）",
                    ViolationStatus::parse(&v.status).map_or("", |s| s.label())
                ),
            ));
        }
        Ok(v)
    }

    /// Registers certificates a department issued outside govhall (its
    /// upload). Each one is linked to the case it names when that case is the
    /// department's and was accepted; otherwise a 体外循环 violation is
    /// recorded beside it. All or nothing: a duplicate number refuses the lot.
    pub async fn register_external_certificates(
        &self,
        grant: &Grant,
        department_id: i64,
        certificates: &[ExternalCertificate],
        now: DateTime<Utc>,
    ) -> Result<Vec<RegisteredCertificate>> {
        if grant.permission() != Permission::HandleCases || !grant.covers(department_id) {
            return Err(forbidden("登记本部门证照"));
        }
        let out = write_tx!(self, tx => {
            let mut out = Vec::with_capacity(certificates.len());
            for (i, c) in certificates.iter().enumerate() {
                let case: Option<(i64, i64, Option<DateTime<Utc>>)> = match &c.case_no {
                    Some(no) => sqlx::query_as(
                        "SELECT id, department_id, accepted_at FROM cases WHERE case_no = $1",
                    )
                    .bind(no)
                    .fetch_optional(&mut *tx)
                    .await?,
                    None => None,
                };
                let backing = case.filter(|(_, d, acc)| *d == department_id && acc.is_some());
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO certificates (certificate_no, name, holder_name, holder_id_number,
                        department_id, case_id, issued_on, source, registered_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'external', $8, $9) RETURNING id",
                )
                .bind(&c.certificate_no)
                .bind(&c.name)
                .bind(&c.holder_name)
                .bind(&c.holder_id_number)
                .bind(department_id)
                .bind(backing.map(|b| b.0))
                .bind(c.issued_on)
                .bind(grant.actor().user_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::on_unique(
                    "certificate.duplicate",
                    &format!("certificates[{i}].certificate_no"),
                    "该证照编号已存在于电子证照库",
                ))?;
                let violation_id = if backing.is_some() {
                    None
                } else {
                    let detail = match (&c.case_no, case) {
                        (None, _) => format!("证照“{}”（{}）未关联任何受理办件", c.name, c.certificate_no),
                        (Some(no), None) => format!("证照“{}”（{}）所称办件 {no} 不存在", c.name, c.certificate_no),
                        (Some(no), Some(_)) => format!("证照“{}”（{}）所称办件 {no} 不是本部门已受理的办件", c.name, c.certificate_no),
                    };
                    let rule = ViolationRule::CertificateWithoutCase;
                    let vid: i64 = sqlx::query_scalar(
                        "INSERT INTO violations (department_id, certificate_id, rule, level, detail,
                            occurred_at, occurred_on, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id",
                    )
                    .bind(department_id)
                    .bind(id)
                    .bind(rule.code())
                    .bind(rule.level().code())
                    .bind(detail)
                    .bind(now)
                    .bind(beijing_date(now))
                    .fetch_one(&mut *tx)
                    .await?;
                    Some(vid)
                };
                out.push(RegisteredCertificate {
                    certificate_no: c.certificate_no.clone(),
                    violation_id,
                });
            }
            out
        });
        Ok(out)
    }

    // --------------------------------------------------------- corrections

    /// A supervisor issues a correction order; its reply deadline counts
    /// working days from `today` on the department's center calendar.
    pub async fn issue_correction(
        &self,
        grant: &Grant,
        target: &CorrectionTarget,
        order: &NewCorrection,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<CorrectionRecord> {
        require(grant, Permission::Supervise, "下发督办单")?;
        let (department_id, case_id, violation_id) = match target {
            CorrectionTarget::Department(d) => (*d, None, None),
            CorrectionTarget::Case(no) => {
                let row: Option<(i64, i64)> = on_db!(self, pool => sqlx::query_as(
                    "SELECT department_id, id FROM cases WHERE case_no = $1",
                )
                .bind(no)
                .fetch_optional(pool)
                .await?);
                let (d, c) = row.ok_or_else(|| {
                    StoreError::conflict(
                        "correction.case_not_found",
                        Some("case_no"),
                        format!("办件 {no} 不存在"),
                    )
                })?;
                (d, Some(c), None)
            }
            CorrectionTarget::Violation(v) => {
                let row: Option<(i64, Option<i64>)> = on_db!(self, pool => sqlx::query_as(
                    "SELECT department_id, case_id FROM violations WHERE id = $1",
                )
                .bind(*v)
                .fetch_optional(pool)
                .await?);
                let (d, c) = row.ok_or_else(|| {
                    StoreError::conflict(
                        "correction.violation_not_found",
                        Some("violation_id"),
                        "该违规记录不存在",
                    )
                })?;
                (d, c, Some(*v))
            }
        };
        let department = self.department(department_id).await?.ok_or_else(|| {
            StoreError::conflict(
                "correction.department_not_found",
                Some("department_id"),
                "该部门不存在",
            )
        })?;
        let calendar = self.calendar(department.center_id).await?;
        let reply_due = calendar
            .add_working_days(today, order.reply_working_days)
            .map_err(|e| StoreError::Corrupt(format!("calendar: {e}")))?;
        let actor = grant.actor();
        let name = actor_name(self, actor.user_id).await?;
        let id = write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO corrections (department_id, case_id, violation_id, reason, reply_working_days,
                    reply_due, status, issued_by, issued_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'issued', $7, $8, $8, $8) RETURNING id",
            )
            .bind(department_id)
            .bind(case_id)
            .bind(violation_id)
            .bind(&order.reason)
            .bind(i64::from(order.reply_working_days))
            .bind(reply_due)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_correction_event!(tx, id, CorrectionEventKind::Issued, actor.user_id, &name, &order.reason, now);
            id
        });
        self.correction(grant, id).await.map(|(c, _)| c)
    }

    /// Correction orders the grant sees, open ones first, newest first.
    pub async fn corrections(
        &self,
        grant: &Grant,
        filter: &CorrectionFilter,
    ) -> Result<Vec<CorrectionRecord>> {
        if !matches!(grant.permission(), Permission::ViewSupervision) {
            return Err(forbidden("查看督办单"));
        }
        let department = grant.scope().department().or(filter.department_id);
        let mut conds = Vec::new();
        if department.is_some() {
            conds.push("c.department_id = $1".to_string());
        }
        if let Some(s) = filter.status {
            conds.push(format!("c.status = '{}'", s.code()));
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let sql = format!(
            "SELECT {CORRECTION_COLUMNS} {CORRECTION_FROM} {where_sql}
             ORDER BY CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.id DESC LIMIT 500"
        );
        Ok(on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, CorrectionRecord>(AssertSqlSafe(sql.as_str()));
            if let Some(d) = department {
                q = q.bind(d);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// One correction order with its history, if the grant sees it.
    pub async fn correction(
        &self,
        grant: &Grant,
        id: i64,
    ) -> Result<(CorrectionRecord, Vec<CorrectionEventRecord>)> {
        let sql = format!("SELECT {CORRECTION_COLUMNS} {CORRECTION_FROM} WHERE c.id = $1");
        let (c, events) = on_db!(self, pool => {
            let c: Option<CorrectionRecord> = sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            let events: Vec<CorrectionEventRecord> = sqlx::query_as(
                "SELECT kind, actor_name, note, at FROM correction_events WHERE correction_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            (c, events)
        });
        let c = c.ok_or(StoreError::NotFound)?;
        if !grant.covers(c.department_id) {
            return Err(StoreError::NotFound);
        }
        Ok((c, events))
    }

    /// A step on a correction order: the department replies (grant
    /// `AnswerCorrections` covering it), the supervisor returns or closes it
    /// (grant `Supervise`). Closing an order about a violation marks the
    /// violation corrected.
    pub async fn act_on_correction(
        &self,
        grant: &Grant,
        id: i64,
        action: CorrectionAction,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<CorrectionRecord> {
        let needed = match action {
            CorrectionAction::Reply => Permission::AnswerCorrections,
            CorrectionAction::Return | CorrectionAction::Close => Permission::Supervise,
        };
        if grant.permission() != needed {
            return Err(forbidden(match action {
                CorrectionAction::Reply => "答复督办单",
                CorrectionAction::Return => "退回督办单",
                CorrectionAction::Close => "办结督办单",
            }));
        }
        let (current, _) = self.correction(grant, id).await?;
        let status = CorrectionStatus::parse(&current.status)
            .ok_or_else(|| StoreError::Corrupt(format!("correction status {}", current.status)))?;
        let next = correction_after(status, action)
            .map_err(|c| StoreError::conflict(c.code, None, c.message))?;
        let actor = grant.actor();
        let name = actor_name(self, actor.user_id).await?;
        write_tx!(self, tx => {
            let changed = sqlx::query(
                "UPDATE corrections SET status = $2,
                    reply = CASE WHEN $3 THEN $4 ELSE reply END,
                    closed_at = CASE WHEN $2 = 'closed' THEN $5 ELSE closed_at END,
                    updated_at = $5
                 WHERE id = $1 AND status = $6",
            )
            .bind(id)
            .bind(next.code())
            .bind(action == CorrectionAction::Reply)
            .bind(note)
            .bind(now)
            .bind(status.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::conflict(
                    "correction.changed",
                    None,
                    "督办单刚被他人处理，请刷新后再试",
                ));
            }
            insert_correction_event!(tx, id, action.event(), actor.user_id, &name, note, now);
            if next == CorrectionStatus::Closed
                && let Some(v) = current.violation_id
            {
                sqlx::query(
                    "UPDATE violations SET status = 'corrected', resolution = $2, resolved_by = $3, resolved_at = $4
                     WHERE id = $1 AND status = 'open'",
                )
                .bind(v)
                .bind(format!("督办单 {id} 办结"))
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        self.correction(grant, id).await.map(|(c, _)| c)
    }
}

/// The name a user is shown with.
async fn actor_name(store: &Store, user_id: i64) -> Result<String> {
    let name: Option<String> = on_db!(store, pool => sqlx::query_scalar(
        "SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?);
    Ok(name.unwrap_or_default())
}
