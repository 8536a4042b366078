//! Reports (JSON and Excel) and the catalogue's Excel import and export.

use crate::api::ApiQuery;
use crate::api::items::ItemListEntry;
use crate::auth::ApiUser;
use crate::catalogue::import_return;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::access::Permission;
use domain::report::EntryReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(entry_report))
        .routes(routes!(limit_report))
        .routes(routes!(import_items))
        .routes(routes!(import_template))
        .routes(routes!(export_items))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const ENTRY_REPORT_TITLE: &str = "政务服务“三集中三到位”相关单位汇总表";

/// An Excel file as a download.
pub fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    crate::auth::urlencode(filename)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default) or `xlsx`.
    format: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EntryReport)]
pub struct EntryReportDoc {
    /// One row per department: applicable_items, entered_items, exempt_items,
    /// entry_rate (percent, one decimal; entered / (applicable − exempt)),
    /// windows, authorised_items, fully_authorised, online_items, online_rate.
    #[schema(value_type = Vec<Object>)]
    rows: serde_json::Value,
    #[schema(value_type = Object)]
    total: serde_json::Value,
}

pub async fn load_entry_report(
    state: &AppState,
    user: &crate::auth::AuthUser,
) -> AppResult<EntryReport> {
    let grant = user.grant(Permission::ViewReports)?;
    Ok(EntryReport::build(&state.store.entry_counts(&grant).await?))
}

/// The entry report of seed 001 attachment 1, per department (staff; department
/// staff see their own row). `format=xlsx` downloads it as Excel.
#[utoipa::path(get, path = "/api/v1/reports/entry", tag = "reports", params(FormatQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = EntryReportDoc), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn entry_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> AppResult<Response> {
    let report = load_entry_report(&state, &user).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("xlsx") => {
            let bytes =
                sheets::write_entry_report(&report, ENTRY_REPORT_TITLE).map_err(sheet_error)?;
            Ok(xlsx(bytes, "进驻情况汇总表.xlsx"))
        }
        Some(_) => Err(AppError::bad_request(
            "request.invalid_query",
            Some("format"),
            "format应为json或xlsx",
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct LimitReport {
    items: Vec<ItemListEntry>,
    total: usize,
}

/// Items whose promised limit is more than half the legal limit (seed 001).
#[utoipa::path(get, path = "/api/v1/reports/limits", tag = "reports",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = LimitReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn limit_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<LimitReport>> {
    let grant = user.grant(Permission::ViewReports)?;
    let items: Vec<ItemListEntry> = state
        .store
        .flagged_items(&grant)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(LimitReport {
        total: items.len(),
        items,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    created: usize,
    item_ids: Vec<i64>,
}

/// Imports a department return (事项报送表, .xlsx) as draft items. Any bad row
/// refuses the whole file with 422 listing every bad row.
#[utoipa::path(post, path = "/api/v1/imports/items", tag = "catalogue",
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx return"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ImportResult), (status = 422, body = ErrorBody)))]
async fn import_items(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<ImportResult>)> {
    let grant = user.grant(Permission::ImportExport)?;
    let bytes = read_upload(multipart).await?;
    let ids = import_return(&state, &grant, &bytes, state.clock.now()).await?;
    tracing::info!(count = ids.len(), by = %user.user.username, "items imported");
    Ok((
        StatusCode::CREATED,
        Json(ImportResult {
            created: ids.len(),
            item_ids: ids,
        }),
    ))
}

/// The first file of a multipart body.
pub async fn read_upload(mut multipart: Multipart) -> AppResult<Vec<u8>> {
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        AppError::bad_request(
            "request.invalid_multipart",
            Some("file"),
            "上传内容无法读取",
        )
    })? {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|_| {
                AppError::bad_request(
                    "request.invalid_multipart",
                    Some("file"),
                    "上传内容无法读取",
                )
            })?;
            if bytes.is_empty() {
                return Err(AppError::invalid(
                    "field.required",
                    "file",
                    "请选择要导入的Excel文件",
                ));
            }
            return Ok(bytes.to_vec());
        }
    }
    Err(AppError::invalid(
        "field.required",
        "file",
        "请选择要导入的Excel文件",
    ))
}

/// The blank return form for departments to fill in.
#[utoipa::path(get, path = "/api/v1/imports/items/template", tag = "catalogue",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn import_template() -> AppResult<Response> {
    Ok(xlsx(
        sheets::item_return_template().map_err(sheet_error)?,
        "事项报送表.xlsx",
    ))
}

/// The whole catalogue as Excel (each item in its official version).
#[utoipa::path(get, path = "/api/v1/exports/items", tag = "catalogue",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody)))]
async fn export_items(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Response> {
    let grant = user.grant(Permission::ReadCatalogue)?;
    let bytes = crate::catalogue::export_catalogue(&state, &grant).await?;
    Ok(xlsx(bytes, "事项目录.xlsx"))
}

pub fn sheet_error(e: sheets::SheetError) -> AppError {
    AppError::Internal(anyhow::anyhow!("spreadsheet: {e}"))
}
