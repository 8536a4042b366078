//! The hall (大厅与窗口): halls, floors, functional zones, business
//! categories and windows. Administrators lay them out (`ManageHall`), staff
//! read them, and anyone may ask where an item is handled
//! (`/api/v1/public/items/{id}/where`).

use crate::api::calendar::home_center_id;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::Permission;
use domain::hall::{
    CategoryInput, FloorInput, HallInput, NewCategory, NewFloor, NewHall, NewWindow, NewZone,
    WindowInput, WindowState, ZoneInput,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::StoreError;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_halls, create_hall))
        .routes(routes!(get_hall, update_hall))
        .routes(routes!(create_floor))
        .routes(routes!(update_floor, delete_floor))
        .routes(routes!(create_zone))
        .routes(routes!(update_zone, delete_zone))
        .routes(routes!(list_categories, create_category))
        .routes(routes!(update_category))
        .routes(routes!(list_windows, create_window))
        .routes(routes!(get_window, update_window))
        .routes(routes!(where_to_go))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HallDto {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    /// `main`, `branch` or `online`.
    pub kind: String,
    pub kind_name: String,
    pub address: String,
    /// "09:00–12:00，13:30–17:00".
    pub hours: String,
    pub sort_order: i64,
    pub active: bool,
}

impl From<&store::Hall> for HallDto {
    fn from(h: &store::Hall) -> Self {
        Self {
            id: h.id,
            center_id: h.center_id,
            name: h.name.clone(),
            kind: h.kind.code().into(),
            kind_name: h.kind.label().into(),
            address: h.address.clone(),
            hours: h.hours.text(),
            sort_order: h.sort_order,
            active: h.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FloorDto {
    pub id: i64,
    pub hall_id: i64,
    pub level: i64,
    pub name: String,
    /// The map's size in decimetres.
    pub width: i64,
    pub height: i64,
}

impl From<&store::Floor> for FloorDto {
    fn from(f: &store::Floor) -> Self {
        Self {
            id: f.id,
            hall_id: f.hall_id,
            level: f.level,
            name: f.name.clone(),
            width: f.width,
            height: f.height,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneDto {
    pub id: i64,
    pub floor_id: i64,
    pub name: String,
    pub purpose: String,
    pub purpose_name: String,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

impl From<&store::Zone> for ZoneDto {
    fn from(z: &store::Zone) -> Self {
        Self {
            id: z.id,
            floor_id: z.floor_id,
            name: z.name.clone(),
            purpose: z.purpose.code().into(),
            purpose_name: z.purpose.label().into(),
            x: z.x,
            y: z.y,
            width: z.width,
            height: z.height,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: i64,
    /// The queue number's letter.
    pub code: String,
    pub name: String,
    pub description: String,
    pub active: bool,
}

impl From<&store::Category> for CategoryDto {
    fn from(c: &store::Category) -> Self {
        Self {
            id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            active: c.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowDto {
    pub id: i64,
    pub hall_id: i64,
    pub zone_id: Option<i64>,
    pub number: String,
    /// `resident`, `agency`, `convenience` or `extension`.
    pub kind: String,
    pub kind_name: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub department_ids: Vec<i64>,
    pub branch_hall_id: Option<i64>,
    pub category_ids: Vec<i64>,
    pub item_ids: Vec<i64>,
    pub x: i64,
    pub y: i64,
    pub active: bool,
    /// `open`, `serving`, `idle` or `closed`.
    pub state: String,
}

impl WindowDto {
    fn new(
        w: &store::Window,
        departments: &HashMap<i64, String>,
        states: &HashMap<i64, WindowState>,
    ) -> Self {
        let state = states
            .get(&w.id)
            .copied()
            .unwrap_or(WindowState::from_active(w.active));
        Self {
            id: w.id,
            hall_id: w.hall_id,
            zone_id: w.zone_id,
            number: w.number.clone(),
            kind: w.kind.code().into(),
            kind_name: w.kind.label().into(),
            name: w.name.clone(),
            department_id: w.department_id,
            department_name: w.department_id.and_then(|d| departments.get(&d).cloned()),
            department_ids: w.department_ids.clone(),
            branch_hall_id: w.branch_hall_id,
            category_ids: w.category_ids.clone(),
            item_ids: w.item_ids.clone(),
            x: w.x,
            y: w.y,
            active: w.active,
            state: state.code().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HallList {
    pub halls: Vec<HallDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FloorDetail {
    #[serde(flatten)]
    pub floor: FloorDto,
    pub zones: Vec<ZoneDto>,
}

/// A hall with its floors, zones and windows.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallDetail {
    #[serde(flatten)]
    pub hall: HallDto,
    pub floors: Vec<FloorDetail>,
    pub windows: Vec<WindowDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    pub categories: Vec<CategoryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowList {
    pub windows: Vec<WindowDto>,
    pub total: usize,
}

/// A hall as sent: the fields of [`HallInput`] and whether it is open.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct HallRequest {
    #[serde(flatten)]
    pub hall: HallInput,
    /// False closes the hall (kept with its floors and windows). Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CategoryRequest {
    #[serde(flatten)]
    pub category: CategoryInput,
    /// False stops new tickets for the category. Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct WindowRequest {
    #[serde(flatten)]
    pub window: WindowInput,
    /// False closes the window (shown greyed on the map). Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct WindowQuery {
    pub hall_id: Option<i64>,
    /// Windows taking this department's business.
    pub department_id: Option<i64>,
}

/// One window where an item is handled, and how to get there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WherePlace {
    pub hall_id: i64,
    pub hall_name: String,
    pub hall_kind: String,
    pub address: String,
    pub hours: String,
    pub floor_level: Option<i64>,
    pub floor_name: Option<String>,
    pub zone_name: Option<String>,
    pub window_id: i64,
    pub window_number: String,
    pub window_name: String,
    pub window_kind_name: String,
    /// Where the window stands in for a branch hall (延伸窗口): that hall.
    pub branch_hall_name: Option<String>,
}

/// Where to go for an item: its windows with hall, floor and zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhereToGo {
    pub item_id: i64,
    pub item_name: String,
    pub department_name: String,
    pub places: Vec<WherePlace>,
    /// One sentence: "请到政务服务大厅3楼部门办事窗口区12、13号窗口办理。"
    pub summary: String,
    /// The hall guide page with these windows highlighted.
    pub map_url: String,
}

fn not_found(what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::NotFound(what),
        e => e.into(),
    }
}

/// Department id → short name, for labels.
pub(crate) async fn department_names(state: &AppState) -> AppResult<HashMap<i64, String>> {
    Ok(state
        .store
        .list_departments()
        .await?
        .into_iter()
        .map(|d| (d.id, d.short_name))
        .collect())
}

/// Every hall of the center, the main hall first (staff).
#[utoipa::path(get, path = "/api/v1/halls", tag = "hall",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = HallList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_halls(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<HallList>> {
    user.grant(Permission::ReadCatalogue)?;
    let center = home_center_id(&state).await?;
    let halls = state.store.list_halls(center).await?;
    Ok(Json(HallList {
        halls: halls.iter().map(HallDto::from).collect(),
    }))
}

/// Adds a hall (administrators): empty hours take 09:00–12:00, 13:30–17:00.
#[utoipa::path(post, path = "/api/v1/halls", tag = "hall", request_body = HallRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = HallDto), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_hall(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<HallRequest>,
) -> AppResult<(StatusCode, Json<HallDto>)> {
    user.grant(Permission::ManageHall)?;
    let new = NewHall::parse(&req.hall)?;
    let center = home_center_id(&state).await?;
    let mut hall = state
        .store
        .create_hall(center, &new, state.clock.now())
        .await?;
    if req.active == Some(false) {
        hall = state.store.update_hall(hall.id, &new, false).await?;
    }
    Ok((StatusCode::CREATED, Json(HallDto::from(&hall))))
}

/// A hall with its floors, zones and windows (staff).
#[utoipa::path(get, path = "/api/v1/halls/{id}", tag = "hall",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = HallDetail), (status = 404, body = ErrorBody)))]
async fn get_hall(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<HallDetail>> {
    user.grant(Permission::ReadCatalogue)?;
    Ok(Json(hall_detail(&state, id).await?))
}

pub(crate) async fn hall_detail(state: &AppState, id: i64) -> AppResult<HallDetail> {
    let hall = state
        .store
        .hall(id)
        .await?
        .ok_or(AppError::NotFound("hall"))?;
    let floors = state.store.list_floors(id).await?;
    let zones = state.store.list_zones(id).await?;
    let departments = department_names(state).await?;
    let states = state
        .store
        .window_states(hall.center_id, state.clock.now())
        .await?;
    let windows = state
        .store
        .list_windows(hall.center_id)
        .await?
        .into_iter()
        .filter(|w| w.hall_id == id)
        .map(|w| WindowDto::new(&w, &departments, &states))
        .collect();
    Ok(HallDetail {
        hall: HallDto::from(&hall),
        floors: floors
            .iter()
            .map(|f| FloorDetail {
                floor: FloorDto::from(f),
                zones: zones
                    .iter()
                    .filter(|z| z.floor_id == f.id)
                    .map(ZoneDto::from)
                    .collect(),
            })
            .collect(),
        windows,
    })
}

/// Changes a hall; `"active": false` closes it (administrators).
#[utoipa::path(put, path = "/api/v1/halls/{id}", tag = "hall", request_body = HallRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = HallDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_hall(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<HallRequest>,
) -> AppResult<Json<HallDto>> {
    user.grant(Permission::ManageHall)?;
    let new = NewHall::parse(&req.hall)?;
    let hall = state
        .store
        .update_hall(id, &new, req.active.unwrap_or(true))
        .await
        .map_err(not_found("hall"))?;
    Ok(Json(HallDto::from(&hall)))
}

/// Adds a floor to a hall (administrators).
#[utoipa::path(post, path = "/api/v1/halls/{id}/floors", tag = "hall", request_body = FloorInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = FloorDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_floor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FloorInput>,
) -> AppResult<(StatusCode, Json<FloorDto>)> {
    user.grant(Permission::ManageHall)?;
    let new = NewFloor::parse(&input)?;
    let floor = state
        .store
        .create_floor(id, &new, state.clock.now())
        .await
        .map_err(not_found("hall"))?;
    Ok((StatusCode::CREATED, Json(FloorDto::from(&floor))))
}

/// Changes a floor (administrators).
#[utoipa::path(put, path = "/api/v1/floors/{id}", tag = "hall", request_body = FloorInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = FloorDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_floor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FloorInput>,
) -> AppResult<Json<FloorDto>> {
    user.grant(Permission::ManageHall)?;
    let new = NewFloor::parse(&input)?;
    let floor = state
        .store
        .update_floor(id, &new)
        .await
        .map_err(not_found("floor"))?;
    Ok(Json(FloorDto::from(&floor)))
}

/// Removes a floor without zones (administrators); 409 while it has zones.
#[utoipa::path(delete, path = "/api/v1/floors/{id}", tag = "hall",
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_floor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    user.grant(Permission::ManageHall)?;
    state
        .store
        .delete_floor(id)
        .await
        .map_err(not_found("floor"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a functional zone to a floor (administrators).
#[utoipa::path(post, path = "/api/v1/floors/{id}/zones", tag = "hall", request_body = ZoneInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ZoneDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_zone(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ZoneInput>,
) -> AppResult<(StatusCode, Json<ZoneDto>)> {
    user.grant(Permission::ManageHall)?;
    let new = NewZone::parse(&input)?;
    let zone = state
        .store
        .create_zone(id, &new, state.clock.now())
        .await
        .map_err(not_found("floor"))?;
    Ok((StatusCode::CREATED, Json(ZoneDto::from(&zone))))
}

/// Changes a zone (administrators).
#[utoipa::path(put, path = "/api/v1/zones/{id}", tag = "hall", request_body = ZoneInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ZoneDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_zone(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ZoneInput>,
) -> AppResult<Json<ZoneDto>> {
    user.grant(Permission::ManageHall)?;
    let new = NewZone::parse(&input)?;
    let zone = state
        .store
        .update_zone(id, &new)
        .await
        .map_err(not_found("zone"))?;
    Ok(Json(ZoneDto::from(&zone)))
}

/// Removes a zone; its windows stay in the hall without a zone (administrators).
#[utoipa::path(delete, path = "/api/v1/zones/{id}", tag = "hall",
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_zone(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    user.grant(Permission::ManageHall)?;
    state
        .store
        .delete_zone(id, state.clock.now())
        .await
        .map_err(not_found("zone"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The business categories by letter (staff).
#[utoipa::path(get, path = "/api/v1/categories", tag = "hall",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CategoryList)))]
async fn list_categories(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<CategoryList>> {
    user.grant(Permission::ReadCatalogue)?;
    let center = home_center_id(&state).await?;
    let categories = state.store.list_categories(center).await?;
    Ok(Json(CategoryList {
        categories: categories.iter().map(CategoryDto::from).collect(),
    }))
}

/// Adds a business category: one letter A–Z, the queue number's prefix (administrators).
#[utoipa::path(post, path = "/api/v1/categories", tag = "hall", request_body = CategoryRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = CategoryDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_category(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<CategoryRequest>,
) -> AppResult<(StatusCode, Json<CategoryDto>)> {
    user.grant(Permission::ManageHall)?;
    let new = NewCategory::parse(&req.category)?;
    let center = home_center_id(&state).await?;
    let mut c = state
        .store
        .create_category(center, &new, state.clock.now())
        .await?;
    if req.active == Some(false) {
        c = state.store.update_category(c.id, &new, false).await?;
    }
    Ok((StatusCode::CREATED, Json(CategoryDto::from(&c))))
}

/// Changes a business category; `"active": false` retires it (administrators).
#[utoipa::path(put, path = "/api/v1/categories/{id}", tag = "hall", request_body = CategoryRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CategoryDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_category(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CategoryRequest>,
) -> AppResult<Json<CategoryDto>> {
    user.grant(Permission::ManageHall)?;
    let new = NewCategory::parse(&req.category)?;
    let c = state
        .store
        .update_category(id, &new, req.active.unwrap_or(true))
        .await
        .map_err(not_found("category"))?;
    Ok(Json(CategoryDto::from(&c)))
}

/// The center's windows by hall and number, with their live state (staff).
#[utoipa::path(get, path = "/api/v1/windows", tag = "hall", params(WindowQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = WindowList)))]
async fn list_windows(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> AppResult<Json<WindowList>> {
    user.grant(Permission::ReadCatalogue)?;
    let center = home_center_id(&state).await?;
    let departments = department_names(&state).await?;
    let states = state.store.window_states(center, state.clock.now()).await?;
    let windows: Vec<WindowDto> = state
        .store
        .list_windows(center)
        .await?
        .iter()
        .filter(|w| q.hall_id.is_none_or(|h| w.hall_id == h))
        .filter(|w| {
            q.department_id
                .is_none_or(|d| w.department_ids.contains(&d))
        })
        .map(|w| WindowDto::new(w, &departments, &states))
        .collect();
    Ok(Json(WindowList {
        total: windows.len(),
        windows,
    }))
}

/// Adds a window with the departments, categories and items it takes (administrators).
#[utoipa::path(post, path = "/api/v1/windows", tag = "hall", request_body = WindowRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = WindowDto), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_window(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(req): ApiJson<WindowRequest>,
) -> AppResult<(StatusCode, Json<WindowDto>)> {
    user.grant(Permission::ManageHall)?;
    let w = save_window(&state, None, &req).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

/// One window (staff).
#[utoipa::path(get, path = "/api/v1/windows/{id}", tag = "hall",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = WindowDto), (status = 404, body = ErrorBody)))]
async fn get_window(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowDto>> {
    user.grant(Permission::ReadCatalogue)?;
    let w = state
        .store
        .window(id)
        .await?
        .ok_or(AppError::NotFound("window"))?;
    window_dto(&state, &w).await.map(Json)
}

/// Changes a window and replaces its departments, categories and items in
/// one transaction; `"active": false` closes it (administrators).
#[utoipa::path(put, path = "/api/v1/windows/{id}", tag = "hall", request_body = WindowRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = WindowDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_window(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<WindowRequest>,
) -> AppResult<Json<WindowDto>> {
    user.grant(Permission::ManageHall)?;
    save_window(&state, Some(id), &req).await.map(Json)
}

/// Creates (`id` None) or changes a window; the caller has checked `ManageHall`.
pub(crate) async fn save_window(
    state: &AppState,
    id: Option<i64>,
    req: &WindowRequest,
) -> AppResult<WindowDto> {
    let new = NewWindow::parse(&req.window)?;
    let now = state.clock.now();
    let w = match id {
        None => {
            let w = state.store.create_window(&new, now).await?;
            if req.active == Some(false) {
                state.store.update_window(w.id, &new, false, now).await?
            } else {
                w
            }
        }
        Some(id) => state
            .store
            .update_window(id, &new, req.active.unwrap_or(true), now)
            .await
            .map_err(not_found("window"))?,
    };
    window_dto(state, &w).await
}

async fn window_dto(state: &AppState, w: &store::Window) -> AppResult<WindowDto> {
    let departments = department_names(state).await?;
    let center = state
        .store
        .hall(w.hall_id)
        .await?
        .map(|h| h.center_id)
        .unwrap_or_default();
    let states = state.store.window_states(center, state.clock.now()).await?;
    Ok(WindowDto::new(w, &departments, &states))
}

/// Where to go for a published item: the hall, floor, zone and windows
/// (public). Windows that name the item come first; without any, the windows
/// taking its department's business.
#[utoipa::path(get, path = "/api/v1/public/items/{id}/where", tag = "hall",
    responses((status = 200, body = WhereToGo), (status = 404, body = ErrorBody)))]
async fn where_to_go(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<WhereToGo>> {
    Ok(Json(item_places(&state, id).await?))
}

/// The item's windows with their hall, floor and zone, for the API, the
/// guide's "去哪儿办" block and the hall page.
pub(crate) async fn item_places(state: &AppState, item_id: i64) -> AppResult<WhereToGo> {
    let item = state
        .store
        .published_item(item_id)
        .await?
        .ok_or(AppError::NotFound("item"))?;
    let department_name = state
        .store
        .department(item.content.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let windows = state.store.windows_for_item(item_id).await?;
    let mut halls: HashMap<i64, store::Hall> = HashMap::new();
    let mut floors: HashMap<i64, Vec<store::Floor>> = HashMap::new();
    let mut zones: HashMap<i64, Vec<store::Zone>> = HashMap::new();
    let mut places = Vec::new();
    for w in &windows {
        if !halls.contains_key(&w.hall_id)
            && let Some(h) = state.store.hall(w.hall_id).await?
        {
            floors.insert(h.id, state.store.list_floors(h.id).await?);
            zones.insert(h.id, state.store.list_zones(h.id).await?);
            halls.insert(h.id, h);
        }
        let Some(hall) = halls.get(&w.hall_id) else {
            continue;
        };
        let zone = zones[&hall.id].iter().find(|z| Some(z.id) == w.zone_id);
        let floor = zone.and_then(|z| floors[&hall.id].iter().find(|f| f.id == z.floor_id));
        let branch_hall_name = match w.branch_hall_id {
            Some(b) => state.store.hall(b).await?.map(|h| h.name),
            None => None,
        };
        places.push(WherePlace {
            hall_id: hall.id,
            hall_name: hall.name.clone(),
            hall_kind: hall.kind.code().into(),
            address: hall.address.clone(),
            hours: hall.hours.text(),
            floor_level: floor.map(|f| f.level),
            floor_name: floor.map(|f| f.name.clone()),
            zone_name: zone.map(|z| z.name.clone()),
            window_id: w.id,
            window_number: w.number.clone(),
            window_name: w.name.clone(),
            window_kind_name: w.kind.label().into(),
            branch_hall_name,
        });
    }
    Ok(WhereToGo {
        item_id,
        summary: summary(&places),
        item_name: item.content.name,
        department_name,
        places,
        map_url: format!("/hall?item={item_id}"),
    })
}

/// "请到政务服务大厅3楼部门办事窗口区12、13号窗口办理。", one clause per
/// hall, floor and zone.
fn summary(places: &[WherePlace]) -> String {
    if places.is_empty() {
        return "本事项暂未设置专门窗口，请到大厅咨询服务台咨询。".into();
    }
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for p in places {
        let at = format!(
            "{}{}{}",
            p.hall_name,
            p.floor_name.as_deref().unwrap_or(""),
            p.zone_name.as_deref().unwrap_or("")
        );
        match groups.iter_mut().find(|(a, _)| *a == at) {
            Some((_, numbers)) => numbers.push(&p.window_number),
            None => groups.push((at, vec![&p.window_number])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(at, numbers)| format!("{at}{}号窗口", numbers.join("、")))
        .collect();
    format!("请到{}办理。", parts.join("，或"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(floor: &str, zone: &str, number: &str) -> WherePlace {
        WherePlace {
            hall_id: 1,
            hall_name: "政务服务大厅".into(),
            hall_kind: "main".into(),
            address: String::new(),
            hours: String::new(),
            floor_level: Some(3),
            floor_name: Some(floor.into()),
            zone_name: Some(zone.into()),
            window_id: 1,
            window_number: number.into(),
            window_name: String::new(),
            window_kind_name: String::new(),
            branch_hall_name: None,
        }
    }

    #[test]
    fn the_summary_groups_windows_by_floor_and_zone() {
        let s = summary(&[
            place("3楼", "部门办事窗口区", "12"),
            place("3楼", "部门办事窗口区", "13"),
            place("1楼", "便民服务窗口", "05"),
        ]);
        assert_eq!(
            s,
            "请到政务服务大厅3楼部门办事窗口区12、13号窗口，或政务服务大厅1楼便民服务窗口05号窗口办理。"
        );
        assert!(summary(&[]).contains("咨询"));
    }
}
