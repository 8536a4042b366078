//! Back-office pages: dashboard, departments, items (edit, publish), import
//! and export, reports, users. Access is checked per page with the same
//! permissions as the API; forms carry the session's CSRF token.

use super::{Chrome, PageError, PageResult, UserView, render};
use crate::api::items::{EditorQuery, ItemListEntry};
use crate::api::reports::load_entry_report;
use crate::auth::{AuthUser, PageUser, hash_password};
use crate::catalogue::{import_return, index_published};
use crate::error::{AppError, RowError};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::FieldError;
use domain::access::{Permission, Role};
use domain::catalogue::{ItemInput, ItemType};
use domain::center::{DepartmentInput, NewDepartment};
use domain::report::EntryReport;
use serde::Deserialize;
use store::{ItemFilter, ItemVersion};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route(
            "/admin/departments",
            get(departments).post(create_department),
        )
        .route("/admin/departments/{id}/edit", get(edit_department))
        .route("/admin/departments/{id}", post(update_department))
        .route("/admin/items", get(items))
        .route("/admin/items/new", get(new_item))
        .route("/admin/items/{id}", get(item))
        .route("/admin/items/{id}/edit", get(edit_item))
        .route("/admin/items/{id}/publish", post(publish))
        .route("/admin/items/{id}/discard", post(discard))
        .route("/admin/import", get(import_page).post(import))
        .route(
            "/admin/reports",
            get(|| async { Redirect::to("/admin/reports/entry") }),
        )
        .route("/admin/reports/entry", get(entry_report))
        .route("/admin/reports/limits", get(limit_report))
        .route("/admin/users", get(users).post(create_user))
}

fn view(user: &AuthUser) -> UserView {
    UserView::of(user)
}

/// Missing fields read as empty so that the handler answers in Chinese
/// (CSRF check, field validation) instead of axum's English 422.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf_token: String,
}

// ------------------------------------------------------------ dashboard

#[derive(Template)]
#[template(path = "admin/index.html")]
struct Dashboard {
    chrome: Chrome,
    user: UserView,
    total_items: i64,
    drafts: i64,
    flagged: i64,
    departments: usize,
}

async fn dashboard(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let grant = user.grant(Permission::ReadCatalogue)?;
    let count = |f: ItemFilter| {
        let state = state.clone();
        let grant = grant.clone();
        async move {
            state
                .store
                .list_items(&grant, &ItemFilter { limit: 1, ..f })
                .await
                .map(|(_, n)| n)
        }
    };
    let total_items = count(ItemFilter::default()).await?;
    let drafts = count(ItemFilter {
        drafts_only: true,
        ..Default::default()
    })
    .await?;
    let flagged = count(ItemFilter {
        flagged_only: true,
        ..Default::default()
    })
    .await?;
    render(&Dashboard {
        chrome: Chrome::new(&state, Some(&user), "工作台", "admin").await,
        user: view(&user),
        total_items,
        drafts,
        flagged,
        departments: state.store.list_departments().await?.len(),
    })
}

// ---------------------------------------------------------- departments

#[derive(Template)]
#[template(path = "admin/departments.html")]
struct Departments {
    chrome: Chrome,
    user: UserView,
    rows: Vec<store::Department>,
    form: DepartmentInput,
    editing: Option<i64>,
    errors: Vec<FieldError>,
    message: Option<String>,
}

impl Departments {
    fn invalid(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn departments(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(s): Query<Saved>,
) -> PageResult {
    user.grant(Permission::ReadCatalogue)?;
    department_page(
        &state,
        &user,
        DepartmentInput {
            window_count: 1,
            ..Default::default()
        },
        None,
        Vec::new(),
        s.saved.map(|_| "部门已保存。".into()),
    )
    .await
}

async fn department_page(
    state: &AppState,
    user: &AuthUser,
    form: DepartmentInput,
    editing: Option<i64>,
    errors: Vec<FieldError>,
    message: Option<String>,
) -> PageResult {
    render(&Departments {
        chrome: Chrome::new(state, Some(user), "部门管理", "departments").await,
        user: view(user),
        rows: state.store.list_departments().await?,
        form,
        editing,
        errors,
        message,
    })
}

/// Missing fields read as empty so that the handler answers in Chinese
/// (CSRF check, field validation) instead of axum's English 422.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DepartmentForm {
    csrf_token: String,
    name: String,
    short_name: String,
    credit_code: String,
    phone: String,
    window_count: Option<String>,
}

impl DepartmentForm {
    fn input(&self) -> DepartmentInput {
        DepartmentInput {
            center_id: None,
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            credit_code: self.credit_code.clone(),
            phone: self.phone.clone(),
            // An unreadable count is sent on as -1 so the domain names the field.
            window_count: self
                .window_count
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map_or(Ok(0), str::parse)
                .unwrap_or(-1),
        }
    }
}

async fn create_department(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Form<DepartmentForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token)?;
    let grant = user.grant(Permission::ManageDepartments)?;
    let input = f.input();
    let result = match NewDepartment::parse(&input) {
        Ok(new) => state
            .store
            .create_department(&grant, &new, state.clock.now())
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/departments?saved=1").into_response()),
        Err(e) => department_error(&state, &user, input, None, e).await,
    }
}

async fn department_error(
    state: &AppState,
    user: &AuthUser,
    input: DepartmentInput,
    editing: Option<i64>,
    e: AppError,
) -> Result<Response, PageError> {
    let status = e.status();
    let errors = match e {
        AppError::Invalid(errors) => errors.0,
        AppError::Conflict {
            code,
            message,
            field,
        } => vec![FieldError::new(code, field.unwrap_or_default(), message)],
        other => return Err(other.into()),
    };
    Ok((
        status,
        department_page(state, user, input, editing, errors, None).await?,
    )
        .into_response())
}

async fn edit_department(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    user.grant(Permission::ManageDepartments)?;
    let d = state
        .store
        .department(id)
        .await?
        .ok_or(AppError::NotFound("department"))?;
    let form = DepartmentInput {
        center_id: Some(d.center_id),
        name: d.name,
        short_name: d.short_name,
        credit_code: d.credit_code,
        phone: d.phone,
        window_count: d.window_count,
    };
    department_page(&state, &user, form, Some(id), Vec::new(), None).await
}

async fn update_department(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DepartmentForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token)?;
    let grant = user.grant(Permission::ManageDepartments)?;
    let input = f.input();
    let result = match NewDepartment::parse(&input) {
        Ok(new) => state
            .store
            .update_department(&grant, id, &new, state.clock.now())
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/departments?saved=1").into_response()),
        Err(e) => department_error(&state, &user, input, Some(id), e).await,
    }
}

// ---------------------------------------------------------------- items

#[derive(Template)]
#[template(path = "admin/items.html")]
struct Items {
    chrome: Chrome,
    user: UserView,
    items: Vec<ItemListEntry>,
    departments: Vec<(i64, String, bool)>,
    name: String,
    drafts: bool,
    flagged: bool,
    total: usize,
    page: usize,
    pages: usize,
    prev_link: Option<String>,
    next_link: Option<String>,
}

#[derive(Deserialize)]
struct ItemsQuery {
    name: Option<String>,
    department_id: Option<String>,
    drafts: Option<String>,
    flagged: Option<String>,
    page: Option<String>,
}

async fn items(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ItemsQuery>,
) -> PageResult {
    let grant = user.grant(Permission::ReadCatalogue)?;
    let department_id = q.department_id.as_deref().and_then(|d| d.parse().ok());
    let eq = EditorQuery {
        department_id,
        name: q.name.clone(),
        drafts: q.drafts.as_deref() == Some("true"),
        flagged: q.flagged.as_deref() == Some("true"),
        page: q.page.as_deref().and_then(|p| p.parse().ok()),
        per_page: Some(50),
        ..Default::default()
    };
    let (filter, page, per_page) = eq.filter()?;
    let (rows, total) = state.store.list_items(&grant, &filter).await?;
    let total = total as usize;
    let pages = total.div_ceil(per_page).max(1);
    let link = |p: usize| {
        let mut parts = vec![format!("page={p}")];
        if let Some(n) = q.name.as_deref().filter(|n| !n.is_empty()) {
            parts.push(format!("name={}", crate::auth::urlencode(n)));
        }
        if let Some(d) = department_id {
            parts.push(format!("department_id={d}"));
        }
        if eq.drafts {
            parts.push("drafts=true".into());
        }
        if eq.flagged {
            parts.push("flagged=true".into());
        }
        format!("/admin/items?{}", parts.join("&"))
    };
    let departments = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .filter(|d| grant.covers(d.id))
        .map(|d| (d.id, d.short_name, Some(d.id) == department_id))
        .collect();
    render(&Items {
        chrome: Chrome::new(&state, Some(&user), "事项管理", "items").await,
        user: view(&user),
        items: rows.into_iter().map(Into::into).collect(),
        departments,
        name: q.name.clone().unwrap_or_default(),
        drafts: eq.drafts,
        flagged: eq.flagged,
        total,
        page,
        pages,
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
    })
}

#[derive(Template)]
#[template(path = "admin/item.html")]
struct ItemView {
    chrome: Chrome,
    user: UserView,
    id: i64,
    current: ItemVersion,
    draft: Option<ItemVersion>,
    published: Option<ItemVersion>,
    department_name: String,
    history: Vec<(i64, &'static str, String, String, String)>,
    saved: bool,
    message: Option<String>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct ItemFlags {
    saved: Option<String>,
    published: Option<String>,
    discarded: Option<String>,
}

async fn item(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(f): Query<ItemFlags>,
) -> PageResult {
    let message = if f.published.is_some() {
        Some("已发布，公众现在看到的是新版本。".to_string())
    } else {
        f.discarded.map(|_| "草稿已放弃。".to_string())
    };
    item_page(&state, &user, id, f.saved.is_some(), message, Vec::new()).await
}

async fn item_page(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    saved: bool,
    message: Option<String>,
    errors: Vec<FieldError>,
) -> PageResult {
    let grant = user.grant(Permission::ReadCatalogue)?;
    let r = state.store.item(&grant, id).await.map_err(|e| match e {
        store::StoreError::NotFound => AppError::NotFound("item"),
        e => e.into(),
    })?;
    let tz = crate::clock::shanghai();
    let fmt = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    };
    let department_name = state
        .store
        .department(r.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    render(&ItemView {
        chrome: Chrome::new(state, Some(user), &r.current().content.name, "items").await,
        user: view(user),
        id,
        current: r.current().clone(),
        history: r
            .history
            .iter()
            .map(|h| {
                (
                    h.version_no,
                    h.status.0.label(),
                    h.name.clone(),
                    fmt(h.created_at),
                    h.published_at.map(fmt).unwrap_or_default(),
                )
            })
            .collect(),
        draft: r.draft,
        published: r.published,
        department_name,
        saved,
        message,
        errors,
    })
}

#[derive(Template)]
#[template(path = "admin/item_edit.html")]
struct ItemEdit {
    chrome: Chrome,
    id: Option<i64>,
    input: ItemInput,
    departments: Vec<(i64, String, bool)>,
    item_types: Vec<(&'static str, &'static str, bool)>,
    legal: (String, String, String),
    promised: (String, String, String),
    data_json: String,
}

async fn new_item(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let grant = user.grant(Permission::EditItems)?;
    let input = ItemInput {
        item_type: ItemType::Licensing.code().into(),
        case_kind: "promised".into(),
        entry_status: "entered".into(),
        window_authorisation: "full".into(),
        visits: 1,
        department_id: grant.scope().department(),
        ..Default::default()
    };
    edit_page(&state, &user, None, input).await
}

async fn edit_item(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let grant = user.grant(Permission::EditItems)?;
    let r = state.store.item(&grant, id).await.map_err(|e| match e {
        store::StoreError::NotFound => AppError::NotFound("item"),
        e => e.into(),
    })?;
    edit_page(&state, &user, Some(id), r.current().content.to_input()).await
}

async fn edit_page(
    state: &AppState,
    user: &AuthUser,
    id: Option<i64>,
    input: ItemInput,
) -> PageResult {
    let grant = user.grant(Permission::EditItems)?;
    let departments = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .filter(|d| grant.covers(d.id))
        .map(|d| (d.id, d.short_name, Some(d.id) == input.department_id))
        .collect();
    let item_types = ItemType::ALL
        .iter()
        .filter(|t| t.is_on_application())
        .map(|t| (t.code(), t.label(), t.code() == input.item_type))
        .collect();
    let limit = |l: &Option<domain::catalogue::LimitInput>| match l {
        Some(l) => (l.value.to_string(), l.unit.clone(), l.note.clone()),
        None => (String::new(), "working_days".into(), String::new()),
    };
    // Embedded in a <script> element: escape "<" so no string can close it.
    let data_json = serde_json::to_string(&serde_json::json!({ "id": id, "item": &input }))
        .map_err(|e| anyhow::anyhow!("serialising item: {e}"))?
        .replace('<', "\\u003c");
    render(&ItemEdit {
        chrome: Chrome::new(
            state,
            Some(user),
            if id.is_some() {
                "编辑事项"
            } else {
                "新建事项"
            },
            "items",
        )
        .await,
        id,
        legal: limit(&input.legal_limit),
        promised: limit(&input.promised_limit),
        input,
        departments,
        item_types,
        data_json,
    })
}

async fn publish(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token)?;
    let grant = user.grant(Permission::PublishItems)?;
    match state.store.publish(&grant, id, state.clock.now()).await {
        Ok(v) => {
            index_published(&state, &v).await?;
            tracing::info!(item = id, version = v.version_no, by = %user.user.username, "item published");
            Ok(Redirect::to(&format!("/admin/items/{id}?published=1")).into_response())
        }
        Err(store::StoreError::Invalid(errors)) => {
            let page = item_page(&state, &user, id, false, None, errors.0).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}

async fn discard(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token)?;
    let grant = user.grant(Permission::EditItems)?;
    state
        .store
        .discard_draft(&grant, id, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{id}?discarded=1")).into_response())
}

// -------------------------------------------------------- import/export

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportPage {
    chrome: Chrome,
    message: Option<String>,
    error: Option<String>,
    rows: Vec<RowError>,
}

async fn import_page(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    user.grant(Permission::ImportExport)?;
    render(&ImportPage {
        chrome: Chrome::new(&state, Some(&user), "导入与导出", "import").await,
        message: None,
        error: None,
        rows: Vec::new(),
    })
}

async fn import(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let grant = user.grant(Permission::ImportExport)?;
    let mut csrf = String::new();
    let mut file = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        AppError::bad_request(
            "request.invalid_multipart",
            Some("file"),
            "上传内容无法读取",
        )
    })? {
        match field.name() {
            Some("csrf_token") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let chrome = Chrome::new(&state, Some(&user), "导入与导出", "import").await;
    if file.is_empty() {
        let page = render(&ImportPage {
            chrome,
            message: None,
            error: Some("请选择要导入的Excel文件".into()),
            rows: Vec::new(),
        })?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match import_return(&state, &grant, &file, state.clock.now()).await {
        Ok(ids) => {
            tracing::info!(count = ids.len(), by = %user.user.username, "items imported");
            let message = Some(format!(
                "导入成功：新增{}个草稿事项，补全指南后即可发布。",
                ids.len()
            ));
            Ok(render(&ImportPage {
                chrome,
                message,
                error: None,
                rows: Vec::new(),
            })?
            .into_response())
        }
        Err(e @ (AppError::InvalidRows { .. } | AppError::Invalid(_))) => {
            let status = e.status();
            let (error, rows) = match e {
                AppError::InvalidRows { message, rows } => (message, rows),
                other => (other.body().message, Vec::new()),
            };
            let page = render(&ImportPage {
                chrome,
                message: None,
                error: Some(error),
                rows,
            })?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// -------------------------------------------------------------- reports

#[derive(Template)]
#[template(path = "admin/report_entry.html")]
struct EntryReportPage {
    chrome: Chrome,
    report: EntryReport,
}

async fn entry_report(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let report = load_entry_report(&state, &user).await?;
    render(&EntryReportPage {
        chrome: Chrome::new(&state, Some(&user), "进驻情况汇总表", "report-entry").await,
        report,
    })
}

#[derive(Template)]
#[template(path = "admin/report_limits.html")]
struct LimitReportPage {
    chrome: Chrome,
    items: Vec<store::ItemSummary>,
}

async fn limit_report(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let grant = user.grant(Permission::ViewReports)?;
    let items = state.store.flagged_items(&grant).await?;
    render(&LimitReportPage {
        chrome: Chrome::new(&state, Some(&user), "时限压缩情况", "report-limits").await,
        items,
    })
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<(String, String, &'static str, String, bool)>,
    roles: Vec<(&'static str, &'static str)>,
    departments: Vec<(i64, String)>,
    message: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    user: &AuthUser,
    message: Option<String>,
    error: Option<String>,
) -> PageResult {
    let departments = state.store.list_departments().await?;
    let name = |id: Option<i64>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map(|d| d.short_name.clone())
            .unwrap_or_default()
    };
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| {
            (
                u.username,
                u.display_name,
                u.role.label(),
                name(u.department_id),
                u.active,
            )
        })
        .collect();
    render(&UsersPage {
        chrome: Chrome::new(state, Some(user), "用户管理", "users").await,
        users,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        departments: departments
            .iter()
            .map(|d| (d.id, d.short_name.clone()))
            .collect(),
        message,
        error,
    })
}

async fn users(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(s): Query<Saved>,
) -> PageResult {
    user.grant(Permission::ManageUsers)?;
    users_page(&state, &user, s.saved.map(|_| "用户已创建。".into()), None).await
}

/// Missing fields read as empty so that the handler answers in Chinese
/// (CSRF check, field validation) instead of axum's English 422.
#[derive(Deserialize, Default)]
#[serde(default)]
struct UserForm {
    csrf_token: String,
    username: String,
    display_name: String,
    password: String,
    role: String,
    department_id: Option<String>,
}

async fn create_user(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Form<UserForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token)?;
    user.grant(Permission::ManageUsers)?;
    let req = crate::api::users::NewUserRequest {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        role: f.role,
        department_id: f.department_id.as_deref().and_then(|d| d.parse().ok()),
    };
    let result: Result<(), AppError> = async {
        let (username, role) = crate::api::users::parse_new_user(&req)?;
        let password = req.password.clone();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))??;
        state
            .store
            .create_user(
                &store::NewUser {
                    username,
                    display_name: req.display_name.trim().into(),
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
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users?saved=1").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = e.status();
            Ok((
                status,
                users_page(&state, &user, None, Some(e.body().message)).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
