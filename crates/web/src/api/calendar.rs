//! The working calendar (工作日历): weekends, official holidays and make-up
//! working days, edited by an administrator; deadline arithmetic for anyone.

use crate::api::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use domain::access::Permission;
use domain::calendar::{DayKind, MAX_NOTE_LEN, WorkingDays, parse_calendar_csv};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_calendar))
        .routes(routes!(set_day, reset_day))
        .routes(routes!(import_calendar))
        .routes(routes!(deadline))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct YearQuery {
    /// Defaults to this year.
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYear {
    pub center_id: i64,
    pub year: i32,
    /// Working days in the year under this calendar.
    pub working_days: u32,
    /// Whether any holiday of that year has been entered (later years are
    /// announced each November and must be added).
    pub has_official_days: bool,
    /// Days that differ from the weekend rule, and named holidays.
    pub days: Vec<CalendarDay>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// `workday` or `holiday`.
    pub kind: &'static str,
    pub kind_name: &'static str,
    pub note: String,
    /// 一 … 日.
    pub weekday: &'static str,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DayRequest {
    /// `workday` (e.g. a make-up Saturday) or `holiday`.
    pub kind: String,
    pub note: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeadlineQuery {
    /// The acceptance date, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub working_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineAnswer {
    pub due_date: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAnswer {
    pub imported: usize,
}

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// A year of the home center's calendar.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", params(YearQuery),
    responses((status = 200, body = CalendarYear)))]
async fn get_calendar(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> AppResult<Json<CalendarYear>> {
    let year = q.year.unwrap_or_else(|| state.clock.today().year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_request(
            "calendar.year_invalid",
            Some("year"),
            "年份应在2000至2100之间",
        ));
    }
    Ok(Json(calendar_year(&state, year).await?))
}

pub(crate) async fn calendar_year(state: &AppState, year: i32) -> AppResult<CalendarYear> {
    let center_id = home_center_id(state).await?;
    let cal = state.store.calendar(center_id).await?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year");
    let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("a valid year");
    let days = cal
        .overrides()
        .filter(|(d, _)| d.year() == year)
        .map(|(d, o)| CalendarDay {
            date: d,
            kind: o.kind.code(),
            kind_name: o.kind.label(),
            note: o.note.clone(),
            weekday: WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        })
        .collect();
    Ok(CalendarYear {
        center_id,
        year,
        working_days: cal.working_days_between(first, next),
        has_official_days: cal.has_year(year),
        days,
    })
}

/// Marks a day as a working day or a day off (administrators).
#[utoipa::path(put, path = "/api/v1/calendar/days/{date}", tag = "calendar", request_body = DayRequest,
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CalendarDay), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_day(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(date): Path<String>,
    ApiJson(req): ApiJson<DayRequest>,
) -> AppResult<Json<CalendarDay>> {
    let grant = user.grant(Permission::ManageCalendar)?;
    let date = parse_date(&date, "date")?;
    let kind = DayKind::parse(&req.kind).ok_or_else(|| {
        AppError::invalid(
            "calendar.kind_invalid",
            "kind",
            "日期类型应为 workday（工作日）或 holiday（休息日）",
        )
    })?;
    let note = req.note.trim().to_string();
    if note.chars().count() > MAX_NOTE_LEN {
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
            &[(date, Some(kind), note.clone())],
            state.clock.now(),
        )
        .await?;
    tracing::info!(%date, kind = kind.code(), user = %user.user.username, "calendar day set");
    Ok(Json(CalendarDay {
        date,
        kind: kind.code(),
        kind_name: kind.label(),
        note,
        weekday: WEEKDAYS[date.weekday().num_days_from_monday() as usize],
    }))
}

/// Returns a day to the weekend rule (administrators).
#[utoipa::path(delete, path = "/api/v1/calendar/days/{date}", tag = "calendar",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 403, body = ErrorBody)))]
async fn reset_day(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(date): Path<String>,
) -> AppResult<StatusCode> {
    let grant = user.grant(Permission::ManageCalendar)?;
    let date = parse_date(&date, "date")?;
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
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a later year's holidays and make-up days from CSV lines
/// `date,kind,note` (administrators). All lines or none.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "calendar",
    request_body(content = String, content_type = "text/csv"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ImportAnswer), (status = 422, body = ErrorBody)))]
async fn import_calendar(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Bytes,
) -> AppResult<Json<ImportAnswer>> {
    let grant = user.grant(Permission::ManageCalendar)?;
    let imported = import_csv(&state, &grant, &body).await?;
    Ok(Json(ImportAnswer { imported }))
}

pub(crate) async fn import_csv(
    state: &AppState,
    grant: &domain::access::Grant,
    body: &[u8],
) -> AppResult<usize> {
    let text = std::str::from_utf8(body).map_err(|_| {
        AppError::invalid("calendar.encoding", "file", "文件应为UTF-8编码的CSV文本")
    })?;
    let days = parse_calendar_csv(text)?;
    let center_id = home_center_id(state).await?;
    let rows: Vec<_> = days
        .into_iter()
        .map(|(d, k, note)| (d, Some(k), note))
        .collect();
    state
        .store
        .set_calendar_days(grant, center_id, &rows, state.clock.now())
        .await?;
    Ok(rows.len())
}

/// The due date N working days after `from`, counting from the next working
/// day (the rule for a 承诺件 accepted on `from`).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = DeadlineAnswer), (status = 422, body = ErrorBody)))]
async fn deadline(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> AppResult<Json<DeadlineAnswer>> {
    let from = parse_date(q.from.as_deref().unwrap_or_default(), "from")?;
    let n = WorkingDays::parse(
        "working_days",
        q.working_days.ok_or_else(|| {
            AppError::invalid("field.required", "working_days", "请填写工作日天数")
        })?,
    )
    .map_err(|e| AppError::Invalid(e.into()))?;
    let center_id = home_center_id(&state).await?;
    let cal = state.store.calendar(center_id).await?;
    let due_date = cal
        .add_working_days(from, n.get())
        .map_err(|e| AppError::invalid("calendar.no_working_days", "working_days", e.message()))?;
    Ok(Json(DeadlineAnswer { due_date }))
}

pub(crate) fn parse_date(raw: &str, field: &str) -> AppResult<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::invalid("field.required", field, "请填写日期"));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(|| {
            AppError::invalid(
                "field.date_invalid",
                field,
                format!("日期“{raw}”格式不正确，应为YYYY-MM-DD"),
            )
        })
}

pub(crate) async fn home_center_id(state: &AppState) -> AppResult<i64> {
    state
        .store
        .home_center()
        .await?
        .map(|c| c.id)
        .ok_or_else(|| AppError::Conflict {
            code: "center.missing",
            message: "尚未设立政务服务中心，请先创建中心".into(),
            field: None,
        })
}
