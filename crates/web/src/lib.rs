//! govhall over HTTP: the JSON API under `/api/v1`, the public service-guide
//! pages, the back-office pages, sessions and access checks.
//!
//! [`App::build`] wires the store, the search index and the clock into a
//! router bound to an address (port 0 in tests) and returns it unstarted, so
//! the binary and the tests start the same server.

pub mod auth;
pub mod cases;
pub mod catalogue;
pub mod charts;
pub mod clock;
pub mod error;
pub mod files;
pub mod hall_map;
pub mod queue_hub;
pub mod state;

mod api;
mod assets;
mod notice_pdf;
mod pages;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use clock::Clock;
pub use state::{AppState, Settings};

/// How to start a server.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub clock: Clock,
    pub secure_cookies: bool,
    /// How often the supervision worker runs (it also runs at start);
    /// `None`: never by itself (tests run it through the API).
    pub supervise_every: Option<std::time::Duration>,
}

/// A server bound to its address, not yet serving.
pub struct App {
    listener: TcpListener,
    router: Router,
    state: AppState,
    supervise_every: Option<std::time::Duration>,
}

/// Opens the database and applies migrations.
pub async fn open_store(database_url: &str) -> anyhow::Result<store::Store> {
    let store = store::Store::connect(database_url)
        .await
        .with_context(|| format!("connecting to {}", redact_url(database_url)))?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

/// Hides the password of a database URL for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let store = open_store(&config.database_url).await?;
        Self::with_store(config, store).await
    }

    /// Builds the app on an already migrated store.
    pub async fn with_store(config: Config, store: store::Store) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
        let settings = Settings {
            secure_cookies: config.secure_cookies,
            data_dir: config.data_dir.clone(),
        };
        // Databases created before the calendar existed get the official days.
        for center in store.list_centers().await? {
            store
                .ensure_official_calendar(center.id, config.clock.now())
                .await?;
        }
        let state = AppState::new(store, config.clock.clone(), settings).await?;
        catalogue::rebuild_index(&state)
            .await
            .context("indexing published items")?;
        let router = router(state.clone());
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        Ok(App {
            listener,
            router,
            state,
            supervise_every: config.supervise_every,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the future completes (Ctrl-C or SIGTERM in the binary).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let worker = self
            .supervise_every
            .map(|every| tokio::spawn(supervise(self.state.clone(), every)));
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        if let Some(w) = worker {
            w.abort();
        }
        self.state.store.close().await;
        Ok(())
    }
}

/// The supervision worker: at start and then every `every`, records the
/// warnings that began and escalates overdue correction orders. The warning
/// lists do not wait for it (they compare stored thresholds with today); it
/// keeps the history that scores and reports count.
async fn supervise(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match state
            .store
            .run_supervision(state.clock.today(), state.clock.now())
            .await
        {
            Ok(run) => tracing::info!(
                today = %run.today,
                warnings = run.warnings_recorded,
                escalated = run.corrections_escalated,
                "supervision run"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "supervision run failed; the next one tries again")
            }
        }
        score_due_periods(&state).await;
        queue_step(&state).await;
    }
}

/// The queue's step of the worker: bookings not checked in by the end of
/// their slot become no-shows (爽约). Tests run it with a moved clock.
pub async fn queue_step(state: &AppState) {
    match state.store.record_no_shows(state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(no_shows = n, "appointments marked as no-shows"),
        Err(e) => tracing::warn!(error = %e, "no-show step failed; the next run tries again"),
    }
}

/// Scores last month and last quarter once they are over, if nobody has
/// yet (a supervisor may also run or rerun any period).
async fn score_due_periods(state: &AppState) {
    for (kind, period) in api::scoring::due_periods(state.clock.today()) {
        let made = match state.store.scoring_runs(Some(kind)).await {
            Ok(runs) => runs.iter().any(|r| r.period_key == period.key()),
            Err(e) => {
                tracing::warn!(error = %e, "could not list scoring runs");
                return;
            }
        };
        if made {
            continue;
        }
        match state
            .store
            .run_scoring(None, kind, period, state.clock.now())
            .await
        {
            Ok(id) => {
                tracing::info!(kind = kind.code(), period = %period.key(), run = id, "scores computed")
            }
            Err(e) => tracing::warn!(error = %e, "scoring run failed; the next tick tries again"),
        }
    }
}

/// A state for command-line work outside a running server (imports, exports).
pub async fn cli_state(store: store::Store, clock: Clock) -> anyhow::Result<AppState> {
    AppState::new(
        store,
        clock,
        Settings {
            secure_cookies: false,
            data_dir: PathBuf::from("."),
        },
    )
    .await
}

/// Request and validation types the command line shares with the API.
pub mod api_types {
    pub use crate::api::users::{NewUserRequest, parse_new_user};
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    Router::new()
        .merge(api)
        .merge(api::docs(openapi))
        .merge(pages::router())
        .merge(notice_pdf::router())
        .merge(assets::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(20 * 1024 * 1024))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Unknown paths: the API's JSON error under `/api/`, a Chinese page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::AppError::NotFound("route").into_response()
    } else {
        pages::PageError(error::AppError::NotFound("page")).into_response()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_passwords_are_hidden() {
        assert_eq!(
            super::redact_url("postgres://gov:secret@db:5432/govhall"),
            "postgres://gov:***@db:5432/govhall"
        );
        assert_eq!(
            super::redact_url("sqlite://govhall-data/govhall.db"),
            "sqlite://govhall-data/govhall.db"
        );
    }
}
