//! Centers of the four-level network (市/县 政务服务中心, 乡镇便民服务中心, 村便民服务室).

use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::access::Permission;
use domain::center::{CenterInput, NewCenter};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_centers, create_center))
}

#[derive(Serialize, ToSchema)]
pub struct CenterDto {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    short_name: String,
    /// `city`, `county`, `township` or `village`.
    level: String,
    level_name: String,
    region_code: String,
    address: String,
    phone: String,
    complaint_phone: String,
    hours: String,
}

impl From<store::Center> for CenterDto {
    fn from(c: store::Center) -> Self {
        Self {
            id: c.id,
            parent_id: c.parent_id,
            level: c.level.code().into(),
            level_name: c.level.label().into(),
            name: c.name,
            short_name: c.short_name,
            region_code: c.region_code,
            address: c.address,
            phone: c.phone,
            complaint_phone: c.complaint_phone,
            hours: c.hours,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CenterList {
    centers: Vec<CenterDto>,
}

/// All centers; `parent_id` links them into the tree.
#[utoipa::path(get, path = "/api/v1/centers", tag = "catalogue", responses((status = 200, body = CenterList)))]
async fn list_centers(State(state): State<AppState>) -> AppResult<Json<CenterList>> {
    let centers = state
        .store
        .list_centers()
        .await?
        .into_iter()
        .map(CenterDto::from)
        .collect();
    Ok(Json(CenterList { centers }))
}

/// Creates a center (administrators). A child sits exactly one level below its parent.
#[utoipa::path(post, path = "/api/v1/centers", tag = "catalogue", request_body = CenterInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = CenterDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_center(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<CenterInput>,
) -> AppResult<(StatusCode, Json<CenterDto>)> {
    let grant = user.grant(Permission::ManageDepartments)?;
    let new = NewCenter::parse(&input)?;
    let c = state
        .store
        .create_center(&grant, &new, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}
