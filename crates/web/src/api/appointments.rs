//! Appointments (预约) over HTTP: a category's slots of a day with the places
//! left, booking and cancelling (public: a name and a mobile phone, or a
//! signed-in applicant), check-in at the kiosk (a priority ticket), and the
//! center's settings: slot length, capacity and days ahead per category, and
//! the extra service days (延时服务, "5+2").

use crate::api::queue::{TicketDto, ticket_dto};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::queue_hub::QueueEvent;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use domain::access::{Permission, Role};
use domain::hall::parse_clock;
use domain::identity::mask_phone;
use domain::queue::{
    AppointmentSettings, AppointmentState, Booker, BookingInput, CheckIn, ServiceDay,
    ServiceDayInput, SettingsInput, Slot, booking_code, check_booking, check_in_window, day_slots,
    open_sessions,
};
use serde::{Deserialize, Serialize};
use store::{Appointment, NewBooking};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(slots))
        .routes(routes!(book, my_appointments))
        .routes(routes!(cancel))
        .routes(routes!(check_in))
        .routes(routes!(day_list))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_service_days, add_service_day))
        .routes(routes!(delete_service_day))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentDto {
    pub id: i64,
    /// The booking code to show at the kiosk.
    pub code: String,
    pub category_id: i64,
    pub category_name: String,
    pub date: NaiveDate,
    /// "09:00"
    pub slot_start: String,
    pub slot_end: String,
    /// Masked (138****0000) except to the person who booked.
    pub name: String,
    pub phone: String,
    pub state: String,
    pub state_name: String,
    pub ticket_id: Option<i64>,
}

impl AppointmentDto {
    pub(crate) fn new(a: Appointment, full: bool) -> Self {
        AppointmentDto {
            id: a.id,
            code: a.code,
            category_id: a.category_id,
            category_name: a.category_name,
            date: a.day,
            slot_start: a.slot.start.format("%H:%M").to_string(),
            slot_end: a.slot.end.format("%H:%M").to_string(),
            name: if full {
                a.name
            } else {
                domain::identity::mask_name(&a.name)
            },
            phone: if full { a.phone } else { mask_phone(&a.phone) },
            state: a.state.code().into(),
            state_name: a.state.label().into(),
            ticket_id: a.ticket_id,
        }
    }
}

// ------------------------------------------------------------ slots

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct SlotsQuery {
    pub category_id: i64,
    /// The day (default today).
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotDto {
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub booked: i64,
    pub left: i64,
    /// Can be booked now (not started, within the days ahead, places left).
    pub bookable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DaySlots {
    pub category_id: i64,
    pub category_name: String,
    pub date: NaiveDate,
    pub enabled: bool,
    pub days_ahead: u32,
    /// The extra service of the day, if any ("延时服务 17:00–19:00").
    pub extra: Vec<String>,
    pub slots: Vec<SlotDto>,
}

/// A category's day: its slots from the calendar, the hall's hours and the
/// extra service days.
pub(crate) async fn day_slots_of(
    state: &AppState,
    category_id: i64,
    date: NaiveDate,
) -> AppResult<(
    store::Category,
    AppointmentSettings,
    Vec<Slot>,
    Vec<ServiceDay>,
)> {
    let category = state
        .store
        .category(category_id)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| {
            AppError::invalid(
                "appointment.category_unknown",
                "category_id",
                "请选择业务类别",
            )
        })?;
    let settings = state.store.appointment_settings(category.id).await?;
    let calendar = state.store.calendar(category.center_id).await?;
    let hours = state
        .store
        .list_halls(category.center_id)
        .await?
        .first()
        .map(|h| h.hours)
        .unwrap_or_default();
    let extra: Vec<ServiceDay> = state
        .store
        .service_days(category.center_id, date, date)
        .await?
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let slots = day_slots(
        &open_sessions(date, &calendar, &hours, &extra),
        settings.slot_minutes,
    );
    Ok((category, settings, slots, extra))
}

pub(crate) async fn load_slots(
    state: &AppState,
    category_id: i64,
    date: NaiveDate,
) -> AppResult<DaySlots> {
    let (category, settings, slots, extra) = day_slots_of(state, category_id, date).await?;
    let booked = state.store.slot_bookings(category.id, date).await?;
    let now = state.clock.now_local().naive_local();
    Ok(DaySlots {
        category_id: category.id,
        category_name: category.name,
        date,
        enabled: settings.enabled,
        days_ahead: settings.days_ahead,
        extra: extra
            .iter()
            .map(|d| {
                format!(
                    "{} {}–{}",
                    d.kind.label(),
                    d.opens.format("%H:%M"),
                    d.closes.format("%H:%M")
                )
            })
            .collect(),
        slots: slots
            .iter()
            .map(|s| {
                let start = s.start.format("%H:%M").to_string();
                let n = booked
                    .iter()
                    .find(|(k, _)| *k == start)
                    .map_or(0, |(_, n)| *n);
                let left = (i64::from(settings.capacity) - n).max(0);
                SlotDto {
                    bookable: left > 0 && check_booking(now, date, *s, &slots, &settings).is_ok(),
                    end: s.end.format("%H:%M").to_string(),
                    start,
                    capacity: settings.capacity,
                    booked: n,
                    left,
                }
            })
            .collect(),
    })
}

/// A category's slots of a day with the places left (预约时段).
#[utoipa::path(get, path = "/api/v1/public/appointments/slots", tag = "appointments", params(SlotsQuery),
    responses((status = 200, body = DaySlots), (status = 422, body = ErrorBody)))]
async fn slots(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> AppResult<Json<DaySlots>> {
    let date = q.date.unwrap_or_else(|| state.clock.today());
    Ok(Json(load_slots(&state, q.category_id, date).await?))
}

// ------------------------------------------------------------ booking

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct BookRequest {
    pub category_id: i64,
    /// 2026-10-08
    pub date: String,
    /// The slot's start, "09:30".
    pub slot: String,
    pub name: String,
    /// A mobile number (11 digits).
    pub phone: String,
}

pub(crate) async fn do_book(
    state: &AppState,
    user: Option<&AuthUser>,
    body: &BookRequest,
) -> AppResult<Appointment> {
    let date = NaiveDate::parse_from_str(body.date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("appointment.date", "date", "请选择预约日期"))?;
    let booker = Booker::parse(&BookingInput {
        name: body.name.clone(),
        phone: body.phone.clone(),
    })?;
    let (category, settings, slots, _) = day_slots_of(state, body.category_id, date).await?;
    let start = parse_clock(&body.slot)
        .ok_or_else(|| AppError::invalid("appointment.no_such_slot", "slot", "请选择预约时段"))?;
    let slot = slots
        .iter()
        .copied()
        .find(|s| s.start == start)
        .ok_or_else(|| {
            AppError::invalid(
                "appointment.no_such_slot",
                "slot",
                "该日没有这个预约时段（非工作日或不在服务时间内）",
            )
        })?;
    check_booking(
        state.clock.now_local().naive_local(),
        date,
        slot,
        &slots,
        &settings,
    )?;
    let user_id = user
        .filter(|u| u.user.role == Role::Applicant)
        .map(|u| u.user.id);
    let mut last = None;
    // A booking code is random; on the rare collision draw another.
    for _ in 0..3 {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("random: {e}")))?;
        let booking = NewBooking {
            center_id: category.center_id,
            category_id: category.id,
            day: date,
            slot,
            booker: booker.clone(),
            user_id,
            code: booking_code(u64::from_le_bytes(bytes)),
            capacity: settings.capacity,
        };
        match state.store.book(&booking, state.clock.now()).await {
            Err(store::StoreError::Conflict {
                code: "appointment.code_taken",
                ..
            }) => continue,
            Ok(a) => {
                tracing::info!(appointment = a.id, category = category.id, %date, "appointment booked");
                return Ok(a);
            }
            Err(e) => {
                last = Some(e);
                break;
            }
        }
    }
    Err(last.map_or_else(
        || AppError::Internal(anyhow::anyhow!("no booking code")),
        AppError::from,
    ))
}

/// Books a slot (预约). One active booking per phone per category per day;
/// a full slot is refused with 409.
#[utoipa::path(post, path = "/api/v1/public/appointments", tag = "appointments", request_body = BookRequest,
    responses((status = 201, body = AppointmentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn book(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    ApiJson(body): ApiJson<BookRequest>,
) -> AppResult<(StatusCode, Json<AppointmentDto>)> {
    let a = do_book(&state, user.as_ref().map(|u| &u.0), &body).await?;
    Ok((StatusCode::CREATED, Json(AppointmentDto::new(a, true))))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct MineQuery {
    /// With `phone`: that one booking (anonymous callers).
    pub code: String,
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentList {
    pub appointments: Vec<AppointmentDto>,
}

/// A booking found by its code and phone (the person who made it), or the
/// signed-in applicant's bookings.
pub(crate) async fn find_mine(
    state: &AppState,
    user: Option<&AuthUser>,
    q: &MineQuery,
) -> AppResult<Vec<Appointment>> {
    if !q.code.trim().is_empty() {
        let a = state.store.appointment_by_code(&q.code).await?;
        let phone: String = q.phone.chars().filter(|c| !c.is_whitespace()).collect();
        return Ok(a.filter(|a| a.phone == phone).into_iter().collect());
    }
    match user {
        Some(u) if u.user.role == Role::Applicant => {
            Ok(state.store.appointments_of(None, Some(u.user.id)).await?)
        }
        _ => Err(AppError::invalid(
            "field.required",
            "code",
            "请填写预约码和手机号码",
        )),
    }
}

/// My bookings: by booking code and phone, or the signed-in applicant's.
#[utoipa::path(get, path = "/api/v1/public/appointments", tag = "appointments", params(MineQuery),
    responses((status = 200, body = AppointmentList), (status = 422, body = ErrorBody)))]
async fn my_appointments(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    ApiQuery(q): ApiQuery<MineQuery>,
) -> AppResult<Json<AppointmentList>> {
    let list = find_mine(&state, user.as_ref().map(|u| &u.0), &q).await?;
    Ok(Json(AppointmentList {
        appointments: list
            .into_iter()
            .map(|a| AppointmentDto::new(a, true))
            .collect(),
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CancelRequest {
    /// The phone the booking was made with.
    pub phone: String,
}

pub(crate) async fn do_cancel(
    state: &AppState,
    user: Option<&AuthUser>,
    code: &str,
    phone: &str,
) -> AppResult<Appointment> {
    let a = state
        .store
        .appointment_by_code(code)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    let phone: String = phone.chars().filter(|c| !c.is_whitespace()).collect();
    let owner = user.is_some_and(|u| a.user_id == Some(u.user.id));
    if !owner && a.phone != phone {
        return Err(AppError::NotFound("appointment"));
    }
    let a = state
        .store
        .cancel_appointment(a.id, state.clock.now())
        .await?;
    tracing::info!(appointment = a.id, "appointment cancelled");
    Ok(a)
}

/// Cancels a booking (取消预约) while it is booked; its place is freed.
#[utoipa::path(post, path = "/api/v1/public/appointments/{code}/cancel", tag = "appointments",
    params(("code" = String, Path)), request_body = CancelRequest,
    responses((status = 200, body = AppointmentDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> AppResult<Json<AppointmentDto>> {
    let a = do_cancel(&state, user.as_ref().map(|u| &u.0), &code, &body.phone).await?;
    Ok(Json(AppointmentDto::new(a, true)))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CheckInRequest {
    /// The booking code…
    pub code: String,
    /// …or the phone it was made with (today's booking in its check-in window).
    pub phone: String,
    pub hall_id: Option<i64>,
}

pub(crate) async fn do_check_in(state: &AppState, body: &CheckInRequest) -> AppResult<TicketDto> {
    let now_local = state.clock.now_local().naive_local();
    let today = state.clock.today();
    let candidates: Vec<Appointment> = if !body.code.trim().is_empty() {
        state
            .store
            .appointment_by_code(&body.code)
            .await?
            .into_iter()
            .collect()
    } else {
        let phone: String = body.phone.chars().filter(|c| !c.is_whitespace()).collect();
        if phone.is_empty() {
            return Err(AppError::invalid(
                "field.required",
                "code",
                "请输入预约码或预约时的手机号码",
            ));
        }
        state.store.appointments_of(Some(&phone), None).await?
    };
    let todays: Vec<&Appointment> = candidates
        .iter()
        .filter(|a| a.day == today && a.state == AppointmentState::Booked)
        .collect();
    let Some(first) = todays.first() else {
        return Err(AppError::invalid(
            "appointment.not_found",
            "code",
            "没有找到今天的有效预约",
        ));
    };
    let open = todays
        .iter()
        .find(|a| check_in_window(now_local, a.day, a.slot.start) == CheckIn::Open);
    let a = match open {
        Some(a) => *a,
        None => {
            return Err(
                match check_in_window(now_local, first.day, first.slot.start) {
                    CheckIn::TooEarly => AppError::Conflict {
                        code: "appointment.too_early",
                        message: format!(
                            "请在预约时段开始前30分钟内签到（{}起）",
                            (first.day.and_time(first.slot.start) - Duration::minutes(30))
                                .format("%H:%M")
                        ),
                        field: Some("code".into()),
                    },
                    _ => AppError::Conflict {
                        code: "appointment.too_late",
                        message: "已超过签到时间（时段开始后15分钟），请取普通号".into(),
                        field: Some("code".into()),
                    },
                },
            );
        }
    };
    let t = state
        .store
        .check_in_appointment(a, body.hall_id, state.clock.now())
        .await?;
    tracing::info!(appointment = a.id, ticket = t.id, "appointment checked in");
    let center_id = t.center_id;
    let dto = ticket_dto(state, t).await?;
    if let Ok(waiting) = crate::api::queue::waiting_views(state, center_id).await {
        state
            .queue
            .publish(QueueEvent::Waiting { center_id, waiting });
    }
    Ok(dto)
}

/// Checks a booking in at the kiosk (签到), from 30 minutes before its slot
/// to 15 minutes after the start: a priority ticket of its category.
#[utoipa::path(post, path = "/api/v1/public/appointments/check-in", tag = "appointments", request_body = CheckInRequest,
    responses((status = 201, body = TicketDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check_in(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CheckInRequest>,
) -> AppResult<(StatusCode, Json<TicketDto>)> {
    Ok((StatusCode::CREATED, Json(do_check_in(&state, &body).await?)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct DayQuery {
    pub date: Option<NaiveDate>,
}

/// The center's bookings of a day (phones masked), for the hall staff.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", params(DayQuery),
    security(("bearer" = []), ("session" = [])), responses((status = 200, body = AppointmentList)))]
async fn day_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> AppResult<Json<AppointmentList>> {
    user.grant(Permission::ReadCases)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let day = q.date.unwrap_or_else(|| state.clock.today());
    Ok(Json(AppointmentList {
        appointments: state
            .store
            .appointments_on(center.id, day)
            .await?
            .into_iter()
            .map(|a| AppointmentDto::new(a, false))
            .collect(),
    }))
}

// ------------------------------------------------------------ settings

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SettingsDto {
    pub enabled: bool,
    /// Minutes per slot (5–240).
    pub slot_minutes: i64,
    /// Bookings per slot (1–500).
    pub capacity: i64,
    /// How many days ahead one may book (1–60).
    pub days_ahead: i64,
}

/// A category's appointment settings.
#[utoipa::path(get, path = "/api/v1/appointments/settings/{category_id}", tag = "appointments",
    params(("category_id" = i64, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SettingsDto)))]
async fn get_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(category_id): Path<i64>,
) -> AppResult<Json<SettingsDto>> {
    user.grant(Permission::ReadCatalogue)?;
    state
        .store
        .category(category_id)
        .await?
        .ok_or(AppError::NotFound("category"))?;
    let s = state.store.appointment_settings(category_id).await?;
    Ok(Json(SettingsDto {
        enabled: s.enabled,
        slot_minutes: i64::from(s.slot_minutes),
        capacity: i64::from(s.capacity),
        days_ahead: i64::from(s.days_ahead),
    }))
}

pub(crate) async fn save_settings(
    state: &AppState,
    user: &AuthUser,
    category_id: i64,
    body: &SettingsDto,
) -> AppResult<()> {
    user.grant(Permission::ManageCalendar)?;
    state
        .store
        .category(category_id)
        .await?
        .ok_or(AppError::NotFound("category"))?;
    let s = AppointmentSettings::parse(&SettingsInput {
        enabled: body.enabled,
        slot_minutes: body.slot_minutes,
        capacity: body.capacity,
        days_ahead: body.days_ahead,
    })?;
    state
        .store
        .set_appointment_settings(category_id, &s, state.clock.now())
        .await?;
    tracing::info!(category = category_id, by = %user.user.username, "appointment settings saved");
    Ok(())
}

/// Sets a category's slot length, capacity per slot and days ahead (admin).
#[utoipa::path(put, path = "/api/v1/appointments/settings/{category_id}", tag = "appointments",
    params(("category_id" = i64, Path)), request_body = SettingsDto, security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SettingsDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(category_id): Path<i64>,
    ApiJson(body): ApiJson<SettingsDto>,
) -> AppResult<Json<SettingsDto>> {
    save_settings(&state, &user, category_id, &body).await?;
    Ok(Json(body))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDayDto {
    pub id: i64,
    pub date: NaiveDate,
    /// `evening` (延时服务) or `weekend` (周末服务).
    pub kind: String,
    pub kind_name: String,
    pub opens: String,
    pub closes: String,
    pub note: String,
}

pub(crate) async fn load_service_days(state: &AppState) -> AppResult<Vec<ServiceDayDto>> {
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let today = state.clock.today();
    Ok(state
        .store
        .service_days(center.id, today, today + Duration::days(366))
        .await?
        .into_iter()
        .map(|(id, d)| ServiceDayDto {
            id,
            date: d.day,
            kind: d.kind.code().into(),
            kind_name: d.kind.label().into(),
            opens: d.opens.format("%H:%M").to_string(),
            closes: d.closes.format("%H:%M").to_string(),
            note: d.note,
        })
        .collect())
}

/// The extra service days from today on.
#[utoipa::path(get, path = "/api/v1/appointments/service-days", tag = "appointments",
    security(("bearer" = []), ("session" = [])), responses((status = 200, body = [ServiceDayDto])))]
async fn list_service_days(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<Vec<ServiceDayDto>>> {
    user.grant(Permission::ReadCatalogue)?;
    Ok(Json(load_service_days(&state).await?))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ServiceDayRequest {
    /// 2026-10-10
    pub date: String,
    /// `evening` (延时服务, after hours on a working day) or `weekend` (on a day off).
    pub kind: String,
    /// "17:00"
    pub opens: String,
    pub closes: String,
    pub note: String,
}

pub(crate) async fn do_add_service_day(
    state: &AppState,
    user: &AuthUser,
    body: &ServiceDayRequest,
) -> AppResult<i64> {
    user.grant(Permission::ManageCalendar)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let calendar = state.store.calendar(center.id).await?;
    let hours = state
        .store
        .list_halls(center.id)
        .await?
        .first()
        .map(|h| h.hours)
        .unwrap_or_default();
    let d = ServiceDay::parse(
        &ServiceDayInput {
            day: body.date.clone(),
            kind: body.kind.clone(),
            opens: body.opens.clone(),
            closes: body.closes.clone(),
            note: body.note.clone(),
        },
        &calendar,
        &hours,
    )?;
    if d.day < state.clock.today() {
        return Err(AppError::invalid(
            "service_day.in_past",
            "date",
            "不能为已过去的日期开设服务",
        ));
    }
    let id = state
        .store
        .add_service_day(center.id, &d, state.clock.now())
        .await?;
    tracing::info!(id, day = %d.day, kind = d.kind.code(), "service day opened");
    Ok(id)
}

/// Opens an extra service day (延时服务 evening or "5+2" weekend session).
#[utoipa::path(post, path = "/api/v1/appointments/service-days", tag = "appointments", request_body = ServiceDayRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = [ServiceDayDto]), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_service_day(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ServiceDayRequest>,
) -> AppResult<(StatusCode, Json<Vec<ServiceDayDto>>)> {
    do_add_service_day(&state, &user, &body).await?;
    Ok((StatusCode::CREATED, Json(load_service_days(&state).await?)))
}

/// Closes an extra service day again (bookings already made stay).
#[utoipa::path(delete, path = "/api/v1/appointments/service-days/{id}", tag = "appointments",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_service_day(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    user.grant(Permission::ManageCalendar)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    state.store.delete_service_day(center.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
