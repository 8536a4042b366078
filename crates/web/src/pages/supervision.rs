//! The supervision desk (电子监察): live warnings by level and department with
//! a drill-down to the case, violations to resolve, the thresholds, and
//! correction orders (督办单) — issued and closed by supervisors, answered by
//! the department they are sent to.
//!
//! Every write goes through the same store calls and domain checks as the
//! JSON API (`api::supervision`); a refused form comes back with the Chinese
//! message and the refusal's status, having changed nothing.

use super::{Chrome, Fields, PageError, PageResult, field, refusal, render};
use crate::api::supervision::{
    CorrectionDetail, CorrectionDto, WarningDto, WarningSummary, act, detail, parse_level, summary,
};
use crate::auth::{AuthUser, PageUser, urlencode};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Permission;
use domain::supervision::{CorrectionAction, CorrectionStatus, NewCorrection, ViolationStatus};
use store::{CorrectionFilter, CorrectionTarget, WarningQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(desk))
        .route("/supervision/settings", post(save_settings))
        .route("/supervision/run", post(run_now))
        .route("/supervision/violations/{id}/resolve", post(resolve))
        .route("/supervision/corrections", get(corrections).post(issue))
        .route("/supervision/corrections/{id}", get(correction))
        .route(
            "/supervision/corrections/{id}/{action}",
            post(correction_action),
        )
}

const PER_PAGE: i64 = 50;

// -------------------------------------------------------------------- desk

#[derive(Template)]
#[template(path = "supervision/index.html")]
struct DeskPage {
    chrome: Chrome,
    summary: WarningSummary,
    warnings: Vec<WarningDto>,
    total: i64,
    level: String,
    department_id: Option<i64>,
    page: i64,
    pages: i64,
    can_supervise: bool,
    settings: SettingsForm,
    flash: String,
    error: Option<(String, Vec<String>)>,
}

struct SettingsForm {
    yellow_working_days: String,
    yellow_percent: String,
    bad_rating_working_days: String,
}

impl DeskPage {
    fn page_link(&self, page: i64) -> String {
        let mut q = vec![format!("page={page}")];
        if !self.level.is_empty() {
            q.push(format!("level={}", self.level));
        }
        if let Some(d) = self.department_id {
            q.push(format!("department_id={d}"));
        }
        format!("/supervision?{}", q.join("&"))
    }

    fn failed(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.0 == form)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DeskQuery {
    level: Option<String>,
    department_id: Option<String>,
    page: Option<i64>,
    saved: Option<String>,
}

async fn desk(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DeskQuery>,
) -> PageResult {
    let department_id = q
        .department_id
        .as_deref()
        .and_then(|d| d.trim().parse::<i64>().ok());
    let flash = match q.saved.as_deref() {
        Some("settings") => "预警设置已保存，在办办件的预警已按新设置重新计算。",
        Some("run") => "已完成一次巡查：新出现的预警已登记，逾期未答复的督办单已升级。",
        Some("violation") => "违规记录已处理。",
        _ => "",
    };
    let page = desk_page(
        &state,
        &user,
        q.level.as_deref(),
        department_id,
        q.page.unwrap_or(1),
        flash,
        None,
        None,
    )
    .await?;
    render(&page)
}

#[allow(clippy::too_many_arguments)]
async fn desk_page(
    state: &AppState,
    user: &AuthUser,
    level: Option<&str>,
    department_id: Option<i64>,
    page: i64,
    flash: &str,
    error: Option<(String, Vec<String>)>,
    settings: Option<SettingsForm>,
) -> Result<DeskPage, AppError> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let level = parse_level(level)?;
    let page = page.max(1);
    let query = WarningQuery {
        today: state.clock.today(),
        level,
        department_id,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (rows, total) = state.store.warnings(&grant, &query).await?;
    let summary = summary(state, &grant).await?;
    let center = crate::api::calendar::home_center_id(state).await?;
    let current = state.store.warning_settings(center).await?;
    let bad_days = state.store.bad_rating_working_days(center).await?;
    Ok(DeskPage {
        chrome: Chrome::new(state, Some(user), "电子监察", "supervision").await,
        summary,
        warnings: rows.into_iter().map(WarningDto::from).collect(),
        total,
        level: level.map(|l| l.code().to_string()).unwrap_or_default(),
        department_id,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        can_supervise: user.can(Permission::Supervise),
        settings: settings.unwrap_or(SettingsForm {
            yellow_working_days: current.yellow_working_days.to_string(),
            yellow_percent: (current.yellow_permille / 10).to_string(),
            bad_rating_working_days: bad_days.to_string(),
        }),
        flash: flash.to_string(),
        error,
    })
}

async fn save_settings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::Supervise)?;
    let form = SettingsForm {
        yellow_working_days: field(&f, "yellow_working_days").trim().to_string(),
        yellow_percent: field(&f, "yellow_percent").trim().to_string(),
        bad_rating_working_days: field(&f, "bad_rating_working_days").trim().to_string(),
    };
    let result: Result<(), AppError> = async {
        let days: i64 = form.yellow_working_days.parse().map_err(|_| {
            AppError::invalid(
                "supervision.yellow_days_invalid",
                "yellow_working_days",
                "黄牌预警的剩余工作日数应为 0 到 30 的整数",
            )
        })?;
        let percent: f64 = form.yellow_percent.parse().map_err(|_| {
            AppError::invalid(
                "supervision.yellow_ratio_invalid",
                "yellow_ratio",
                "黄牌预警的已用时限比例应为 1 到 100 的数",
            )
        })?;
        let bad_days: i64 = form.bad_rating_working_days.parse().map_err(|_| {
            AppError::invalid(
                "settings.bad_rating_days_invalid",
                "bad_rating_working_days",
                "差评整改期限应为 1 到 30 个工作日",
            )
        })?;
        let (settings, bad_days) =
            crate::api::supervision::parse_settings(&crate::api::supervision::SettingsDto {
                yellow_working_days: days,
                yellow_ratio: percent / 100.0,
                bad_rating_working_days: Some(bad_days),
            })?;
        let center = crate::api::calendar::home_center_id(&state).await?;
        let now = state.clock.now();
        state
            .store
            .set_warning_settings(&grant, center, settings, now)
            .await?;
        if let Some(d) = bad_days {
            state
                .store
                .set_bad_rating_working_days(&grant, center, d, now)
                .await?;
        }
        tracing::info!(days, percent, user = %user.user.username, "warning settings changed");
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/supervision?saved=settings").into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = desk_page(
                &state,
                &user,
                None,
                None,
                1,
                "",
                Some(("settings".into(), lines)),
                Some(form),
            )
            .await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

async fn run_now(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    user.grant(Permission::Supervise)?;
    state
        .store
        .run_supervision(state.clock.today(), state.clock.now())
        .await
        .map_err(AppError::from)?;
    Ok(Redirect::to("/supervision?saved=run").into_response())
}

async fn resolve(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::Supervise)?;
    let result: Result<(), AppError> = async {
        let status = ViolationStatus::parse(field(&f, "status"))
            .filter(|s| *s != ViolationStatus::Open)
            .ok_or_else(|| {
                AppError::invalid("violation.status_invalid", "status", "请选择处理结果")
            })?;
        state
            .store
            .resolve_violation(
                &grant,
                id,
                status,
                field(&f, "resolution"),
                state.clock.now(),
            )
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/supervision?saved=violation").into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = desk_page(
                &state,
                &user,
                None,
                None,
                1,
                "",
                Some((format!("violation-{id}"), lines)),
                None,
            )
            .await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------- corrections

#[derive(Template)]
#[template(path = "supervision/corrections.html")]
struct CorrectionsPage {
    chrome: Chrome,
    corrections: Vec<CorrectionDto>,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    can_supervise: bool,
    form: IssueForm,
    error: Option<Vec<String>>,
}

#[derive(Default)]
struct IssueForm {
    case_no: String,
    violation_id: String,
    department_id: String,
    reason: String,
    reply_working_days: String,
    departments: Vec<(i64, String)>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct CorrectionsQuery {
    status: Option<String>,
    case_no: Option<String>,
    violation_id: Option<String>,
    department_id: Option<String>,
}

async fn corrections(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<CorrectionsQuery>,
) -> PageResult {
    let form = IssueForm {
        case_no: q.case_no.unwrap_or_default(),
        violation_id: q.violation_id.unwrap_or_default(),
        department_id: q.department_id.unwrap_or_default(),
        reply_working_days: "3".into(),
        ..Default::default()
    };
    let page = corrections_page(&state, &user, q.status.as_deref(), form, None).await?;
    render(&page)
}

async fn corrections_page(
    state: &AppState,
    user: &AuthUser,
    status: Option<&str>,
    mut form: IssueForm,
    error: Option<Vec<String>>,
) -> Result<CorrectionsPage, AppError> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let filter = CorrectionFilter {
        status: crate::api::supervision::parse_correction_status(status)?,
        department_id: None,
    };
    let today = state.clock.today();
    let corrections = state
        .store
        .corrections(&grant, &filter)
        .await?
        .into_iter()
        .map(|c| CorrectionDto::new(c, today))
        .collect();
    form.departments = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    Ok(CorrectionsPage {
        chrome: Chrome::new(state, Some(user), "督办单", "corrections").await,
        corrections,
        status: filter
            .status
            .map(|s| s.code().to_string())
            .unwrap_or_default(),
        statuses: CorrectionStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        can_supervise: user.can(Permission::Supervise),
        form,
        error,
    })
}

async fn issue(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::Supervise)?;
    let form = IssueForm {
        case_no: field(&f, "case_no").trim().to_string(),
        violation_id: field(&f, "violation_id").trim().to_string(),
        department_id: field(&f, "department_id").trim().to_string(),
        reason: field(&f, "reason").trim().to_string(),
        reply_working_days: field(&f, "reply_working_days").trim().to_string(),
        departments: Vec::new(),
    };
    let result: Result<i64, AppError> = async {
        let target = if !form.violation_id.is_empty() {
            CorrectionTarget::Violation(form.violation_id.parse().map_err(|_| {
                AppError::invalid("correction.violation_not_found", "violation_id", "违规记录编号不正确")
            })?)
        } else if !form.case_no.is_empty() {
            CorrectionTarget::Case(form.case_no.clone())
        } else if let Ok(d) = form.department_id.parse::<i64>() {
            CorrectionTarget::Department(d)
        } else {
            return Err(AppError::invalid(
                "correction.target_required",
                "case_no",
                "请填写督办的办件编号，或选择被督办的部门",
            ));
        };
        let days = form.reply_working_days.parse::<i64>().unwrap_or(0);
        let order = NewCorrection::parse(&form.reason, days)?;
        let c = state
            .store
            .issue_correction(&grant, &target, &order, state.clock.today(), state.clock.now())
            .await?;
        tracing::info!(id = c.id, department = c.department_id, user = %user.user.username, "correction issued");
        Ok(c.id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/supervision/corrections/{id}")).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = corrections_page(&state, &user, None, form, Some(lines)).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "supervision/correction.html")]
struct CorrectionPage {
    chrome: Chrome,
    c: CorrectionDetail,
    can_reply: bool,
    can_supervise: bool,
    text: String,
    flash: String,
    error: Option<(String, Vec<String>)>,
}

impl CorrectionPage {
    fn failed(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.0 == form)
    }
}

async fn correction_page(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    flash: &str,
    error: Option<(String, Vec<String>)>,
    text: String,
) -> Result<CorrectionPage, AppError> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let c = detail(state, &grant, id).await?;
    let status = CorrectionStatus::parse(&c.correction.status);
    Ok(CorrectionPage {
        chrome: Chrome::new(state, Some(user), &format!("督办单 {id}"), "corrections").await,
        can_reply: user.can(Permission::AnswerCorrections)
            && status.is_some_and(|s| s.awaits_reply()),
        can_supervise: user.can(Permission::Supervise) && status != Some(CorrectionStatus::Closed),
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

async fn correction(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let flash = match q.saved.as_deref() {
        Some("reply") => "答复已提交，等待监督人员审核。",
        Some("return") => "已退回，部门需重新答复。",
        Some("close") => "督办单已办结。",
        _ => "",
    };
    let page = correction_page(&state, &user, id, flash, None, String::new()).await?;
    render(&page)
}

async fn correction_action(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let action_kind = match action.as_str() {
        "reply" => CorrectionAction::Reply,
        "return" => CorrectionAction::Return,
        "close" => CorrectionAction::Close,
        _ => return Err(PageError(AppError::NotFound("page"))),
    };
    let text = field(&f, "text").to_string();
    match act(&state, &user, id, action_kind, &text).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/supervision/corrections/{id}?saved={}",
            urlencode(&action)
        ))
        .into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page =
                correction_page(&state, &user, id, "", Some((action.clone(), lines)), text).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}
