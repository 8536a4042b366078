//! Electronic supervision (电子监察): live warnings, violations, the warning
//! thresholds, the worker's runs, certificates registered from outside and
//! correction orders (纠错/督办).

use crate::api::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::Permission;
use domain::case::CaseStatus;
use domain::identity::mask_name;
use domain::supervision::{
    CorrectionAction, CorrectionEventKind, CorrectionStatus, NewCorrection, ViolationRule,
    ViolationStatus, WarningLevel, WarningRule, WarningSettings,
};
use serde::{Deserialize, Serialize};
use store::{CorrectionFilter, CorrectionTarget, ExternalCertificate, WarningQuery};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_warnings))
        .routes(routes!(warning_summary))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(run_now))
        .routes(routes!(get_violation))
        .routes(routes!(resolve_violation))
        .routes(routes!(register_certificates))
        .routes(routes!(list_corrections, issue_correction))
        .routes(routes!(get_correction))
        .routes(routes!(reply_correction))
        .routes(routes!(return_correction))
        .routes(routes!(close_correction))
}

// ---------------------------------------------------------------- warnings

#[derive(Debug, Deserialize, IntoParams)]
pub struct WarningParams {
    /// `yellow` or `red`; both when absent.
    pub level: Option<String>,
    pub department_id: Option<i64>,
    pub offset: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningDto {
    /// `time` (a deadline rule, live from the case's thresholds), `violation`
    /// or `followup` (a bad rating's follow-up near or past its due date).
    pub source: String,
    pub case_no: Option<String>,
    /// For `violation`: the record to resolve or to issue a correction on.
    pub violation_id: Option<i64>,
    /// For `followup`: the bad rating's follow-up (差评整改单).
    pub followup_id: Option<i64>,
    /// `yellow` or `red`.
    pub level: String,
    pub level_name: String,
    pub rule: String,
    pub rule_name: String,
    /// The day the warning began.
    pub since: NaiveDate,
    pub department_id: i64,
    pub department_name: String,
    pub item_name: Option<String>,
    /// Masked.
    pub applicant_name: Option<String>,
    pub status: Option<String>,
    pub status_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub current_step: Option<String>,
    pub detail: String,
}

impl From<store::WarningRow> for WarningDto {
    fn from(w: store::WarningRow) -> Self {
        let rule_name = WarningRule::parse(&w.rule)
            .map(|r| r.label())
            .or_else(|| ViolationRule::parse(&w.rule).map(|r| r.label()))
            .unwrap_or("")
            .to_string();
        Self {
            violation_id: (w.source == "violation").then_some(w.ref_id),
            followup_id: (w.source == "followup").then_some(w.ref_id),
            level_name: WarningLevel::parse(&w.level)
                .map_or("", |l| l.label())
                .into(),
            rule_name,
            status_name: w
                .status
                .as_deref()
                .and_then(CaseStatus::parse)
                .map(|s| s.label().to_string()),
            applicant_name: w.applicant_name.as_deref().map(mask_name),
            source: w.source,
            case_no: w.case_no,
            level: w.level,
            rule: w.rule,
            since: w.since,
            department_id: w.department_id,
            department_name: w.department_name,
            item_name: w.item_name,
            status: w.status,
            due_date: w.due_date,
            current_step: w.current_step.filter(|s| !s.is_empty()),
            detail: w.detail,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningList {
    /// The day the warnings are for (today in Beijing time).
    pub today: NaiveDate,
    pub warnings: Vec<WarningDto>,
    pub total: i64,
}

pub(crate) fn parse_level(raw: Option<&str>) -> AppResult<Option<WarningLevel>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => WarningLevel::parse(s).map(Some).ok_or_else(|| {
            AppError::bad_request(
                "warning.level_invalid",
                Some("level"),
                "预警级别应为 yellow（黄牌）或 red（红牌）",
            )
        }),
    }
}

/// Current warnings, red first: cases near or past their deadline (live:
/// compared with today, never stale), steps over budget and open violations.
/// Department staff see their own department's.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "supervision", params(WarningParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = WarningList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_warnings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<WarningParams>,
) -> AppResult<Json<WarningList>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let query = WarningQuery {
        today: state.clock.today(),
        level: parse_level(p.level.as_deref())?,
        department_id: p.department_id,
        offset: p.offset.unwrap_or(0),
        limit: p.limit.unwrap_or(50),
    };
    let (rows, total) = state.store.warnings(&grant, &query).await?;
    Ok(Json(WarningList {
        today: query.today,
        warnings: rows.into_iter().map(WarningDto::from).collect(),
        total,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentWarnings {
    pub department_id: i64,
    pub department_name: String,
    pub yellow: i64,
    pub red: i64,
    pub violations: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningSummary {
    pub today: NaiveDate,
    pub yellow: i64,
    pub red: i64,
    pub departments: Vec<DepartmentWarnings>,
    /// The supervision worker's last run.
    pub last_run: Option<RunDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunDto {
    pub ran_at: Option<DateTime<Utc>>,
    pub today: NaiveDate,
    pub warnings_recorded: i64,
    pub corrections_escalated: i64,
}

/// Current warnings counted by department and level.
#[utoipa::path(get, path = "/api/v1/warnings/summary", tag = "supervision",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = WarningSummary), (status = 403, body = ErrorBody)))]
async fn warning_summary(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<WarningSummary>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    Ok(Json(summary(&state, &grant).await?))
}

pub(crate) async fn summary(
    state: &AppState,
    grant: &domain::access::Grant,
) -> AppResult<WarningSummary> {
    let today = state.clock.today();
    let counts = state.store.warning_counts(grant, today).await?;
    let last_run = state.store.last_supervision_run().await?.map(|r| RunDto {
        ran_at: Some(r.ran_at),
        today: r.today,
        warnings_recorded: r.warnings_recorded,
        corrections_escalated: r.corrections_escalated,
    });
    Ok(WarningSummary {
        today,
        yellow: counts.iter().map(|c| c.yellow).sum(),
        red: counts.iter().map(|c| c.red).sum(),
        departments: counts
            .into_iter()
            .map(|c| DepartmentWarnings {
                department_id: c.department_id,
                department_name: c.department_name,
                yellow: c.yellow,
                red: c.red,
                violations: c.violations,
            })
            .collect(),
        last_run,
    })
}

// ---------------------------------------------------------------- settings

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SettingsDto {
    /// Yellow at this many working days left or fewer (0 to 30).
    pub yellow_working_days: i64,
    /// Yellow once this share of the time is used (above 0, at most 1).
    pub yellow_ratio: f64,
    /// Working days a department has to settle a bad rating (1 to 30,
    /// default 15); unchanged when left out of a PUT.
    #[serde(default)]
    pub bad_rating_working_days: Option<i64>,
}

impl SettingsDto {
    fn new(s: WarningSettings, bad_rating_working_days: u32) -> Self {
        Self {
            yellow_working_days: i64::from(s.yellow_working_days),
            yellow_ratio: s.yellow_ratio(),
            bad_rating_working_days: Some(i64::from(bad_rating_working_days)),
        }
    }
}

/// The home center's warning thresholds.
#[utoipa::path(get, path = "/api/v1/supervision/settings", tag = "supervision",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SettingsDto), (status = 403, body = ErrorBody)))]
async fn get_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<SettingsDto>> {
    user.grant(Permission::ViewSupervision)?;
    let center = crate::api::calendar::home_center_id(&state).await?;
    Ok(Json(SettingsDto::new(
        state.store.warning_settings(center).await?,
        state.store.bad_rating_working_days(center).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsSaved {
    #[serde(flatten)]
    pub settings: SettingsDto,
    /// Running cases whose warnings were recomputed.
    pub cases_rewatched: usize,
}

/// Changes the thresholds (supervisors, administrators); every running case's
/// warnings are recomputed at once.
#[utoipa::path(put, path = "/api/v1/supervision/settings", tag = "supervision", request_body = SettingsDto,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SettingsSaved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<SettingsDto>,
) -> AppResult<Json<SettingsSaved>> {
    let grant = user.grant(Permission::Supervise)?;
    let (settings, bad_days) = parse_settings(&body)?;
    let center = crate::api::calendar::home_center_id(&state).await?;
    let now = state.clock.now();
    let n = state
        .store
        .set_warning_settings(&grant, center, settings, now)
        .await?;
    if let Some(days) = bad_days {
        state
            .store
            .set_bad_rating_working_days(&grant, center, days, now)
            .await?;
    }
    Ok(Json(SettingsSaved {
        settings: SettingsDto::new(settings, state.store.bad_rating_working_days(center).await?),
        cases_rewatched: n,
    }))
}

/// Checks every field of the settings before anything is saved.
pub(crate) fn parse_settings(
    body: &SettingsDto,
) -> Result<(WarningSettings, Option<u32>), domain::ValidationErrors> {
    let warnings = WarningSettings::new(body.yellow_working_days, body.yellow_ratio);
    let bad = body
        .bad_rating_working_days
        .map(domain::rating::bad_rating_working_days)
        .transpose();
    match (warnings, bad) {
        (Ok(w), Ok(b)) => Ok((w, b)),
        (w, b) => {
            let mut e = w.err().unwrap_or_default();
            e.0.extend(b.err().unwrap_or_default().0);
            Err(e)
        }
    }
}

/// Runs the supervision worker now (it also runs at start and every ten
/// minutes): records warnings that began, escalates overdue correction orders.
#[utoipa::path(post, path = "/api/v1/supervision/run", tag = "supervision",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RunDto), (status = 403, body = ErrorBody)))]
async fn run_now(State(state): State<AppState>, ApiUser(user): ApiUser) -> AppResult<Json<RunDto>> {
    user.grant(Permission::Supervise)?;
    let run = state
        .store
        .run_supervision(state.clock.today(), state.clock.now())
        .await?;
    Ok(Json(RunDto {
        ran_at: Some(state.clock.now()),
        today: run.today,
        warnings_recorded: run.warnings_recorded,
        corrections_escalated: run.corrections_escalated,
    }))
}

// -------------------------------------------------------------- violations

#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationDto {
    pub id: i64,
    pub department_id: i64,
    pub case_no: Option<String>,
    pub certificate_no: Option<String>,
    pub rule: String,
    pub rule_name: String,
    pub level: String,
    pub detail: String,
    pub occurred_at: DateTime<Utc>,
    /// `open`, `dismissed` or `corrected`.
    pub status: String,
    pub status_name: String,
    pub resolution: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<store::ViolationRecord> for ViolationDto {
    fn from(v: store::ViolationRecord) -> Self {
        Self {
            rule_name: ViolationRule::parse(&v.rule)
                .map_or("", |r| r.label())
                .into(),
            status_name: ViolationStatus::parse(&v.status)
                .map_or("", |s| s.label())
                .into(),
            id: v.id,
            department_id: v.department_id,
            case_no: v.case_no,
            certificate_no: v.certificate_no,
            rule: v.rule,
            level: v.level,
            detail: v.detail,
            occurred_at: v.occurred_at,
            status: v.status,
            resolution: v.resolution,
            resolved_at: v.resolved_at,
        }
    }
}

/// One violation.
#[utoipa::path(get, path = "/api/v1/violations/{id}", tag = "supervision",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ViolationDto), (status = 404, body = ErrorBody)))]
async fn get_violation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ViolationDto>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    Ok(Json(state.store.violation(&grant, id).await?.into()))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ResolveRequest {
    /// `dismissed` (a mistaken flag) or `corrected`.
    pub status: String,
    pub resolution: String,
}

/// A supervisor closes an open violation with a note.
#[utoipa::path(post, path = "/api/v1/violations/{id}/resolve", tag = "supervision", request_body = ResolveRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ViolationDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn resolve_violation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ResolveRequest>,
) -> AppResult<Json<ViolationDto>> {
    let grant = user.grant(Permission::Supervise)?;
    let status = ViolationStatus::parse(&body.status)
        .filter(|s| *s != ViolationStatus::Open)
        .ok_or_else(|| {
            AppError::invalid(
                "violation.status_invalid",
                "status",
                "处理结果应为 dismissed（已排除）或 corrected（已纠正）",
            )
        })?;
    let v = state
        .store
        .resolve_violation(&grant, id, status, &body.resolution, state.clock.now())
        .await?;
    Ok(Json(v.into()))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CertificateInput {
    pub certificate_no: String,
    pub name: String,
    pub holder_name: String,
    pub holder_id_number: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// The govhall case it was issued under, if any.
    pub case_no: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CertificateUpload {
    /// The issuing department; a department's staff may leave it out.
    pub department_id: Option<i64>,
    pub certificates: Vec<CertificateInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredDto {
    pub certificate_no: String,
    /// Set when no accepted case stands behind it: a 体外循环 violation.
    pub violation_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadAnswer {
    pub registered: Vec<RegisteredDto>,
    /// How many were flagged as 体外循环.
    pub flagged: usize,
}

/// Registers certificates a department issued outside govhall. Each must name
/// the accepted case behind it; one that does not is flagged as 体外循环.
#[utoipa::path(post, path = "/api/v1/certificates/external", tag = "supervision", request_body = CertificateUpload,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = UploadAnswer), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn register_certificates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CertificateUpload>,
) -> AppResult<(StatusCode, Json<UploadAnswer>)> {
    let grant = user.grant(Permission::HandleCases)?;
    let department_id = match (grant.scope().department(), body.department_id) {
        (Some(mine), None) => mine,
        (_, Some(d)) => d,
        (None, None) => {
            return Err(AppError::invalid(
                "field.required",
                "department_id",
                "请选择发证部门",
            ));
        }
    };
    if body.certificates.is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "certificates",
            "请至少登记一份证照",
        ));
    }
    if body.certificates.len() > 1000 {
        return Err(AppError::invalid(
            "field.too_many",
            "certificates",
            "一次最多登记1000份证照",
        ));
    }
    let mut errors = domain::ValidationErrors::default();
    let mut parsed = Vec::with_capacity(body.certificates.len());
    for (i, c) in body.certificates.iter().enumerate() {
        let mut text = |field: &str, label: &str, v: &str| {
            let t = v.trim();
            if t.is_empty() {
                errors.add(
                    "field.required",
                    format!("certificates[{i}].{field}"),
                    format!("第{}份证照缺少{label}", i + 1),
                );
            } else if t.chars().count() > 200 {
                errors.add(
                    "field.too_long",
                    format!("certificates[{i}].{field}"),
                    format!("第{}份证照的{label}过长", i + 1),
                );
            }
            t.to_string()
        };
        let no = text("certificate_no", "证照编号", &c.certificate_no);
        let name = text("name", "证照名称", &c.name);
        let holder = text("holder_name", "持证主体", &c.holder_name);
        let holder_id = text("holder_id_number", "持证主体证件号码", &c.holder_id_number);
        let issued_on = NaiveDate::parse_from_str(c.issued_on.trim(), "%Y-%m-%d");
        if issued_on.is_err() {
            errors.add(
                "field.date_invalid",
                format!("certificates[{i}].issued_on"),
                format!("第{}份证照的发证日期应为 YYYY-MM-DD", i + 1),
            );
        }
        if let Ok(issued_on) = issued_on {
            parsed.push(ExternalCertificate {
                certificate_no: no,
                name,
                holder_name: holder,
                holder_id_number: holder_id,
                issued_on,
                case_no: c
                    .case_no
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let registered = state
        .store
        .register_external_certificates(&grant, department_id, &parsed, state.clock.now())
        .await?;
    let flagged = registered
        .iter()
        .filter(|r| r.violation_id.is_some())
        .count();
    Ok((
        StatusCode::CREATED,
        Json(UploadAnswer {
            registered: registered
                .into_iter()
                .map(|r| RegisteredDto {
                    certificate_no: r.certificate_no,
                    violation_id: r.violation_id,
                })
                .collect(),
            flagged,
        }),
    ))
}

// ------------------------------------------------------------- corrections

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CorrectionRequest {
    /// One of `case_no`, `department_id` or `violation_id`.
    pub case_no: Option<String>,
    pub department_id: Option<i64>,
    pub violation_id: Option<i64>,
    pub reason: String,
    /// 1 to 30.
    pub reply_working_days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionDto {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub case_no: Option<String>,
    pub violation_id: Option<i64>,
    pub reason: String,
    pub reply_working_days: i64,
    pub reply_due: NaiveDate,
    /// `issued`, `replied`, `returned` or `closed`.
    pub status: String,
    pub status_name: String,
    /// Past its reply deadline without an answer.
    pub overdue: bool,
    pub escalated: bool,
    pub reply: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl CorrectionDto {
    pub(crate) fn new(c: store::CorrectionRecord, today: NaiveDate) -> Self {
        let status = CorrectionStatus::parse(&c.status);
        Self {
            status_name: status.map_or("", |s| s.label()).into(),
            overdue: status.is_some_and(|s| s.awaits_reply()) && c.reply_due < today,
            escalated: c.escalated_at.is_some(),
            id: c.id,
            department_id: c.department_id,
            department_name: c.department_name,
            case_no: c.case_no,
            violation_id: c.violation_id,
            reason: c.reason,
            reply_working_days: c.reply_working_days,
            reply_due: c.reply_due,
            status: c.status,
            reply: c.reply,
            issued_by: c.issued_by_name,
            issued_at: c.issued_at,
            closed_at: c.closed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionEventDto {
    pub kind: String,
    pub kind_name: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionDetail {
    #[serde(flatten)]
    pub correction: CorrectionDto,
    pub events: Vec<CorrectionEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionList {
    pub corrections: Vec<CorrectionDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CorrectionParams {
    /// `issued`, `replied`, `returned` or `closed`.
    pub status: Option<String>,
    pub department_id: Option<i64>,
}

/// A supervisor issues a correction order (督办单) on a case, a department or
/// a violation, with a reply deadline in working days.
#[utoipa::path(post, path = "/api/v1/corrections", tag = "supervision", request_body = CorrectionRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = CorrectionDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_correction(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CorrectionRequest>,
) -> AppResult<(StatusCode, Json<CorrectionDetail>)> {
    let grant = user.grant(Permission::Supervise)?;
    let case_no = body
        .case_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let target = match (case_no, body.department_id, body.violation_id) {
        (Some(no), None, None) => CorrectionTarget::Case(no.to_string()),
        (None, Some(d), None) => CorrectionTarget::Department(d),
        (None, None, Some(v)) => CorrectionTarget::Violation(v),
        (None, None, None) => {
            return Err(AppError::invalid(
                "correction.target_required",
                "case_no",
                "请指明督办的办件编号、部门或违规记录",
            ));
        }
        _ => {
            return Err(AppError::invalid(
                "correction.target_ambiguous",
                "case_no",
                "办件编号、部门和违规记录只能填写其中一项",
            ));
        }
    };
    let order = NewCorrection::parse(&body.reason, body.reply_working_days)?;
    let c = state
        .store
        .issue_correction(
            &grant,
            &target,
            &order,
            state.clock.today(),
            state.clock.now(),
        )
        .await?;
    let detail = detail(&state, &grant, c.id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

pub(crate) async fn detail(
    state: &AppState,
    grant: &domain::access::Grant,
    id: i64,
) -> AppResult<CorrectionDetail> {
    let (c, events) = state.store.correction(grant, id).await?;
    Ok(CorrectionDetail {
        correction: CorrectionDto::new(c, state.clock.today()),
        events: events
            .into_iter()
            .map(|e| CorrectionEventDto {
                kind_name: CorrectionEventKind::parse(&e.kind)
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

pub(crate) fn parse_correction_status(raw: Option<&str>) -> AppResult<Option<CorrectionStatus>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => CorrectionStatus::parse(s).map(Some).ok_or_else(|| {
            AppError::bad_request(
                "correction.status_invalid",
                Some("status"),
                "状态应为 issued、replied、returned 或 closed",
            )
        }),
    }
}

/// Correction orders: a department sees those sent to it.
#[utoipa::path(get, path = "/api/v1/corrections", tag = "supervision", params(CorrectionParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CorrectionList), (status = 403, body = ErrorBody)))]
async fn list_corrections(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<CorrectionParams>,
) -> AppResult<Json<CorrectionList>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let filter = CorrectionFilter {
        status: parse_correction_status(p.status.as_deref())?,
        department_id: p.department_id,
    };
    let today = state.clock.today();
    let corrections = state
        .store
        .corrections(&grant, &filter)
        .await?
        .into_iter()
        .map(|c| CorrectionDto::new(c, today))
        .collect();
    Ok(Json(CorrectionList { corrections }))
}

/// One correction order with its history.
#[utoipa::path(get, path = "/api/v1/corrections/{id}", tag = "supervision",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CorrectionDetail), (status = 404, body = ErrorBody)))]
async fn get_correction(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<CorrectionDetail>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    Ok(Json(detail(&state, &grant, id).await?))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CorrectionNote {
    /// The department's answer (for a reply).
    pub reply: String,
    /// The supervisor's note (for return and close).
    pub note: String,
}

pub(crate) async fn act(
    state: &AppState,
    user: &crate::auth::AuthUser,
    id: i64,
    action: CorrectionAction,
    text: &str,
) -> AppResult<CorrectionDetail> {
    let permission = match action {
        CorrectionAction::Reply => Permission::AnswerCorrections,
        CorrectionAction::Return | CorrectionAction::Close => Permission::Supervise,
    };
    let grant = user.grant(permission)?;
    let note = domain::supervision::correction_note(action, text)?;
    state
        .store
        .act_on_correction(&grant, id, action, &note, state.clock.now())
        .await?;
    detail(state, &grant, id).await
}

/// The department answers a correction order.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/reply", tag = "supervision", request_body = CorrectionNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CorrectionDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn reply_correction(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CorrectionNote>,
) -> AppResult<Json<CorrectionDetail>> {
    Ok(Json(
        act(&state, &user, id, CorrectionAction::Reply, &body.reply).await?,
    ))
}

/// The supervisor returns an answer as insufficient.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/return", tag = "supervision", request_body = CorrectionNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CorrectionDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn return_correction(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CorrectionNote>,
) -> AppResult<Json<CorrectionDetail>> {
    Ok(Json(
        act(&state, &user, id, CorrectionAction::Return, &body.note).await?,
    ))
}

/// The supervisor closes the order.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/close", tag = "supervision", request_body = CorrectionNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CorrectionDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close_correction(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CorrectionNote>,
) -> AppResult<Json<CorrectionDetail>> {
    Ok(Json(
        act(&state, &user, id, CorrectionAction::Close, &body.note).await?,
    ))
}
