//! The queue (排队叫号) over HTTP: taking a ticket (kiosk or phone, public),
//! the window's actions (sign on, call next, recall, skip, transfer, serve,
//! finish, link the accepted case), the displays' live stream (server-sent
//! events) and the statistics. Window actions need `HandleCases` and a
//! sign-on at the window that holds the ticket.

use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::queue_hub::{CallView, QueueEvent, WaitingView};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use domain::access::Permission;
use domain::identity::IdCardNumber;
use domain::queue::{
    Priority, TicketAction, TicketSource, TicketState, TimeFigures, priority_for, time_figures,
};
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use store::{NewTicket, Ticket, TransferTo, WindowSession};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(take_ticket))
        .routes(routes!(get_ticket))
        .routes(routes!(waiting))
        .routes(routes!(stream_calls))
        .routes(routes!(sign_on))
        .routes(routes!(sign_off))
        .routes(routes!(window_state))
        .routes(routes!(call_next))
        .routes(routes!(act))
        .routes(routes!(link_case))
        .routes(routes!(stats))
        .routes(routes!(activity))
}

// ------------------------------------------------------------ views

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: i64,
    /// A001
    pub number: String,
    pub day: NaiveDate,
    pub category_id: i64,
    pub category_code: String,
    pub category_name: String,
    pub state: String,
    pub state_name: String,
    /// `none`, `appointment`, `elderly` or `disabled`.
    pub priority: String,
    pub priority_name: String,
    pub source: String,
    /// Only this window may call it (after a transfer to a window).
    pub window_id: Option<i64>,
    pub called_window_id: Option<i64>,
    pub called_window_number: Option<String>,
    pub recall_count: i64,
    pub transfer_count: i64,
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub serving_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The case accepted for this visit.
    pub case_no: Option<String>,
    /// Waiting tickets of its category that go before it (0 once called).
    pub people_ahead: i64,
}

impl TicketDto {
    pub(crate) fn new(t: Ticket, people_ahead: i64) -> TicketDto {
        TicketDto {
            state_name: t.state.label().into(),
            state: t.state.code().into(),
            priority_name: t.priority.label().into(),
            priority: t.priority.code().into(),
            source: t.source.code().into(),
            id: t.id,
            number: t.number,
            day: t.day,
            category_id: t.category_id,
            category_code: t.category_code,
            category_name: t.category_name,
            window_id: t.window_id,
            called_window_id: t.called_window_id,
            called_window_number: t.called_window_number,
            recall_count: t.recall_count,
            transfer_count: t.transfer_count,
            issued_at: t.issued_at,
            called_at: t.called_at,
            serving_at: t.serving_at,
            finished_at: t.finished_at,
            case_no: t.case_no,
            people_ahead,
        }
    }
}

pub(crate) async fn ticket_dto(state: &AppState, t: Ticket) -> AppResult<TicketDto> {
    let ahead = state.store.people_ahead(&t).await?;
    Ok(TicketDto::new(t, ahead))
}

// ------------------------------------------------------------ tickets

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TakeTicket {
    pub category_id: i64,
    /// The hall the kiosk stands in (the main hall when absent).
    pub hall_id: Option<i64>,
    /// `elderly` or `disabled` when the person asks for priority at the kiosk.
    pub priority: String,
    /// Optional: an ID number, only read for the age (70 or older goes first); not stored.
    pub id_number: String,
    /// `kiosk` (default) or `phone`.
    pub source: String,
}

/// Issues a ticket and tells the displays the waiting counts changed.
pub(crate) async fn take(state: &AppState, body: &TakeTicket) -> AppResult<TicketDto> {
    let category = state
        .store
        .category(body.category_id)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| {
            AppError::invalid("ticket.category_unknown", "category_id", "请选择业务类别")
        })?;
    let flag = match body.priority.trim() {
        "" => Priority::None,
        raw => match Priority::parse(raw) {
            Some(p @ (Priority::None | Priority::Elderly | Priority::Disabled)) => p,
            _ => {
                return Err(AppError::invalid(
                    "ticket.priority",
                    "priority",
                    "优先类型应为老年人或残疾人",
                ));
            }
        },
    };
    let id = match body.id_number.trim() {
        "" => None,
        raw => Some(IdCardNumber::parse(raw).map_err(|e| {
            AppError::invalid("ticket.id_number", "id_number", e.message("身份证号码"))
        })?),
    };
    let source = match body.source.trim() {
        "" | "kiosk" => TicketSource::Kiosk,
        "phone" => TicketSource::Phone,
        _ => {
            return Err(AppError::invalid(
                "ticket.source",
                "source",
                "取号方式应为取号机或手机",
            ));
        }
    };
    let hall_id = match body.hall_id {
        Some(h) => Some(
            state
                .store
                .hall(h)
                .await?
                .filter(|h| h.center_id == category.center_id)
                .ok_or_else(|| {
                    AppError::invalid("ticket.hall_unknown", "hall_id", "所选大厅不存在")
                })?
                .id,
        ),
        None => state
            .store
            .list_halls(category.center_id)
            .await?
            .first()
            .map(|h| h.id),
    };
    let now = state.clock.now();
    let priority = priority_for(false, flag, id.as_ref(), state.clock.today());
    let t = state
        .store
        .issue_ticket(
            &NewTicket {
                center_id: category.center_id,
                hall_id,
                category_id: category.id,
                priority,
                source,
            },
            now,
        )
        .await?;
    tracing::info!(ticket = t.id, number = %t.number, priority = priority.code(), "ticket issued");
    publish_waiting(state, category.center_id).await;
    ticket_dto(state, t).await
}

/// Takes a ticket of a business category (取号), at the kiosk or from a phone.
#[utoipa::path(post, path = "/api/v1/public/queue/tickets", tag = "queue", request_body = TakeTicket,
    responses((status = 201, body = TicketDto), (status = 422, body = ErrorBody)))]
async fn take_ticket(
    State(state): State<AppState>,
    _user: Option<ApiUser>,
    ApiJson(body): ApiJson<TakeTicket>,
) -> AppResult<(StatusCode, Json<TicketDto>)> {
    Ok((StatusCode::CREATED, Json(take(&state, &body).await?)))
}

/// One ticket with the people ahead of it (the phone's ticket page polls this).
#[utoipa::path(get, path = "/api/v1/public/queue/tickets/{id}", tag = "queue",
    params(("id" = i64, Path)), responses((status = 200, body = TicketDto), (status = 404, body = ErrorBody)))]
async fn get_ticket(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<TicketDto>> {
    let t = state
        .store
        .ticket(id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    Ok(Json(ticket_dto(&state, t).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct HallQuery {
    /// A hall: its windows' calls, its center's counts.
    pub hall_id: Option<i64>,
    /// One window: its calls only.
    pub window_id: Option<i64>,
}

/// The center a display or a count belongs to: the window's or the hall's,
/// else the home center.
pub(crate) async fn center_of(state: &AppState, q: &HallQuery) -> AppResult<(i64, Option<i64>)> {
    if let Some(w) = q.window_id {
        let w = state
            .store
            .window(w)
            .await?
            .ok_or(AppError::NotFound("window"))?;
        let h = state
            .store
            .hall(w.hall_id)
            .await?
            .ok_or(AppError::NotFound("hall"))?;
        return Ok((h.center_id, Some(h.id)));
    }
    if let Some(h) = q.hall_id {
        let h = state
            .store
            .hall(h)
            .await?
            .ok_or(AppError::NotFound("hall"))?;
        return Ok((h.center_id, Some(h.id)));
    }
    let c = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    Ok((c.id, None))
}

pub(crate) async fn waiting_views(state: &AppState, center_id: i64) -> AppResult<Vec<WaitingView>> {
    Ok(state
        .store
        .waiting_counts(center_id, state.clock.today())
        .await?
        .into_iter()
        .map(|w| WaitingView {
            category_id: w.category_id,
            code: w.code,
            name: w.name,
            waiting: w.waiting,
        })
        .collect())
}

async fn publish_waiting(state: &AppState, center_id: i64) {
    match waiting_views(state, center_id).await {
        Ok(waiting) => state
            .queue
            .publish(QueueEvent::Waiting { center_id, waiting }),
        Err(e) => tracing::warn!(error = %e.body().message, "waiting counts not published"),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingList {
    pub waiting: Vec<WaitingView>,
    pub total: i64,
}

/// People waiting now, per business category.
#[utoipa::path(get, path = "/api/v1/public/queue/waiting", tag = "queue", params(HallQuery),
    responses((status = 200, body = WaitingList)))]
async fn waiting(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<HallQuery>,
) -> AppResult<Json<WaitingList>> {
    let (center_id, _) = center_of(&state, &q).await?;
    let waiting = waiting_views(&state, center_id).await?;
    Ok(Json(WaitingList {
        total: waiting.iter().map(|w| w.waiting).sum(),
        waiting,
    }))
}

pub(crate) fn call_view(t: &Ticket, window_number: &str, hall_id: i64) -> CallView {
    CallView {
        ticket_id: t.id,
        number: t.number.clone(),
        category_code: t.category_code.clone(),
        category_name: t.category_name.clone(),
        window_id: t.called_window_id.unwrap_or_default(),
        window_number: window_number.to_string(),
        hall_id,
        recall_count: t.recall_count,
        at: crate::clock::rfc3339_local(t.called_at.unwrap_or(t.issued_at)),
        announcement: format!("请{}号到{}号窗口办理", t.number, window_number),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StreamSnapshot {
    /// The latest calls, newest first.
    pub calls: Vec<CallView>,
    pub waiting: Vec<WaitingView>,
}

/// The displays' live feed as server-sent events: first a `snapshot` (the
/// latest calls and the waiting counts), then a `call` for every call or
/// recall at the hall's windows (or the one window) and a `waiting` whenever
/// the counts change; a comment every 15 s keeps proxies from closing it.
#[utoipa::path(get, path = "/api/v1/public/queue/stream", tag = "queue", params(HallQuery),
    responses((status = 200, content_type = "text/event-stream", description = "events `snapshot`, `call`, `waiting` with JSON data")))]
async fn stream_calls(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<HallQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let (center_id, hall_id) = center_of(&state, &q).await?;
    // Subscribe before reading the snapshot, so no call falls between them.
    let rx = state.queue.subscribe();
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
    let snapshot = StreamSnapshot {
        calls,
        waiting: waiting_views(&state, center_id).await?,
    };
    let first = Event::default()
        .event("snapshot")
        .json_data(&snapshot)
        .unwrap_or_default();
    let window_filter = q.window_id;
    let hall_filter = if window_filter.is_some() {
        None
    } else {
        hall_id
    };
    let live = stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(QueueEvent::Call { center_id: c, call }) => {
                    if c == center_id
                        && hall_filter.is_none_or(|h| h == call.hall_id)
                        && window_filter.is_none_or(|w| w == call.window_id)
                    {
                        let e = Event::default()
                            .event("call")
                            .json_data(&call)
                            .unwrap_or_default();
                        return Some((Ok(e), rx));
                    }
                }
                Ok(QueueEvent::Waiting {
                    center_id: c,
                    waiting,
                }) => {
                    if c == center_id {
                        let e = Event::default()
                            .event("waiting")
                            .json_data(&waiting)
                            .unwrap_or_default();
                        return Some((Ok(e), rx));
                    }
                }
                // A display that fell behind skips to the present.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let events = stream::once(async move { Ok::<_, Infallible>(first) }).chain(live);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}

// ------------------------------------------------------------ windows

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    pub window_id: i64,
    pub window_number: String,
    pub window_name: String,
    pub hall_id: i64,
    pub signed_on_at: DateTime<Utc>,
}

/// The caller's window session of today, or 409 when not signed on there.
pub(crate) async fn session_at(
    state: &AppState,
    user: &AuthUser,
    window_id: Option<i64>,
) -> AppResult<WindowSession> {
    user.grant(Permission::HandleCases)?;
    let s = state
        .store
        .session_of(user.user.id, state.clock.now())
        .await?
        .ok_or_else(|| AppError::Conflict {
            code: "window.not_signed_on",
            message: "请先签到窗口".into(),
            field: None,
        })?;
    if let Some(w) = window_id
        && s.window_id != w
    {
        return Err(AppError::Conflict {
            code: "window.not_signed_on",
            message: "您没有在该窗口签到".into(),
            field: None,
        });
    }
    Ok(s)
}

/// A clerk signs on at a window of their own department (or a window of
/// no department, such as a comprehensive agency window).
pub(crate) async fn do_sign_on(
    state: &AppState,
    user: &AuthUser,
    window_id: i64,
) -> AppResult<SessionDto> {
    user.grant(Permission::HandleCases)?;
    let w = state
        .store
        .window(window_id)
        .await?
        .ok_or(AppError::NotFound("window"))?;
    if let Some(d) = user.user.department_id
        && !w.department_ids.is_empty()
        && !w.department_ids.contains(&d)
    {
        return Err(AppError::denied("该窗口不属于您的部门"));
    }
    let s = state
        .store
        .sign_on(window_id, user.user.id, state.clock.now())
        .await?;
    tracing::info!(window = window_id, user = %user.user.username, "signed on at window");
    Ok(SessionDto {
        window_id,
        window_number: w.number,
        window_name: w.name,
        hall_id: w.hall_id,
        signed_on_at: s.signed_on_at,
    })
}

/// Signs the caller on at a window for the day (签到).
#[utoipa::path(post, path = "/api/v1/queue/windows/{id}/sign-on", tag = "queue", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SessionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn sign_on(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<SessionDto>> {
    Ok(Json(do_sign_on(&state, &user, id).await?))
}

/// Signs the caller off (签退).
#[utoipa::path(post, path = "/api/v1/queue/windows/{id}/sign-off", tag = "queue", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])), responses((status = 204)))]
async fn sign_off(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    session_at(&state, &user, Some(id)).await?;
    state
        .store
        .sign_off(user.user.id, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowState {
    pub window_id: i64,
    pub window_number: String,
    /// Signed on here by the caller.
    pub signed_on: bool,
    /// The tickets at the window now (called or being served).
    pub tickets: Vec<TicketDto>,
    /// Waiting counts of the categories the window serves.
    pub waiting: Vec<WaitingView>,
}

pub(crate) async fn load_window_state(
    state: &AppState,
    user: &AuthUser,
    window_id: i64,
) -> AppResult<WindowState> {
    user.grant(Permission::HandleCases)?;
    let w = state
        .store
        .window(window_id)
        .await?
        .ok_or(AppError::NotFound("window"))?;
    let now = state.clock.now();
    let signed_on = state
        .store
        .session_of(user.user.id, now)
        .await?
        .is_some_and(|s| s.window_id == window_id);
    let hall = state
        .store
        .hall(w.hall_id)
        .await?
        .ok_or(AppError::NotFound("hall"))?;
    let mut tickets = Vec::new();
    for t in state.store.window_tickets(window_id, now).await? {
        tickets.push(TicketDto::new(t, 0));
    }
    Ok(WindowState {
        window_id,
        window_number: w.number,
        signed_on,
        tickets,
        waiting: waiting_views(state, hall.center_id)
            .await?
            .into_iter()
            .filter(|c| w.category_ids.contains(&c.category_id))
            .collect(),
    })
}

/// A window's tickets now and its categories' waiting counts.
#[utoipa::path(get, path = "/api/v1/queue/windows/{id}", tag = "queue", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])), responses((status = 200, body = WindowState)))]
async fn window_state(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowState>> {
    Ok(Json(load_window_state(&state, &user, id).await?))
}

/// Tells the displays about a call or a recall.
async fn publish_call(state: &AppState, t: &Ticket) {
    let Some(number) = t.called_window_number.as_deref() else {
        return;
    };
    state.queue.publish(QueueEvent::Call {
        center_id: t.center_id,
        call: call_view(t, number, t.called_hall_id.unwrap_or_default()),
    });
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallNext {
    /// The ticket called; null when nobody waits.
    pub ticket: Option<TicketDto>,
}

pub(crate) async fn do_call_next(
    state: &AppState,
    user: &AuthUser,
    window_id: i64,
) -> AppResult<Option<TicketDto>> {
    let s = session_at(state, user, Some(window_id)).await?;
    let Some(t) = state.store.call_next(&s, state.clock.now()).await? else {
        return Ok(None);
    };
    tracing::info!(ticket = t.id, number = %t.number, window = window_id, "ticket called");
    publish_call(state, &t).await;
    publish_waiting(state, t.center_id).await;
    Ok(Some(TicketDto::new(t, 0)))
}

/// Calls the next ticket (叫号): among today's waiting tickets of the
/// categories the window serves (and those transferred to it), priority
/// tickets first — appointments, the elderly, the disabled — but never more
/// than two in a row while an ordinary ticket waits; then by queue place.
#[utoipa::path(post, path = "/api/v1/queue/windows/{id}/call-next", tag = "queue", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CallNext), (status = 409, body = ErrorBody)))]
async fn call_next(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<CallNext>> {
    Ok(Json(CallNext {
        ticket: do_call_next(&state, &user, id).await?,
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TransferBody {
    /// Transfer to another business category…
    pub category_id: Option<i64>,
    /// …or to one window.
    pub window_id: Option<i64>,
}

pub(crate) async fn do_act(
    state: &AppState,
    user: &AuthUser,
    ticket_id: i64,
    action: &str,
    transfer: &TransferBody,
) -> AppResult<TicketDto> {
    let action = match action {
        "recall" => TicketAction::Recall,
        "skip" => TicketAction::Skip,
        "transfer" => TicketAction::Transfer,
        "serve" => TicketAction::Serve,
        "finish" => TicketAction::Finish,
        _ => return Err(AppError::NotFound("action")),
    };
    let s = session_at(state, user, None).await?;
    let t = state
        .store
        .ticket(ticket_id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    // A ticket at a window is that window's; a waiting one may be moved by
    // any clerk signed on in its center.
    if t.state != TicketState::Waiting && t.called_window_id != Some(s.window_id) {
        return Err(AppError::denied("该号不在您的窗口"));
    }
    let target = match (transfer.category_id, transfer.window_id) {
        (_, Some(w)) => Some(TransferTo::Window(w)),
        (Some(c), None) => Some(TransferTo::Category(c)),
        _ => None,
    };
    let t = state
        .store
        .ticket_action(ticket_id, action, target, state.clock.now())
        .await?;
    tracing::info!(ticket = t.id, action = action.code(), "ticket action");
    match action {
        TicketAction::Recall => publish_call(state, &t).await,
        TicketAction::Transfer | TicketAction::Skip => publish_waiting(state, t.center_id).await,
        _ => {}
    }
    ticket_dto(state, t).await
}

/// A window's action on a ticket: `recall` (重呼, the displays call it again),
/// `skip` (过号: the person did not come), `transfer` (to another category or
/// window; it keeps its number and its place by issue time), `serve` (开始办理)
/// or `finish` (办结).
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/{action}", tag = "queue",
    params(("id" = i64, Path), ("action" = String, Path, description = "recall | skip | transfer | serve | finish")),
    request_body(content = Option<TransferBody>, description = "for `transfer`: the category or window"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TicketDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn act(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, action)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> AppResult<Json<TicketDto>> {
    let body: TransferBody = if body.iter().all(u8::is_ascii_whitespace) {
        TransferBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| {
            AppError::bad_request("request.invalid_json", None, "请求体不是有效的JSON")
        })?
    };
    Ok(Json(do_act(&state, &user, id, &action, &body).await?))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct LinkCase {
    pub case_no: String,
}

/// Links the served ticket to the case accepted for it (受理办件).
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/case", tag = "queue", params(("id" = i64, Path)),
    request_body = LinkCase, security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TicketDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkCase>,
) -> AppResult<Json<TicketDto>> {
    let t = link(&state, &user, id, &body.case_no).await?;
    Ok(Json(ticket_dto(&state, t).await?))
}

/// Links a ticket to a case the caller may read.
pub(crate) async fn link(
    state: &AppState,
    user: &AuthUser,
    ticket_id: i64,
    case_no: &str,
) -> AppResult<Ticket> {
    user.grant(Permission::HandleCases)?;
    let case_no = case_no.trim();
    if case_no.is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "case_no",
            "请填写办件编号",
        ));
    }
    let read = user.grant(Permission::ReadCases)?;
    if state
        .store
        .case_by_no(store::CaseViewer::Staff(&read), case_no)
        .await
        .is_err()
    {
        return Err(AppError::invalid(
            "ticket.case_unknown",
            "case_no",
            "办件编号不存在",
        ));
    }
    Ok(state.store.link_ticket_case(ticket_id, case_no).await?)
}

// ------------------------------------------------------------ statistics

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct StatsQuery {
    /// First day (default today).
    pub from: Option<NaiveDate>,
    /// Last day (default `from`).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresDto {
    pub tickets: u32,
    pub called: u32,
    pub served: u32,
    pub skipped: u32,
    pub avg_wait_minutes: f64,
    pub max_wait_minutes: f64,
    pub avg_serve_minutes: f64,
}

impl From<TimeFigures> for FiguresDto {
    fn from(f: TimeFigures) -> Self {
        FiguresDto {
            tickets: f.tickets,
            called: f.called,
            served: f.served,
            skipped: f.skipped,
            avg_wait_minutes: f.avg_wait_minutes,
            max_wait_minutes: f.max_wait_minutes,
            avg_serve_minutes: f.avg_serve_minutes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsRow {
    /// The category's letter and name, the window's number, or the hour ("09:00").
    pub label: String,
    pub id: Option<i64>,
    #[serde(flatten)]
    pub figures: FiguresDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: FiguresDto,
    pub by_category: Vec<StatsRow>,
    pub by_window: Vec<StatsRow>,
    /// By the Beijing hour the ticket was taken.
    pub by_hour: Vec<StatsRow>,
    /// People waiting now.
    pub waiting_now: Vec<WaitingView>,
}

pub(crate) async fn load_stats(
    state: &AppState,
    user: &AuthUser,
    q: &StatsQuery,
) -> AppResult<QueueStats> {
    user.grant(Permission::ViewReports)?;
    let today = state.clock.today();
    let from = q.from.unwrap_or(today);
    let to = q.to.unwrap_or(from);
    if to < from || (to - from).num_days() > 366 {
        return Err(AppError::invalid(
            "stats.period",
            "to",
            "统计期间应从起始日到截止日，且不超过一年",
        ));
    }
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    let rows = state.store.ticket_stat_rows(center.id, from, to).await?;
    let categories = state.store.list_categories(center.id).await?;
    let windows = state.store.list_windows(center.id).await?;
    let group = |key: &dyn Fn(&store::TicketStatRow) -> Option<i64>, id: i64| {
        let times: Vec<_> = rows
            .iter()
            .filter(|r| key(r) == Some(id))
            .map(|r| r.times)
            .collect();
        FiguresDto::from(time_figures(&times))
    };
    let by_category = categories
        .iter()
        .map(|c| StatsRow {
            label: format!("{} {}", c.code, c.name),
            id: Some(c.id),
            figures: group(&|r| Some(r.category_id), c.id),
        })
        .collect();
    let by_window = windows
        .iter()
        .filter(|w| rows.iter().any(|r| r.window_id == Some(w.id)))
        .map(|w| StatsRow {
            label: format!("{}号窗口", w.number),
            id: Some(w.id),
            figures: group(&|r| r.window_id, w.id),
        })
        .collect();
    let hour = |t: DateTime<Utc>| i64::from((t + Duration::hours(8)).hour());
    let mut hours: Vec<i64> = rows.iter().map(|r| hour(r.times.issued_at)).collect();
    hours.sort();
    hours.dedup();
    let by_hour = hours
        .into_iter()
        .map(|h| StatsRow {
            label: format!("{h:02}:00"),
            id: Some(h),
            figures: group(&|r| Some(hour(r.times.issued_at)), h),
        })
        .collect();
    let all: Vec<_> = rows.iter().map(|r| r.times).collect();
    Ok(QueueStats {
        from,
        to,
        total: time_figures(&all).into(),
        by_category,
        by_window,
        by_hour,
        waiting_now: waiting_views(state, center.id).await?,
    })
}

/// Waiting and serving times per category, window and hour over a period,
/// and the people waiting now.
#[utoipa::path(get, path = "/api/v1/queue/stats", tag = "queue", params(StatsQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = QueueStats), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn stats(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> AppResult<Json<QueueStats>> {
    Ok(Json(load_stats(&state, &user, &q).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowActivityDto {
    pub window_id: i64,
    /// A clerk is signed on today.
    pub open: bool,
    /// A called or served ticket is at the window.
    pub serving: bool,
}

/// Every window's live state (open/serving), for the hall map.
#[utoipa::path(get, path = "/api/v1/queue/windows", tag = "queue",
    security(("bearer" = []), ("session" = [])), responses((status = 200, body = [WindowActivityDto])))]
async fn activity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<Vec<WindowActivityDto>>> {
    user.grant(Permission::ReadCatalogue)?;
    let center = state
        .store
        .home_center()
        .await?
        .ok_or(AppError::NotFound("center"))?;
    Ok(Json(
        state
            .store
            .window_activity(center.id, state.clock.now())
            .await?
            .into_iter()
            .map(|a| WindowActivityDto {
                window_id: a.window_id,
                open: a.open,
                serving: a.serving,
            })
            .collect(),
    ))
}
