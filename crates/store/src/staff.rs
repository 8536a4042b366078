//! Staff (工作人员): the roster with its windows and AB posts, the roster
//! import (all or nothing, upserting by ID number), each department's chief
//! representative and leader in charge, replacement requests (approved in the
//! same transaction that changes the roster), the authorisation matrix and
//! attendance with each person's month.
//!
//! Reads of the roster take a `Grant` (`ViewStaff`): a department's staff
//! see their own department only.

use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use domain::access::Grant;
use domain::hall::HallHours;
use domain::staff::{
    DayMark, DayRecord, EmploymentKind, MatrixStep, MonthTally, NewStaff, Post, ReplacementStatus,
    Sex, mark_day, replacement_after,
};
use domain::validation::ValidationErrors;
use sqlx::AssertSqlSafe;
use std::collections::{HashMap, HashSet};

/// A person on the roster (or who left it).
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: i64,
    pub center_id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub window_id: Option<i64>,
    pub window_number: Option<String>,
    pub hall_id: Option<i64>,
    pub post: Option<Post>,
    pub name: String,
    pub sex: Sex,
    pub ethnicity: String,
    /// In full: callers mask it for anyone but an admin.
    pub id_number: String,
    pub education: String,
    pub political_status: String,
    pub employment: EmploymentKind,
    /// In full: callers mask it for anyone but an admin.
    pub phone: String,
    pub notes: String,
    pub photo_sha256: Option<String>,
    pub joined_on: NaiveDate,
    pub term_ends_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub user_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    center_id: i64,
    department_id: i64,
    department_name: String,
    window_id: Option<i64>,
    window_number: Option<String>,
    hall_id: Option<i64>,
    post: Option<String>,
    name: String,
    sex: String,
    ethnicity: String,
    id_number: String,
    education: String,
    political_status: String,
    employment: String,
    phone: String,
    notes: String,
    photo_sha256: Option<String>,
    joined_on: NaiveDate,
    term_ends_on: Option<NaiveDate>,
    left_on: Option<NaiveDate>,
    user_id: Option<i64>,
}

impl TryFrom<StaffRow> for StaffMember {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> Result<StaffMember> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("staff {} {what}", r.id));
        Ok(StaffMember {
            post: match &r.post {
                Some(p) => Some(Post::parse(p).ok_or_else(|| corrupt("post"))?),
                None => None,
            },
            sex: Sex::parse(&r.sex).ok_or_else(|| corrupt("sex"))?,
            employment: EmploymentKind::parse(&r.employment)
                .ok_or_else(|| corrupt("employment"))?,
            id: r.id,
            center_id: r.center_id,
            department_id: r.department_id,
            department_name: r.department_name,
            window_id: r.window_id,
            window_number: r.window_number,
            hall_id: r.hall_id,
            name: r.name,
            ethnicity: r.ethnicity,
            id_number: r.id_number,
            education: r.education,
            political_status: r.political_status,
            phone: r.phone,
            notes: r.notes,
            photo_sha256: r.photo_sha256,
            joined_on: r.joined_on,
            term_ends_on: r.term_ends_on,
            left_on: r.left_on,
            user_id: r.user_id,
        })
    }
}

const STAFF_SELECT: &str = "SELECT s.id, s.center_id, s.department_id, d.name AS department_name,
    s.window_id, w.number AS window_number, w.hall_id, s.post, s.name, s.sex, s.ethnicity,
    s.id_number, s.education, s.political_status, s.employment, s.phone, s.notes, s.photo_sha256,
    s.joined_on, s.term_ends_on, s.left_on, s.user_id
    FROM staff s JOIN departments d ON d.id = s.department_id LEFT JOIN windows w ON w.id = s.window_id";

/// Which part of the roster to list.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    /// Also those who left (replaced).
    pub include_left: bool,
}

/// One row of a roster import: a person, whether the form names them the
/// department's chief (首席负责人), and the prefix their fields are named by.
#[derive(Debug, Clone)]
pub struct StaffImportRow {
    pub staff: NewStaff,
    pub chief: bool,
    pub field_prefix: String,
}

/// A department's leader in charge (分管领导).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leader {
    pub name: String,
    pub post: String,
    pub phone: String,
}

/// A department's chief representative and leader in charge.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Representatives {
    pub department_id: i64,
    pub department_name: String,
    pub chief_staff_id: Option<i64>,
    pub chief_name: Option<String>,
    pub leader_name: String,
    pub leader_post: String,
    pub leader_phone: String,
}

/// A replacement request (换岗申请) as listed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Replacement {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub leaving_staff_id: i64,
    pub leaving_name: String,
    pub leaving_joined_on: NaiveDate,
    pub incoming_staff_id: i64,
    pub incoming_name: String,
    pub reason: String,
    pub status: String,
    pub decision_note: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// One cell of the authorisation matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Authorisation {
    pub staff_id: i64,
    pub item_id: i64,
    pub step: MatrixStep,
}

/// One person's day as the attendance sheet shows it.
#[derive(Debug, Clone)]
pub struct AttendanceDay {
    pub day: NaiveDate,
    pub working: bool,
    pub record: DayRecord,
    pub mark: DayMark,
}

/// One person's month: every day from the first to the last (or today).
#[derive(Debug, Clone)]
pub struct StaffMonth {
    pub staff: StaffMember,
    pub days: Vec<AttendanceDay>,
    pub tally: MonthTally,
}

const REPLACEMENT_SELECT: &str = "SELECT r.id, r.department_id, d.name AS department_name,
    r.leaving_staff_id, l.name AS leaving_name, l.joined_on AS leaving_joined_on,
    r.incoming_staff_id, i.name AS incoming_name, r.reason, r.status, r.decision_note,
    r.created_at, r.decided_at
    FROM staff_replacements r JOIN departments d ON d.id = r.department_id
    JOIN staff l ON l.id = r.leaving_staff_id JOIN staff i ON i.id = r.incoming_staff_id";

/// The center's departments, windows and accounts a roster entry may name.
struct Placements {
    departments: Vec<i64>,
    windows: Vec<crate::Window>,
    users: Vec<i64>,
}

impl Placements {
    /// Checks the department (of the center), the window (of the center,
    /// taking the department's business) and the account a person names.
    fn check(&self, s: &NewStaff, prefix: &str, e: &mut ValidationErrors) {
        if !self.departments.contains(&s.department_id) {
            e.add(
                "staff.department_unknown",
                format!("{prefix}department_id"),
                "所选单位不存在",
            );
        }
        if let Some(w) = s.window_id
            && !self.windows.iter().any(|win| {
                win.id == w
                    && (win.department_ids.contains(&s.department_id)
                        || win.department_id.is_none())
            })
        {
            e.add(
                "staff.window_unknown",
                format!("{prefix}window_id"),
                "所选窗口不存在或不属于该单位",
            );
        }
        if let Some(u) = s.user_id
            && !self.users.contains(&u)
        {
            e.add(
                "staff.user_unknown",
                format!("{prefix}user_id"),
                "所选账号不存在",
            );
        }
    }
}

/// staff id, day, signed in, signed out.
type AttendanceRow = (i64, NaiveDate, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

fn invalid(code: &'static str, field: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::default();
    e.add(code, field, message);
    StoreError::Invalid(e)
}

impl Store {
    /// The roster of a center, by department, window, post and name; a
    /// department grant sees its department only.
    pub async fn list_staff(
        &self,
        grant: &Grant,
        center_id: i64,
        f: &StaffFilter,
    ) -> Result<Vec<StaffMember>> {
        let department = grant.scope().department().or(f.department_id);
        if let (Some(a), Some(b)) = (grant.scope().department(), f.department_id)
            && a != b
        {
            return Ok(Vec::new());
        }
        let rows: Vec<StaffRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{STAFF_SELECT} WHERE s.center_id = $1 AND ($2 IS NULL OR s.department_id = $2)
             AND ($3 IS NULL OR s.window_id = $3) AND ($4 OR s.left_on IS NULL)
             ORDER BY d.name, w.number, s.post, s.name, s.id")))
            .bind(center_id)
            .bind(department)
            .bind(f.window_id)
            .bind(f.include_left)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(StaffMember::try_from).collect()
    }

    /// One person, if the grant covers their department.
    pub async fn staff_member(&self, grant: &Grant, id: i64) -> Result<StaffMember> {
        let s = self.staff_by_id(id).await?.ok_or(StoreError::NotFound)?;
        if grant.covers(s.department_id) {
            Ok(s)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// One person, unscoped (photos of the public board, the desk's own record).
    pub async fn staff_by_id(&self, id: i64) -> Result<Option<StaffMember>> {
        let row: Option<StaffRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{STAFF_SELECT} WHERE s.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(StaffMember::try_from).transpose()
    }

    /// The roster record of the person signed in as `user_id`.
    pub async fn staff_of_user(&self, user_id: i64) -> Result<Option<StaffMember>> {
        let row: Option<StaffRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{STAFF_SELECT} WHERE s.user_id = $1 AND s.left_on IS NULL")))
            .bind(user_id)
            .fetch_optional(pool)
            .await?);
        row.map(StaffMember::try_from).transpose()
    }

    /// What a placement is checked against, read once per write.
    async fn placements(&self, center_id: i64) -> Result<Placements> {
        Ok(Placements {
            departments: self
                .list_departments()
                .await?
                .into_iter()
                .filter(|d| d.center_id == center_id)
                .map(|d| d.id)
                .collect(),
            // list_windows reads the center's windows only.
            windows: self.list_windows(center_id).await?,
            users: self.list_users().await?.into_iter().map(|u| u.id).collect(),
        })
    }

    /// Adds a person to the roster.
    pub async fn create_staff(
        &self,
        center_id: i64,
        s: &NewStaff,
        now: DateTime<Utc>,
    ) -> Result<StaffMember> {
        let mut e = ValidationErrors::default();
        self.placements(center_id).await?.check(s, "", &mut e);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let id: i64 = write_tx!(self, tx => {
            sqlx::query_scalar(
                "INSERT INTO staff (center_id, department_id, window_id, post, name, sex, ethnicity, id_number,
                    education, political_status, employment, phone, notes, joined_on, term_ends_on, user_id,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
                 RETURNING id")
                .bind(center_id)
                .bind(s.department_id)
                .bind(s.window_id)
                .bind(s.post.map(Post::code))
                .bind(&s.name)
                .bind(s.sex.code())
                .bind(&s.ethnicity)
                .bind(s.id_number.as_str())
                .bind(&s.education)
                .bind(&s.political_status)
                .bind(s.employment.code())
                .bind(&s.phone)
                .bind(&s.notes)
                .bind(s.joined_on)
                .bind(s.term_ends_on)
                .bind(s.user_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(unique_staff)?
        });
        self.staff_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// Rewrites a person's record (the photo stays).
    pub async fn update_staff(
        &self,
        grant: &Grant,
        id: i64,
        s: &NewStaff,
        now: DateTime<Utc>,
    ) -> Result<StaffMember> {
        let old = self.staff_member(grant, id).await?;
        let mut e = ValidationErrors::default();
        self.placements(old.center_id).await?.check(s, "", &mut e);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        write_tx!(self, tx => {
            sqlx::query(
                "UPDATE staff SET department_id = $2, window_id = $3, post = $4, name = $5, sex = $6,
                    ethnicity = $7, id_number = $8, education = $9, political_status = $10, employment = $11,
                    phone = $12, notes = $13, joined_on = $14, term_ends_on = $15, user_id = $16, updated_at = $17
                 WHERE id = $1")
                .bind(id)
                .bind(s.department_id)
                .bind(s.window_id)
                .bind(s.post.map(Post::code))
                .bind(&s.name)
                .bind(s.sex.code())
                .bind(&s.ethnicity)
                .bind(s.id_number.as_str())
                .bind(&s.education)
                .bind(&s.political_status)
                .bind(s.employment.code())
                .bind(&s.phone)
                .bind(&s.notes)
                .bind(s.joined_on)
                .bind(s.term_ends_on)
                .bind(s.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(unique_staff)?;
        });
        self.staff_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// Records the photo (already stored under the data directory).
    pub async fn set_staff_photo(
        &self,
        grant: &Grant,
        id: i64,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.staff_member(grant, id).await?;
        on_db!(self, pool => { sqlx::query("UPDATE staff SET photo_sha256 = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(sha256)
            .bind(now)
            .execute(pool)
            .await?; });
        Ok(())
    }

    /// Whether a stored photo belongs to someone on the roster (the public
    /// board serves only those).
    pub async fn is_staff_photo(&self, sha256: &str) -> Result<bool> {
        let n: i64 = on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff WHERE photo_sha256 = $1 AND left_on IS NULL")
            .bind(sha256)
            .fetch_one(pool)
            .await?);
        Ok(n > 0)
    }

    /// Imports a roster form: every row checked against the center and
    /// against each other first (departments, windows, one person per post,
    /// one row per ID number), then written in one transaction: a person
    /// already on the roster (same ID number) is updated, others are added;
    /// rows marked 首席负责人 become their department's chief representative
    /// and `leaders` its leader in charge. Returns the ids written.
    pub async fn import_staff(
        &self,
        center_id: i64,
        rows: &[StaffImportRow],
        leaders: &[(i64, Leader)],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut e = ValidationErrors::default();
        let placements = self.placements(center_id).await?;
        for r in rows {
            placements.check(&r.staff, &r.field_prefix, &mut e);
        }
        let existing: Vec<(i64, String, Option<i64>, Option<String>)> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, id_number, window_id, post FROM staff WHERE center_id = $1 AND left_on IS NULL")
            .bind(center_id)
            .fetch_all(pool)
            .await?);
        let by_number: HashMap<&str, i64> = existing
            .iter()
            .map(|(id, n, _, _)| (n.as_str(), *id))
            .collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut posts: HashMap<(i64, &str), String> = HashMap::new();
        let in_file: HashSet<&str> = rows.iter().map(|r| r.staff.id_number.as_str()).collect();
        for (_, number, window, post) in &existing {
            if let (Some(w), Some(p)) = (window, post)
                && !in_file.contains(number.as_str())
            {
                posts.insert((*w, p.as_str()), "名册中已有的人员".into());
            }
        }
        for (i, r) in rows.iter().enumerate() {
            let number = r.staff.id_number.as_str();
            if let Some(first) = seen.insert(number, i) {
                e.add(
                    "staff.id_number_repeated",
                    format!("{}id_number", r.field_prefix),
                    format!("身份证号与第{}条重复", first + 1),
                );
            }
            if let (Some(w), Some(p)) = (r.staff.window_id, r.staff.post) {
                let holder = format!("“{}”", r.staff.name);
                if let Some(other) = posts.insert((w, p.code()), holder) {
                    e.add(
                        "staff.post_taken",
                        format!("{}post", r.field_prefix),
                        format!("该窗口的{}已由{other}担任", p.label()),
                    );
                }
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let ids: Vec<i64> = write_tx!(self, tx => {
            // Free the posts of everyone the file names, so two people can swap.
            for r in rows {
                if let Some(id) = by_number.get(r.staff.id_number.as_str()) {
                    sqlx::query("UPDATE staff SET post = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let mut ids = Vec::with_capacity(rows.len());
            for r in rows {
                let s = &r.staff;
                let id: i64 = match by_number.get(s.id_number.as_str()) {
                    Some(id) => {
                        sqlx::query(
                            "UPDATE staff SET department_id = $2, window_id = $3, post = $4, name = $5, sex = $6,
                                ethnicity = $7, education = $8, political_status = $9, employment = $10, phone = $11,
                                notes = $12, joined_on = $13, term_ends_on = $14, updated_at = $15
                             WHERE id = $1")
                            .bind(id)
                            .bind(s.department_id)
                            .bind(s.window_id)
                            .bind(s.post.map(Post::code))
                            .bind(&s.name)
                            .bind(s.sex.code())
                            .bind(&s.ethnicity)
                            .bind(&s.education)
                            .bind(&s.political_status)
                            .bind(s.employment.code())
                            .bind(&s.phone)
                            .bind(&s.notes)
                            .bind(s.joined_on)
                            .bind(s.term_ends_on)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        *id
                    }
                    None => sqlx::query_scalar(
                        "INSERT INTO staff (center_id, department_id, window_id, post, name, sex, ethnicity, id_number,
                            education, political_status, employment, phone, notes, joined_on, term_ends_on,
                            created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
                         RETURNING id")
                        .bind(center_id)
                        .bind(s.department_id)
                        .bind(s.window_id)
                        .bind(s.post.map(Post::code))
                        .bind(&s.name)
                        .bind(s.sex.code())
                        .bind(&s.ethnicity)
                        .bind(s.id_number.as_str())
                        .bind(&s.education)
                        .bind(&s.political_status)
                        .bind(s.employment.code())
                        .bind(&s.phone)
                        .bind(&s.notes)
                        .bind(s.joined_on)
                        .bind(s.term_ends_on)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(unique_staff)?,
                };
                if r.chief {
                    sqlx::query(
                        "INSERT INTO department_representatives (department_id, chief_staff_id, created_at, updated_at)
                         VALUES ($1, $2, $3, $3)
                         ON CONFLICT (department_id) DO UPDATE SET chief_staff_id = excluded.chief_staff_id,
                            updated_at = excluded.updated_at")
                        .bind(s.department_id)
                        .bind(id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                ids.push(id);
            }
            for (department_id, l) in leaders {
                sqlx::query(
                    "INSERT INTO department_representatives (department_id, leader_name, leader_post, leader_phone, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5)
                     ON CONFLICT (department_id) DO UPDATE SET leader_name = excluded.leader_name,
                        leader_post = excluded.leader_post, leader_phone = excluded.leader_phone,
                        updated_at = excluded.updated_at")
                    .bind(department_id)
                    .bind(&l.name)
                    .bind(&l.post)
                    .bind(&l.phone)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            ids
        });
        Ok(ids)
    }

    // ------------------------------------------------------ representatives

    /// Every department of the center with its chief representative and
    /// leader in charge (empty when not named yet).
    pub async fn list_representatives(&self, center_id: i64) -> Result<Vec<Representatives>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT d.id AS department_id, d.name AS department_name, r.chief_staff_id, s.name AS chief_name,
                COALESCE(r.leader_name, '') AS leader_name, COALESCE(r.leader_post, '') AS leader_post,
                COALESCE(r.leader_phone, '') AS leader_phone
             FROM departments d LEFT JOIN department_representatives r ON r.department_id = d.id
             LEFT JOIN staff s ON s.id = r.chief_staff_id
             WHERE d.center_id = $1 ORDER BY d.name")
            .bind(center_id)
            .fetch_all(pool)
            .await?))
    }

    /// Names a department's chief representative (someone on its roster)
    /// and its leader in charge.
    pub async fn set_representatives(
        &self,
        department_id: i64,
        chief_staff_id: Option<i64>,
        leader: &Leader,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.department(department_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        if let Some(c) = chief_staff_id {
            match self.staff_by_id(c).await? {
                Some(s) if s.department_id == department_id && s.left_on.is_none() => {}
                _ => {
                    return Err(invalid(
                        "staff.chief_not_in_department",
                        "chief_staff_id",
                        "首席代表须是本单位名册中的在岗人员",
                    ));
                }
            }
        }
        on_db!(self, pool => { sqlx::query(
            "INSERT INTO department_representatives (department_id, chief_staff_id, leader_name, leader_post, leader_phone, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (department_id) DO UPDATE SET chief_staff_id = excluded.chief_staff_id,
                leader_name = excluded.leader_name, leader_post = excluded.leader_post,
                leader_phone = excluded.leader_phone, updated_at = excluded.updated_at")
            .bind(department_id)
            .bind(chief_staff_id)
            .bind(&leader.name)
            .bind(&leader.post)
            .bind(&leader.phone)
            .bind(now)
            .execute(pool)
            .await?; });
        Ok(())
    }

    // ----------------------------------------------------------- replacements

    /// Asks the center to replace `leaving` by `incoming` (both on the same
    /// department's roster); one pending request per leaving person.
    pub async fn request_replacement(
        &self,
        grant: &Grant,
        leaving: i64,
        incoming: i64,
        reason: &str,
        requested_by: i64,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let l = self
            .staff_member(grant, leaving)
            .await
            .map_err(|_| invalid("staff.unknown", "leaving_staff_id", "离岗人员不在名册中"))?;
        let i = self
            .staff_member(grant, incoming)
            .await
            .map_err(|_| invalid("staff.unknown", "incoming_staff_id", "接替人员不在名册中"))?;
        if l.left_on.is_some() {
            return Err(invalid(
                "staff.already_left",
                "leaving_staff_id",
                "离岗人员已不在岗",
            ));
        }
        if i.left_on.is_some() || i.department_id != l.department_id || i.id == l.id {
            return Err(invalid(
                "staff.incoming_invalid",
                "incoming_staff_id",
                "接替人员须是同一单位名册中的另一名在岗人员",
            ));
        }
        let pending: i64 = on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff_replacements WHERE leaving_staff_id = $1 AND status = 'pending'")
            .bind(leaving)
            .fetch_one(pool)
            .await?);
        if pending > 0 {
            return Err(StoreError::conflict(
                "replacement.pending",
                Some("leaving_staff_id"),
                "该人员已有待审批的换岗申请",
            ));
        }
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "INSERT INTO staff_replacements (department_id, leaving_staff_id, incoming_staff_id, reason, status, requested_by, created_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING id")
            .bind(l.department_id)
            .bind(leaving)
            .bind(incoming)
            .bind(reason)
            .bind(requested_by)
            .bind(now)
            .fetch_one(pool)
            .await?))
    }

    /// Replacement requests, pending first.
    pub async fn list_replacements(&self, grant: &Grant) -> Result<Vec<Replacement>> {
        Ok(on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{REPLACEMENT_SELECT} WHERE ($1 IS NULL OR r.department_id = $1)
             ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.id DESC")))
            .bind(grant.scope().department())
            .fetch_all(pool)
            .await?))
    }

    pub async fn replacement(&self, id: i64) -> Result<Replacement> {
        let r: Option<Replacement> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(format!(
            "{REPLACEMENT_SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        r.ok_or(StoreError::NotFound)
    }

    /// Approves or rejects a request. On approval, in the same transaction,
    /// the incoming person takes the leaving one's window and post (and the
    /// chief representative's place if they held it) and the leaving one is
    /// taken off the roster on `today`.
    pub async fn decide_replacement(
        &self,
        id: i64,
        approve: bool,
        decided_by: i64,
        note: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Replacement> {
        write_tx!(self, tx => {
            let row: Option<(String, i64, i64)> = sqlx::query_as(
                "SELECT status, leaving_staff_id, incoming_staff_id FROM staff_replacements WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let (status, leaving, incoming) = row.ok_or(StoreError::NotFound)?;
            let status = ReplacementStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("replacement {id} status")))?;
            let next = replacement_after(status, approve)
                .map_err(|m| StoreError::conflict("replacement.decided", None, m))?;
            sqlx::query(
                "UPDATE staff_replacements SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5 WHERE id = $1")
                .bind(id)
                .bind(next.code())
                .bind(decided_by)
                .bind(now)
                .bind(note)
                .execute(&mut *tx)
                .await?;
            if approve {
                let (window, post): (Option<i64>, Option<String>) =
                    sqlx::query_as("SELECT window_id, post FROM staff WHERE id = $1")
                        .bind(leaving)
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query(
                    "UPDATE staff SET window_id = NULL, post = NULL, left_on = $2, user_id = NULL, updated_at = $3 WHERE id = $1")
                    .bind(leaving)
                    .bind(today)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if window.is_some() {
                    sqlx::query("UPDATE staff SET window_id = $2, post = $3, updated_at = $4 WHERE id = $1")
                        .bind(incoming)
                        .bind(window)
                        .bind(post)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(unique_staff)?;
                }
                sqlx::query(
                    "UPDATE department_representatives SET chief_staff_id = $2, updated_at = $3 WHERE chief_staff_id = $1")
                    .bind(leaving)
                    .bind(incoming)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        self.replacement(id).await
    }

    // ------------------------------------------------- authorisation matrix

    /// A department's matrix.
    pub async fn authorisations(&self, department_id: i64) -> Result<Vec<Authorisation>> {
        let rows: Vec<(i64, i64, String)> = on_db!(self, pool => sqlx::query_as(
            "SELECT staff_id, item_id, step FROM staff_authorisations WHERE department_id = $1
             ORDER BY staff_id, item_id, step")
            .bind(department_id)
            .fetch_all(pool)
            .await?);
        rows.into_iter()
            .map(|(staff_id, item_id, step)| {
                Ok(Authorisation {
                    staff_id,
                    item_id,
                    step: MatrixStep::parse(&step)
                        .ok_or_else(|| StoreError::Corrupt(format!("matrix step {step}")))?,
                })
            })
            .collect()
    }

    /// Replaces a department's matrix. Every person must be on its roster
    /// and every item its own; an empty matrix restores the roles' rules.
    pub async fn set_authorisations(
        &self,
        department_id: i64,
        entries: &[Authorisation],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.department(department_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let staff: Vec<i64> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT id FROM staff WHERE department_id = $1 AND left_on IS NULL")
            .bind(department_id)
            .fetch_all(pool)
            .await?);
        let items: Vec<i64> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT id FROM items WHERE department_id = $1")
            .bind(department_id)
            .fetch_all(pool)
            .await?);
        let mut e = ValidationErrors::default();
        for (i, a) in entries.iter().enumerate() {
            if !staff.contains(&a.staff_id) {
                e.add(
                    "matrix.staff_unknown",
                    format!("entries[{i}].staff_id"),
                    "该人员不在本单位名册中",
                );
            }
            if !items.contains(&a.item_id) {
                e.add(
                    "matrix.item_unknown",
                    format!("entries[{i}].item_id"),
                    "该事项不属于本单位",
                );
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let unique: HashSet<Authorisation> = entries.iter().copied().collect();
        write_tx!(self, tx => {
            sqlx::query("DELETE FROM staff_authorisations WHERE department_id = $1")
                .bind(department_id)
                .execute(&mut *tx)
                .await?;
            for a in &unique {
                sqlx::query(
                    "INSERT INTO staff_authorisations (staff_id, item_id, step, department_id, created_at)
                     VALUES ($1, $2, $3, $4, $5)")
                    .bind(a.staff_id)
                    .bind(a.item_id)
                    .bind(a.step.code())
                    .bind(department_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Whether a department has any entry in its matrix; without one the
    /// roles' own rules apply to its items.
    pub async fn department_has_matrix(&self, department_id: i64) -> Result<bool> {
        let any: Option<i64> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT staff_id FROM staff_authorisations WHERE department_id = $1 LIMIT 1")
            .bind(department_id)
            .fetch_optional(pool)
            .await?);
        Ok(any.is_some())
    }

    /// The steps of an item the matrix gives the person signed in as
    /// `user_id` (none for someone not on the roster).
    pub async fn allowed_steps(&self, user_id: i64, item_id: i64) -> Result<Vec<MatrixStep>> {
        let steps: Vec<String> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT a.step FROM staff_authorisations a JOIN staff s ON s.id = a.staff_id
             WHERE s.user_id = $1 AND s.left_on IS NULL AND a.item_id = $2")
            .bind(user_id)
            .bind(item_id)
            .fetch_all(pool)
            .await?);
        Ok(steps.iter().filter_map(|s| MatrixStep::parse(s)).collect())
    }

    // ------------------------------------------------------------- attendance

    /// Signs a person in for `day` at `at`; a second sign-in the same day is
    /// refused.
    pub async fn sign_in(&self, staff_id: i64, day: NaiveDate, at: DateTime<Utc>) -> Result<()> {
        let done: u64 = on_db!(self, pool => sqlx::query(
            "INSERT INTO attendance (staff_id, day, signed_in_at, created_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (staff_id, day) DO UPDATE SET signed_in_at = excluded.signed_in_at
             WHERE attendance.signed_in_at IS NULL")
            .bind(staff_id)
            .bind(day)
            .bind(at)
            .execute(pool)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::conflict(
                "attendance.signed_in",
                None,
                "今天已经签到过了",
            ));
        }
        Ok(())
    }

    /// Signs a person out (the last sign-out of the day counts); refused
    /// before a sign-in.
    pub async fn sign_out(&self, staff_id: i64, day: NaiveDate, at: DateTime<Utc>) -> Result<()> {
        let done: u64 = on_db!(self, pool => sqlx::query(
            "UPDATE attendance SET signed_out_at = $3 WHERE staff_id = $1 AND day = $2 AND signed_in_at IS NOT NULL")
            .bind(staff_id)
            .bind(day)
            .bind(at)
            .execute(pool)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::conflict(
                "attendance.not_signed_in",
                None,
                "今天尚未签到，不能签退",
            ));
        }
        Ok(())
    }

    /// Records a day for someone (an admin's correction): the times given
    /// replace those stored.
    pub async fn record_attendance(
        &self,
        staff_id: i64,
        day: NaiveDate,
        signed_in: Option<DateTime<Utc>>,
        signed_out: Option<DateTime<Utc>>,
        recorded_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let (Some(a), Some(b)) = (signed_in, signed_out)
            && b < a
        {
            return Err(invalid(
                "attendance.out_before_in",
                "signed_out_at",
                "签退时间不能早于签到时间",
            ));
        }
        on_db!(self, pool => { sqlx::query(
            "INSERT INTO attendance (staff_id, day, signed_in_at, signed_out_at, recorded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (staff_id, day) DO UPDATE SET
                signed_in_at = COALESCE(excluded.signed_in_at, attendance.signed_in_at),
                signed_out_at = COALESCE(excluded.signed_out_at, attendance.signed_out_at),
                recorded_by = excluded.recorded_by")
            .bind(staff_id)
            .bind(day)
            .bind(signed_in)
            .bind(signed_out)
            .bind(recorded_by)
            .bind(now)
            .execute(pool)
            .await?; });
        Ok(())
    }

    /// Each person's month (`first`..=`last`) on the roster a grant sees:
    /// every day with its sign-in and sign-out in Beijing time, marked by the
    /// hours of the person's hall (the main hall's, else 9:00–12:00,
    /// 13:30–17:00) and the center's working calendar. Days before joining
    /// or after leaving are left out; days before `today` are over.
    #[allow(clippy::too_many_arguments)]
    pub async fn attendance_month(
        &self,
        grant: &Grant,
        center_id: i64,
        department_id: Option<i64>,
        first: NaiveDate,
        last: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<StaffMonth>> {
        let staff = self
            .list_staff(
                grant,
                center_id,
                &StaffFilter {
                    department_id,
                    include_left: true,
                    ..Default::default()
                },
            )
            .await?;
        let calendar = self.calendar(center_id).await?;
        let halls = self.list_halls(center_id).await?;
        let main_hours = halls
            .iter()
            .find(|h| h.kind == domain::hall::HallKind::Main)
            .map(|h| h.hours)
            .unwrap_or_default();
        let records: Vec<AttendanceRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT a.staff_id, a.day, a.signed_in_at, a.signed_out_at FROM attendance a
             JOIN staff s ON s.id = a.staff_id
             WHERE s.center_id = $1 AND a.day >= $2 AND a.day <= $3")
            .bind(center_id)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?);
        let local = |t: Option<DateTime<Utc>>| t.map(|t| t.with_timezone(&beijing()).time());
        let by_key: HashMap<(i64, NaiveDate), DayRecord> = records
            .into_iter()
            .map(|(s, d, i, o)| {
                (
                    (s, d),
                    DayRecord {
                        signed_in: local(i),
                        signed_out: local(o),
                    },
                )
            })
            .collect();
        let mut out = Vec::new();
        for s in staff {
            let hours: HallHours = s
                .hall_id
                .and_then(|h| halls.iter().find(|x| x.id == h))
                .map_or(main_hours, |h| h.hours);
            let from = first.max(s.joined_on);
            let to = match s.left_on {
                Some(l) => last.min(l.pred_opt().unwrap_or(l)),
                None => last,
            };
            if from > to {
                continue;
            }
            let mut tally = MonthTally::default();
            let mut days = Vec::new();
            for day in from.iter_days().take_while(|d| *d <= to) {
                let working = calendar.is_working_day(day);
                let record = by_key.get(&(s.id, day)).copied().unwrap_or_default();
                let mark = mark_day(&hours, working, day < today, record);
                if day <= today {
                    tally.add(working, mark);
                }
                days.push(AttendanceDay {
                    day,
                    working,
                    record,
                    mark,
                });
            }
            out.push(StaffMonth {
                staff: s,
                days,
                tally,
            });
        }
        Ok(out)
    }
}

/// A duplicate ID number, account or post, named by field.
fn unique_staff(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let m = db.message().to_string();
            let c = db.constraint().unwrap_or_default().to_string();
            let has = |k: &str| m.contains(k) || c.contains(k);
            if has("window_post") || has("window_id") {
                StoreError::conflict("staff.post_taken", Some("post"), "该窗口的这个岗位已有人员")
            } else if has("user") {
                StoreError::conflict("staff.user_taken", Some("user_id"), "该账号已关联其他人员")
            } else {
                StoreError::conflict(
                    "staff.id_number_taken",
                    Some("id_number"),
                    "名册中已有该身份证号的人员",
                )
            }
        }
        _ => StoreError::Database(e),
    }
}
