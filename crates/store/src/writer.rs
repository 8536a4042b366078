//! Group commit for case writes.
//!
//! Every case change (a submission or an action) goes to one writer task per
//! store. The writer takes whatever jobs are queued (up to [`MAX_BATCH`]),
//! runs them in ONE transaction — each inside its own savepoint, so a refused
//! or failing job rolls back alone — and commits once. Only then are the
//! callers answered, so an answer always means the change is on disk, while
//! the cost of the durable commit (an fsync) is shared by the whole batch.
//!
//! Running every case write through one task also serialises the audit
//! chain: the writer holds the chain head for the batch, each job extends it
//! and the head row is written once, before the commit. Under light load a
//! batch is a single job and behaves like a plain transaction.
//!
//! Each job first reads and decides, then writes. A job refused before its
//! first write ([`JobError::Refused`]: the domain said no, the case is not
//! the caller's, an idempotency key was reused) leaves nothing to undo, so a
//! batch normally runs without savepoints, saving two statements per job.
//! Only when a job fails after it began writing ([`JobError::Failed`]) is
//! the batch rolled back and run again with a savepoint around each job, so
//! that the failure undoes itself alone.

use crate::cases::{
    CALENDAR_SQL, CASE_COLUMNS, CalendarCache, CaseRecord, CaseRow, IdempotencyKey, NewFile,
    Written, chain_hash, current_step_name, find_key, insert_event, json_error, lock_head,
    move_head, record_files, save_key, update_projection,
};
use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Actor, DepartmentScope};
use domain::case::{Action, Case, Context, Event, EventActor, EventBody};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// The most jobs one transaction takes.
pub const MAX_BATCH: usize = 512;

/// A new case, checked and serialised by the caller.
pub(crate) struct SubmitJob {
    pub case: Case,
    pub state: String,
    pub payload: String,
    pub center_id: i64,
    pub today: NaiveDate,
    pub query_code: String,
    pub event: Event,
    pub files: Vec<(NewFile, String, String)>,
    pub idem: Option<IdempotencyKey>,
    pub now: DateTime<Utc>,
}

/// An action on a stored case; the domain decides inside the transaction.
pub(crate) struct ActJob {
    pub actor: Actor,
    /// `None`: the applicant acting on their own case.
    pub scope: Option<DepartmentScope>,
    pub actor_name: String,
    pub case_no: String,
    pub action: Action,
    pub files: Vec<(NewFile, String, String)>,
    pub idem: Option<IdempotencyKey>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// Why a job did not go through.
#[derive(Debug)]
pub(crate) enum JobError {
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

/// What a job that went through wrote to the chain, if anything: the id and
/// hash of its event.
type Appended = Option<(i64, String)>;

type SubmitReply = oneshot::Sender<Result<Written<CaseRecord>>>;
type ActReply = oneshot::Sender<Result<Written<(CaseRecord, Event)>>>;

enum Job {
    Submit(Box<SubmitJob>, SubmitReply),
    Act(Box<ActJob>, ActReply),
}

// Outcomes live for one batch and move once into a reply: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
enum Done {
    Submit(Result<Written<CaseRecord>>),
    Act(Result<Written<(CaseRecord, Event)>>),
}

/// The handle the store keeps: sends jobs to the writer task.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<JobEnvelope>,
}

/// `Job` behind a Debug-able wrapper for the channel type.
pub(crate) struct JobEnvelope(Job);

impl std::fmt::Debug for JobEnvelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("case write job")
    }
}

impl Writer {
    /// Starts the writer task over the store's pool.
    /// Starts the writer on a thread of its own, with its own runtime and its
    /// own connection (`connect` makes a pool of one in that runtime): its
    /// statements run one after another, and each continuation must not wait
    /// in line behind the HTTP work of the server's runtime.
    pub(crate) fn start<F>(connect: F, calendars: CalendarCache) -> std::io::Result<Writer>
    where
        F: FnOnce() -> Db + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("case-writer".into())
            .spawn(move || runtime.block_on(async move { run(connect(), calendars, rx).await }))?;
        Ok(Writer { tx })
    }

    pub(crate) async fn submit(&self, job: SubmitJob) -> Result<Written<CaseRecord>> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Submit(Box::new(job), reply)).await?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn act(&self, job: ActJob) -> Result<Written<(CaseRecord, Event)>> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Act(Box::new(job), reply)).await?;
        answer.await.map_err(|_| stopped())?
    }

    async fn send(&self, job: Job) -> Result<()> {
        self.tx.send(JobEnvelope(job)).await.map_err(|_| stopped())
    }
}

fn stopped() -> StoreError {
    StoreError::Corrupt("the case writer has stopped".into())
}

/// Runs a batch in one transaction; with `$safe`, each job in a savepoint.
/// Evaluates to `Result<Option<Vec<Done>>>`: `Ok(None)` when a job failed
/// after writing in a batch without savepoints (everything was rolled back;
/// run it again safely), `Err` only when the transaction itself failed.
macro_rules! run_batch {
    ($begin:expr, $batch:expr, $calendars:expr, $safe:expr) => {{
        let batch: &[Job] = $batch;
        let calendars: &CalendarCache = $calendars;
        let safe: bool = $safe;
        async {
            let mut tx = $begin?;
            let mut head = lock_head!(tx);
            let mut last_event: Option<i64> = None;
            let mut prefixes: HashMap<i64, String> = HashMap::new();
            let mut done = Vec::with_capacity(batch.len());
            for job in batch {
                if safe {
                    sqlx::query("SAVEPOINT job").execute(&mut *tx).await?;
                }
                let (outcome, step) = match job {
                    Job::Submit(j, _) => {
                        let r = async { submit_in!(tx, &head, &mut prefixes, j) }.await;
                        split(r, Done::Submit)
                    }
                    Job::Act(j, _) => {
                        let r = async { act_in!(tx, &head, calendars, j) }.await;
                        split(r, Done::Act)
                    }
                };
                match step {
                    Step::Keep(appended) => {
                        if safe {
                            sqlx::query("RELEASE SAVEPOINT job")
                                .execute(&mut *tx)
                                .await?;
                        }
                        if let Some((id, hash)) = appended {
                            last_event = Some(id);
                            head = hash;
                        }
                    }
                    Step::Undo if !safe => {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    Step::Undo => {
                        sqlx::query("ROLLBACK TO SAVEPOINT job")
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("RELEASE SAVEPOINT job")
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                done.push(outcome);
            }
            if let Some(id) = last_event {
                move_head!(tx, id, &head);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(Some(done))
        }
        .await
    }};
}

/// What to do with a job's writes.
enum Step {
    /// Keep them (there may be none); the chain head moves when it appended.
    Keep(Appended),
    /// The job failed half-way: undo them.
    Undo,
}

/// A job's answer and what to do with its writes.
fn split<T>(
    r: std::result::Result<(Written<T>, Appended), JobError>,
    wrap: fn(Result<Written<T>>) -> Done,
) -> (Done, Step) {
    match r {
        Ok((w, appended)) => (wrap(Ok(w)), Step::Keep(appended)),
        Err(JobError::Refused(e)) => (wrap(Err(e)), Step::Keep(None)),
        Err(JobError::Failed(e)) => (wrap(Err(e)), Step::Undo),
    }
}

/// The body of a submission inside the batch transaction.
macro_rules! submit_in {
    ($tx:ident, $head:expr, $prefixes:expr, $job:expr) => {{
        let j: &SubmitJob = $job;
        let head: &String = $head;
        let prefixes: &mut HashMap<i64, String> = $prefixes;
        if let Some(k) = &j.idem
            && let Some(replay) = find_key!($tx, k)
        {
            return Ok((
                Written::Replayed {
                    case_no: replay.0,
                    status: replay.1,
                },
                None,
            ));
        }
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
        let case_no = format!("{prefix}-{}-{n:05}", j.today.format("%Y%m%d"));
        let case = &j.case;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (case_no, query_code, center_id, department_id, item_id, item_version_id,
                item_name, case_kind, channel, status, applicant_name, applicant_id_number,
                applicant_user_id, submitted_at, accepted_at, due_date, concluded_at,
                paused_working_days, current_step, event_count, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, NULL, NULL,
                0, $15, 1, $16, $17, $17)
             RETURNING id",
        )
        .bind(&case_no)
        .bind(&j.query_code)
        .bind(j.center_id)
        .bind(case.item.department_id)
        .bind(case.item.item_id)
        .bind(case.item.version_id)
        .bind(&case.item.name)
        .bind(case.item.case_kind.code())
        .bind(case.channel.code())
        .bind(case.status.code())
        .bind(&case.applicant.name)
        .bind(&case.applicant.id_number)
        .bind(case.applicant_user_id)
        .bind(j.event.at)
        .bind(current_step_name(case))
        .bind(&j.state)
        .bind(j.now)
        .fetch_one(&mut *$tx)
        .await?;
        let appended = insert_event!($tx, head, id, &case_no, 1i64, &j.event, &j.payload, j.now);
        record_files!($tx, id, &j.files, j.now);
        if let Some(k) = &j.idem {
            save_key!($tx, k, &case_no, 201, j.now);
        }
        Ok::<_, JobError>((
            Written::Done(CaseRecord {
                id,
                case_no,
                query_code: j.query_code.clone(),
                center_id: j.center_id,
                event_count: 1,
                case: case.clone(),
            }),
            Some(appended),
        ))
    }};
}

/// The body of an action inside the batch transaction.
macro_rules! act_in {
    ($tx:ident, $head:expr, $calendars:expr, $job:expr) => {{
        let j: &ActJob = $job;
        let head: &String = $head;
        let calendars: &CalendarCache = $calendars;
        if let Some(k) = &j.idem
            && let Some(replay) = find_key!($tx, k)
        {
            return Ok((
                Written::Replayed {
                    case_no: replay.0,
                    status: replay.1,
                },
                None,
            ));
        }
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
        // The calendar only changes by an admin's edit, which drops the cached copy.
        let calendar = match calendars.get(record.center_id) {
            Some(c) => c,
            None => {
                let rows: Vec<(NaiveDate, String, String)> = sqlx::query_as(CALENDAR_SQL)
                    .bind(record.center_id)
                    .fetch_all(&mut *$tx)
                    .await?;
                calendars.insert(record.center_id, rows)?
            }
        };
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
        if let EventBody::Concluded {
            certificate_no: Some(no),
            ..
        } = &event.body
        {
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT id FROM certificates WHERE certificate_no = $1")
                    .bind(no)
                    .fetch_optional(&mut *$tx)
                    .await?;
            if taken.is_some() {
                return Err(JobError::Refused(certificate_taken()));
            }
        }
        // Writes begin here.
        let seq = record.event_count + 1;
        let appended = insert_event!(
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
        update_projection!($tx, &record, j.now);
        record_files!($tx, record.id, &j.files, j.now);
        if let EventBody::Concluded {
            certificate_no: Some(no),
            result_name,
            ..
        } = &event.body
        {
            sqlx::query(
                "INSERT INTO certificates (certificate_no, name, holder_name, holder_id_number,
                    department_id, case_id, issued_on, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(no)
            .bind(result_name)
            .bind(&record.case.applicant.name)
            .bind(&record.case.applicant.id_number)
            .bind(record.case.department_id())
            .bind(record.id)
            .bind(j.today)
            .bind(j.now)
            .execute(&mut *$tx)
            .await
            .map_err(StoreError::on_unique(
                "certificate.duplicate",
                "certificate_no",
                "该证照编号已存在于电子证照库",
            ))?;
        }
        if let Some(k) = &j.idem {
            save_key!($tx, k, &record.case_no, 200, j.now);
        }
        Ok::<_, JobError>((Written::Done((record, event)), Some(appended)))
    }};
}

fn certificate_taken() -> StoreError {
    StoreError::conflict(
        "certificate.duplicate",
        Some("certificate_no"),
        "该证照编号已存在于电子证照库",
    )
}

async fn run(db: Db, calendars: CalendarCache, mut rx: mpsc::Receiver<JobEnvelope>) {
    while let Some(JobEnvelope(first)) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(JobEnvelope(job)) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut outcome = Ok(None);
        for safe in [false, true] {
            outcome = match &db {
                Db::Sqlite(pool) => {
                    run_batch!(
                        pool.begin_with("BEGIN IMMEDIATE").await,
                        &batch,
                        &calendars,
                        safe
                    )
                }
                Db::Postgres(pool) => run_batch!(pool.begin().await, &batch, &calendars, safe),
            };
            if !matches!(outcome, Ok(None)) {
                break;
            }
        }
        match outcome {
            Ok(None) => unreachable!("a batch with savepoints always finishes"),
            Ok(Some(done)) => {
                for (job, done) in batch.into_iter().zip(done) {
                    // A caller that went away (a closed connection) is no loss.
                    match (job, done) {
                        (Job::Submit(_, reply), Done::Submit(r)) => drop(reply.send(r)),
                        (Job::Act(_, reply), Done::Act(r)) => drop(reply.send(r)),
                        _ => unreachable!("outcomes follow their jobs"),
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "case write batch failed");
                let message = e.to_string();
                for job in batch {
                    let err =
                        StoreError::Corrupt(format!("the write was not committed: {message}"));
                    match job {
                        Job::Submit(_, reply) => drop(reply.send(Err(err))),
                        Job::Act(_, reply) => drop(reply.send(Err(err))),
                    }
                }
            }
        }
    }
}
