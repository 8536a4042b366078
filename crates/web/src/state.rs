//! What every handler shares.

use crate::auth::LoginLimiter;
use crate::clock::Clock;
use search::SearchIndex;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub search: SearchIndex,
    pub clock: Clock,
    pub limiter: Arc<LoginLimiter>,
    pub settings: Arc<Settings>,
    /// A real argon2 hash of nothing, verified when a username does not exist.
    pub dummy_hash: Arc<str>,
    /// The queue's live feed to the displays.
    pub queue: crate::queue_hub::QueueHub,
}

/// Settings that do not change while the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies `Secure` (set when the server sits behind HTTPS).
    pub secure_cookies: bool,
    pub data_dir: PathBuf,
}

impl AppState {
    /// A state with an empty search index; the caller fills it.
    pub async fn new(store: Store, clock: Clock, settings: Settings) -> anyhow::Result<AppState> {
        let search = SearchIndex::new()?;
        let dummy_hash: Arc<str> =
            tokio::task::spawn_blocking(|| crate::auth::hash_password("not a password"))
                .await??
                .into();
        Ok(AppState {
            store,
            search,
            clock,
            limiter: Arc::new(LoginLimiter::default()),
            settings: Arc::new(settings),
            dummy_hash,
            queue: Default::default(),
        })
    }
}
