//! The safe path: a batch job by job, each inside its own savepoint.
//!
//! It runs only after the fast path failed, so it is written for clarity
//! rather than speed: per job, read what it needs, let the domain decide,
//! then write; a job whose write fails is rolled back to its savepoint and
//! answered with the error while the rest of the batch commits.

use super::{ActJob, Conn, Done, Job, RawEvent, Saved, SubmitJob, certificate_taken};
use crate::cases::{
    CASE_COLUMNS, CalendarCache, CaseRecord, CaseRow, FoundViolation, IdempotencyKey, NewFile,
    Written, center_rules, chain_hash, current_step_name, find_key, insert_certificate,
    insert_event, json_error, lock_head, move_head, record_files, record_violations, save_key,
    update_projection,
};
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use domain::case::{Context, Event, EventActor, EventBody};
use domain::supervision::{WatchInput, watch};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// Why a job did not go through.
#[derive(Debug)]
pub(super) enum JobError {
    /// Refused before anything was written: nothing to undo.
    Refused(StoreError),
    /// Failed after writing began: the job's writes must be undone.
    Failed(StoreError),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> JobError {
        JobError::Failed(e)
    }
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> JobError {
        JobError::Failed(e.into())
    }
}

/// Runs a batch in one transaction, each job in a savepoint. Evaluates to
/// `Result<Vec<Done>>`: `Err` only when the transaction itself failed.
macro_rules! run_batch {
    ($begin:expr, $batch:expr, $calendars:expr) => {{
        let batch: &[Job] = $batch;
        let calendars: &CalendarCache = $calendars;
        async {
            let mut tx = $begin?;
            let mut head = lock_head!(tx);
            let mut last_event: Option<i64> = None;
            let mut prefixes: HashMap<i64, String> = HashMap::new();
            let mut done: Vec<Done> = Vec::with_capacity(batch.len());
            for job in batch {
                sqlx::query("SAVEPOINT job").execute(&mut *tx).await?;
                let r = match job {
                    Job::Submit(j, _) => async { submit_in!(tx, &head, &mut prefixes, j) }.await,
                    Job::Act(j, _) => async { act_in!(tx, &head, calendars, j) }.await,
                };
                let outcome = match r {
                    Ok((w, appended)) => {
                        sqlx::query("RELEASE SAVEPOINT job")
                            .execute(&mut *tx)
                            .await?;
                        if let Some((id, hash)) = appended {
                            last_event = Some(id);
                            head = hash;
                        }
                        Ok(w)
                    }
                    Err(JobError::Refused(e)) => {
                        sqlx::query("RELEASE SAVEPOINT job")
                            .execute(&mut *tx)
                            .await?;
                        Err(e)
                    }
                    Err(JobError::Failed(e)) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT job")
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("RELEASE SAVEPOINT job")
                            .execute(&mut *tx)
                            .await?;
                        Err(e)
                    }
                };
                done.push(outcome);
            }
            if let Some(id) = last_event {
                move_head!(tx, id, &head);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(done)
        }
        .await
    }};
}

/// An Idempotency-Key seen before: the job replays (or is refused) here.
macro_rules! replay_or_refuse {
    ($tx:ident, $idem:expr) => {{
        if let Some(k) = $idem {
            match find_key!($tx, k) {
                Err(e) => return Err(JobError::Refused(e)),
                Ok(Some((case_no, status))) => {
                    return Ok((Written::Replayed { case_no, status }, None));
                }
                Ok(None) => {}
            }
        }
    }};
}

/// The body of a submission inside the batch transaction.
macro_rules! submit_in {
    ($tx:ident, $head:expr, $prefixes:expr, $job:expr) => {{
        let j: &SubmitJob = $job;
        let head: &String = $head;
        let prefixes: &mut HashMap<i64, String> = $prefixes;
        replay_or_refuse!($tx, j.idem.as_ref());
        let prefix = match prefixes.get(&j.center_id) {
            Some(p) => p.clone(),
            None => {
                let p: String =
                    sqlx::query_scalar("SELECT case_prefix FROM centers WHERE id = $1")
                        .bind(j.center_id)
                        .fetch_optional(&mut *$tx)
                        .await?
                        .ok_or(JobError::Refused(StoreError::NotFound))?;
                prefixes.insert(j.center_id, p.clone());
                p
            }
        };
        // Writes begin here.
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO case_sequences (center_id, day, last_value, created_at) VALUES ($1, $2, 1, $3)
             ON CONFLICT (center_id, day) DO UPDATE SET last_value = case_sequences.last_value + 1
             RETURNING last_value",
        )
        .bind(j.center_id)
        .bind(j.today)
        .bind(j.now)
        .fetch_one(&mut *$tx)
        .await?;
        let case_no = super::case_no(&prefix, j.today, n);
        let case = &j.case;
        // The same row as the fast path writes, one at a time.
        let mut q = sqlx::QueryBuilder::new(super::fast::CASE_INSERT);
        q.push_values([&case_no], |mut b, no| {
            super::fast::push_case_row!(b, no, &j.query_code, j.center_id, case, 1i64, &j.state, j.now);
        });
        q.push(" RETURNING id");
        let id: i64 = q.build_query_scalar().fetch_one(&mut *$tx).await?;
        let (event_id, hash) =
            insert_event!($tx, head, id, &case_no, 1i64, &j.event, &j.payload, j.now);
        record_files!($tx, id, &j.files, j.now);
        if let Some(k) = &j.idem {
            save_key!($tx, k, &case_no, 201, j.now);
        }
        let trail = vec![RawEvent {
            id: event_id,
            seq: 1,
            payload: j.payload.clone(),
            hash: hash.clone(),
        }];
        Ok::<_, JobError>((
            Written::Done(Saved {
                record: CaseRecord {
                    id,
                    case_no,
                    query_code: j.query_code.clone(),
                    center_id: j.center_id,
                    event_count: 1,
                    case: case.clone(),
                },
                trail,
            }),
            Some((event_id, hash)),
        ))
    }};
}

/// The body of an action inside the batch transaction.
macro_rules! act_in {
    ($tx:ident, $head:expr, $calendars:expr, $job:expr) => {{
        let j: &ActJob = $job;
        let head: &String = $head;
        let calendars: &CalendarCache = $calendars;
        replay_or_refuse!($tx, j.idem.as_ref());
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_no = $1");
        let row: CaseRow = sqlx::query_as(AssertSqlSafe(sql))
            .bind(&j.case_no)
            .fetch_optional(&mut *$tx)
            .await?
            .ok_or(JobError::Refused(StoreError::NotFound))?;
        let mut record = CaseRecord::try_from(row)?;
        let visible = match j.scope {
            Some(scope) => scope.covers(record.case.department_id()),
            None => record.case.applicant_user_id == Some(j.actor.user_id),
        };
        if !visible {
            return Err(JobError::Refused(StoreError::NotFound));
        }
        // These only change by an admin's edit, which drops the cached copy.
        let (calendar, warnings) = center_rules!($tx, calendars, record.center_id)?;
        let cx = Context {
            actor: &j.actor,
            actor_name: &j.actor_name,
            now: j.now,
            today: j.today,
            calendar: &calendar,
        };
        let body = record
            .case
            .decide(j.action.clone(), &cx)
            .map_err(|e| JobError::Refused(StoreError::Case(e)))?;
        let event = Event {
            at: j.now,
            actor: EventActor::of(&j.actor, &j.actor_name),
            body,
        };
        let payload = serde_json::to_string(&event).map_err(json_error)?;
        if let Some((no, _)) = event.body.certificate() {
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT id FROM certificates WHERE certificate_no = $1")
                    .bind(no)
                    .fetch_optional(&mut *$tx)
                    .await?;
            if taken.is_some() {
                return Err(JobError::Refused(certificate_taken()));
            }
        }
        let mut trail: Vec<RawEvent> = sqlx::query_as(
            "SELECT id, seq, payload, hash FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(record.id)
        .fetch_all(&mut *$tx)
        .await?;
        // Writes begin here.
        let seq = record.event_count + 1;
        let (event_id, hash) = insert_event!(
            $tx,
            head,
            record.id,
            &record.case_no,
            seq,
            &event,
            &payload,
            j.now
        );
        record.case = record.case.apply(&event);
        record.event_count = seq;
        let watch = watch(&WatchInput::from(&record.case), &calendar, &warnings);
        update_projection!($tx, &record, &watch, j.now);
        let accepted: &[i64] = if matches!(event.body, EventBody::Accepted { .. }) {
            &[record.id]
        } else {
            &[]
        };
        record_violations!(
            $tx,
            &FoundViolation::of_event(&record, &event),
            accepted,
            j.now
        );
        record_files!($tx, record.id, &j.files, j.now);
        if let Some((no, result_name)) = event.body.certificate() {
            insert_certificate!($tx, no, result_name, &record, j.today, j.now);
        }
        if let Some(k) = &j.idem {
            save_key!($tx, k, &record.case_no, 200, j.now);
        }
        trail.push(RawEvent {
            id: event_id,
            seq,
            payload,
            hash: hash.clone(),
        });
        Ok::<_, JobError>((
            Written::Done(Saved { record, trail }),
            Some((event_id, hash)),
        ))
    }};
}

/// Runs a batch job by job, each in a savepoint; `Err` only when the
/// transaction itself failed.
pub(super) async fn run(
    conn: &mut Conn,
    batch: &[Job],
    calendars: &CalendarCache,
) -> Result<Vec<Done>> {
    match conn {
        Conn::Sqlite(c) => run_batch!(
            sqlx::Connection::begin_with(&mut **c, "BEGIN IMMEDIATE").await,
            batch,
            calendars
        ),
        Conn::Postgres(c) => run_batch!(sqlx::Connection::begin(&mut **c).await, batch, calendars),
    }
}
