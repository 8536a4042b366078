//! The case workbenches of department staff: the clerk's accept desk with
//! window registration, one case with the forms of its lifecycle actions, the
//! approver's to-do list, and the administrator's working calendar.
//!
//! Every write goes through the same functions as the JSON API
//! (`api::cases::submit_case` and `act`, `api::calendar`), so the domain and
//! the store decide exactly as they do for API callers. The forms only show
//! what the viewer's role and the case's status allow; the server still
//! checks, and a refused action re-renders the page with the Chinese message
//! and the status of the refusal (403/409/422), having changed nothing.

use super::{Chrome, PageError, PageResult, render};
use crate::api::calendar::{calendar_year, home_center_id, import_csv, parse_date};
use crate::api::cases::{
    FileInput, MaterialInput, NewCaseRequest, act, load_view, materials_from, submit_case,
};
use crate::auth::{AuthUser, PageUser, urlencode};
use crate::cases::CaseView;
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::FieldError;
use domain::access::{Permission, Role};
use domain::calendar::{DayKind, MAX_NOTE_LEN};
use domain::case::{
    Action, ApplicantInput, ApplicantKind, Case, CaseStatus, Channel, Decision, DeliveryMethod,
    IdType, NoticeLine, PaymentChannel, ProvidedMaterial,
};
use domain::catalogue::{CaseKind, SpecialProcedureKind};
use serde::Deserialize;
use std::borrow::Borrow;
use store::{CaseFilter, CaseSummary, CaseViewer, ItemFilter, NewFile, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/desk", get(desk))
        .route("/desk/new", get(new_case).post(register))
        .route("/desk/todo", get(todo))
        .route("/desk/cases/{case_no}", get(case_page))
        // A refused action re-renders the case at the action's URL (keeping
        // what was typed); reloading or bookmarking it leads back to the case.
        .route(
            "/desk/cases/{case_no}/{action}",
            get(back_to_case).post(case_action),
        )
        .route("/admin/calendar", get(calendar))
        .route("/admin/calendar/day", post(set_day))
        .route("/admin/calendar/reset", post(reset_day))
        .route("/admin/calendar/import", post(import_calendar))
}

/// Rows per page of the desk list.
const PER_PAGE: i64 = 20;

/// The tabs of the accept desk: a status and what the desk calls it.
const TABS: [(CaseStatus, &str); 7] = [
    (CaseStatus::Submitted, "待受理"),
    (CaseStatus::AwaitingCorrection, "待补正"),
    (CaseStatus::Accepted, "办理中"),
    (CaseStatus::Suspended, "特别程序"),
    (CaseStatus::Concluded, "待送达"),
    (CaseStatus::Delivered, "已送达"),
    (CaseStatus::Refused, "不予受理"),
];

// ------------------------------------------------------------ the desk

#[derive(Template)]
#[template(path = "desk/index.html")]
struct DeskPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    status: String,
    status_label: String,
    q: String,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
    can_register: bool,
    /// Center-wide viewers see every department, so the list names it.
    show_department: bool,
}

struct Tab {
    label: &'static str,
    count: i64,
    current: bool,
    href: String,
}

struct Row {
    case_no: String,
    item_name: String,
    department: String,
    applicant: String,
    channel: &'static str,
    status_name: &'static str,
    submitted: String,
    due: String,
    urgency: Option<Urgency>,
    current_step: String,
}

/// How close a deadline is, as a coloured label that also reads as text.
struct Urgency {
    /// `due-over` (red), `due-soon` (amber) or `due-ok`.
    class: &'static str,
    text: String,
}

impl Urgency {
    fn of(working_days_left: Option<i64>, overdue: bool) -> Option<Urgency> {
        let left = working_days_left?;
        Some(if overdue {
            Urgency {
                class: "due-over",
                text: if left < 0 {
                    format!("超期{}个工作日", -left)
                } else {
                    "已超期".into()
                },
            }
        } else if left <= 0 {
            Urgency {
                class: "due-soon",
                text: "今日到期".into(),
            }
        } else {
            Urgency {
                class: if left <= 2 { "due-soon" } else { "due-ok" },
                text: format!("剩余{left}个工作日"),
            }
        })
    }
}

/// Query parameters are read as text so that a wrong one falls back to a
/// default instead of axum's English rejection.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DeskQuery {
    status: String,
    q: String,
    page: String,
}

async fn desk(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(query): Query<DeskQuery>,
) -> PageResult {
    let grant = user.grant(Permission::ReadCases)?;
    let viewer = CaseViewer::Staff(&grant);
    let q = query.q.trim().to_string();
    let text = (!q.is_empty()).then(|| q.clone());
    let selected: Vec<CaseStatus> = match query.status.as_str() {
        "all" => Vec::new(),
        raw => vec![CaseStatus::parse(raw).unwrap_or(CaseStatus::Submitted)],
    };
    let status = selected.first().map_or("all", |s| s.code()).to_string();
    let link = |status: &str, page: i64| {
        let mut href = format!("/desk?status={status}");
        if !q.is_empty() {
            href.push_str(&format!("&q={}", urlencode(&q)));
        }
        if page > 1 {
            href.push_str(&format!("&page={page}"));
        }
        href
    };

    let mut tabs = Vec::with_capacity(TABS.len() + 1);
    let mut all = 0;
    for (s, label) in TABS {
        let filter = CaseFilter {
            statuses: vec![s],
            text: text.clone(),
            limit: 1,
            ..Default::default()
        };
        let (_, count) = state.store.list_cases(viewer, &filter).await?;
        all += count;
        tabs.push(Tab {
            label,
            count,
            current: status == s.code(),
            href: link(s.code(), 1),
        });
    }
    tabs.push(Tab {
        label: "全部",
        count: all,
        current: status == "all",
        href: link("all", 1),
    });

    let page = query.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let filter = CaseFilter {
        statuses: selected,
        text,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
        ..Default::default()
    };
    let (summaries, total) = state.store.list_cases(viewer, &filter).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let departments = state.store.list_departments().await?;
    let today = state.clock.today();
    let mut rows = Vec::with_capacity(summaries.len());
    for s in summaries {
        let calendar = state.store.calendar(s.center_id).await?;
        let (left, overdue) = deadline_of(&s, &calendar, today);
        rows.push(Row {
            department: departments
                .iter()
                .find(|d| d.id == s.department_id)
                .map(|d| d.short_name.clone())
                .unwrap_or_default(),
            applicant: domain::identity::mask_name(&s.applicant_name),
            channel: Channel::parse(&s.channel).map_or("", |c| c.label()),
            status_name: status_label(&s.status),
            submitted: local_time(s.submitted_at),
            due: s.due_date.map(|d| d.to_string()).unwrap_or_default(),
            urgency: Urgency::of(left, overdue),
            current_step: s.current_step,
            case_no: s.case_no,
            item_name: s.item_name,
        });
    }
    render(&DeskPage {
        chrome: Chrome::new(&state, Some(&user), "办件受理台", "desk").await,
        status_label: tabs
            .iter()
            .find(|t| t.current)
            .map(|t| t.label.to_string())
            .unwrap_or_default(),
        tabs,
        prev_link: (page > 1).then(|| link(&status, page - 1)),
        next_link: (page < pages).then(|| link(&status, page + 1)),
        status,
        q,
        rows,
        total,
        page,
        pages,
        can_register: registers_cases(&user),
        show_department: grant.scope().department().is_none(),
    })
}

/// Working days left and whether the case is overdue, for open accepted cases.
fn deadline_of(
    s: &CaseSummary,
    calendar: &domain::calendar::WorkCalendar,
    today: NaiveDate,
) -> (Option<i64>, bool) {
    let open =
        CaseStatus::parse(&s.status).is_some_and(|st| st.is_open()) && s.accepted_at.is_some();
    match s.due_date.filter(|_| open) {
        Some(due) => (Some(calendar.working_days_left(today, due)), today > due),
        None => (None, false),
    }
}

// ------------------------------------------------------ window registration

#[derive(Template)]
#[template(path = "desk/new.html")]
struct ChooseItemPage {
    chrome: Chrome,
    q: String,
    ticket: String,
    items: Vec<ItemChoice>,
}

struct ItemChoice {
    id: i64,
    name: String,
    case_kind: &'static str,
    limit: String,
    online: bool,
}

#[derive(Template)]
#[template(path = "desk/register.html")]
struct RegisterPage {
    chrome: Chrome,
    ticket: String,
    item: ItemBrief,
    materials: Vec<RegisterMaterial>,
    applicant: ApplicantInput,
    kinds: Vec<(&'static str, &'static str)>,
    id_types: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
    /// A refusal that is not about one field (403/409).
    message: Option<String>,
    /// Files were chosen but the form came back: they must be chosen again.
    had_files: bool,
}

struct ItemBrief {
    id: i64,
    name: String,
    department: String,
    case_kind: &'static str,
    limit: String,
    result: String,
}

struct RegisterMaterial {
    index: usize,
    name: String,
    required: bool,
    originals: u8,
    copies: u8,
    note: String,
    paper: bool,
}

impl RegisterPage {
    /// The message for one field, if it has one.
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The first message about material `i` (its name or its files).
    fn material_err(&self, i: impl Borrow<usize>) -> Option<&str> {
        let prefix = format!("materials[{}]", i.borrow());
        self.errors
            .iter()
            .find(|e| e.field.starts_with(&prefix))
            .map(|e| e.message.as_str())
    }

    /// The id of the input the error summary links to.
    fn anchor(&self, field: &str) -> String {
        if let Some(rest) = field.strip_prefix("applicant.") {
            return format!("a-{rest}");
        }
        if let Some(rest) = field.strip_prefix("materials[") {
            let i: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !i.is_empty() {
                return format!("m-file-{i}");
            }
        }
        match field {
            "materials" => "materials".into(),
            _ => "register-form".into(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    item_id: String,
    q: String,
    /// The queue ticket being served (窗口叫号 → 受理办件): linked to the case.
    ticket: String,
}

/// Only the window registers applications (the domain says the same).
fn registers_cases(user: &AuthUser) -> bool {
    matches!(user.user.role, Role::Clerk | Role::ChiefRep)
}

fn window_only(user: &AuthUser) -> Result<(), AppError> {
    if registers_cases(user) {
        Ok(())
    } else {
        Err(AppError::denied(
            "只有窗口工作人员和首席代表可以登记窗口受理的申请",
        ))
    }
}

async fn new_case(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(query): Query<NewQuery>,
) -> PageResult {
    window_only(&user)?;
    if let Ok(id) = query.item_id.trim().parse::<i64>() {
        let mut form = RegisterForm::blank(&state, &user, id).await?;
        form.ticket = query.ticket.trim().to_string();
        return render(&form.page(&state, &user).await);
    }
    let grant = user.grant(Permission::ReadCatalogue)?;
    let q = query.q.trim().to_string();
    let (mine, _) = state
        .store
        .list_items(
            &grant,
            &ItemFilter {
                name_contains: (!q.is_empty()).then(|| q.clone()),
                limit: 1000,
                ..Default::default()
            },
        )
        .await?;
    // The list shows drafts over published versions; a window registers
    // against the published version only, under its published name.
    let ids: Vec<i64> = mine
        .iter()
        .filter(|s| s.is_published)
        .map(|s| s.id)
        .collect();
    let items = state
        .store
        .published_summaries(&ids)
        .await?
        .into_iter()
        .map(|s| ItemChoice {
            id: s.id,
            name: s.name,
            case_kind: s.case_kind.label(),
            limit: s.promised_limit.map(|l| l.describe()).unwrap_or_default(),
            online: s.online,
        })
        .collect();
    render(&ChooseItemPage {
        chrome: Chrome::new(&state, Some(&user), "窗口登记", "desk").await,
        q,
        ticket: query.ticket.trim().to_string(),
        items,
    })
}

/// The registration form of one item, blank or as posted.
struct RegisterForm {
    version: store::ItemVersion,
    applicant: ApplicantInput,
    paper: Vec<bool>,
    errors: Vec<FieldError>,
    message: Option<String>,
    had_files: bool,
    ticket: String,
}

impl RegisterForm {
    async fn blank(state: &AppState, user: &AuthUser, item_id: i64) -> Result<Self, AppError> {
        let version = department_item(state, user, item_id).await?;
        Ok(Self {
            paper: vec![false; version.content.materials.len()],
            version,
            applicant: ApplicantInput {
                kind: "person".into(),
                id_type: "id_card".into(),
                ..Default::default()
            },
            errors: Vec::new(),
            message: None,
            had_files: false,
            ticket: String::new(),
        })
    }

    async fn page(self, state: &AppState, user: &AuthUser) -> RegisterPage {
        let c = &self.version.content;
        let department = state
            .store
            .department(c.department_id)
            .await
            .ok()
            .flatten()
            .map(|d| d.name)
            .unwrap_or_default();
        RegisterPage {
            chrome: Chrome::new(state, Some(user), "窗口登记", "desk").await,
            ticket: self.ticket,
            item: ItemBrief {
                id: self.version.item_id,
                name: c.name.clone(),
                department,
                case_kind: c.case_kind.label(),
                limit: c
                    .promised_limit
                    .or(c.legal_limit)
                    .map(|l| l.describe())
                    .unwrap_or_else(|| "—".into()),
                result: c.result.clone(),
            },
            materials: c
                .materials
                .iter()
                .enumerate()
                .map(|(index, m)| RegisterMaterial {
                    index,
                    name: m.name.clone(),
                    required: m.required,
                    originals: m.originals,
                    copies: m.copies,
                    note: m.note.clone(),
                    paper: self.paper.get(index).copied().unwrap_or(false),
                })
                .collect(),
            applicant: self.applicant,
            kinds: ApplicantKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            id_types: IdType::ALL.iter().map(|t| (t.code(), t.label())).collect(),
            errors: self.errors,
            message: self.message,
            had_files: self.had_files,
        }
    }
}

/// A published item of the user's own department; 404 for any other.
async fn department_item(
    state: &AppState,
    user: &AuthUser,
    item_id: i64,
) -> Result<store::ItemVersion, AppError> {
    let grant = user.grant(Permission::ReadCatalogue)?;
    state
        .store
        .published_item(item_id)
        .await?
        .filter(|v| grant.covers(v.content.department_id))
        .ok_or(AppError::NotFound("item"))
}

async fn register(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    posted: Posted,
) -> Result<Response, PageError> {
    user.check_csrf(posted.get("csrf_token"))?;
    window_only(&user)?;
    let item_id = posted
        .get("item_id")
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("item"))?;
    let mut form = RegisterForm::blank(&state, &user, item_id).await?;
    form.ticket = posted.get("ticket").trim().to_string();
    form.applicant = ApplicantInput {
        kind: posted.get("kind").into(),
        name: posted.get("name").into(),
        id_type: posted.get("id_type").into(),
        id_number: posted.get("id_number").into(),
        phone: posted.get("phone").into(),
        contact_name: posted.get("contact_name").into(),
    };
    let names: Vec<String> = form
        .version
        .content
        .materials
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let mut inputs = Vec::new();
    let mut file_errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let paper = posted.has(&format!("paper_{i}"));
        form.paper[i] = paper;
        let mut files = Vec::new();
        for upload in posted.files(&format!("file_{i}")) {
            form.had_files = true;
            match crate::files::save(
                &state.settings.data_dir,
                &upload.bytes,
                &format!("materials[{i}].files"),
            )
            .await
            {
                Ok(stored) => files.push(FileInput {
                    sha256: stored.sha256,
                    filename: upload.filename.clone(),
                }),
                Err(AppError::Invalid(e)) => file_errors.extend(e.0),
                Err(e) => return Err(e.into()),
            }
        }
        if paper || !files.is_empty() {
            inputs.push(MaterialInput {
                name: name.clone(),
                files,
                paper,
                certificate_no: None,
            });
        }
    }
    let result = if file_errors.is_empty() {
        submit_case(
            &state,
            Some(&user),
            NewCaseRequest {
                item_id: Some(item_id),
                applicant: form.applicant.clone(),
                channel: Channel::Window.code().into(),
                materials: inputs,
            },
            None,
        )
        .await
    } else {
        // Name every problem at once: the applicant's too, not only the files'.
        if let Err(e) = domain::case::Applicant::parse(&form.applicant) {
            file_errors.extend(e.0);
        }
        Err(AppError::Invalid(domain::ValidationErrors(file_errors)))
    };
    match result {
        Ok(created) => {
            if let Ok(ticket) = form.ticket.parse::<i64>()
                && let Err(e) =
                    crate::api::queue::link(&state, &user, ticket, &created.case_no).await
            {
                tracing::warn!(ticket, error = %e.body().message, "ticket not linked to the case");
            }
            Ok(Redirect::to(&format!(
                "/desk/cases/{}?done=register",
                urlencode(&created.case_no)
            ))
            .into_response())
        }
        Err(e) => {
            let status = e.status();
            match e {
                AppError::Invalid(errors) => form.errors = errors.0,
                e @ (AppError::Conflict { .. } | AppError::Denied(_) | AppError::Forbidden) => {
                    form.message = Some(e.body().message)
                }
                other => return Err(other.into()),
            }
            let page = render(&form.page(&state, &user).await)?;
            Ok((status, page).into_response())
        }
    }
}

// ------------------------------------------------------------ one case

#[derive(Template)]
#[template(path = "desk/case.html")]
struct CasePage {
    chrome: Chrome,
    v: CaseView,
    can: Can,
    /// The message after a successful action.
    done: Option<&'static str>,
    /// Right after acceptance: the receipt is the next thing to hand over.
    print_receipt: bool,
    failure: Option<Failure>,
    urgency: Option<Urgency>,
    materials: Vec<FormMaterial>,
    procedures: Vec<(&'static str, &'static str)>,
    prints: Vec<(&'static str, String)>,
    /// The current step's name, for the header.
    current_step_name: String,
    result_default: String,
    extend_days: String,
    extend_reason: String,
    fee_preview: Vec<(String, i64)>,
    fee_preview_total: i64,
    primary: &'static str,
    role_name: &'static str,
    /// The applicant's ratings of this case (好差评).
    ratings: Vec<crate::api::ratings::RatingDto>,
    /// The rating page for the window's tablet (窗口评价器), once rateable.
    hall_rating: Option<String>,
}

/// What this viewer may do to this case now, mirroring the domain's rules.
#[derive(Default)]
struct Can {
    accept: bool,
    refuse: bool,
    notify: bool,
    resubmit: bool,
    supply: bool,
    /// The step to complete next (1-based) and its name.
    step: Option<(usize, String)>,
    conclude: bool,
    /// Why concluding must wait, shown instead of the form.
    conclude_blocked: Option<String>,
    suspend: bool,
    resume: bool,
    request_extension: bool,
    extend: bool,
    fee_notice: bool,
    fee_confirm: bool,
    /// The viewer issued the fee notice: someone else confirms (票款分离).
    fee_confirm_same_person: bool,
    deliver: bool,
    deliver_unpaid: bool,
}

impl Can {
    fn of(case: &Case, user: &AuthUser) -> Can {
        use CaseStatus as S;
        use Role::*;
        let role = user.user.role;
        let is = |roles: &[Role]| roles.contains(&role);
        let status = case.status;
        let immediate = case.item.case_kind == CaseKind::Immediate;
        let handling = status == S::Accepted;
        let open_handling = matches!(status, S::Accepted | S::Suspended);
        let extensions_left = case.extensions.len() < usize::from(case.item.max_extensions);
        let mut can = Can {
            accept: status == S::Submitted && is(&[Clerk, ChiefRep]),
            refuse: status == S::Submitted && is(&[Clerk, ChiefRep]),
            notify: (status == S::Submitted && is(&[Clerk, ChiefRep]))
                || (handling && is(&[Clerk, Approver, ChiefRep])),
            resubmit: status == S::AwaitingCorrection && is(&[Clerk, ChiefRep]),
            supply: !case.promised_materials.is_empty()
                && status.is_open()
                && is(&[Clerk, ChiefRep]),
            suspend: handling && !immediate && is(&[Clerk, Approver, ChiefRep]),
            resume: status == S::Suspended && is(&[Clerk, Approver, ChiefRep]),
            request_extension: open_handling
                && !immediate
                && extensions_left
                && case.pending_extension.is_none()
                && is(&[Approver, Clerk]),
            extend: open_handling
                && !immediate
                && extensions_left
                && case.due_date.is_some()
                && is(&[ChiefRep, Leader]),
            ..Default::default()
        };
        let decision_step = case.decision_step();
        let done = case.completed_steps();
        if handling && is(&[Clerk, Approver, ChiefRep]) && done + 1 < decision_step {
            can.step = Some((done + 1, case.steps[done].name.clone()));
        }
        let may_decide = is(&[Approver, ChiefRep]) || (role == Clerk && immediate);
        if handling && may_decide && decision_step.saturating_sub(done) <= 1 {
            if case.promised_materials.is_empty() {
                can.conclude = true;
            } else {
                can.conclude_blocked = Some(format!(
                    "容缺受理的材料尚未补齐（{}），补齐后才能办结。",
                    case.promised_materials.join("、")
                ));
            }
        }
        let denied = case
            .conclusion
            .as_ref()
            .is_some_and(|c| c.decision == Decision::Denied);
        can.fee_notice = case.accepted_on.is_some()
            && matches!(
                status,
                S::Accepted | S::Suspended | S::AwaitingCorrection | S::Concluded
            )
            && case.fee.is_none()
            && case.item.total_fee_fen() > 0
            && !denied
            && is(&[Clerk, Approver, ChiefRep]);
        if let Some(fee) = case.fee.as_ref().filter(|f| f.payment.is_none())
            && is(&[Clerk, Approver, ChiefRep, Admin])
        {
            if fee.issued_by_id == Some(user.user.id) {
                can.fee_confirm_same_person = true;
            } else {
                can.fee_confirm = true;
            }
        }
        if status == S::Concluded && is(&[Clerk, ChiefRep]) {
            if case.fee_due() {
                can.deliver_unpaid = true;
            } else {
                can.deliver = true;
            }
        }
        can
    }

    /// Takes away what the department's authorisation matrix does not give
    /// this clerk or approver on this item (a department without a matrix
    /// keeps the roles' rules; see `domain::staff::matrix_allows`).
    async fn restrict_by_matrix(
        &mut self,
        state: &AppState,
        user: &AuthUser,
        case: &Case,
    ) -> Result<(), AppError> {
        use domain::staff::{MatrixStep as M, matrix_allows};
        let role = user.user.role;
        if !matches!(role, Role::Clerk | Role::Approver)
            || !state
                .store
                .department_has_matrix(case.item.department_id)
                .await?
        {
            return Ok(());
        }
        let allowed = state
            .store
            .allowed_steps(user.user.id, case.item.item_id)
            .await?;
        let ok = |step| matrix_allows(role, true, step, &allowed);
        if !ok(M::Accept) {
            (self.accept, self.resubmit, self.supply) = (false, false, false);
        }
        self.refuse &= ok(M::Refuse);
        self.notify &= ok(M::Notify);
        if !ok(M::Review) {
            self.step = None;
        }
        if !ok(M::Conclude) {
            self.conclude = false;
            self.conclude_blocked = None;
        }
        self.fee_notice &= ok(M::Fee);
        if !ok(M::Deliver) {
            (self.deliver, self.deliver_unpaid) = (false, false);
        }
        Ok(())
    }

    fn any(&self) -> bool {
        self.accept
            || self.refuse
            || self.notify
            || self.resubmit
            || self.supply
            || self.step.is_some()
            || self.conclude
            || self.conclude_blocked.is_some()
            || self.suspend
            || self.resume
            || self.request_extension
            || self.extend
            || self.fee_notice
            || self.fee_confirm
            || self.fee_confirm_same_person
            || self.deliver
            || self.deliver_unpaid
    }

    /// The form opened first: what the case is waiting for from this viewer.
    fn primary(&self, case: &Case) -> &'static str {
        if self.extend && case.pending_extension.is_some() {
            return "extend";
        }
        let order: [(&'static str, bool); 9] = [
            ("accept", self.accept),
            ("resubmit", self.resubmit),
            ("resume", self.resume),
            ("step", self.step.is_some()),
            ("conclude", self.conclude),
            ("supply", self.supply),
            (
                "fee-notice",
                self.fee_notice && case.status == CaseStatus::Concluded,
            ),
            ("fee-confirm", self.fee_confirm),
            ("deliver", self.deliver),
        ];
        order
            .iter()
            .find(|(_, yes)| *yes)
            .map_or("", |(key, _)| key)
    }
}

/// A refused action: what to say, and what was posted so the form keeps it.
struct Failure {
    status: u16,
    action: String,
    message: String,
    errors: Vec<FieldError>,
    posted: Vec<(String, String)>,
}

/// One material of the item as the action forms list it.
struct FormMaterial {
    index: usize,
    name: String,
    required: bool,
    /// The main material, which 容缺受理 may not leave out.
    essential: bool,
    provided: bool,
    paper: bool,
    /// What the last one-time notice asked for this material.
    problem: String,
}

impl CasePage {
    /// Whether the form of `action` starts open.
    fn open(&self, action: &str) -> bool {
        match &self.failure {
            Some(f) => f.action == action,
            None => self.primary == action,
        }
    }

    /// The value posted to the failed form, so nothing typed is lost.
    fn val(&self, action: &str, field: &str) -> &str {
        self.failure
            .as_ref()
            .filter(|f| f.action == action)
            .and_then(|f| f.posted.iter().find(|(k, _)| k == field))
            .map_or("", |(_, v)| v.as_str())
    }

    fn checked(&self, action: &str, field: &str) -> bool {
        !self.val(action, field).is_empty()
    }

    /// [`Self::val`] of an indexed field such as `problem_2`.
    fn val_i(&self, action: &str, prefix: &str, i: impl Borrow<usize>) -> &str {
        self.val(action, &format!("{prefix}_{}", i.borrow()))
    }

    fn checked_i(&self, action: &str, prefix: &str, i: impl Borrow<usize>) -> bool {
        !self.val_i(action, prefix, i).is_empty()
    }

    /// Whether step `n` is the one being worked on.
    fn is_current(&self, n: impl Borrow<usize>) -> bool {
        self.v.current_step == Some(*n.borrow())
    }

    /// Whether a form came back, so its checkboxes show what was posted.
    fn failed(&self, action: &str) -> bool {
        self.failure.as_ref().is_some_and(|f| f.action == action)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Done {
    done: String,
}

/// The actions a case page posts, with the message shown after each.
const ACTIONS: [(&str, &str); 15] = [
    (
        "register",
        "已完成窗口登记。请核对材料后受理，或出具一次性告知书。",
    ),
    ("accept", "已受理，办结期限已生成。请打印受理回执交申请人。"),
    (
        "refuse",
        "已作出不予受理决定。请打印不予受理决定书交申请人。",
    ),
    ("notify", "已出具一次性告知书。请打印告知书交申请人。"),
    ("resubmit", "补正材料已收取。"),
    ("supply", "容缺材料已补齐。"),
    ("step", "本环节已办理，已转入下一环节。"),
    ("suspend", "已启动特别程序，期限暂停计算。"),
    ("resume", "特别程序已结束，期限已顺延。"),
    ("extension-request", "延期申请已提交，等待首席代表批准。"),
    ("extend", "已批准延期，办结期限已调整。"),
    ("conclude", "已办结。"),
    ("fee-notice", "已开具缴费通知。请打印缴费通知书交申请人。"),
    ("fee-confirm", "已确认缴费。"),
    ("deliver", "办理结果已送达。"),
];

async fn case_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(case_no): Path<String>,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let done = ACTIONS
        .iter()
        .find(|(key, _)| *key == d.done)
        .map(|(_, message)| *message);
    let print_receipt = d.done == "accept";
    show_case(&state, &user, &case_no, done, print_receipt, None).await
}

async fn show_case(
    state: &AppState,
    user: &AuthUser,
    case_no: &str,
    done: Option<&'static str>,
    print_receipt: bool,
    failure: Option<Failure>,
) -> Result<Response, PageError> {
    let record = staff_case(state, user, case_no).await?;
    let v = load_view(state, user, case_no).await?;
    let case = &record.case;
    let mut can = Can::of(case, user);
    can.restrict_by_matrix(state, user, case).await?;
    let last_notice = case.notices.last();
    let materials = case
        .item
        .materials
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let given = case.materials.iter().find(|p| p.name == m.name);
            FormMaterial {
                index,
                name: m.name.clone(),
                required: m.required,
                essential: m.required && index == 0,
                provided: given.is_some(),
                paper: given.is_some_and(|g| g.paper),
                problem: last_notice
                    .filter(|_| case.status == CaseStatus::AwaitingCorrection)
                    .and_then(|n| n.lines.iter().find(|l| l.material == m.name))
                    .map(|l| l.problem.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let no = urlencode(&v.case_no);
    let pdf = |kind: &str| format!("/cases/{no}/notices/{kind}.pdf");
    let mut prints = Vec::new();
    if v.accepted_at.is_some() {
        prints.push(("受理回执", pdf("acceptance")));
    }
    if !v.notices.is_empty() {
        prints.push(("一次性告知书", pdf("correction")));
    }
    if v.status == CaseStatus::Refused.code() {
        prints.push(("不予受理决定书", pdf("refusal")));
    }
    if v.fee.is_some() {
        prints.push(("缴费通知书", pdf("payment")));
    }
    if v.conclusion.is_some() {
        prints.push(("办结通知书", pdf("conclusion")));
    }
    let (extend_days, extend_reason) = match &case.pending_extension {
        Some(p) => (p.working_days.to_string(), p.reason.clone()),
        None => (String::new(), String::new()),
    };
    let fee_preview: Vec<(String, i64)> = case
        .item
        .fees
        .iter()
        .filter(|f| f.amount_fen > 0)
        .map(|f| (f.name.clone(), f.amount_fen))
        .collect();
    let status = failure
        .as_ref()
        .and_then(|f| StatusCode::from_u16(f.status).ok())
        .unwrap_or(StatusCode::OK);
    let title = format!("办件 {}", v.case_no);
    let ratings = state
        .store
        .case_ratings(record.id)
        .await?
        .into_iter()
        .map(crate::api::ratings::RatingDto::from)
        .collect();
    let hall_rating = v
        .query_code
        .as_ref()
        .filter(|_| domain::rating::rateable(case.status) && user.can(Permission::HandleCases))
        .map(|code| format!("/rate/{no}?query_code={}&channel=hall", urlencode(code)));
    let page = CasePage {
        ratings,
        hall_rating,
        chrome: Chrome::new(state, Some(user), &title, "desk").await,
        primary: can.primary(case),
        current_step_name: v
            .current_step
            .and_then(|n| v.steps.get(n - 1))
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        can,
        done,
        print_receipt: print_receipt && v.accepted_at.is_some(),
        failure,
        urgency: Urgency::of(
            v.working_days_left,
            v.overdue && v.working_days_left.is_some(),
        ),
        materials,
        procedures: SpecialProcedureKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        prints,
        result_default: case.item.result.clone(),
        extend_days,
        extend_reason,
        fee_preview_total: fee_preview.iter().map(|(_, f)| f).sum(),
        fee_preview,
        role_name: user.user.role.label(),
        v,
    };
    Ok((status, render(&page)?).into_response())
}

/// The case if the staff member's grant covers it; 404 otherwise, as the API.
async fn staff_case(
    state: &AppState,
    user: &AuthUser,
    case_no: &str,
) -> Result<store::CaseRecord, AppError> {
    let grant = user.grant(Permission::ReadCases)?;
    state
        .store
        .case_by_no(CaseViewer::Staff(&grant), case_no)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("case"),
            e => e.into(),
        })
}

async fn case_action(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((case_no, action)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    user.check_csrf(posted.get("csrf_token"))?;
    let Some((key, _)) = ACTIONS
        .iter()
        .find(|(key, _)| *key != "register" && *key == action)
    else {
        return Err(AppError::NotFound("page").into());
    };
    let record = staff_case(&state, &user, &case_no).await?;
    let result = async {
        let (action, files) = build_action(&state, key, &record.case, &posted).await?;
        act(&state, &user, &case_no, action, &files, None).await
    }
    .await;
    match result {
        Ok(v) => Ok(
            Redirect::to(&format!("/desk/cases/{}?done={key}", urlencode(&v.case_no)))
                .into_response(),
        ),
        Err(
            e @ (AppError::Invalid(_)
            | AppError::Conflict { .. }
            | AppError::Denied(_)
            | AppError::Forbidden
            | AppError::BadRequest { .. }),
        ) => {
            let body = e.body();
            let failure = Failure {
                status: e.status().as_u16(),
                action: key.to_string(),
                message: body.message,
                errors: body.errors,
                posted: posted.fields,
            };
            show_case(&state, &user, &case_no, None, false, Some(failure)).await
        }
        Err(e) => Err(e.into()),
    }
}

type Files = Vec<(NewFile, String, String)>;

/// Turns a posted form into the domain action (and the files it records).
async fn build_action(
    state: &AppState,
    key: &str,
    case: &Case,
    p: &Posted,
) -> Result<(Action, Files), AppError> {
    let names: Vec<&str> = case
        .item
        .materials
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    let ticked = |prefix: &str| -> Vec<String> {
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| p.has(&format!("{prefix}_{i}")))
            .map(|(_, n)| n.to_string())
            .collect()
    };
    let text = |field: &str| p.get(field).to_string();
    let action = match key {
        "accept" => Action::Accept {
            promised_materials: ticked("promise"),
            paper_materials: ticked("paper"),
        },
        "refuse" => Action::Refuse {
            reason: text("reason"),
        },
        "notify" => {
            let mut lines = Vec::new();
            // One row per material, and a last row for anything else.
            for i in 0..=names.len() {
                let problem = p.get(&format!("problem_{i}")).trim().to_string();
                let material = match names.get(i) {
                    Some(n) => n.to_string(),
                    None => p.get(&format!("material_{i}")).trim().to_string(),
                };
                let picked = p.has(&format!("pick_{i}"));
                if picked || !problem.is_empty() || (i == names.len() && !material.is_empty()) {
                    lines.push(NoticeLine { material, problem });
                }
            }
            Action::Notify { lines }
        }
        "resubmit" => {
            let mut inputs = Vec::new();
            for (i, name) in names.iter().enumerate() {
                let files = save_uploads(state, p, &format!("file_{i}"), i).await?;
                let paper = p.has(&format!("paper_{i}"));
                if paper || !files.is_empty() {
                    inputs.push(MaterialInput {
                        name: name.to_string(),
                        files,
                        paper,
                        certificate_no: None,
                    });
                }
            }
            let (materials, files) = materials_from(state, &inputs, "materials").await?;
            return Ok((Action::Resubmit { materials }, files));
        }
        "supply" => {
            let name = text("material");
            let files = save_uploads(state, p, "file", 0).await?;
            let input = MaterialInput {
                name: name.clone(),
                files,
                paper: p.has("paper"),
                certificate_no: None,
            };
            let (mut materials, files) =
                materials_from(state, std::slice::from_ref(&input), "material").await?;
            let material = materials.pop().unwrap_or(ProvidedMaterial {
                name,
                files: vec![],
                paper: false,
                certificate_no: None,
            });
            return Ok((Action::SupplyPromised { material }, files));
        }
        "step" => Action::CompleteStep {
            step: p.get("step").trim().parse().map_err(|_| {
                AppError::invalid("case.step_unknown", "step", "请选择要办理的环节")
            })?,
            opinion: text("opinion"),
        },
        "suspend" => Action::Suspend {
            procedure: SpecialProcedureKind::parse(p.get("procedure")).ok_or_else(|| {
                AppError::invalid(
                    "case.procedure_invalid",
                    "procedure",
                    "请选择特别程序的种类",
                )
            })?,
            reason: text("reason"),
        },
        "resume" => Action::Resume {
            result: text("result"),
        },
        "extension-request" => Action::RequestExtension {
            working_days: working_days(p)?,
            reason: text("reason"),
        },
        "extend" => Action::Extend {
            working_days: working_days(p)?,
            reason: text("reason"),
        },
        "conclude" => Action::Conclude {
            decision: Decision::parse(p.get("decision")).ok_or_else(|| {
                AppError::invalid(
                    "case.decision_invalid",
                    "decision",
                    "请选择办理决定：准予或不予",
                )
            })?,
            reason: text("reason"),
            result_name: text("result_name"),
            certificate_no: text("certificate_no"),
        },
        "fee-notice" => Action::IssueFeeNotice,
        "fee-confirm" => Action::ConfirmPayment {
            channel: PaymentChannel::parse(p.get("channel")).ok_or_else(|| {
                AppError::invalid(
                    "case.payment_channel_invalid",
                    "channel",
                    "请选择确认渠道：银行或财政",
                )
            })?,
            receipt_no: text("receipt_no"),
        },
        "deliver" => Action::Deliver {
            method: DeliveryMethod::parse(p.get("method")).ok_or_else(|| {
                AppError::invalid(
                    "case.delivery_method_invalid",
                    "method",
                    "请选择送达方式：窗口领取或邮寄",
                )
            })?,
            tracking_no: text("tracking_no"),
        },
        _ => return Err(AppError::NotFound("page")),
    };
    Ok((action, Vec::new()))
}

fn working_days(p: &Posted) -> Result<i64, AppError> {
    p.get("working_days").trim().parse().map_err(|_| {
        AppError::invalid(
            "case.extension_days_invalid",
            "working_days",
            format!(
                "请填写延长的工作日数（1至{}）",
                domain::case::MAX_EXTENSION_DAYS
            ),
        )
    })
}

/// Stores the files posted under `field` and names them for the case.
async fn save_uploads(
    state: &AppState,
    p: &Posted,
    field: &str,
    index: usize,
) -> Result<Vec<FileInput>, AppError> {
    let mut out = Vec::new();
    for upload in p.files(field) {
        let stored = crate::files::save(
            &state.settings.data_dir,
            &upload.bytes,
            &format!("materials[{index}].files"),
        )
        .await?;
        out.push(FileInput {
            sha256: stored.sha256,
            filename: upload.filename.clone(),
        });
    }
    Ok(out)
}

// ------------------------------------------------------------ to-do

#[derive(Template)]
#[template(path = "desk/todo.html")]
struct TodoPage {
    chrome: Chrome,
    todo: Vec<TodoRow>,
    extensions: Vec<ExtensionRow>,
    approves_extensions: bool,
    done: Vec<DoneRow>,
    /// How many recent cases the done list looked through.
    scanned: usize,
}

struct TodoRow {
    case_no: String,
    item_name: String,
    applicant: String,
    status_name: &'static str,
    step: String,
    due: String,
    urgency: Option<Urgency>,
    pending_extension: bool,
}

struct ExtensionRow {
    case_no: String,
    item_name: String,
    working_days: u32,
    reason: String,
    by: String,
    at: String,
    due: String,
}

struct DoneRow {
    case_no: String,
    item_name: String,
    status_name: &'static str,
    steps: String,
    at: String,
    result: String,
}

/// The done list looks through this many of the department's latest cases.
const DONE_SCAN: i64 = 100;

async fn back_to_case(Path((case_no, _)): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!("/desk/cases/{}", urlencode(&case_no)))
}

async fn todo(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let grant = user.grant(Permission::ReadCases)?;
    let viewer = CaseViewer::Staff(&grant);
    let today = state.clock.today();
    let open = CaseFilter {
        statuses: vec![
            CaseStatus::Accepted,
            CaseStatus::Suspended,
            CaseStatus::AwaitingCorrection,
        ],
        limit: 500,
        ..Default::default()
    };
    let open_cases = state.store.list_case_records(viewer, &open).await?;
    let mut todo = Vec::new();
    let mut extensions = Vec::new();
    for (s, record) in &open_cases {
        // Before acceptance a correction waits at the window, not on a step.
        if s.accepted_at.is_none() {
            continue;
        }
        let case = &record.case;
        let calendar = state.store.calendar(s.center_id).await?;
        let (left, overdue) = deadline_of(s, &calendar, today);
        let step = case
            .current_step()
            .map(|n| format!("第{n}步 {}", case.steps[n - 1].name))
            .unwrap_or_default();
        if let Some(p) = &case.pending_extension {
            extensions.push(ExtensionRow {
                case_no: s.case_no.clone(),
                item_name: s.item_name.clone(),
                working_days: p.working_days,
                reason: p.reason.clone(),
                by: p.requested_by.clone(),
                at: local_time(p.at),
                due: s.due_date.map(|d| d.to_string()).unwrap_or_default(),
            });
        }
        todo.push((
            s.due_date,
            TodoRow {
                case_no: s.case_no.clone(),
                item_name: s.item_name.clone(),
                applicant: domain::identity::mask_name(&s.applicant_name),
                status_name: status_label(&s.status),
                step,
                due: s.due_date.map(|d| d.to_string()).unwrap_or_default(),
                urgency: Urgency::of(left, overdue),
                pending_extension: case.pending_extension.is_some(),
            },
        ));
    }
    // Soonest deadline first; cases without one last.
    todo.sort_by_key(|(due, _)| (due.is_none(), *due));

    let recent = CaseFilter {
        statuses: vec![
            CaseStatus::Accepted,
            CaseStatus::Suspended,
            CaseStatus::AwaitingCorrection,
            CaseStatus::Concluded,
            CaseStatus::Delivered,
        ],
        limit: DONE_SCAN,
        ..Default::default()
    };
    let recent = state.store.list_case_records(viewer, &recent).await?;
    let scanned = recent.len();
    let mut done = Vec::new();
    for (s, record) in &recent {
        let case = &record.case;
        let mine: Vec<_> = case
            .steps
            .iter()
            .filter(|st| st.assignee_id == Some(user.user.id) && st.ended_at.is_some())
            .collect();
        let Some(last) = mine.iter().filter_map(|st| st.ended_at).max() else {
            continue;
        };
        done.push((
            last,
            DoneRow {
                case_no: s.case_no.clone(),
                item_name: s.item_name.clone(),
                status_name: status_label(&s.status),
                steps: mine
                    .iter()
                    .map(|st| st.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                at: local_time(last),
                result: case
                    .conclusion
                    .as_ref()
                    .map(|c| format!("{}：{}", c.decision.label(), c.result_name))
                    .unwrap_or_default(),
            },
        ));
    }
    done.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    render(&TodoPage {
        chrome: Chrome::new(&state, Some(&user), "待办与已办", "todo").await,
        todo: todo.into_iter().map(|(_, r)| r).collect(),
        extensions,
        approves_extensions: matches!(user.user.role, Role::ChiefRep | Role::Leader),
        done: done.into_iter().map(|(_, r)| r).collect(),
        scanned,
    })
}

// ------------------------------------------------------------ calendar

#[derive(Template)]
#[template(path = "desk/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    year: i32,
    working_days: u32,
    has_official_days: bool,
    months: Vec<Month>,
    days: Vec<crate::api::calendar::CalendarDay>,
    message: Option<String>,
    /// The form that failed and why.
    error: Option<(&'static str, Vec<String>)>,
    form: DayForm,
    kinds: Vec<(&'static str, &'static str)>,
}

impl CalendarPage {
    fn failed(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|(f, _)| *f == form)
    }
}

struct Month {
    name: String,
    weeks: Vec<Vec<Option<DayCell>>>,
}

struct DayCell {
    day: u32,
    date: String,
    /// `wd` workday, `we` weekend, `hol` holiday, `mk` make-up working day.
    class: &'static str,
    label: String,
    note: String,
    today: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DayForm {
    date: String,
    kind: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CalendarQuery {
    year: String,
    saved: String,
    imported: String,
}

async fn calendar(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<CalendarQuery>,
) -> PageResult {
    user.grant(Permission::ManageCalendar)?;
    let year = q
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| state.clock.today().year());
    let message = match q.saved.as_str() {
        "day" => Some("日期设置已保存，新的办结期限按新日历计算。".to_string()),
        "reset" => Some("该日期已恢复为按周末规则计算。".to_string()),
        _ => q
            .imported
            .parse::<usize>()
            .ok()
            .map(|n| format!("已导入{n}个日期。")),
    };
    calendar_page(&state, &user, year, message, None, DayForm::default()).await
}

async fn calendar_page(
    state: &AppState,
    user: &AuthUser,
    year: i32,
    message: Option<String>,
    error: Option<(&'static str, Vec<String>)>,
    form: DayForm,
) -> PageResult {
    let summary = calendar_year(state, year).await?;
    let cal = state.store.calendar(summary.center_id).await?;
    let today = state.clock.today();
    let months = (1..=12)
        .map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1).expect("a valid month");
            let mut weeks = Vec::new();
            let mut week: Vec<Option<DayCell>> = (0..first.weekday().num_days_from_monday())
                .map(|_| None)
                .collect();
            for date in first.iter_days().take_while(|d| d.month() == m) {
                let weekend = date.weekday().num_days_from_monday() >= 5;
                let o = cal.override_on(date);
                // A weekend day off is a holiday only when the calendar names it.
                let named = o.is_some_and(|o| !weekend || !o.note.is_empty());
                let (class, label) = match (cal.kind(date), weekend) {
                    (DayKind::Workday, true) => ("mk", "调休上班"),
                    (DayKind::Workday, false) => ("wd", "工作日"),
                    (DayKind::Holiday, _) if named => ("hol", "节假日"),
                    (DayKind::Holiday, _) => ("we", "周末"),
                };
                week.push(Some(DayCell {
                    day: date.day(),
                    date: date.to_string(),
                    class,
                    label: label.to_string(),
                    note: o.map(|o| o.note.clone()).unwrap_or_default(),
                    today: date == today,
                }));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
            }
            if !week.is_empty() {
                week.resize_with(7, || None);
                weeks.push(week);
            }
            Month {
                name: format!("{m}月"),
                weeks,
            }
        })
        .collect();
    let page = CalendarPage {
        chrome: Chrome::new(state, Some(user), &format!("{year}年工作日历"), "calendar").await,
        year,
        working_days: summary.working_days,
        has_official_days: summary.has_official_days,
        months,
        days: summary.days,
        message,
        error,
        form,
        kinds: DayKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
    };
    render(&page)
}

/// Re-renders the calendar with a form's problem, keeping what was typed.
async fn calendar_failed(
    state: &AppState,
    user: &AuthUser,
    year: i32,
    form_name: &'static str,
    e: AppError,
    form: DayForm,
) -> Result<Response, PageError> {
    let status = e.status();
    let messages = match e {
        AppError::Invalid(errors) => errors.0.into_iter().map(|e| e.message).collect(),
        e @ (AppError::Conflict { .. } | AppError::BadRequest { .. }) => vec![e.body().message],
        other => return Err(other.into()),
    };
    let page = calendar_page(state, user, year, None, Some((form_name, messages)), form).await?;
    Ok((status, page).into_response())
}

/// The year to show after a calendar form: the date's, else the page's, else this one.
fn year_of(state: &AppState, p: &Posted, date: Option<NaiveDate>) -> i32 {
    date.map(|d| d.year())
        .or_else(|| p.get("year").trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| state.clock.today().year())
}

async fn set_day(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    p: Posted,
) -> Result<Response, PageError> {
    user.check_csrf(p.get("csrf_token"))?;
    let grant = user.grant(Permission::ManageCalendar)?;
    let form = DayForm {
        date: p.get("date").trim().into(),
        kind: p.get("kind").into(),
        note: p.get("note").trim().into(),
    };
    let result: Result<NaiveDate, AppError> = async {
        let date = parse_date(&form.date, "date")?;
        let kind = DayKind::parse(&form.kind).ok_or_else(|| {
            AppError::invalid(
                "calendar.kind_invalid",
                "kind",
                "请选择日期类型：工作日或休息日",
            )
        })?;
        if form.note.chars().count() > MAX_NOTE_LEN {
            return Err(AppError::invalid(
                "field.too_long",
                "note",
                format!("说明不能超过{MAX_NOTE_LEN}个字"),
            ));
        }
        let center_id = home_center_id(&state).await?;
        state
            .store
            .set_calendar_days(
                &grant,
                center_id,
                &[(date, Some(kind), form.note.clone())],
                state.clock.now(),
            )
            .await?;
        tracing::info!(%date, kind = kind.code(), user = %user.user.username, "calendar day set");
        Ok(date)
    }
    .await;
    match result {
        Ok(date) => Ok(
            Redirect::to(&format!("/admin/calendar?year={}&saved=day", date.year()))
                .into_response(),
        ),
        Err(e) => {
            let year = year_of(&state, &p, parse_date(&form.date, "date").ok());
            calendar_failed(&state, &user, year, "day", e, form).await
        }
    }
}

async fn reset_day(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    p: Posted,
) -> Result<Response, PageError> {
    user.check_csrf(p.get("csrf_token"))?;
    let grant = user.grant(Permission::ManageCalendar)?;
    let raw = p.get("date").trim().to_string();
    let result: Result<NaiveDate, AppError> = async {
        let date = parse_date(&raw, "date")?;
        let center_id = home_center_id(&state).await?;
        state
            .store
            .set_calendar_days(
                &grant,
                center_id,
                &[(date, None, String::new())],
                state.clock.now(),
            )
            .await?;
        tracing::info!(%date, user = %user.user.username, "calendar day reset");
        Ok(date)
    }
    .await;
    match result {
        Ok(date) => Ok(
            Redirect::to(&format!("/admin/calendar?year={}&saved=reset", date.year()))
                .into_response(),
        ),
        Err(e) => {
            let year = year_of(&state, &p, None);
            let form = DayForm {
                date: raw,
                ..Default::default()
            };
            calendar_failed(&state, &user, year, "reset", e, form).await
        }
    }
}

async fn import_calendar(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    p: Posted,
) -> Result<Response, PageError> {
    user.check_csrf(p.get("csrf_token"))?;
    let grant = user.grant(Permission::ManageCalendar)?;
    let year = year_of(&state, &p, None);
    let file = p.files("file").next().map(|f| f.bytes.clone());
    let result = match file.filter(|b| !b.is_empty()) {
        None => Err(AppError::invalid(
            "field.required",
            "file",
            "请选择要导入的CSV文件",
        )),
        Some(bytes) => import_csv(&state, &grant, &bytes).await,
    };
    match result {
        Ok(n) => {
            tracing::info!(count = n, user = %user.user.username, "calendar imported");
            Ok(Redirect::to(&format!("/admin/calendar?year={year}&imported={n}")).into_response())
        }
        Err(e) => calendar_failed(&state, &user, year, "import", e, DayForm::default()).await,
    }
}

// ------------------------------------------------------------ helpers

/// A posted form, URL-encoded or multipart, read the same way: repeated and
/// indexed names (`paper_0`, `paper_1`…) and uploaded files.
#[derive(Default)]
struct Posted {
    fields: Vec<(String, String)>,
    files: Vec<Upload>,
}

struct Upload {
    field: String,
    filename: String,
    bytes: Bytes,
}

impl Posted {
    /// The first value of `name`, or "".
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether a checkbox `name` was ticked.
    fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, v)| k == name && !v.is_empty())
    }

    fn files<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Upload> {
        self.files.iter().filter(move |f| f.field == name)
    }
}

impl FromRequest<AppState> for Posted {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let unreadable = || {
            PageError(AppError::bad_request(
                "request.invalid_form",
                None,
                "提交的内容无法读取（文件可能超过大小限制），请返回重试",
            ))
        };
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|_| unreadable())?;
            return Ok(Posted {
                fields,
                files: Vec::new(),
            });
        }
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|_| unreadable())?;
        let mut posted = Posted::default();
        while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(filename) => {
                    let bytes = field.bytes().await.map_err(|_| unreadable())?;
                    // An empty file input still sends a part without a name.
                    if !(bytes.is_empty() && filename.is_empty()) {
                        posted.files.push(Upload {
                            field: name,
                            filename,
                            bytes,
                        });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| unreadable())?;
                    posted.fields.push((name, text));
                }
            }
        }
        Ok(posted)
    }
}

fn status_label(code: &str) -> &'static str {
    CaseStatus::parse(code).map_or("", |s| s.label())
}

fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&crate::clock::shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Filters of the desk templates, beside the shared ones.
mod filters {
    pub(crate) use crate::pages::filters::yuan;
    use askama::{Result, Values};
    use std::fmt::Display;

    /// An RFC 3339 time as the desk shows it: `2026-09-30 09:00` (Beijing).
    #[askama::filter_fn]
    pub fn dt<T: Display>(value: T, _: &dyn Values) -> Result<String> {
        let raw = value.to_string();
        Ok(match chrono::DateTime::parse_from_rfc3339(&raw) {
            Ok(t) => super::local_time(t.to_utc()),
            Err(_) => raw,
        })
    }

    /// The first 12 hex digits of a chain hash: enough to compare by eye.
    #[askama::filter_fn]
    pub fn short_hash<T: Display>(value: T, _: &dyn Values) -> Result<String> {
        Ok(value.to_string().chars().take(12).collect())
    }

    /// A role code as its Chinese name.
    #[askama::filter_fn]
    pub fn role_name<T: Display>(value: T, _: &dyn Values) -> Result<&'static str> {
        Ok(domain::access::Role::parse(&value.to_string()).map_or("", |r| r.label()))
    }

    /// Bytes as KB or MB.
    #[askama::filter_fn]
    pub fn size<T: Display>(value: T, _: &dyn Values) -> Result<String> {
        let n: f64 = value.to_string().parse().unwrap_or(0.0);
        Ok(if n >= 1024.0 * 1024.0 {
            format!("{:.1} MB", n / 1024.0 / 1024.0)
        } else {
            format!("{:.0} KB", (n / 1024.0).max(1.0))
        })
    }
}
