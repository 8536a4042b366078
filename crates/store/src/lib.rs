//! govhall's storage: every SQL statement lives here.
//!
//! One implementation serves both databases. [`Store`] holds either an SQLite
//! or a PostgreSQL pool, and each method writes its SQL once in the dialect
//! both understand (`$1` placeholders, `RETURNING`, partial indexes,
//! `COUNT(*) FILTER`). The [`on_db!`] macro expands a body once per backend so
//! the compiler checks the same code against both drivers' types; only the
//! migrations (DDL) exist per backend.
//!
//! The store never reads the clock: callers pass `now`. It knows nothing of
//! HTTP. Queries over department data take a [`domain::access::Grant`] and
//! apply its department scope in SQL.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

mod appointments;
mod cache;
mod cases;
mod catalogue;
mod complaints;
mod hall;
mod queue;
mod ratings;
mod rooms;
mod scoring;
mod staff;
mod stats;
mod supervision;
mod synthetic;
mod users;
mod watches;
mod writer;

pub use appointments::*;
pub use cases::*;
pub use catalogue::*;
pub use complaints::*;
pub use domain::center::NewCenter;
pub use hall::*;
pub use queue::*;
pub use ratings::*;
pub use rooms::*;
pub use scoring::*;
pub use staff::*;
pub use stats::DayFigures;
pub use supervision::*;
pub use synthetic::SyntheticPlan;
pub use users::*;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The handle every layer above uses; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    calendars: cases::CalendarCache,
    departments: cache::Cache<i64, Department>,
    published: cache::Cache<i64, ItemVersion>,
    tokens: cache::Cache<String, (User, chrono::DateTime<chrono::Utc>)>,
    writer: writer::Writer,
}

/// What went wrong in the store, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A rule of the data was broken (duplicate, state conflict); `code` is stable.
    #[error("{code}: {message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// The input breaks a domain rule that needs stored data to check.
    #[error("invalid input: {0}")]
    Invalid(domain::ValidationErrors),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The case rules refused an action; nothing was written.
    #[error("case: {0}")]
    Case(domain::case::CaseError),
}

impl StoreError {
    pub(crate) fn conflict(
        code: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    /// Turns a unique-key violation into a conflict with the given code; other
    /// errors pass through. One helper so handlers never inspect SQL errors.
    pub(crate) fn on_unique(
        code: &'static str,
        field: &str,
        message: &str,
    ) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::conflict(code, Some(field), message)
            }
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Runs `$body` with `$pool` bound to whichever pool the store holds.
macro_rules! on_db {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx` and commits it.
/// An early `?` in the body drops the transaction, which rolls it back.
/// SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so two writers
/// never deadlock upgrading a read lock.
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::Db::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

pub(crate) use {on_db, write_tx};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `sqlite://path` (created if missing, WAL mode, foreign keys
    /// on) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        let (db, writer_db): (Db, Box<dyn FnOnce() -> Db + Send>) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let opts = PgConnectOptions::from_str(url)?;
                let writer_opts = opts.clone();
                (
                    Db::Postgres(
                        PgPoolOptions::new()
                            .max_connections(16)
                            .acquire_timeout(Duration::from_secs(10))
                            .connect_with(opts)
                            .await?,
                    ),
                    Box::new(move || {
                        Db::Postgres(
                            PgPoolOptions::new()
                                .max_connections(1)
                                // The writer's connection is in use all the
                                // time: no ping before every batch.
                                .test_before_acquire(false)
                                .connect_lazy_with(
                                    writer_opts.statement_cache_capacity(writer::STATEMENT_CACHE),
                                ),
                        )
                    }),
                )
            } else if url.starts_with("sqlite:") {
                let opts = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit is on disk before anyone is told it happened.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // 16 MiB of page cache per connection (SQLite's default is
                    // 2 MiB: the indexes of a busy year would be read again and
                    // again through the OS), and reads of the database file
                    // mapped instead of copied.
                    .pragma("cache_size", "-16384")
                    .pragma("mmap_size", "268435456");
                // The writer never checkpoints: copying the WAL back into the
                // database (and its fsync) would stall every write behind it.
                // A background task does it instead (`checkpoint_in_background`).
                let writer_opts = opts.clone().pragma("wal_autocheckpoint", "0");
                (
                    Db::Sqlite(
                        SqlitePoolOptions::new()
                            .max_connections(8)
                            .acquire_timeout(Duration::from_secs(10))
                            .connect_with(opts)
                            .await?,
                    ),
                    Box::new(move || {
                        Db::Sqlite(
                            SqlitePoolOptions::new()
                                .max_connections(1)
                                .test_before_acquire(false)
                                .connect_lazy_with(
                                    writer_opts.statement_cache_capacity(writer::STATEMENT_CACHE),
                                ),
                        )
                    }),
                )
            } else {
                return Err(StoreError::Database(sqlx::Error::Configuration(
                    format!("unsupported database URL (expected sqlite:// or postgres://): {url}")
                        .into(),
                )));
            };
        let calendars = cases::CalendarCache::default();
        Ok(Store {
            writer: writer::Writer::start(writer_db, calendars.clone())
                .map_err(|e| StoreError::Corrupt(format!("cannot start the case writer: {e}")))?,
            db,
            calendars,
            departments: cache::Cache::new(Duration::from_secs(60)),
            published: cache::Cache::new(Duration::from_secs(30)),
            tokens: cache::Cache::new(Duration::from_secs(30)),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, pool => { sqlx::query("SELECT 1").execute(pool).await?; });
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}
