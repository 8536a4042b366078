//! The hall: halls, floors, functional zones, business categories and
//! windows with the departments, categories and items each takes. A window
//! is written with its links in one transaction, after every id it names has
//! been checked to exist in the same center (named by field otherwise).

use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveTime, Utc};
use domain::hall::{
    HallHours, HallKind, NewCategory, NewFloor, NewHall, NewWindow, NewZone, WindowKind,
    WindowState, ZonePurpose, parse_clock,
};
use domain::validation::ValidationErrors;
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// A hall as stored.
#[derive(Debug, Clone)]
pub struct Hall {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    pub kind: HallKind,
    pub address: String,
    pub hours: HallHours,
    pub sort_order: i64,
    /// A closed hall keeps its floors and windows but is not shown.
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct HallRow {
    id: i64,
    center_id: i64,
    name: String,
    kind: String,
    address: String,
    am_open: String,
    am_close: String,
    pm_open: Option<String>,
    pm_close: Option<String>,
    sort_order: i64,
    active: bool,
}

impl TryFrom<HallRow> for Hall {
    type Error = StoreError;
    fn try_from(r: HallRow) -> Result<Hall> {
        let bad = || StoreError::Corrupt(format!("hall {} has invalid hours", r.id));
        let t = |s: &str| parse_clock(s).ok_or_else(bad);
        let am = (t(&r.am_open)?, t(&r.am_close)?);
        let pm = match (&r.pm_open, &r.pm_close) {
            (Some(a), Some(b)) => Some((t(a)?, t(b)?)),
            _ => None,
        };
        let mut e = ValidationErrors::default();
        let hours = HallHours::new(am, pm, "", &mut e).ok_or_else(bad)?;
        Ok(Hall {
            kind: HallKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("hall kind {}", r.kind)))?,
            id: r.id,
            center_id: r.center_id,
            name: r.name,
            address: r.address,
            hours,
            sort_order: r.sort_order,
            active: r.active,
        })
    }
}

/// A floor as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Floor {
    pub id: i64,
    pub hall_id: i64,
    pub level: i64,
    pub name: String,
    pub width: i64,
    pub height: i64,
}

/// A functional zone as stored.
#[derive(Debug, Clone)]
pub struct Zone {
    pub id: i64,
    pub floor_id: i64,
    pub name: String,
    pub purpose: ZonePurpose,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

#[derive(sqlx::FromRow)]
struct ZoneRow {
    id: i64,
    floor_id: i64,
    name: String,
    purpose: String,
    x: i64,
    y: i64,
    width: i64,
    height: i64,
}

impl TryFrom<ZoneRow> for Zone {
    type Error = StoreError;
    fn try_from(r: ZoneRow) -> Result<Zone> {
        Ok(Zone {
            purpose: ZonePurpose::parse(&r.purpose)
                .ok_or_else(|| StoreError::Corrupt(format!("zone purpose {}", r.purpose)))?,
            id: r.id,
            floor_id: r.floor_id,
            name: r.name,
            x: r.x,
            y: r.y,
            width: r.width,
            height: r.height,
        })
    }
}

/// A business category as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub center_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub active: bool,
}

/// A window as stored, with what it takes.
#[derive(Debug, Clone)]
pub struct Window {
    pub id: i64,
    pub hall_id: i64,
    pub zone_id: Option<i64>,
    pub number: String,
    pub kind: WindowKind,
    pub name: String,
    pub department_id: Option<i64>,
    pub branch_hall_id: Option<i64>,
    pub x: i64,
    pub y: i64,
    pub active: bool,
    /// Every department whose business it takes (the staffing one included).
    pub department_ids: Vec<i64>,
    pub category_ids: Vec<i64>,
    pub item_ids: Vec<i64>,
}

#[derive(sqlx::FromRow)]
struct WindowRow {
    id: i64,
    hall_id: i64,
    zone_id: Option<i64>,
    number: String,
    kind: String,
    name: String,
    department_id: Option<i64>,
    branch_hall_id: Option<i64>,
    x: i64,
    y: i64,
    active: bool,
}

const HALL_COLUMNS: &str =
    "id, center_id, name, kind, address, am_open, am_close, pm_open, pm_close, sort_order, active";
const WINDOW_COLUMNS: &str = "w.id, w.hall_id, w.zone_id, w.number, w.kind, w.name, w.department_id, w.branch_hall_id, w.x, w.y, w.active";

/// Writes a window's department, category and item links inside `$tx`.
macro_rules! write_links {
    ($tx:ident, $id:expr, $w:expr) => {
        for d in &$w.department_ids {
            sqlx::query(
                "INSERT INTO window_departments (window_id, department_id) VALUES ($1, $2)",
            )
            .bind($id)
            .bind(d)
            .execute(&mut *$tx)
            .await?;
        }
        for c in &$w.category_ids {
            sqlx::query("INSERT INTO window_categories (window_id, category_id) VALUES ($1, $2)")
                .bind($id)
                .bind(c)
                .execute(&mut *$tx)
                .await?;
        }
        for i in &$w.item_ids {
            sqlx::query("INSERT INTO window_items (window_id, item_id) VALUES ($1, $2)")
                .bind($id)
                .bind(i)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl Store {
    /// Adds a hall to a center; names are unique in the center and there is
    /// one main hall.
    pub async fn create_hall(
        &self,
        center_id: i64,
        h: &NewHall,
        now: DateTime<Utc>,
    ) -> Result<Hall> {
        let (am, pm) = (h.hours.morning(), h.hours.afternoon());
        let row: HallRow = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO halls (center_id, name, kind, address, am_open, am_close, pm_open, pm_close, sort_order, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {HALL_COLUMNS}")))
            .bind(center_id)
            .bind(&h.name)
            .bind(h.kind.code())
            .bind(&h.address)
            .bind(hhmm(am.0))
            .bind(hhmm(am.1))
            .bind(pm.map(|p| hhmm(p.0)))
            .bind(pm.map(|p| hhmm(p.1)))
            .bind(h.sort_order)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    if db.message().contains("name") {
                        StoreError::conflict("hall.name_taken", Some("name"), "大厅名称已存在")
                    } else {
                        StoreError::conflict("hall.main_exists", Some("kind"), "本中心已有主厅")
                    }
                }
                _ => StoreError::Database(e),
            })?);
        row.try_into()
    }

    /// A center's halls: the main hall first, then by sort order.
    pub async fn list_halls(&self, center_id: i64) -> Result<Vec<Hall>> {
        let rows: Vec<HallRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {HALL_COLUMNS} FROM halls WHERE center_id = $1
             ORDER BY CASE kind WHEN 'main' THEN 0 WHEN 'branch' THEN 1 ELSE 2 END, sort_order, id")))
            .bind(center_id)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Hall::try_from).collect()
    }

    pub async fn hall(&self, id: i64) -> Result<Option<Hall>> {
        let row: Option<HallRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {HALL_COLUMNS} FROM halls WHERE id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Hall::try_from).transpose()
    }

    /// Adds a floor to a hall (levels are unique in the hall).
    pub async fn create_floor(
        &self,
        hall_id: i64,
        f: &NewFloor,
        now: DateTime<Utc>,
    ) -> Result<Floor> {
        if self.hall(hall_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        Ok(on_db!(self, pool => sqlx::query_as(
            "INSERT INTO floors (hall_id, level, name, width, height, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, hall_id, level, name, width, height")
            .bind(hall_id)
            .bind(f.level)
            .bind(&f.name)
            .bind(f.width)
            .bind(f.height)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(StoreError::on_unique("floor.level_taken", "level", "该大厅已有这一楼层"))?))
    }

    /// A hall's floors from the lowest.
    pub async fn list_floors(&self, hall_id: i64) -> Result<Vec<Floor>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT id, hall_id, level, name, width, height FROM floors WHERE hall_id = $1 ORDER BY level")
            .bind(hall_id)
            .fetch_all(pool)
            .await?))
    }

    /// Adds a functional zone to a floor (names are unique on the floor).
    pub async fn create_zone(
        &self,
        floor_id: i64,
        z: &NewZone,
        now: DateTime<Utc>,
    ) -> Result<Zone> {
        let row: ZoneRow = on_db!(self, pool => sqlx::query_as(
            "INSERT INTO zones (floor_id, name, purpose, x, y, width, height, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM floors WHERE id = $1
             RETURNING id, floor_id, name, purpose, x, y, width, height")
            .bind(floor_id)
            .bind(&z.name)
            .bind(z.purpose.code())
            .bind(z.x)
            .bind(z.y)
            .bind(z.width)
            .bind(z.height)
            .bind(now)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::on_unique("zone.name_taken", "name", "该楼层已有同名功能区"))?)
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    /// The zones of a hall's floors, by floor and name.
    pub async fn list_zones(&self, hall_id: i64) -> Result<Vec<Zone>> {
        let rows: Vec<ZoneRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT z.id, z.floor_id, z.name, z.purpose, z.x, z.y, z.width, z.height
             FROM zones z JOIN floors f ON f.id = z.floor_id
             WHERE f.hall_id = $1 ORDER BY f.level, z.y, z.x, z.id")
            .bind(hall_id)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Zone::try_from).collect()
    }

    /// Adds a business category (its letter and name are unique in the center).
    pub async fn create_category(
        &self,
        center_id: i64,
        c: &NewCategory,
        now: DateTime<Utc>,
    ) -> Result<Category> {
        on_db!(self, pool => sqlx::query_as(
        "INSERT INTO business_categories (center_id, code, name, description, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id, center_id, code, name, description, active")
        .bind(center_id)
        .bind(c.code.to_string())
        .bind(&c.name)
        .bind(&c.description)
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                if db.message().contains("name") {
                    StoreError::conflict("category.name_taken", Some("name"), "业务类别名称已存在")
                } else {
                    StoreError::conflict("category.code_taken", Some("code"), "该字母已被其他业务类别使用")
                }
            }
            _ => StoreError::Database(e),
        }))
    }

    /// A center's business categories by letter.
    pub async fn list_categories(&self, center_id: i64) -> Result<Vec<Category>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT id, center_id, code, name, description, active FROM business_categories
             WHERE center_id = $1 ORDER BY code")
            .bind(center_id)
            .fetch_all(pool)
            .await?))
    }

    /// Adds a window with the departments, categories and items it takes,
    /// all in one transaction. Every id is checked first: the hall, the zone
    /// (on one of the hall's floors), the branch hall (a branch hall of the
    /// same center), departments, categories and items (of the same center).
    pub async fn create_window(&self, w: &NewWindow, now: DateTime<Utc>) -> Result<Window> {
        self.check_window(w).await?;
        let id: i64 = write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO windows (hall_id, zone_id, number, kind, name, department_id, branch_hall_id, x, y, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
                .bind(w.hall_id)
                .bind(w.zone_id)
                .bind(&w.number)
                .bind(w.kind.code())
                .bind(&w.name)
                .bind(w.department_id)
                .bind(w.branch_hall_id)
                .bind(w.x)
                .bind(w.y)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::on_unique("window.number_taken", "number", "该大厅已有这个窗口号"))?;
            write_links!(tx, id, w);
            id
        });
        self.window(id).await?.ok_or(StoreError::NotFound)
    }

    /// Changes a window and replaces the departments, categories and items
    /// it takes, in one transaction, after the same checks as
    /// [`Store::create_window`]; `active` false closes it (it stays on the
    /// map, greyed, and out of the "where do I go" answers).
    pub async fn update_window(
        &self,
        id: i64,
        w: &NewWindow,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<Window> {
        if self.window(id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        self.check_window(w).await?;
        write_tx!(self, tx => {
            sqlx::query(
                "UPDATE windows SET hall_id = $2, zone_id = $3, number = $4, kind = $5, name = $6,
                     department_id = $7, branch_hall_id = $8, x = $9, y = $10, active = $11, updated_at = $12
                 WHERE id = $1")
                .bind(id)
                .bind(w.hall_id)
                .bind(w.zone_id)
                .bind(&w.number)
                .bind(w.kind.code())
                .bind(&w.name)
                .bind(w.department_id)
                .bind(w.branch_hall_id)
                .bind(w.x)
                .bind(w.y)
                .bind(active)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::on_unique("window.number_taken", "number", "该大厅已有这个窗口号"))?;
            for table in ["window_departments", "window_categories", "window_items"] {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE window_id = $1")))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            write_links!(tx, id, w);
        });
        self.window(id).await?.ok_or(StoreError::NotFound)
    }

    /// Every id a window names exists in the hall's center, or the field is named.
    async fn check_window(&self, w: &NewWindow) -> Result<()> {
        let hall = self.hall(w.hall_id).await?;
        let mut e = ValidationErrors::default();
        let Some(hall) = hall else {
            e.add("window.hall_unknown", "hall_id", "所选大厅不存在");
            return Err(StoreError::Invalid(e));
        };
        if let Some(zone_id) = w.zone_id
            && !self
                .list_zones(hall.id)
                .await?
                .iter()
                .any(|z| z.id == zone_id)
        {
            e.add("window.zone_unknown", "zone_id", "所选功能区不在该大厅");
        }
        if let Some(b) = w.branch_hall_id {
            match self.hall(b).await? {
                Some(bh) if bh.center_id == hall.center_id && bh.kind == HallKind::Branch => {}
                _ => e.add(
                    "window.branch_hall_unknown",
                    "branch_hall_id",
                    "所选分厅不存在",
                ),
            }
        }
        let departments = self.list_departments().await?;
        for (i, id) in w.department_ids.iter().enumerate() {
            if !departments
                .iter()
                .any(|d| d.id == *id && d.center_id == hall.center_id)
            {
                let field = if i == 0 && w.department_id == Some(*id) {
                    "department_id".to_string()
                } else {
                    format!("department_ids[{i}]")
                };
                e.add("window.department_unknown", field, "所选部门不存在");
            }
        }
        let categories = self.list_categories(hall.center_id).await?;
        for (i, id) in w.category_ids.iter().enumerate() {
            if !categories.iter().any(|c| c.id == *id) {
                e.add(
                    "window.category_unknown",
                    format!("category_ids[{i}]"),
                    "所选业务类别不存在",
                );
            }
        }
        if !w.item_ids.is_empty() {
            let known: Vec<i64> = on_db!(self, pool => sqlx::query_scalar(
                "SELECT i.id FROM items i JOIN departments d ON d.id = i.department_id WHERE d.center_id = $1")
                .bind(hall.center_id)
                .fetch_all(pool)
                .await?);
            for (i, id) in w.item_ids.iter().enumerate() {
                if !known.contains(id) {
                    e.add(
                        "window.item_unknown",
                        format!("item_ids[{i}]"),
                        "所选事项不存在",
                    );
                }
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(e))
        }
    }

    /// One window with what it takes.
    pub async fn window(&self, id: i64) -> Result<Option<Window>> {
        let row: Option<WindowRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {WINDOW_COLUMNS} FROM windows w WHERE w.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        match row {
            None => Ok(None),
            Some(r) => Ok(self.with_links(vec![r]).await?.pop()),
        }
    }

    /// A center's windows (every hall), by hall and number.
    pub async fn list_windows(&self, center_id: i64) -> Result<Vec<Window>> {
        let rows: Vec<WindowRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {WINDOW_COLUMNS} FROM windows w JOIN halls h ON h.id = w.hall_id
             WHERE h.center_id = $1 ORDER BY h.sort_order, h.id, w.number")))
            .bind(center_id)
            .fetch_all(pool)
            .await?);
        self.with_links(rows).await
    }

    async fn with_links(&self, rows: Vec<WindowRow>) -> Result<Vec<Window>> {
        let links = |sql: &'static str| async move {
            let pairs: Vec<(i64, i64)> =
                on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
            Ok::<_, StoreError>(pairs)
        };
        let departments =
            links("SELECT window_id, department_id FROM window_departments ORDER BY window_id")
                .await?;
        let categories = links(
            "SELECT window_id, category_id FROM window_categories ORDER BY window_id, category_id",
        )
        .await?;
        let items =
            links("SELECT window_id, item_id FROM window_items ORDER BY window_id, item_id")
                .await?;
        let of = |pairs: &[(i64, i64)], id: i64| -> Vec<i64> {
            pairs
                .iter()
                .filter(|(w, _)| *w == id)
                .map(|(_, v)| *v)
                .collect()
        };
        rows.into_iter()
            .map(|r| {
                let mut department_ids = of(&departments, r.id);
                // The staffing department first.
                if let Some(d) = r.department_id
                    && let Some(pos) = department_ids.iter().position(|x| *x == d)
                {
                    department_ids.remove(pos);
                    department_ids.insert(0, d);
                }
                Ok(Window {
                    kind: WindowKind::parse(&r.kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("window kind {}", r.kind)))?,
                    department_ids,
                    category_ids: of(&categories, r.id),
                    item_ids: of(&items, r.id),
                    id: r.id,
                    hall_id: r.hall_id,
                    zone_id: r.zone_id,
                    number: r.number,
                    name: r.name,
                    department_id: r.department_id,
                    branch_hall_id: r.branch_hall_id,
                    x: r.x,
                    y: r.y,
                    active: r.active,
                })
            })
            .collect()
    }
}

/// Edits, closing and the public's "where do I go".
impl Store {
    /// Changes a hall. A branch hall whose extension windows stand in the
    /// main hall stays a branch hall; a second main hall is refused.
    pub async fn update_hall(&self, id: i64, h: &NewHall, active: bool) -> Result<Hall> {
        let old = self.hall(id).await?.ok_or(StoreError::NotFound)?;
        if old.kind == HallKind::Branch && h.kind != HallKind::Branch {
            let extensions: i64 = on_db!(self, pool => sqlx::query_scalar(
                "SELECT COUNT(*) FROM windows WHERE branch_hall_id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?);
            if extensions > 0 {
                return Err(StoreError::conflict(
                    "hall.has_extension_windows",
                    Some("kind"),
                    "该分厅在其他大厅设有延伸窗口，不能改为其他类型",
                ));
            }
        }
        let (am, pm) = (h.hours.morning(), h.hours.afternoon());
        let row: HallRow = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE halls SET name = $2, kind = $3, address = $4, am_open = $5, am_close = $6,
                 pm_open = $7, pm_close = $8, sort_order = $9, active = $10
             WHERE id = $1 RETURNING {HALL_COLUMNS}")))
            .bind(id)
            .bind(&h.name)
            .bind(h.kind.code())
            .bind(&h.address)
            .bind(hhmm(am.0))
            .bind(hhmm(am.1))
            .bind(pm.map(|p| hhmm(p.0)))
            .bind(pm.map(|p| hhmm(p.1)))
            .bind(h.sort_order)
            .bind(active)
            .fetch_one(pool)
            .await
            .map_err(hall_conflict)?);
        row.try_into()
    }

    pub async fn floor(&self, id: i64) -> Result<Option<Floor>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT id, hall_id, level, name, width, height FROM floors WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Changes a floor's level, name or map size.
    pub async fn update_floor(&self, id: i64, f: &NewFloor) -> Result<Floor> {
        on_db!(self, pool => sqlx::query_as(
            "UPDATE floors SET level = $2, name = $3, width = $4, height = $5
             WHERE id = $1 RETURNING id, hall_id, level, name, width, height")
            .bind(id)
            .bind(f.level)
            .bind(&f.name)
            .bind(f.width)
            .bind(f.height)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::on_unique("floor.level_taken", "level", "该大厅已有这一楼层"))?)
        .ok_or(StoreError::NotFound)
    }

    /// Removes an empty floor; one with zones is refused (remove its zones first).
    pub async fn delete_floor(&self, id: i64) -> Result<()> {
        self.floor(id).await?.ok_or(StoreError::NotFound)?;
        write_tx!(self, tx => {
            let zones: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM zones WHERE floor_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if zones > 0 {
                return Err(StoreError::conflict(
                    "floor.has_zones",
                    None,
                    "该楼层还有功能区，请先删除或移走功能区",
                ));
            }
            sqlx::query("DELETE FROM floors WHERE id = $1").bind(id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    pub async fn zone(&self, id: i64) -> Result<Option<Zone>> {
        let row: Option<ZoneRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, floor_id, name, purpose, x, y, width, height FROM zones WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Zone::try_from).transpose()
    }

    /// Changes a zone's name, purpose or rectangle.
    pub async fn update_zone(&self, id: i64, z: &NewZone) -> Result<Zone> {
        let row: ZoneRow = on_db!(self, pool => sqlx::query_as(
            "UPDATE zones SET name = $2, purpose = $3, x = $4, y = $5, width = $6, height = $7
             WHERE id = $1 RETURNING id, floor_id, name, purpose, x, y, width, height")
            .bind(id)
            .bind(&z.name)
            .bind(z.purpose.code())
            .bind(z.x)
            .bind(z.y)
            .bind(z.width)
            .bind(z.height)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::on_unique("zone.name_taken", "name", "该楼层已有同名功能区"))?)
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    /// Removes a zone; its windows stay in the hall without a zone (off the map).
    pub async fn delete_zone(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.zone(id).await?.ok_or(StoreError::NotFound)?;
        write_tx!(self, tx => {
            sqlx::query("UPDATE windows SET zone_id = NULL, updated_at = $2 WHERE zone_id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM zones WHERE id = $1").bind(id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    pub async fn category(&self, id: i64) -> Result<Option<Category>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT id, center_id, code, name, description, active FROM business_categories WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Changes a business category; `active` false stops new tickets for it.
    pub async fn update_category(
        &self,
        id: i64,
        c: &NewCategory,
        active: bool,
    ) -> Result<Category> {
        on_db!(self, pool => sqlx::query_as(
            "UPDATE business_categories SET code = $2, name = $3, description = $4, active = $5
             WHERE id = $1 RETURNING id, center_id, code, name, description, active")
            .bind(id)
            .bind(c.code.to_string())
            .bind(&c.name)
            .bind(&c.description)
            .bind(active)
            .fetch_optional(pool)
            .await
            .map_err(category_conflict)?)
        .ok_or(StoreError::NotFound)
    }

    /// The open windows where an item is handled: those that name it, or
    /// else those taking its department's business; by hall and number.
    pub async fn windows_for_item(&self, item_id: i64) -> Result<Vec<Window>> {
        let rows: Vec<WindowRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {WINDOW_COLUMNS} FROM windows w JOIN halls h ON h.id = w.hall_id
             WHERE w.active AND h.active AND (
                 w.id IN (SELECT window_id FROM window_items WHERE item_id = $1)
                 OR (NOT EXISTS (SELECT 1 FROM window_items wi JOIN windows x ON x.id = wi.window_id
                                 WHERE wi.item_id = $1 AND x.active)
                     AND w.id IN (SELECT wd.window_id FROM window_departments wd
                                  JOIN items i ON i.department_id = wd.department_id
                                  WHERE i.id = $1)))
             ORDER BY h.sort_order, h.id, w.number")))
            .bind(item_id)
            .fetch_all(pool)
            .await?);
        self.with_links(rows).await
    }

    /// Each window's live state for the floor map: closed when the window or
    /// its hall is closed, else from the queue at `now` — serving (a ticket
    /// called or being served at it), idle (a clerk signed on, nobody at the
    /// counter) or open (nobody signed on yet today).
    pub async fn window_states(
        &self,
        center_id: i64,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, WindowState>> {
        let rows: Vec<(i64, bool)> = on_db!(self, pool => sqlx::query_as(
            "SELECT w.id, w.active AND h.active FROM windows w JOIN halls h ON h.id = w.hall_id
             WHERE h.center_id = $1")
            .bind(center_id)
            .fetch_all(pool)
            .await?);
        let activity: HashMap<i64, (bool, bool)> = self
            .window_activity(center_id, now)
            .await?
            .into_iter()
            .map(|a| (a.window_id, (a.open, a.serving)))
            .collect();
        Ok(rows
            .into_iter()
            .map(|(id, active)| {
                let state = match (active, activity.get(&id)) {
                    (false, _) => WindowState::Closed,
                    (true, Some((_, true))) => WindowState::Serving,
                    (true, Some((true, false))) => WindowState::Idle,
                    (true, _) => WindowState::from_active(true),
                };
                (id, state)
            })
            .collect())
    }
}

fn hall_conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            if db.message().contains("name") {
                StoreError::conflict("hall.name_taken", Some("name"), "大厅名称已存在")
            } else {
                StoreError::conflict("hall.main_exists", Some("kind"), "本中心已有主厅")
            }
        }
        _ => StoreError::Database(e),
    }
}

fn category_conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            if db.message().contains("name") {
                StoreError::conflict("category.name_taken", Some("name"), "业务类别名称已存在")
            } else {
                StoreError::conflict(
                    "category.code_taken",
                    Some("code"),
                    "该字母已被其他业务类别使用",
                )
            }
        }
        _ => StoreError::Database(e),
    }
}
