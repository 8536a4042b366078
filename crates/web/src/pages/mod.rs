//! Server-rendered pages (Chinese UI): the public service guides and the
//! back office. Every page extends `base.html` and gets its header, user menu,
//! CSRF token and footer clock from [`Chrome`].

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::access::{Permission, Role};

mod admin;
mod applicant;
mod complaints;
mod dashboard;
mod desk;
mod hall;
mod nav;
mod public;
mod queue;
mod ratings;
mod reports;
mod rooms;
mod scoring;
mod staff;
mod supervision;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(admin::router())
        .merge(applicant::router())
        .merge(desk::router())
        .merge(supervision::router())
        .merge(ratings::router())
        .merge(complaints::router())
        .merge(scoring::router())
        .merge(staff::router())
        .merge(reports::router())
        .merge(rooms::router())
        .merge(dashboard::router())
        .merge(hall::router())
        .merge(queue::router())
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub center_name: String,
    pub center_address: String,
    pub center_phone: String,
    pub complaint_phone: String,
    pub hours: String,
    pub user: Option<UserView>,
    pub csrf: String,
    pub now_text: String,
    pub simulated: bool,
    /// Which top navigation entry is current: a key of [`nav`].
    pub nav: &'static str,
    /// The navigation's menus for this user, the current one marked.
    pub menus: Vec<nav::NavMenu>,
}

#[derive(Debug, Clone)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub role_name: String,
    pub is_staff: bool,
    pub is_admin: bool,
    pub can_edit: bool,
    pub can_reports: bool,
    /// Department staff who work cases (clerk, approver, chief representative).
    pub handles_cases: bool,
}

impl UserView {
    pub fn of(u: &AuthUser) -> UserView {
        UserView {
            username: u.user.username.clone(),
            display_name: if u.user.display_name.is_empty() {
                u.user.username.clone()
            } else {
                u.user.display_name.clone()
            },
            role_name: u.user.role.label().into(),
            is_staff: u.user.role.is_staff(),
            is_admin: u.user.role == Role::Admin,
            can_edit: u.can(Permission::EditItems),
            can_reports: u.can(Permission::ViewReports),
            handles_cases: u.user.role.needs_department(),
        }
    }
}

impl Chrome {
    pub async fn new(
        state: &AppState,
        user: Option<&AuthUser>,
        title: &str,
        nav: &'static str,
    ) -> Chrome {
        // A page must render even when the center cannot be read; the footer then stays generic.
        debug_assert!(nav::is_known_key(nav), "unknown navigation key {nav:?}");
        let center = state.store.home_center().await.ok().flatten();
        let now = state.clock.now_local();
        Chrome {
            title: title.to_string(),
            center_name: center
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "政务服务中心".into()),
            center_address: center
                .as_ref()
                .map(|c| c.address.clone())
                .unwrap_or_default(),
            center_phone: center.as_ref().map(|c| c.phone.clone()).unwrap_or_default(),
            complaint_phone: center
                .as_ref()
                .map(|c| c.complaint_phone.clone())
                .unwrap_or_default(),
            hours: center.map(|c| c.hours).unwrap_or_default(),
            user: user.map(UserView::of),
            csrf: user.and_then(|u| u.csrf.clone()).unwrap_or_default(),
            now_text: now.format("%Y-%m-%d %H:%M").to_string(),
            simulated: state.clock.is_simulated(),
            nav,
            menus: nav::menus(user.map(|u| u.actor()).as_ref(), nav),
        }
    }

    /// A minimal frame for error pages, which must not fail themselves.
    fn bare(title: &str) -> Chrome {
        Chrome {
            title: title.into(),
            center_name: "政务服务中心".into(),
            center_address: String::new(),
            center_phone: String::new(),
            complaint_phone: String::new(),
            hours: String::new(),
            user: None,
            csrf: String::new(),
            now_text: String::new(),
            simulated: false,
            nav: "",
            menus: nav::menus(None, ""),
        }
    }
}

/// Renders a template, turning a template failure into a 500.
pub fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError(AppError::Internal(anyhow::anyhow!("template: {e}"))))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    message: String,
}

/// An error shown as a page rather than as JSON.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = ?self.0, "page failed");
        }
        let message = match &self.0 {
            AppError::NotFound(_) => "您要找的页面不存在，或该事项尚未发布。".to_string(),
            AppError::Forbidden => "您的账号没有访问此页面的权限。".to_string(),
            other => other.body().message,
        };
        let page = ErrorPage {
            chrome: Chrome::bare("出错了"),
            status: status.as_u16(),
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, "出错了").into_response(),
        }
    }
}

pub type PageResult<T = Html<String>> = Result<T, PageError>;

/// A posted form's fields by name.
pub(crate) type Fields = axum::extract::Form<std::collections::HashMap<String, String>>;

/// A posted field, empty when absent.
pub(crate) fn field<'a>(f: &'a std::collections::HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map_or("", |s| s.as_str())
}

/// The status and the Chinese lines of a refusal a form shows again (bad
/// input, a conflict); any other error becomes the error page.
pub(crate) fn refusal(e: AppError) -> Result<(axum::http::StatusCode, Vec<String>), PageError> {
    let status = e.status();
    match e {
        AppError::Invalid(errors) => {
            Ok((status, errors.0.into_iter().map(|e| e.message).collect()))
        }
        e @ (AppError::Conflict { .. } | AppError::BadRequest { .. }) => {
            Ok((status, vec![e.body().message]))
        }
        other => Err(other.into()),
    }
}

/// Askama filters shared by the templates.
pub(crate) mod filters {
    /// Fen to yuan with two decimals: 1050 -> "10.50".
    #[askama::filter_fn]
    pub fn yuan(fen: &i64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(format!("{}.{:02}", fen / 100, fen % 100))
    }
}
