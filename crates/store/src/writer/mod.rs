//! Group commit for case writes.
//!
//! Every case change (a submission or an action) goes to one writer per
//! store, which runs on a thread of its own. The writer takes whatever jobs
//! are queued (up to [`MAX_BATCH`]), runs them in ONE transaction and commits
//! once. Only then are the callers answered, so an answer always means the
//! change is on disk, while the cost of the durable commit (an fsync) is
//! shared by the whole batch.
//!
//! Running every case write through one writer also serialises the audit
//! chain: the writer holds the chain head for the batch, each job extends it
//! and the head row is written once, before the commit.
//!
//! A batch runs in one of two ways:
//!
//! - [`fast`]: the whole batch in a fixed handful of statements, whatever its
//!   size: one read of the cases acted on and one of their trails, every
//!   decision in memory, then one statement per table for the writes
//!   (multi-row `INSERT`s, the projections as one upsert). This is the normal
//!   path; statements, not rows, are what cost (each is a round trip to the
//!   database or to SQLite's worker thread).
//! - [`safe`]: job by job, each inside its own savepoint, so that a job whose
//!   write fails undoes itself alone. A batch runs this way only when the
//!   fast path failed (everything it did was rolled back first): a database
//!   error on one job's row must not fail its neighbours.
//!
//! Both decide with the same domain rules in the same order and both answer
//! each job with the case as its write left it and the case's whole trail, so
//! that the caller needs no read of its own to reply.

use crate::cases::{CalendarCache, CaseRecord, IdempotencyKey, NewFile, Written};
use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Actor, DepartmentScope};
use domain::case::{Action, Case, Event};
use sqlx::pool::PoolConnection;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc, oneshot};

mod fast;
mod safe;

/// The most jobs one transaction takes. The fast path binds 28 values per
/// job in its largest statement, within SQLite's limit of 32,766.
pub const MAX_BATCH: usize = 512;
const _: () = assert!(MAX_BATCH * 28 < 32_766);

/// Prepared statements the writer's connection keeps. The fast path's
/// multi-row statements differ by their number of rows, so they need more
/// room than the default of 100 to stay prepared under a changing load.
pub(crate) const STATEMENT_CACHE: usize = 1024;

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

/// One event of a trail as stored; the caller parses it, off the writer's thread.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct RawEvent {
    pub id: i64,
    pub seq: i64,
    pub payload: String,
    pub hash: String,
}

/// A case as a write left it, with its whole trail (the new event last).
#[derive(Debug)]
pub(crate) struct Saved {
    pub record: CaseRecord,
    pub trail: Vec<RawEvent>,
}

/// What one job came to.
type Done = Result<Written<Saved>>;
type Reply = oneshot::Sender<Done>;

enum Job {
    Submit(Box<SubmitJob>, Reply),
    Act(Box<ActJob>, Reply),
}

impl Job {
    fn now(&self) -> DateTime<Utc> {
        match self {
            Job::Submit(j, _) => j.now,
            Job::Act(j, _) => j.now,
        }
    }

    fn idem(&self) -> Option<&IdempotencyKey> {
        match self {
            Job::Submit(j, _) => j.idem.as_ref(),
            Job::Act(j, _) => j.idem.as_ref(),
        }
    }

    fn answer(self, done: Done) {
        // A caller that went away (a closed connection) is no loss.
        match self {
            Job::Submit(_, reply) | Job::Act(_, reply) => drop(reply.send(done)),
        }
    }
}

/// The handle the store keeps: sends jobs to the writer.
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

    pub(crate) async fn submit(&self, job: SubmitJob) -> Done {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Submit(Box::new(job), reply)).await?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn act(&self, job: ActJob) -> Done {
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

/// A readable case number: the center's prefix, the day and the day's count.
fn case_no(prefix: &str, today: NaiveDate, n: i64) -> String {
    format!("{prefix}-{}-{n:05}", today.format("%Y%m%d"))
}

fn certificate_taken() -> StoreError {
    StoreError::conflict(
        "certificate.duplicate",
        Some("certificate_no"),
        "该证照编号已存在于电子证照库",
    )
}

/// The writer's connection, kept from batch to batch: handing it back to its
/// pool after every commit and taking it again costs more than a statement.
enum Conn {
    Sqlite(PoolConnection<sqlx::Sqlite>),
    Postgres(PoolConnection<sqlx::Postgres>),
}

impl Conn {
    /// The kept connection, or a new one when there is none.
    async fn reuse<'c>(kept: &'c mut Option<Conn>, db: &Db) -> Result<&'c mut Conn> {
        if kept.is_none() {
            *kept = Some(match db {
                Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
                Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
            });
        }
        Ok(kept.as_mut().expect("just set"))
    }
}

/// How many committed jobs (a few WAL pages each) wait for a checkpoint: about
/// the 1,000 pages after which SQLite would checkpoint by itself.
const CHECKPOINT_JOBS: usize = 256;

/// SQLite only: copies the write-ahead log back into the database file after
/// every [`CHECKPOINT_JOBS`] committed jobs, on a connection of its own, so
/// that the writer (whose connection has `wal_autocheckpoint` off) never waits
/// for that copy and its fsync.
async fn checkpoint(pool: sqlx::SqlitePool, committed: Arc<Notify>) {
    loop {
        committed.notified().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint failed; the next commit tries again");
        }
    }
}

async fn run(db: Db, calendars: CalendarCache, mut rx: mpsc::Receiver<JobEnvelope>) {
    let committed = Arc::new(Notify::new());
    if let Db::Sqlite(pool) = &db {
        let options = (*pool.connect_options()).clone();
        let checkpoints = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_lazy_with(options.pragma("wal_autocheckpoint", "1000"));
        // Ends with this runtime, when the writer stops.
        tokio::spawn(checkpoint(checkpoints, committed.clone()));
    }
    let mut conn: Option<Conn> = None;
    let mut unchecked_jobs = 0;
    while let Some(JobEnvelope(first)) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(JobEnvelope(job)) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = match Conn::reuse(&mut conn, &db).await {
            Err(e) => Err(e),
            Ok(c) => match fast::run(c, &batch, &calendars).await {
                Ok(done) => Ok(done),
                Err(e) => {
                    // Everything the fast path did was rolled back with its transaction.
                    tracing::info!(error = %e, jobs = batch.len(), "case write batch runs again job by job");
                    safe::run(c, &batch, &calendars).await
                }
            },
        };
        if outcome.is_err() {
            // The connection may be what broke: the next batch takes a new one.
            conn = None;
        }
        match outcome {
            Ok(done) => {
                unchecked_jobs += batch.len();
                if unchecked_jobs >= CHECKPOINT_JOBS {
                    committed.notify_one();
                    unchecked_jobs = 0;
                }
                for (job, done) in batch.into_iter().zip(done) {
                    job.answer(done);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "case write batch failed");
                let message = e.to_string();
                for job in batch {
                    job.answer(Err(StoreError::Corrupt(format!(
                        "the write was not committed: {message}"
                    ))));
                }
            }
        }
    }
}
