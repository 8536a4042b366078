//! Ratings pages (好差评): the rating form an applicant reaches from the
//! inquiry (网上), the window's tablet (窗口评价器) or the SMS link (短信); the
//! public figures (好差评公示); and the follow-ups of bad ratings on the
//! supervision desk (差评整改: the department verifies, rectifies, revisits or
//! appeals; the supervisors review appeals).
//!
//! Writes go through the same store calls and domain checks as the JSON API
//! (`api::ratings`); a refused form comes back with the Chinese message and
//! the refusal's status, having changed nothing.

use super::{Chrome, PageError, PageResult, refusal, render};
use crate::api::ratings::{
    FollowupDetail, FollowupDto, RatingDto, act, figures, followup_detail, followup_filter, period,
    submit,
};
use crate::auth::{AuthUser, MaybeUser, PageUser, urlencode};
use crate::cases::{PublicCaseView, public_view};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use domain::access::Permission;
use domain::rating::{
    AppealStatus, BAD_TAGS, FollowupAction, FollowupStatus, GOOD_TAGS, NewRating, RatingChannel,
    RatingLevel, rateable,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rate/{case_no}", get(rate_form).post(rate_submit))
        .route("/r/{case_no}", get(sms_link))
        .route("/ratings", get(public_page))
        .route("/supervision/followups", get(followups))
        .route("/supervision/followups/{id}", get(followup))
        .route(
            "/supervision/followups/{id}/{action}",
            post(followup_action),
        )
}

/// A share as a percentage for people: "96.7%", or "—" without a base.
fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "—".into(),
    }
}

// ------------------------------------------------------------------ rating

#[derive(Template)]
#[template(path = "applicant/rate.html")]
struct RatePage {
    chrome: Chrome,
    case_no: String,
    query_code: String,
    channel: RatingChannel,
    /// The window's tablet: big targets, no site navigation needed.
    hall: bool,
    found: Option<PublicCaseView>,
    /// Not rateable yet (an online application in pre-review).
    too_early: bool,
    given: Vec<RatingDto>,
    /// This channel's rating, when given.
    mine: Option<RatingDto>,
    failure: Option<String>,
    errors: Vec<String>,
    level: i64,
    tags: Vec<String>,
    comment: String,
    done: bool,
}

impl RatePage {
    fn levels(&self) -> Vec<(i64, &'static str)> {
        RatingLevel::ALL
            .iter()
            .map(|l| (l.number(), l.label()))
            .collect()
    }

    fn good_tags(&self) -> &'static [&'static str] {
        GOOD_TAGS
    }

    fn bad_tags(&self) -> &'static [&'static str] {
        BAD_TAGS
    }

    fn picked(&self, tag: &&str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    fn self_link(&self) -> String {
        format!(
            "/rate/{}?query_code={}&channel={}",
            urlencode(&self.case_no),
            urlencode(&self.query_code),
            self.channel.code()
        )
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct RateQuery {
    query_code: String,
    /// The SMS link's short name for the code.
    c: String,
    channel: String,
    done: Option<String>,
}

fn channel_of(raw: &str) -> RatingChannel {
    RatingChannel::parse(raw).unwrap_or(RatingChannel::Web)
}

async fn rate_page(
    state: &AppState,
    user: Option<&AuthUser>,
    case_no: &str,
    code: &str,
    channel: RatingChannel,
) -> Result<(StatusCode, RatePage), PageError> {
    let title = match channel {
        RatingChannel::Hall => "请您评价本次服务",
        _ => "服务评价",
    };
    let mut page = RatePage {
        chrome: Chrome::new(state, user, title, "inquiry").await,
        case_no: case_no.trim().to_string(),
        query_code: code.trim().to_string(),
        channel,
        hall: channel == RatingChannel::Hall,
        found: None,
        too_early: false,
        given: Vec::new(),
        mine: None,
        failure: None,
        errors: Vec::new(),
        level: 0,
        tags: Vec::new(),
        comment: String::new(),
        done: false,
    };
    if page.query_code.is_empty() {
        return Ok((StatusCode::OK, page));
    }
    let record = match crate::api::cases::inquire(state, &page.case_no, &page.query_code).await {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => {
            page.failure = Some("未找到，请核对办件编号和查询码。".into());
            return Ok((StatusCode::NOT_FOUND, page));
        }
        Err(AppError::InquiryLimited) => {
            page.failure =
                Some("该办件编号的查询失败次数过多，请15分钟后再试，或到窗口评价。".into());
            return Ok((StatusCode::TOO_MANY_REQUESTS, page));
        }
        Err(e) => return Err(e.into()),
    };
    page.too_early = !rateable(record.case.status);
    page.given = state
        .store
        .case_ratings(record.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(RatingDto::from)
        .collect();
    page.mine = page
        .given
        .iter()
        .position(|r| r.channel == channel.code())
        .map(|i| page.given.remove(i));
    page.found = Some(public_view(state, &record).await);
    Ok((StatusCode::OK, page))
}

fn no_store(status: StatusCode, page: &RatePage) -> Result<Response, PageError> {
    Ok((status, [(header::CACHE_CONTROL, "no-store")], render(page)?).into_response())
}

/// The rating form for a case: reached with its number and query code from
/// the inquiry, the window's tablet or the SMS link.
async fn rate_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(case_no): Path<String>,
    Query(q): Query<RateQuery>,
) -> Result<Response, PageError> {
    let code = if q.query_code.is_empty() {
        q.c
    } else {
        q.query_code
    };
    let (status, mut page) = rate_page(
        &state,
        user.as_ref(),
        &case_no,
        &code,
        channel_of(&q.channel),
    )
    .await?;
    page.done = q.done.is_some() && page.mine.is_some();
    no_store(status, &page)
}

/// The link sent by SMS (短信评价): short, and it marks the channel.
async fn sms_link(Path(case_no): Path<String>, Query(q): Query<RateQuery>) -> Redirect {
    Redirect::to(&format!(
        "/rate/{}?query_code={}&channel=sms",
        urlencode(case_no.trim()),
        urlencode(q.c.trim())
    ))
}

async fn rate_submit(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(case_no): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    // A signed-in visitor's form carries the session's token; an anonymous
    // one proves itself with the query code.
    if let Some(u) = &user {
        u.check_csrf(get("csrf_token"))?;
    }
    let channel = channel_of(get("channel"));
    let tags: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "tags")
        .map(|(_, v)| v.clone())
        .collect();
    let level = get("level").trim().parse::<i64>().ok();
    let comment = get("comment").to_string();
    let (status, mut page) =
        rate_page(&state, user.as_ref(), &case_no, get("query_code"), channel).await?;
    let Some(found) = &page.found else {
        let status = if page.query_code.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            status
        };
        if page.query_code.is_empty() {
            page.errors = vec!["请输入查询码".into()];
        }
        return no_store(status, &page);
    };
    let case_no = found.case_no.clone();
    let result: Result<(), AppError> = async {
        let rating = NewRating::parse(level, channel.code(), &tags, &comment)?;
        let record = crate::api::cases::inquire(&state, &case_no, &page.query_code).await?;
        submit(&state, &record, &rating).await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{}&done=1", page.self_link())).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            page.errors = lines;
            page.level = level.unwrap_or(0);
            page.tags = tags;
            page.comment = comment;
            no_store(status, &page)
        }
    }
}

// ----------------------------------------------------------------- figures

#[derive(Template)]
#[template(path = "ratings/public.html")]
struct PublicPage {
    chrome: Chrome,
    period: String,
    from: NaiveDate,
    to: NaiveDate,
    total: FigureRow,
    departments: Vec<FigureRow>,
    staff: Vec<FigureRow>,
    error: Option<String>,
}

struct FigureRow {
    name: String,
    department_name: String,
    cases: i64,
    ratings: i64,
    good: i64,
    bad: i64,
    rectified: i64,
    good_rate: String,
    rectification_rate: String,
    unrated_rate: String,
}

impl From<crate::api::ratings::UnitFigures> for FigureRow {
    fn from(u: crate::api::ratings::UnitFigures) -> Self {
        Self {
            good_rate: percent(u.good_rate),
            rectification_rate: percent(u.rectification_rate),
            unrated_rate: percent(u.unrated_rate),
            name: u.name,
            department_name: u.department_name,
            cases: u.cases,
            ratings: u.ratings,
            good: u.good,
            bad: u.bad,
            rectified: u.rectified,
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PeriodQuery {
    /// `month` (default), `last_month`, `year`, or a custom `from`/`to`.
    period: String,
    from: String,
    to: String,
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// 好差评公示: the center's published figures per department and per staff
/// member who served, for this month, last month, this year or any period.
async fn public_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let today = state.clock.today();
    let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (key, from, to) = match (parse(&q.from), parse(&q.to), q.period.as_str()) {
        (Some(f), Some(t), _) => ("custom", f, t),
        (_, _, "year") => (
            "year",
            NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
            today,
        ),
        (_, _, "last_month") => {
            let end = month_start(today).pred_opt().unwrap_or(today);
            ("last_month", month_start(end), end)
        }
        _ => ("month", month_start(today), today),
    };
    let mut error = None;
    let (from, to) = match period(Some(from), Some(to), today) {
        Ok(p) => p,
        Err(e) => {
            error = Some(e.body().message);
            (month_start(today), today)
        }
    };
    let f = figures(&state, from, to).await?;
    let page = PublicPage {
        chrome: Chrome::new(&state, user.as_ref(), "好差评公示", "ratings").await,
        period: key.to_string(),
        from,
        to,
        total: f.total.into(),
        departments: f.departments.into_iter().map(FigureRow::from).collect(),
        staff: f.staff.into_iter().map(FigureRow::from).collect(),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

// -------------------------------------------------------------- follow-ups

#[derive(Template)]
#[template(path = "supervision/followups.html")]
struct FollowupsPage {
    chrome: Chrome,
    tab: String,
    followups: Vec<FollowupDto>,
    total: i64,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct FollowupsQuery {
    tab: String,
}

async fn followups(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<FollowupsQuery>,
) -> PageResult {
    let grant = user.grant(Permission::ViewSupervision)?;
    let (status, appeal, tab) = match q.tab.as_str() {
        "appeal" => (Some("all"), Some("pending"), "appeal"),
        "closed" => (Some("closed"), None, "closed"),
        "all" => (Some("all"), None, "all"),
        _ => (Some("open"), None, "open"),
    };
    let filter = followup_filter(status, appeal, None, 0, 200)?;
    let (rows, total) = state
        .store
        .followups(&grant, &filter)
        .await
        .map_err(AppError::from)?;
    let today = state.clock.today();
    render(&FollowupsPage {
        chrome: Chrome::new(&state, Some(&user), "差评整改", "followups").await,
        tab: tab.to_string(),
        followups: rows
            .into_iter()
            .map(|f| FollowupDto::new(f, today))
            .collect(),
        total,
    })
}

#[derive(Template)]
#[template(path = "supervision/followup.html")]
struct FollowupPage {
    chrome: Chrome,
    f: FollowupDetail,
    /// The department's next step, if this viewer may take it.
    department_step: Option<String>,
    can_appeal: bool,
    can_revisit: bool,
    can_review: bool,
    text: String,
    flash: String,
    error: Option<(String, Vec<String>)>,
}

impl FollowupPage {
    fn failed(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.0 == form)
    }
}

async fn followup_page(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    flash: &str,
    error: Option<(String, Vec<String>)>,
    text: String,
) -> Result<FollowupPage, AppError> {
    let grant = user.grant(Permission::ViewSupervision)?;
    let f = followup_detail(state, &grant, id).await?;
    let status = FollowupStatus::parse(&f.followup.status);
    let pending = f.followup.appeal.as_deref() == Some(AppealStatus::Pending.code());
    let department = user.can(Permission::AnswerCorrections) && !pending;
    let supervisor = user.can(Permission::Supervise);
    Ok(FollowupPage {
        chrome: Chrome::new(state, Some(user), &format!("差评整改单 {id}"), "followups").await,
        department_step: match status {
            Some(FollowupStatus::Verifying) if department => Some("verify".into()),
            Some(FollowupStatus::Rectifying) if department => Some("rectify".into()),
            _ => None,
        },
        can_appeal: department
            && f.followup.appeal.is_none()
            && matches!(
                status,
                Some(FollowupStatus::Verifying | FollowupStatus::Rectifying)
            ),
        can_revisit: (department || supervisor) && status == Some(FollowupStatus::Revisiting),
        can_review: supervisor && pending,
        f,
        text,
        flash: flash.to_string(),
        error,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn followup(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let flash = match q.saved.as_deref() {
        Some("verify") => "核实情况已登记，请落实整改。",
        Some("rectify") => "整改措施已登记，请回访申请人。",
        Some("revisit") => "回访结果已登记。",
        Some("appeal") => "申诉已提交，等待监督人员复核。",
        Some("review") => "申诉复核结论已登记。",
        _ => "",
    };
    let page = followup_page(&state, &user, id, flash, None, String::new()).await?;
    render(&page)
}

async fn followup_action(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| {
        f.iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    user.check_csrf(get("csrf_token"))?;
    let text = get("text").to_string();
    let choice = match get("choice") {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let kind = match action.as_str() {
        "verify" => Ok(FollowupAction::Verify),
        "rectify" => Ok(FollowupAction::Rectify),
        "appeal" => Ok(FollowupAction::Appeal),
        "revisit" => choice
            .map(|satisfied| FollowupAction::Revisit { satisfied })
            .ok_or_else(|| AppError::invalid("field.required", "satisfied", "请选择回访结果")),
        "review" => choice
            .map(|upheld| FollowupAction::ReviewAppeal { upheld })
            .ok_or_else(|| AppError::invalid("field.required", "upheld", "请选择复核结论")),
        _ => return Err(PageError(AppError::NotFound("page"))),
    };
    let result = match kind {
        Ok(k) => act(&state, &user, id, k, &text).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            tracing::info!(id, action = %action, user = %user.user.username, "follow-up step");
            Ok(Redirect::to(&format!(
                "/supervision/followups/{id}?saved={}",
                urlencode(&action)
            ))
            .into_response())
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page =
                followup_page(&state, &user, id, "", Some((action.clone(), lines)), text).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}
