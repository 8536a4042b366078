//! The web boundary's one error type.
//!
//! 4xx answers carry a stable machine `code`, a Chinese `message` for people
//! and, when one field is to blame, its name: `{"code","message","field"}`.
//! 5xx answers are logged with their cause and show nothing of it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ValidationErrors;
use serde::Serialize;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthorized,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    /// Forbidden, with the reason in Chinese (a case rule naming who may act).
    #[error("forbidden: {0}")]
    Denied(String),
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("too many attempts")]
    RateLimited,
    #[error("too many wrong query codes")]
    InquiryLimited,
    #[error("bad request {code}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("invalid: {0}")]
    Invalid(ValidationErrors),
    /// Extra detail for an invalid import: which rows are wrong.
    #[error("invalid rows")]
    InvalidRows {
        message: String,
        rows: Vec<RowError>,
    },
    #[error("conflict {code}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// One row of an import that cannot be taken.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `item.promised_exceeds_legal`.
    pub code: String,
    /// Chinese explanation for people.
    pub message: String,
    /// The field to blame, when there is one (`materials[2].name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field problem, for forms that show them all at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<domain::FieldError>,
    /// Every bad row of an import.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowError>,
}

impl AppError {
    pub fn bad_request(
        code: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    pub fn denied(why: impl Into<String>) -> Self {
        Self::Denied(why.into())
    }

    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(domain::FieldError::new(code, field, message).into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Denied(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::RateLimited | Self::InquiryLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Invalid(_) | Self::InvalidRows { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let simple = |code: &str, message: &str| ErrorBody {
            code: code.into(),
            message: message.into(),
            field: None,
            errors: Vec::new(),
            rows: Vec::new(),
        };
        match self {
            Self::Unauthorized => simple("auth.required", "请先登录"),
            Self::BadCredentials => simple("auth.invalid_credentials", "用户名或密码错误"),
            Self::Forbidden => simple("auth.forbidden", "您的角色无权执行此操作"),
            Self::Denied(why) => simple("auth.forbidden", why),
            Self::Csrf => simple("auth.csrf", "页面已过期或请求来源不明，请刷新页面后重试"),
            Self::NotFound(what) => simple(&format!("{what}.not_found"), "未找到请求的内容"),
            Self::RateLimited => simple("auth.rate_limited", "登录失败次数过多，请15分钟后再试"),
            Self::InquiryLimited => simple(
                "case.inquiry_limited",
                "该办件编号的查询失败次数过多，请15分钟后再试，或携带身份证件到窗口查询",
            ),
            Self::BadRequest {
                code,
                message,
                field,
            }
            | Self::Conflict {
                code,
                message,
                field,
            } => ErrorBody {
                field: field.clone(),
                ..simple(code, message)
            },
            Self::Invalid(errors) => {
                let first = errors
                    .first()
                    .cloned()
                    .unwrap_or_else(|| domain::FieldError::new("invalid", "", "输入无效"));
                ErrorBody {
                    code: first.code.into(),
                    message: first.message,
                    field: Some(first.field),
                    errors: errors.0.clone(),
                    rows: Vec::new(),
                }
            }
            Self::InvalidRows { message, rows } => ErrorBody {
                rows: rows.clone(),
                ..simple("import.rows_invalid", message)
            },
            Self::Internal(_) => simple("internal", "服务器内部错误，请稍后重试"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        (self.status(), Json(self.body())).into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound("resource"),
            StoreError::Case(domain::case::CaseError::Invalid(errors)) => Self::Invalid(errors),
            StoreError::Case(domain::case::CaseError::Forbidden(why)) => Self::Denied(why),
            StoreError::Case(domain::case::CaseError::Conflict { code, message }) => {
                Self::Conflict {
                    code,
                    message,
                    field: None,
                }
            }
            StoreError::Invalid(errors) => Self::Invalid(errors),
            StoreError::Conflict {
                code: "auth.forbidden",
                ..
            } => Self::Forbidden,
            // A reference to something that does not exist is bad input for that field.
            StoreError::Conflict {
                code,
                message,
                field: Some(field),
            } if code.ends_with("not_found") => {
                Self::Invalid(domain::FieldError::new(code, field, message).into())
            }
            StoreError::Conflict {
                code,
                message,
                field,
            } => Self::Conflict {
                code,
                message,
                field,
            },
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<domain::access::AccessDenied> for AppError {
    fn from(_: domain::access::AccessDenied) -> Self {
        Self::Forbidden
    }
}

pub type AppResult<T> = Result<T, AppError>;
