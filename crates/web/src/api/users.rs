//! Accounts (administrators).

use crate::api::ApiJson;
use crate::auth::{ApiUser, hash_password};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::access::{Permission, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, create_user))
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    role_name: &'static str,
    department_id: Option<i64>,
    active: bool,
}

impl From<store::User> for UserDto {
    fn from(u: store::User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.code(),
            role_name: u.role.label(),
            department_id: u.department_id,
            active: u.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    users: Vec<UserDto>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<UserList>> {
    user.grant(Permission::ManageUsers)?;
    Ok(Json(UserList {
        users: state
            .store
            .list_users()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// applicant, clerk, approver, chief_rep, admin, supervisor or leader.
    pub role: String,
    /// Required for clerk, approver and chief_rep.
    pub department_id: Option<i64>,
}

/// Checks a new account's fields; shared by the API, the admin page and the CLI.
pub fn parse_new_user(req: &NewUserRequest) -> AppResult<(String, Role)> {
    let username = req.username.trim().to_string();
    let len = username.chars().count();
    if !(2..=50).contains(&len)
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(AppError::invalid(
            "user.username_invalid",
            "username",
            "用户名应为2到50位字母、数字、下划线、点或连字符",
        ));
    }
    let role = Role::parse(&req.role)
        .ok_or_else(|| AppError::invalid("user.role_invalid", "role", "角色无效"))?;
    if req.password.chars().count() < 8 {
        return Err(AppError::invalid(
            "user.password_too_short",
            "password",
            "密码至少8位",
        ));
    }
    if role.needs_department() && req.department_id.is_none() {
        return Err(AppError::invalid(
            "user.department_required",
            "department_id",
            format!("{}必须属于一个部门", role.label()),
        ));
    }
    Ok((username, role))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUserRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> AppResult<(StatusCode, Json<UserDto>)> {
    user.grant(Permission::ManageUsers)?;
    let (username, role) = parse_new_user(&req)?;
    let password = req.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))??;
    let created = state
        .store
        .create_user(
            &store::NewUser {
                username,
                display_name: req.display_name.trim().to_string(),
                password_hash,
                role,
                department_id: if role.needs_department() {
                    req.department_id
                } else {
                    None
                },
            },
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}
