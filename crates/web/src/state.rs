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
}

/// Settings that do not change while the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies `Secure` (set when the server sits behind HTTPS).
    pub secure_cookies: bool,
    pub data_dir: PathBuf,
}
