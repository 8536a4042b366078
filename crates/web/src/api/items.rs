//! Service items: the public catalogue (published versions only) and the
//! editors' side (drafts, publication).

use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, MaybeUser};
use crate::catalogue::{fill_defaults, index_published};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::Permission;
use domain::catalogue::{ItemContent, ItemInput, ItemType, TimeLimit};
use serde::{Deserialize, Serialize};
use store::{ItemFilter, ItemSummary, ItemVersion, StoreError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, update_item))
        .routes(routes!(publish_item))
        .routes(routes!(discard_draft))
        .routes(routes!(item_versions))
        .routes(routes!(editor_items))
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct LimitDto {
    pub value: u16,
    /// `working_days` or `natural_days`.
    pub unit: &'static str,
}

impl From<TimeLimit> for LimitDto {
    fn from(l: TimeLimit) -> Self {
        Self {
            value: l.value,
            unit: l.unit.code(),
        }
    }
}

/// One item in a list.
#[derive(Serialize, ToSchema)]
pub struct ItemListEntry {
    pub id: i64,
    pub name: String,
    /// The implementation code (实施编码), else the basic code.
    pub code: String,
    pub basic_code: String,
    pub implementation_code: String,
    pub department_id: i64,
    pub department_name: String,
    /// GB/T 39046 code such as `"01"`.
    pub item_type: &'static str,
    pub item_type_name: &'static str,
    /// `immediate` (即办件) or `promised` (承诺件).
    pub case_kind: &'static str,
    pub legal_limit: Option<LimitDto>,
    pub promised_limit: Option<LimitDto>,
    /// The promised limit is more than half the legal one (seed 001).
    pub limit_flagged: bool,
    pub online: bool,
    /// `entered`, `not_entered` or `exempt`.
    pub entry_status: &'static str,
    /// The status of the version shown: `published` or `draft`.
    pub status: &'static str,
    pub version_no: i64,
    pub has_draft: bool,
}

impl From<ItemSummary> for ItemListEntry {
    fn from(s: ItemSummary) -> Self {
        Self {
            code: if s.implementation_code.is_empty() {
                s.basic_code.clone()
            } else {
                s.implementation_code.clone()
            },
            id: s.id,
            name: s.name,
            basic_code: s.basic_code,
            implementation_code: s.implementation_code,
            department_id: s.department_id,
            department_name: s.department_name,
            item_type: s.item_type.code(),
            item_type_name: s.item_type.label(),
            case_kind: s.case_kind.code(),
            legal_limit: s.legal_limit.map(Into::into),
            promised_limit: s.promised_limit.map(Into::into),
            limit_flagged: s.limit_flagged,
            online: s.online,
            entry_status: s.entry_state.code(),
            status: s.status.code(),
            version_no: s.version_no,
            has_draft: s.has_draft,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemListEntry>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Deserialize, IntoParams, Default, Debug)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// Words, pinyin initials (`yyzz`) or part of a name.
    pub q: Option<String>,
    pub department_id: Option<i64>,
    /// GB/T 39046 code, e.g. `01`.
    pub item_type: Option<String>,
    pub online: Option<bool>,
    /// 1-based.
    pub page: Option<usize>,
    /// At most 100; default 20.
    pub per_page: Option<usize>,
}

pub const MAX_PER_PAGE: usize = 100;

/// Runs a public search; shared with the home page.
pub async fn search_published(state: &AppState, q: &ItemQuery) -> AppResult<ItemList> {
    let item_type = match q
        .item_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => Some(ItemType::parse(t).ok_or_else(|| {
            AppError::bad_request(
                "request.invalid_query",
                Some("item_type"),
                "事项类型无效，应为GB/T 39046代码（如01）",
            )
        })?),
        None => None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(20).clamp(1, MAX_PER_PAGE);
    let hits = state.search.search(&search::SearchQuery {
        text: q.q.as_deref().unwrap_or(""),
        department_id: q.department_id,
        item_type: item_type.map(|t| t.code()),
        online: q.online,
        offset: (page - 1) * per_page,
        limit: per_page,
    })?;
    let items = state
        .store
        .published_summaries(&hits.ids)
        .await?
        .into_iter()
        .map(ItemListEntry::from)
        .collect();
    Ok(ItemList {
        items,
        total: hits.total,
        page,
        per_page,
    })
}

impl From<search::SearchError> for AppError {
    fn from(e: search::SearchError) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

/// Searches the published catalogue (public, no login).
#[utoipa::path(get, path = "/api/v1/items", tag = "catalogue", params(ItemQuery),
    responses((status = 200, body = ItemList), (status = 400, body = ErrorBody)))]
async fn list_items(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ItemQuery>,
) -> AppResult<Json<ItemList>> {
    Ok(Json(search_published(&state, &q).await?))
}

/// One version of an item with every element of its guide. The content
/// fields have exactly the shape `POST`/`PUT` accept.
#[derive(Serialize, ToSchema)]
pub struct ItemDetail {
    pub id: i64,
    /// The status of this version: `draft` or `published`.
    pub status: &'static str,
    pub version_no: i64,
    pub is_published: bool,
    pub has_draft: bool,
    pub published_at: Option<String>,
    pub updated_at: String,
    pub code: String,
    pub department_name: String,
    pub item_type_name: &'static str,
    pub case_kind_name: &'static str,
    pub limit_flagged: bool,
    pub total_fee_fen: i64,
    #[serde(flatten)]
    pub content: ItemInput,
}

pub async fn detail(
    state: &AppState,
    v: &ItemVersion,
    is_published: bool,
    has_draft: bool,
) -> AppResult<ItemDetail> {
    let c = &v.content;
    let department_name = state
        .store
        .department(c.department_id)
        .await?
        .map(|d| d.short_name)
        .unwrap_or_default();
    Ok(ItemDetail {
        id: v.item_id,
        status: v.status.code(),
        version_no: v.version_no,
        is_published,
        has_draft,
        published_at: v.published_at.map(crate::clock::rfc3339_local),
        updated_at: crate::clock::rfc3339_local(v.updated_at),
        code: if c.implementation_code.is_empty() {
            c.basic_code.clone()
        } else {
            c.implementation_code.clone()
        },
        department_name,
        item_type_name: c.item_type.label(),
        case_kind_name: c.case_kind.label(),
        limit_flagged: c.limit_flagged(),
        total_fee_fen: c.total_fee_fen(),
        content: c.to_input(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// `published` (default; what the public sees) or `draft` (editors: the
    /// draft if there is one, else the published version).
    view: Option<String>,
}

/// An item's guide. Without credentials only the published version exists;
/// staff of the item's department may ask for `view=draft`.
#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "catalogue", params(ViewQuery),
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody)))]
async fn get_item(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> AppResult<Json<ItemDetail>> {
    let want_draft = match q.view.as_deref() {
        None | Some("published") => false,
        Some("draft") => true,
        Some(_) => {
            return Err(AppError::bad_request(
                "request.invalid_query",
                Some("view"),
                "view应为published或draft",
            ));
        }
    };
    // Staff who may read this item's drafts see the record; everyone else the published guide.
    let record = match user
        .as_ref()
        .and_then(|u| u.grant(Permission::ReadCatalogue).ok())
    {
        Some(grant) => match state.store.item(&grant, id).await {
            Ok(r) => Some(r),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let d = match record {
        Some(r) => {
            let v = if want_draft {
                r.current()
            } else {
                r.published.as_ref().unwrap_or(r.current())
            };
            detail(&state, v, r.published.is_some(), r.draft.is_some()).await?
        }
        None if want_draft => return Err(AppError::NotFound("item")),
        None => {
            let v = state
                .store
                .published_item(id)
                .await?
                .ok_or(AppError::NotFound("item"))?;
            detail(&state, &v, true, false).await?
        }
    };
    Ok(Json(d))
}

/// Creates an item; its first version is a draft (administrators; chief
/// representatives for their own department). Place, hours and phones default
/// to the department's and center's.
#[utoipa::path(post, path = "/api/v1/items", tag = "catalogue", request_body = ItemInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ItemDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(mut input): ApiJson<ItemInput>,
) -> AppResult<(StatusCode, Json<ItemDetail>)> {
    let grant = user.grant(Permission::EditItems)?;
    fill_defaults(&state, &mut input).await?;
    let content = ItemContent::parse(&input)?;
    let id = state
        .store
        .create_item(&grant, &content, state.clock.now())
        .await?;
    let record = state.store.item(&grant, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, record.current(), false, true).await?),
    ))
}

/// Saves an item's draft. Editing a published item starts a new draft; the
/// public keeps seeing the published version until the draft is published.
#[utoipa::path(put, path = "/api/v1/items/{id}", tag = "catalogue", request_body = ItemInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(mut input): ApiJson<ItemInput>,
) -> AppResult<Json<ItemDetail>> {
    let grant = user.grant(Permission::EditItems)?;
    let before = state.store.item(&grant, id).await.map_err(not_found)?;
    // The department is fixed at creation; a body without one means "unchanged".
    input.department_id.get_or_insert(before.department_id);
    fill_defaults(&state, &mut input).await?;
    let content = ItemContent::parse(&input)?;
    state
        .store
        .save_draft(&grant, id, &content, state.clock.now())
        .await
        .map_err(not_found)?;
    let r = state.store.item(&grant, id).await?;
    Ok(Json(
        detail(&state, r.current(), r.published.is_some(), true).await?,
    ))
}

/// Publishes the draft (administrators). A draft missing guide elements is
/// refused with 422 naming the first missing field.
#[utoipa::path(post, path = "/api/v1/items/{id}/publish", tag = "catalogue",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn publish_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<ItemDetail>> {
    let grant = user.grant(Permission::PublishItems)?;
    let v = state
        .store
        .publish(&grant, id, state.clock.now())
        .await
        .map_err(not_found)?;
    index_published(&state, &v).await?;
    tracing::info!(item = id, version = v.version_no, by = %user.user.username, "item published");
    Ok(Json(detail(&state, &v, true, false).await?))
}

/// Throws away an unpublished draft of a published item.
#[utoipa::path(delete, path = "/api/v1/items/{id}/draft", tag = "catalogue",
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn discard_draft(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let grant = user.grant(Permission::EditItems)?;
    state
        .store
        .discard_draft(&grant, id, state.clock.now())
        .await
        .map_err(not_found)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct VersionEntry {
    version_no: i64,
    status: &'static str,
    name: String,
    created_at: String,
    published_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionList {
    versions: Vec<VersionEntry>,
}

/// Every version of an item, newest first (staff of its department).
#[utoipa::path(get, path = "/api/v1/items/{id}/versions", tag = "catalogue",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = VersionList), (status = 404, body = ErrorBody)))]
async fn item_versions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<VersionList>> {
    let grant = user.grant(Permission::ReadCatalogue)?;
    let r = state.store.item(&grant, id).await.map_err(not_found)?;
    Ok(Json(VersionList {
        versions: r
            .history
            .into_iter()
            .map(|h| VersionEntry {
                version_no: h.version_no,
                status: h.status.0.code(),
                name: h.name,
                created_at: crate::clock::rfc3339_local(h.created_at),
                published_at: h.published_at.map(crate::clock::rfc3339_local),
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct EditorQuery {
    pub department_id: Option<i64>,
    pub item_type: Option<String>,
    pub online: Option<bool>,
    /// Part of the name.
    pub name: Option<String>,
    /// Only items whose promised limit exceeds half the legal one.
    #[serde(default)]
    pub flagged: bool,
    /// Only items with an unpublished draft.
    #[serde(default)]
    pub drafts: bool,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

impl EditorQuery {
    pub fn filter(&self) -> AppResult<(ItemFilter, usize, usize)> {
        let page = self.page.unwrap_or(1).max(1);
        let per_page = self.per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE);
        let item_type = match self.item_type.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => Some(ItemType::parse(t).ok_or_else(|| {
                AppError::bad_request("request.invalid_query", Some("item_type"), "事项类型无效")
            })?),
            None => None,
        };
        Ok((
            ItemFilter {
                department_id: self.department_id,
                item_type,
                online: self.online,
                name_contains: self.name.clone().filter(|n| !n.trim().is_empty()),
                flagged_only: self.flagged,
                drafts_only: self.drafts,
                offset: ((page - 1) * per_page) as i64,
                limit: per_page as i64,
            },
            page,
            per_page,
        ))
    }
}

/// Items as editors see them, drafts included, within the caller's departments.
#[utoipa::path(get, path = "/api/v1/catalogue/items", tag = "catalogue", params(EditorQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ItemList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn editor_items(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<EditorQuery>,
) -> AppResult<Json<ItemList>> {
    let grant = user.grant(Permission::ReadCatalogue)?;
    let (filter, page, per_page) = q.filter()?;
    let (items, total) = state.store.list_items(&grant, &filter).await?;
    Ok(Json(ItemList {
        items: items.into_iter().map(Into::into).collect(),
        total: total as usize,
        page,
        per_page,
    }))
}

fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("item"),
        e => e.into(),
    }
}
