//! Staff pages: the roster `/admin/staff` with its flags, import and export,
//! a person's form with the photo, chief representatives and leaders,
//! replacement requests, the authorisation matrix, the attendance sheet, the
//! clerk's sign-in at `/desk/attendance` and the public staff board `/staff`
//! (人员公示: photo, name, department, window, post — nothing personal).

use super::{Chrome, PageError, PageResult, field, refusal, render};
use crate::api::staff::{
    AttendanceRecordRequest, AttendanceSheet, AuthorisationDto, DecisionRequest, Matrix,
    ReplacementDto, ReplacementRequest, RepresentativesDto, RepresentativesRequest, StaffDto,
    StaffFlags, StaffRequest, center_id, check_leader, compute_flags, employment_kinds, sees_full,
};
use crate::auth::{AuthUser, MaybeUser, PageUser};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Permission;
use domain::staff::{MatrixStep, Post};
use serde::Deserialize;
use std::borrow::Borrow;
use std::collections::HashMap;
use store::StaffFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/staff", get(roster))
        .route("/admin/staff/import", post(import))
        .route("/admin/staff/new", get(new_form).post(create))
        .route("/admin/staff/representatives", get(representatives))
        .route(
            "/admin/staff/representatives/{department_id}",
            post(save_representatives),
        )
        .route(
            "/admin/staff/replacements",
            get(replacements).post(request_replacement),
        )
        .route("/admin/staff/replacements/{id}", post(decide))
        .route("/admin/staff/matrix", get(matrix).post(save_matrix))
        .route(
            "/admin/staff/attendance",
            get(attendance).post(record_attendance),
        )
        .route("/admin/staff/{id}", get(edit_form).post(update))
        .route("/admin/staff/{id}/photo", get(photo).post(upload_photo))
        .route("/desk/attendance", get(sign_page).post(sign))
        .route("/staff", get(board))
        .route("/staff/photos/{id}", get(public_photo))
}

type Fields = Form<HashMap<String, String>>;

// ------------------------------------------------------------------ roster

#[derive(Template)]
#[template(path = "staff/roster.html")]
struct RosterPage {
    chrome: Chrome,
    staff: Vec<StaffDto>,
    flags: StaffFlags,
    departments: Vec<(i64, String)>,
    department_id: Option<i64>,
    only: String,
    can_manage: bool,
    flash: String,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RosterQuery {
    department_id: Option<String>,
    /// `flagged`: only people with a flag.
    only: String,
    imported: Option<usize>,
}

async fn roster_page(
    state: &AppState,
    user: &AuthUser,
    q: &RosterQuery,
    errors: Vec<String>,
) -> Result<RosterPage, AppError> {
    let grant = user.grant(Permission::ViewStaff)?;
    let center = center_id(state).await?;
    let department_id = q
        .department_id
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok());
    let today = state.clock.today();
    let full = sees_full(user);
    let staff: Vec<StaffDto> = state
        .store
        .list_staff(
            &grant,
            center,
            &StaffFilter {
                department_id,
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .map(|s| StaffDto::new(s, full, today))
        .filter(|s| q.only != "flagged" || !s.flags.is_empty())
        .collect();
    let departments = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .filter(|d| d.center_id == center && grant.covers(d.id))
        .map(|d| (d.id, d.name))
        .collect();
    Ok(RosterPage {
        chrome: Chrome::new(state, Some(user), "工作人员花名册", "roster").await,
        flags: compute_flags(state, &grant).await?,
        staff,
        departments,
        department_id,
        only: q.only.clone(),
        can_manage: user.can(Permission::ManageStaff),
        flash: q
            .imported
            .map(|n| format!("花名册已导入，共 {n} 人。"))
            .unwrap_or_default(),
        errors,
    })
}

async fn roster(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<RosterQuery>,
) -> PageResult {
    render(&roster_page(&state, &user, &q, Vec::new()).await?)
}

/// Reads a multipart form: its text fields and the bytes of its file field.
async fn multipart(
    mut m: Multipart,
    file_field: &str,
) -> Result<(HashMap<String, String>, Vec<u8>), AppError> {
    let mut fields = HashMap::new();
    let mut file = Vec::new();
    while let Some(part) = m.next_field().await.map_err(|_| {
        AppError::bad_request(
            "request.invalid_multipart",
            Some(file_field),
            "上传内容无法读取",
        )
    })? {
        let name = part.name().unwrap_or_default().to_string();
        if name == file_field {
            file = part.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        } else {
            fields.insert(name, part.text().await.unwrap_or_default());
        }
    }
    Ok((fields, file))
}

async fn import(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    m: Multipart,
) -> Result<Response, PageError> {
    let (fields, file) = multipart(m, "file").await?;
    user.check_csrf(field(&fields, "csrf_token"))?;
    let result = if file.is_empty() {
        Err(AppError::invalid(
            "field.required",
            "file",
            "请选择要导入的花名册文件",
        ))
    } else {
        crate::api::staff::import(&state, &user, &file).await
    };
    match result {
        Ok(ids) => {
            Ok(Redirect::to(&format!("/admin/staff?imported={}", ids.len())).into_response())
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = roster_page(&state, &user, &RosterQuery::default(), lines).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------- person form

#[derive(Template)]
#[template(path = "staff/form.html")]
struct FormPage {
    chrome: Chrome,
    id: Option<i64>,
    form: StaffRequest,
    person: Option<StaffDto>,
    departments: Vec<(i64, String)>,
    windows: Vec<(i64, String)>,
    users: Vec<(i64, String)>,
    employments: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    saved: bool,
}

impl FormPage {
    fn dept_selected(&self, id: &&i64) -> bool {
        self.form.department_id == Some(**id)
    }
    fn window_selected(&self, id: &&i64) -> bool {
        self.form.window_id == Some(**id)
    }
    fn user_selected(&self, id: &&i64) -> bool {
        self.form.user_id == Some(**id)
    }
}

fn form_of(f: &HashMap<String, String>) -> StaffRequest {
    let id = |k: &str| field(f, k).trim().parse::<i64>().ok();
    StaffRequest {
        name: field(f, "name").into(),
        sex: field(f, "sex").into(),
        ethnicity: field(f, "ethnicity").into(),
        id_number: field(f, "id_number").into(),
        education: field(f, "education").into(),
        political_status: field(f, "political_status").into(),
        employment: field(f, "employment").into(),
        phone: field(f, "phone").into(),
        notes: field(f, "notes").into(),
        department_id: id("department_id"),
        window_id: id("window_id"),
        post: field(f, "post").into(),
        joined_on: field(f, "joined_on").into(),
        term_ends_on: field(f, "term_ends_on").into(),
        user_id: id("user_id"),
    }
}

async fn form_page(
    state: &AppState,
    user: &AuthUser,
    id: Option<i64>,
    form: StaffRequest,
    person: Option<StaffDto>,
    errors: Vec<String>,
    saved: bool,
) -> Result<FormPage, AppError> {
    user.grant(Permission::ManageStaff)?;
    let center = center_id(state).await?;
    let departments: Vec<store::Department> = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .filter(|d| d.center_id == center)
        .collect();
    let dept_name = |id: Option<i64>| {
        departments
            .iter()
            .find(|d| Some(d.id) == id)
            .map_or(String::new(), |d| d.short_name.clone())
    };
    let windows = state
        .store
        .list_windows(center)
        .await?
        .into_iter()
        .map(|w| {
            (
                w.id,
                format!("{}号窗口（{}）", w.number, dept_name(w.department_id)),
            )
        })
        .collect();
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.role.needs_department())
        .map(|u| (u.id, format!("{}（{}）", u.username, u.display_name)))
        .collect();
    Ok(FormPage {
        chrome: Chrome::new(
            state,
            Some(user),
            if id.is_some() {
                "人员信息"
            } else {
                "新增人员"
            },
            "roster",
        )
        .await,
        id,
        form,
        person,
        departments: departments.iter().map(|d| (d.id, d.name.clone())).collect(),
        windows,
        users,
        employments: employment_kinds(),
        errors,
        saved,
    })
}

async fn new_form(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let form = StaffRequest {
        joined_on: state.clock.today().to_string(),
        employment: "formal".into(),
        ..Default::default()
    };
    render(&form_page(&state, &user, None, form, None, Vec::new(), false).await?)
}

async fn create(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let form = form_of(&f);
    match crate::api::staff::create(&state, &user, &form).await {
        Ok(s) => Ok(Redirect::to(&format!("/admin/staff/{}?saved=1", s.id)).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = form_page(&state, &user, None, form, None, lines, false).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Saved {
    saved: Option<String>,
}

fn request_of(s: &StaffDto) -> StaffRequest {
    StaffRequest {
        name: s.name.clone(),
        sex: s.sex.clone(),
        ethnicity: s.ethnicity.clone(),
        id_number: s.id_number.clone(),
        education: s.education.clone(),
        political_status: s.political_status.clone(),
        employment: s.employment.clone(),
        phone: s.phone.clone(),
        notes: s.notes.clone(),
        department_id: Some(s.department_id),
        window_id: s.window_id,
        post: s.post.clone().unwrap_or_default(),
        joined_on: s.joined_on.to_string(),
        term_ends_on: s.term_ends_on.map(|d| d.to_string()).unwrap_or_default(),
        user_id: s.user_id,
    }
}

async fn person(state: &AppState, user: &AuthUser, id: i64) -> Result<StaffDto, AppError> {
    let grant = user.grant(Permission::ViewStaff)?;
    let s = state
        .store
        .staff_member(&grant, id)
        .await
        .map_err(|_| AppError::NotFound("staff"))?;
    Ok(StaffDto::new(s, sees_full(user), state.clock.today()))
}

async fn edit_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(s): Query<Saved>,
) -> PageResult {
    let p = person(&state, &user, id).await?;
    let form = request_of(&p);
    render(
        &form_page(
            &state,
            &user,
            Some(id),
            form,
            Some(p),
            Vec::new(),
            s.saved.is_some(),
        )
        .await?,
    )
}

async fn update(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let form = form_of(&f);
    match crate::api::staff::update(&state, &user, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/staff/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let p = person(&state, &user, id).await?;
            let page = form_page(&state, &user, Some(id), form, Some(p), lines, false).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// The photo for staff (any back-office role whose grant covers the person).
async fn photo(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let grant = user.grant(Permission::ViewStaff)?;
    let s = state
        .store
        .staff_member(&grant, id)
        .await
        .map_err(|_| AppError::NotFound("staff"))?;
    Ok(crate::api::staff::photo_response(&state, s.photo_sha256.as_deref()).await?)
}

async fn upload_photo(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response, PageError> {
    let (fields, file) = multipart(m, "photo").await?;
    user.check_csrf(field(&fields, "csrf_token"))?;
    match crate::api::staff::save_photo(&state, &user, id, &file).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/staff/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let p = person(&state, &user, id).await?;
            let form = request_of(&p);
            let page = form_page(&state, &user, Some(id), form, Some(p), lines, false).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// --------------------------------------------------------- representatives

#[derive(Template)]
#[template(path = "staff/representatives.html")]
struct RepresentativesPage {
    chrome: Chrome,
    reps: Vec<RepresentativesDto>,
    /// The department whose form is open.
    editing: Option<RepresentativesDto>,
    /// Per department, the people on its roster.
    people: HashMap<i64, Vec<(i64, String)>>,
    can_manage: bool,
    errors: Vec<String>,
    saved: bool,
}

impl RepresentativesPage {
    fn people_of(&self, department_id: impl Borrow<i64>) -> Vec<(i64, String)> {
        self.people
            .get(department_id.borrow())
            .cloned()
            .unwrap_or_default()
    }

    fn is_chief(&self, r: &RepresentativesDto, staff_id: impl Borrow<i64>) -> bool {
        r.chief_staff_id == Some(*staff_id.borrow())
    }
}

async fn representatives_page(
    state: &AppState,
    user: &AuthUser,
    editing: Option<i64>,
    errors: Vec<String>,
    saved: bool,
) -> Result<RepresentativesPage, AppError> {
    let grant = user.grant(Permission::ViewStaff)?;
    let center = center_id(state).await?;
    let full = sees_full(user);
    let reps: Vec<RepresentativesDto> = state
        .store
        .list_representatives(center)
        .await?
        .into_iter()
        .filter(|r| grant.covers(r.department_id))
        .map(|r| RepresentativesDto::new(r, full))
        .collect();
    let editing = editing.and_then(|d| reps.iter().find(|r| r.department_id == d).cloned());
    let mut people: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for s in state
        .store
        .list_staff(&grant, center, &StaffFilter::default())
        .await?
    {
        people
            .entry(s.department_id)
            .or_default()
            .push((s.id, s.name));
    }
    Ok(RepresentativesPage {
        chrome: Chrome::new(state, Some(user), "首席代表与分管领导", "roster").await,
        reps,
        editing,
        people,
        can_manage: user.can(Permission::ManageStaff),
        errors,
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RepsQuery {
    department_id: Option<i64>,
    saved: Option<String>,
}

async fn representatives(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<RepsQuery>,
) -> PageResult {
    render(
        &representatives_page(
            &state,
            &user,
            q.department_id,
            Vec::new(),
            q.saved.is_some(),
        )
        .await?,
    )
}

async fn save_representatives(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(department_id): Path<i64>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let r = RepresentativesRequest {
        chief_staff_id: field(&f, "chief_staff_id").parse().ok(),
        leader_name: field(&f, "leader_name").into(),
        leader_post: field(&f, "leader_post").into(),
        leader_phone: field(&f, "leader_phone").into(),
    };
    let result = async {
        user.grant(Permission::ManageStaff)?;
        let leader = check_leader(&r)?;
        state
            .store
            .set_representatives(department_id, r.chief_staff_id, &leader, state.clock.now())
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/admin/staff/representatives?saved=1").into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page =
                representatives_page(&state, &user, Some(department_id), lines, false).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------ replacements

#[derive(Template)]
#[template(path = "staff/replacements.html")]
struct ReplacementsPage {
    chrome: Chrome,
    replacements: Vec<ReplacementDto>,
    people: Vec<(i64, String)>,
    can_request: bool,
    can_decide: bool,
    errors: Vec<String>,
    flash: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Flash {
    done: String,
}

async fn replacements_page(
    state: &AppState,
    user: &AuthUser,
    errors: Vec<String>,
    flash: String,
) -> Result<ReplacementsPage, AppError> {
    let grant = user.grant(Permission::ViewStaff)?;
    let center = center_id(state).await?;
    let today = state.clock.today();
    Ok(ReplacementsPage {
        chrome: Chrome::new(state, Some(user), "换岗申请", "roster").await,
        replacements: state
            .store
            .list_replacements(&grant)
            .await?
            .into_iter()
            .map(|r| ReplacementDto::new(r, today))
            .collect(),
        people: state
            .store
            .list_staff(&grant, center, &StaffFilter::default())
            .await?
            .into_iter()
            .map(|s| {
                let window = s
                    .window_number
                    .map(|w| format!(" {w}号窗口{}", s.post.map_or("", Post::label)))
                    .unwrap_or_default();
                (s.id, format!("{}（{}{window}）", s.name, s.department_name))
            })
            .collect(),
        can_request: matches!(
            user.user.role,
            domain::access::Role::Admin | domain::access::Role::ChiefRep
        ),
        can_decide: user.can(Permission::ManageStaff),
        errors,
        flash,
    })
}

async fn replacements(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(f): Query<Flash>,
) -> PageResult {
    let flash = match f.done.as_str() {
        "requested" => "换岗申请已提交，等待中心审批。",
        "approved" => "已批准换岗，花名册已更新。",
        "rejected" => "已驳回换岗申请。",
        _ => "",
    };
    render(&replacements_page(&state, &user, Vec::new(), flash.into()).await?)
}

async fn request_replacement(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let r = ReplacementRequest {
        leaving_staff_id: field(&f, "leaving_staff_id").parse().unwrap_or_default(),
        incoming_staff_id: field(&f, "incoming_staff_id").parse().unwrap_or_default(),
        reason: field(&f, "reason").into(),
    };
    match crate::api::staff::replace(&state, &user, &r).await {
        Ok(_) => Ok(Redirect::to("/admin/staff/replacements?done=requested").into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = replacements_page(&state, &user, lines, String::new()).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

async fn decide(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let approve = field(&f, "decision") == "approve";
    let r = DecisionRequest {
        approve,
        note: field(&f, "note").into(),
    };
    match crate::api::staff::decide(&state, &user, id, &r).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/staff/replacements?done={}",
            if approve { "approved" } else { "rejected" }
        ))
        .into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = replacements_page(&state, &user, lines, String::new()).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------ matrix

#[derive(Template)]
#[template(path = "staff/matrix.html")]
struct MatrixPage {
    chrome: Chrome,
    departments: Vec<(i64, String)>,
    department_id: Option<i64>,
    people: Vec<(i64, String)>,
    /// The department's items, each with how many cells it has.
    items: Vec<(i64, String, usize)>,
    /// The item whose grid is shown.
    item: Option<(i64, String)>,
    steps: Vec<(&'static str, &'static str)>,
    /// `staff-item-step` keys that are checked.
    checked: Vec<String>,
    can_manage: bool,
    errors: Vec<String>,
    saved: bool,
}

impl MatrixPage {
    fn is_item(&self, id: impl std::fmt::Display) -> bool {
        self.item
            .as_ref()
            .is_some_and(|i| i.0.to_string() == id.to_string())
    }

    fn is_checked(&self, staff: &&i64, item: impl std::fmt::Display, step: &str) -> bool {
        self.checked.contains(&format!("{staff}-{item}-{step}"))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MatrixQuery {
    department_id: Option<i64>,
    item_id: Option<i64>,
    saved: Option<String>,
}

async fn matrix_page(
    state: &AppState,
    user: &AuthUser,
    department_id: Option<i64>,
    item_id: Option<i64>,
    errors: Vec<String>,
    saved: bool,
) -> Result<MatrixPage, AppError> {
    let grant = user.grant(Permission::ViewStaff)?;
    let center = center_id(state).await?;
    let departments: Vec<(i64, String)> = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .filter(|d| d.center_id == center && grant.covers(d.id))
        .map(|d| (d.id, d.name))
        .collect();
    let department_id = department_id
        .filter(|d| grant.covers(*d))
        .or(grant.scope().department())
        .or(departments.first().map(|d| d.0));
    let (mut people, mut items, mut checked) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(d) = department_id {
        people = state
            .store
            .list_staff(
                &grant,
                center,
                &StaffFilter {
                    department_id: Some(d),
                    ..Default::default()
                },
            )
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let read = user.grant(Permission::ReadCatalogue)?;
        let cells = state.store.authorisations(d).await?;
        items = state
            .store
            .list_items(
                &read,
                &store::ItemFilter {
                    department_id: Some(d),
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?
            .0
            .into_iter()
            .map(|i| {
                let n = cells.iter().filter(|a| a.item_id == i.id).count();
                (i.id, i.name, n)
            })
            .collect();
        checked = cells
            .iter()
            .map(|a| format!("{}-{}-{}", a.staff_id, a.item_id, a.step.code()))
            .collect();
    }
    let item = item_id
        .and_then(|id| items.iter().find(|i| i.0 == id))
        .or_else(|| items.iter().find(|i| i.2 > 0))
        .or(items.first())
        .map(|i| (i.0, i.1.clone()));
    Ok(MatrixPage {
        chrome: Chrome::new(state, Some(user), "授权矩阵", "roster").await,
        departments,
        department_id,
        people,
        items,
        item,
        steps: MatrixStep::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        checked,
        can_manage: user.can(Permission::ManageStaff),
        errors,
        saved,
    })
}

async fn matrix(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<MatrixQuery>,
) -> PageResult {
    render(
        &matrix_page(
            &state,
            &user,
            q.department_id,
            q.item_id,
            Vec::new(),
            q.saved.is_some(),
        )
        .await?,
    )
}

async fn save_matrix(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    user.check_csrf(get("csrf_token"))?;
    let department_id: i64 = get("department_id")
        .parse()
        .map_err(|_| AppError::NotFound("department"))?;
    let item_id: i64 = get("item_id")
        .parse()
        .map_err(|_| AppError::NotFound("item"))?;
    // The form shows one item: keep the department's other items as they are.
    let mut entries: Vec<AuthorisationDto> = state
        .store
        .authorisations(department_id)
        .await?
        .into_iter()
        .filter(|a| a.item_id != item_id)
        .map(|a| AuthorisationDto {
            staff_id: a.staff_id,
            item_id: a.item_id,
            step: a.step.code().into(),
        })
        .collect();
    entries.extend(
        f.iter()
            .filter(|(n, _)| n == "cell")
            .filter_map(|(_, v)| {
                let mut parts = v.splitn(3, '-');
                Some(AuthorisationDto {
                    staff_id: parts.next()?.parse().ok()?,
                    item_id: parts.next()?.parse().ok()?,
                    step: parts.next()?.to_string(),
                })
            })
            .filter(|a| a.item_id == item_id),
    );
    match crate::api::staff::set_matrix(&state, &user, department_id, &Matrix { entries }).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/admin/staff/matrix?department_id={department_id}&item_id={item_id}&saved=1"
        ))
        .into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = matrix_page(
                &state,
                &user,
                Some(department_id),
                Some(item_id),
                lines,
                false,
            )
            .await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// -------------------------------------------------------------- attendance

#[derive(Template)]
#[template(path = "staff/attendance.html")]
struct AttendancePage {
    chrome: Chrome,
    sheet: AttendanceSheet,
    /// Day numbers of the month, and each person's marks.
    days: Vec<u32>,
    marks: Vec<Vec<String>>,
    departments: Vec<(i64, String)>,
    department_id: Option<i64>,
    people: Vec<(i64, String)>,
    can_manage: bool,
    errors: Vec<String>,
    saved: bool,
    today: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AttendanceQuery {
    month: Option<String>,
    department_id: Option<String>,
    saved: Option<String>,
}

async fn attendance_page(
    state: &AppState,
    user: &AuthUser,
    month: Option<&str>,
    department_id: Option<i64>,
    errors: Vec<String>,
    saved: bool,
) -> Result<AttendancePage, AppError> {
    use chrono::Datelike;
    let grant = user.grant(Permission::ViewStaff)?;
    let center = center_id(state).await?;
    let (sheet, first, last) =
        crate::api::staff::sheet(state, &grant, month, department_id).await?;
    let marks = sheet.people.iter().map(|p| p.marks(first, last)).collect();
    Ok(AttendancePage {
        chrome: Chrome::new(state, Some(user), "考勤月报", "roster").await,
        days: (first.day()..=last.day()).collect(),
        marks,
        departments: state
            .store
            .list_departments()
            .await?
            .into_iter()
            .filter(|d| d.center_id == center && grant.covers(d.id))
            .map(|d| (d.id, d.name))
            .collect(),
        department_id,
        people: state
            .store
            .list_staff(&grant, center, &StaffFilter::default())
            .await?
            .into_iter()
            .map(|s| (s.id, format!("{}（{}）", s.name, s.department_name)))
            .collect(),
        can_manage: user.can(Permission::ManageStaff),
        errors,
        saved,
        today: state.clock.today().to_string(),
        sheet,
    })
}

async fn attendance(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<AttendanceQuery>,
) -> PageResult {
    let department_id = q.department_id.as_deref().and_then(|d| d.parse().ok());
    render(
        &attendance_page(
            &state,
            &user,
            q.month.as_deref(),
            department_id,
            Vec::new(),
            q.saved.is_some(),
        )
        .await?,
    )
}

async fn record_attendance(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let r = AttendanceRecordRequest {
        staff_id: field(&f, "staff_id").parse().unwrap_or_default(),
        day: field(&f, "day").into(),
        signed_in: field(&f, "signed_in").into(),
        signed_out: field(&f, "signed_out").into(),
    };
    match crate::api::staff::record(&state, &user, &r).await {
        Ok(m) => Ok(Redirect::to(&format!(
            "/admin/staff/attendance?month={}&saved=1",
            m.day.format("%Y-%m")
        ))
        .into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = attendance_page(&state, &user, None, None, lines, false).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ----------------------------------------------------------- desk sign-in

#[derive(Template)]
#[template(path = "staff/sign.html")]
struct SignPage {
    chrome: Chrome,
    person: Option<StaffDto>,
    signed_in: Option<String>,
    signed_out: Option<String>,
    hours: String,
    message: String,
    error: String,
}

async fn sign_page_for(
    state: &AppState,
    user: &AuthUser,
    message: String,
    error: String,
) -> Result<SignPage, AppError> {
    let today = state.clock.today();
    let me = state.store.staff_of_user(user.user.id).await?;
    let (mut signed_in, mut signed_out) = (None, None);
    let mut hours = domain::hall::HallHours::default();
    if let Some(s) = &me {
        let center = center_id(state).await?;
        let grant = user.grant(Permission::ViewStaff)?;
        let month = state
            .store
            .attendance_month(&grant, center, Some(s.department_id), today, today, today)
            .await?;
        if let Some(day) = month
            .iter()
            .find(|m| m.staff.id == s.id)
            .and_then(|m| m.days.first())
        {
            signed_in = day.record.signed_in.map(|t| t.format("%H:%M").to_string());
            signed_out = day.record.signed_out.map(|t| t.format("%H:%M").to_string());
        }
        let halls = state.store.list_halls(center).await?;
        if let Some(h) = halls.iter().find(|h| Some(h.id) == s.hall_id).or_else(|| {
            halls
                .iter()
                .find(|h| h.kind == domain::hall::HallKind::Main)
        }) {
            hours = h.hours;
        }
    }
    let fmt = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    let mut hours_text = format!("上午 {}–{}", fmt(hours.morning().0), fmt(hours.morning().1));
    if let Some(pm) = hours.afternoon() {
        hours_text.push_str(&format!("，下午 {}–{}", fmt(pm.0), fmt(pm.1)));
    }
    Ok(SignPage {
        chrome: Chrome::new(state, Some(user), "考勤签到", "sign").await,
        person: me.map(|s| StaffDto::new(s, false, today)),
        signed_in,
        signed_out,
        hours: hours_text,
        message,
        error,
    })
}

async fn sign_page(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    render(&sign_page_for(&state, &user, String::new(), String::new()).await?)
}

async fn sign(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let out = field(&f, "action") == "sign-out";
    match crate::api::staff::sign(&state, &user, out).await {
        Ok(m) => {
            let msg = if out {
                format!("已签退（{}）。", m.signed_out.unwrap_or_default())
            } else {
                format!("已签到（{}）。", m.signed_in.unwrap_or_default())
            };
            Ok(render(&sign_page_for(&state, &user, msg, String::new()).await?)?.into_response())
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = sign_page_for(&state, &user, String::new(), lines.join("；")).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------ public board

/// One person on the public board: nothing but what seed 002 names.
struct BoardEntry {
    id: i64,
    name: String,
    window: String,
    post: String,
    has_photo: bool,
}

#[derive(Template)]
#[template(path = "staff/board.html")]
struct BoardPage {
    chrome: Chrome,
    departments: Vec<(String, Vec<BoardEntry>)>,
}

async fn board(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> PageResult {
    let center = center_id(&state).await?;
    let view = domain::access::authorize(
        &domain::access::Actor {
            user_id: 0,
            username: "public".into(),
            role: domain::access::Role::Admin,
            department_id: None,
        },
        Permission::ViewStaff,
    )
    .map_err(AppError::from)?;
    let mut departments: Vec<(String, Vec<BoardEntry>)> = Vec::new();
    for s in state
        .store
        .list_staff(&view, center, &StaffFilter::default())
        .await?
    {
        let entry = BoardEntry {
            id: s.id,
            name: s.name,
            window: s
                .window_number
                .map(|w| format!("{w}号窗口"))
                .unwrap_or_default(),
            post: s.post.map(|p| p.label().to_string()).unwrap_or_default(),
            has_photo: s.photo_sha256.is_some(),
        };
        match departments.last_mut() {
            Some((d, list)) if *d == s.department_name => list.push(entry),
            _ => departments.push((s.department_name, vec![entry])),
        }
    }
    render(&BoardPage {
        chrome: Chrome::new(&state, user.as_ref(), "人员公示", "staff").await,
        departments,
    })
}

/// A photo for the public board: only of someone on the roster now.
async fn public_photo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match state.store.staff_by_id(id).await? {
        Some(s) if s.left_on.is_none() => {
            Ok(crate::api::staff::photo_response(&state, s.photo_sha256.as_deref()).await?)
        }
        _ => Err(AppError::NotFound("photo").into()),
    }
}
