//! The queue's pages: the kiosk (取号机, big touch buttons, a printed slip,
//! appointment check-in), taking a ticket from a phone with a live "people
//! ahead", the displays above the hall and above each window (standalone
//! dark pages fed by the server-sent events, with a chime and the call read
//! out), the clerk's window workbench, the statistics, and appointments for
//! applicants and for the center's administrator.

use super::{Chrome, Fields, PageError, PageResult, field, refusal, render};
use crate::api::appointments::{
    AppointmentDto, BookRequest, DaySlots, MineQuery, ServiceDayDto, ServiceDayRequest,
    SettingsDto, do_add_service_day, do_book, do_cancel, do_check_in, find_mine, load_service_days,
    load_slots, save_settings,
};
use crate::api::queue::{
    HallQuery, QueueStats, StatsQuery, TakeTicket, TicketDto, TransferBody, WindowState, call_view,
    center_of, do_act, do_call_next, do_sign_on, load_stats, load_window_state, take, ticket_dto,
    waiting_views,
};
use crate::auth::{AuthUser, MaybeUser, PageUser};
use crate::error::AppError;
use crate::queue_hub::{CallView, WaitingView};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use domain::access::Permission;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue/kiosk", get(kiosk).post(kiosk_take))
        .route("/queue/kiosk/check-in", post(kiosk_check_in))
        .route("/queue/take", get(take_page).post(take_submit))
        .route("/queue/take/{id}", get(my_ticket))
        .route("/queue/display", get(display))
        .route("/queue/window", get(workbench))
        .route("/queue/window/sign-on", post(wb_sign_on))
        .route("/queue/window/sign-off", post(wb_sign_off))
        .route("/queue/window/call-next", post(wb_call_next))
        .route("/queue/window/tickets/{id}/{action}", post(wb_act))
        .route("/queue/stats", get(stats_page))
        .route(
            "/appointments",
            get(appointments_page).post(appointments_book),
        )
        .route("/appointments/cancel", post(appointments_cancel))
        .route("/admin/appointments", get(admin_page))
        .route("/admin/appointments/settings/{id}", post(admin_settings))
        .route("/admin/appointments/service-days", post(admin_add_day))
        .route(
            "/admin/appointments/service-days/{id}/delete",
            post(admin_delete_day),
        )
}

fn check_csrf(
    user: Option<&AuthUser>,
    f: &std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    match user {
        Some(u) => u.check_csrf(field(f, "csrf_token")),
        None => Ok(()),
    }
}

/// The active categories of the center a query names.
async fn categories(
    state: &AppState,
    q: &HallQuery,
) -> Result<(i64, Option<i64>, Vec<store::Category>), AppError> {
    let (center_id, hall_id) = center_of(state, q).await?;
    let hall_id = match hall_id {
        Some(h) => Some(h),
        None => state
            .store
            .list_halls(center_id)
            .await?
            .first()
            .map(|h| h.id),
    };
    let cats = state
        .store
        .list_categories(center_id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .collect();
    Ok((center_id, hall_id, cats))
}

// ------------------------------------------------------------ kiosk

#[derive(Template)]
#[template(path = "queue/kiosk.html")]
struct KioskPage {
    center_name: String,
    csrf: String,
    hall_id: Option<i64>,
    categories: Vec<store::Category>,
    waiting: Vec<WaitingView>,
    errors: Vec<String>,
    slip: Option<TicketDto>,
    time_text: String,
}

async fn kiosk_page(
    state: &AppState,
    user: Option<&AuthUser>,
    q: &HallQuery,
    errors: Vec<String>,
    slip: Option<TicketDto>,
) -> PageResult<KioskPage> {
    let chrome = Chrome::new(state, user, "自助取号", "").await;
    let (center_id, hall_id, categories) = categories(state, q).await?;
    Ok(KioskPage {
        center_name: chrome.center_name,
        csrf: chrome.csrf,
        hall_id,
        categories,
        waiting: waiting_views(state, center_id).await?,
        errors,
        slip,
        time_text: state.clock.now_local().format("%Y-%m-%d %H:%M").to_string(),
    })
}

async fn kiosk(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<HallQuery>,
) -> PageResult {
    render(&kiosk_page(&state, user.as_ref(), &q, Vec::new(), None).await?)
}

fn take_body(f: &std::collections::HashMap<String, String>, source: &str) -> TakeTicket {
    TakeTicket {
        category_id: field(f, "category_id").trim().parse().unwrap_or_default(),
        hall_id: field(f, "hall_id").trim().parse().ok(),
        priority: field(f, "priority").into(),
        id_number: field(f, "id_number").into(),
        source: source.into(),
    }
}

async fn kiosk_take(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<HallQuery>,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    check_csrf(user.as_ref(), &f)?;
    let q = HallQuery {
        hall_id: field(&f, "hall_id").parse().ok().or(q.hall_id),
        window_id: None,
    };
    match take(&state, &take_body(&f, "kiosk")).await {
        Ok(t) => Ok(
            render(&kiosk_page(&state, user.as_ref(), &q, Vec::new(), Some(t)).await?)?
                .into_response(),
        ),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((
                status,
                render(&kiosk_page(&state, user.as_ref(), &q, errors, None).await?)?,
            )
                .into_response())
        }
    }
}

async fn kiosk_check_in(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    check_csrf(user.as_ref(), &f)?;
    let q = HallQuery {
        hall_id: field(&f, "hall_id").parse().ok(),
        window_id: None,
    };
    let code = field(&f, "code").trim().to_string();
    // One box: a booking code, or the phone the booking was made with.
    let is_phone = code.len() == 11 && code.bytes().all(|b| b.is_ascii_digit());
    let body = crate::api::appointments::CheckInRequest {
        code: if is_phone {
            String::new()
        } else {
            code.clone()
        },
        phone: if is_phone { code } else { String::new() },
        hall_id: q.hall_id,
    };
    match do_check_in(&state, &body).await {
        Ok(t) => Ok(
            render(&kiosk_page(&state, user.as_ref(), &q, Vec::new(), Some(t)).await?)?
                .into_response(),
        ),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((
                status,
                render(&kiosk_page(&state, user.as_ref(), &q, errors, None).await?)?,
            )
                .into_response())
        }
    }
}

// ------------------------------------------------------------ phone

#[derive(Template)]
#[template(path = "queue/take.html")]
struct TakePage {
    chrome: Chrome,
    categories: Vec<store::Category>,
    waiting: Vec<WaitingView>,
    hall_id: Option<i64>,
    errors: Vec<String>,
}

async fn take_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<HallQuery>,
) -> PageResult {
    let (center_id, hall_id, categories) = categories(&state, &q).await?;
    render(&TakePage {
        chrome: Chrome::new(&state, user.as_ref(), "手机取号", "take").await,
        categories,
        waiting: waiting_views(&state, center_id).await?,
        hall_id,
        errors: Vec::new(),
    })
}

async fn take_submit(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    check_csrf(user.as_ref(), &f)?;
    match take(&state, &take_body(&f, "phone")).await {
        Ok(t) => Ok(Redirect::to(&format!("/queue/take/{}", t.id)).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let q = HallQuery {
                hall_id: field(&f, "hall_id").parse().ok(),
                window_id: None,
            };
            let (center_id, hall_id, categories) = categories(&state, &q).await?;
            let page = TakePage {
                chrome: Chrome::new(&state, user.as_ref(), "手机取号", "take").await,
                categories,
                waiting: waiting_views(&state, center_id).await?,
                hall_id,
                errors,
            };
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "queue/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    t: TicketDto,
    issued: String,
}

async fn my_ticket(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
) -> PageResult {
    let t = state
        .store
        .ticket(id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let t = ticket_dto(&state, t).await?;
    render(&TicketPage {
        chrome: Chrome::new(&state, user.as_ref(), "我的排队号", "take").await,
        issued: crate::clock::rfc3339_local(t.issued_at)
            .get(11..16)
            .unwrap_or("")
            .to_string(),
        t,
    })
}

// ------------------------------------------------------------ display

#[derive(Template)]
#[template(path = "queue/display.html")]
struct DisplayPage {
    center_name: String,
    /// "大厅" or "03号窗口".
    title: String,
    stream_url: String,
    window_mode: bool,
    calls: Vec<CallView>,
    waiting: Vec<WaitingView>,
    date_text: String,
}

async fn display(State(state): State<AppState>, Query(q): Query<HallQuery>) -> PageResult {
    let (center_id, hall_id) = center_of(&state, &q).await?;
    let center = state
        .store
        .home_center()
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let (title, stream_url) = match (q.window_id, hall_id) {
        (Some(w), _) => {
            let w = state
                .store
                .window(w)
                .await?
                .ok_or(AppError::NotFound("window"))?;
            (
                format!("{}号窗口", w.number),
                format!("/api/v1/public/queue/stream?window_id={}", w.id),
            )
        }
        (None, Some(h)) => {
            let h = state
                .store
                .hall(h)
                .await?
                .ok_or(AppError::NotFound("hall"))?;
            (
                h.name,
                format!("/api/v1/public/queue/stream?hall_id={}", h.id),
            )
        }
        (None, None) => ("政务服务大厅".into(), "/api/v1/public/queue/stream".into()),
    };
    let calls = state
        .store
        .recent_calls(
            center_id,
            if q.window_id.is_some() { None } else { hall_id },
            q.window_id,
            state.clock.today(),
            10,
        )
        .await?
        .iter()
        .map(|t| {
            call_view(
                t,
                t.called_window_number.as_deref().unwrap_or(""),
                t.called_hall_id.unwrap_or_default(),
            )
        })
        .collect();
    render(&DisplayPage {
        center_name: center,
        title,
        stream_url,
        window_mode: q.window_id.is_some(),
        calls,
        waiting: waiting_views(&state, center_id).await?,
        date_text: state.clock.now_local().format("%Y年%m月%d日").to_string(),
    })
}

// ------------------------------------------------------------ workbench

#[derive(Template)]
#[template(path = "queue/window.html")]
struct WorkbenchPage {
    chrome: Chrome,
    /// Windows the clerk may sign on to.
    windows: Vec<(i64, String)>,
    session: Option<WindowState>,
    categories: Vec<store::Category>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

async fn workbench_page(
    state: &AppState,
    user: &AuthUser,
    message: Option<String>,
    errors: Vec<String>,
) -> PageResult<WorkbenchPage> {
    user.grant(Permission::HandleCases)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let windows = state
        .store
        .list_windows(center.id)
        .await?
        .into_iter()
        .filter(|w| w.active)
        .filter(|w| {
            user.user
                .department_id
                .is_none_or(|d| w.department_ids.is_empty() || w.department_ids.contains(&d))
        })
        .map(|w| (w.id, format!("{}号窗口 {}", w.number, w.name)))
        .collect();
    let session = match state
        .store
        .session_of(user.user.id, state.clock.now())
        .await?
    {
        Some(s) => Some(load_window_state(state, user, s.window_id).await?),
        None => None,
    };
    Ok(WorkbenchPage {
        chrome: Chrome::new(state, Some(user), "窗口叫号", "queue").await,
        windows,
        session,
        categories: state
            .store
            .list_categories(center.id)
            .await?
            .into_iter()
            .filter(|c| c.active)
            .collect(),
        message,
        errors,
    })
}

async fn workbench(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let message = match q.done.as_str() {
        "" => None,
        "none" => Some("当前没有等候的号".to_string()),
        other => Some(other.to_string()),
    };
    render(&workbench_page(&state, &user, message, Vec::new()).await?)
}

async fn wb_result(
    state: &AppState,
    user: &AuthUser,
    r: Result<String, AppError>,
) -> Result<Response, PageError> {
    match r {
        Ok(done) => Ok(Redirect::to(&format!(
            "/queue/window?done={}",
            crate::auth::urlencode(&done)
        ))
        .into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((
                status,
                render(&workbench_page(state, user, None, errors).await?)?,
            )
                .into_response())
        }
    }
}

async fn wb_sign_on(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let id = field(&f, "window_id").parse().unwrap_or_default();
    let r = do_sign_on(&state, &user, id)
        .await
        .map(|s| format!("已签到{}号窗口", s.window_number));
    wb_result(&state, &user, r).await
}

async fn wb_sign_off(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    state
        .store
        .sign_off(user.user.id, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/queue/window?done={}",
        crate::auth::urlencode("已签退")
    ))
    .into_response())
}

async fn wb_call_next(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let id = field(&f, "window_id").parse().unwrap_or_default();
    let r = do_call_next(&state, &user, id)
        .await
        .map(|t| t.map_or_else(|| "none".to_string(), |t| format!("已叫号{}", t.number)));
    match r {
        Ok(s) if s == "none" => Ok(Redirect::to("/queue/window?done=none").into_response()),
        other => wb_result(&state, &user, other).await,
    }
}

async fn wb_act(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, action)): Path<(i64, String)>,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    // The transfer form names "c:ID" for a category or "w:ID" for a window.
    let target = field(&f, "target");
    let transfer = TransferBody {
        category_id: target.strip_prefix("c:").and_then(|s| s.parse().ok()),
        window_id: target.strip_prefix("w:").and_then(|s| s.parse().ok()),
    };
    let r = do_act(&state, &user, id, &action, &transfer)
        .await
        .map(|t| format!("{}：{}", t.number, t.state_name));
    wb_result(&state, &user, r).await
}

// ------------------------------------------------------------ statistics

#[derive(Template)]
#[template(path = "queue/stats.html")]
struct StatsPage {
    chrome: Chrome,
    s: QueueStats,
    sections: Vec<(&'static str, Vec<crate::api::queue::StatsRow>)>,
}

async fn stats_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let mut s = load_stats(&state, &user, &q).await?;
    let sections = vec![
        ("按业务类别", std::mem::take(&mut s.by_category)),
        ("按窗口", std::mem::take(&mut s.by_window)),
        ("按取号时段", std::mem::take(&mut s.by_hour)),
    ];
    render(&StatsPage {
        chrome: Chrome::new(&state, Some(&user), "排队统计", "queue-stats").await,
        s,
        sections,
    })
}

// ------------------------------------------------------------ appointments

#[derive(Template)]
#[template(path = "queue/appointments.html")]
struct AppointmentsPage {
    chrome: Chrome,
    categories: Vec<store::Category>,
    category_id: i64,
    date: String,
    day: Option<DaySlots>,
    name: String,
    phone: String,
    booked: Option<AppointmentDto>,
    mine: Vec<AppointmentDto>,
    lookup_code: String,
    lookup_phone: String,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppointmentsQuery {
    category_id: Option<i64>,
    date: Option<NaiveDate>,
    code: String,
    phone: String,
}

async fn appointments_base(
    state: &AppState,
    user: Option<&AuthUser>,
    category_id: Option<i64>,
    date: Option<NaiveDate>,
) -> PageResult<AppointmentsPage> {
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let categories: Vec<store::Category> = state
        .store
        .list_categories(center.id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .collect();
    let category_id = category_id
        .or(categories.first().map(|c| c.id))
        .unwrap_or_default();
    let date = date.unwrap_or_else(|| state.clock.today() + chrono::Duration::days(1));
    let day = if category_id > 0 {
        load_slots(state, category_id, date).await.ok()
    } else {
        None
    };
    let mine = match user {
        Some(u) => find_mine(state, Some(u), &MineQuery::default())
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(AppointmentsPage {
        chrome: Chrome::new(state, user, "预约办事", "appointments").await,
        categories,
        category_id,
        date: date.to_string(),
        day,
        name: String::new(),
        phone: String::new(),
        booked: None,
        mine: mine
            .into_iter()
            .map(|a| AppointmentDto::new(a, true))
            .collect(),
        lookup_code: String::new(),
        lookup_phone: String::new(),
        errors: Vec::new(),
    })
}

async fn appointments_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<AppointmentsQuery>,
) -> Result<Response, PageError> {
    let mut page = appointments_base(&state, user.as_ref(), q.category_id, q.date).await?;
    if !q.code.trim().is_empty() {
        let found = find_mine(
            &state,
            user.as_ref(),
            &MineQuery {
                code: q.code.clone(),
                phone: q.phone.clone(),
            },
        )
        .await?;
        if found.is_empty() {
            page.errors
                .push("没有找到该预约，请核对预约码和手机号码".into());
        }
        page.mine = found
            .into_iter()
            .map(|a| AppointmentDto::new(a, true))
            .collect();
        page.lookup_code = q.code;
        page.lookup_phone = q.phone;
    }
    Ok(render(&page)?.into_response())
}

async fn appointments_book(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    check_csrf(user.as_ref(), &f)?;
    let body = BookRequest {
        category_id: field(&f, "category_id").parse().unwrap_or_default(),
        date: field(&f, "date").into(),
        slot: field(&f, "slot").into(),
        name: field(&f, "name").into(),
        phone: field(&f, "phone").into(),
    };
    let date = NaiveDate::parse_from_str(&body.date, "%Y-%m-%d").ok();
    let result = do_book(&state, user.as_ref(), &body).await;
    let mut page = appointments_base(&state, user.as_ref(), Some(body.category_id), date).await?;
    match result {
        Ok(a) => {
            page.booked = Some(AppointmentDto::new(a, true));
            Ok(render(&page)?.into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            page.errors = errors;
            page.name = body.name;
            page.phone = body.phone;
            Ok((status, render(&page)?).into_response())
        }
    }
}

async fn appointments_cancel(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    check_csrf(user.as_ref(), &f)?;
    let code = field(&f, "code").to_string();
    let phone = field(&f, "phone").to_string();
    match do_cancel(&state, user.as_ref(), &code, &phone).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/appointments?code={}&phone={}",
            crate::auth::urlencode(&code),
            crate::auth::urlencode(&phone)
        ))
        .into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let mut page = appointments_base(&state, user.as_ref(), None, None).await?;
            page.errors = errors;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "queue/admin.html")]
struct AdminPage {
    chrome: Chrome,
    settings: Vec<(store::Category, SettingsDto)>,
    days: Vec<ServiceDayDto>,
    today: Vec<AppointmentDto>,
    errors: Vec<String>,
    message: Option<String>,
}

async fn admin_view(
    state: &AppState,
    user: &AuthUser,
    errors: Vec<String>,
    message: Option<String>,
) -> PageResult<AdminPage> {
    user.grant(Permission::ManageCalendar)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let mut settings = Vec::new();
    for c in state.store.list_categories(center.id).await? {
        let s = state.store.appointment_settings(c.id).await?;
        settings.push((
            c,
            SettingsDto {
                enabled: s.enabled,
                slot_minutes: i64::from(s.slot_minutes),
                capacity: i64::from(s.capacity),
                days_ahead: i64::from(s.days_ahead),
            },
        ));
    }
    Ok(AdminPage {
        chrome: Chrome::new(state, Some(user), "预约设置", "appointment-settings").await,
        settings,
        days: load_service_days(state).await?,
        today: state
            .store
            .appointments_on(center.id, state.clock.today())
            .await?
            .into_iter()
            .map(|a| AppointmentDto::new(a, false))
            .collect(),
        errors,
        message,
    })
}

async fn admin_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let message = (!q.done.is_empty()).then(|| "已保存".to_string());
    render(&admin_view(&state, &user, Vec::new(), message).await?)
}

async fn admin_done(
    state: &AppState,
    user: &AuthUser,
    r: Result<(), AppError>,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to("/admin/appointments?done=1").into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((
                status,
                render(&admin_view(state, user, errors, None).await?)?,
            )
                .into_response())
        }
    }
}

async fn admin_settings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let n = |k: &str| field(&f, k).trim().parse::<i64>().unwrap_or(0);
    let body = SettingsDto {
        enabled: !field(&f, "enabled").is_empty(),
        slot_minutes: n("slot_minutes"),
        capacity: n("capacity"),
        days_ahead: n("days_ahead"),
    };
    let r = save_settings(&state, &user, id, &body).await;
    admin_done(&state, &user, r).await
}

async fn admin_add_day(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let body = ServiceDayRequest {
        date: field(&f, "date").into(),
        kind: field(&f, "kind").into(),
        opens: field(&f, "opens").into(),
        closes: field(&f, "closes").into(),
        note: field(&f, "note").into(),
    };
    let r = do_add_service_day(&state, &user, &body).await.map(|_| ());
    admin_done(&state, &user, r).await
}

async fn admin_delete_day(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::extract::Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    user.grant(Permission::ManageCalendar)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let r = state
        .store
        .delete_service_day(center.id, id)
        .await
        .map_err(AppError::from);
    admin_done(&state, &user, r).await
}
