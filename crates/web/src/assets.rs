//! Static files compiled into the binary: the stylesheet and the small
//! scripts. Nothing is loaded from the internet (halls run on closed intranets).

use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../static/govhall.css");
const SEARCH_JS: &str = include_str!("../static/search.js");
const EDITOR_JS: &str = include_str!("../static/editor.js");
const APPLICANT_CSS: &str = include_str!("../static/applicant.css");
const APPLICANT_JS: &str = include_str!("../static/applicant.js");
const DESK_CSS: &str = include_str!("../static/desk.css");
const DESK_JS: &str = include_str!("../static/desk.js");
const DASHBOARD_CSS: &str = include_str!("../static/dashboard.css");
const DASHBOARD_JS: &str = include_str!("../static/dashboard.js");
const HALL_CSS: &str = include_str!("../static/hall.css");
const QUEUE_CSS: &str = include_str!("../static/queue.css");
const QUEUE_JS: &str = include_str!("../static/queue.js");
const NAV_JS: &str = include_str!("../static/nav.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/govhall.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/search.js",
            get(|| async { asset("text/javascript; charset=utf-8", SEARCH_JS) }),
        )
        .route(
            "/static/editor.js",
            get(|| async { asset("text/javascript; charset=utf-8", EDITOR_JS) }),
        )
        .route(
            "/static/applicant.css",
            get(|| async { asset("text/css; charset=utf-8", APPLICANT_CSS) }),
        )
        .route(
            "/static/applicant.js",
            get(|| async { asset("text/javascript; charset=utf-8", APPLICANT_JS) }),
        )
        .route(
            "/static/desk.css",
            get(|| async { asset("text/css; charset=utf-8", DESK_CSS) }),
        )
        .route(
            "/static/desk.js",
            get(|| async { asset("text/javascript; charset=utf-8", DESK_JS) }),
        )
        .route(
            "/static/dashboard.css",
            get(|| async { asset("text/css; charset=utf-8", DASHBOARD_CSS) }),
        )
        .route(
            "/static/dashboard.js",
            get(|| async { asset("text/javascript; charset=utf-8", DASHBOARD_JS) }),
        )
        .route(
            "/static/hall.css",
            get(|| async { asset("text/css; charset=utf-8", HALL_CSS) }),
        )
        .route(
            "/static/queue.css",
            get(|| async { asset("text/css; charset=utf-8", QUEUE_CSS) }),
        )
        .route(
            "/static/queue.js",
            get(|| async { asset("text/javascript; charset=utf-8", QUEUE_JS) }),
        )
        .route(
            "/static/nav.js",
            get(|| async { asset("text/javascript; charset=utf-8", NAV_JS) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
