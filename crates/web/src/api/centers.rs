//! Centers of the four-level network (read-only over the API for now; the
//! tree is created by `govhall demo` or an administrator's script).

use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_centers))
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
    address: String,
    phone: String,
    complaint_phone: String,
    hours: String,
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
        .map(|c| CenterDto {
            id: c.id,
            parent_id: c.parent_id,
            level: c.level.code().into(),
            level_name: c.level.label().into(),
            name: c.name,
            short_name: c.short_name,
            address: c.address,
            phone: c.phone,
            complaint_phone: c.complaint_phone,
            hours: c.hours,
        })
        .collect();
    Ok(Json(CenterList { centers }))
}
