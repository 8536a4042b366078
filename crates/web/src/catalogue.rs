//! Catalogue work that spans the store, the search index and Excel: keeping
//! the index in step with publication, filling a new item's defaults from its
//! department and center, and importing department returns.

use crate::error::{AppError, AppResult, RowError};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use domain::access::{Grant, Permission};
use domain::catalogue::{CaseKind, ItemContent, ItemInput, ItemType, LimitInput};
use search::ItemDoc;
use std::collections::{HashMap, HashSet};
use store::{Department, ItemVersion};

/// The hall hours of seed 000 when a center has none of its own.
pub const DEFAULT_HOURS: &str = "周一至周五 上午9:00-12:00，下午13:30-17:00（法定节假日除外）";

/// Rebuilds the whole search index from the published versions.
pub async fn rebuild_index(state: &AppState) -> anyhow::Result<usize> {
    let departments = department_names(state).await?;
    let docs: Vec<ItemDoc> = state
        .store
        .all_published()
        .await?
        .iter()
        .map(|v| {
            doc(
                v,
                departments
                    .get(&v.content.department_id)
                    .map(String::as_str)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let n = docs.len();
    state.search.replace_all(docs)?;
    Ok(n)
}

/// Puts a newly published version into the index.
pub async fn index_published(state: &AppState, version: &ItemVersion) -> anyhow::Result<()> {
    let departments = department_names(state).await?;
    let name = departments
        .get(&version.content.department_id)
        .map(String::as_str)
        .unwrap_or_default();
    state.search.upsert(doc(version, name))?;
    Ok(())
}

async fn department_names(state: &AppState) -> anyhow::Result<HashMap<i64, String>> {
    Ok(state
        .store
        .list_departments()
        .await?
        .into_iter()
        .map(|d| (d.id, format!("{} {}", d.short_name, d.name)))
        .collect())
}

fn doc(v: &ItemVersion, department_name: &str) -> ItemDoc {
    let c = &v.content;
    let mut body = vec![c.result.clone(), c.conditions.clone()];
    body.extend(c.materials.iter().map(|m| m.name.clone()));
    ItemDoc {
        id: v.item_id,
        name: c.name.clone(),
        department_id: c.department_id,
        department_name: department_name.to_string(),
        item_type: c.item_type.code().to_string(),
        online: c.online,
        body: body.join("\n"),
    }
}

/// Fills what a clerk need not type: place, hours and phones come from the
/// department and its center unless given.
pub async fn fill_defaults(state: &AppState, input: &mut ItemInput) -> AppResult<()> {
    let Some(department_id) = input.department_id else {
        return Ok(());
    };
    let Some(department) = state.store.department(department_id).await? else {
        return Ok(());
    };
    let center = state.store.center(department.center_id).await?;
    apply_defaults(input, &department, center.as_ref());
    Ok(())
}

pub fn apply_defaults(
    input: &mut ItemInput,
    department: &Department,
    center: Option<&store::Center>,
) {
    if input.place.trim().is_empty() {
        let center_name = center.map(|c| c.name.as_str()).unwrap_or("政务服务中心");
        input.place = format!("{center_name}{}窗口", department.short_name);
    }
    if input.hours.trim().is_empty() {
        input.hours = center
            .map(|c| c.hours.clone())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| DEFAULT_HOURS.into());
    }
    if input.consultation_phone.trim().is_empty() {
        input.consultation_phone = department.phone.clone();
    }
    if input.complaint_phone.trim().is_empty() {
        input.complaint_phone = center
            .map(|c| c.complaint_phone.clone())
            .unwrap_or_default();
    }
}

/// Imports a department return (事项报送表): every row becomes a draft item,
/// or, if any row is wrong, nothing is written and every bad row is named.
pub async fn import_return(
    state: &AppState,
    grant: &Grant,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    if grant.permission() != Permission::ImportExport {
        return Err(AppError::Forbidden);
    }
    let rows = sheets::read_item_return(bytes)
        .map_err(|e| AppError::invalid("import.unreadable", "file", e.message()))?;
    let departments = state.store.list_departments().await?;
    let centers = state.store.list_centers().await?;
    let mut errors = Vec::new();
    let mut contents = Vec::new();
    let mut seen = HashSet::new();
    for r in &rows {
        let err = |field: &str, message: String| RowError {
            row: r.row,
            field: field.into(),
            message,
        };
        let department = departments
            .iter()
            .find(|d| d.name == r.department.trim() || d.short_name == r.department.trim());
        let department = match department {
            Some(d) if grant.covers(d.id) => Some(d),
            _ => {
                errors.push(err(
                    "单位名称",
                    format!("第{}行：单位“{}”不存在", r.row, r.department),
                ));
                None
            }
        };
        let item_type = ItemType::parse(&r.item_type);
        match item_type {
            None => errors.push(err(
                "事项类型",
                format!("第{}行：事项类型“{}”无效", r.row, r.item_type),
            )),
            Some(t) if !t.is_on_application() => errors.push(err(
                "事项类型",
                format!(
                    "第{}行：“{}”不是依申请事项，不应报送进驻大厅",
                    r.row,
                    t.label()
                ),
            )),
            _ => {}
        }
        let case_kind = CaseKind::parse(&r.case_kind);
        if case_kind.is_none() {
            errors.push(err(
                "办理类别",
                format!(
                    "第{}行：办理类别“{}”无效，应为即办件或承诺件",
                    r.row, r.case_kind
                ),
            ));
        }
        let name = r.item_name.trim();
        if name.is_empty() {
            errors.push(err("事项名称", format!("第{}行：事项名称不能为空", r.row)));
        }
        let (Some(department), Some(item_type), Some(case_kind)) =
            (department, item_type, case_kind)
        else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if !seen.insert((department.id, name.to_string())) {
            errors.push(err(
                "事项名称",
                format!("第{}行：“{name}”在表中重复", r.row),
            ));
            continue;
        }
        if state.store.item_name_exists(department.id, name).await? {
            errors.push(err(
                "事项名称",
                format!("第{}行：{}已有事项“{name}”", r.row, department.short_name),
            ));
            continue;
        }
        let mut input = ItemInput {
            name: name.to_string(),
            department_id: Some(department.id),
            item_type: item_type.code().into(),
            case_kind: case_kind.code().into(),
            // A 即办件 is finished on the spot; a 承诺件's limit is filled in before publication.
            promised_limit: (case_kind == CaseKind::Immediate).then(|| LimitInput {
                value: 0,
                unit: "working_days".into(),
                note: String::new(),
            }),
            entry_status: "entered".into(),
            ..Default::default()
        };
        let center = centers.iter().find(|c| c.id == department.center_id);
        apply_defaults(&mut input, department, center);
        match ItemContent::parse(&input) {
            Ok(c) => contents.push(c),
            Err(e) => {
                for f in e.0 {
                    errors.push(err(&f.field, format!("第{}行：{}", r.row, f.message)));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidRows {
            message: format!(
                "导入失败：{}行有误，未写入任何事项",
                errors.iter().map(|e| e.row).collect::<HashSet<_>>().len()
            ),
            rows: errors,
        });
    }
    Ok(state.store.create_items(grant, &contents, now).await?)
}

/// The catalogue as an Excel workbook, each item in its official version.
pub async fn export_catalogue(state: &AppState, grant: &Grant) -> AppResult<Vec<u8>> {
    let rows: Vec<sheets::CatalogueRow> = state
        .store
        .export_items(grant)
        .await?
        .into_iter()
        .map(|(s, c)| {
            let fee = c.total_fee_fen();
            sheets::CatalogueRow {
                department: s.department_name.clone(),
                name: s.name.clone(),
                item_type: s.item_type,
                case_kind: s.case_kind,
                basic_code: s.basic_code.clone(),
                implementation_code: s.implementation_code.clone(),
                legal_limit: s.legal_limit,
                promised_limit: s.promised_limit,
                limit_flagged: s.limit_flagged,
                entry: s.entry_state.label().to_string(),
                window_authorisation: s.window_authorisation.label().to_string(),
                online: s.online,
                visits: c.visits,
                fee_yuan: if fee == 0 {
                    "免费".into()
                } else {
                    format!("{}.{:02}元", fee / 100, fee % 100)
                },
                status: match (s.is_published, s.has_draft) {
                    (true, true) => "已发布（有草稿）",
                    (true, false) => "已发布",
                    _ => "草稿",
                }
                .to_string(),
            }
        })
        .collect();
    sheets::write_catalogue(&rows).map_err(crate::api::sheet_error)
}
