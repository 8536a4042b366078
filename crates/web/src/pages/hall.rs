//! Hall pages: the public hall guide `/hall` (大厅导览: the floor maps, the
//! windows by department, where to go for an item when `?item=` names one)
//! and the administrators' `/admin/hall`, where halls, floors, zones,
//! business categories and windows are added, windows edited and closed,
//! with the map of the hall being laid out.
//!
//! Writes go through the same parsing and store checks as the JSON API
//! (`api::halls`); a refused form comes back beside itself with the Chinese
//! messages and the refusal's status, having changed nothing.

use super::{Chrome, PageError, PageResult, refusal, render};
use crate::api::halls::{WhereToGo, WindowRequest, department_names, item_places, save_window};
use crate::auth::{AuthUser, MaybeUser, PageUser};
use crate::error::AppError;
use crate::hall_map::{Colouring, FloorMap, LegendEntry, floor_svg, legend, window_label};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Permission;
use domain::hall::{
    CategoryInput, FloorInput, HallInput, HallKind, NewCategory, NewFloor, NewHall, NewZone,
    WindowInput, WindowKind, WindowState, ZoneInput, ZonePurpose,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hall", get(guide))
        .route("/admin/hall", get(admin))
        .route("/admin/hall/halls", post(create_hall))
        .route("/admin/hall/floors", post(create_floor))
        .route("/admin/hall/floors/{id}", post(update_floor))
        .route("/admin/hall/floors/{id}/delete", post(delete_floor))
        .route("/admin/hall/zones", post(create_zone))
        .route("/admin/hall/zones/{id}", post(update_zone))
        .route("/admin/hall/zones/{id}/delete", post(delete_zone))
        .route("/admin/hall/categories", post(create_category))
        .route("/admin/hall/windows", post(create_window))
        .route(
            "/admin/hall/windows/{id}",
            get(edit_window).post(update_window),
        )
        .route("/admin/hall/{kind}/{id}/active", post(set_active))
}

/// A posted form with repeated fields (checkboxes) kept.
type Posted = Form<Vec<(String, String)>>;

fn one<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn all(f: &[(String, String)], name: &str) -> Vec<String> {
    f.iter()
        .filter(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

/// A whole number as typed; unreadable text becomes -1 so the domain names
/// the field (out of range) rather than silently taking 0.
fn number(raw: &str) -> i64 {
    let t = raw.trim();
    if t.is_empty() {
        0
    } else {
        t.parse().unwrap_or(-1)
    }
}

fn id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

// ---------------------------------------------------------------- maps

/// One floor ready for the template.
pub struct FloorView {
    pub name: String,
    pub level: i64,
    pub svg: String,
    pub windows: usize,
}

/// The maps of a hall's floors, with the legend.
struct HallMaps {
    floors: Vec<FloorView>,
    legend: Vec<LegendEntry>,
}

async fn hall_maps(
    state: &AppState,
    hall: &store::Hall,
    windows: &[store::Window],
    departments: &HashMap<i64, String>,
    colouring: Colouring,
    highlight: &HashSet<i64>,
) -> Result<HallMaps, PageError> {
    let floors = state.store.list_floors(hall.id).await?;
    let zones = state.store.list_zones(hall.id).await?;
    // The seam of live states: see `Store::window_states`.
    let states = state
        .store
        .window_states(hall.center_id, state.clock.now())
        .await?;
    let mine: Vec<store::Window> = windows
        .iter()
        .filter(|w| w.hall_id == hall.id)
        .cloned()
        .collect();
    let views = floors
        .iter()
        .map(|f| {
            let floor_zones: Vec<store::Zone> = zones
                .iter()
                .filter(|z| z.floor_id == f.id)
                .cloned()
                .collect();
            let ids: HashSet<i64> = floor_zones.iter().map(|z| z.id).collect();
            FloorView {
                name: f.name.clone(),
                level: f.level,
                windows: mine
                    .iter()
                    .filter(|w| w.zone_id.is_some_and(|z| ids.contains(&z)))
                    .count(),
                svg: floor_svg(&FloorMap {
                    floor: f,
                    zones: &floor_zones,
                    windows: &mine,
                    departments,
                    states: &states,
                    colouring,
                    highlight,
                }),
            }
        })
        .collect();
    Ok(HallMaps {
        floors: views,
        legend: legend(colouring, &mine, departments),
    })
}

/// A line of the windows-by-department list.
pub struct DepartmentWindows {
    pub department: String,
    pub windows: Vec<WindowLine>,
}

pub struct WindowLine {
    pub number: String,
    pub name: String,
    pub place: String,
    pub closed: bool,
    pub highlighted: bool,
}

fn by_department(
    windows: &[store::Window],
    departments: &HashMap<i64, String>,
    places: &HashMap<i64, String>,
    highlight: &HashSet<i64>,
) -> Vec<DepartmentWindows> {
    let mut out: Vec<DepartmentWindows> = Vec::new();
    for w in windows {
        let key = match w.department_id.and_then(|d| departments.get(&d)) {
            Some(name) => name.clone(),
            None => w.kind.label().to_string(),
        };
        let line = WindowLine {
            number: w.number.clone(),
            name: w.name.clone(),
            place: places.get(&w.id).cloned().unwrap_or_default(),
            closed: !w.active,
            highlighted: highlight.contains(&w.id),
        };
        match out.iter_mut().find(|d| d.department == key) {
            Some(d) => d.windows.push(line),
            None => out.push(DepartmentWindows {
                department: key,
                windows: vec![line],
            }),
        }
    }
    out
}

/// Window id → "3楼 部门办事窗口区".
async fn window_places(
    state: &AppState,
    halls: &[store::Hall],
) -> Result<HashMap<i64, String>, PageError> {
    let mut zone_place: HashMap<i64, String> = HashMap::new();
    for h in halls {
        let floors = state.store.list_floors(h.id).await?;
        for z in state.store.list_zones(h.id).await? {
            let floor = floors
                .iter()
                .find(|f| f.id == z.floor_id)
                .map_or(String::new(), |f| f.name.clone());
            zone_place.insert(z.id, format!("{floor} {}", z.name));
        }
    }
    let mut out = HashMap::new();
    if let Some(h) = halls.first() {
        for w in state.store.list_windows(h.center_id).await? {
            if let Some(p) = w.zone_id.and_then(|z| zone_place.get(&z)) {
                out.insert(w.id, p.clone());
            }
        }
    }
    Ok(out)
}

fn colouring_of(raw: Option<&str>) -> Colouring {
    match raw {
        Some("state") => Colouring::State,
        _ => Colouring::Department,
    }
}

// --------------------------------------------------------- public guide

#[derive(Deserialize, Default)]
#[serde(default)]
struct GuideQuery {
    item: Option<String>,
    colour: Option<String>,
}

#[derive(Template)]
#[template(path = "hall/guide.html")]
struct Guide {
    chrome: Chrome,
    hall: Option<store::Hall>,
    other_halls: Vec<store::Hall>,
    floors: Vec<FloorView>,
    legend: Vec<LegendEntry>,
    by_state: bool,
    item_query: String,
    place: Option<WhereToGo>,
    departments: Vec<DepartmentWindows>,
}

/// The hall guide: the main hall's floors, the other halls, the windows by
/// department; with `?item=` the item's windows highlighted and named.
async fn guide(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<GuideQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, user.as_ref(), "大厅导览", "hall").await;
    let center = state.store.home_center().await?;
    let halls: Vec<store::Hall> = match &center {
        Some(c) => state
            .store
            .list_halls(c.id)
            .await?
            .into_iter()
            .filter(|h| h.active)
            .collect(),
        None => Vec::new(),
    };
    let place = match q.item.as_deref().and_then(id) {
        Some(item) => match item_places(&state, item).await {
            Ok(p) => Some(p),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let highlight: HashSet<i64> = place
        .iter()
        .flat_map(|p| p.places.iter().map(|w| w.window_id))
        .collect();
    let colouring = colouring_of(q.colour.as_deref());
    let hall = halls.iter().find(|h| h.kind == HallKind::Main).cloned();
    let departments = department_names(&state).await?;
    let windows: Vec<store::Window> = match &center {
        Some(c) => state.store.list_windows(c.id).await?,
        None => Vec::new(),
    };
    let maps = match &hall {
        Some(h) => Some(hall_maps(&state, h, &windows, &departments, colouring, &highlight).await?),
        None => None,
    };
    let places = window_places(&state, &halls).await?;
    let shown: Vec<store::Window> = windows
        .into_iter()
        .filter(|w| halls.iter().any(|h| h.id == w.hall_id))
        .collect();
    let (floors, legend) = maps.map_or((Vec::new(), Vec::new()), |m| (m.floors, m.legend));
    render(&Guide {
        chrome,
        other_halls: halls
            .iter()
            .filter(|h| h.kind != HallKind::Main)
            .cloned()
            .collect(),
        hall,
        floors,
        legend,
        by_state: colouring == Colouring::State,
        item_query: place
            .as_ref()
            .map(|p| format!("item={}&", p.item_id))
            .unwrap_or_default(),
        departments: by_department(&shown, &departments, &places, &highlight),
        place,
    })
}

// ---------------------------------------------------------------- admin

#[derive(Deserialize, Default)]
#[serde(default)]
struct AdminQuery {
    hall: Option<String>,
    colour: Option<String>,
    saved: Option<String>,
    /// `floor-7` or `zone-12`: that row's form is filled in for editing.
    edit: Option<String>,
}

/// The form that was posted and refused, to show again beside itself.
#[derive(Default)]
struct Refused {
    form: &'static str,
    lines: Vec<String>,
    values: Vec<(String, String)>,
    /// The floor or zone being edited (the form posts to it again).
    target: Option<i64>,
}

/// A floor or zone whose form is filled in for editing.
#[derive(Default)]
struct Editing {
    form: &'static str,
    id: i64,
    values: Vec<(String, String)>,
}

pub struct WindowRow {
    pub w: store::Window,
    pub label: String,
    pub place: String,
    pub state: WindowState,
    pub categories: String,
}

#[derive(Template)]
#[template(path = "hall/admin.html")]
struct Admin {
    chrome: Chrome,
    can_manage: bool,
    halls: Vec<store::Hall>,
    hall: Option<store::Hall>,
    floors: Vec<store::Floor>,
    zones: Vec<(store::Zone, String)>,
    categories: Vec<store::Category>,
    departments: Vec<store::Department>,
    windows: Vec<WindowRow>,
    maps: Vec<FloorView>,
    legend: Vec<LegendEntry>,
    by_state: bool,
    message: Option<String>,
    refused: Refused,
    hall_kinds: Vec<(&'static str, &'static str)>,
    purposes: Vec<(&'static str, &'static str)>,
    window_kinds: Vec<(&'static str, &'static str)>,
    /// The window being edited, when the form is the edit form.
    editing: Option<store::Window>,
    /// The floor or zone being edited.
    edit: Editing,
}

impl Admin {
    /// The refused form's value of a field, else the edited row's, else empty.
    fn val(&self, form: &str, name: &str) -> String {
        if self.refused.form == form {
            one(&self.refused.values, name).to_string()
        } else if self.edit.form == form {
            one(&self.edit.values, name).to_string()
        } else {
            String::new()
        }
    }

    /// The floor or zone a form edits (None: it adds one).
    fn target(&self, form: &str) -> Option<i64> {
        if self.refused.form == form {
            self.refused.target
        } else if self.edit.form == form {
            Some(self.edit.id)
        } else {
            None
        }
    }

    fn errors(&self, form: &str) -> Vec<String> {
        if self.refused.form == form {
            self.refused.lines.clone()
        } else {
            Vec::new()
        }
    }

    /// The window form's value: the refused post, else the edited window.
    fn wval(&self, name: &str) -> String {
        if self.refused.form == "window" {
            return one(&self.refused.values, name).to_string();
        }
        let Some(w) = &self.editing else {
            return match name {
                "hall_id" => self
                    .hall
                    .as_ref()
                    .map(|h| h.id.to_string())
                    .unwrap_or_default(),
                "kind" => "resident".into(),
                _ => String::new(),
            };
        };
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        match name {
            "hall_id" => w.hall_id.to_string(),
            "zone_id" => opt(w.zone_id),
            "number" => w.number.clone(),
            "kind" => w.kind.code().into(),
            "name" => w.name.clone(),
            "department_id" => opt(w.department_id),
            "branch_hall_id" => opt(w.branch_hall_id),
            "item_ids" => w
                .item_ids
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(","),
            "x" => w.x.to_string(),
            "y" => w.y.to_string(),
            _ => String::new(),
        }
    }

    /// Whether a multi-valued window field holds this id.
    fn wchecked(&self, name: &str, id: &i64) -> bool {
        if self.refused.form == "window" {
            return all(&self.refused.values, name).contains(&id.to_string());
        }
        match (&self.editing, name) {
            (Some(w), "category_ids") => w.category_ids.contains(id),
            (Some(w), "department_ids") => {
                w.department_ids.contains(id) && w.department_id != Some(*id)
            }
            _ => false,
        }
    }

    fn window_active(&self) -> bool {
        if self.refused.form == "window" {
            return one(&self.refused.values, "active") == "1";
        }
        self.editing.as_ref().is_none_or(|w| w.active)
    }
}

async fn admin(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<AdminQuery>,
) -> PageResult {
    user.grant(Permission::ReadCatalogue)?;
    let edit = match q.edit.as_deref().and_then(|e| e.split_once('-')) {
        Some(("floor", raw)) => match state.store.floor(id(raw).unwrap_or(0)).await? {
            Some(f) => Editing {
                form: "floor",
                id: f.id,
                values: vec![
                    ("level".into(), f.level.to_string()),
                    ("name".into(), f.name),
                    ("width".into(), f.width.to_string()),
                    ("height".into(), f.height.to_string()),
                ],
            },
            None => return Err(AppError::NotFound("floor").into()),
        },
        Some(("zone", raw)) => match state.store.zone(id(raw).unwrap_or(0)).await? {
            Some(z) => Editing {
                form: "zone",
                id: z.id,
                values: vec![
                    ("floor_id".into(), z.floor_id.to_string()),
                    ("name".into(), z.name),
                    ("purpose".into(), z.purpose.code().into()),
                    ("x".into(), z.x.to_string()),
                    ("y".into(), z.y.to_string()),
                    ("width".into(), z.width.to_string()),
                    ("height".into(), z.height.to_string()),
                ],
            },
            None => return Err(AppError::NotFound("zone").into()),
        },
        _ => Editing::default(),
    };
    admin_page(
        &state,
        &user,
        AdminView {
            hall_id: q.hall.as_deref().and_then(id),
            by_state: colouring_of(q.colour.as_deref()) == Colouring::State,
            message: q.saved.map(|_| "已保存。".to_string()),
            edit,
            ..Default::default()
        },
    )
    .await
}

/// What the admin page shows besides the data: which hall, how coloured,
/// and which form is refused or filled in for editing.
#[derive(Default)]
struct AdminView {
    hall_id: Option<i64>,
    by_state: bool,
    message: Option<String>,
    refused: Refused,
    /// The window being edited.
    editing: Option<store::Window>,
    /// The floor or zone being edited.
    edit: Editing,
}

async fn admin_page(state: &AppState, user: &AuthUser, view: AdminView) -> PageResult {
    let AdminView {
        hall_id,
        by_state,
        message,
        refused,
        editing,
        edit,
    } = view;
    let colouring = if by_state {
        Colouring::State
    } else {
        Colouring::Department
    };
    let center = crate::api::calendar::home_center_id(state).await?;
    let halls = state.store.list_halls(center).await?;
    let hall = hall_id
        .and_then(|id| halls.iter().find(|h| h.id == id))
        .or_else(|| halls.first())
        .cloned();
    let departments = state.store.list_departments().await?;
    let names = department_names(state).await?;
    let categories = state.store.list_categories(center).await?;
    let windows = state.store.list_windows(center).await?;
    let states = state.store.window_states(center, state.clock.now()).await?;
    let places = window_places(state, &halls).await?;
    let (floors, zones, maps) = match &hall {
        Some(h) => {
            let floors = state.store.list_floors(h.id).await?;
            let zones = state
                .store
                .list_zones(h.id)
                .await?
                .into_iter()
                .map(|z| {
                    let f = floors
                        .iter()
                        .find(|f| f.id == z.floor_id)
                        .map_or(String::new(), |f| f.name.clone());
                    (z, f)
                })
                .collect();
            let maps = hall_maps(state, h, &windows, &names, colouring, &HashSet::new()).await?;
            (floors, zones, Some(maps))
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let rows = windows
        .into_iter()
        .filter(|w| hall.as_ref().is_some_and(|h| h.id == w.hall_id))
        .map(|w| WindowRow {
            label: window_label(&w, &names),
            place: places.get(&w.id).cloned().unwrap_or_default(),
            state: states
                .get(&w.id)
                .copied()
                .unwrap_or(WindowState::from_active(w.active)),
            categories: w
                .category_ids
                .iter()
                .filter_map(|c| categories.iter().find(|x| x.id == *c))
                .map(|c| format!("{} {}", c.code, c.name))
                .collect::<Vec<_>>()
                .join("、"),
            w,
        })
        .collect();
    let (maps, legend) = maps.map_or((Vec::new(), Vec::new()), |m| (m.floors, m.legend));
    let title = if editing.is_some() {
        "编辑窗口"
    } else {
        "大厅与窗口"
    };
    render(&Admin {
        chrome: Chrome::new(state, Some(user), title, "hall-admin").await,
        can_manage: user.can(Permission::ManageHall),
        halls,
        hall,
        floors,
        zones,
        categories,
        departments,
        windows: rows,
        maps,
        legend,
        by_state: colouring == Colouring::State,
        message,
        refused,
        hall_kinds: HallKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        purposes: ZonePurpose::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        window_kinds: WindowKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        editing,
        edit,
    })
}

/// After a write: back to the hall's page, or the refused form shown again
/// (`refused` names the form and holds what was posted; its lines are
/// filled in here).
async fn answer(
    state: &AppState,
    user: &AuthUser,
    hall_id: Option<i64>,
    refused: Refused,
    result: Result<(), AppError>,
    editing: Option<store::Window>,
) -> Result<Response, PageError> {
    let form = refused.form;
    match result {
        Ok(()) => {
            let to = match hall_id {
                Some(h) => format!("/admin/hall?hall={h}&saved=1#{form}"),
                None => format!("/admin/hall?saved=1#{form}"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = admin_page(
                state,
                user,
                AdminView {
                    hall_id,
                    refused: Refused { lines, ..refused },
                    editing,
                    ..Default::default()
                },
            )
            .await?;
            Ok((status, page).into_response())
        }
    }
}

/// A posted form to show again if it is refused.
fn posted(form: &'static str, values: Vec<(String, String)>, target: Option<i64>) -> Refused {
    Refused {
        form,
        values,
        target,
        lines: Vec::new(),
    }
}

/// Checks the session's CSRF token and the permission to lay out the hall.
fn manager(user: &AuthUser, f: &[(String, String)]) -> Result<(), PageError> {
    user.check_csrf(one(f, "csrf_token"))?;
    user.grant(Permission::ManageHall)?;
    Ok(())
}

async fn create_hall(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let input = HallInput {
        name: one(&f, "name").into(),
        kind: one(&f, "kind").into(),
        address: one(&f, "address").into(),
        am_open: one(&f, "am_open").into(),
        am_close: one(&f, "am_close").into(),
        pm_open: one(&f, "pm_open").into(),
        pm_close: one(&f, "pm_close").into(),
        sort_order: number(one(&f, "sort_order")),
    };
    let mut created = None;
    let result = async {
        let new = NewHall::parse(&input)?;
        let center = crate::api::calendar::home_center_id(&state).await?;
        created = Some(
            state
                .store
                .create_hall(center, &new, state.clock.now())
                .await?
                .id,
        );
        Ok::<_, AppError>(())
    }
    .await;
    answer(
        &state,
        &user,
        created,
        posted("hall", f, None),
        result,
        None,
    )
    .await
}

async fn create_floor(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Posted,
) -> Result<Response, PageError> {
    save_floor(&state, &user, f, None).await
}

async fn update_floor(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(floor_id): Path<i64>,
    Form(f): Posted,
) -> Result<Response, PageError> {
    save_floor(&state, &user, f, Some(floor_id)).await
}

/// Adds a floor to the posted hall, or changes floor `target`.
async fn save_floor(
    state: &AppState,
    user: &AuthUser,
    f: Vec<(String, String)>,
    target: Option<i64>,
) -> Result<Response, PageError> {
    manager(user, &f)?;
    let hall_id = id(one(&f, "hall_id"));
    let opt = |name: &str| {
        let raw = one(&f, name).trim();
        (!raw.is_empty()).then(|| raw.parse().unwrap_or(-1))
    };
    let input = FloorInput {
        level: number(one(&f, "level")),
        name: one(&f, "name").into(),
        width: opt("width"),
        height: opt("height"),
    };
    let result =
        async {
            let new = NewFloor::parse(&input)?;
            match target {
                None => state
                    .store
                    .create_floor(hall_id.unwrap_or(0), &new, state.clock.now())
                    .await
                    .map_err(|e| match e {
                        store::StoreError::NotFound => {
                            AppError::invalid("floor.hall_unknown", "hall_id", "所选大厅不存在")
                        }
                        e => e.into(),
                    })?,
                Some(floor_id) => state
                    .store
                    .update_floor(floor_id, &new)
                    .await
                    .map_err(|e| match e {
                        store::StoreError::NotFound => AppError::NotFound("floor"),
                        e => e.into(),
                    })?,
            };
            Ok::<_, AppError>(())
        }
        .await;
    answer(
        state,
        user,
        hall_id,
        posted("floor", f, target),
        result,
        None,
    )
    .await
}

async fn create_zone(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Posted,
) -> Result<Response, PageError> {
    save_zone(&state, &user, f, None).await
}

async fn update_zone(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(zone_id): Path<i64>,
    Form(f): Posted,
) -> Result<Response, PageError> {
    save_zone(&state, &user, f, Some(zone_id)).await
}

/// Adds a zone to the posted floor, or changes zone `target` (its floor stays).
async fn save_zone(
    state: &AppState,
    user: &AuthUser,
    f: Vec<(String, String)>,
    target: Option<i64>,
) -> Result<Response, PageError> {
    manager(user, &f)?;
    let hall_id = id(one(&f, "hall_id"));
    let opt = |name: &str| {
        let raw = one(&f, name).trim();
        (!raw.is_empty()).then(|| raw.parse().unwrap_or(-1))
    };
    let input = ZoneInput {
        name: one(&f, "name").into(),
        purpose: one(&f, "purpose").into(),
        x: number(one(&f, "x")),
        y: number(one(&f, "y")),
        width: opt("width"),
        height: opt("height"),
    };
    let result = async {
        let new = NewZone::parse(&input)?;
        if let Some(zone_id) = target {
            state
                .store
                .update_zone(zone_id, &new)
                .await
                .map_err(|e| match e {
                    store::StoreError::NotFound => AppError::NotFound("zone"),
                    e => e.into(),
                })?;
            return Ok(());
        }
        let Some(floor_id) = id(one(&f, "floor_id")) else {
            return Err(AppError::invalid(
                "zone.floor_required",
                "floor_id",
                "请选择功能区所在楼层",
            ));
        };
        state
            .store
            .create_zone(floor_id, &new, state.clock.now())
            .await
            .map_err(|e| match e {
                store::StoreError::NotFound => {
                    AppError::invalid("zone.floor_unknown", "floor_id", "所选楼层不存在")
                }
                e => e.into(),
            })?;
        Ok(())
    }
    .await;
    answer(
        state,
        user,
        hall_id,
        posted("zone", f, target),
        result,
        None,
    )
    .await
}

async fn delete_floor(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(floor_id): Path<i64>,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let hall_id = id(one(&f, "hall_id"));
    let result = state
        .store
        .delete_floor(floor_id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("floor"),
            e => e.into(),
        });
    answer(
        &state,
        &user,
        hall_id,
        posted("floor", f, None),
        result,
        None,
    )
    .await
}

async fn delete_zone(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(zone_id): Path<i64>,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let hall_id = id(one(&f, "hall_id"));
    let result = state
        .store
        .delete_zone(zone_id, state.clock.now())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("zone"),
            e => e.into(),
        });
    answer(
        &state,
        &user,
        hall_id,
        posted("zone", f, None),
        result,
        None,
    )
    .await
}

async fn create_category(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let hall_id = id(one(&f, "hall_id"));
    let input = CategoryInput {
        code: one(&f, "code").into(),
        name: one(&f, "name").into(),
        description: one(&f, "description").into(),
    };
    let result = async {
        let new = NewCategory::parse(&input)?;
        let center = crate::api::calendar::home_center_id(&state).await?;
        state
            .store
            .create_category(center, &new, state.clock.now())
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    answer(
        &state,
        &user,
        hall_id,
        posted("category", f, None),
        result,
        None,
    )
    .await
}

fn window_request(f: &[(String, String)]) -> WindowRequest {
    let ids = |name: &str| -> Vec<i64> {
        all(f, name)
            .iter()
            .flat_map(|v| {
                v.split([',', '，', ' '])
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.trim().is_empty())
            // An unreadable id is sent on as 0 so the store names the field.
            .map(|s| s.trim().parse().unwrap_or(0))
            .collect()
    };
    WindowRequest {
        window: WindowInput {
            hall_id: id(one(f, "hall_id")).unwrap_or(0),
            zone_id: id(one(f, "zone_id")),
            number: one(f, "number").into(),
            kind: one(f, "kind").into(),
            name: one(f, "name").into(),
            department_id: id(one(f, "department_id")),
            department_ids: ids("department_ids"),
            branch_hall_id: id(one(f, "branch_hall_id")),
            category_ids: ids("category_ids"),
            item_ids: ids("item_ids"),
            x: number(one(f, "x")),
            y: number(one(f, "y")),
        },
        active: Some(one(f, "active") == "1"),
    }
}

async fn create_window(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let req = window_request(&f);
    let hall_id = id(one(&f, "hall_id"));
    let result = save_window(&state, None, &req).await.map(|_| ());
    answer(
        &state,
        &user,
        hall_id,
        posted("window", f, None),
        result,
        None,
    )
    .await
}

async fn edit_window(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(window_id): Path<i64>,
) -> PageResult {
    user.grant(Permission::ManageHall)?;
    let w = state
        .store
        .window(window_id)
        .await?
        .ok_or(AppError::NotFound("window"))?;
    admin_page(
        &state,
        &user,
        AdminView {
            hall_id: Some(w.hall_id),
            editing: Some(w),
            ..Default::default()
        },
    )
    .await
}

async fn update_window(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(window_id): Path<i64>,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let old = state
        .store
        .window(window_id)
        .await?
        .ok_or(AppError::NotFound("window"))?;
    let req = window_request(&f);
    let hall_id = id(one(&f, "hall_id")).or(Some(old.hall_id));
    let result = save_window(&state, Some(window_id), &req).await.map(|_| ());
    answer(
        &state,
        &user,
        hall_id,
        posted("window", f, None),
        result,
        Some(old),
    )
    .await
}

/// Opens or closes a hall, a business category or a window.
async fn set_active(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((kind, target)): Path<(String, i64)>,
    Form(f): Posted,
) -> Result<Response, PageError> {
    manager(&user, &f)?;
    let active = one(&f, "active") == "1";
    let back = id(one(&f, "hall_id"));
    match kind.as_str() {
        "halls" => {
            let h = state
                .store
                .hall(target)
                .await?
                .ok_or(AppError::NotFound("hall"))?;
            let new = NewHall {
                name: h.name.clone(),
                kind: h.kind,
                address: h.address.clone(),
                hours: h.hours,
                sort_order: h.sort_order,
            };
            state.store.update_hall(target, &new, active).await?;
        }
        "categories" => {
            let c = state
                .store
                .category(target)
                .await?
                .ok_or(AppError::NotFound("category"))?;
            let new = NewCategory::parse(&CategoryInput {
                code: c.code,
                name: c.name,
                description: c.description,
            })?;
            state.store.update_category(target, &new, active).await?;
        }
        "windows" => {
            let w = state
                .store
                .window(target)
                .await?
                .ok_or(AppError::NotFound("window"))?;
            let new = domain::hall::NewWindow::parse(&WindowInput {
                hall_id: w.hall_id,
                zone_id: w.zone_id,
                number: w.number.clone(),
                kind: w.kind.code().into(),
                name: w.name.clone(),
                department_id: w.department_id,
                department_ids: w.department_ids.clone(),
                branch_hall_id: w.branch_hall_id,
                category_ids: w.category_ids.clone(),
                item_ids: w.item_ids.clone(),
                x: w.x,
                y: w.y,
            })?;
            state
                .store
                .update_window(target, &new, active, state.clock.now())
                .await?;
        }
        _ => return Err(AppError::NotFound("page").into()),
    }
    let to = match back {
        Some(h) => format!("/admin/hall?hall={h}&saved=1"),
        None => "/admin/hall?saved=1".into(),
    };
    Ok(Redirect::to(&to).into_response())
}
