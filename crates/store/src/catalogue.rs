//! Centers, departments and the versioned service catalogue.
//!
//! An item (`items`) owns versions (`item_versions`). At most one version is a
//! draft and at most one is published (partial unique indexes). Editing a
//! published item writes a new draft; the published version is what the
//! public sees until the draft is published, when the old one becomes
//! superseded. A version's body is the domain's `ItemContent` as JSON; the
//! columns beside it repeat what lists, filters and reports need.

use crate::users::prefixed;
use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, Utc};
use domain::access::{Grant, Permission};
use domain::catalogue::{
    CaseKind, EntryState, ItemContent, ItemType, LimitUnit, TimeLimit, VersionStatus,
    WindowAuthorisation,
};
use domain::center::{CenterLevel, NewCenter, NewDepartment};
use domain::report::EntryCounts;
use sqlx::AssertSqlSafe;
use sqlx::types::Json;

// ---------------------------------------------------------------- centers

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Center {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: String,
    pub level: CenterLevel,
    pub region_code: String,
    pub address: String,
    pub phone: String,
    pub complaint_phone: String,
    pub hours: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CenterRow {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    short_name: String,
    level: String,
    region_code: String,
    address: String,
    phone: String,
    complaint_phone: String,
    hours: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<CenterRow> for Center {
    type Error = StoreError;
    fn try_from(r: CenterRow) -> Result<Center> {
        Ok(Center {
            level: CenterLevel::parse(&r.level)
                .ok_or_else(|| StoreError::Corrupt(format!("level {}", r.level)))?,
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            short_name: r.short_name,
            region_code: r.region_code,
            address: r.address,
            phone: r.phone,
            complaint_phone: r.complaint_phone,
            hours: r.hours,
            created_at: r.created_at,
        })
    }
}

const CENTER_COLUMNS: &str = "id, parent_id, name, short_name, level, region_code, address, phone, complaint_phone, hours, created_at";

// ------------------------------------------------------------ departments

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Department {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    pub short_name: String,
    pub credit_code: String,
    pub phone: String,
    pub window_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const DEPARTMENT_COLUMNS: &str =
    "id, center_id, name, short_name, credit_code, phone, window_count, created_at, updated_at";

// ------------------------------------------------------------------ items

/// One stored version of an item.
#[derive(Debug, Clone)]
pub struct ItemVersion {
    pub id: i64,
    pub item_id: i64,
    pub version_no: i64,
    pub status: VersionStatus,
    pub content: ItemContent,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_by: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
}

/// An item with its draft, its published version and its history.
#[derive(Debug, Clone)]
pub struct ItemRecord {
    pub id: i64,
    pub department_id: i64,
    pub created_at: DateTime<Utc>,
    pub draft: Option<ItemVersion>,
    pub published: Option<ItemVersion>,
    /// Every version, newest first, without content.
    pub history: Vec<VersionMeta>,
}

impl ItemRecord {
    /// What an editor starts from: the draft, else the published version.
    pub fn current(&self) -> &ItemVersion {
        self.draft
            .as_ref()
            .or(self.published.as_ref())
            .expect("an item always has a draft or a published version")
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionMeta {
    pub version_no: i64,
    #[sqlx(try_from = "String")]
    pub status: StatusCode,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A `VersionStatus` read from a text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCode(pub VersionStatus);

impl TryFrom<String> for StatusCode {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self> {
        VersionStatus::parse(&s)
            .map(StatusCode)
            .ok_or_else(|| StoreError::Corrupt(format!("status {s}")))
    }
}

/// One line of an item list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub version_no: i64,
    pub status: VersionStatus,
    pub name: String,
    pub basic_code: String,
    pub implementation_code: String,
    pub item_type: ItemType,
    pub case_kind: CaseKind,
    pub legal_limit: Option<TimeLimit>,
    pub promised_limit: Option<TimeLimit>,
    pub limit_flagged: bool,
    pub entry_state: EntryState,
    pub window_authorisation: WindowAuthorisation,
    pub online: bool,
    pub has_draft: bool,
    pub is_published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Which items a back-office list shows.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub department_id: Option<i64>,
    pub item_type: Option<ItemType>,
    pub online: Option<bool>,
    pub name_contains: Option<String>,
    pub flagged_only: bool,
    /// Only items with an unpublished draft.
    pub drafts_only: bool,
    pub offset: i64,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    department_id: i64,
    department_name: String,
    version_no: i64,
    status: String,
    name: String,
    basic_code: String,
    implementation_code: String,
    item_type: String,
    case_kind: String,
    legal_limit_value: Option<i64>,
    legal_limit_unit: Option<String>,
    promised_limit_value: Option<i64>,
    promised_limit_unit: Option<String>,
    limit_flagged: bool,
    entry_state: String,
    window_authorisation: String,
    online: bool,
    has_draft: bool,
    is_published: bool,
    published_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v}"))
}

fn limit_of(value: Option<i64>, unit: Option<String>) -> Result<Option<TimeLimit>> {
    match (value, unit) {
        (Some(v), Some(u)) => Ok(Some(TimeLimit {
            value: u16::try_from(v).map_err(|_| corrupt("limit", &v.to_string()))?,
            unit: LimitUnit::parse(&u).ok_or_else(|| corrupt("unit", &u))?,
        })),
        _ => Ok(None),
    }
}

impl TryFrom<SummaryRow> for ItemSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> Result<ItemSummary> {
        Ok(ItemSummary {
            status: VersionStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            item_type: ItemType::parse(&r.item_type)
                .ok_or_else(|| corrupt("item_type", &r.item_type))?,
            case_kind: CaseKind::parse(&r.case_kind)
                .ok_or_else(|| corrupt("case_kind", &r.case_kind))?,
            entry_state: EntryState::parse(&r.entry_state)
                .ok_or_else(|| corrupt("entry_state", &r.entry_state))?,
            window_authorisation: WindowAuthorisation::parse(&r.window_authorisation)
                .ok_or_else(|| corrupt("window_authorisation", &r.window_authorisation))?,
            legal_limit: limit_of(r.legal_limit_value, r.legal_limit_unit)?,
            promised_limit: limit_of(r.promised_limit_value, r.promised_limit_unit)?,
            id: r.id,
            department_id: r.department_id,
            department_name: r.department_name,
            version_no: r.version_no,
            name: r.name,
            basic_code: r.basic_code,
            implementation_code: r.implementation_code,
            limit_flagged: r.limit_flagged,
            online: r.online,
            has_draft: r.has_draft,
            is_published: r.is_published,
            published_at: r.published_at,
            updated_at: r.updated_at,
        })
    }
}

const SUMMARY_COLUMNS: &str = "i.id, i.department_id, d.short_name AS department_name, v.version_no, v.status, v.name,
    v.basic_code, v.implementation_code, v.item_type, v.case_kind, v.legal_limit_value, v.legal_limit_unit,
    v.promised_limit_value, v.promised_limit_unit, v.limit_flagged, v.entry_state, v.window_authorisation, v.online,
    EXISTS (SELECT 1 FROM item_versions x WHERE x.item_id = i.id AND x.status = 'draft') AS has_draft,
    EXISTS (SELECT 1 FROM item_versions x WHERE x.item_id = i.id AND x.status = 'published') AS is_published,
    v.published_at, v.updated_at";

/// Joins each item to the version editors work on: its draft, else its published version.
const LATEST_VERSION_JOIN: &str = "FROM items i
    JOIN departments d ON d.id = i.department_id
    JOIN item_versions v ON v.item_id = i.id AND (v.status = 'draft' OR (v.status = 'published'
        AND NOT EXISTS (SELECT 1 FROM item_versions x WHERE x.item_id = i.id AND x.status = 'draft')))";

/// Joins each item to its official version: the published one, else (never published) the draft.
const OFFICIAL_VERSION_JOIN: &str = "FROM items i
    JOIN departments d ON d.id = i.department_id
    JOIN item_versions v ON v.item_id = i.id AND (v.status = 'published' OR (v.status = 'draft'
        AND NOT EXISTS (SELECT 1 FROM item_versions x WHERE x.item_id = i.id AND x.status = 'published')))";

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    item_id: i64,
    version_no: i64,
    status: String,
    content: Json<ItemContent>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    published_by: Option<i64>,
    published_at: Option<DateTime<Utc>>,
}

impl TryFrom<VersionRow> for ItemVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<ItemVersion> {
        Ok(ItemVersion {
            status: VersionStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            id: r.id,
            item_id: r.item_id,
            version_no: r.version_no,
            content: r.content.0,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_by: r.published_by,
            published_at: r.published_at,
        })
    }
}

const VERSION_COLUMNS: &str = "id, item_id, version_no, status, content, created_by, created_at, updated_at, published_by, published_at";

/// Binds a content's denormalised columns in the order of `VERSION_VALUES`.
macro_rules! bind_content {
    ($q:expr, $c:expr) => {{
        let c: &ItemContent = $c;
        $q.bind(c.name.clone())
            .bind(c.basic_code.clone())
            .bind(c.implementation_code.clone())
            .bind(c.item_type.code())
            .bind(c.case_kind.code())
            .bind(c.legal_limit.map(|l| i64::from(l.value)))
            .bind(c.legal_limit.map(|l| l.unit.code()))
            .bind(c.promised_limit.map(|l| i64::from(l.value)))
            .bind(c.promised_limit.map(|l| l.unit.code()))
            .bind(c.limit_flagged())
            .bind(c.entry.state().code())
            .bind(c.window_authorisation.code())
            .bind(c.online)
            .bind(Json(c.clone()))
    }};
}

const INSERT_DRAFT: &str = "INSERT INTO item_versions (name, basic_code, implementation_code, item_type, case_kind,
    legal_limit_value, legal_limit_unit, promised_limit_value, promised_limit_unit, limit_flagged, entry_state,
    window_authorisation, online, content, item_id, version_no, status, created_by, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'draft', $17, $18, $18)";

const UPDATE_DRAFT: &str = "UPDATE item_versions SET name = $1, basic_code = $2, implementation_code = $3,
    item_type = $4, case_kind = $5, legal_limit_value = $6, legal_limit_unit = $7, promised_limit_value = $8,
    promised_limit_unit = $9, limit_flagged = $10, entry_state = $11, window_authorisation = $12, online = $13,
    content = $14, updated_at = $15, created_by = $16
    WHERE item_id = $17 AND status = 'draft'";

/// Counts per department for the entry report, over each item's official version.
const ENTRY_COUNTS: &str = "SELECT d.id AS department_id, d.short_name AS department, d.window_count AS windows,
    COUNT(v.id) AS applicable,
    COUNT(v.id) FILTER (WHERE v.entry_state = 'entered') AS entered,
    COUNT(v.id) FILTER (WHERE v.entry_state = 'exempt') AS exempt,
    COUNT(v.id) FILTER (WHERE v.entry_state = 'entered' AND v.window_authorisation = 'full') AS authorised,
    COUNT(v.id) FILTER (WHERE v.online = TRUE) AS online
    FROM departments d
    LEFT JOIN items i ON i.department_id = d.id
    LEFT JOIN item_versions v ON v.item_id = i.id AND (v.status = 'published' OR (v.status = 'draft'
        AND NOT EXISTS (SELECT 1 FROM item_versions x WHERE x.item_id = i.id AND x.status = 'published')))
    WHERE ($1 IS NULL OR d.id = $1)
    GROUP BY d.id, d.short_name, d.window_count
    ORDER BY d.id";

#[derive(sqlx::FromRow)]
struct EntryCountRow {
    department_id: i64,
    department: String,
    windows: i64,
    applicable: i64,
    entered: i64,
    exempt: i64,
    authorised: i64,
    online: i64,
}

fn denied(grant: &Grant, needed: Permission) -> Result<()> {
    if grant.permission() == needed {
        Ok(())
    } else {
        Err(StoreError::conflict(
            "auth.forbidden",
            None,
            "没有执行此操作的权限",
        ))
    }
}

fn not_covered(grant: &Grant, department_id: i64) -> Result<()> {
    if grant.covers(department_id) {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

impl Store {
    // ------------------------------------------------------------ centers

    pub async fn create_center(
        &self,
        grant: &Grant,
        new: &NewCenter,
        now: DateTime<Utc>,
    ) -> Result<Center> {
        denied(grant, Permission::ManageDepartments)?;
        if let Some(parent) = new.parent_id {
            let p = self.center(parent).await?.ok_or_else(|| {
                StoreError::conflict(
                    "center.parent_not_found",
                    Some("parent_id"),
                    "上级中心不存在",
                )
            })?;
            if !p.level.can_have_child(new.level) {
                return Err(StoreError::conflict(
                    "center.level_invalid",
                    Some("level"),
                    format!("{}的下级应为低一级的中心", p.level.label()),
                ));
            }
        }
        let sql = format!(
            "INSERT INTO centers (parent_id, name, short_name, level, region_code, address, phone, complaint_phone, hours, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {CENTER_COLUMNS}"
        );
        let row: CenterRow = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(new.parent_id)
            .bind(&new.name)
            .bind(&new.short_name)
            .bind(new.level.code())
            .bind(&new.region_code)
            .bind(&new.address)
            .bind(&new.phone)
            .bind(&new.complaint_phone)
            .bind(&new.hours)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(StoreError::on_unique("center.name_taken", "name", "中心名称已存在"))?);
        let center: Center = row.try_into()?;
        // Every center starts with the official holidays and make-up days.
        self.ensure_official_calendar(center.id, now).await?;
        Ok(center)
    }

    pub async fn center(&self, id: i64) -> Result<Option<Center>> {
        let sql = format!("SELECT {CENTER_COLUMNS} FROM centers WHERE id = $1");
        let row: Option<CenterRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?);
        row.map(Center::try_from).transpose()
    }

    pub async fn list_centers(&self) -> Result<Vec<Center>> {
        let sql = format!("SELECT {CENTER_COLUMNS} FROM centers ORDER BY id");
        let rows: Vec<CenterRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(pool).await?);
        rows.into_iter().map(Center::try_from).collect()
    }

    /// The center this installation serves: the one most departments sit in.
    pub async fn home_center(&self) -> Result<Option<Center>> {
        let sql = format!(
            "SELECT {cols} FROM centers c LEFT JOIN departments d ON d.center_id = c.id
             GROUP BY {cols} ORDER BY COUNT(d.id) DESC, c.id LIMIT 1",
            cols = prefixed(CENTER_COLUMNS, "c")
        );
        let row: Option<CenterRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_optional(pool).await?);
        row.map(Center::try_from).transpose()
    }

    // -------------------------------------------------------- departments

    pub async fn list_departments(&self) -> Result<Vec<Department>> {
        let sql = format!("SELECT {DEPARTMENT_COLUMNS} FROM departments ORDER BY id");
        Ok(on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(pool).await?))
    }

    /// A department by id, from the cache when it was read recently.
    pub async fn department(&self, id: i64) -> Result<Option<Department>> {
        if let Some(d) = self.departments.get(&id) {
            return Ok(Some(d));
        }
        let sql = format!("SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE id = $1");
        let row: Option<Department> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?);
        if let Some(d) = &row {
            self.departments.put(id, d.clone());
        }
        Ok(row)
    }

    /// Finds a department by its full or short name (as department returns name it).
    pub async fn department_by_name(&self, name: &str) -> Result<Option<Department>> {
        let sql = format!(
            "SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE name = $1 OR short_name = $1 ORDER BY id LIMIT 1"
        );
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(name.trim()).fetch_optional(pool).await?),
        )
    }

    pub async fn create_department(
        &self,
        grant: &Grant,
        new: &NewDepartment,
        now: DateTime<Utc>,
    ) -> Result<Department> {
        denied(grant, Permission::ManageDepartments)?;
        let center_id = match new.center_id {
            Some(id) => {
                self.center(id)
                    .await?
                    .ok_or_else(|| {
                        StoreError::conflict(
                            "center.not_found",
                            Some("center_id"),
                            "所属中心不存在",
                        )
                    })?
                    .id
            }
            None => {
                self.home_center()
                    .await?
                    .ok_or_else(|| {
                        StoreError::conflict(
                            "center.not_found",
                            Some("center_id"),
                            "请先建立政务服务中心",
                        )
                    })?
                    .id
            }
        };
        let sql = format!(
            "INSERT INTO departments (center_id, name, short_name, credit_code, phone, window_count, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {DEPARTMENT_COLUMNS}"
        );
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(center_id)
            .bind(&new.name)
            .bind(&new.short_name)
            .bind(new.credit_code.as_str())
            .bind(&new.phone)
            .bind(i64::from(new.window_count))
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(department_unique)?),
        )
    }

    pub async fn update_department(
        &self,
        grant: &Grant,
        id: i64,
        new: &NewDepartment,
        now: DateTime<Utc>,
    ) -> Result<Department> {
        denied(grant, Permission::ManageDepartments)?;
        let sql = format!(
            "UPDATE departments SET name = $2, short_name = $3, credit_code = $4, phone = $5, window_count = $6,
             updated_at = $7 WHERE id = $1 RETURNING {DEPARTMENT_COLUMNS}"
        );
        let row: Option<Department> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(&new.name)
            .bind(&new.short_name)
            .bind(new.credit_code.as_str())
            .bind(&new.phone)
            .bind(i64::from(new.window_count))
            .bind(now)
            .fetch_optional(pool)
            .await
            .map_err(department_unique)?);
        self.departments.clear();
        row.ok_or(StoreError::NotFound)
    }

    // -------------------------------------------------------- public items

    /// Published versions of these items, in the order of `ids` (a search ranking).
    pub async fn published_summaries(&self, ids: &[i64]) -> Result<Vec<ItemSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM items i JOIN departments d ON d.id = i.department_id
             JOIN item_versions v ON v.item_id = i.id AND v.status = 'published'
             WHERE i.id IN ({})",
            placeholders.join(", ")
        );
        let rows: Vec<SummaryRow> = on_db!(self, pool => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await?
        });
        let mut items: Vec<ItemSummary> = rows
            .into_iter()
            .map(ItemSummary::try_from)
            .collect::<Result<_>>()?;
        items.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
        Ok(items)
    }

    /// The published version of an item, as the public guide shows it.
    /// The published version of an item, from the cache when it was read
    /// recently (publishing here drops the cache).
    pub async fn published_item(&self, id: i64) -> Result<Option<ItemVersion>> {
        if let Some(v) = self.published.get(&id) {
            return Ok(Some(v));
        }
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM item_versions WHERE item_id = $1 AND status = 'published'"
        );
        let row: Option<VersionRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?);
        let version = row.map(ItemVersion::try_from).transpose()?;
        if let Some(v) = &version {
            self.published.put(id, v.clone());
        }
        Ok(version)
    }

    /// Every published version, to rebuild the search index.
    pub async fn all_published(&self) -> Result<Vec<ItemVersion>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM item_versions WHERE status = 'published' ORDER BY item_id"
        );
        let rows: Vec<VersionRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(pool).await?);
        rows.into_iter().map(ItemVersion::try_from).collect()
    }

    // -------------------------------------------------- back-office items

    /// Items as editors see them (draft over published), within the grant's departments.
    pub async fn list_items(
        &self,
        grant: &Grant,
        filter: &ItemFilter,
    ) -> Result<(Vec<ItemSummary>, i64)> {
        let scope = grant.scope().department();
        let name = filter
            .name_contains
            .as_deref()
            .map(|n| format!("%{}%", n.trim()));
        let where_sql =
            "WHERE ($1 IS NULL OR i.department_id = $1) AND ($2 IS NULL OR i.department_id = $2)
             AND ($3 IS NULL OR v.item_type = $3) AND ($4 IS NULL OR v.online = $4)
             AND ($5 IS NULL OR v.name LIKE $5) AND ($6 = FALSE OR v.limit_flagged = TRUE)
             AND ($7 = FALSE OR v.status = 'draft')";
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} {LATEST_VERSION_JOIN} {where_sql} ORDER BY i.id LIMIT $8 OFFSET $9"
        );
        let count_sql = format!("SELECT COUNT(*) {LATEST_VERSION_JOIN} {where_sql}");
        let limit = filter.limit.clamp(1, 1000);
        let offset = filter.offset.max(0);
        let (rows, total): (Vec<SummaryRow>, i64) = on_db!(self, pool => {
            macro_rules! binds {
                ($q:expr) => {
                    $q.bind(scope)
                        .bind(filter.department_id)
                        .bind(filter.item_type.map(|t| t.code()))
                        .bind(filter.online)
                        .bind(name.clone())
                        .bind(filter.flagged_only)
                        .bind(filter.drafts_only)
                };
            }
            let rows = binds!(sqlx::query_as(AssertSqlSafe(list_sql.as_str()))).bind(limit).bind(offset).fetch_all(pool).await?;
            let total: i64 = binds!(sqlx::query_scalar(AssertSqlSafe(count_sql.as_str()))).fetch_one(pool).await?;
            (rows, total)
        });
        Ok((
            rows.into_iter()
                .map(ItemSummary::try_from)
                .collect::<Result<_>>()?,
            total,
        ))
    }

    /// An item with its versions, if the grant covers its department.
    pub async fn item(&self, grant: &Grant, id: i64) -> Result<ItemRecord> {
        #[derive(sqlx::FromRow)]
        struct ItemRow {
            id: i64,
            department_id: i64,
            created_at: DateTime<Utc>,
        }
        let vsql = format!(
            "SELECT {VERSION_COLUMNS} FROM item_versions WHERE item_id = $1 AND status IN ('draft', 'published')"
        );
        let (item, versions, history): (Option<ItemRow>, Vec<VersionRow>, Vec<VersionMeta>) = on_db!(self, pool => {
            let item = sqlx::query_as("SELECT id, department_id, created_at FROM items WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
            let versions = sqlx::query_as(AssertSqlSafe(vsql.as_str())).bind(id).fetch_all(pool).await?;
            let history = sqlx::query_as(
                "SELECT version_no, status, name, created_at, published_at FROM item_versions
                 WHERE item_id = $1 ORDER BY version_no DESC",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            (item, versions, history)
        });
        let item = item.ok_or(StoreError::NotFound)?;
        not_covered(grant, item.department_id)?;
        let mut record = ItemRecord {
            id: item.id,
            department_id: item.department_id,
            created_at: item.created_at,
            draft: None,
            published: None,
            history,
        };
        for v in versions {
            let v = ItemVersion::try_from(v)?;
            match v.status {
                VersionStatus::Draft => record.draft = Some(v),
                VersionStatus::Published => record.published = Some(v),
                VersionStatus::Superseded => {}
            }
        }
        Ok(record)
    }

    /// Creates an item whose first version is a draft; returns the item id.
    pub async fn create_item(
        &self,
        grant: &Grant,
        content: &ItemContent,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        denied(grant, Permission::EditItems)
            .or_else(|_| denied(grant, Permission::ImportExport))?;
        self.check_department(grant, content.department_id).await?;
        let actor = actor_id(grant);
        let id = write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO items (department_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
            )
            .bind(content.department_id)
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            bind_content!(sqlx::query(INSERT_DRAFT), content)
                .bind(id)
                .bind(1i64)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            id
        });
        Ok(id)
    }

    /// Creates many draft items at once: all of them or none.
    pub async fn create_items(
        &self,
        grant: &Grant,
        contents: &[ItemContent],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        denied(grant, Permission::ImportExport)?;
        for c in contents {
            self.check_department(grant, c.department_id).await?;
        }
        let actor = actor_id(grant);
        let ids = write_tx!(self, tx => {
            let mut ids = Vec::with_capacity(contents.len());
            for content in contents {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO items (department_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                )
                .bind(content.department_id)
                .bind(actor)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                bind_content!(sqlx::query(INSERT_DRAFT), content)
                    .bind(id)
                    .bind(1i64)
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                ids.push(id);
            }
            ids
        });
        Ok(ids)
    }

    /// Saves `content` as the item's draft: updates the draft if there is one,
    /// else starts a new draft version after the published one.
    pub async fn save_draft(
        &self,
        grant: &Grant,
        id: i64,
        content: &ItemContent,
        now: DateTime<Utc>,
    ) -> Result<()> {
        denied(grant, Permission::EditItems)?;
        let actor = actor_id(grant);
        write_tx!(self, tx => {
            // Touching the item row first locks it (PostgreSQL) for the rest of the transaction.
            let department: Option<i64> =
                sqlx::query_scalar("UPDATE items SET updated_at = $2 WHERE id = $1 RETURNING department_id")
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
            let department = department.ok_or(StoreError::NotFound)?;
            not_covered(grant, department)?;
            if department != content.department_id {
                return Err(StoreError::conflict(
                    "item.department_immutable",
                    Some("department_id"),
                    "事项的实施部门不能修改，请在新部门下新建事项",
                ));
            }
            let updated = bind_content!(sqlx::query(UPDATE_DRAFT), content)
                .bind(now)
                .bind(actor)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                let next: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(version_no), 0) + 1 FROM item_versions WHERE item_id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                bind_content!(sqlx::query(INSERT_DRAFT), content)
                    .bind(id)
                    .bind(next)
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Drops the unpublished draft of an item that has a published version.
    pub async fn discard_draft(&self, grant: &Grant, id: i64, now: DateTime<Utc>) -> Result<()> {
        denied(grant, Permission::EditItems)?;
        write_tx!(self, tx => {
            let department: Option<i64> =
                sqlx::query_scalar("UPDATE items SET updated_at = $2 WHERE id = $1 RETURNING department_id")
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
            not_covered(grant, department.ok_or(StoreError::NotFound)?)?;
            let published: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM item_versions WHERE item_id = $1 AND status = 'published'")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if published == 0 {
                return Err(StoreError::conflict("item.never_published", None, "该事项从未发布，草稿不能放弃"));
            }
            let n = sqlx::query("DELETE FROM item_versions WHERE item_id = $1 AND status = 'draft'")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::conflict("item.no_draft", None, "该事项没有待发布的草稿"));
            }
        });
        Ok(())
    }

    /// Publishes the item's draft: the previous published version is superseded.
    pub async fn publish(&self, grant: &Grant, id: i64, now: DateTime<Utc>) -> Result<ItemVersion> {
        denied(grant, Permission::PublishItems)?;
        let actor = actor_id(grant);
        let dsql = format!(
            "SELECT {VERSION_COLUMNS} FROM item_versions WHERE item_id = $1 AND status = 'draft'"
        );
        let psql = format!(
            "UPDATE item_versions SET status = 'published', published_at = $2, published_by = $3
             WHERE item_id = $1 AND status = 'draft' RETURNING {VERSION_COLUMNS}"
        );
        let row: VersionRow = write_tx!(self, tx => {
            let department: Option<i64> =
                sqlx::query_scalar("UPDATE items SET updated_at = $2 WHERE id = $1 RETURNING department_id")
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
            not_covered(grant, department.ok_or(StoreError::NotFound)?)?;
            let draft: Option<VersionRow> = sqlx::query_as(AssertSqlSafe(dsql.as_str())).bind(id).fetch_optional(&mut *tx).await?;
            let draft = draft.ok_or_else(|| StoreError::conflict("item.no_draft", None, "该事项没有待发布的草稿"))?;
            draft.content.0.check_publishable().map_err(StoreError::Invalid)?;
            sqlx::query("UPDATE item_versions SET status = 'superseded' WHERE item_id = $1 AND status = 'published'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query_as(AssertSqlSafe(psql.as_str())).bind(id).bind(now).bind(actor).fetch_one(&mut *tx).await?
        });
        self.published.clear();
        row.try_into()
    }

    /// Whether the department has an item of this name (any version state).
    pub async fn item_name_exists(&self, department_id: i64, name: &str) -> Result<bool> {
        let n: i64 = on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM items i JOIN item_versions v ON v.item_id = i.id
             WHERE i.department_id = $1 AND v.name = $2 AND v.status IN ('draft', 'published')",
        )
        .bind(department_id)
        .bind(name.trim())
        .fetch_one(pool)
        .await?);
        Ok(n > 0)
    }

    /// Every item in its official version (published, else draft), with content,
    /// for the catalogue export.
    pub async fn export_items(&self, grant: &Grant) -> Result<Vec<(ItemSummary, ItemContent)>> {
        let scope = grant.scope().department();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, v.content {OFFICIAL_VERSION_JOIN} WHERE ($1 IS NULL OR i.department_id = $1)
             ORDER BY i.department_id, i.id"
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            summary: SummaryRow,
            content: Json<ItemContent>,
        }
        let rows: Vec<Row> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(scope).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| Ok((r.summary.try_into()?, r.content.0)))
            .collect()
    }

    // ------------------------------------------------------------ reports

    /// Counts for the entry report, one row per department the grant covers.
    pub async fn entry_counts(&self, grant: &Grant) -> Result<Vec<EntryCounts>> {
        denied(grant, Permission::ViewReports)?;
        let scope = grant.scope().department();
        let rows: Vec<EntryCountRow> =
            on_db!(self, pool => sqlx::query_as(ENTRY_COUNTS).bind(scope).fetch_all(pool).await?);
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(rows
            .into_iter()
            .map(|r| EntryCounts {
                department_id: r.department_id,
                department: r.department,
                applicable: n(r.applicable),
                entered: n(r.entered),
                exempt: n(r.exempt),
                windows: n(r.windows),
                authorised: n(r.authorised),
                online: n(r.online),
            })
            .collect())
    }

    /// Items whose official version's promised limit exceeds half the legal one.
    pub async fn flagged_items(&self, grant: &Grant) -> Result<Vec<ItemSummary>> {
        denied(grant, Permission::ViewReports)?;
        let scope = grant.scope().department();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} {OFFICIAL_VERSION_JOIN}
             WHERE v.limit_flagged = TRUE AND ($1 IS NULL OR i.department_id = $1) ORDER BY i.department_id, i.id"
        );
        let rows: Vec<SummaryRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(scope).fetch_all(pool).await?);
        rows.into_iter().map(ItemSummary::try_from).collect()
    }

    async fn check_department(&self, grant: &Grant, department_id: i64) -> Result<()> {
        if !grant.covers(department_id) || self.department(department_id).await?.is_none() {
            return Err(StoreError::conflict(
                "department.not_found",
                Some("department_id"),
                "实施部门不存在或不在您的权限范围内",
            ));
        }
        Ok(())
    }
}

fn department_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let what = db.message().to_string() + db.constraint().unwrap_or_default();
            if what.contains("credit_code") {
                StoreError::conflict(
                    "department.credit_code_taken",
                    Some("credit_code"),
                    "统一社会信用代码已被其他部门使用",
                )
            } else if what.contains("short_name") {
                StoreError::conflict(
                    "department.short_name_taken",
                    Some("short_name"),
                    "部门简称已存在",
                )
            } else {
                StoreError::conflict("department.name_taken", Some("name"), "部门名称已存在")
            }
        }
        _ => StoreError::Database(e),
    }
}

/// The user to record as the author; the system itself (id 0: demo loading,
/// command-line imports) is recorded as nobody.
fn actor_id(grant: &Grant) -> Option<i64> {
    Some(grant.actor().user_id).filter(|id| *id > 0)
}
