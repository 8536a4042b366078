//! Who is calling: passwords, browser sessions, API tokens, CSRF and the
//! failed-login limiter.
//!
//! A request is authenticated by `Authorization: Bearer <token>` (scripts) or
//! by the `govhall_session` cookie (browsers). Both hold a random secret whose
//! SHA-256 is what the database stores. Requests that change something and
//! ride on the cookie must also prove they come from our own pages: API calls
//! send the session's CSRF token in `X-CSRF-Token`, form posts in a hidden
//! `csrf_token` field.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::access::{Actor, Grant, Permission, authorize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use store::User;

pub const SESSION_COOKIE: &str = "govhall_session";
pub const LOGIN_CSRF_COOKIE: &str = "govhall_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A working day and a bit: staff sign in each morning.
pub const SESSION_TTL: Duration = Duration::hours(12);
pub const TOKEN_TTL: Duration = Duration::days(30);

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a password against a stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A fresh 256-bit secret, URL-safe.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    /// The session's CSRF token; `None` when the caller used an API token.
    pub csrf: Option<String>,
}

impl AuthUser {
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }

    /// The permission, scoped to the caller's departments, or 403.
    pub fn grant(&self, permission: Permission) -> AppResult<Grant> {
        Ok(authorize(&self.actor(), permission)?)
    }

    pub fn can(&self, permission: Permission) -> bool {
        authorize(&self.actor(), permission).is_ok()
    }

    /// Checks the token a form posted against the session's.
    pub fn check_csrf(&self, posted: &str) -> AppResult<()> {
        match &self.csrf {
            Some(expected) if same_secret(expected, posted) => Ok(()),
            Some(_) => Err(AppError::Csrf),
            // Token callers cannot be driven by another site's page.
            None => Ok(()),
        }
    }
}

/// The caller, if any credentials came with the request. Wrong credentials are
/// an error (401), not an anonymous call.
async fn resolve(parts: &mut Parts, state: &AppState) -> AppResult<Option<AuthUser>> {
    let now = state.clock.now();
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| AppError::Unauthorized)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(AppError::Unauthorized)?;
        let user = state
            .store
            .user_for_token(&secret_hash(token.trim()), now)
            .await?;
        return user
            .map(|user| Some(AuthUser { user, csrf: None }))
            .ok_or(AppError::Unauthorized);
    }
    let jar = CookieJar::from_headers(&parts.headers);
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Some(session) = state
            .store
            .session(&secret_hash(cookie.value()), now)
            .await?
    {
        return Ok(Some(AuthUser {
            user: session.user,
            csrf: Some(session.csrf_token),
        }));
    }
    Ok(None)
}

/// An optional caller for pages and public endpoints.
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(cached) = parts.extensions.get::<Option<AuthUser>>() {
            return Ok(Self(cached.clone()));
        }
        let user = resolve(parts, state).await?;
        parts.extensions.insert(user.clone());
        Ok(Self(user))
    }
}

/// A required caller for the JSON API: 401 without credentials; cookie
/// callers must send the CSRF header on anything but reads.
pub struct ApiUser(pub AuthUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        let user = user.ok_or(AppError::Unauthorized)?;
        check_csrf_header(parts, &user)?;
        Ok(Self(user))
    }
}

/// Cookie callers must send the page's CSRF token on anything but reads.
fn check_csrf_header(parts: &Parts, user: &AuthUser) -> AppResult<()> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    user.check_csrf(sent)
}

impl OptionalFromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        // An endpoint open to anonymous callers still must not let another
        // site act with a signed-in browser's cookie.
        if let Some(user) = &user {
            check_csrf_header(parts, user)?;
        }
        Ok(user.map(ApiUser))
    }
}

/// A required caller for back-office pages: without a session the browser is
/// sent to the login page and comes back afterwards.
pub struct PageUser(pub AuthUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await {
            Ok(MaybeUser(Some(user))) => Ok(Self(user)),
            Ok(MaybeUser(None)) | Err(AppError::Unauthorized) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/admin");
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(e) => Err(crate::pages::PageError::from(e).into_response()),
        }
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only same-site relative paths may be a post-login destination.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/admin".to_string(),
    }
}

/// Builds the session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_duration(SESSION_TTL))
        .build()
}

pub fn login_csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/login")
        .max_age(time_duration(Duration::hours(2)))
        .build()
}

fn time_duration(d: Duration) -> cookie::time::Duration {
    cookie::time::Duration::seconds(d.num_seconds())
}

/// Checks a username and password, counting failures against the limiter.
pub async fn check_credentials(
    state: &AppState,
    username: &str,
    password: &str,
    ip: IpAddr,
) -> AppResult<User> {
    let now = state.clock.now();
    let keys = [
        format!("user:{}", username.trim().to_lowercase()),
        format!("ip:{ip}"),
    ];
    state.limiter.check(&keys, now)?;
    let found = state.store.user_with_password(username.trim()).await?;
    let password = password.to_string();
    let (user, ok) = match found {
        Some((user, hash)) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .map_err(|e| anyhow::anyhow!("verifying password: {e}"))?;
            (Some(user), ok)
        }
        None => {
            // Spend the same time as for a real user so timing does not reveal which names exist.
            let dummy = state.dummy_hash.clone();
            tokio::task::spawn_blocking(move || verify_password(&password, &dummy))
                .await
                .map_err(|e| anyhow::anyhow!("verifying password: {e}"))?;
            (None, false)
        }
    };
    match user {
        Some(user) if ok && user.active => {
            state.limiter.clear(&keys[0]);
            Ok(user)
        }
        _ => {
            state.limiter.record_failure(&keys, now);
            tracing::info!(username = %mask_username(username), %ip, "failed login");
            Err(AppError::BadCredentials)
        }
    }
}

fn mask_username(u: &str) -> String {
    domain::identity::mask_middle(u.trim(), 2, 0)
}

/// Opens a browser session; returns the secret for the cookie.
pub async fn open_session(state: &AppState, user: &User) -> AppResult<String> {
    let now = state.clock.now();
    let secret = new_secret();
    state
        .store
        .create_session(
            &secret_hash(&secret),
            user.id,
            &new_secret(),
            now,
            now + SESSION_TTL,
        )
        .await?;
    Ok(secret)
}

/// Counts failed logins per key in a sliding window, so guessing is slow.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

const WINDOW: Duration = Duration::minutes(15);

fn limit_for(key: &str) -> usize {
    // One address may serve a whole hall (NAT), so it gets more attempts than one account.
    if key.starts_with("ip:") { 30 } else { 5 }
}

impl LoginLimiter {
    pub fn check(&self, keys: &[String], now: DateTime<Utc>) -> AppResult<()> {
        let mut map = self.failures.lock().expect("limiter lock");
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| now - *t < WINDOW);
                if times.len() >= limit_for(key) {
                    return Err(AppError::RateLimited);
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, keys: &[String], now: DateTime<Utc>) {
        let mut map = self.failures.lock().expect("limiter lock");
        for key in keys {
            map.entry(key.clone()).or_default().push(now);
        }
        // Forget keys whose failures have all aged out, so the map stays small.
        map.retain(|_, times| times.iter().any(|t| now - *t < WINDOW));
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("limiter lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("govhall-demo").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("govhall-demo", &h));
        assert!(!verify_password("govhall-dem0", &h));
        assert!(!verify_password("govhall-demo", "not a hash"));
    }

    #[test]
    fn the_limiter_blocks_after_five_failures_for_fifteen_minutes() {
        let l = LoginLimiter::default();
        let t0 = DateTime::parse_from_rfc3339("2026-09-30T09:00:00+08:00")
            .unwrap()
            .to_utc();
        let keys = ["user:clerk".to_string(), "ip:127.0.0.1".to_string()];
        for i in 0..5 {
            assert!(l.check(&keys, t0 + Duration::seconds(i)).is_ok());
            l.record_failure(&keys, t0 + Duration::seconds(i));
        }
        assert!(matches!(
            l.check(&keys, t0 + Duration::minutes(1)),
            Err(AppError::RateLimited)
        ));
        assert!(
            l.check(&keys, t0 + Duration::minutes(15) + Duration::seconds(5))
                .is_ok()
        );
    }

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/admin/items")), "/admin/items");
        assert_eq!(safe_next(Some("//evil.example")), "/admin");
        assert_eq!(safe_next(Some("https://evil.example")), "/admin");
        assert_eq!(safe_next(None), "/admin");
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret();
        assert_ne!(a, new_secret());
        assert_eq!(secret_hash(&a).len(), 64);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, "x"));
    }
}
