//! Staff (工作人员): the roster with its Excel import and export, the flags
//! (single-staff windows, terms ending, seed 001's rules), chief
//! representatives and leaders in charge, replacement requests, the
//! authorisation matrix and attendance.
//!
//! ID numbers and phones are in full for admins only; everyone else, the
//! export included, gets them masked. Logs name staff by id.

use crate::api::{ApiJson, ApiQuery, sheet_error};
use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::files;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::access::{Grant, Permission, Role};
use domain::identity::{IdCardNumber, mask_middle, mask_phone};
use domain::staff::{
    EmploymentKind, MatrixStep, NewStaff, Post, ReplacementStatus, RosterRole, StaffFacts,
    StaffFlag, StaffInput, WindowStaffing, month_bounds, parse_date, replacement_is_early,
    staff_flags, window_staffing,
};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::{Authorisation, Leader, StaffFilter, StaffImportRow, StaffMember, StaffMonth};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(import_staff))
        .routes(routes!(export_staff))
        .routes(routes!(roster_template))
        .routes(routes!(staff_flags_report))
        .routes(routes!(list_replacements, request_replacement))
        .routes(routes!(decide_replacement))
        .routes(routes!(get_staff, update_staff))
        .routes(routes!(staff_photo, upload_photo))
        .routes(routes!(get_representatives, put_representatives))
        .routes(routes!(get_authorisations, put_authorisations))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(record_attendance))
        .routes(routes!(attendance))
}

// ------------------------------------------------------------------ views

/// A person on the roster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffDto {
    pub id: i64,
    pub name: String,
    /// `male` or `female`.
    pub sex: String,
    pub sex_name: String,
    pub ethnicity: String,
    /// Masked (`110101********4514`) unless the viewer is an admin.
    pub id_number: String,
    pub education: String,
    pub political_status: String,
    /// `formal`, `contract`, `public_post` or `volunteer`.
    pub employment: String,
    pub employment_name: String,
    /// Masked unless the viewer is an admin.
    pub phone: String,
    pub notes: String,
    pub department_id: i64,
    pub department_name: String,
    pub window_id: Option<i64>,
    pub window_number: Option<String>,
    /// `A` or `B`.
    pub post: Option<String>,
    pub post_name: Option<String>,
    pub joined_on: NaiveDate,
    pub term_ends_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub user_id: Option<i64>,
    pub has_photo: bool,
    /// Age on the day of joining (from the ID number).
    pub age_at_posting: u32,
    pub flags: Vec<FlagDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagDto {
    pub code: String,
    pub label: String,
}

impl FlagDto {
    fn of(f: StaffFlag) -> Self {
        Self {
            code: f.code().into(),
            label: f.label().into(),
        }
    }
}

fn birth_of(id_number: &str) -> Option<NaiveDate> {
    IdCardNumber::parse(id_number).ok().map(|i| i.birth_date())
}

/// The flags of a person on `today`.
pub(crate) fn flags_of(s: &StaffMember, today: NaiveDate) -> Vec<StaffFlag> {
    if s.left_on.is_some() {
        return Vec::new();
    }
    match birth_of(&s.id_number) {
        Some(birth) => staff_flags(
            &StaffFacts {
                birth_date: birth,
                joined_on: s.joined_on,
                term_ends_on: s.term_ends_on,
                has_post: s.post.is_some(),
            },
            today,
        ),
        None => Vec::new(),
    }
}

impl StaffDto {
    pub(crate) fn new(s: StaffMember, full: bool, today: NaiveDate) -> Self {
        let flags = flags_of(&s, today).into_iter().map(FlagDto::of).collect();
        let age = birth_of(&s.id_number)
            .map(|b| domain::staff::age_on(b, s.joined_on))
            .unwrap_or_default();
        Self {
            flags,
            age_at_posting: age,
            id_number: if full {
                s.id_number
            } else {
                mask_middle(&s.id_number, 6, 4)
            },
            phone: if full || s.phone.is_empty() {
                s.phone
            } else {
                mask_phone(&s.phone)
            },
            sex: s.sex.code().into(),
            sex_name: s.sex.label().into(),
            employment: s.employment.code().into(),
            employment_name: s.employment.label().into(),
            post: s.post.map(|p| p.code().to_string()),
            post_name: s.post.map(|p| p.label().to_string()),
            has_photo: s.photo_sha256.is_some(),
            id: s.id,
            name: s.name,
            ethnicity: s.ethnicity,
            education: s.education,
            political_status: s.political_status,
            notes: s.notes,
            department_id: s.department_id,
            department_name: s.department_name,
            window_id: s.window_id,
            window_number: s.window_number,
            joined_on: s.joined_on,
            term_ends_on: s.term_ends_on,
            left_on: s.left_on,
            user_id: s.user_id,
        }
    }
}

/// Whether this viewer sees ID numbers and phones in full.
pub(crate) fn sees_full(user: &AuthUser) -> bool {
    user.user.role == Role::Admin
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffList {
    pub staff: Vec<StaffDto>,
    pub total: usize,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct StaffParams {
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    /// Also list those who left (replaced).
    pub include_left: bool,
}

/// The center whose roster this is.
pub(crate) async fn center_id(state: &AppState) -> AppResult<i64> {
    state
        .store
        .home_center()
        .await?
        .map(|c| c.id)
        .ok_or(AppError::NotFound("center"))
}

/// The roster; a department's staff see their department. ID numbers and
/// phones are masked unless the viewer is an admin.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", params(StaffParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = StaffList), (status = 403, body = ErrorBody)))]
async fn list_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<StaffParams>,
) -> AppResult<Json<StaffList>> {
    let grant = user.grant(Permission::ViewStaff)?;
    let center = center_id(&state).await?;
    let today = state.clock.today();
    let full = sees_full(&user);
    let staff: Vec<StaffDto> = state
        .store
        .list_staff(
            &grant,
            center,
            &StaffFilter {
                department_id: p.department_id,
                window_id: p.window_id,
                include_left: p.include_left,
            },
        )
        .await?
        .into_iter()
        .map(|s| StaffDto::new(s, full, today))
        .collect();
    Ok(Json(StaffList {
        total: staff.len(),
        staff,
    }))
}

/// A roster entry as posted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StaffRequest {
    pub name: String,
    /// 男/女 or `male`/`female`; empty: from the ID number.
    pub sex: String,
    pub ethnicity: String,
    pub id_number: String,
    pub education: String,
    pub political_status: String,
    /// 正式, 聘用, 公岗, 志愿者 (or `formal`, `contract`, `public_post`, `volunteer`).
    pub employment: String,
    pub phone: String,
    pub notes: String,
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    /// `A` or `B` (A岗/B岗), empty for none.
    pub post: String,
    /// `YYYY-MM-DD`.
    pub joined_on: String,
    /// Contract or service end, `YYYY-MM-DD`.
    pub term_ends_on: String,
    /// The account this person signs in with.
    pub user_id: Option<i64>,
}

impl StaffRequest {
    pub(crate) fn input(&self) -> StaffInput {
        StaffInput {
            name: self.name.clone(),
            sex: self.sex.clone(),
            ethnicity: self.ethnicity.clone(),
            id_number: self.id_number.clone(),
            education: self.education.clone(),
            political_status: self.political_status.clone(),
            employment: self.employment.clone(),
            phone: self.phone.clone(),
            notes: self.notes.clone(),
            department_id: self.department_id,
            window_id: self.window_id,
            post: self.post.clone(),
            joined_on: self.joined_on.clone(),
            term_ends_on: self.term_ends_on.clone(),
            user_id: self.user_id,
        }
    }
}

/// Adds a person (admin).
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = StaffRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = StaffDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(r): ApiJson<StaffRequest>,
) -> AppResult<(StatusCode, Json<StaffDto>)> {
    let s = create(&state, &user, &r).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

pub(crate) async fn create(
    state: &AppState,
    user: &AuthUser,
    r: &StaffRequest,
) -> AppResult<StaffDto> {
    user.grant(Permission::ManageStaff)?;
    let s = NewStaff::parse(&r.input(), "").map_err(AppError::Invalid)?;
    let center = center_id(state).await?;
    let created = state
        .store
        .create_staff(center, &s, state.clock.now())
        .await?;
    tracing::info!(staff_id = created.id, by = %user.user.username, "staff added");
    Ok(StaffDto::new(created, true, state.clock.today()))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = StaffDto), (status = 404, body = ErrorBody)))]
async fn get_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<StaffDto>> {
    let grant = user.grant(Permission::ViewStaff)?;
    let s = state
        .store
        .staff_member(&grant, id)
        .await
        .map_err(not_found)?;
    Ok(Json(StaffDto::new(
        s,
        sees_full(&user),
        state.clock.today(),
    )))
}

fn not_found(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::NotFound => AppError::NotFound("staff"),
        e => e.into(),
    }
}

/// Rewrites a person's record (admin).
#[utoipa::path(put, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path)), request_body = StaffRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = StaffDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<StaffRequest>,
) -> AppResult<Json<StaffDto>> {
    Ok(Json(update(&state, &user, id, &r).await?))
}

pub(crate) async fn update(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    r: &StaffRequest,
) -> AppResult<StaffDto> {
    let grant = user.grant(Permission::ManageStaff)?;
    let s = NewStaff::parse(&r.input(), "").map_err(AppError::Invalid)?;
    let updated = state
        .store
        .update_staff(&grant, id, &s, state.clock.now())
        .await
        .map_err(not_found)?;
    tracing::info!(staff_id = id, by = %user.user.username, "staff updated");
    Ok(StaffDto::new(updated, true, state.clock.today()))
}

/// The photo (staff only; the public board serves its own copy).
#[utoipa::path(get, path = "/api/v1/staff/{id}/photo", tag = "staff", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
async fn staff_photo(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let grant = user.grant(Permission::ViewStaff)?;
    let s = state
        .store
        .staff_member(&grant, id)
        .await
        .map_err(not_found)?;
    photo_response(&state, s.photo_sha256.as_deref()).await
}

pub(crate) async fn photo_response(state: &AppState, sha: Option<&str>) -> AppResult<Response> {
    let sha = sha.ok_or(AppError::NotFound("photo"))?;
    let bytes = files::read(&state.settings.data_dir, sha).await?;
    let content_type = files::sniff(&bytes).unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// Stores a photo (PNG or JPEG as the body) for a person (admin).
#[utoipa::path(put, path = "/api/v1/staff/{id}/photo", tag = "staff", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_photo(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<StatusCode> {
    save_photo(&state, &user, id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn save_photo(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    bytes: &[u8],
) -> AppResult<()> {
    let grant = user.grant(Permission::ManageStaff)?;
    state
        .store
        .staff_member(&grant, id)
        .await
        .map_err(not_found)?;
    if !matches!(files::sniff(bytes), Some("image/png" | "image/jpeg")) {
        return Err(AppError::invalid(
            "staff.photo_type",
            "photo",
            "照片只接受PNG或JPEG格式",
        ));
    }
    let stored = files::save(&state.settings.data_dir, bytes, "photo").await?;
    state
        .store
        .set_staff_photo(&grant, id, &stored.sha256, state.clock.now())
        .await?;
    Ok(())
}

// ----------------------------------------------------------- import/export

#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    pub count: usize,
    pub ids: Vec<i64>,
}

/// Imports the roster form (seed 001 attachment 3, the .xlsx file as the
/// request body). Department by 单位名称 (full or short
/// name), window by 窗口号 in that department. All or nothing: any bad row
/// refuses the file with 422 naming each problem by row and column
/// (`rows[3].id_number`, “第5行“身份证号”列：…”). People already on the roster
/// (same ID number) are updated.
#[utoipa::path(post, path = "/api/v1/staff/import", tag = "staff",
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Imported>)> {
    let ids = import(&state, &user, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(Imported {
            count: ids.len(),
            ids,
        }),
    ))
}

/// Reads, checks and writes a roster form; returns the ids written.
pub(crate) async fn import(state: &AppState, user: &AuthUser, bytes: &[u8]) -> AppResult<Vec<i64>> {
    user.grant(Permission::ManageStaff)?;
    let rows = sheets::read_roster(bytes).map_err(|e| match e {
        sheets::SheetError::Unreadable(_) => AppError::invalid(
            "import.unreadable",
            "file",
            "无法读取文件：请上传Excel文件（.xlsx或.xls）",
        ),
        other => AppError::invalid("import.unreadable", "file", other.message()),
    })?;
    let center = center_id(state).await?;
    let departments: Vec<store::Department> = state
        .store
        .list_departments()
        .await?
        .into_iter()
        .filter(|d| d.center_id == center)
        .collect();
    let windows = state.store.list_windows(center).await?;
    let mut errors = ValidationErrors::default();
    let mut people = Vec::new();
    let mut leaders: Vec<(i64, Leader)> = Vec::new();
    let named = |row: usize, field: &str, message: &str| {
        format!("第{row}行“{}”列：{message}", sheets::roster_column(field))
    };
    for (i, row) in rows.iter().enumerate() {
        let prefix = format!("rows[{i}].");
        let department = departments
            .iter()
            .find(|d| d.name == row.department || d.short_name == row.department);
        if department.is_none() {
            errors.add(
                "staff.department_unknown",
                format!("{prefix}department_id"),
                named(
                    row.row,
                    "department_id",
                    &format!("找不到单位“{}”", row.department),
                ),
            );
        }
        let role = match row.role.trim() {
            "" => Some(RosterRole::Clerk),
            r => RosterRole::parse(r),
        };
        let Some(role) = role else {
            errors.add(
                "staff.role_invalid",
                format!("{prefix}role"),
                named(
                    row.row,
                    "role",
                    "人员类别应为分管领导、首席负责人或窗口工作人员",
                ),
            );
            continue;
        };
        if role == RosterRole::Leader {
            if row.name.trim().is_empty() {
                errors.add(
                    "field.required",
                    format!("{prefix}name"),
                    named(row.row, "name", "请填写姓名"),
                );
            }
            let phone = row.phone.trim();
            if !phone.is_empty() && !domain::identity::is_service_phone(phone) {
                errors.add(
                    "staff.phone_invalid",
                    format!("{prefix}phone"),
                    named(row.row, "phone", "联系电话格式不正确"),
                );
            }
            if let Some(d) = department {
                leaders.push((
                    d.id,
                    Leader {
                        name: row.name.trim().into(),
                        post: if row.notes.trim().is_empty() {
                            "分管领导".into()
                        } else {
                            row.notes.trim().into()
                        },
                        phone: row.phone.trim().into(),
                    },
                ));
            }
            continue;
        }
        let window_id = match (row.window.trim(), department) {
            ("", _) => None,
            (number, Some(d)) => {
                let number = number.trim_end_matches("号窗口").trim_end_matches('号');
                let w = windows.iter().find(|w| {
                    (w.number == number || w.number == format!("{number:0>2}"))
                        && (w.department_ids.contains(&d.id) || w.department_id.is_none())
                });
                if w.is_none() {
                    errors.add(
                        "staff.window_unknown",
                        format!("{prefix}window_id"),
                        named(row.row, "window_id", &format!("该单位没有{number}号窗口")),
                    );
                }
                w.map(|w| w.id)
            }
            (_, None) => None,
        };
        let input = StaffInput {
            name: row.name.clone(),
            sex: row.sex.clone(),
            ethnicity: row.ethnicity.clone(),
            id_number: row.id_number.clone(),
            education: row.education.clone(),
            political_status: row.political_status.clone(),
            employment: row.employment.clone(),
            phone: row.phone.clone(),
            notes: row.notes.clone(),
            // An unknown department is already reported above.
            department_id: Some(department.map_or(0, |d| d.id)),
            window_id: window_id.or(if row.window.trim().is_empty() {
                None
            } else {
                Some(0)
            }),
            post: row.post.clone(),
            joined_on: if row.joined_on.trim().is_empty() {
                state.clock.today().to_string()
            } else {
                row.joined_on.clone()
            },
            term_ends_on: row.term_ends_on.clone(),
            user_id: None,
        };
        match NewStaff::parse(&input, &prefix) {
            Ok(staff) if department.is_some() && (window_id.is_some() || row.window.is_empty()) => {
                people.push(StaffImportRow {
                    staff,
                    chief: role == RosterRole::Chief,
                    field_prefix: prefix,
                });
            }
            Ok(_) => {}
            Err(e) => {
                for mut f in e.0 {
                    let field = f.field.trim_start_matches(&prefix).to_string();
                    f.message = named(row.row, &field, &f.message);
                    errors.push(f);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    match state
        .store
        .import_staff(center, &people, &leaders, state.clock.now())
        .await
    {
        Ok(ids) => {
            tracing::info!(count = ids.len(), by = %user.user.username, "roster imported");
            Ok(ids)
        }
        Err(store::StoreError::Invalid(mut e)) => {
            for f in &mut e.0 {
                if let Some((i, field)) = f
                    .field
                    .strip_prefix("rows[")
                    .and_then(|r| r.split_once("]."))
                    && let Ok(i) = i.parse::<usize>()
                    && let Some(row) = rows.get(i)
                {
                    f.message = named(row.row, field, &f.message);
                }
            }
            Err(AppError::Invalid(e))
        }
        Err(e) => Err(e.into()),
    }
}

/// The roster as the form's lines (masked unless `full`).
pub(crate) async fn roster_lines(
    state: &AppState,
    grant: &Grant,
    full: bool,
) -> AppResult<Vec<sheets::RosterRow>> {
    let center = center_id(state).await?;
    let reps = state.store.list_representatives(center).await?;
    let staff = state
        .store
        .list_staff(grant, center, &StaffFilter::default())
        .await?;
    let mut lines = Vec::new();
    for r in &reps {
        if !r.leader_name.is_empty() && grant.covers(r.department_id) {
            lines.push(sheets::RosterRow {
                department: r.department_name.clone(),
                role: RosterRole::Leader.label().into(),
                name: r.leader_name.clone(),
                phone: if full {
                    r.leader_phone.clone()
                } else {
                    mask_phone(&r.leader_phone)
                },
                notes: r.leader_post.clone(),
                ..Default::default()
            });
        }
    }
    for s in staff {
        let chief = reps
            .iter()
            .any(|r| r.chief_staff_id == Some(s.id) && r.department_id == s.department_id);
        lines.push(sheets::RosterRow {
            department: s.department_name.clone(),
            role: if chief {
                RosterRole::Chief
            } else {
                RosterRole::Clerk
            }
            .label()
            .into(),
            name: s.name.clone(),
            sex: s.sex.label().into(),
            ethnicity: s.ethnicity.clone(),
            id_number: if full {
                s.id_number.clone()
            } else {
                mask_middle(&s.id_number, 6, 4)
            },
            education: s.education.clone(),
            political_status: s.political_status.clone(),
            employment: s.employment.label().into(),
            phone: if full || s.phone.is_empty() {
                s.phone.clone()
            } else {
                mask_phone(&s.phone)
            },
            window: s.window_number.clone().unwrap_or_default(),
            post: s.post.map(|p| p.label().to_string()).unwrap_or_default(),
            joined_on: s.joined_on.to_string(),
            term_ends_on: s.term_ends_on.map(|d| d.to_string()).unwrap_or_default(),
            notes: s.notes.clone(),
            row: 0,
        });
    }
    Ok(lines)
}

/// The roster as the form (.xlsx); ID numbers and phones masked unless the
/// caller is an admin.
#[utoipa::path(get, path = "/api/v1/staff/export", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_staff(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Response> {
    let grant = user.grant(Permission::ViewStaff)?;
    let lines = roster_lines(&state, &grant, sees_full(&user)).await?;
    let bytes = sheets::write_roster(sheets::ROSTER_TITLE, &lines).map_err(sheet_error)?;
    Ok(crate::api::reports::xlsx(bytes, "进驻大厅人员花名册.xlsx"))
}

/// The blank roster form.
#[utoipa::path(get, path = "/api/v1/staff/template", tag = "staff",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn roster_template() -> AppResult<Response> {
    Ok(crate::api::reports::xlsx(
        sheets::roster_template().map_err(sheet_error)?,
        "进驻大厅人员花名报送表.xlsx",
    ))
}

// ------------------------------------------------------------------- flags

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowFlag {
    pub window_id: i64,
    pub number: String,
    pub name: String,
    pub department_id: Option<i64>,
    /// `full`, `single` or `empty`.
    pub staffing: String,
    pub staffing_name: String,
    /// Who holds its posts.
    pub people: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonFlags {
    pub staff_id: i64,
    pub name: String,
    pub department_name: String,
    pub flags: Vec<FlagDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffFlags {
    /// Windows whose AB posts are not both filled (one person or none).
    pub windows: Vec<WindowFlag>,
    /// People with at least one flag (terms, seed 001's rules).
    pub people: Vec<PersonFlags>,
    /// Departments with no chief representative named.
    pub departments_without_chief: Vec<String>,
    /// Replacement requests waiting for the center.
    pub pending_replacements: usize,
}

/// Everything the roster flags, standing on today.
pub(crate) async fn compute_flags(state: &AppState, grant: &Grant) -> AppResult<StaffFlags> {
    let center = center_id(state).await?;
    let today = state.clock.today();
    let staff = state
        .store
        .list_staff(grant, center, &StaffFilter::default())
        .await?;
    let windows = state.store.list_windows(center).await?;
    let mut window_flags = Vec::new();
    for w in windows.iter().filter(|w| {
        w.active
            && w.kind == domain::hall::WindowKind::Resident
            && w.department_id.is_some_and(|d| grant.covers(d))
    }) {
        let holders: Vec<&StaffMember> = staff
            .iter()
            .filter(|s| s.window_id == Some(w.id) && s.post.is_some())
            .collect();
        let posts: Vec<Post> = holders.iter().filter_map(|s| s.post).collect();
        let staffing = window_staffing(&posts);
        if staffing != WindowStaffing::Full {
            window_flags.push(WindowFlag {
                window_id: w.id,
                number: w.number.clone(),
                name: w.name.clone(),
                department_id: w.department_id,
                staffing: staffing.code().into(),
                staffing_name: staffing.label().into(),
                people: holders
                    .iter()
                    .map(|s| {
                        format!(
                            "{}（{}）",
                            s.name,
                            s.post.map(|p| p.label()).unwrap_or_default()
                        )
                    })
                    .collect(),
            });
        }
    }
    let people = staff
        .iter()
        .filter_map(|s| {
            let flags = flags_of(s, today);
            (!flags.is_empty()).then(|| PersonFlags {
                staff_id: s.id,
                name: s.name.clone(),
                department_name: s.department_name.clone(),
                flags: flags.into_iter().map(FlagDto::of).collect(),
            })
        })
        .collect();
    let reps = state.store.list_representatives(center).await?;
    let with_staff: Vec<i64> = staff.iter().map(|s| s.department_id).collect();
    let departments_without_chief = reps
        .iter()
        .filter(|r| {
            r.chief_staff_id.is_none()
                && grant.covers(r.department_id)
                && with_staff.contains(&r.department_id)
        })
        .map(|r| r.department_name.clone())
        .collect();
    let pending_replacements = state
        .store
        .list_replacements(grant)
        .await?
        .iter()
        .filter(|r| r.status == ReplacementStatus::Pending.code())
        .count();
    Ok(StaffFlags {
        windows: window_flags,
        people,
        departments_without_chief,
        pending_replacements,
    })
}

/// What the roster flags: windows without both AB posts filled, terms
/// ending within 30 days (or ended), people over 45 when posted, terms under
/// two years, departments without a chief representative.
#[utoipa::path(get, path = "/api/v1/staff/flags", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = StaffFlags), (status = 403, body = ErrorBody)))]
async fn staff_flags_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<StaffFlags>> {
    let grant = user.grant(Permission::ViewStaff)?;
    Ok(Json(compute_flags(&state, &grant).await?))
}

// --------------------------------------------------------- representatives

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RepresentativesDto {
    pub department_id: i64,
    pub department_name: String,
    /// The chief representative (首席代表): someone on the department's roster.
    pub chief_staff_id: Option<i64>,
    pub chief_name: Option<String>,
    /// The leader in charge (分管领导).
    pub leader_name: String,
    pub leader_post: String,
    /// Masked unless the viewer is an admin.
    pub leader_phone: String,
}

impl RepresentativesDto {
    pub(crate) fn new(r: store::Representatives, full: bool) -> Self {
        Self {
            leader_phone: if full || r.leader_phone.is_empty() {
                r.leader_phone
            } else {
                mask_phone(&r.leader_phone)
            },
            department_id: r.department_id,
            department_name: r.department_name,
            chief_staff_id: r.chief_staff_id,
            chief_name: r.chief_name,
            leader_name: r.leader_name,
            leader_post: r.leader_post,
        }
    }
}

/// A department's chief representative and leader in charge.
#[utoipa::path(get, path = "/api/v1/departments/{id}/representatives", tag = "staff", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RepresentativesDto), (status = 404, body = ErrorBody)))]
async fn get_representatives(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<RepresentativesDto>> {
    let grant = user.grant(Permission::ViewStaff)?;
    if !grant.covers(id) {
        return Err(AppError::NotFound("department"));
    }
    let center = center_id(&state).await?;
    let r = state
        .store
        .list_representatives(center)
        .await?
        .into_iter()
        .find(|r| r.department_id == id)
        .ok_or(AppError::NotFound("department"))?;
    Ok(Json(RepresentativesDto::new(r, sees_full(&user))))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RepresentativesRequest {
    pub chief_staff_id: Option<i64>,
    pub leader_name: String,
    pub leader_post: String,
    pub leader_phone: String,
}

pub(crate) fn check_leader(r: &RepresentativesRequest) -> AppResult<Leader> {
    let mut e = ValidationErrors::default();
    let name = r.leader_name.trim();
    if name.chars().count() > 30 {
        e.add(
            "field.too_long",
            "leader_name",
            "分管领导姓名不能超过30个字",
        );
    }
    if r.leader_post.trim().chars().count() > 30 {
        e.add("field.too_long", "leader_post", "职务不能超过30个字");
    }
    let phone = r.leader_phone.trim();
    if !phone.is_empty() && !domain::identity::is_service_phone(phone) {
        e.add(
            "staff.phone_invalid",
            "leader_phone",
            "分管领导联系电话格式不正确",
        );
    }
    e.into_result(Leader {
        name: name.into(),
        post: r.leader_post.trim().into(),
        phone: phone.into(),
    })
    .map_err(AppError::Invalid)
}

/// Names a department's chief representative and leader in charge (admin).
#[utoipa::path(put, path = "/api/v1/departments/{id}/representatives", tag = "staff", params(("id" = i64, Path)),
    request_body = RepresentativesRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RepresentativesDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_representatives(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RepresentativesRequest>,
) -> AppResult<Json<RepresentativesDto>> {
    user.grant(Permission::ManageStaff)?;
    let leader = check_leader(&r)?;
    state
        .store
        .set_representatives(id, r.chief_staff_id, &leader, state.clock.now())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("department"),
            e => e.into(),
        })?;
    get_representatives(State(state), ApiUser(user), Path(id)).await
}

// ------------------------------------------------------------ replacements

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplacementDto {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub leaving_staff_id: i64,
    pub leaving_name: String,
    pub incoming_staff_id: i64,
    pub incoming_name: String,
    pub reason: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub status_name: String,
    /// The leaving person has served under two years: seed 001 wants the
    /// center's written approval.
    pub early: bool,
    pub decision_note: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl ReplacementDto {
    pub(crate) fn new(r: store::Replacement, today: NaiveDate) -> Self {
        Self {
            status_name: ReplacementStatus::parse(&r.status)
                .map_or("", |s| s.label())
                .into(),
            early: replacement_is_early(
                r.leaving_joined_on,
                r.decided_at.map_or(today, |d| {
                    d.with_timezone(&crate::clock::shanghai()).date_naive()
                }),
            ),
            id: r.id,
            department_id: r.department_id,
            department_name: r.department_name,
            leaving_staff_id: r.leaving_staff_id,
            leaving_name: r.leaving_name,
            incoming_staff_id: r.incoming_staff_id,
            incoming_name: r.incoming_name,
            reason: r.reason,
            status: r.status,
            decision_note: r.decision_note,
            requested_at: r.created_at,
            decided_at: r.decided_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplacementList {
    pub replacements: Vec<ReplacementDto>,
}

/// Replacement requests (换岗申请), pending first.
#[utoipa::path(get, path = "/api/v1/staff/replacements", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ReplacementList)))]
async fn list_replacements(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<ReplacementList>> {
    let grant = user.grant(Permission::ViewStaff)?;
    let today = state.clock.today();
    Ok(Json(ReplacementList {
        replacements: state
            .store
            .list_replacements(&grant)
            .await?
            .into_iter()
            .map(|r| ReplacementDto::new(r, today))
            .collect(),
    }))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReplacementRequest {
    pub leaving_staff_id: i64,
    pub incoming_staff_id: i64,
    pub reason: String,
}

/// Asks the center to replace someone (the department's chief
/// representative for their department, or an admin).
#[utoipa::path(post, path = "/api/v1/staff/replacements", tag = "staff", request_body = ReplacementRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ReplacementDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_replacement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(r): ApiJson<ReplacementRequest>,
) -> AppResult<(StatusCode, Json<ReplacementDto>)> {
    Ok((StatusCode::CREATED, Json(replace(&state, &user, &r).await?)))
}

pub(crate) async fn replace(
    state: &AppState,
    user: &AuthUser,
    r: &ReplacementRequest,
) -> AppResult<ReplacementDto> {
    if !matches!(user.user.role, Role::Admin | Role::ChiefRep) {
        return Err(AppError::denied("只有首席代表或中心管理员可以提出换岗申请"));
    }
    let grant = user.grant(Permission::ViewStaff)?;
    let reason = r.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "field.required",
            "reason",
            "请填写换岗理由（不超过500字）",
        ));
    }
    let id = state
        .store
        .request_replacement(
            &grant,
            r.leaving_staff_id,
            r.incoming_staff_id,
            reason,
            user.user.id,
            state.clock.now(),
        )
        .await?;
    tracing::info!(replacement = id, by = %user.user.username, "replacement requested");
    Ok(ReplacementDto::new(
        state.store.replacement(id).await?,
        state.clock.today(),
    ))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecisionRequest {
    pub approve: bool,
    pub note: String,
}

/// Approves (the roster changes in the same transaction) or rejects a
/// replacement request (admin).
#[utoipa::path(post, path = "/api/v1/staff/replacements/{id}/decision", tag = "staff", params(("id" = i64, Path)),
    request_body = DecisionRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ReplacementDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn decide_replacement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DecisionRequest>,
) -> AppResult<Json<ReplacementDto>> {
    Ok(Json(decide(&state, &user, id, &r).await?))
}

pub(crate) async fn decide(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    r: &DecisionRequest,
) -> AppResult<ReplacementDto> {
    user.grant(Permission::ManageStaff)?;
    if !r.approve && r.note.trim().is_empty() {
        return Err(AppError::invalid(
            "field.required",
            "note",
            "驳回时请填写审批意见",
        ));
    }
    let done = state
        .store
        .decide_replacement(
            id,
            r.approve,
            user.user.id,
            r.note.trim(),
            state.clock.now(),
            state.clock.today(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("replacement"),
            e => e.into(),
        })?;
    tracing::info!(replacement = id, approve = r.approve, by = %user.user.username, "replacement decided");
    Ok(ReplacementDto::new(done, state.clock.today()))
}

// ----------------------------------------------------- authorisation matrix

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthorisationDto {
    pub staff_id: i64,
    pub item_id: i64,
    /// `accept`, `refuse`, `notify`, `review`, `conclude`, `fee` or `deliver`.
    pub step: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Matrix {
    /// Empty: the department has no matrix and its clerks keep the roles'
    /// own rules.
    pub entries: Vec<AuthorisationDto>,
}

/// A department's authorisation matrix (授权矩阵).
#[utoipa::path(get, path = "/api/v1/departments/{id}/authorisations", tag = "staff", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Matrix), (status = 404, body = ErrorBody)))]
async fn get_authorisations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Matrix>> {
    let grant = user.grant(Permission::ViewStaff)?;
    if !grant.covers(id) {
        return Err(AppError::NotFound("department"));
    }
    Ok(Json(Matrix {
        entries: state
            .store
            .authorisations(id)
            .await?
            .into_iter()
            .map(|a| AuthorisationDto {
                staff_id: a.staff_id,
                item_id: a.item_id,
                step: a.step.code().into(),
            })
            .collect(),
    }))
}

/// Replaces a department's matrix (admin). Once a department has entries,
/// its clerks and approvers may take a step (受理, 不予受理, 一次性告知, 审查,
/// 办结, 开具缴费通知, 送达) of an item only where the matrix says so; the
/// API answers 403 otherwise. An empty list restores the roles' own rules.
#[utoipa::path(put, path = "/api/v1/departments/{id}/authorisations", tag = "staff", params(("id" = i64, Path)),
    request_body = Matrix,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Matrix), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_authorisations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(m): ApiJson<Matrix>,
) -> AppResult<Json<Matrix>> {
    set_matrix(&state, &user, id, &m).await?;
    get_authorisations(State(state), ApiUser(user), Path(id)).await
}

pub(crate) async fn set_matrix(
    state: &AppState,
    user: &AuthUser,
    department_id: i64,
    m: &Matrix,
) -> AppResult<()> {
    user.grant(Permission::ManageStaff)?;
    let mut e = ValidationErrors::default();
    let mut entries = Vec::new();
    for (i, a) in m.entries.iter().enumerate() {
        match MatrixStep::parse(&a.step) {
            Some(step) => entries.push(Authorisation {
                staff_id: a.staff_id,
                item_id: a.item_id,
                step,
            }),
            None => e.add(
                "matrix.step_invalid",
                format!("entries[{i}].step"),
                "环节应为 accept、refuse、notify、review、conclude、fee 或 deliver",
            ),
        }
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    state
        .store
        .set_authorisations(department_id, &entries, state.clock.now())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("department"),
            e => e.into(),
        })?;
    tracing::info!(department_id, entries = entries.len(), by = %user.user.username, "authorisation matrix saved");
    Ok(())
}

/// Refuses a case action the matrix does not give this clerk (403 with a
/// Chinese message). Departments without a matrix are not restricted.
pub(crate) async fn check_matrix(
    state: &AppState,
    user: &AuthUser,
    case_no: &str,
    action: &domain::case::Action,
) -> AppResult<()> {
    let role = user.user.role;
    let (Some(step), Some(department)) = (MatrixStep::of(action), user.user.department_id) else {
        return Ok(());
    };
    if !matches!(role, Role::Clerk | Role::Approver)
        || !state.store.department_has_matrix(department).await?
    {
        return Ok(());
    }
    let grant = user.grant(Permission::ReadCases)?;
    // A case the clerk cannot see is answered 404 by the action itself.
    let Ok(record) = state
        .store
        .case_by_no(store::CaseViewer::Staff(&grant), case_no)
        .await
    else {
        return Ok(());
    };
    let allowed = state
        .store
        .allowed_steps(user.user.id, record.case.item.item_id)
        .await?;
    if domain::staff::matrix_allows(role, true, step, &allowed) {
        Ok(())
    } else {
        Err(AppError::denied(format!(
            "根据本单位的授权矩阵，您无权办理“{}”事项的“{}”环节",
            record.case.item.name,
            step.label()
        )))
    }
}

// -------------------------------------------------------------- attendance

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceMark {
    pub staff_id: i64,
    pub day: NaiveDate,
    /// Beijing time, `HH:MM`.
    pub signed_in: Option<String>,
    pub signed_out: Option<String>,
}

/// The roster record of the caller (a clerk signs in for themself).
async fn own_staff(state: &AppState, user: &AuthUser) -> AppResult<StaffMember> {
    state
        .store
        .staff_of_user(user.user.id)
        .await?
        .ok_or_else(|| AppError::Conflict {
            code: "attendance.not_on_roster",
            message: "您的账号未关联人员花名册，请联系中心管理员".into(),
            field: None,
        })
}

pub(crate) async fn sign(
    state: &AppState,
    user: &AuthUser,
    out: bool,
) -> AppResult<AttendanceMark> {
    let s = own_staff(state, user).await?;
    let (now, today) = (state.clock.now(), state.clock.today());
    if out {
        state.store.sign_out(s.id, today, now).await?;
    } else {
        state.store.sign_in(s.id, today, now).await?;
    }
    tracing::info!(staff_id = s.id, out, "attendance");
    day_mark(state, s.id, today).await
}

async fn day_mark(state: &AppState, staff_id: i64, day: NaiveDate) -> AppResult<AttendanceMark> {
    let center = center_id(state).await?;
    let grant = system_view();
    let month = state
        .store
        .attendance_month(&grant, center, None, day, day, state.clock.today())
        .await?;
    let rec = month
        .iter()
        .find(|m| m.staff.id == staff_id)
        .and_then(|m| m.days.first())
        .map(|d| d.record)
        .unwrap_or_default();
    Ok(AttendanceMark {
        staff_id,
        day,
        signed_in: rec.signed_in.map(hhmm),
        signed_out: rec.signed_out.map(hhmm),
    })
}

fn system_view() -> Grant {
    domain::access::authorize(
        &domain::access::Actor {
            user_id: 0,
            username: "system".into(),
            role: Role::Admin,
            department_id: None,
        },
        Permission::ViewStaff,
    )
    .expect("an admin may view staff")
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// Signs the caller in for today (the account must be linked to a roster entry).
#[utoipa::path(post, path = "/api/v1/attendance/sign-in", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AttendanceMark), (status = 409, body = ErrorBody)))]
async fn sign_in(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<AttendanceMark>> {
    Ok(Json(sign(&state, &user, false).await?))
}

/// Signs the caller out for today.
#[utoipa::path(post, path = "/api/v1/attendance/sign-out", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AttendanceMark), (status = 409, body = ErrorBody)))]
async fn sign_out(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<AttendanceMark>> {
    Ok(Json(sign(&state, &user, true).await?))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AttendanceRecordRequest {
    pub staff_id: i64,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Beijing time `HH:MM`, empty to keep what is stored.
    pub signed_in: String,
    pub signed_out: String,
}

/// Records a day for someone (admin): a forgotten sign-in, a correction.
#[utoipa::path(post, path = "/api/v1/attendance/records", tag = "staff", request_body = AttendanceRecordRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AttendanceMark), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_attendance(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(r): ApiJson<AttendanceRecordRequest>,
) -> AppResult<Json<AttendanceMark>> {
    Ok(Json(record(&state, &user, &r).await?))
}

pub(crate) async fn record(
    state: &AppState,
    user: &AuthUser,
    r: &AttendanceRecordRequest,
) -> AppResult<AttendanceMark> {
    let grant = user.grant(Permission::ManageStaff)?;
    state
        .store
        .staff_member(&grant, r.staff_id)
        .await
        .map_err(|_| AppError::invalid("staff.unknown", "staff_id", "该人员不在名册中"))?;
    let mut e = ValidationErrors::default();
    let day = parse_date(&r.day);
    if day.is_none() {
        e.add("attendance.day_invalid", "day", "日期格式应为2026-09-30");
    }
    let time =
        |raw: &str, field: &str, e: &mut ValidationErrors| -> Option<Option<DateTime<Utc>>> {
            if raw.trim().is_empty() {
                return Some(None);
            }
            match (domain::hall::parse_clock(raw), day) {
                (Some(t), Some(d)) => d
                    .and_time(t)
                    .and_local_timezone(crate::clock::shanghai())
                    .single()
                    .map(|x| Some(x.to_utc())),
                _ => {
                    e.add("attendance.time_invalid", field, "时间格式应为09:00");
                    None
                }
            }
        };
    let signed_in = time(&r.signed_in, "signed_in", &mut e);
    let signed_out = time(&r.signed_out, "signed_out", &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let day = day.expect("checked");
    state
        .store
        .record_attendance(
            r.staff_id,
            day,
            signed_in.flatten(),
            signed_out.flatten(),
            Some(user.user.id),
            state.clock.now(),
        )
        .await?;
    tracing::info!(staff_id = r.staff_id, %day, by = %user.user.username, "attendance recorded");
    day_mark(state, r.staff_id, day).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceDayDto {
    pub day: NaiveDate,
    pub working: bool,
    pub signed_in: Option<String>,
    pub signed_out: Option<String>,
    pub present: bool,
    pub late: bool,
    pub early_leave: bool,
    pub absent: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendancePerson {
    pub staff_id: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub window_number: Option<String>,
    /// Working days of the month up to today.
    pub working_days: u32,
    pub days_present: u32,
    pub late: u32,
    pub early_leave: u32,
    pub absent: u32,
    pub days: Vec<AttendanceDayDto>,
}

impl AttendancePerson {
    pub(crate) fn new(m: StaffMonth) -> Self {
        Self {
            staff_id: m.staff.id,
            name: m.staff.name,
            department_id: m.staff.department_id,
            department_name: m.staff.department_name,
            window_number: m.staff.window_number,
            working_days: m.tally.working_days,
            days_present: m.tally.present,
            late: m.tally.late,
            early_leave: m.tally.early_leave,
            absent: m.tally.absent,
            days: m
                .days
                .into_iter()
                .map(|d| AttendanceDayDto {
                    day: d.day,
                    working: d.working,
                    signed_in: d.record.signed_in.map(hhmm),
                    signed_out: d.record.signed_out.map(hhmm),
                    present: d.mark.present,
                    late: d.mark.late,
                    early_leave: d.mark.early_leave,
                    absent: d.mark.absent,
                })
                .collect(),
        }
    }

    /// The sheet's short mark of each day of the month.
    pub(crate) fn marks(&self, first: NaiveDate, last: NaiveDate) -> Vec<String> {
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|day| match self.days.iter().find(|d| d.day == day) {
                None => String::new(),
                Some(d) if !d.working => "休".into(),
                Some(d) if d.absent => "缺".into(),
                Some(d) if d.late && d.early_leave => "迟退".into(),
                Some(d) if d.late => "迟".into(),
                Some(d) if d.early_leave => "退".into(),
                Some(d) if d.present => "√".into(),
                Some(_) => String::new(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceSheet {
    /// `2026-10`.
    pub month: String,
    pub people: Vec<AttendancePerson>,
}

#[derive(Debug, Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct AttendanceParams {
    /// `YYYY-MM`, default this month.
    pub month: Option<String>,
    pub department_id: Option<i64>,
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
}

pub(crate) async fn sheet(
    state: &AppState,
    grant: &Grant,
    month: Option<&str>,
    department_id: Option<i64>,
) -> AppResult<(AttendanceSheet, NaiveDate, NaiveDate)> {
    let today = state.clock.today();
    let month = month
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map_or_else(|| today.format("%Y-%m").to_string(), str::to_string);
    let (first, last) = month_bounds(&month).ok_or_else(|| {
        AppError::bad_request(
            "attendance.month_invalid",
            Some("month"),
            "月份格式应为2026-10",
        )
    })?;
    let center = center_id(state).await?;
    let people = state
        .store
        .attendance_month(grant, center, department_id, first, last, today)
        .await?
        .into_iter()
        .map(AttendancePerson::new)
        .collect();
    Ok((AttendanceSheet { month, people }, first, last))
}

/// The monthly attendance sheet (考勤月报): per person the days present, late,
/// early leave and absent (working days only, from the hall's hours and the
/// working calendar), as JSON or Excel (`format=xlsx`).
#[utoipa::path(get, path = "/api/v1/attendance", tag = "staff", params(AttendanceParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AttendanceSheet), (status = 400, body = ErrorBody)))]
async fn attendance(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<AttendanceParams>,
) -> AppResult<Response> {
    let grant = user.grant(Permission::ViewStaff)?;
    let (sheet, first, last) = sheet(&state, &grant, p.month.as_deref(), p.department_id).await?;
    if p.format.as_deref() == Some("xlsx") {
        let bytes = attendance_xlsx(&sheet, first, last)?;
        return Ok(crate::api::reports::xlsx(
            bytes,
            &format!("考勤月报{}.xlsx", sheet.month),
        ));
    }
    Ok(Json(sheet).into_response())
}

pub(crate) fn attendance_xlsx(
    sheet: &AttendanceSheet,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<u8>> {
    let lines: Vec<sheets::AttendanceLine> = sheet
        .people
        .iter()
        .map(|p| sheets::AttendanceLine {
            department: p.department_name.clone(),
            name: p.name.clone(),
            window: p.window_number.clone().unwrap_or_default(),
            days: p.marks(first, last),
            working_days: p.working_days,
            present: p.days_present,
            late: p.late,
            early_leave: p.early_leave,
            absent: p.absent,
        })
        .collect();
    sheets::write_attendance(&format!("工作人员考勤月报（{}）", sheet.month), &lines)
        .map_err(sheet_error)
}

/// The labels of the employment kinds and posts, for forms.
pub(crate) fn employment_kinds() -> Vec<(&'static str, &'static str)> {
    EmploymentKind::ALL
        .iter()
        .map(|k| (k.code(), k.label()))
        .collect()
}
