//! API tokens and the caller's own identity.

use crate::api::ApiJson;
use crate::auth::{ApiUser, TOKEN_TTL, check_credentials, new_secret, secret_hash};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    token: String,
    /// RFC 3339.
    expires_at: String,
}

/// Exchanges a username and password for an API token (valid 30 days).
/// Failed attempts are rate-limited per account and per address.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 201, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<(StatusCode, Json<TokenResponse>)> {
    if req.username.trim().is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "username",
            "用户名不能为空",
        ));
    }
    let user = check_credentials(&state, &req.username, &req.password, peer.ip()).await?;
    let now = state.clock.now();
    let token = new_secret();
    let expires_at = now + TOKEN_TTL;
    state
        .store
        .create_api_token(&secret_hash(&token), user.id, now, expires_at)
        .await?;
    tracing::info!(user = %user.username, "API token issued");
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            expires_at: crate::clock::rfc3339_local(expires_at),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    username: String,
    display_name: String,
    role: String,
    role_name: String,
    department_id: Option<i64>,
}

/// Who the credentials belong to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(user): ApiUser) -> Json<Me> {
    let u = user.user;
    Json(Me {
        username: u.username,
        display_name: u.display_name,
        role: u.role.code().into(),
        role_name: u.role.label().into(),
        department_id: u.department_id,
    })
}
