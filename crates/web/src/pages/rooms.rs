//! Shared-room pages (共享功能室): the day view (rooms × time) at `/rooms`,
//! a room's week view (days × time) at `/rooms/{id}?week=…`, both with the
//! booking form that shows refusals (conflict, outside hours…) in Chinese
//! beside it; the approvals list for the center; the room list and form
//! under the admin workbench (`/admin/rooms`).
//!
//! Bookings are drawn as blocks on a time axis from 08:00 to 18:00; every
//! block is a link to its row in the list below the grid, which carries the
//! actions, so the page works with a keyboard and a screen reader, scrolls
//! sideways on a phone and prints without its forms.

use super::{Chrome, Fields, PageError, PageResult, field, refusal, render};
use crate::api::rooms::{BookingDto, RoomDto, act, book_room, kinds, room_of};
use crate::auth::{AuthUser, PageUser};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, Days, NaiveDate};
use domain::access::Permission;
use domain::room::{
    BookingAction, BookingInput, BookingStatus, NewRoom, RoomInput, split_equipment,
};
use std::collections::HashMap;
use store::BookingFilter;

const CSS: &str = include_str!("../../static/rooms.css");
/// The time axis of the grids: 08:00 to 18:00.
const AXIS_START: i64 = 8 * 60;
const AXIS_END: i64 = 18 * 60;
const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", get(day))
        .route("/rooms/book", post(book))
        .route("/rooms/approvals", get(approvals))
        .route("/rooms/bookings/{id}/{action}", post(step))
        .route("/rooms/{id}", get(week))
        .route("/admin/rooms", get(admin_rooms).post(admin_create))
        .route("/admin/rooms/{id}", post(admin_update))
        .route(
            "/static/rooms.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }),
        )
}

// ------------------------------------------------------------------ views

/// A block on a lane: its place on the axis in percent and what it says.
struct Block {
    id: i64,
    left: String,
    width: String,
    time: String,
    text: String,
    status: String,
    status_name: String,
}

/// An opening span drawn behind the blocks.
struct Open {
    left: String,
    width: String,
}

/// One row of a grid: a room (day view) or a day (week view).
struct Lane {
    label: String,
    sub: String,
    href: String,
    /// Why nothing can be booked (a day off, a closed room); empty otherwise.
    closed: String,
    open: Vec<Open>,
    blocks: Vec<Block>,
    today: bool,
}

struct Row {
    b: BookingDto,
    can_cancel: bool,
}

/// What the booking form holds, to show it again after a refusal.
#[derive(Default)]
struct BookingForm {
    room_id: String,
    date: String,
    start: String,
    end: String,
    purpose: String,
    attendees: String,
    organiser: String,
}

impl BookingForm {
    fn read(f: &HashMap<String, String>) -> Self {
        Self {
            room_id: field(f, "room_id").trim().into(),
            date: field(f, "date").trim().into(),
            start: field(f, "start").trim().into(),
            end: field(f, "end").trim().into(),
            purpose: field(f, "purpose").into(),
            attendees: field(f, "attendees").trim().into(),
            organiser: field(f, "organiser").into(),
        }
    }

    fn input(&self) -> BookingInput {
        BookingInput {
            date: self.date.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            purpose: self.purpose.clone(),
            attendees: self.attendees.parse().unwrap_or(0),
            organiser: self.organiser.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "rooms/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    /// `day` or `week`.
    mode: &'static str,
    heading: String,
    /// The day shown, or the Monday of the week.
    date: NaiveDate,
    prev: String,
    next: String,
    this: String,
    ticks: Vec<(String, String)>,
    lanes: Vec<Lane>,
    /// The room of the week view.
    room: Option<RoomDto>,
    rooms: Vec<RoomDto>,
    rows: Vec<Row>,
    form: BookingForm,
    errors: Vec<String>,
    flash: String,
    can_manage: bool,
    pending: usize,
}

fn pct(minutes: i64) -> String {
    let span = (AXIS_END - AXIS_START) as f64;
    format!("{:.3}", (minutes as f64 / span * 100.0).clamp(0.0, 100.0))
}

fn place(start: i64, end: i64) -> (String, String) {
    let s = start.clamp(AXIS_START, AXIS_END);
    let e = end.clamp(AXIS_START, AXIS_END);
    (pct(s - AXIS_START), pct((e - s).max(0)))
}

fn ticks() -> Vec<(String, String)> {
    (AXIS_START / 60..=AXIS_END / 60)
        .map(|h| (pct(h * 60 - AXIS_START), format!("{h:02}:00")))
        .collect()
}

fn open_of(room: &RoomDto) -> Vec<Open> {
    domain::room::OpeningHours::parse(&room.hours)
        .map(|h| {
            h.spans()
                .iter()
                .map(|s| {
                    let (left, width) = place(i64::from(s.start()), i64::from(s.end()));
                    Open { left, width }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn block(b: &BookingDto) -> Block {
    let (left, width) = place(b.start_minute, b.end_minute);
    Block {
        id: b.id,
        left,
        width,
        time: format!("{}-{}", b.start, b.end),
        text: format!("{}（{}，{}人）", b.purpose, b.organiser, b.attendees),
        status: b.status.clone(),
        status_name: b.status_name.clone(),
    }
}

fn holds(b: &BookingDto) -> bool {
    BookingStatus::parse(&b.status).is_some_and(|s| s.holds_room())
}

fn room_sub(r: &RoomDto) -> String {
    let mut parts = vec![r.kind_name.clone(), format!("{}人", r.capacity)];
    if !r.floor.is_empty() {
        parts.insert(0, r.floor.clone());
    }
    if r.needs_approval {
        parts.push("需审批".into());
    }
    parts.join(" · ")
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

fn weekday(d: NaiveDate) -> &'static str {
    WEEKDAYS[d.weekday().num_days_from_monday() as usize]
}

/// The organiser a form starts with: the user's department, or the center's
/// management for center staff.
async fn default_organiser(state: &AppState, user: &AuthUser) -> String {
    match user.user.department_id {
        Some(d) => state
            .store
            .department(d)
            .await
            .ok()
            .flatten()
            .map_or_else(String::new, |d| d.short_name),
        None => "中心管理层".into(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DayQuery {
    date: Option<NaiveDate>,
    week: Option<NaiveDate>,
    booked: Option<i64>,
    done: String,
}

fn flash(q: &DayQuery) -> String {
    if q.booked.is_some() {
        return "预约已提交。".into();
    }
    match q.done.as_str() {
        "approve" => "已批准该预约。".into(),
        "reject" => "已驳回该预约。".into(),
        "cancel" => "已取消该预约，时段已释放。".into(),
        _ => String::new(),
    }
}

/// Builds the day view of `date`.
async fn day_page(
    state: &AppState,
    user: &AuthUser,
    date: NaiveDate,
    form: BookingForm,
    errors: Vec<String>,
    flash: String,
) -> Result<CalendarPage, AppError> {
    let grant = user.grant(Permission::BookRooms)?;
    let rooms: Vec<RoomDto> = state
        .store
        .rooms(false)
        .await?
        .into_iter()
        .map(RoomDto::from)
        .collect();
    let bookings: Vec<BookingDto> = state
        .store
        .room_bookings(
            &grant,
            &BookingFilter {
                room_id: None,
                from: date,
                to: date,
                statuses: Vec::new(),
                booked_by: None,
            },
        )
        .await?
        .into_iter()
        .map(BookingDto::from)
        .collect();
    let mut lanes = Vec::with_capacity(rooms.len());
    for r in &rooms {
        let calendar = state.store.calendar(r.center_id).await?;
        lanes.push(Lane {
            label: r.name.clone(),
            sub: room_sub(r),
            href: format!("/rooms/{}?week={date}", r.id),
            closed: day_off(&calendar, date),
            open: open_of(r),
            blocks: bookings
                .iter()
                .filter(|b| b.room_id == r.id && holds(b))
                .map(block)
                .collect(),
            today: false,
        });
    }
    let one = Days::new(1);
    let mut page = base_page(state, user, "day", rooms, bookings, form, errors, flash).await?;
    page.heading = format!("{}（{}）", date.format("%Y年%m月%d日"), weekday(date));
    page.date = date;
    page.prev = format!("/rooms?date={}", date - one);
    page.next = format!("/rooms?date={}", date + one);
    page.this = "/rooms".into();
    page.lanes = lanes;
    if page.form.date.is_empty() {
        page.form.date = date.to_string();
    }
    Ok(page)
}

fn day_off(calendar: &domain::calendar::WorkCalendar, date: NaiveDate) -> String {
    if calendar.is_working_day(date) {
        return String::new();
    }
    match calendar.override_on(date).map(|o| o.note.as_str()) {
        Some(n) if !n.is_empty() => format!("休息日（{n}）"),
        _ => "休息日".into(),
    }
}

/// Builds the week view of one room for the week holding `any_day`.
async fn week_page(
    state: &AppState,
    user: &AuthUser,
    room_id: i64,
    any_day: NaiveDate,
    form: BookingForm,
    errors: Vec<String>,
    flash: String,
) -> Result<CalendarPage, AppError> {
    let grant = user.grant(Permission::BookRooms)?;
    let room: RoomDto = room_of(state, room_id).await?.into();
    let start = monday(any_day);
    let end = start + Days::new(6);
    let bookings: Vec<BookingDto> = state
        .store
        .room_bookings(
            &grant,
            &BookingFilter {
                room_id: Some(room_id),
                from: start,
                to: end,
                statuses: Vec::new(),
                booked_by: None,
            },
        )
        .await?
        .into_iter()
        .map(BookingDto::from)
        .collect();
    let calendar = state.store.calendar(room.center_id).await?;
    let today = state.clock.today();
    let lanes = start
        .iter_days()
        .take(7)
        .map(|d| Lane {
            label: format!("{} {}", weekday(d), d.format("%m-%d")),
            sub: String::new(),
            href: format!("/rooms?date={d}"),
            closed: if room.active {
                day_off(&calendar, d)
            } else {
                "已停用".into()
            },
            open: open_of(&room),
            blocks: bookings
                .iter()
                .filter(|b| b.date == d && holds(b))
                .map(block)
                .collect(),
            today: d == today,
        })
        .collect();
    let rooms: Vec<RoomDto> = state
        .store
        .rooms(false)
        .await?
        .into_iter()
        .map(RoomDto::from)
        .collect();
    let week = Days::new(7);
    let mut page = base_page(state, user, "week", rooms, bookings, form, errors, flash).await?;
    page.heading = format!(
        "{} · {}至{}",
        room.name,
        start.format("%Y年%m月%d日"),
        end.format("%m月%d日")
    );
    page.date = start;
    page.prev = format!("/rooms/{room_id}?week={}", start - week);
    page.next = format!("/rooms/{room_id}?week={}", start + week);
    page.this = format!("/rooms/{room_id}");
    page.lanes = lanes;
    if page.form.room_id.is_empty() {
        page.form.room_id = room_id.to_string();
    }
    if page.form.date.is_empty() {
        page.form.date = if (start..=end).contains(&today) {
            today
        } else {
            start
        }
        .to_string();
    }
    page.room = Some(room);
    Ok(page)
}

#[allow(clippy::too_many_arguments)]
async fn base_page(
    state: &AppState,
    user: &AuthUser,
    mode: &'static str,
    rooms: Vec<RoomDto>,
    bookings: Vec<BookingDto>,
    mut form: BookingForm,
    errors: Vec<String>,
    flash: String,
) -> Result<CalendarPage, AppError> {
    let can_manage = user.can(Permission::ManageRooms);
    let pending = if can_manage {
        pending_bookings(state, user).await?.len()
    } else {
        0
    };
    if form.organiser.is_empty() {
        form.organiser = default_organiser(state, user).await;
    }
    let me = user.user.id;
    Ok(CalendarPage {
        chrome: Chrome::new(state, Some(user), "共享功能室", "rooms").await,
        mode,
        heading: String::new(),
        date: state.clock.today(),
        prev: String::new(),
        next: String::new(),
        this: String::new(),
        ticks: ticks(),
        lanes: Vec::new(),
        room: None,
        rooms,
        rows: bookings
            .into_iter()
            .map(|b| Row {
                can_cancel: holds(&b) && (can_manage || b.booked_by == me),
                b,
            })
            .collect(),
        form,
        errors,
        flash,
        can_manage,
        pending,
    })
}

async fn pending_bookings(state: &AppState, user: &AuthUser) -> Result<Vec<BookingDto>, AppError> {
    let grant = user.grant(Permission::ManageRooms)?;
    let today = state.clock.today();
    Ok(state
        .store
        .room_bookings(
            &grant,
            &BookingFilter {
                room_id: None,
                from: today,
                to: today + Days::new(366),
                statuses: vec![BookingStatus::Pending],
                booked_by: None,
            },
        )
        .await?
        .into_iter()
        .map(BookingDto::from)
        .collect())
}

// --------------------------------------------------------------- handlers

async fn day(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DayQuery>,
) -> PageResult {
    let date = q.date.unwrap_or_else(|| state.clock.today());
    let form = BookingForm::default();
    render(&day_page(&state, &user, date, form, Vec::new(), flash(&q)).await?)
}

async fn week(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> PageResult {
    let date = q.week.or(q.date).unwrap_or_else(|| state.clock.today());
    let form = BookingForm::default();
    render(&week_page(&state, &user, id, date, form, Vec::new(), flash(&q)).await?)
}

async fn book(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let form = BookingForm::read(&f);
    let back_week = field(&f, "back") == "week";
    let room_id: Option<i64> = form.room_id.parse().ok();
    let result = match room_id {
        Some(id) => book_room(&state, &user, id, &form.input()).await,
        None => Err(AppError::invalid(
            "field.required",
            "room_id",
            "请选择功能室",
        )),
    };
    match result {
        Ok(b) => {
            let to = if back_week {
                format!(
                    "/rooms/{}?week={}&booked={}#booking-{}",
                    b.room_id, b.date, b.id, b.id
                )
            } else {
                format!("/rooms?date={}&booked={}#booking-{}", b.date, b.id, b.id)
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let date = NaiveDate::parse_from_str(&form.date, "%Y-%m-%d")
                .unwrap_or_else(|_| state.clock.today());
            let page = match (back_week, room_id) {
                (true, Some(id)) => {
                    week_page(&state, &user, id, date, form, lines, String::new()).await?
                }
                _ => day_page(&state, &user, date, form, lines, String::new()).await?,
            };
            Ok((status, render(&page)?).into_response())
        }
    }
}

async fn step(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, name)): Path<(i64, String)>,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let action = BookingAction::parse(&name).ok_or(AppError::NotFound("action"))?;
    act(&state, &user, id, action, field(&f, "note")).await?;
    // Only back to a rooms page of this site.
    let back = field(&f, "back");
    let back = if back.starts_with("/rooms") && !back.starts_with("//") {
        back.split('#').next().unwrap_or("/rooms")
    } else {
        "/rooms"
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}done={name}")).into_response())
}

#[derive(Template)]
#[template(path = "rooms/approvals.html")]
struct ApprovalsPage {
    chrome: Chrome,
    bookings: Vec<BookingDto>,
    flash: String,
}

async fn approvals(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DayQuery>,
) -> PageResult {
    user.grant(Permission::ManageRooms)?;
    render(&ApprovalsPage {
        chrome: Chrome::new(&state, Some(&user), "功能室预约审批", "room-approvals").await,
        bookings: pending_bookings(&state, &user).await?,
        flash: flash(&q),
    })
}

// ------------------------------------------------------------------ admin

#[derive(Default)]
struct RoomForm {
    name: String,
    kind: String,
    floor: String,
    capacity: String,
    equipment: String,
    /// `default`, `yes` or `no`.
    approval: String,
    hours: String,
    active: bool,
}

impl RoomForm {
    fn read(f: &HashMap<String, String>) -> Self {
        Self {
            name: field(f, "name").into(),
            kind: field(f, "kind").trim().into(),
            floor: field(f, "floor").into(),
            capacity: field(f, "capacity").trim().into(),
            equipment: field(f, "equipment").into(),
            approval: field(f, "approval").trim().into(),
            hours: field(f, "hours").into(),
            active: !field(f, "active").is_empty(),
        }
    }

    fn of(r: &RoomDto) -> Self {
        Self {
            name: r.name.clone(),
            kind: r.kind.clone(),
            floor: r.floor.clone(),
            capacity: r.capacity.to_string(),
            equipment: r.equipment.join("、"),
            approval: if r.needs_approval { "yes" } else { "no" }.into(),
            hours: r.hours.clone(),
            active: r.active,
        }
    }

    fn input(&self) -> RoomInput {
        RoomInput {
            center_id: None,
            name: self.name.clone(),
            kind: self.kind.clone(),
            floor: self.floor.clone(),
            capacity: self.capacity.parse().unwrap_or(0),
            equipment: split_equipment(&self.equipment),
            needs_approval: match self.approval.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            hours: self.hours.clone(),
            active: Some(self.active),
        }
    }
}

#[derive(Template)]
#[template(path = "rooms/admin.html")]
struct AdminPage {
    chrome: Chrome,
    rooms: Vec<RoomDto>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The room being edited; a new one when `None`.
    editing: Option<i64>,
    form: RoomForm,
    errors: Vec<String>,
    flash: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct AdminQuery {
    edit: Option<i64>,
    saved: Option<i64>,
}

async fn admin_page(
    state: &AppState,
    user: &AuthUser,
    editing: Option<i64>,
    form: Option<RoomForm>,
    errors: Vec<String>,
    flash: String,
) -> Result<AdminPage, AppError> {
    user.grant(Permission::ManageRooms)?;
    let rooms: Vec<RoomDto> = state
        .store
        .rooms(true)
        .await?
        .into_iter()
        .map(RoomDto::from)
        .collect();
    let form = match (form, editing) {
        (Some(f), _) => f,
        (None, Some(id)) => RoomForm::of(
            rooms
                .iter()
                .find(|r| r.id == id)
                .ok_or(AppError::NotFound("room"))?,
        ),
        (None, None) => RoomForm {
            kind: "meeting".into(),
            approval: "default".into(),
            hours: domain::room::OpeningHours::default().to_string(),
            active: true,
            ..Default::default()
        },
    };
    Ok(AdminPage {
        chrome: Chrome::new(state, Some(user), "功能室管理", "rooms-admin").await,
        rooms,
        kinds: kinds(),
        editing,
        form,
        errors,
        flash,
    })
}

async fn admin_rooms(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<AdminQuery>,
) -> PageResult {
    let flash = if q.saved.is_some() {
        "功能室已保存。".to_string()
    } else {
        String::new()
    };
    render(&admin_page(&state, &user, q.edit, None, Vec::new(), flash).await?)
}

async fn admin_save(
    state: AppState,
    user: AuthUser,
    id: Option<i64>,
    f: HashMap<String, String>,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::ManageRooms)?;
    let form = RoomForm::read(&f);
    let now = state.clock.now();
    let saved = match NewRoom::parse(&form.input()) {
        Ok(room) => match id {
            Some(id) => state.store.update_room(&grant, id, &room, now).await,
            None => state.store.create_room(&grant, &room, now).await,
        }
        .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match saved {
        Ok(room) => Ok(Redirect::to(&format!("/admin/rooms?saved={}", room.id)).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = admin_page(&state, &user, id, Some(form), lines, String::new()).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

async fn admin_create(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    admin_save(state, user, None, f).await
}

async fn admin_update(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    admin_save(state, user, Some(id), f).await
}
