//! Departments stationed in the center (进驻单位).

use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::Permission;
use domain::center::{DepartmentInput, NewDepartment};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(get_department, update_department))
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentDto {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    pub short_name: String,
    /// 统一社会信用代码 (GB 32100).
    pub credit_code: String,
    pub phone: String,
    pub window_count: i64,
}

impl From<store::Department> for DepartmentDto {
    fn from(d: store::Department) -> Self {
        Self {
            id: d.id,
            center_id: d.center_id,
            name: d.name,
            short_name: d.short_name,
            credit_code: d.credit_code,
            phone: d.phone,
            window_count: d.window_count,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentList {
    departments: Vec<DepartmentDto>,
    total: usize,
}

/// Every department (public: the guides name them).
#[utoipa::path(get, path = "/api/v1/departments", tag = "catalogue", responses((status = 200, body = DepartmentList)))]
async fn list_departments(State(state): State<AppState>) -> AppResult<Json<DepartmentList>> {
    let departments: Vec<DepartmentDto> = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .map(DepartmentDto::from)
        .collect();
    Ok(Json(DepartmentList {
        total: departments.len(),
        departments,
    }))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "catalogue",
    responses((status = 200, body = DepartmentDto), (status = 404, body = ErrorBody)))]
async fn get_department(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<DepartmentDto>> {
    let d = state
        .store
        .department(id)
        .await?
        .ok_or(AppError::NotFound("department"))?;
    Ok(Json(d.into()))
}

/// Creates a department (administrators). The credit code is checked per GB 32100.
#[utoipa::path(post, path = "/api/v1/departments", tag = "catalogue", request_body = DepartmentInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = DepartmentDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_department(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> AppResult<(StatusCode, Json<DepartmentDto>)> {
    let grant = user.grant(Permission::ManageDepartments)?;
    let new = NewDepartment::parse(&input)?;
    let d = state
        .store
        .create_department(&grant, &new, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// Changes a department (administrators).
#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "catalogue", request_body = DepartmentInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DepartmentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_department(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> AppResult<Json<DepartmentDto>> {
    let grant = user.grant(Permission::ManageDepartments)?;
    let new = NewDepartment::parse(&input)?;
    let d = state
        .store
        .update_department(&grant, id, &new, state.clock.now())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("department"),
            e => e.into(),
        })?;
    Ok(Json(d.into()))
}
