//! Public pages: the service-guide search, a guide, login and logout.

use super::{Chrome, PageResult, filters, render};
use crate::api::items::{ItemListEntry, ItemQuery, search_published};
use crate::auth::{
    LOGIN_CSRF_COOKIE, MaybeUser, SESSION_COOKIE, check_credentials, login_csrf_cookie, new_secret,
    open_session, safe_next, same_secret, secret_hash, session_cookie,
};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::access::Permission;
use domain::catalogue::{ItemContent, ItemType};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/items/{id}", get(item_page))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

/// Query parameters as a browser sends them: everything may be an empty string.
#[derive(Deserialize, Default)]
struct HomeQuery {
    q: Option<String>,
    department_id: Option<String>,
    item_type: Option<String>,
    online: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    q: String,
    departments: Vec<(i64, String, bool)>,
    item_types: Vec<(&'static str, &'static str, bool)>,
    online: bool,
    items: Vec<ItemListEntry>,
    total: usize,
    page: usize,
    pages: usize,
    prev_link: Option<String>,
    next_link: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(hq): Query<HomeQuery>,
) -> PageResult {
    let department_id = hq
        .department_id
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok());
    let item_type = hq
        .item_type
        .as_deref()
        .and_then(ItemType::parse)
        .map(|t| t.code().to_string());
    let online = hq.online.as_deref() == Some("true");
    let q = ItemQuery {
        q: hq.q.clone(),
        department_id,
        item_type: item_type.clone(),
        online: online.then_some(true),
        page: hq.page.as_deref().and_then(|p| p.parse().ok()),
        per_page: Some(20),
    };
    let list = search_published(&state, &q).await?;
    let pages = list.total.div_ceil(list.per_page).max(1);
    let text = hq.q.clone().unwrap_or_default();
    let link = |page: usize| {
        let mut p: Vec<String> = Vec::new();
        if let Some(q) = Some(text.as_str()).filter(|q| !q.is_empty()) {
            p.push(format!("q={}", crate::auth::urlencode(q)));
        }
        if let Some(d) = department_id {
            p.push(format!("department_id={d}"));
        }
        if let Some(t) = &item_type {
            p.push(format!("item_type={t}"));
        }
        if online {
            p.push("online=true".into());
        }
        p.push(format!("page={page}"));
        format!("/?{}", p.join("&"))
    };
    let departments = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .map(|d| (d.id, d.short_name, Some(d.id) == department_id))
        .collect();
    let item_types = ItemType::ALL
        .iter()
        .filter(|t| t.is_on_application())
        .map(|t| (t.code(), t.label(), Some(t.code()) == item_type.as_deref()))
        .collect();
    render(&Home {
        chrome: Chrome::new(&state, user.as_ref(), "办事指南", "guide").await,
        q: text.clone(),
        departments,
        item_types,
        online,
        total: list.total,
        page: list.page,
        pages,
        prev_link: (list.page > 1).then(|| link(list.page - 1)),
        next_link: (list.page < pages).then(|| link(list.page + 1)),
        items: list.items,
    })
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    chrome: Chrome,
    id: i64,
    c: ItemContent,
    department_name: String,
    version_no: i64,
    published_text: Option<String>,
    preview: bool,
    /// 去哪儿办: the item's windows in the hall (none for a draft preview).
    place: Option<crate::api::halls::WhereToGo>,
}

#[derive(Deserialize)]
struct PreviewQuery {
    preview: Option<String>,
}

/// A published guide; staff may preview the draft with `?preview=draft`.
async fn item_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    Query(pq): Query<PreviewQuery>,
) -> PageResult {
    let preview = pq.preview.as_deref() == Some("draft");
    let version = if preview {
        let user = user.as_ref().ok_or(AppError::NotFound("item"))?;
        let grant = user.grant(Permission::ReadCatalogue)?;
        state.store.item(&grant, id).await?.current().clone()
    } else {
        state
            .store
            .published_item(id)
            .await?
            .ok_or(AppError::NotFound("item"))?
    };
    let department = state
        .store
        .department(version.content.department_id)
        .await?;
    let tz = crate::clock::shanghai();
    let place = if version.published_at.is_some() {
        Some(crate::api::halls::item_places(&state, id).await?)
    } else {
        None
    };
    render(&ItemPage {
        place,
        chrome: Chrome::new(&state, user.as_ref(), &version.content.name, "guide").await,
        id,
        department_name: department.map(|d| d.name).unwrap_or_default(),
        version_no: version.version_no,
        published_text: version
            .published_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string()),
        preview: version.published_at.is_none(),
        c: version.content,
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    login_csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
    Query(nq): Query<NextQuery>,
) -> Result<Response, super::PageError> {
    let next = safe_next(nq.next.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    // A login-form token bound to a cookie (double submit): another site cannot log a browser in.
    let token = new_secret();
    let jar = jar.add(login_csrf_cookie(
        token.clone(),
        state.settings.secure_cookies,
    ));
    let page = render(&LoginPage {
        chrome: Chrome::new(&state, None, "登录", "login").await,
        login_csrf: token,
        next,
        username: String::new(),
        error: None,
    })?;
    Ok((jar, page).into_response())
}

/// Missing fields read as empty so that the handler answers in Chinese
/// (CSRF check, field validation) instead of axum's English 422.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, super::PageError> {
    let next = safe_next(form.next.as_deref());
    let cookie_token = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if cookie_token.is_empty() || !same_secret(&cookie_token, &form.csrf_token) {
        return Err(AppError::Csrf.into());
    }
    match check_credentials(&state, &form.username, &form.password, peer.ip()).await {
        Ok(user) => {
            let secret = open_session(&state, &user).await?;
            tracing::info!(user = %user.username, "signed in");
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login"))
                .add(session_cookie(secret, state.settings.secure_cookies));
            // Applicants have no back office: they land on their own cases
            // unless they were on their way to a public page (an application form).
            let target = if user.role.is_staff() || !next.starts_with("/admin") {
                next
            } else {
                "/my/cases".to_string()
            };
            Ok((jar, Redirect::to(&target)).into_response())
        }
        Err(e @ (AppError::BadCredentials | AppError::RateLimited)) => {
            let status = e.status();
            let page = render(&LoginPage {
                chrome: Chrome::new(&state, None, "登录", "login").await,
                login_csrf: cookie_token,
                next,
                username: form.username,
                error: Some(e.body().message),
            })?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Missing fields read as empty so that the handler answers in Chinese
/// (CSRF check, field validation) instead of axum's English 422.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LogoutForm {
    csrf_token: String,
}

async fn logout(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
    Form(form): Form<LogoutForm>,
) -> Result<Response, super::PageError> {
    if let Some(user) = user {
        user.check_csrf(&form.csrf_token)?;
        if let Some(c) = jar.get(SESSION_COOKIE) {
            state.store.delete_session(&secret_hash(c.value())).await?;
        }
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/")).into_response())
}
