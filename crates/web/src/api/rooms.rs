//! Shared rooms (共享功能室): the rooms of a center, booked by staff with
//! conflict checks (no overlaps, within opening hours, on working days, not
//! in the past) and approved by the center where the room requires it.

use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::access::Permission;
use domain::room::{
    BookingAction, BookingInput, BookingRequest, BookingStatus, NewRoom, RoomInput, RoomKind, hhmm,
};
use serde::{Deserialize, Serialize};
use store::{BookingFilter, BookingRecord, Room};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rooms, create_room))
        .routes(routes!(get_room, update_room))
        .routes(routes!(room_bookings, book))
        .routes(routes!(list_bookings))
        .routes(routes!(step))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomDto {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    /// `meeting`, `archive`, `expert_review`, `bid_opening` or `bid_evaluation`.
    pub kind: String,
    pub kind_name: String,
    pub floor: String,
    pub capacity: i64,
    pub equipment: Vec<String>,
    /// Bookings wait for the center's approval.
    pub needs_approval: bool,
    /// Opening spans on working days: `09:00-12:00,13:30-17:00`.
    pub hours: String,
    pub active: bool,
}

impl From<Room> for RoomDto {
    fn from(r: Room) -> Self {
        Self {
            id: r.id,
            center_id: r.center_id,
            kind: r.kind.code().into(),
            kind_name: r.kind.label().into(),
            name: r.name,
            floor: r.floor,
            capacity: r.capacity,
            equipment: r.equipment,
            needs_approval: r.needs_approval,
            hours: r.hours.to_string(),
            active: r.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomList {
    pub rooms: Vec<RoomDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingDto {
    pub id: i64,
    pub room_id: i64,
    pub room_name: String,
    pub date: NaiveDate,
    /// `09:00`.
    pub start: String,
    /// `10:30`.
    pub end: String,
    pub start_minute: i64,
    pub end_minute: i64,
    pub purpose: String,
    pub attendees: i64,
    /// The organising department (使用部门).
    pub organiser: String,
    pub booked_by: i64,
    pub booked_by_name: String,
    /// `pending`, `approved`, `rejected` or `cancelled`.
    pub status: String,
    pub status_name: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
    pub created_at: DateTime<Utc>,
}

impl From<BookingRecord> for BookingDto {
    fn from(b: BookingRecord) -> Self {
        let minute = |m: i64| hhmm(u16::try_from(m).unwrap_or(0));
        Self {
            start: minute(b.start_minute),
            end: minute(b.end_minute),
            status_name: BookingStatus::parse(&b.status)
                .map_or("", |s| s.label())
                .into(),
            id: b.id,
            room_id: b.room_id,
            room_name: b.room_name,
            date: b.day,
            start_minute: b.start_minute,
            end_minute: b.end_minute,
            purpose: b.purpose,
            attendees: b.attendees,
            organiser: b.organiser,
            booked_by: b.booked_by,
            booked_by_name: b.booked_by_name,
            status: b.status,
            decided_by_name: b.decided_by_name,
            decided_at: b.decided_at,
            decision_note: b.decision_note,
            created_at: b.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingList {
    pub bookings: Vec<BookingDto>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct RoomParams {
    /// `true`: inactive rooms too (administrators).
    pub all: bool,
}

/// The rooms staff may book, by center, floor and name.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "rooms", params(RoomParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RoomList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_rooms(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<RoomParams>,
) -> AppResult<Json<RoomList>> {
    user.grant(Permission::BookRooms)?;
    let all = p.all && user.can(Permission::ManageRooms);
    let rooms = state.store.rooms(all).await?;
    Ok(Json(RoomList {
        rooms: rooms.into_iter().map(RoomDto::from).collect(),
    }))
}

/// Adds a room (administrators). Bid rooms need approval unless
/// `needs_approval` says otherwise; opening hours default to the hall's.
#[utoipa::path(post, path = "/api/v1/rooms", tag = "rooms", request_body = RoomInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = RoomDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_room(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RoomInput>,
) -> AppResult<(StatusCode, Json<RoomDto>)> {
    let grant = user.grant(Permission::ManageRooms)?;
    let room = NewRoom::parse(&body)?;
    let created = state
        .store
        .create_room(&grant, &room, state.clock.now())
        .await?;
    tracing::info!(id = created.id, name = %created.name, "room created");
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RoomDto), (status = 404, body = ErrorBody)))]
async fn get_room(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<RoomDto>> {
    user.grant(Permission::BookRooms)?;
    Ok(Json(room_of(&state, id).await?.into()))
}

/// Changes a room (administrators); `active: false` closes it to new bookings.
#[utoipa::path(put, path = "/api/v1/rooms/{id}", tag = "rooms", request_body = RoomInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RoomDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_room(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RoomInput>,
) -> AppResult<Json<RoomDto>> {
    let grant = user.grant(Permission::ManageRooms)?;
    let room = NewRoom::parse(&body)?;
    let updated = state
        .store
        .update_room(&grant, id, &room, state.clock.now())
        .await
        .map_err(not_found)?;
    Ok(Json(updated.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct RangeParams {
    /// First day (default today).
    pub from: Option<NaiveDate>,
    /// Last day, included (default `from` + 6 days; at most 62 days).
    pub to: Option<NaiveDate>,
    /// For `/room-bookings`: `pending`, `approved`, `rejected`, `cancelled`,
    /// `active` (pending or approved) or `all` (default).
    pub status: Option<String>,
    /// For `/room-bookings`: only those booked by the caller.
    pub mine: bool,
}

pub(crate) fn range(today: NaiveDate, p: &RangeParams) -> AppResult<(NaiveDate, NaiveDate)> {
    let from = p.from.unwrap_or(today);
    let to =
        p.to.unwrap_or_else(|| from.checked_add_days(Days::new(6)).unwrap_or(from));
    if to < from {
        return Err(AppError::bad_request(
            "request.range_invalid",
            Some("to"),
            "结束日期不能早于开始日期",
        ));
    }
    if (to - from).num_days() > 62 {
        return Err(AppError::bad_request(
            "request.range_too_long",
            Some("to"),
            "一次最多查询62天",
        ));
    }
    Ok((from, to))
}

/// A room's bookings in a date range (every status), by day and start.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/bookings", tag = "rooms", params(RangeParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = BookingList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn room_bookings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> AppResult<Json<BookingList>> {
    let grant = user.grant(Permission::BookRooms)?;
    room_of(&state, id).await?;
    let (from, to) = range(state.clock.today(), &p)?;
    let rows = state
        .store
        .room_bookings(
            &grant,
            &BookingFilter {
                room_id: Some(id),
                from,
                to,
                statuses: Vec::new(),
                booked_by: None,
            },
        )
        .await?;
    Ok(Json(BookingList {
        bookings: rows.into_iter().map(BookingDto::from).collect(),
    }))
}

/// Books a room. 201 with the booking (`approved`, or `pending` for rooms
/// that need approval); 409 `room.conflict` naming the booking in the way;
/// 422 `room.outside_hours`, `room.non_working_day`, `room.in_past`,
/// `room.over_capacity` or a field error. Nothing is written when refused.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/bookings", tag = "rooms", request_body = BookingInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = BookingDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn book(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BookingInput>,
) -> AppResult<(StatusCode, Json<BookingDto>)> {
    Ok((
        StatusCode::CREATED,
        Json(book_room(&state, &user, id, &body).await?),
    ))
}

/// Books a room for the API and the pages.
pub(crate) async fn book_room(
    state: &AppState,
    user: &AuthUser,
    room_id: i64,
    body: &BookingInput,
) -> AppResult<BookingDto> {
    let grant = user.grant(Permission::BookRooms)?;
    let req = BookingRequest::parse(body)?;
    let booking = state
        .store
        .book_room(&grant, room_id, &req, state.clock.now())
        .await
        .map_err(not_found)?;
    tracing::info!(id = booking.id, room_id, day = %booking.day, status = %booking.status,
        by = %user.user.username, "room booked");
    Ok(booking.into())
}

/// Bookings of every room in a date range: `status=pending` is the
/// approvals list; `mine=true` the caller's own.
#[utoipa::path(get, path = "/api/v1/room-bookings", tag = "rooms", params(RangeParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = BookingList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_bookings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> AppResult<Json<BookingList>> {
    let grant = user.grant(Permission::BookRooms)?;
    let (from, to) = range(state.clock.today(), &p)?;
    let rows = state
        .store
        .room_bookings(
            &grant,
            &BookingFilter {
                room_id: None,
                from,
                to,
                statuses: booking_statuses(p.status.as_deref())?,
                booked_by: p.mine.then_some(user.user.id),
            },
        )
        .await?;
    Ok(Json(BookingList {
        bookings: rows.into_iter().map(BookingDto::from).collect(),
    }))
}

pub(crate) fn booking_statuses(raw: Option<&str>) -> AppResult<Vec<BookingStatus>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("all") => Ok(Vec::new()),
        Some("active") => Ok(vec![BookingStatus::Pending, BookingStatus::Approved]),
        Some(s) => BookingStatus::parse(s).map(|s| vec![s]).ok_or_else(|| {
            AppError::bad_request(
                "room.status_invalid",
                Some("status"),
                "状态应为 pending、approved、rejected、cancelled、active 或 all",
            )
        }),
    }
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct BookingStep {
    /// Why (a rejection's reason, a note).
    pub note: String,
}

/// Takes a step with the grant it needs: the center approves and rejects;
/// the booker or the center cancels.
pub(crate) async fn act(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    action: BookingAction,
    note: &str,
) -> AppResult<BookingDto> {
    let grant = if action.by_center_only() || user.can(Permission::ManageRooms) {
        user.grant(Permission::ManageRooms)?
    } else {
        user.grant(Permission::BookRooms)?
    };
    if action == BookingAction::Reject && note.trim().is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "note",
            "请填写驳回理由",
        ));
    }
    let b = state
        .store
        .act_on_booking(&grant, id, action, note, state.clock.now())
        .await
        .map_err(not_found)?;
    tracing::info!(id, action = action.label(), by = %user.user.username, "room booking step");
    Ok(b.into())
}

/// `approve` or `reject` (administrators, a rejection needs a `note`) a
/// pending booking; `cancel` a pending or approved one (its booker or an
/// administrator), which frees the slot.
#[utoipa::path(post, path = "/api/v1/room-bookings/{id}/{action}", tag = "rooms", request_body = BookingStep,
    params(("action" = String, Path, description = "approve, reject or cancel")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = BookingDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, name)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> AppResult<Json<BookingDto>> {
    let action = BookingAction::parse(&name).ok_or(AppError::NotFound("action"))?;
    // The body is optional: an approval or a cancellation needs no note.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<BookingStep>(&body)
            .map_err(|_| {
                AppError::bad_request("request.invalid_json", None, "请求体不是有效的JSON")
            })?
            .note
    };
    Ok(Json(act(&state, &user, id, action, &note).await?))
}

pub(crate) async fn room_of(state: &AppState, id: i64) -> AppResult<Room> {
    state
        .store
        .room(id)
        .await?
        .ok_or(AppError::NotFound("room"))
}

/// A missing room or booking is named as such.
fn not_found(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::NotFound => AppError::NotFound("room"),
        other => other.into(),
    }
}

/// The room kinds for forms: code and label.
pub(crate) fn kinds() -> Vec<(&'static str, &'static str)> {
    RoomKind::ALL
        .iter()
        .map(|k| (k.code(), k.label()))
        .collect()
}
