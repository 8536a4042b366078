//! The JSON API under `/api/v1`, one module per resource, described by an
//! OpenAPI document generated from the handlers themselves.

use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub(crate) mod appointments;
mod auth;
pub(crate) mod calendar;
pub(crate) mod cases;
mod centers;
pub(crate) mod complaints;
pub(crate) mod dashboard;
mod departments;
pub(crate) mod halls;
mod health;
pub(crate) mod items;
pub(crate) mod queue;
pub(crate) mod ratings;
pub(crate) mod reports;
pub(crate) mod rooms;
pub(crate) mod scoring;
pub(crate) mod staff;
pub(crate) mod supervision;
pub(crate) use reports::sheet_error;
pub(crate) mod users;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "govhall API",
        description = "政务服务中心一体化平台 JSON API. Errors are `{\"code\", \"message\", \"field\"}` with a Chinese message. \
            Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "登录与令牌"),
        (name = "catalogue", description = "部门、事项与办事指南"),
        (name = "cases", description = "办件：申报、受理、办理、办结、送达与公开查询"),
        (name = "calendar", description = "工作日历与期限计算"),
        (name = "supervision", description = "电子监察：预警、违规、督办与预警设置"),
        (name = "ratings", description = "好差评：评价、差评整改、申诉复核与公示"),
        (name = "complaints", description = "投诉与12345诉求：登记、导入、交办、答复、回访"),
        (name = "scoring", description = "绩效考核：考核方案、月度与季度考核、红旗窗口与先进个人、得分解释"),
        (name = "staff", description = "工作人员：花名册、首席代表与分管领导、AB岗、换岗审批、授权矩阵、考勤"),
        (name = "reports", description = "报表"),
        (name = "rooms", description = "共享功能室：会议室、档案室、专家评审室、开标室、评标室的预约与审批"),
        (name = "hall", description = "大厅与窗口"),
        (name = "queue", description = "排队叫号：取号、窗口叫号、大厅显示屏与统计"),
        (name = "appointments", description = "预约：时段、预约与取消、签到、延时与周末服务"),
        (name = "admin", description = "用户管理"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Browser session; unsafe methods also need the X-CSRF-Token header",
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(calendar::router())
        .merge(cases::router())
        .merge(centers::router())
        .merge(complaints::router())
        .merge(dashboard::router())
        .merge(departments::router())
        .merge(halls::router())
        .merge(items::router())
        .merge(queue::router())
        .merge(appointments::router())
        .merge(ratings::router())
        .merge(reports::router())
        .merge(rooms::router())
        .merge(scoring::router())
        .merge(staff::router())
        .merge(supervision::router())
        .merge(users::router())
}

/// The OpenAPI document and Swagger UI (its files are compiled in: no CDN).
pub fn docs(openapi: utoipa::openapi::OpenApi) -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi))
}

/// `axum::Json` whose rejections speak our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::bad_request(
                "request.content_type",
                None,
                "请求体应为JSON（Content-Type: application/json）",
            )),
            Err(JsonRejection::JsonDataError(e)) => {
                let detail = e.body_text();
                let field = detail
                    .split(':')
                    .next()
                    .filter(|f| !f.contains(' '))
                    .map(str::to_string);
                Err(AppError::Invalid(
                    domain::FieldError::new(
                        "request.invalid_field",
                        field.clone().unwrap_or_default(),
                        format!(
                            "字段{}的类型或取值不正确",
                            field.map(|f| format!("“{f}”")).unwrap_or_default()
                        ),
                    )
                    .into(),
                ))
            }
            Err(_) => Err(AppError::bad_request(
                "request.invalid_json",
                None,
                "请求体不是有效的JSON",
            )),
        }
    }
}

/// `axum::extract::Query` whose rejections speak our error format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                // axum reports "Failed to deserialize query string: FIELD: why";
                // keep the field name and replace serde's English.
                let detail = e.body_text();
                let field = detail
                    .trim_start_matches("Failed to deserialize query string:")
                    .trim()
                    .split(':')
                    .next()
                    .filter(|f| !f.is_empty() && !f.contains(' '))
                    .map(str::to_string);
                Err(AppError::bad_request(
                    "request.invalid_query",
                    field.as_deref(),
                    match &field {
                        Some(f) => format!("查询参数“{f}”的取值不正确"),
                        None => "查询参数不正确".to_string(),
                    },
                ))
            }
            Err(_) => Err(AppError::bad_request(
                "request.invalid_query",
                None,
                "查询参数不正确",
            )),
        }
    }
}
