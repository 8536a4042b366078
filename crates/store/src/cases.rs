//! Cases: the working calendar, case numbers, the hash-chained event trail,
//! the case projection, certificates and idempotency keys.
//!
//! Every change to a case runs in one write transaction that first takes the
//! head of the audit chain (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: the row
//! lock of `audit_head`), then reads the case, lets the domain decide, appends
//! the event with its chain hash and rewrites the projection row. A refused
//! action rolls everything back: nothing half-written.

use crate::writer::{ActJob, RawEvent, Saved, SubmitJob};
use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Actor, DepartmentScope, Grant, Permission, Role};
use domain::calendar::{DayKind, WorkCalendar};
use domain::case::{Action, Case, CaseStatus, Event};
use domain::supervision::{ViolationRule, WarningSettings, event_violations};
use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

// The helpers below run inside `write_tx!`, whose transaction has a different
// type per backend, so they are macros expanded once per branch.

/// Takes the chain head; on PostgreSQL the UPDATE holds its row lock until
/// commit, which serialises every writer of events.
macro_rules! lock_head {
    ($tx:ident) => {{
        let hash: String = sqlx::query_scalar(
            "UPDATE audit_head SET last_hash = last_hash WHERE id = 1 RETURNING last_hash",
        )
        .fetch_one(&mut *$tx)
        .await?;
        hash
    }};
}

/// Appends one event to the chain; evaluates to its `(id, hash)`. The caller
/// moves the head with [`move_head!`] before it commits.
macro_rules! insert_event {
    ($tx:ident, $prev:expr, $case_id:expr, $case_no:expr, $seq:expr, $event:expr, $payload:expr, $now:expr) => {{
        let event: &Event = $event;
        let hash = chain_hash($prev, $case_no, $seq, $payload);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO case_events (case_id, seq, kind, actor_user_id, actor_role, at, payload, prev_hash, hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind($case_id)
        .bind($seq)
        .bind(event.body.kind())
        .bind(event.actor.user_id.filter(|id| *id > 0))
        .bind(event.actor.role.map(|r| r.code()))
        .bind(event.at)
        .bind($payload)
        .bind($prev)
        .bind(&hash)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await?;
        (id, hash)
    }};
}

/// Moves the chain head to the last event a batch wrote (once per batch).
macro_rules! move_head {
    ($tx:ident, $event_id:expr, $hash:expr) => {{
        sqlx::query("UPDATE audit_head SET last_event_id = $1, last_hash = $2 WHERE id = 1")
            .bind($event_id)
            .bind($hash)
            .execute(&mut *$tx)
            .await?;
    }};
}

/// Rewrites the projection row from the folded state, and the case's watch.
macro_rules! update_projection {
    ($tx:ident, $record:expr, $watch:expr, $now:expr) => {{
        let r: &CaseRecord = $record;
        let watch: &domain::supervision::Watch = $watch;
        let state = serde_json::to_string(&r.case).map_err(json_error)?;
        sqlx::query(
            "UPDATE cases SET status = $1, accepted_at = $2, due_date = $3, concluded_at = $4,
                paused_working_days = $5, current_step = $6, event_count = $7, state = $8,
                updated_at = $9
             WHERE id = $10",
        )
        .bind(r.case.status.code())
        .bind(r.case.accepted_at)
        .bind(r.case.due_date)
        .bind(r.case.conclusion.as_ref().map(|c| c.at))
        .bind(i64::from(r.case.paused_working_days))
        .bind(current_step_name(&r.case))
        .bind(r.event_count)
        .bind(state)
        .bind($now)
        .bind(r.id)
        .execute(&mut *$tx)
        .await?;
        // The days it replaces, for the warning tallies (the audit head is
        // held: nobody else moves them meanwhile).
        let old = $crate::watches::read_watches!($tx, &[r.id]);
        let write = $crate::watches::WatchWrite {
            case_id: r.id,
            center_id: r.center_id,
            department_id: r.case.department_id(),
            input: domain::supervision::WatchInput::from(&r.case),
            watch: *watch,
        };
        $crate::watches::write_watches!($tx, &[write], &old, $now);
    }};
}

/// A violation seen while a case event is written.
#[derive(Debug)]
pub(crate) struct FoundViolation {
    pub case_id: i64,
    pub department_id: i64,
    pub rule: ViolationRule,
    pub detail: String,
    pub at: DateTime<Utc>,
}

impl FoundViolation {
    /// The violations an event shows by itself (see [`event_violations`]).
    pub(crate) fn of_event(record: &CaseRecord, event: &Event) -> Vec<FoundViolation> {
        event_violations(&record.case, &event.body)
            .into_iter()
            .map(|(rule, detail)| FoundViolation {
                case_id: record.id,
                department_id: record.case.department_id(),
                rule,
                detail,
                at: event.at,
            })
            .collect()
    }
}

/// Records the violations found in a batch, and flags 两头受理: each case
/// accepted in it (`accepted`: case ids) for which an earlier-accepted case of
/// the same applicant and item is still open.
macro_rules! record_violations {
    ($tx:ident, $found:expr, $accepted:expr, $now:expr) => {{
        let found: &[$crate::cases::FoundViolation] = $found;
        let accepted: &[i64] = $accepted;
        let now: DateTime<Utc> = $now;
        if !found.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO violations (department_id, case_id, rule, level, detail, occurred_at, occurred_on, created_at) ",
            );
            q.push_values(found, |mut b, v| {
                b.push_bind(v.department_id)
                    .push_bind(v.case_id)
                    .push_bind(v.rule.code())
                    .push_bind(v.rule.level().code())
                    .push_bind(&v.detail)
                    .push_bind(v.at)
                    .push_bind(domain::supervision::beijing_date(v.at))
                    .push_bind(v.at);
            });
            q.build().execute(&mut *$tx).await?;
        }
        if !accepted.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO violations (department_id, case_id, rule, level, detail, occurred_at, occurred_on, created_at)
                 SELECT a.department_id, a.id, 'accepted_twice', 'red',
                        '同一申请人的同一事项已有在办办件 ' || b.case_no || '，又重复受理', ",
            );
            q.push_bind(now)
                .push(", ")
                .push_bind(domain::supervision::beijing_date(now))
                .push(", ")
                .push_bind(now)
                .push(
                " FROM cases a JOIN cases b ON b.applicant_id_number = a.applicant_id_number
                    AND b.item_id = a.item_id AND b.id <> a.id
                  WHERE b.accepted_at IS NOT NULL
                    AND b.status IN ('accepted', 'awaiting_correction', 'suspended')
                    AND (b.accepted_at < a.accepted_at OR (b.accepted_at = a.accepted_at AND b.id < a.id))
                    AND a.id IN ",
            );
            q.push("(");
            {
                let mut list = q.separated(", ");
                for id in accepted {
                    list.push_bind(*id);
                }
            }
            q.push(")");
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

/// A key seen before: the same request replays, another request is refused.
/// Evaluates to `Ok(Some((case_no, status)))` for a replay, `Ok(None)` for a
/// new key and `Err` (a conflict) for a key reused with another request.
macro_rules! find_key {
    ($tx:ident, $k:expr) => {{
        let k: &IdempotencyKey = $k;
        let row: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE principal = $1 AND key = $2",
        )
        .bind(&k.principal)
        .bind(&k.key)
        .fetch_optional(&mut *$tx)
        .await?;
        match row {
            Some((hash, _, _)) if hash != k.request_hash => Err(StoreError::conflict(
                "idempotency.key_reused",
                Some("Idempotency-Key"),
                "该幂等键已用于另一个请求",
            )),
            Some((_, status, case_no)) => Ok(Some((case_no, status))),
            None => Ok(None),
        }
    }};
}

macro_rules! save_key {
    ($tx:ident, $k:expr, $case_no:expr, $status:expr, $now:expr) => {{
        let k: &IdempotencyKey = $k;
        sqlx::query(
            "INSERT INTO idempotency_keys (principal, key, request_hash, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&k.principal)
        .bind(&k.key)
        .bind(&k.request_hash)
        .bind($status as i64)
        .bind($case_no)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Records the uploaded files a case names (the bytes are already on disk).
macro_rules! record_files {
    ($tx:ident, $case_id:expr, $files:expr, $now:expr) => {{
        let files: &[(NewFile, String, String)] = $files;
        for (file, material, filename) in files {
            sqlx::query(
                "INSERT INTO stored_files (sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&file.sha256)
            .bind(file.size)
            .bind(&file.content_type)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
            sqlx::query(
                "INSERT INTO case_files (case_id, sha256, material, filename, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (case_id, sha256, material) DO NOTHING",
            )
            .bind($case_id)
            .bind(&file.sha256)
            .bind(material)
            .bind(filename)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

/// Keeps a concluded case's certificate in the library (电子证照库).
macro_rules! insert_certificate {
    ($tx:ident, $no:expr, $name:expr, $record:expr, $today:expr, $now:expr) => {{
        let record: &CaseRecord = $record;
        sqlx::query(
            "INSERT INTO certificates (certificate_no, name, holder_name, holder_id_number,
                department_id, case_id, issued_on, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($no)
        .bind($name)
        .bind(&record.case.applicant.name)
        .bind(&record.case.applicant.id_number)
        .bind(record.case.department_id())
        .bind(record.id)
        .bind($today)
        .bind($now)
        .execute(&mut *$tx)
        .await
        .map_err(StoreError::on_unique(
            "certificate.duplicate",
            "certificate_no",
            "该证照编号已存在于电子证照库",
        ))?;
    }};
}
pub(crate) use {
    find_key, insert_certificate, insert_event, lock_head, move_head, record_files,
    record_violations, save_key, update_projection,
};

/// The hash before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who is looking at cases: staff within a grant's departments, or an
/// applicant at their own cases only.
#[derive(Debug, Clone, Copy)]
pub enum CaseViewer<'a> {
    Staff(&'a Grant),
    Applicant(i64),
}

impl CaseViewer<'_> {
    fn can_see(&self, department_id: i64, applicant_user_id: Option<i64>) -> bool {
        match self {
            Self::Staff(g) => g.covers(department_id),
            Self::Applicant(id) => applicant_user_id == Some(*id),
        }
    }
}

/// A case as stored: its number, codes and folded state.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: i64,
    pub case_no: String,
    pub query_code: String,
    pub center_id: i64,
    pub event_count: i64,
    pub case: Case,
}

/// One event of the trail with its place in the chain.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub seq: i64,
    pub event: Event,
    pub hash: String,
}

/// A case as a write left it, with its whole trail (the new event last).
#[derive(Debug, Clone)]
pub struct CaseWrite {
    pub record: CaseRecord,
    pub events: Vec<StoredEvent>,
}

impl CaseWrite {
    /// The event the write appended.
    pub fn event(&self) -> &Event {
        &self
            .events
            .last()
            .expect("a write always appends an event")
            .event
    }
}

impl TryFrom<RawEvent> for StoredEvent {
    type Error = StoreError;
    fn try_from(r: RawEvent) -> Result<Self> {
        Ok(StoredEvent {
            id: r.id,
            seq: r.seq,
            event: serde_json::from_str(&r.payload)
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", r.id)))?,
            hash: r.hash,
        })
    }
}

/// Parses a writer's answer, on the caller's thread rather than the writer's.
fn parse_saved(w: Written<Saved>) -> Result<Written<CaseWrite>> {
    Ok(match w {
        Written::Done(Saved { record, trail }) => Written::Done(CaseWrite {
            record,
            events: trail
                .into_iter()
                .map(StoredEvent::try_from)
                .collect::<Result<_>>()?,
        }),
        Written::Replayed { case_no, status } => Written::Replayed { case_no, status },
    })
}

/// A row of a case list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseSummary {
    pub case_no: String,
    pub center_id: i64,
    pub department_id: i64,
    pub item_id: i64,
    pub item_name: String,
    pub case_kind: String,
    pub channel: String,
    pub status: String,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub submitted_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub current_step: String,
}

/// Filters for case lists; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub statuses: Vec<CaseStatus>,
    pub department_id: Option<i64>,
    /// Matches the case number, the applicant's name or the item name.
    pub text: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// An Idempotency-Key as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Who sent it: `user:12` or `anon`.
    pub principal: String,
    pub key: String,
    /// SHA-256 of method, path and body: a reused key with another request is refused.
    pub request_hash: String,
}

/// What a write did.
#[derive(Debug, Clone)]
pub enum Written<T> {
    Done(T),
    /// The Idempotency-Key was seen before with the same request: nothing was
    /// done again; here is the case it concerned.
    Replayed {
        case_no: String,
        status: i64,
    },
}

/// How `audit verify` found the trail.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    pub events: u64,
    pub cases: u64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone)]
pub struct BrokenLink {
    pub event_id: i64,
    pub case_no: String,
    pub seq: i64,
    pub reason: String,
}

/// A certificate in the library (电子证照库).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Certificate {
    pub certificate_no: String,
    pub name: String,
    pub holder_name: String,
    pub holder_id_number: String,
    pub department_id: i64,
    pub issued_on: NaiveDate,
}

/// A stored upload to record with a submission.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
}

/// Per center, what the case writer decides and watches with: the working
/// calendar and the warning thresholds. Read once, dropped when an admin edits
/// either.
#[derive(Debug, Clone, Default)]
pub(crate) struct CalendarCache {
    calendars: Arc<RwLock<HashMap<i64, Arc<WorkCalendar>>>>,
    warnings: Arc<RwLock<HashMap<i64, WarningSettings>>>,
    /// Settled days' case figures per department (`Store::daily_figures`):
    /// working days used depend on the calendar, so they go with it.
    pub(crate) days: crate::stats::DayFiguresCache,
    /// Ratings given on settled days per department (`Store::given_ratings`).
    pub(crate) rating_days: crate::stats::SettledDays<crate::ratings::DayRatings>,
}

/// A center's stored calendar days, as [`CalendarCache::insert`] takes them.
pub(crate) const CALENDAR_SQL: &str =
    "SELECT day, kind, note FROM calendar_days WHERE center_id = $1 ORDER BY day";

/// A center's stored thresholds, as [`CalendarCache::insert_warnings`] takes them.
pub(crate) const WARNINGS_SQL: &str =
    "SELECT yellow_working_days, yellow_permille FROM supervision_settings WHERE center_id = $1";

impl CalendarCache {
    pub(crate) fn get(&self, center_id: i64) -> Option<Arc<WorkCalendar>> {
        self.calendars
            .read()
            .expect("calendar cache poisoned")
            .get(&center_id)
            .cloned()
    }

    /// Builds a center's calendar from its stored days and keeps it.
    pub(crate) fn insert(
        &self,
        center_id: i64,
        rows: Vec<(NaiveDate, String, String)>,
    ) -> Result<Arc<WorkCalendar>> {
        let mut cal = WorkCalendar::new();
        for (day, kind, note) in rows {
            let kind = DayKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("calendar day kind {kind}")))?;
            cal.set(day, kind, note);
        }
        let cal = Arc::new(cal);
        self.calendars
            .write()
            .expect("calendar cache poisoned")
            .insert(center_id, cal.clone());
        Ok(cal)
    }

    pub(crate) fn warnings(&self, center_id: i64) -> Option<WarningSettings> {
        self.warnings
            .read()
            .expect("settings cache poisoned")
            .get(&center_id)
            .copied()
    }

    /// Keeps a center's thresholds as stored (the defaults when there is no row).
    pub(crate) fn insert_warnings(
        &self,
        center_id: i64,
        row: Option<(i64, i64)>,
    ) -> Result<WarningSettings> {
        let settings = match row {
            None => WarningSettings::default(),
            Some((days, permille)) => WarningSettings {
                yellow_working_days: u32::try_from(days)
                    .map_err(|_| StoreError::Corrupt(format!("yellow_working_days {days}")))?,
                yellow_permille: u32::try_from(permille)
                    .map_err(|_| StoreError::Corrupt(format!("yellow_permille {permille}")))?,
            },
        };
        self.warnings
            .write()
            .expect("settings cache poisoned")
            .insert(center_id, settings);
        Ok(settings)
    }

    pub(crate) fn forget(&self, center_id: i64) {
        self.days.forget(center_id);
        self.calendars
            .write()
            .expect("calendar cache poisoned")
            .remove(&center_id);
        self.warnings
            .write()
            .expect("settings cache poisoned")
            .remove(&center_id);
    }
}

/// A center's calendar and thresholds inside a transaction: from the cache,
/// or read and cached. Evaluates to `Result<(Arc<WorkCalendar>, WarningSettings)>`.
macro_rules! center_rules {
    ($tx:ident, $cache:expr, $center_id:expr) => {{
        let cache: &$crate::cases::CalendarCache = $cache;
        let center_id: i64 = $center_id;
        async {
            let calendar = match cache.get(center_id) {
                Some(c) => c,
                None => {
                    let rows: Vec<(chrono::NaiveDate, String, String)> =
                        sqlx::query_as($crate::cases::CALENDAR_SQL)
                            .bind(center_id)
                            .fetch_all(&mut *$tx)
                            .await?;
                    cache.insert(center_id, rows)?
                }
            };
            let warnings = match cache.warnings(center_id) {
                Some(w) => w,
                None => {
                    let row: Option<(i64, i64)> = sqlx::query_as($crate::cases::WARNINGS_SQL)
                        .bind(center_id)
                        .fetch_optional(&mut *$tx)
                        .await?;
                    cache.insert_warnings(center_id, row)?
                }
            };
            Ok::<_, $crate::StoreError>((calendar, warnings))
        }
        .await
    }};
}
pub(crate) use center_rules;

pub(crate) const CASE_COLUMNS: &str = "id, case_no, query_code, center_id, event_count, state";

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    case_no: String,
    query_code: String,
    center_id: i64,
    event_count: i64,
    state: String,
}

impl TryFrom<CaseRow> for CaseRecord {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self> {
        let case = serde_json::from_str(&r.state)
            .map_err(|e| StoreError::Corrupt(format!("case {} state: {e}", r.case_no)))?;
        Ok(CaseRecord {
            id: r.id,
            case_no: r.case_no,
            query_code: r.query_code,
            center_id: r.center_id,
            event_count: r.event_count,
            case,
        })
    }
}

/// The chain hash of one event.
pub fn chain_hash(prev_hash: &str, case_no: &str, seq: i64, payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(case_no.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(payload.as_bytes());
    hex::encode(h.finalize())
}

impl Store {
    // ------------------------------------------------------------ calendar

    /// The working calendar of a center: weekends plus its stored days.
    pub async fn calendar(&self, center_id: i64) -> Result<Arc<WorkCalendar>> {
        if let Some(c) = self.calendars.get(center_id) {
            return Ok(c);
        }
        let rows: Vec<(NaiveDate, String, String)> = on_db!(self, pool => sqlx::query_as(CALENDAR_SQL)
        .bind(center_id)
        .fetch_all(pool)
        .await?);
        self.calendars.insert(center_id, rows)
    }

    /// Stores the official 2025/2026 days for a center that has none yet.
    pub async fn ensure_official_calendar(&self, center_id: i64, now: DateTime<Utc>) -> Result<()> {
        let official = WorkCalendar::with_official();
        let days: Vec<(NaiveDate, DayKind, String)> = official
            .overrides()
            .map(|(d, o)| (d, o.kind, o.note.clone()))
            .collect();
        write_tx!(self, tx => {
            let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_days WHERE center_id = $1")
                .bind(center_id)
                .fetch_one(&mut *tx)
                .await?;
            if have == 0 {
                for (day, kind, note) in &days {
                    sqlx::query(
                        "INSERT INTO calendar_days (center_id, day, kind, note, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $5)",
                    )
                    .bind(center_id)
                    .bind(*day)
                    .bind(kind.code())
                    .bind(note)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        });
        self.forget_calendar(center_id);
        self.rewatch(Some(center_id)).await?;
        Ok(())
    }

    /// Sets (or with `None`, returns to the weekend rule) the kind of some days.
    pub async fn set_calendar_days(
        &self,
        grant: &Grant,
        center_id: i64,
        days: &[(NaiveDate, Option<DayKind>, String)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if grant.permission() != Permission::ManageCalendar {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                "没有编辑工作日历的权限",
            ));
        }
        write_tx!(self, tx => {
            for (day, kind, note) in days {
                match kind {
                    Some(kind) => {
                        sqlx::query(
                            "INSERT INTO calendar_days (center_id, day, kind, note, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $5)
                             ON CONFLICT (center_id, day) DO UPDATE SET kind = $3, note = $4, updated_at = $5",
                        )
                        .bind(center_id)
                        .bind(*day)
                        .bind(kind.code())
                        .bind(note)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM calendar_days WHERE center_id = $1 AND day = $2")
                            .bind(center_id)
                            .bind(*day)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
        });
        self.forget_calendar(center_id);
        self.rewatch(Some(center_id)).await?;
        Ok(())
    }

    fn forget_calendar(&self, center_id: i64) {
        self.calendars.forget(center_id);
    }

    /// Sets the letters of a center's case numbers.
    pub async fn set_case_prefix(&self, center_id: i64, prefix: &str) -> Result<()> {
        on_db!(self, pool => {
            sqlx::query("UPDATE centers SET case_prefix = $1 WHERE id = $2")
                .bind(prefix)
                .bind(center_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    // ------------------------------------------------------------ writing

    /// Records a new case from its submission event. The case number is
    /// `PREFIX-YYYYMMDD-NNNNN`, counted per center and day inside the
    /// transaction so two submissions never share a number. Answers once the
    /// commit is durable.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit_case(
        &self,
        center_id: i64,
        today: NaiveDate,
        query_code: &str,
        event: &Event,
        files: &[(NewFile, String, String)],
        idem: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
    ) -> Result<Written<CaseWrite>> {
        let case = Case::start(event)
            .ok_or_else(|| StoreError::Corrupt("the first event must be a submission".into()))?;
        self.check_cited_certificates(&case).await?;
        let job = SubmitJob {
            state: serde_json::to_string(&case).map_err(json_error)?,
            payload: serde_json::to_string(event).map_err(json_error)?,
            case,
            center_id,
            today,
            query_code: query_code.to_string(),
            event: event.clone(),
            files: files.to_vec(),
            idem: idem.cloned(),
            now,
        };
        parse_saved(self.writer.submit(job).await?)
    }

    /// Takes an action on a case: the domain decides, the event is chained and
    /// the projection rewritten, all in one transaction. A case outside the
    /// viewer's reach is "not found", so other departments' numbers leak nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn act_on_case(
        &self,
        grant: &Grant,
        actor_name: &str,
        case_no: &str,
        action: Action,
        files: &[(NewFile, String, String)],
        idem: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Written<CaseWrite>> {
        if grant.permission() != Permission::HandleCases {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                "没有办理办件的权限",
            ));
        }
        self.act(
            grant.actor(),
            Some(grant.scope()),
            actor_name,
            case_no,
            action,
            files,
            idem,
            now,
            today,
        )
        .await
    }

    /// An applicant acting on their own case (corrections, promised materials).
    #[allow(clippy::too_many_arguments)]
    pub async fn applicant_act(
        &self,
        actor: &Actor,
        actor_name: &str,
        case_no: &str,
        action: Action,
        files: &[(NewFile, String, String)],
        idem: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Written<CaseWrite>> {
        if actor.role != Role::Applicant {
            return Err(StoreError::NotFound);
        }
        self.act(
            actor, None, actor_name, case_no, action, files, idem, now, today,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn act(
        &self,
        actor: &Actor,
        scope: Option<DepartmentScope>,
        actor_name: &str,
        case_no: &str,
        action: Action,
        files: &[(NewFile, String, String)],
        idem: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Written<CaseWrite>> {
        let job = ActJob {
            actor: actor.clone(),
            scope,
            actor_name: actor_name.to_string(),
            case_no: case_no.to_string(),
            action,
            files: files.to_vec(),
            idem: idem.cloned(),
            now,
            today,
        };
        parse_saved(self.writer.act(job).await?)
    }

    // ------------------------------------------------------------ reading

    /// A case the viewer may see; `NotFound` otherwise.
    pub async fn case_by_no(&self, viewer: CaseViewer<'_>, case_no: &str) -> Result<CaseRecord> {
        let record = self.case_record(case_no).await?;
        if viewer.can_see(record.case.department_id(), record.case.applicant_user_id) {
            Ok(record)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The public inquiry: the case only for the right query code.
    pub async fn case_for_inquiry(&self, case_no: &str, query_code: &str) -> Result<CaseRecord> {
        let record = self.case_record(case_no).await?;
        if constant_time_eq(record.query_code.as_bytes(), query_code.trim().as_bytes()) {
            Ok(record)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// A case by number without an access check: for callers that already
    /// know the caller may see it (an idempotent replay of their own request).
    pub async fn case_record(&self, case_no: &str) -> Result<CaseRecord> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_no = $1");
        let row: Option<CaseRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(case_no)
            .fetch_optional(pool)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// The trail of a case, oldest first.
    pub async fn case_events(&self, case_id: i64) -> Result<Vec<StoredEvent>> {
        let rows: Vec<RawEvent> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, seq, payload, hash FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(StoredEvent::try_from).collect()
    }

    /// Cases the viewer may see, newest first, with the total.
    pub async fn list_cases(
        &self,
        viewer: CaseViewer<'_>,
        filter: &CaseFilter,
    ) -> Result<(Vec<CaseSummary>, i64)> {
        let CaseWhere {
            where_sql,
            ints,
            texts,
        } = case_where(viewer, filter);
        let count_sql = format!("SELECT COUNT(*) FROM cases {where_sql}");
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases {where_sql} ORDER BY submitted_at DESC, id DESC LIMIT {} OFFSET {}",
            filter.limit.clamp(1, 500),
            filter.offset.max(0)
        );
        let (rows, total) = on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, CaseSummary>(AssertSqlSafe(list_sql.as_str()));
            let mut c = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str()));
            for i in &ints {
                q = q.bind(*i);
                c = c.bind(*i);
            }
            for t in &texts {
                q = q.bind(t.clone());
                c = c.bind(t.clone());
            }
            (q.fetch_all(pool).await?, c.fetch_one(pool).await?)
        });
        Ok((rows, total))
    }

    /// Like [`Store::list_cases`] (without the count), with each case's
    /// folded state: for lists that show what only the state knows (the
    /// current step, a pending extension), in one query.
    pub async fn list_case_records(
        &self,
        viewer: CaseViewer<'_>,
        filter: &CaseFilter,
    ) -> Result<Vec<(CaseSummary, CaseRecord)>> {
        let CaseWhere {
            where_sql,
            ints,
            texts,
        } = case_where(viewer, filter);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, id, query_code, event_count, state
             FROM cases {where_sql} ORDER BY submitted_at DESC, id DESC LIMIT {} OFFSET {}",
            filter.limit.clamp(1, 500),
            filter.offset.max(0)
        );
        let rows: Vec<SummaryWithState> = on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, SummaryWithState>(AssertSqlSafe(sql.as_str()));
            for i in &ints {
                q = q.bind(*i);
            }
            for t in &texts {
                q = q.bind(t.clone());
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| {
                let record = CaseRecord::try_from(CaseRow {
                    id: r.id,
                    case_no: r.summary.case_no.clone(),
                    query_code: r.query_code,
                    center_id: r.summary.center_id,
                    event_count: r.event_count,
                    state: r.state,
                })?;
                Ok((r.summary, record))
            })
            .collect()
    }

    /// Whether a stored file belongs to a case the viewer may see.
    pub async fn file_visible(
        &self,
        viewer: CaseViewer<'_>,
        sha256: &str,
    ) -> Result<Option<(String, String)>> {
        let rows: Vec<(i64, Option<i64>, String, String)> = on_db!(self, pool => sqlx::query_as(
            "SELECT c.department_id, c.applicant_user_id, f.filename, s.content_type
             FROM case_files f JOIN cases c ON c.id = f.case_id JOIN stored_files s ON s.sha256 = f.sha256
             WHERE f.sha256 = $1",
        )
        .bind(sha256)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .find(|(d, u, _, _)| viewer.can_see(*d, *u))
            .map(|(_, _, name, ty)| (name, ty)))
    }

    /// A certificate by number, for citing it in a new application.
    pub async fn certificate(&self, certificate_no: &str) -> Result<Option<Certificate>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT certificate_no, name, holder_name, holder_id_number, department_id, issued_on
             FROM certificates WHERE certificate_no = $1",
        )
        .bind(certificate_no.trim())
        .fetch_optional(pool)
        .await?))
    }

    /// Certificates held by one person or organisation.
    pub async fn certificates_of(&self, holder_id_number: &str) -> Result<Vec<Certificate>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT certificate_no, name, holder_name, holder_id_number, department_id, issued_on
             FROM certificates WHERE holder_id_number = $1 ORDER BY issued_on DESC, id DESC",
        )
        .bind(holder_id_number)
        .fetch_all(pool)
        .await?))
    }

    /// A cited certificate must exist, belong to the applicant and be the material it stands for.
    async fn check_cited_certificates(&self, case: &Case) -> Result<()> {
        let mut e = domain::ValidationErrors::default();
        for (i, m) in case.materials.iter().enumerate() {
            let Some(no) = &m.certificate_no else {
                continue;
            };
            let field = format!("materials[{i}].certificate_no");
            match self.certificate(no).await? {
                None => e.add(
                    "case.certificate_not_found",
                    field,
                    format!("电子证照库中没有编号为“{no}”的证照"),
                ),
                Some(c) if c.holder_id_number != case.applicant.id_number => e.add(
                    "case.certificate_not_yours",
                    field,
                    format!("证照“{no}”的持证人不是本申请人"),
                ),
                Some(c) if !m.name.contains(&c.name) && !c.name.contains(&m.name) => e.add(
                    "case.certificate_mismatch",
                    field,
                    format!("证照“{no}”是{}，不能作为“{}”", c.name, m.name),
                ),
                Some(_) => {}
            }
        }
        e.into_result(()).map_err(StoreError::Invalid)
    }

    // ------------------------------------------------------------ audit

    /// Recomputes the whole chain and every case's fold; reports the first break.
    pub async fn verify_audit(&self, mut progress: impl FnMut(u64, u64)) -> Result<AuditReport> {
        let total: i64 = on_db!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM case_events").fetch_one(pool).await?);
        let total = total as u64;
        let mut report = AuditReport::default();
        let mut prev = GENESIS_HASH.to_string();
        let mut after = 0i64;
        // Chain order: by event id, in pages.
        loop {
            let rows: Vec<(i64, String, i64, String, String, String)> = on_db!(self, pool => sqlx::query_as(
                "SELECT e.id, c.case_no, e.seq, e.payload, e.prev_hash, e.hash
                 FROM case_events e JOIN cases c ON c.id = e.case_id
                 WHERE e.id > $1 ORDER BY e.id LIMIT 2000",
            )
            .bind(after)
            .fetch_all(pool)
            .await?);
            if rows.is_empty() {
                break;
            }
            for (id, case_no, seq, payload, prev_hash, hash) in rows {
                after = id;
                report.events += 1;
                let broken = |reason: String| BrokenLink {
                    event_id: id,
                    case_no: case_no.clone(),
                    seq,
                    reason,
                };
                if prev_hash != prev {
                    report.broken = Some(broken(format!(
                        "prev_hash {prev_hash} does not match the hash of the event before ({prev})"
                    )));
                    return Ok(report);
                }
                let expect = chain_hash(&prev, &case_no, seq, &payload);
                if expect != hash {
                    report.broken = Some(broken(format!(
                        "stored hash {hash} differs from the recomputed {expect}: the event was changed"
                    )));
                    return Ok(report);
                }
                prev = hash;
                progress(report.events, total);
            }
        }
        let head: String = on_db!(self, pool => sqlx::query_scalar("SELECT last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await?);
        if head != prev {
            report.broken = Some(BrokenLink {
                event_id: after,
                case_no: String::new(),
                seq: 0,
                reason: format!(
                    "the chain ends at {prev} but the head records {head}: events were removed"
                ),
            });
            return Ok(report);
        }
        // Every case's stored state must be the fold of its events.
        let mut after = 0i64;
        loop {
            let cases: Vec<(i64, String, String, String, i64)> = on_db!(self, pool => sqlx::query_as(
                "SELECT id, case_no, status, state, event_count FROM cases WHERE id > $1 ORDER BY id LIMIT 500",
            )
            .bind(after)
            .fetch_all(pool)
            .await?);
            if cases.is_empty() {
                break;
            }
            for (id, case_no, status, state, event_count) in cases {
                after = id;
                report.cases += 1;
                let events = self.case_events(id).await?;
                let mismatch = |reason: String| BrokenLink {
                    event_id: events.last().map(|e| e.id).unwrap_or_default(),
                    case_no: case_no.clone(),
                    seq: events.len() as i64,
                    reason,
                };
                let folded = Case::replay(events.iter().map(|e| &e.event));
                let stored: Option<Case> = serde_json::from_str(&state).ok();
                let ok = folded.is_some()
                    && folded == stored
                    && folded.as_ref().map(|c| c.status.code()) == Some(status.as_str())
                    && events.len() as i64 == event_count
                    && events
                        .iter()
                        .enumerate()
                        .all(|(i, e)| e.seq == i as i64 + 1);
                if !ok {
                    report.broken = Some(mismatch(
                        "the case's stored state is not the result of its events".into(),
                    ));
                    return Ok(report);
                }
            }
        }
        Ok(report)
    }
}

// ---------------------------------------------------------------- helpers

pub(crate) fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("serialising: {e}"))
}

pub(crate) fn current_step_name(case: &Case) -> String {
    match case.status {
        CaseStatus::Accepted => case
            .current_step()
            .map(|n| case.steps[n - 1].name.clone())
            .unwrap_or_default(),
        other => other.label().to_string(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The columns of a [`CaseSummary`].
const SUMMARY_COLUMNS: &str = "case_no, center_id, department_id, item_id, item_name, case_kind, channel, status,
    applicant_name, applicant_id_number, submitted_at, accepted_at, due_date, concluded_at, current_step";

#[derive(sqlx::FromRow)]
struct SummaryWithState {
    #[sqlx(flatten)]
    summary: CaseSummary,
    id: i64,
    query_code: String,
    event_count: i64,
    state: String,
}

/// The WHERE clause of a case list and its binds: the viewer's reach, then the filter.
struct CaseWhere {
    where_sql: String,
    ints: Vec<i64>,
    texts: Vec<String>,
}

fn case_where(viewer: CaseViewer<'_>, filter: &CaseFilter) -> CaseWhere {
    let mut wheres: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    // Placeholders are numbered in bind order: ints first, then texts.
    match viewer {
        CaseViewer::Staff(g) => {
            if let Some(d) = g.scope().department() {
                ints.push(d);
                wheres.push(format!("department_id = ${}", ints.len()));
            }
        }
        CaseViewer::Applicant(user_id) => {
            ints.push(user_id);
            wheres.push(format!("applicant_user_id = ${}", ints.len()));
        }
    }
    if let Some(d) = filter.department_id {
        ints.push(d);
        wheres.push(format!("department_id = ${}", ints.len()));
    }
    let base = ints.len();
    if !filter.statuses.is_empty() {
        let mut marks = Vec::new();
        for s in &filter.statuses {
            texts.push(s.code().to_string());
            marks.push(format!("${}", base + texts.len()));
        }
        wheres.push(format!("status IN ({})", marks.join(", ")));
    }
    if let Some(t) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = format!(
            "%{}%",
            t.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        texts.push(pattern);
        let n = base + texts.len();
        wheres.push(format!(
            "(case_no LIKE ${n} ESCAPE '\\' OR applicant_name LIKE ${n} ESCAPE '\\' OR item_name LIKE ${n} ESCAPE '\\')"
        ));
    }
    let where_sql = if wheres.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", wheres.join(" AND "))
    };
    CaseWhere {
        where_sql,
        ints,
        texts,
    }
}
