//! The fast path: a whole batch in a fixed handful of statements.
//!
//! 1. Read: the chain head, the cases the batch acts on (`… WHERE case_no IN
//!    (…)`) and their trails (`… WHERE case_id IN (…)`).
//! 2. Decide every job in order, in memory: a refused job is answered with
//!    its error and writes nothing; two actions on one case see each other.
//! 3. Write: one sequence bump per center and day for the new case numbers,
//!    the chain hashes in job order, one multi-row `INSERT` of the new cases,
//!    one upsert of the acted-on cases' projections, one multi-row `INSERT`
//!    of the events, then the head. Files, certificates and idempotency keys,
//!    which few jobs carry, are written per job.
//!
//! Anything unexpected (a database error, event ids out of chain order, a
//! key used twice in the batch) gives up with a [`Fallback`]: the caller
//! rolls back and runs the batch on the safe path instead.

use super::{Conn, Done, Job, RawEvent, Saved, SubmitJob, case_no, certificate_taken};
use crate::StoreError;
use crate::cases::{
    CASE_COLUMNS, CalendarCache, CaseRecord, CaseRow, FoundViolation, IdempotencyKey, NewFile,
    Written, center_rules, chain_hash, find_key, insert_certificate, json_error, lock_head,
    move_head, record_files, record_violations, save_key,
};
use crate::watches::{WatchWrite, read_watches, write_watches};
use chrono::{DateTime, NaiveDate, Utc};
use domain::case::{Context, Event, EventActor, EventBody};
use domain::supervision::{Watch, WatchInput, watch};
use sqlx::QueryBuilder;
use std::collections::{HashMap, HashSet};

/// Why the fast path gave up; the batch then runs on the safe path.
#[derive(Debug)]
pub(super) struct Fallback(String);

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<StoreError> for Fallback {
    fn from(e: StoreError) -> Self {
        Fallback(e.to_string())
    }
}

impl From<sqlx::Error> for Fallback {
    fn from(e: sqlx::Error) -> Self {
        Fallback(e.to_string())
    }
}

/// A job that will write, decided before anything is written.
// Plans live for one batch and each moves once into an answer: boxing the
// larger variant would only add an allocation per job.
#[allow(clippy::large_enum_variant)]
enum Plan<'b> {
    Submit {
        job: &'b SubmitJob,
        prefix: String,
    },
    Act {
        job: &'b super::ActJob,
        /// The case as this job leaves it.
        record: CaseRecord,
        event: Event,
        payload: String,
    },
}

impl Plan<'_> {
    fn payload(&self) -> &str {
        match self {
            Plan::Submit { job, .. } => &job.payload,
            Plan::Act { payload, .. } => payload,
        }
    }
}

/// A planned event's place: its case, number in the case and chain link.
struct Link {
    case_no: String,
    seq: i64,
    prev: String,
    hash: String,
}

/// The columns a projection row is written with, in [`push_case_row!`]'s order.
pub(super) const CASE_INSERT: &str =
    "INSERT INTO cases (case_no, query_code, center_id, department_id,
    item_id, item_version_id, item_name, case_kind, channel, status, applicant_name,
    applicant_id_number, applicant_user_id, submitted_at, accepted_at, due_date, concluded_at,
    paused_working_days, current_step, event_count, state, created_at, updated_at) ";

/// What an upsert of an existing case may change.
const CASE_UPSERT: &str = " ON CONFLICT (case_no) DO UPDATE SET status = excluded.status,
    accepted_at = excluded.accepted_at, due_date = excluded.due_date,
    concluded_at = excluded.concluded_at, paused_working_days = excluded.paused_working_days,
    current_step = excluded.current_step, event_count = excluded.event_count,
    state = excluded.state, updated_at = excluded.updated_at";

/// Binds one projection row (23 values) into a `push_values` tuple.
macro_rules! push_case_row {
    ($b:ident, $case_no:expr, $query_code:expr, $center_id:expr, $case:expr, $event_count:expr, $state:expr, $now:expr) => {{
        let case: &domain::case::Case = $case;
        let now: chrono::DateTime<chrono::Utc> = $now;
        $b.push_bind($case_no)
            .push_bind($query_code)
            .push_bind($center_id)
            .push_bind(case.item.department_id)
            .push_bind(case.item.item_id)
            .push_bind(case.item.version_id)
            .push_bind(&case.item.name)
            .push_bind(case.item.case_kind.code())
            .push_bind(case.channel.code())
            .push_bind(case.status.code())
            .push_bind(&case.applicant.name)
            .push_bind(&case.applicant.id_number)
            .push_bind(case.applicant_user_id)
            .push_bind(case.submitted_at)
            .push_bind(case.accepted_at)
            .push_bind(case.due_date)
            .push_bind(case.conclusion.as_ref().map(|c| c.at))
            .push_bind(i64::from(case.paused_working_days))
            .push_bind($crate::cases::current_step_name(case))
            .push_bind($event_count)
            .push_bind($state)
            .push_bind(now)
            .push_bind(now);
    }};
}
pub(super) use push_case_row;

/// `(v1, v2, …)` of bound values after an `IN `.
macro_rules! push_list {
    ($q:ident, $values:expr) => {{
        $q.push("(");
        {
            let mut s = $q.separated(", ");
            for v in $values {
                s.push_bind(v);
            }
        }
        $q.push(")");
    }};
}

macro_rules! run_batch {
    ($begin:expr, $db:ty, $batch:expr, $calendars:expr) => {{
        let batch: &[Job] = $batch;
        let calendars: &CalendarCache = $calendars;
        async {
            let mut tx = $begin?;
            let head: String = lock_head!(tx);

            // 1. The cases acted on and their trails.
            let mut nos: Vec<&str> = batch
                .iter()
                .filter_map(|j| match j {
                    Job::Act(a, _) => Some(a.case_no.as_str()),
                    Job::Submit(..) => None,
                })
                .collect();
            nos.sort_unstable();
            nos.dedup();
            let mut records: HashMap<String, CaseRecord> = HashMap::with_capacity(nos.len());
            if !nos.is_empty() {
                let mut q = QueryBuilder::<$db>::new(format!(
                    "SELECT {CASE_COLUMNS} FROM cases WHERE case_no IN "
                ));
                push_list!(q, nos.iter().copied());
                let rows: Vec<CaseRow> = q
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                for row in rows {
                    let r = CaseRecord::try_from(row)?;
                    records.insert(r.case_no.clone(), r);
                }
            }
            // The days their watches hold now, for the warning tallies.
            let ids: Vec<i64> = records.values().map(|r| r.id).collect();
            let old_watches = read_watches!(tx, &ids);
            let mut trails: HashMap<i64, Vec<RawEvent>> = HashMap::with_capacity(records.len());
            if !records.is_empty() {
                let mut q = QueryBuilder::<$db>::new(
                    "SELECT case_id, id, seq, payload, hash FROM case_events WHERE case_id IN ",
                );
                push_list!(q, records.values().map(|r| r.id));
                q.push(" ORDER BY case_id, seq");
                let rows: Vec<(i64, i64, i64, String, String)> = q
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                for (case_id, id, seq, payload, hash) in rows {
                    trails.entry(case_id).or_default().push(RawEvent {
                        id,
                        seq,
                        payload,
                        hash,
                    });
                }
            }

            // 2. Decide every job, in order.
            let mut done: Vec<Option<Done>> = batch.iter().map(|_| None).collect();
            let mut plans: Vec<(usize, Plan<'_>)> = Vec::with_capacity(batch.len());
            let mut keys: HashSet<(&str, &str)> = HashSet::new();
            let mut certificates: HashSet<String> = HashSet::new();
            let mut prefixes: HashMap<i64, String> = HashMap::new();
            // The thresholds each acted-on case ends the batch with, what it broke.
            let mut watches: HashMap<String, Watch> = HashMap::new();
            let mut found: Vec<FoundViolation> = Vec::new();
            let mut accepted: Vec<i64> = Vec::new();
            for (i, job) in batch.iter().enumerate() {
                if let Some(k) = job.idem() {
                    let k: &IdempotencyKey = k;
                    if !keys.insert((k.principal.as_str(), k.key.as_str())) {
                        return Err(Fallback("one Idempotency-Key twice in a batch".into()));
                    }
                    match find_key!(tx, k) {
                        Err(e) => {
                            done[i] = Some(Err(e));
                            continue;
                        }
                        Ok(Some((case_no, status))) => {
                            done[i] = Some(Ok(Written::Replayed { case_no, status }));
                            continue;
                        }
                        Ok(None) => {}
                    }
                }
                match job {
                    Job::Submit(j, _) => {
                        let prefix = match prefixes.get(&j.center_id) {
                            Some(p) => p.clone(),
                            None => {
                                let p: Option<String> = sqlx::query_scalar(
                                    "SELECT case_prefix FROM centers WHERE id = $1",
                                )
                                .bind(j.center_id)
                                .fetch_optional(&mut *tx)
                                .await?;
                                let Some(p) = p else {
                                    done[i] = Some(Err(StoreError::NotFound));
                                    continue;
                                };
                                prefixes.insert(j.center_id, p.clone());
                                p
                            }
                        };
                        plans.push((i, Plan::Submit { job: j, prefix }));
                    }
                    Job::Act(j, _) => {
                        let Some(record) = records.get_mut(&j.case_no) else {
                            done[i] = Some(Err(StoreError::NotFound));
                            continue;
                        };
                        let visible = match j.scope {
                            Some(scope) => scope.covers(record.case.department_id()),
                            None => record.case.applicant_user_id == Some(j.actor.user_id),
                        };
                        if !visible {
                            done[i] = Some(Err(StoreError::NotFound));
                            continue;
                        }
                        // These only change by an admin's edit, which drops the cached copy.
                        let (calendar, warnings) = center_rules!(tx, calendars, record.center_id)?;
                        let cx = Context {
                            actor: &j.actor,
                            actor_name: &j.actor_name,
                            now: j.now,
                            today: j.today,
                            calendar: &calendar,
                        };
                        let body = match record.case.decide(j.action.clone(), &cx) {
                            Ok(body) => body,
                            Err(e) => {
                                done[i] = Some(Err(StoreError::Case(e)));
                                continue;
                            }
                        };
                        let event = Event {
                            at: j.now,
                            actor: EventActor::of(&j.actor, &j.actor_name),
                            body,
                        };
                        if let Some((no, _)) = event.body.certificate() {
                            let taken: Option<i64> = sqlx::query_scalar(
                                "SELECT id FROM certificates WHERE certificate_no = $1",
                            )
                            .bind(no)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if taken.is_some() || !certificates.insert(no.to_string()) {
                                done[i] = Some(Err(certificate_taken()));
                                continue;
                            }
                        }
                        let payload = serde_json::to_string(&event).map_err(json_error)?;
                        record.case = record.case.clone().apply(&event);
                        record.event_count += 1;
                        watches.insert(
                            record.case_no.clone(),
                            watch(&WatchInput::from(&record.case), &calendar, &warnings),
                        );
                        found.extend(FoundViolation::of_event(record, &event));
                        if matches!(event.body, EventBody::Accepted { .. }) {
                            accepted.push(record.id);
                        }
                        let record = record.clone();
                        plans.push((
                            i,
                            Plan::Act {
                                job: j,
                                record,
                                event,
                                payload,
                            },
                        ));
                    }
                }
            }

            // 3. Case numbers: one bump per center and day.
            let mut groups: Vec<((i64, NaiveDate), i64, DateTime<Utc>)> = Vec::new();
            for (_, p) in &plans {
                if let Plan::Submit { job, .. } = p {
                    let key = (job.center_id, job.today);
                    match groups.iter_mut().find(|g| g.0 == key) {
                        Some(g) => g.1 += 1,
                        None => groups.push((key, 1, job.now)),
                    }
                }
            }
            let mut next: HashMap<(i64, NaiveDate), i64> = HashMap::with_capacity(groups.len());
            for ((center_id, day), count, now) in groups {
                let (last,): (i64,) = sqlx::query_as(
                    "INSERT INTO case_sequences (center_id, day, last_value, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (center_id, day) DO UPDATE SET last_value = case_sequences.last_value + excluded.last_value
                     RETURNING last_value",
                )
                .bind(center_id)
                .bind(day)
                .bind(count)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                next.insert((center_id, day), last - count + 1);
            }

            // The chain, in job order.
            let mut prev = head;
            let mut links: Vec<Link> = Vec::with_capacity(plans.len());
            for (_, p) in &plans {
                let (no, seq) = match p {
                    Plan::Submit { job, prefix } => {
                        let n = next
                            .get_mut(&(job.center_id, job.today))
                            .expect("every submission's day was counted");
                        let no = case_no(prefix, job.today, *n);
                        *n += 1;
                        (no, 1)
                    }
                    Plan::Act { record, .. } => (record.case_no.clone(), record.event_count),
                };
                let hash = chain_hash(&prev, &no, seq, p.payload());
                let prev_hash = std::mem::replace(&mut prev, hash.clone());
                links.push(Link {
                    case_no: no,
                    seq,
                    prev: prev_hash,
                    hash,
                });
            }

            // 4. The new cases, in one statement.
            let mut new_ids: HashMap<String, i64> = HashMap::new();
            let new_cases: Vec<(&SubmitJob, &str)> = plans
                .iter()
                .zip(&links)
                .filter_map(|((_, p), l)| match p {
                    Plan::Submit { job, .. } => Some((*job, l.case_no.as_str())),
                    Plan::Act { .. } => None,
                })
                .collect();
            if !new_cases.is_empty() {
                let mut q = QueryBuilder::<$db>::new(CASE_INSERT);
                q.push_values(&new_cases, |mut b, (j, no)| {
                    // A submission's clock does not run yet: nothing to watch.
                    push_case_row!(b, *no, &j.query_code, j.center_id, &j.case, 1i64, &j.state, j.now);
                });
                q.push(" RETURNING id, case_no");
                let rows: Vec<(i64, String)> = q
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                if rows.len() != new_cases.len() {
                    return Err(Fallback("new cases: rows returned do not match".into()));
                }
                new_ids.extend(rows.into_iter().map(|(id, no)| (no, id)));
            }

            // 5. The acted-on cases' projections, as they end the batch: one upsert.
            let mut acted: Vec<(&str, DateTime<Utc>)> = Vec::new();
            for (_, p) in &plans {
                if let Plan::Act { job, record, .. } = p {
                    match acted.iter_mut().find(|(no, _)| *no == record.case_no) {
                        Some(a) => a.1 = job.now,
                        None => acted.push((record.case_no.as_str(), job.now)),
                    }
                }
            }
            if !acted.is_empty() {
                let rows: Vec<(&CaseRecord, String, DateTime<Utc>)> = acted
                    .iter()
                    .map(|(no, now)| {
                        let r = &records[*no];
                        serde_json::to_string(&r.case)
                            .map(|state| (r, state, *now))
                            .map_err(json_error)
                    })
                    .collect::<Result<_, StoreError>>()?;
                let mut q = QueryBuilder::<$db>::new(CASE_INSERT);
                q.push_values(&rows, |mut b, (r, state, now)| {
                    push_case_row!(b, &r.case_no, &r.query_code, r.center_id, &r.case, r.event_count, state, *now);
                });
                q.push(CASE_UPSERT);
                q.push(" RETURNING id, case_no");
                let back: Vec<(i64, String)> = q
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                let same = back.len() == rows.len()
                    && back
                        .iter()
                        .all(|(id, no)| records.get(no).is_some_and(|r| r.id == *id));
                if !same {
                    return Err(Fallback("projections: an upsert did not hit its case".into()));
                }
                // Their watches, as they end the batch.
                let writes: Vec<WatchWrite> = rows
                    .iter()
                    .map(|(r, _, _)| WatchWrite {
                        case_id: r.id,
                        center_id: r.center_id,
                        department_id: r.case.department_id(),
                        input: WatchInput::from(&r.case),
                        watch: watches.get(&r.case_no).copied().unwrap_or_default(),
                    })
                    .collect();
                let last = rows.iter().fold(rows[0].2, |t, (_, _, now)| t.max(*now));
                write_watches!(tx, &writes, &old_watches, last);
            }

            // 6. The events, in one statement, in chain order.
            let case_ids: Vec<i64> = plans
                .iter()
                .zip(&links)
                .map(|((_, p), l)| match p {
                    Plan::Submit { .. } => new_ids.get(&l.case_no).copied(),
                    Plan::Act { record, .. } => Some(record.id),
                })
                .collect::<Option<_>>()
                .ok_or_else(|| Fallback("a new case's id is missing".into()))?;
            let mut event_ids: Vec<i64> = Vec::with_capacity(links.len());
            if !links.is_empty() {
                let mut q = QueryBuilder::<$db>::new(
                    "INSERT INTO case_events (case_id, seq, kind, actor_user_id, actor_role, at, payload,
                        prev_hash, hash, created_at) ",
                );
                q.push_values(
                    plans.iter().zip(&links).zip(&case_ids),
                    |mut b, (((_, p), l), case_id)| {
                        let (event, now) = match p {
                            Plan::Submit { job, .. } => (&job.event, job.now),
                            Plan::Act { job, event, .. } => (event, job.now),
                        };
                        b.push_bind(*case_id)
                            .push_bind(l.seq)
                            .push_bind(event.body.kind())
                            .push_bind(event.actor.user_id.filter(|id| *id > 0))
                            .push_bind(event.actor.role.map(|r| r.code()))
                            .push_bind(event.at)
                            .push_bind(p.payload())
                            .push_bind(&l.prev)
                            .push_bind(&l.hash)
                            .push_bind(now);
                    },
                );
                q.push(" RETURNING id, case_id, seq");
                let rows: Vec<(i64, i64, i64)> = q
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                let by_place: HashMap<(i64, i64), i64> =
                    rows.into_iter().map(|(id, c, s)| ((c, s), id)).collect();
                event_ids = case_ids
                    .iter()
                    .zip(&links)
                    .map(|(c, l)| by_place.get(&(*c, l.seq)).copied())
                    .collect::<Option<_>>()
                    .ok_or_else(|| Fallback("an event's id is missing".into()))?;
                // The chain is verified in id order: ids must follow job order.
                if !event_ids.windows(2).all(|w| w[0] < w[1]) {
                    return Err(Fallback("event ids out of chain order".into()));
                }
            }

            // 7. What few jobs carry: files, certificates, idempotency keys.
            for ((_, p), (l, case_id)) in plans.iter().zip(links.iter().zip(&case_ids)) {
                match p {
                    Plan::Submit { job, .. } => {
                        let files: &[(NewFile, String, String)] = &job.files;
                        record_files!(tx, *case_id, files, job.now);
                        if let Some(k) = &job.idem {
                            save_key!(tx, k, &l.case_no, 201, job.now);
                        }
                    }
                    Plan::Act {
                        job, record, event, ..
                    } => {
                        record_files!(tx, *case_id, &job.files, job.now);
                        if let Some((no, name)) = event.body.certificate() {
                            insert_certificate!(tx, no, name, record, job.today, job.now);
                        }
                        if let Some(k) = &job.idem {
                            save_key!(tx, k, &record.case_no, 200, job.now);
                        }
                    }
                }
            }
            let last_now = batch.iter().map(|j| j.now()).max();
            if let Some(now) = last_now {
                record_violations!(tx, &found, &accepted, now);
            }
            if let Some(last) = event_ids.last() {
                move_head!(tx, *last, &prev);
            }
            tx.commit().await?;

            // Answers: each job gets its case as it left it, with the trail so far.
            let mut batch_events: HashMap<i64, Vec<RawEvent>> = HashMap::new();
            for (((i, p), l), (case_id, event_id)) in plans
                .into_iter()
                .zip(links)
                .zip(case_ids.into_iter().zip(event_ids))
            {
                let raw = RawEvent {
                    id: event_id,
                    seq: l.seq,
                    payload: p.payload().to_string(),
                    hash: l.hash,
                };
                let saved = match p {
                    Plan::Submit { job, .. } => Saved {
                        record: CaseRecord {
                            id: case_id,
                            case_no: l.case_no,
                            query_code: job.query_code.clone(),
                            center_id: job.center_id,
                            event_count: 1,
                            case: job.case.clone(),
                        },
                        trail: vec![raw],
                    },
                    Plan::Act { record, .. } => {
                        let so_far = batch_events.entry(case_id).or_default();
                        let mut trail = trails.get(&case_id).cloned().unwrap_or_default();
                        trail.extend(so_far.iter().cloned());
                        trail.push(raw.clone());
                        so_far.push(raw);
                        Saved { record, trail }
                    }
                };
                done[i] = Some(Ok(Written::Done(saved)));
            }
            Ok::<_, Fallback>(
                done.into_iter()
                    .map(|d| d.expect("every job of a batch is answered"))
                    .collect::<Vec<Done>>(),
            )
        }
        .await
    }};
}

/// Runs a batch the fast way; on `Err` the transaction was rolled back.
pub(super) async fn run(
    conn: &mut Conn,
    batch: &[Job],
    calendars: &CalendarCache,
) -> Result<Vec<Done>, Fallback> {
    match conn {
        Conn::Sqlite(c) => run_batch!(
            sqlx::Connection::begin_with(&mut **c, "BEGIN IMMEDIATE").await,
            sqlx::Sqlite,
            batch,
            calendars
        ),
        Conn::Postgres(c) => run_batch!(
            sqlx::Connection::begin(&mut **c).await,
            sqlx::Postgres,
            batch,
            calendars
        ),
    }
}
