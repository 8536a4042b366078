//! Complaint pages (投诉 / 12345 诉求): the public form, and on the
//! supervision desk the list, registration, the hotline import and each
//! complaint with the steps this viewer may take.
//!
//! Writes go through the same checks as the JSON API (`api::complaints`); a
//! refused form comes back with the Chinese message and the refusal's status,
//! having changed nothing.

use super::{Chrome, Fields, PageError, PageResult, field, refusal, render};
use crate::api::complaints::{
    ComplaintDetail, ComplaintDto, ComplaintRequest, ComplaintStep, act, complaint_action,
    complaint_detail, complaint_statuses, import, register_one,
};
use crate::auth::{AuthUser, MaybeUser, PageUser, urlencode};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use domain::access::Permission;
use domain::complaint::{ComplaintCategory, ComplaintSource, ComplaintStatus, Satisfaction};
use std::collections::HashMap;
use store::ComplaintFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints/new", get(public_form).post(public_submit))
        .route("/supervision/complaints", get(list).post(register))
        .route("/supervision/complaints/import", post(import_file))
        .route("/supervision/complaints/{id}", get(detail))
        .route("/supervision/complaints/{id}/{action}", post(step))
}

fn categories() -> Vec<(&'static str, &'static str, u32)> {
    ComplaintCategory::ALL
        .iter()
        .map(|c| (c.code(), c.label(), c.sla_working_days()))
        .collect()
}

/// What a complaint form holds, to show it again after a refusal.
#[derive(Default)]
struct ComplaintForm {
    source: String,
    category: String,
    complainant_name: String,
    phone: String,
    content: String,
    case_no: String,
    department_id: String,
    staff_name: String,
}

impl ComplaintForm {
    fn read(f: &HashMap<String, String>) -> Self {
        Self {
            source: field(f, "source").trim().into(),
            category: field(f, "category").trim().into(),
            complainant_name: field(f, "complainant_name").into(),
            phone: field(f, "phone").into(),
            content: field(f, "content").into(),
            case_no: field(f, "case_no").into(),
            department_id: field(f, "department_id").trim().into(),
            staff_name: field(f, "staff_name").into(),
        }
    }

    fn request(&self) -> ComplaintRequest {
        ComplaintRequest {
            source: self.source.clone(),
            category: self.category.clone(),
            complainant_name: self.complainant_name.clone(),
            phone: self.phone.clone(),
            content: self.content.clone(),
            case_no: self.case_no.clone(),
            department_id: self.department_id.parse().ok(),
            staff_name: self.staff_name.clone(),
            external_no: String::new(),
        }
    }
}

// ------------------------------------------------------------------ public

#[derive(Template)]
#[template(path = "applicant/complaint.html")]
struct PublicPage {
    chrome: Chrome,
    form: ComplaintForm,
    categories: Vec<(&'static str, &'static str, u32)>,
    errors: Vec<String>,
    receipt: Option<(i64, NaiveDate, String)>,
}

async fn public_form(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> PageResult {
    render(&PublicPage {
        chrome: Chrome::new(&state, user.as_ref(), "投诉与建议", "complaint").await,
        form: ComplaintForm::default(),
        categories: categories(),
        errors: Vec::new(),
        receipt: None,
    })
}

async fn public_submit(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    if let Some(u) = &user {
        u.check_csrf(field(&f, "csrf_token"))?;
    }
    let mut form = ComplaintForm::read(&f);
    form.source = ComplaintSource::Web.code().into();
    let mut page = PublicPage {
        chrome: Chrome::new(&state, user.as_ref(), "投诉与建议", "complaint").await,
        form,
        categories: categories(),
        errors: Vec::new(),
        receipt: None,
    };
    match register_one(&state, None, &page.form.request()).await {
        Ok((id, due)) => {
            let label = ComplaintCategory::parse(&page.form.category)
                .map_or("", |c| c.label())
                .to_string();
            page.receipt = Some((id, due, label));
            Ok(render(&page)?.into_response())
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            page.errors = lines;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// -------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "supervision/complaints.html")]
struct ListPage {
    chrome: Chrome,
    tab: String,
    complaints: Vec<ComplaintDto>,
    total: i64,
    can_supervise: bool,
    categories: Vec<(&'static str, &'static str, u32)>,
    sources: Vec<(&'static str, &'static str)>,
    departments: Vec<(i64, String)>,
    form: ComplaintForm,
    /// Which form failed (`register` or `import`) and why.
    error: Option<(String, Vec<String>)>,
    flash: String,
}

impl ListPage {
    fn failed(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.0 == form)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ListQuery {
    tab: String,
    imported: Option<usize>,
}

async fn list_page(
    state: &AppState,
    user: &AuthUser,
    tab: &str,
    form: ComplaintForm,
    error: Option<(String, Vec<String>)>,
    flash: String,
) -> Result<ListPage, AppError> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let today = state.clock.today();
    let (statuses, overdue, tab) = match tab {
        "overdue" => (Vec::new(), true, "overdue"),
        "replied" => (complaint_statuses(Some("replied"))?, false, "replied"),
        "all" => (Vec::new(), false, "all"),
        _ => (complaint_statuses(Some("open"))?, false, "open"),
    };
    let (rows, total) = state
        .store
        .complaints(
            &grant,
            &ComplaintFilter {
                statuses,
                department_id: None,
                overdue_on: overdue.then_some(today),
                offset: 0,
                limit: 200,
            },
        )
        .await?;
    Ok(ListPage {
        chrome: Chrome::new(state, Some(user), "投诉与诉求", "complaints").await,
        tab: tab.to_string(),
        complaints: rows
            .into_iter()
            .map(|c| ComplaintDto::new(c, today, false))
            .collect(),
        total,
        can_supervise: user.can(Permission::Supervise),
        categories: categories(),
        sources: [ComplaintSource::Hall, ComplaintSource::Hotline]
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        departments: state
            .store
            .list_departments()
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect(),
        form,
        error,
        flash,
    })
}

async fn list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let flash = q
        .imported
        .map(|n| format!("已导入 {n} 件12345工单，能确定承办部门的已自动交办。"))
        .unwrap_or_default();
    let form = ComplaintForm {
        source: ComplaintSource::Hall.code().into(),
        ..Default::default()
    };
    render(&list_page(&state, &user, &q.tab, form, None, flash).await?)
}

async fn register(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::Supervise)?;
    let form = ComplaintForm::read(&f);
    match register_one(&state, Some(&grant), &form.request()).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/supervision/complaints/{id}")).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = list_page(
                &state,
                &user,
                "open",
                form,
                Some(("register".into(), lines)),
                String::new(),
            )
            .await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

async fn import_file(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file = Vec::new();
    while let Some(part) = multipart.next_field().await.map_err(|_| {
        AppError::bad_request(
            "request.invalid_multipart",
            Some("file"),
            "上传内容无法读取",
        )
    })? {
        match part.name() {
            Some("csrf_token") => csrf = part.text().await.unwrap_or_default(),
            Some("file") => file = part.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let grant = user.grant(Permission::Supervise)?;
    let result = if file.is_empty() {
        Err(AppError::invalid(
            "field.required",
            "file",
            "请选择要导入的12345工单文件",
        ))
    } else {
        import(&state, &grant, &file).await
    };
    match result {
        Ok(ids) => {
            tracing::info!(count = ids.len(), by = %user.user.username, "hotline orders imported");
            Ok(
                Redirect::to(&format!("/supervision/complaints?imported={}", ids.len()))
                    .into_response(),
            )
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = list_page(
                &state,
                &user,
                "open",
                ComplaintForm::default(),
                Some(("import".into(), lines)),
                String::new(),
            )
            .await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "supervision/complaint.html")]
struct DetailPage {
    chrome: Chrome,
    c: ComplaintDetail,
    /// The department's possible steps now.
    can_accept: bool,
    can_reply: bool,
    /// The supervisors' possible steps now.
    can_assign: bool,
    can_review: bool,
    can_reopen: bool,
    departments: Vec<(i64, String)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    text: String,
    flash: String,
    error: Option<(String, Vec<String>)>,
}

impl DetailPage {
    fn is_current(&self, id: &&i64) -> bool {
        self.c.complaint.department_id == Some(**id)
    }

    fn failed(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.0 == form)
    }
}

async fn detail_page(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    flash: &str,
    error: Option<(String, Vec<String>)>,
    text: String,
) -> Result<DetailPage, AppError> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let c = complaint_detail(state, &grant, id).await?;
    let status = ComplaintStatus::parse(&c.complaint.status);
    let department = user.can(Permission::AnswerCorrections);
    let supervisor = user.can(Permission::Supervise);
    Ok(DetailPage {
        chrome: Chrome::new(state, Some(user), &format!("诉求 {id}"), "complaints").await,
        can_accept: department && status == Some(ComplaintStatus::Assigned),
        can_reply: department && status == Some(ComplaintStatus::Handling),
        can_assign: supervisor
            && matches!(
                status,
                Some(ComplaintStatus::Received | ComplaintStatus::Assigned)
            ),
        can_review: supervisor && status == Some(ComplaintStatus::Replied),
        can_reopen: supervisor && status == Some(ComplaintStatus::Closed),
        departments: state
            .store
            .list_departments()
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect(),
        satisfactions: Satisfaction::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        c,
        text,
        flash: flash.to_string(),
        error,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let flash = match q.saved.as_deref() {
        Some("assign") => "已交办。",
        Some("accept") => "已签收，请在答复期限内办理并答复诉求人。",
        Some("reply") => "答复已提交，等待监督人员回访审核。",
        Some("return") => "已退回部门重新办理。",
        Some("close") => "已回访办结。",
        Some("reopen") => "已重新交部门办理。",
        _ => "",
    };
    render(&detail_page(&state, &user, id, flash, None, String::new()).await?)
}

async fn step(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, name)): Path<(i64, String)>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let text = field(&f, "text").to_string();
    let body = ComplaintStep {
        note: text.clone(),
        department_id: field(&f, "department_id").trim().parse().ok(),
        satisfaction: field(&f, "satisfaction").to_string(),
    };
    let result = match complaint_action(&name, &body) {
        Ok(action) => act(&state, &user, id, action, &text).await.map(drop),
        Err(AppError::NotFound(_)) => return Err(PageError(AppError::NotFound("page"))),
        Err(e) => Err(e),
    };
    match result {
        // Sent back: it is no longer the department's.
        Ok(()) if name == "send-back" => {
            Ok(Redirect::to("/supervision/complaints").into_response())
        }
        Ok(()) => Ok(Redirect::to(&format!(
            "/supervision/complaints/{id}?saved={}",
            urlencode(&name)
        ))
        .into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page =
                detail_page(&state, &user, id, "", Some((name.clone(), lines)), text).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}
