//! Cases (办件): submission, the one POST per action of the lifecycle, the
//! trail, material files and the public inquiry.
//!
//! Every action goes through the store, where the domain decides inside the
//! write transaction; a refused action answers 409 (state), 403 (role) or
//! 422 (input) and changes nothing. POSTs honour an `Idempotency-Key` header:
//! a retry with the same key and body replays the answer without acting
//! twice; the same key with another body is refused.

use crate::api::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::cases::{Audience, CaseView, PublicCaseView, new_query_code, public_view, view};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::files;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::access::{Permission, Role};
use domain::case::{
    Action, ApplicantInput, CaseStatus, Channel, Decision, DeliveryMethod, EventActor, FileRef,
    NoticeLine, PaymentChannel, ProvidedMaterial,
};
use domain::catalogue::SpecialProcedureKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{CaseFilter, CaseViewer, IdempotencyKey, NewFile, Written};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(get_case))
        .routes(routes!(accept))
        .routes(routes!(refuse))
        .routes(routes!(notify))
        .routes(routes!(resubmit))
        .routes(routes!(supply))
        .routes(routes!(complete_step))
        .routes(routes!(suspend))
        .routes(routes!(resume))
        .routes(routes!(request_extension))
        .routes(routes!(extend))
        .routes(routes!(conclude))
        .routes(routes!(fee_notice))
        .routes(routes!(fee_confirm))
        .routes(routes!(deliver))
        .routes(routes!(upload_file))
        .routes(routes!(download_file))
        .routes(routes!(public_case))
}

// ---------------------------------------------------------------- requests

/// A new application.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewCaseRequest {
    pub item_id: Option<i64>,
    pub applicant: ApplicantInput,
    /// `window` (a clerk registers it at the counter) or `online` (the
    /// applicant, signed in or not). Defaults by who is calling.
    pub channel: String,
    pub materials: Vec<MaterialInput>,
}

/// One material of a submission or correction.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MaterialInput {
    /// The material's name exactly as the item's checklist has it.
    pub name: String,
    /// Files uploaded before with `POST /api/v1/files`.
    pub files: Vec<FileInput>,
    /// Seen on paper at the window.
    pub paper: bool,
    /// An electronic certificate (电子证照) cited instead of a copy.
    pub certificate_no: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FileInput {
    pub sha256: String,
    pub filename: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AcceptRequest {
    /// 容缺受理: non-essential materials the applicant promises to bring.
    pub promised_materials: Vec<String>,
    /// Materials the clerk checked on paper at the window.
    pub paper_materials: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReasonRequest {
    pub reason: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NotifyRequest {
    /// Every missing or wrong material, all at once (一次性告知).
    pub lines: Vec<NoticeLine>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MaterialsRequest {
    pub materials: Vec<MaterialInput>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SupplyRequest {
    pub material: MaterialInput,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct OpinionRequest {
    pub opinion: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SuspendRequest {
    /// `inspection`, `hearing`, `expert_review`, `testing`, `publicity`, `tender`, `other`.
    pub procedure: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ResumeRequest {
    pub result: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ExtendRequest {
    pub working_days: i64,
    pub reason: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConcludeRequest {
    /// `approved` or `denied`.
    pub decision: String,
    /// Required for a denial.
    pub reason: String,
    /// Defaults to the item's result.
    pub result_name: String,
    pub certificate_no: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConfirmRequest {
    /// `bank` or `finance`.
    pub channel: String,
    pub receipt_no: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DeliverRequest {
    /// `window` or `post`.
    pub method: String,
    /// Required by post.
    pub tracking_no: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseListQuery {
    /// Comma-separated statuses, e.g. `submitted,accepted`.
    pub status: Option<String>,
    pub department_id: Option<i64>,
    /// Case number, applicant name or item name.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InquiryQuery {
    pub query_code: Option<String>,
}

// ---------------------------------------------------------------- answers

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCase {
    pub case_no: String,
    pub query_code: String,
    pub status: &'static str,
    /// The whole case as the caller may see it.
    pub case: CaseView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseListEntry {
    pub case_no: String,
    pub item_id: i64,
    pub item_name: String,
    pub department_id: i64,
    pub status: String,
    pub status_name: &'static str,
    pub channel: String,
    /// Masked for everyone in lists.
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub submitted_at: String,
    pub accepted_at: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub working_days_left: Option<i64>,
    pub current_step: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseListEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedFile {
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
}

// ---------------------------------------------------------------- handlers

/// Submits an application: online by an applicant (signed in or not) or at a
/// window by a clerk. The case binds to the item's published version.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays instead of submitting twice")),
    responses((status = 201, body = CreatedCase), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_case(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewCaseRequest>,
) -> AppResult<Response> {
    let user = user.map(|u| u.0);
    let idem = idempotency(&headers, user.as_ref(), "POST /api/v1/cases", &req)?;
    let outcome = submit_case(&state, user.as_ref(), req, idem.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

/// The body of a submission, shared with the pages.
pub(crate) async fn submit_case(
    state: &AppState,
    user: Option<&crate::auth::AuthUser>,
    req: NewCaseRequest,
    idem: Option<&IdempotencyKey>,
) -> AppResult<CreatedCase> {
    let actor = user.map(|u| u.actor());
    if let Some(a) = &actor
        && !matches!(a.role, Role::Applicant | Role::Clerk | Role::ChiefRep)
    {
        return Err(AppError::denied("只有申请人或窗口工作人员可以提交申请"));
    }
    let channel = match req.channel.trim() {
        "" => match actor.as_ref().map(|a| a.role) {
            Some(Role::Clerk | Role::ChiefRep) => Channel::Window,
            _ => Channel::Online,
        },
        raw => Channel::parse(raw).ok_or_else(|| {
            AppError::invalid(
                "case.channel_invalid",
                "channel",
                "申请渠道应为 window（窗口）或 online（网上）",
            )
        })?,
    };
    let item_id = req
        .item_id
        .ok_or_else(|| AppError::invalid("field.required", "item_id", "请选择申请事项"))?;
    let version = state.store.published_item(item_id).await?.ok_or_else(|| {
        AppError::invalid("case.item_not_found", "item_id", "该事项不存在或尚未发布")
    })?;
    if channel == Channel::Online && !version.content.online {
        return Err(AppError::invalid(
            "case.item_not_online",
            "item_id",
            "该事项暂不支持网上申报，请到窗口办理",
        ));
    }
    let (materials, new_files) = materials_from(state, &req.materials, "materials").await?;
    let item = domain::case::CaseItem::from_content(
        version.item_id,
        version.id,
        version.version_no,
        &version.content,
    );
    let body = domain::case::submit(item, &req.applicant, channel, materials, actor.as_ref())
        .map_err(case_error)?;
    let department = state
        .store
        .department(version.content.department_id)
        .await?
        .ok_or(AppError::NotFound("department"))?;
    let now = state.clock.now();
    let event = domain::case::Event {
        at: now,
        actor: match user {
            Some(u) => EventActor::of(&u.actor(), &u.user.display_name),
            None => EventActor::anonymous(&req.applicant.name),
        },
        body,
    };
    let query_code = new_query_code();
    let written = state
        .store
        .submit_case(
            department.center_id,
            state.clock.today(),
            &query_code,
            &event,
            &new_files,
            idem,
            now,
        )
        .await?;
    // The writer hands back the trail it wrote; only a replay reads it again.
    let (record, events) = match written {
        Written::Done(w) => (w.record, w.events),
        Written::Replayed { case_no, .. } => {
            let record = state.store.case_record(&case_no).await?;
            let events = state.store.case_events(record.id).await?;
            (record, events)
        }
    };
    let audience = match &actor {
        Some(a) => Audience::of(a.role, a.department_id, &record.case, a.user_id),
        // An anonymous applicant gets their own case back, once.
        None => Audience::Handler,
    };
    let case = view(state, &record, audience, &events).await?;
    tracing::info!(case_no = %record.case_no, item_id, channel = channel.code(), "case submitted");
    Ok(CreatedCase {
        case_no: record.case_no.clone(),
        query_code: record.query_code.clone(),
        status: record.case.status.code(),
        case,
    })
}

/// Cases the caller may see: department staff their department's, center
/// roles all, an applicant their own. Names and ID numbers are masked.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseList), (status = 401, body = ErrorBody)))]
async fn list_cases(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<CaseListQuery>,
) -> AppResult<Json<CaseList>> {
    let mut statuses = Vec::new();
    for (i, raw) in q
        .status
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        statuses.push(CaseStatus::parse(raw).ok_or_else(|| {
            AppError::bad_request(
                "case.status_invalid",
                Some("status"),
                format!("第{}个状态“{raw}”不正确", i + 1),
            )
        })?);
    }
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    let filter = CaseFilter {
        statuses,
        department_id: q.department_id,
        text: q.q,
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    let grant;
    let viewer = if user.user.role == Role::Applicant {
        CaseViewer::Applicant(user.user.id)
    } else {
        grant = user.grant(Permission::ReadCases)?;
        CaseViewer::Staff(&grant)
    };
    let (rows, total) = state.store.list_cases(viewer, &filter).await?;
    let today = state.clock.today();
    let mut cases = Vec::with_capacity(rows.len());
    for r in rows {
        let calendar = state.store.calendar(r.center_id).await?;
        let status = CaseStatus::parse(&r.status);
        let open = status.is_some_and(|s| s.is_open()) && r.accepted_at.is_some();
        cases.push(CaseListEntry {
            working_days_left: r
                .due_date
                .filter(|_| open)
                .map(|due| calendar.working_days_left(today, due)),
            status_name: status.map(|s| s.label()).unwrap_or_default(),
            applicant_name: domain::identity::mask_name(&r.applicant_name),
            applicant_id_number: domain::identity::mask_middle(&r.applicant_id_number, 6, 4),
            submitted_at: crate::clock::rfc3339_local(r.submitted_at),
            accepted_at: r.accepted_at.map(crate::clock::rfc3339_local),
            case_no: r.case_no,
            item_id: r.item_id,
            item_name: r.item_name,
            department_id: r.department_id,
            status: r.status,
            channel: r.channel,
            due_date: r.due_date,
            current_step: r.current_step,
        });
    }
    Ok(Json(CaseList {
        cases,
        total,
        page,
        per_page,
    }))
}

/// One case with its steps, materials, fees and trail.
#[utoipa::path(get, path = "/api/v1/cases/{case_no}", tag = "cases",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
async fn get_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(case_no): Path<String>,
) -> AppResult<Json<CaseView>> {
    Ok(Json(load_view(&state, &user, &case_no).await?))
}

/// The case as this user may see it; 404 when they may not.
pub(crate) async fn load_view(
    state: &AppState,
    user: &crate::auth::AuthUser,
    case_no: &str,
) -> AppResult<CaseView> {
    let grant;
    let viewer = if user.user.role == Role::Applicant {
        CaseViewer::Applicant(user.user.id)
    } else {
        grant = user.grant(Permission::ReadCases)?;
        CaseViewer::Staff(&grant)
    };
    let record = state
        .store
        .case_by_no(viewer, case_no)
        .await
        .map_err(case_not_found)?;
    let events = state.store.case_events(record.id).await?;
    view_for(state, user, &record, &events).await
}

/// The view of a case the user may see, with its trail.
async fn view_for(
    state: &AppState,
    user: &crate::auth::AuthUser,
    record: &store::CaseRecord,
    events: &[store::StoredEvent],
) -> AppResult<CaseView> {
    let a = user.actor();
    view(
        state,
        record,
        Audience::of(a.role, a.department_id, &record.case, a.user_id),
        events,
    )
    .await
}

macro_rules! action_handler {
    ($name:ident, $path:literal, $req:ty, $doc:literal, |$state:ident, $r:ident| $build:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "cases", request_body = $req,
            params(("case_no" = String, Path, description = "办件编号"),
                ("Idempotency-Key" = Option<String>, Header, description = "Replays instead of acting twice")),
            security(("bearer" = []), ("session" = [])),
            responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
                (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
        async fn $name(
            State($state): State<AppState>,
            ApiUser(user): ApiUser,
            Path(case_no): Path<String>,
            headers: HeaderMap,
            ApiJson($r): ApiJson<$req>,
        ) -> AppResult<Json<CaseView>> {
            let idem = idempotency(&headers, Some(&user), &format!("POST {} {}", $path, case_no), &$r)?;
            let (action, files): (Action, Vec<(NewFile, String, String)>) = $build;
            Ok(Json(act(&$state, &user, &case_no, action, &files, idem.as_ref()).await?))
        }
    };
}

action_handler!(
    accept,
    "/api/v1/cases/{case_no}/accept",
    AcceptRequest,
    "Accepts (受理) at the window; lists materials promised under 容缺受理. Sets the deadline.",
    |state, r| (
        Action::Accept {
            promised_materials: r.promised_materials,
            paper_materials: r.paper_materials
        },
        vec![]
    )
);

action_handler!(
    refuse,
    "/api/v1/cases/{case_no}/refuse",
    ReasonRequest,
    "Refuses to accept (不予受理); the reason is required.",
    |state, r| (Action::Refuse { reason: r.reason }, vec![])
);

action_handler!(
    notify,
    "/api/v1/cases/{case_no}/notify",
    NotifyRequest,
    "Issues the one-time notice (一次性告知) listing every missing or wrong material; the case waits for the applicant and, once accepted, its clock stops.",
    |state, r| (Action::Notify { lines: r.lines }, vec![])
);

action_handler!(
    resubmit,
    "/api/v1/cases/{case_no}/resubmit",
    MaterialsRequest,
    "Hands in the corrections the one-time notice asked for.",
    |state, r| {
        let (materials, files) = materials_from(&state, &r.materials, "materials").await?;
        (Action::Resubmit { materials }, files)
    }
);

action_handler!(
    supply,
    "/api/v1/cases/{case_no}/supply",
    SupplyRequest,
    "Hands in a material promised under 容缺受理.",
    |state, r| {
        let (mut materials, files) =
            materials_from(&state, std::slice::from_ref(&r.material), "material").await?;
        let material = materials.pop().unwrap_or(ProvidedMaterial {
            name: r.material.name.clone(),
            files: vec![],
            paper: false,
            certificate_no: None,
        });
        (Action::SupplyPromised { material }, files)
    }
);

action_handler!(
    suspend,
    "/api/v1/cases/{case_no}/suspend",
    SuspendRequest,
    "Starts a special procedure (特别程序); its working days do not count toward the deadline.",
    |state, r| {
        let procedure = SpecialProcedureKind::parse(&r.procedure).ok_or_else(|| {
            AppError::invalid(
                "case.procedure_invalid",
                "procedure",
                "特别程序类型不正确（现场勘查、听证、专家评审、检验检测、公示、招标拍卖、其他）",
            )
        })?;
        (
            Action::Suspend {
                procedure,
                reason: r.reason,
            },
            vec![],
        )
    }
);

action_handler!(
    resume,
    "/api/v1/cases/{case_no}/resume",
    ResumeRequest,
    "Ends the special procedure; the deadline moves by the working days it took.",
    |state, r| (Action::Resume { result: r.result }, vec![])
);

action_handler!(
    request_extension,
    "/api/v1/cases/{case_no}/extension-request",
    ExtendRequest,
    "Asks the chief representative to extend the deadline.",
    |state, r| (
        Action::RequestExtension {
            working_days: r.working_days,
            reason: r.reason
        },
        vec![]
    )
);

action_handler!(
    extend,
    "/api/v1/cases/{case_no}/extend",
    ExtendRequest,
    "Extends the deadline by N working days (the chief representative or a leader approves); once unless the item allows more.",
    |state, r| (
        Action::Extend {
            working_days: r.working_days,
            reason: r.reason
        },
        vec![]
    )
);

action_handler!(
    conclude,
    "/api/v1/cases/{case_no}/conclude",
    ConcludeRequest,
    "Concludes (办结): approved or denied (reason required), with the result and certificate number.",
    |state, r| {
        let decision = Decision::parse(&r.decision).ok_or_else(|| {
            AppError::invalid(
                "case.decision_invalid",
                "decision",
                "办理决定应为 approved（准予）或 denied（不予）",
            )
        })?;
        (
            Action::Conclude {
                decision,
                reason: r.reason,
                result_name: r.result_name,
                certificate_no: r.certificate_no,
            },
            vec![],
        )
    }
);

action_handler!(
    fee_confirm,
    "/api/v1/cases/{case_no}/fees/confirm",
    ConfirmRequest,
    "Confirms payment (bank or finance); never by the person who issued the notice (票款分离).",
    |state, r| {
        let channel = PaymentChannel::parse(&r.channel).ok_or_else(|| {
            AppError::invalid(
                "case.payment_channel_invalid",
                "channel",
                "确认渠道应为 bank（银行）或 finance（财政）",
            )
        })?;
        (
            Action::ConfirmPayment {
                channel,
                receipt_no: r.receipt_no,
            },
            vec![],
        )
    }
);

action_handler!(
    deliver,
    "/api/v1/cases/{case_no}/deliver",
    DeliverRequest,
    "Delivers the result at the window or by post (tracking number); only when paid.",
    |state, r| {
        let method = DeliveryMethod::parse(&r.method).ok_or_else(|| {
            AppError::invalid(
                "case.delivery_method_invalid",
                "method",
                "送达方式应为 window（窗口领取）或 post（邮寄）",
            )
        })?;
        (
            Action::Deliver {
                method,
                tracking_no: r.tracking_no,
            },
            vec![],
        )
    }
);

/// Completes step `n` (1-based) of the item's procedure with an opinion.
#[utoipa::path(post, path = "/api/v1/cases/{case_no}/steps/{n}/complete", tag = "cases", request_body = OpinionRequest,
    params(("case_no" = String, Path), ("n" = usize, Path, description = "环节序号，从1开始")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete_step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((case_no, n)): Path<(String, usize)>,
    headers: HeaderMap,
    ApiJson(r): ApiJson<OpinionRequest>,
) -> AppResult<Json<CaseView>> {
    let idem = idempotency(
        &headers,
        Some(&user),
        &format!("POST /api/v1/cases/{case_no}/steps/{n}/complete"),
        &r,
    )?;
    let action = Action::CompleteStep {
        step: n,
        opinion: r.opinion,
    };
    Ok(Json(
        act(&state, &user, &case_no, action, &[], idem.as_ref()).await?,
    ))
}

/// Issues the payment notice (缴费通知) from the item's fee standard.
#[utoipa::path(post, path = "/api/v1/cases/{case_no}/fees/notice", tag = "cases",
    params(("case_no" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody)))]
async fn fee_notice(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(case_no): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<CaseView>> {
    let idem = idempotency(
        &headers,
        Some(&user),
        &format!("POST /api/v1/cases/{case_no}/fees/notice"),
        &(),
    )?;
    Ok(Json(
        act(
            &state,
            &user,
            &case_no,
            Action::IssueFeeNotice,
            &[],
            idem.as_ref(),
        )
        .await?,
    ))
}

/// Runs one action and answers with the case as it now stands.
pub(crate) async fn act(
    state: &AppState,
    user: &crate::auth::AuthUser,
    case_no: &str,
    action: Action,
    files: &[(NewFile, String, String)],
    idem: Option<&IdempotencyKey>,
) -> AppResult<CaseView> {
    let now = state.clock.now();
    let today = state.clock.today();
    let name = if user.user.display_name.is_empty() {
        user.user.username.clone()
    } else {
        user.user.display_name.clone()
    };
    let written = if user.user.role == Role::Applicant {
        state
            .store
            .applicant_act(
                &user.actor(),
                &name,
                case_no,
                action,
                files,
                idem,
                now,
                today,
            )
            .await
    } else {
        let grant = user.grant(Permission::HandleCases)?;
        crate::api::staff::check_matrix(state, user, case_no, &action).await?;
        state
            .store
            .act_on_case(&grant, &name, case_no, action, files, idem, now, today)
            .await
    }
    .map_err(case_not_found)?;
    match written {
        // The writer has just checked that the case is the caller's to act on
        // and handed back its new state and trail: nothing is left to read.
        Written::Done(w) => {
            tracing::info!(case_no = %w.record.case_no, kind = w.event().body.kind(), user = %user.user.username, "case action");
            view_for(state, user, &w.record, &w.events).await
        }
        Written::Replayed { .. } => load_view(state, user, case_no).await,
    }
}

/// Stores a material file (PDF, PNG or JPEG, at most 10 MB) and answers with
/// its SHA-256, to be named in a submission or correction. Open to anonymous
/// online applicants; a file is only ever served to those who may see a case
/// that names it.
#[utoipa::path(post, path = "/api/v1/files", tag = "cases",
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = UploadedFile), (status = 422, body = ErrorBody)))]
async fn upload_file(
    State(state): State<AppState>,
    _user: Option<ApiUser>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<UploadedFile>)> {
    let stored = files::save(&state.settings.data_dir, &body, "file").await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadedFile {
            sha256: stored.sha256,
            size: stored.size,
            content_type: stored.content_type.to_string(),
        }),
    ))
}

/// A material file, for those who may see a case that names it.
#[utoipa::path(get, path = "/api/v1/files/{sha256}", tag = "cases",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn download_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(sha256): Path<String>,
) -> AppResult<Response> {
    let grant;
    let viewer = if user.user.role == Role::Applicant {
        CaseViewer::Applicant(user.user.id)
    } else {
        grant = user.grant(Permission::ReadCases)?;
        CaseViewer::Staff(&grant)
    };
    let sha256 = sha256.to_ascii_lowercase();
    let (filename, content_type) = state
        .store
        .file_visible(viewer, &sha256)
        .await?
        .ok_or(AppError::NotFound("file"))?;
    let bytes = files::read(&state.settings.data_dir, &sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename*=UTF-8''{}",
                    crate::auth::urlencode(&filename)
                ),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The public inquiry: status, due date and steps for the case number and its
/// query code; nothing personal beyond a masked name.
#[utoipa::path(get, path = "/api/v1/public/cases/{case_no}", tag = "cases", params(InquiryQuery),
    responses((status = 200, body = PublicCaseView), (status = 404, body = ErrorBody)))]
async fn public_case(
    State(state): State<AppState>,
    Path(case_no): Path<String>,
    ApiQuery(q): ApiQuery<InquiryQuery>,
) -> AppResult<Json<PublicCaseView>> {
    let code = q.query_code.unwrap_or_default();
    if code.trim().is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "query_code",
            "请输入查询码",
        ));
    }
    let record = inquire(&state, case_no.trim(), &code).await?;
    Ok(Json(public_view(&state, &record).await))
}

/// Looks a case up by number and query code. Six digits are few, so wrong
/// codes for one case number are limited like failed logins (429 after five
/// in 15 minutes) and a code cannot be found by trying them all.
pub(crate) async fn inquire(
    state: &AppState,
    case_no: &str,
    query_code: &str,
) -> AppResult<store::CaseRecord> {
    let key = [format!("inquiry:{}", case_no.to_uppercase())];
    let now = state.clock.now();
    state
        .limiter
        .check(&key, now)
        .map_err(|_| AppError::InquiryLimited)?;
    match state.store.case_for_inquiry(case_no, query_code).await {
        Ok(r) => {
            state.limiter.clear(&key[0]);
            Ok(r)
        }
        Err(store::StoreError::NotFound) => {
            state.limiter.record_failure(&key, now);
            Err(AppError::NotFound("case"))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- helpers

/// Resolves the files a request names into materials and files to record.
pub(crate) async fn materials_from(
    state: &AppState,
    inputs: &[MaterialInput],
    field: &str,
) -> AppResult<(Vec<ProvidedMaterial>, Vec<(NewFile, String, String)>)> {
    let mut materials = Vec::with_capacity(inputs.len());
    let mut new_files = Vec::new();
    for (i, m) in inputs.iter().enumerate() {
        let name = m.name.trim().to_string();
        let mut refs = Vec::new();
        for (j, f) in m.files.iter().enumerate() {
            let stored = files::existing(
                &state.settings.data_dir,
                f.sha256.trim(),
                &format!("{field}[{i}].files[{j}].sha256"),
            )
            .await?;
            let filename = match f.filename.trim() {
                "" => format!("{name}.{}", extension(stored.content_type)),
                n => n.chars().take(100).collect(),
            };
            new_files.push((
                NewFile {
                    sha256: stored.sha256.clone(),
                    size: stored.size,
                    content_type: stored.content_type.to_string(),
                },
                name.clone(),
                filename.clone(),
            ));
            refs.push(FileRef {
                sha256: stored.sha256,
                filename,
                content_type: stored.content_type.to_string(),
                size: stored.size,
            });
        }
        materials.push(ProvidedMaterial {
            name,
            files: refs,
            paper: m.paper,
            certificate_no: m
                .certificate_no
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
        });
    }
    Ok((materials, new_files))
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "bin",
    }
}

/// Reads the Idempotency-Key header; the request hash covers the path and body.
pub(crate) fn idempotency(
    headers: &HeaderMap,
    user: Option<&crate::auth::AuthUser>,
    what: &str,
    body: &impl Serialize,
) -> AppResult<Option<IdempotencyKey>> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = raw.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::bad_request(
            "idempotency.key_invalid",
            Some("Idempotency-Key"),
            "Idempotency-Key 应为1至200个可见字符",
        ));
    }
    let mut h = Sha256::new();
    h.update(what.as_bytes());
    h.update(b"\n");
    h.update(serde_json::to_vec(body).unwrap_or_default());
    Ok(Some(IdempotencyKey {
        principal: user
            .map(|u| format!("user:{}", u.user.id))
            .unwrap_or_else(|| "anon".into()),
        key: key.to_string(),
        request_hash: hex::encode(h.finalize()),
    }))
}

fn case_error(e: domain::case::CaseError) -> AppError {
    store::StoreError::Case(e).into()
}

fn case_not_found(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::NotFound => AppError::NotFound("case"),
        e => e.into(),
    }
}
