//! Ratings (好差评): an applicant rates a case per channel; bad ratings open
//! follow-ups the department works through (核实 → 整改 → 回访) or appeals;
//! the published figures (好评率, 差评整改率, 未评价率).

use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::identity::mask_name;
use domain::rating::{
    AppealStatus, FollowupAction, FollowupEventKind, FollowupStatus, NewRating, RatingChannel,
    RatingCounts, RatingLevel,
};
use serde::{Deserialize, Serialize};
use store::FollowupFilter;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rate_case))
        .routes(routes!(public_figures))
        .routes(routes!(list_followups))
        .routes(routes!(get_followup))
        .routes(routes!(verify))
        .routes(routes!(rectify))
        .routes(routes!(revisit))
        .routes(routes!(appeal))
        .routes(routes!(review_appeal))
}

// ------------------------------------------------------------------ rating

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RatingRequest {
    /// The six-digit query code printed on the acceptance notice.
    pub query_code: String,
    /// 1 非常满意, 2 满意, 3 基本满意, 4 不满意, 5 非常不满意.
    pub level: Option<i64>,
    /// `web`, `hall` (the window's tablet) or `sms` (the link in the SMS).
    pub channel: String,
    /// Picked from the fixed lists (good: 办事高效…; bad: 等待时间长…).
    pub tags: Vec<String>,
    pub comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub id: i64,
    pub case_no: String,
    pub department_name: String,
    pub channel: String,
    pub channel_name: String,
    pub level: i64,
    pub level_name: String,
    pub bad: bool,
    pub tags: Vec<String>,
    pub comment: String,
    pub rated_at: DateTime<Utc>,
    /// Voided by an upheld appeal: it no longer counts.
    pub voided: bool,
    /// The follow-up a bad rating opened.
    pub followup_id: Option<i64>,
    pub followup_status: Option<String>,
    pub followup_status_name: Option<String>,
}

impl From<store::RatingRecord> for RatingDto {
    fn from(r: store::RatingRecord) -> Self {
        let level = RatingLevel::from_number(r.level);
        Self {
            tags: r.tag_list(),
            channel_name: RatingChannel::parse(&r.channel)
                .map_or("", |c| c.label())
                .into(),
            level_name: level.map_or("", |l| l.label()).into(),
            bad: level.is_some_and(|l| l.is_bad()),
            followup_status_name: r
                .followup_status
                .as_deref()
                .and_then(FollowupStatus::parse)
                .map(|s| s.label().to_string()),
            voided: r.voided_at.is_some(),
            id: r.id,
            case_no: r.case_no,
            department_name: r.department_name,
            channel: r.channel,
            level: r.level,
            comment: r.comment,
            rated_at: r.rated_at,
            followup_id: r.followup_id,
            followup_status: r.followup_status,
        }
    }
}

/// Records an applicant's rating (好差评) of a case, checked by its query
/// code. One rating per case and channel: a second one on the same channel
/// is refused with 409 `rating.duplicate`. A bad rating (4 or 5) opens a
/// follow-up the department must settle within the center's
/// `bad_rating_working_days`.
#[utoipa::path(post, path = "/api/v1/public/cases/{case_no}/rating", tag = "ratings", request_body = RatingRequest,
    responses((status = 201, body = RatingDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn rate_case(
    State(state): State<AppState>,
    Path(case_no): Path<String>,
    ApiJson(body): ApiJson<RatingRequest>,
) -> AppResult<(StatusCode, Json<RatingDto>)> {
    let rating = NewRating::parse(body.level, &body.channel, &body.tags, &body.comment)?;
    if body.query_code.trim().is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "query_code",
            "请输入查询码",
        ));
    }
    let record = crate::api::cases::inquire(&state, case_no.trim(), &body.query_code).await?;
    let saved = submit(&state, &record, &rating).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Records a checked rating of a case the caller has found by its code.
pub(crate) async fn submit(
    state: &AppState,
    record: &store::CaseRecord,
    rating: &NewRating,
) -> AppResult<RatingDto> {
    let saved = state
        .store
        .rate_case(record, rating, state.clock.now())
        .await?;
    tracing::info!(
        case_no = %record.case_no,
        level = rating.level.number(),
        channel = rating.channel.code(),
        "case rated"
    );
    Ok(saved.into())
}

// ----------------------------------------------------------------- figures

#[derive(Debug, Deserialize, IntoParams)]
pub struct FigureParams {
    /// First day (default: 1 January of this year).
    pub from: Option<NaiveDate>,
    /// Last day (default: today).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitFigures {
    /// Department id or staff user id.
    pub id: i64,
    pub name: String,
    pub department_name: String,
    /// Cases accepted in the period (0 for staff: counted by department).
    pub cases: i64,
    pub rated_cases: i64,
    pub ratings: i64,
    pub good: i64,
    pub bad: i64,
    pub rectified: i64,
    pub rectified_on_time: i64,
    /// 好评率 (0–1); null without ratings.
    pub good_rate: Option<f64>,
    /// 差评整改率 (0–1); null without bad ratings.
    pub rectification_rate: Option<f64>,
    /// 未评价率 (0–1); null without cases (always for staff).
    pub unrated_rate: Option<f64>,
}

impl UnitFigures {
    /// The counts these figures were computed from (for the Excel report).
    pub(crate) fn counts(&self) -> RatingCounts {
        RatingCounts {
            cases: self.cases,
            rated_cases: self.rated_cases,
            ratings: self.ratings,
            good: self.good,
            bad: self.bad,
            rectified: self.rectified,
            rectified_on_time: self.rectified_on_time,
        }
    }

    fn new(id: i64, name: String, department_name: String, c: RatingCounts) -> Self {
        Self {
            id,
            name,
            department_name,
            cases: c.cases,
            rated_cases: c.rated_cases,
            ratings: c.ratings,
            good: c.good,
            bad: c.bad,
            rectified: c.rectified,
            rectified_on_time: c.rectified_on_time,
            good_rate: c.good_rate(),
            rectification_rate: c.rectification_rate(),
            unrated_rate: (c.cases > 0).then(|| c.unrated_rate()).flatten(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The whole center.
    pub total: UnitFigures,
    pub departments: Vec<UnitFigures>,
    /// Per staff member who served (the window), by the ratings they got.
    pub staff: Vec<UnitFigures>,
}

pub(crate) fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(AppError::bad_request(
            "period.invalid",
            Some("from"),
            "开始日期不能晚于结束日期",
        ));
    }
    if (to - from).num_days() > 366 * 3 {
        return Err(AppError::bad_request(
            "period.too_long",
            Some("from"),
            "统计期间不能超过三年",
        ));
    }
    Ok((from, to))
}

pub(crate) async fn figures(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<PublishedFigures> {
    let center = crate::api::calendar::home_center_id(state).await?;
    let departments = state.store.department_ratings(center, from, to).await?;
    let staff = state.store.staff_ratings(center, from, to).await?;
    let mut total = RatingCounts::default();
    for d in &departments {
        let c = d.counts;
        total.cases += c.cases;
        total.rated_cases += c.rated_cases;
        total.ratings += c.ratings;
        total.good += c.good;
        total.bad += c.bad;
        total.rectified += c.rectified;
        total.rectified_on_time += c.rectified_on_time;
    }
    Ok(PublishedFigures {
        from,
        to,
        total: UnitFigures::new(0, "全中心".into(), String::new(), total),
        departments: departments
            .into_iter()
            .map(|d| {
                UnitFigures::new(
                    d.department_id,
                    d.department_name.clone(),
                    d.department_name,
                    d.counts,
                )
            })
            .collect(),
        staff: staff
            .into_iter()
            .map(|s| UnitFigures::new(s.user_id, s.name, s.department_name, s.counts))
            .collect(),
    })
}

/// The published figures of the center (好差评公示): 好评率, 差评整改率 and
/// 未评价率 per department and per staff member who served, over a period.
#[utoipa::path(get, path = "/api/v1/public/ratings", tag = "ratings", params(FigureParams),
    responses((status = 200, body = PublishedFigures), (status = 400, body = ErrorBody)))]
async fn public_figures(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<FigureParams>,
) -> AppResult<Json<PublishedFigures>> {
    let (from, to) = period(p.from, p.to, state.clock.today())?;
    Ok(Json(figures(&state, from, to).await?))
}

// -------------------------------------------------------------- follow-ups

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupDto {
    pub id: i64,
    pub case_no: String,
    pub item_name: String,
    /// Masked.
    pub applicant_name: String,
    pub department_id: i64,
    pub department_name: String,
    /// Who accepted the case.
    pub staff_name: Option<String>,
    pub level: i64,
    pub level_name: String,
    pub channel_name: String,
    pub tags: Vec<String>,
    pub comment: String,
    pub rated_at: DateTime<Utc>,
    /// `verifying`, `rectifying`, `revisiting`, `closed` or `voided`.
    pub status: String,
    pub status_name: String,
    /// `pending`, `upheld` or `rejected`; null without an appeal.
    pub appeal: Option<String>,
    pub appeal_name: Option<String>,
    pub due_date: NaiveDate,
    /// `yellow` near the due date, `red` past it, null otherwise.
    pub warning: Option<String>,
    pub finding: String,
    pub measures: String,
    pub revisit: String,
    pub appeal_reason: String,
    pub appeal_review: String,
    pub closed_at: Option<DateTime<Utc>>,
}

impl FollowupDto {
    pub(crate) fn new(f: store::FollowupRecord, today: NaiveDate) -> Self {
        let warning = match (f.yellow_on, f.red_on) {
            (_, Some(red)) if red <= today => Some("red".to_string()),
            (Some(yellow), _) if yellow <= today => Some("yellow".to_string()),
            _ => None,
        };
        Self {
            tags: f.tag_list(),
            level_name: RatingLevel::from_number(f.level)
                .map_or("", |l| l.label())
                .into(),
            channel_name: RatingChannel::parse(&f.channel)
                .map_or("", |c| c.label())
                .into(),
            status_name: FollowupStatus::parse(&f.status)
                .map_or("", |s| s.label())
                .into(),
            appeal_name: f
                .appeal
                .as_deref()
                .and_then(AppealStatus::parse)
                .map(|a| a.label().to_string()),
            applicant_name: mask_name(&f.applicant_name),
            warning,
            id: f.id,
            case_no: f.case_no,
            item_name: f.item_name,
            department_id: f.department_id,
            department_name: f.department_name,
            staff_name: f.staff_name,
            level: f.level,
            comment: f.comment,
            rated_at: f.rated_at,
            status: f.status,
            appeal: f.appeal,
            due_date: f.due_date,
            finding: f.finding,
            measures: f.measures,
            revisit: f.revisit,
            appeal_reason: f.appeal_reason,
            appeal_review: f.appeal_review,
            closed_at: f.closed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupEventDto {
    pub kind: String,
    pub kind_name: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupDetail {
    #[serde(flatten)]
    pub followup: FollowupDto,
    pub events: Vec<FollowupEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupList {
    pub followups: Vec<FollowupDto>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FollowupParams {
    /// `open` (default: verifying, rectifying or revisiting), `all`, or one
    /// status.
    pub status: Option<String>,
    /// `pending`: only follow-ups whose appeal waits for review.
    pub appeal: Option<String>,
    pub department_id: Option<i64>,
    pub offset: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
}

pub(crate) fn followup_filter(
    status: Option<&str>,
    appeal: Option<&str>,
    department_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> AppResult<FollowupFilter> {
    let statuses = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("open") => FollowupStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        Some("all") => Vec::new(),
        Some(s) => vec![FollowupStatus::parse(s).ok_or_else(|| {
            AppError::bad_request(
                "followup.status_invalid",
                Some("status"),
                "状态应为 open、all、verifying、rectifying、revisiting、closed 或 voided",
            )
        })?],
    };
    let appeal_pending = match appeal.map(str::trim).filter(|s| !s.is_empty()) {
        None => false,
        Some("pending") => true,
        Some(_) => {
            return Err(AppError::bad_request(
                "followup.appeal_invalid",
                Some("appeal"),
                "申诉筛选只能为 pending",
            ));
        }
    };
    Ok(FollowupFilter {
        statuses,
        appeal_pending,
        department_id,
        offset,
        limit,
    })
}

/// Bad ratings' follow-ups (差评整改), open ones first by due date. A
/// department sees its own.
#[utoipa::path(get, path = "/api/v1/ratings/followups", tag = "ratings", params(FollowupParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_followups(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<FollowupParams>,
) -> AppResult<Json<FollowupList>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let filter = followup_filter(
        p.status.as_deref(),
        p.appeal.as_deref(),
        p.department_id,
        p.offset.unwrap_or(0),
        p.limit.unwrap_or(50),
    )?;
    let (rows, total) = state.store.followups(&grant, &filter).await?;
    let today = state.clock.today();
    Ok(Json(FollowupList {
        followups: rows
            .into_iter()
            .map(|f| FollowupDto::new(f, today))
            .collect(),
        total,
    }))
}

pub(crate) async fn followup_detail(
    state: &AppState,
    grant: &Grant,
    id: i64,
) -> AppResult<FollowupDetail> {
    let (f, events) = state.store.followup(grant, id).await?;
    Ok(FollowupDetail {
        followup: FollowupDto::new(f, state.clock.today()),
        events: events
            .into_iter()
            .map(|e| FollowupEventDto {
                kind_name: FollowupEventKind::parse(&e.kind)
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

/// One follow-up with its history.
#[utoipa::path(get, path = "/api/v1/ratings/followups/{id}", tag = "ratings",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupDetail), (status = 404, body = ErrorBody)))]
async fn get_followup(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<FollowupDetail>> {
    let grant = user.grant(Permission::ViewSupervision)?;
    Ok(Json(followup_detail(&state, &grant, id).await?))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FollowupNote {
    /// What was found, changed, heard at the return visit, the appeal's
    /// reason or the review's conclusion.
    pub note: String,
    /// For a return visit: whether the applicant is now satisfied.
    pub satisfied: Option<bool>,
    /// For an appeal review: whether the appeal is upheld (the rating voided).
    pub upheld: Option<bool>,
}

/// Takes a step on a follow-up with the grant the step needs.
pub(crate) async fn act(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    action: FollowupAction,
    note: &str,
) -> AppResult<FollowupDetail> {
    let grant = if action.by_supervisor() {
        user.grant(Permission::Supervise)?
    } else if matches!(action, FollowupAction::Revisit { .. }) {
        // The department or the center's supervisors make the return visit.
        user.grant(Permission::AnswerCorrections)
            .or_else(|_| user.grant(Permission::Supervise))?
    } else {
        user.grant(Permission::AnswerCorrections)?
    };
    let note = action.note(note)?;
    state
        .store
        .act_on_followup(&grant, id, action, &note, state.clock.now())
        .await?;
    followup_detail(state, &grant, id).await
}

fn required_flag(value: Option<bool>, field: &str, label: &str) -> AppResult<bool> {
    value.ok_or_else(|| AppError::invalid("field.required", field, format!("请选择{label}")))
}

/// The department records what it verified (核实).
#[utoipa::path(post, path = "/api/v1/ratings/followups/{id}/verify", tag = "ratings", request_body = FollowupNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn verify(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowupNote>,
) -> AppResult<Json<FollowupDetail>> {
    Ok(Json(
        act(&state, &user, id, FollowupAction::Verify, &body.note).await?,
    ))
}

/// The department records what it changed (整改).
#[utoipa::path(post, path = "/api/v1/ratings/followups/{id}/rectify", tag = "ratings", request_body = FollowupNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn rectify(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowupNote>,
) -> AppResult<Json<FollowupDetail>> {
    Ok(Json(
        act(&state, &user, id, FollowupAction::Rectify, &body.note).await?,
    ))
}

/// The return visit (回访): satisfied closes the follow-up, not satisfied
/// sends it back to rectification.
#[utoipa::path(post, path = "/api/v1/ratings/followups/{id}/revisit", tag = "ratings", request_body = FollowupNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn revisit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowupNote>,
) -> AppResult<Json<FollowupDetail>> {
    let satisfied = required_flag(body.satisfied, "satisfied", "回访结果")?;
    Ok(Json(
        act(
            &state,
            &user,
            id,
            FollowupAction::Revisit { satisfied },
            &body.note,
        )
        .await?,
    ))
}

/// The department appeals a mistaken or malicious rating (申诉复核).
#[utoipa::path(post, path = "/api/v1/ratings/followups/{id}/appeal", tag = "ratings", request_body = FollowupNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn appeal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowupNote>,
) -> AppResult<Json<FollowupDetail>> {
    Ok(Json(
        act(&state, &user, id, FollowupAction::Appeal, &body.note).await?,
    ))
}

/// The supervisors decide an appeal: upheld voids the rating (it counts
/// nowhere), rejected lets the follow-up go on.
#[utoipa::path(post, path = "/api/v1/ratings/followups/{id}/appeal/review", tag = "ratings", request_body = FollowupNote,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FollowupDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn review_appeal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowupNote>,
) -> AppResult<Json<FollowupDetail>> {
    let upheld = required_flag(body.upheld, "upheld", "复核结论")?;
    Ok(Json(
        act(
            &state,
            &user,
            id,
            FollowupAction::ReviewAppeal { upheld },
            &body.note,
        )
        .await?,
    ))
}
