//! Complaints and requests (投诉 / 12345 诉求): intake at the hall, on the web
//! and from the 12345 hotline (one by one or a CSV/Excel export), routing,
//! the department's answer, the complainant's satisfaction.

use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::complaint::{
    ComplaintAction, ComplaintCategory, ComplaintEventKind, ComplaintInput, ComplaintSource,
    ComplaintStatus, NewComplaint, Satisfaction,
};
use domain::identity::{mask_name, mask_phone};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::{ComplaintFilter, ComplaintIntake};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_complaints, register))
        .routes(routes!(public_complaint))
        .routes(routes!(import_hotline))
        .routes(routes!(get_complaint))
        .routes(routes!(step))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ComplaintRequest {
    /// `hall`, `web` or `hotline` (the public form is always `web`).
    pub source: String,
    /// `attitude`, `delay`, `irregular`, `fees`, `consultation`,
    /// `suggestion` or `other` (or the Chinese name).
    pub category: String,
    /// Empty for an anonymous complaint.
    pub complainant_name: String,
    pub phone: String,
    pub content: String,
    /// The case it is about: routes it to the case's department.
    pub case_no: String,
    /// The department to route it to, when no case is named.
    pub department_id: Option<i64>,
    /// The staff member it is about.
    pub staff_name: String,
    /// The 12345 work order number.
    pub external_no: String,
}

impl ComplaintRequest {
    fn input(&self) -> ComplaintInput {
        ComplaintInput {
            source: self.source.clone(),
            category: self.category.clone(),
            complainant_name: self.complainant_name.clone(),
            phone: self.phone.clone(),
            content: self.content.clone(),
            case_no: self.case_no.clone(),
            staff_name: self.staff_name.clone(),
            external_no: self.external_no.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintDto {
    pub id: i64,
    pub source: String,
    pub source_name: String,
    pub category: String,
    pub category_name: String,
    /// Masked in lists.
    pub complainant_name: String,
    /// Masked in lists; in full on one complaint for the supervisors and the
    /// department it is assigned to, who call back.
    pub phone: String,
    pub content: String,
    pub case_no: Option<String>,
    pub staff_name: String,
    pub external_no: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub status: String,
    pub status_name: String,
    pub received_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    /// Unanswered after its due date.
    pub overdue: bool,
    pub reply: String,
    pub replied_on: Option<NaiveDate>,
    /// Answered by its due date (null while unanswered).
    pub replied_on_time: Option<bool>,
    pub satisfaction: Option<String>,
    pub satisfaction_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl ComplaintDto {
    pub(crate) fn new(c: store::ComplaintRecord, today: NaiveDate, full: bool) -> Self {
        Self {
            source_name: ComplaintSource::parse(&c.source)
                .map_or("", |s| s.label())
                .into(),
            category_name: ComplaintCategory::parse(&c.category)
                .map_or("", |s| s.label())
                .into(),
            status_name: ComplaintStatus::parse(&c.status)
                .map_or("", |s| s.label())
                .into(),
            satisfaction_name: c
                .satisfaction
                .as_deref()
                .and_then(Satisfaction::parse)
                .map(|s| s.label().to_string()),
            complainant_name: if full || c.complainant_name == "匿名" {
                c.complainant_name
            } else {
                mask_name(&c.complainant_name)
            },
            phone: if full { c.phone } else { mask_phone(&c.phone) },
            overdue: c.open_due.is_some_and(|d| d < today),
            replied_on_time: c.replied_on.map(|r| r <= c.due_date),
            id: c.id,
            source: c.source,
            category: c.category,
            content: c.content,
            case_no: c.case_no,
            staff_name: c.staff_name,
            external_no: c.external_no,
            department_id: c.department_id,
            department_name: c.department_name,
            status: c.status,
            received_at: c.received_at,
            due_date: c.due_date,
            reply: c.reply,
            replied_on: c.replied_on,
            satisfaction: c.satisfaction,
            closed_at: c.closed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintEventDto {
    pub kind: String,
    pub kind_name: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintDetail {
    #[serde(flatten)]
    pub complaint: ComplaintDto,
    pub events: Vec<ComplaintEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintList {
    pub complaints: Vec<ComplaintDto>,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub ids: Vec<i64>,
    pub count: usize,
}

pub(crate) async fn complaint_detail(
    state: &AppState,
    grant: &Grant,
    id: i64,
) -> AppResult<ComplaintDetail> {
    let (c, events) = state.store.complaint(grant, id).await?;
    Ok(ComplaintDetail {
        complaint: ComplaintDto::new(c, state.clock.today(), true),
        events: events
            .into_iter()
            .map(|e| ComplaintEventDto {
                kind_name: ComplaintEventKind::parse(&e.kind)
                    .map_or("", |k| k.label())
                    .into(),
                kind: e.kind,
                actor_name: e.actor_name,
                note: e.note,
                at: e.at,
            })
            .collect(),
    })
}

/// Registers one complaint (checked) by a supervisor or from the public form.
pub(crate) async fn register_one(
    state: &AppState,
    grant: Option<&Grant>,
    body: &ComplaintRequest,
) -> AppResult<(i64, NaiveDate)> {
    let complaint = NewComplaint::parse(&body.input(), "")?;
    let ids = state
        .store
        .register_complaints(
            grant,
            &[ComplaintIntake {
                complaint,
                department_id: body.department_id,
                department_name: None,
                field_prefix: String::new(),
            }],
            state.clock.now(),
        )
        .await?;
    let (id, due) = ids
        .first()
        .copied()
        .ok_or(AppError::NotFound("complaint"))?;
    tracing::info!(id, source = %body.source, category = %body.category, "complaint registered");
    Ok((id, due))
}

/// A supervisor registers a complaint taken at the hall or by phone. One
/// about a case goes to the case's department at once, and so does one
/// naming a department; others wait to be assigned.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = ComplaintRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ComplaintDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ComplaintRequest>,
) -> AppResult<(StatusCode, Json<ComplaintDetail>)> {
    let grant = user.grant(Permission::Supervise)?;
    let (id, _) = register_one(&state, Some(&grant), &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(complaint_detail(&state, &grant, id).await?),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReceipt {
    /// The complaint's number (投诉编号).
    pub id: i64,
    /// The answer is due by this day (working days by category).
    pub due_date: NaiveDate,
    pub category_name: String,
}

/// The public complaint form (网上投诉): anyone may complain about a case, a
/// staff member or the service; the answer comes by phone.
#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "complaints", request_body = ComplaintRequest,
    responses((status = 201, body = PublicReceipt), (status = 422, body = ErrorBody)))]
async fn public_complaint(
    State(state): State<AppState>,
    ApiJson(mut body): ApiJson<ComplaintRequest>,
) -> AppResult<(StatusCode, Json<PublicReceipt>)> {
    body.source = ComplaintSource::Web.code().into();
    body.external_no.clear();
    let (id, due_date) = register_one(&state, None, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(PublicReceipt {
            id,
            due_date,
            category_name: ComplaintCategory::parse(&body.category)
                .map_or("", |c| c.label())
                .into(),
        }),
    ))
}

/// Imports a 12345 hotline export (.xlsx, .xls or UTF-8 .csv; columns 工单编号,
/// 诉求人, 联系电话, 诉求类别, 诉求内容 and optionally 承办部门, 办件编号,
/// 被投诉人员). All or nothing: any bad row refuses the file with 422 naming
/// every problem by row (`rows[3].phone`: the fourth data row).
#[utoipa::path(post, path = "/api/v1/complaints/import", tag = "complaints",
    request_body(content_type = "multipart/form-data", description = "field `file`: the export"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = Registered), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_hotline(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Registered>)> {
    let grant = user.grant(Permission::Supervise)?;
    let bytes = crate::api::reports::read_upload(multipart).await?;
    let ids: Vec<i64> = import(&state, &grant, &bytes)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    tracing::info!(count = ids.len(), by = %user.user.username, "hotline orders imported");
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            count: ids.len(),
            ids,
        }),
    ))
}

/// Reads, checks and registers a hotline export.
pub(crate) async fn import(
    state: &AppState,
    grant: &Grant,
    bytes: &[u8],
) -> AppResult<Vec<(i64, NaiveDate)>> {
    let rows = sheets::read_hotline(bytes).map_err(|e| match e {
        sheets::SheetError::Unreadable(_) => AppError::invalid(
            "import.unreadable",
            "file",
            "无法读取文件：请上传Excel文件（.xlsx或.xls）或UTF-8编码的CSV文件",
        ),
        other => AppError::invalid("import.unreadable", "file", other.message()),
    })?;
    let mut errors = ValidationErrors::default();
    let mut intakes = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let prefix = format!("rows[{i}].");
        let input = ComplaintInput {
            source: ComplaintSource::Hotline.code().into(),
            category: row.category.clone(),
            complainant_name: row.complainant_name.clone(),
            phone: row.phone.clone(),
            content: row.content.clone(),
            case_no: row.case_no.clone(),
            staff_name: row.staff_name.clone(),
            external_no: row.external_no.clone(),
        };
        match NewComplaint::parse(&input, &prefix) {
            Ok(complaint) => intakes.push(ComplaintIntake {
                complaint,
                department_id: None,
                department_name: (!row.department.is_empty()).then(|| row.department.clone()),
                field_prefix: prefix,
            }),
            Err(e) => {
                for mut f in e.0 {
                    f.message = format!("第{}行：{}", row.row, f.message);
                    errors.push(f);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    match state
        .store
        .register_complaints(Some(grant), &intakes, state.clock.now())
        .await
    {
        Ok(ids) => Ok(ids),
        Err(store::StoreError::Invalid(mut e)) => {
            // Name the file's rows in the messages, as for the checks above.
            for f in &mut e.0 {
                if let Some(i) = f
                    .field
                    .strip_prefix("rows[")
                    .and_then(|r| r.split(']').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    && let Some(row) = rows.get(i)
                {
                    f.message = format!("第{}行：{}", row.row, f.message);
                }
            }
            Err(AppError::Invalid(e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ComplaintParams {
    /// `open` (received, assigned or handling), `all` (default) or one status.
    pub status: Option<String>,
    pub department_id: Option<i64>,
    /// `true`: only those unanswered after their due date.
    pub overdue: Option<bool>,
    pub offset: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
}

pub(crate) fn complaint_statuses(raw: Option<&str>) -> AppResult<Vec<ComplaintStatus>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("all") => Ok(Vec::new()),
        Some("open") => Ok(ComplaintStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect()),
        Some(s) => ComplaintStatus::parse(s).map(|s| vec![s]).ok_or_else(|| {
            AppError::bad_request(
                "complaint.status_invalid",
                Some("status"),
                "状态应为 open、all、received、assigned、handling、replied 或 closed",
            )
        }),
    }
}

/// Complaints, open ones first by due date; a department sees those
/// assigned to it. Names and phones are masked.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ComplaintParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ComplaintList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_complaints(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<ComplaintParams>,
) -> AppResult<Json<ComplaintList>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let today = state.clock.today();
    let filter = ComplaintFilter {
        statuses: complaint_statuses(p.status.as_deref())?,
        department_id: p.department_id,
        overdue_on: p.overdue.unwrap_or(false).then_some(today),
        offset: p.offset.unwrap_or(0),
        limit: p.limit.unwrap_or(50),
    };
    let (rows, total) = state.store.complaints(&grant, &filter).await?;
    Ok(Json(ComplaintList {
        complaints: rows
            .into_iter()
            .map(|c| ComplaintDto::new(c, today, false))
            .collect(),
        total,
    }))
}

/// One complaint with its history (the phone in full: the department calls
/// back).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ComplaintDetail), (status = 404, body = ErrorBody)))]
async fn get_complaint(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ComplaintDetail>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    Ok(Json(complaint_detail(&state, &grant, id).await?))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ComplaintStep {
    /// The answer, the reason for sending back, returning or reopening, or a
    /// note.
    pub note: String,
    /// For `assign`.
    pub department_id: Option<i64>,
    /// For `close`: `satisfied`, `basic` or `dissatisfied`.
    pub satisfaction: String,
}

/// Parses a step's name and body into the action.
pub(crate) fn complaint_action(name: &str, body: &ComplaintStep) -> AppResult<ComplaintAction> {
    Ok(match name {
        "assign" => ComplaintAction::Assign {
            department_id: body.department_id.ok_or_else(|| {
                AppError::invalid("field.required", "department_id", "请选择承办部门")
            })?,
        },
        "send-back" => ComplaintAction::SendBack,
        "accept" => ComplaintAction::Accept,
        "reply" => ComplaintAction::Reply,
        "return" => ComplaintAction::Return,
        "close" => ComplaintAction::Close {
            satisfaction: Satisfaction::parse(&body.satisfaction).ok_or_else(|| {
                AppError::invalid(
                    "complaint.satisfaction_invalid",
                    "satisfaction",
                    "请选择诉求人对答复的评价：满意、基本满意或不满意",
                )
            })?,
        },
        "reopen" => ComplaintAction::Reopen,
        _ => return Err(AppError::NotFound("action")),
    })
}

/// Takes a step with the grant it needs.
pub(crate) async fn act(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    action: ComplaintAction,
    note: &str,
) -> AppResult<ComplaintDetail> {
    let grant = if action.by_supervisor() {
        user.grant(Permission::Supervise)?
    } else {
        user.grant(Permission::AnswerCorrections)?
    };
    let note = action.note(note)?;
    let record = state
        .store
        .act_on_complaint(&grant, id, action, &note, state.clock.now())
        .await?;
    let view = user.grant(Permission::ViewSupervision)?;
    match complaint_detail(state, &view, id).await {
        // Sent back: no longer the department's to see, but it may see
        // what it just did.
        Err(AppError::NotFound(_)) => Ok(ComplaintDetail {
            complaint: ComplaintDto::new(record, state.clock.today(), false),
            events: Vec::new(),
        }),
        other => other,
    }
}

/// A step on a complaint: `assign` ({department_id}), `return`, `close`
/// ({satisfaction}) and `reopen` by supervisors; `accept` (签收),
/// `send-back` (not ours) and `reply` by the department it is assigned to.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/{action}", tag = "complaints", request_body = ComplaintStep,
    params(("action" = String, Path, description = "assign, send-back, accept, reply, return, close or reopen")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ComplaintDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, name)): Path<(i64, String)>,
    ApiJson(body): ApiJson<ComplaintStep>,
) -> AppResult<Json<ComplaintDetail>> {
    let action = complaint_action(&name, &body)?;
    Ok(Json(act(&state, &user, id, action, &body.note).await?))
}
