//! Reports (JSON and Excel) and the catalogue's Excel import and export:
//! the entry and limit reports of the catalogue, and the statistics of a
//! period (办件统计, 好差评统计, 投诉与诉求统计), each as JSON or, with
//! `format=xlsx`, as an Excel download.

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
use chrono::NaiveDate;
use domain::access::Permission;
use domain::report::EntryReport;
use domain::stats::{CaseFigures, CaseStats, ComplaintFigures, ComplaintStats, StatsGroup};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(entry_report))
        .routes(routes!(limit_report))
        .routes(routes!(case_report))
        .routes(routes!(rating_report))
        .routes(routes!(complaint_report))
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
    let as_excel = wants_xlsx(q.format.as_deref())?;
    let report = load_entry_report(&state, &user).await?;
    if as_excel {
        let bytes = sheets::write_entry_report(&report, ENTRY_REPORT_TITLE).map_err(sheet_error)?;
        Ok(xlsx(bytes, "进驻情况汇总表.xlsx"))
    } else {
        Ok(Json(report).into_response())
    }
}

/// Whether a report's `format` asks for Excel (`xlsx`) rather than JSON.
fn wants_xlsx(format: Option<&str>) -> AppResult<bool> {
    match format.map(str::trim) {
        None | Some("" | "json") => Ok(false),
        Some("xlsx") => Ok(true),
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

// -------------------------------------------------------------- statistics

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseReportQuery {
    /// First Beijing day (default: 1 January of `to`'s year).
    pub from: Option<NaiveDate>,
    /// Last Beijing day (default: today).
    pub to: Option<NaiveDate>,
    /// `department` (default), `item` or `month`.
    pub group: Option<String>,
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodReportQuery {
    /// First Beijing day (default: 1 January of `to`'s year).
    pub from: Option<NaiveDate>,
    /// Last Beijing day (default: today).
    pub to: Option<NaiveDate>,
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
}

/// Case figures of one unit. Rates are 0–1 and null when there is nothing
/// to divide by.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseFiguresDto {
    /// Cases accepted in the period.
    pub accepted: i64,
    /// Of those, on-the-spot cases (即办件).
    pub immediate: i64,
    pub immediate_share: Option<f64>,
    /// Of those, applications made online.
    pub online: i64,
    pub online_share: Option<f64>,
    /// Cases concluded in the period.
    pub concluded: i64,
    /// Of those, concluded on or before their due date.
    pub on_time: i64,
    pub on_time_rate: Option<f64>,
    /// Working days from acceptance to conclusion (the acceptance day not
    /// counted, paused days taken off), per concluded case.
    pub average_working_days: Option<f64>,
}

impl From<&CaseFigures> for CaseFiguresDto {
    fn from(f: &CaseFigures) -> Self {
        Self {
            accepted: f.accepted,
            immediate: f.immediate,
            immediate_share: f.immediate_share(),
            online: f.online,
            online_share: f.online_share(),
            concluded: f.concluded,
            on_time: f.on_time,
            on_time_rate: f.on_time_rate(),
            average_working_days: f.average_working_days(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseReportRow {
    /// The department's or item's id, or the month (`2026-10`).
    pub key: String,
    /// The department's or item's name, or the month (`2026年10月`).
    pub name: String,
    /// The department (of an item); empty for a month.
    pub department_name: String,
    #[serde(flatten)]
    pub figures: CaseFiguresDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `department`, `item` or `month`.
    pub group: String,
    pub group_name: String,
    pub rows: Vec<CaseReportRow>,
    pub total: CaseFiguresDto,
}

impl From<&CaseStats> for CaseReport {
    fn from(s: &CaseStats) -> Self {
        Self {
            from: s.from,
            to: s.to,
            group: s.group.code().into(),
            group_name: s.group.label().into(),
            rows: s
                .rows
                .iter()
                .map(|r| CaseReportRow {
                    key: r.key.clone(),
                    name: r.name.clone(),
                    department_name: r.department.clone(),
                    figures: (&r.figures).into(),
                })
                .collect(),
            total: (&s.total).into(),
        }
    }
}

/// The grouping a report asks for (`department` when not given).
pub(crate) fn stats_group(raw: Option<&str>) -> AppResult<StatsGroup> {
    match raw.map(str::trim).filter(|g| !g.is_empty()) {
        None => Ok(StatsGroup::Department),
        Some(g) => StatsGroup::parse(g).ok_or_else(|| {
            AppError::bad_request(
                "report.group_invalid",
                Some("group"),
                "分组方式group应为department（按部门）、item（按事项）或month（按月份）",
            )
        }),
    }
}

/// The case report of the home center over a checked period.
pub(crate) async fn load_case_report(
    state: &AppState,
    user: &crate::auth::AuthUser,
    from: NaiveDate,
    to: NaiveDate,
    group: StatsGroup,
) -> AppResult<CaseStats> {
    let grant = user.grant(Permission::ViewReports)?;
    let center = crate::api::calendar::home_center_id(state).await?;
    Ok(state
        .store
        .case_stats(&grant, center, from, to, group)
        .await?)
}

/// 办件统计: cases accepted in the period (with the on-the-spot and online
/// shares) and concluded in it (按时办结率, average working days used), per
/// department, item or month, with the total. Department staff see their own
/// department. `format=xlsx` downloads it as Excel.
#[utoipa::path(get, path = "/api/v1/reports/cases", tag = "reports", params(CaseReportQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn case_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<CaseReportQuery>,
) -> AppResult<Response> {
    user.grant(Permission::ViewReports)?;
    let as_excel = wants_xlsx(q.format.as_deref())?;
    let group = stats_group(q.group.as_deref())?;
    let (from, to) = crate::api::ratings::period(q.from, q.to, state.clock.today())?;
    let stats = load_case_report(&state, &user, from, to, group).await?;
    if as_excel {
        let title = case_report_title(&stats);
        let bytes = sheets::write_case_report(&stats, &title).map_err(sheet_error)?;
        Ok(xlsx(bytes, &file_name("办件统计表", from, to)))
    } else {
        Ok(Json(CaseReport::from(&stats)).into_response())
    }
}

pub(crate) fn case_report_title(stats: &CaseStats) -> String {
    format!(
        "办件统计表（{}，{} 至 {}）",
        stats.group.label(),
        stats.from,
        stats.to
    )
}

/// `办件统计表-20261001-20261031.xlsx`.
fn file_name(what: &str, from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "{what}-{}-{}.xlsx",
        from.format("%Y%m%d"),
        to.format("%Y%m%d")
    )
}

/// 好差评统计: the published figures (好评率, 差评整改率, 未评价率) per
/// department and per window staff member over the period, for staff.
/// `format=xlsx` downloads them as Excel.
#[utoipa::path(get, path = "/api/v1/reports/ratings", tag = "reports", params(PeriodReportQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = crate::api::ratings::PublishedFigures), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn rating_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<PeriodReportQuery>,
) -> AppResult<Response> {
    user.grant(Permission::ViewReports)?;
    let as_excel = wants_xlsx(q.format.as_deref())?;
    let (from, to) = crate::api::ratings::period(q.from, q.to, state.clock.today())?;
    let f = crate::api::ratings::figures(&state, from, to).await?;
    if !as_excel {
        return Ok(Json(f).into_response());
    }
    let line = |u: &crate::api::ratings::UnitFigures| sheets::RatingLine {
        name: u.name.clone(),
        department: u.department_name.clone(),
        counts: u.counts(),
    };
    let departments: Vec<_> = f.departments.iter().map(line).collect();
    let staff: Vec<_> = f.staff.iter().map(line).collect();
    let title = format!("好差评统计表（{from} 至 {to}）");
    let bytes = sheets::write_rating_report(&title, &departments, &f.total.counts(), &staff)
        .map_err(sheet_error)?;
    Ok(xlsx(bytes, &file_name("好差评统计表", from, to)))
}

/// Complaint figures of one category or department. Rates are 0–1 and null
/// when there is nothing to divide by.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintFiguresDto {
    /// Received in the period.
    pub received: i64,
    /// Answered by the department.
    pub answered: i64,
    pub answer_rate: Option<f64>,
    /// Answered on or before the due date.
    pub answered_on_time: i64,
    /// Answered on time over answered.
    pub on_time_rate: Option<f64>,
    /// Waiting for an answer past the due date (today).
    pub overdue_open: i64,
    /// The complainants' satisfaction at the return visit.
    pub satisfied: i64,
    pub basic: i64,
    pub dissatisfied: i64,
    /// Satisfied or basically satisfied over those who said.
    pub satisfaction_rate: Option<f64>,
}

impl From<&ComplaintFigures> for ComplaintFiguresDto {
    fn from(f: &ComplaintFigures) -> Self {
        Self {
            received: f.received,
            answered: f.answered,
            answer_rate: f.answer_rate(),
            answered_on_time: f.answered_on_time,
            on_time_rate: f.on_time_rate(),
            overdue_open: f.overdue_open,
            satisfied: f.satisfied,
            basic: f.basic,
            dissatisfied: f.dissatisfied,
            satisfaction_rate: f.satisfaction_rate(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintReportRow {
    /// The category's code, the department's id, or `none` (not yet assigned).
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: ComplaintFiguresDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_category: Vec<ComplaintReportRow>,
    pub by_department: Vec<ComplaintReportRow>,
    pub total: ComplaintFiguresDto,
}

impl From<&ComplaintStats> for ComplaintReport {
    fn from(s: &ComplaintStats) -> Self {
        let rows = |lines: &[domain::stats::ComplaintStatsRow]| {
            lines
                .iter()
                .map(|l| ComplaintReportRow {
                    key: l.key.clone(),
                    name: l.name.clone(),
                    figures: (&l.figures).into(),
                })
                .collect()
        };
        Self {
            from: s.from,
            to: s.to,
            by_category: rows(&s.by_category),
            by_department: rows(&s.by_department),
            total: (&s.total).into(),
        }
    }
}

/// The complaint report of the home center over a checked period.
pub(crate) async fn load_complaint_report(
    state: &AppState,
    user: &crate::auth::AuthUser,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<ComplaintStats> {
    let grant = user.grant(Permission::ViewReports)?;
    let center = crate::api::calendar::home_center_id(state).await?;
    Ok(state
        .store
        .complaint_stats(&grant, center, from, to, state.clock.today())
        .await?)
}

/// 投诉与诉求统计: complaints and 12345 requests received in the period, by
/// category and by the department they are assigned to: received, answered
/// (on time: by the due date), overdue and still open, and the
/// complainants' satisfaction. Department staff see their own department's.
/// `format=xlsx` downloads it as Excel.
#[utoipa::path(get, path = "/api/v1/reports/complaints", tag = "reports", params(PeriodReportQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ComplaintReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn complaint_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<PeriodReportQuery>,
) -> AppResult<Response> {
    user.grant(Permission::ViewReports)?;
    let as_excel = wants_xlsx(q.format.as_deref())?;
    let (from, to) = crate::api::ratings::period(q.from, q.to, state.clock.today())?;
    let stats = load_complaint_report(&state, &user, from, to).await?;
    if as_excel {
        let title = format!("投诉与诉求统计表（{from} 至 {to}）");
        let bytes = sheets::write_complaint_report(&stats, &title).map_err(sheet_error)?;
        Ok(xlsx(bytes, &file_name("投诉与诉求统计表", from, to)))
    } else {
        Ok(Json(ComplaintReport::from(&stats)).into_response())
    }
}
