//! Liveness and readiness.

use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
    /// The server clock, Beijing time.
    now: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz))
}

/// The server is up and its database answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
async fn healthz(State(state): State<AppState>) -> AppResult<Json<Health>> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok",
        database: match state.store.backend() {
            store::Backend::Sqlite => "sqlite",
            store::Backend::Postgres => "postgres",
        },
        now: state.clock.now_local().to_rfc3339(),
    }))
}
