//! Complaints and requests (投诉 / 12345 诉求): intake one by one or a whole
//! hotline export at once (all or nothing), routing, the steps of each with
//! their history, and the lists the supervision office and the departments
//! work from.

use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::case::EventBody;
use domain::complaint::{
    ComplaintAction, ComplaintEventKind, ComplaintStatus, NewComplaint, complaint_after,
};
use domain::supervision::beijing_date;
use domain::validation::ValidationErrors;
use sqlx::AssertSqlSafe;
use std::collections::HashSet;

macro_rules! insert_complaint_event {
    ($tx:ident, $id:expr, $kind:expr, $user:expr, $name:expr, $note:expr, $now:expr) => {{
        let kind: ComplaintEventKind = $kind;
        sqlx::query(
            "INSERT INTO complaint_events (complaint_id, kind, actor_user_id, actor_name, note, at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind($id)
        .bind(kind.code())
        .bind($user)
        .bind($name)
        .bind($note)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// One complaint to register, with the department it is routed to when the
/// intake names one, and the prefix its fields are named with in errors
/// (`rows[3].` for the fourth row of an import).
#[derive(Debug, Clone)]
pub struct ComplaintIntake {
    pub complaint: NewComplaint,
    pub department_id: Option<i64>,
    /// A department named in words (a hotline export's 承办部门).
    pub department_name: Option<String>,
    pub field_prefix: String,
}

/// A complaint as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRecord {
    pub id: i64,
    pub source: String,
    pub category: String,
    pub complainant_name: String,
    pub phone: String,
    pub content: String,
    pub case_no: Option<String>,
    pub staff_name: String,
    pub external_no: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub status: String,
    pub received_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    pub open_due: Option<NaiveDate>,
    pub reply: String,
    pub replied_on: Option<NaiveDate>,
    pub satisfaction: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One step of a complaint's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintEventRecord {
    pub kind: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// Filters of the complaint list.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    /// Only these statuses; every status when empty.
    pub statuses: Vec<ComplaintStatus>,
    pub department_id: Option<i64>,
    /// Only those still unanswered after their due date, as of this day.
    pub overdue_on: Option<NaiveDate>,
    pub offset: i64,
    pub limit: i64,
}

const COMPLAINT_COLUMNS: &str = "c.id, c.source, c.category, c.complainant_name, c.phone, c.content,
    k.case_no, COALESCE(NULLIF(u.display_name, ''), NULLIF(c.staff_name, ''), u.username, '') AS staff_name,
    c.external_no, c.department_id, d.name AS department_name, c.status, c.received_at, c.due_date,
    c.open_due, c.reply, c.replied_on, c.satisfaction, c.closed_at";
const COMPLAINT_FROM: &str = "FROM complaints c LEFT JOIN cases k ON k.id = c.case_id
    LEFT JOIN departments d ON d.id = c.department_id LEFT JOIN users u ON u.id = c.staff_user_id";

/// What an intake resolves to before anything is written.
struct Resolved {
    center_id: i64,
    case_id: Option<i64>,
    staff_user_id: Option<i64>,
    department_id: Option<i64>,
    due_date: NaiveDate,
}

fn forbidden(what: &str) -> StoreError {
    StoreError::conflict("auth.forbidden", None, format!("没有{what}的权限"))
}

impl Store {
    /// Registers complaints, all or nothing, and answers each one's id and
    /// due date: every row is resolved first (its
    /// case, the staff member, the department, the due date on the center's
    /// calendar) and any problem is reported by field before anything is
    /// written. One routed to a department (by its case or by name) is
    /// assigned at once. `grant` is the registering supervisor; `None` is the
    /// public web form.
    pub async fn register_complaints(
        &self,
        grant: Option<&Grant>,
        intakes: &[ComplaintIntake],
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, NaiveDate)>> {
        if let Some(g) = grant
            && g.permission() != Permission::Supervise
        {
            return Err(forbidden("登记投诉"));
        }
        let today = beijing_date(now);
        let home = self
            .home_center()
            .await?
            .ok_or_else(|| StoreError::conflict("center.missing", None, "尚未设立政务服务中心"))?;
        let departments = self.list_departments().await?;
        let mut errors = ValidationErrors::default();
        let mut resolved = Vec::with_capacity(intakes.len());
        let mut seen_numbers = HashSet::new();
        for intake in intakes {
            let p = &intake.field_prefix;
            let c = &intake.complaint;
            let mut case_id = None;
            let mut staff_user_id = None;
            let mut department_id = intake.department_id;
            if let Some(no) = &c.case_no {
                match self.case_record(no).await {
                    Ok(record) => {
                        case_id = Some(record.id);
                        department_id = Some(record.case.item.department_id);
                        staff_user_id = self
                            .case_events(record.id)
                            .await?
                            .into_iter()
                            .find(|e| matches!(e.event.body, EventBody::Accepted { .. }))
                            .and_then(|e| e.event.actor.user_id);
                    }
                    Err(StoreError::NotFound) => errors.add(
                        "complaint.case_not_found",
                        format!("{p}case_no"),
                        format!("办件 {no} 不存在"),
                    ),
                    Err(e) => return Err(e),
                }
            }
            if department_id.is_none()
                && let Some(name) = &intake.department_name
            {
                let name = name.trim();
                match departments
                    .iter()
                    .find(|d| d.name == name || d.short_name == name)
                {
                    Some(d) => department_id = Some(d.id),
                    None => errors.add(
                        "complaint.department_not_found",
                        format!("{p}department"),
                        format!("承办部门“{name}”不存在"),
                    ),
                }
            } else if let Some(d) = department_id
                && !departments.iter().any(|x| x.id == d)
            {
                errors.add(
                    "complaint.department_not_found",
                    format!("{p}department_id"),
                    "该部门不存在",
                );
            }
            if staff_user_id.is_none()
                && let Some(name) = &c.staff_name
            {
                let ids: Vec<i64> = on_db!(self, pool => sqlx::query_scalar(
                    "SELECT id FROM users WHERE display_name = $1
                       AND role IN ('clerk', 'approver', 'chief_rep') AND active = $2",
                )
                .bind(name)
                .bind(true)
                .fetch_all(pool)
                .await?);
                if let [one] = ids.as_slice() {
                    staff_user_id = Some(*one);
                }
            }
            if let Some(no) = &c.external_no {
                let taken: Option<i64> = on_db!(self, pool => sqlx::query_scalar(
                    "SELECT id FROM complaints WHERE external_no = $1",
                )
                .bind(no)
                .fetch_optional(pool)
                .await?);
                if taken.is_some() || !seen_numbers.insert(no.clone()) {
                    errors.add(
                        "complaint.duplicate",
                        format!("{p}external_no"),
                        format!("工单 {no} 已登记过"),
                    );
                }
            }
            let center_id = department_id
                .and_then(|d| departments.iter().find(|x| x.id == d))
                .map_or(home.id, |d| d.center_id);
            let calendar = self.calendar(center_id).await?;
            let due_date = calendar
                .add_working_days(today, c.category.sla_working_days())
                .map_err(|e| StoreError::Corrupt(format!("calendar: {e}")))?;
            resolved.push(Resolved {
                center_id,
                case_id,
                staff_user_id,
                department_id,
                due_date,
            });
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (user_id, name) = match grant {
            Some(g) => {
                let id = g.actor().user_id;
                (Some(id), user_name(self, id).await?)
            }
            None => (None, "网上投诉".to_string()),
        };
        let ids = write_tx!(self, tx => {
            let mut ids = Vec::with_capacity(intakes.len());
            for (intake, r) in intakes.iter().zip(&resolved) {
                let c = &intake.complaint;
                let status = if r.department_id.is_some() { "assigned" } else { "received" };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO complaints (center_id, source, category, complainant_name, phone, content,
                        case_id, staff_user_id, staff_name, external_no, department_id, status, received_at,
                        received_on, sla_working_days, due_date, open_due, registered_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $13, $13)
                     RETURNING id",
                )
                .bind(r.center_id)
                .bind(c.source.code())
                .bind(c.category.code())
                .bind(&c.complainant_name)
                .bind(&c.phone)
                .bind(&c.content)
                .bind(r.case_id)
                .bind(r.staff_user_id)
                .bind(c.staff_name.as_deref().unwrap_or(""))
                .bind(c.external_no.as_deref())
                .bind(r.department_id)
                .bind(status)
                .bind(now)
                .bind(today)
                .bind(i64::from(c.category.sla_working_days()))
                .bind(r.due_date)
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
                let note = format!("{}：{}", c.source.label(), c.category.label());
                insert_complaint_event!(tx, id, ComplaintEventKind::Received, user_id, &name, &note, now);
                if let Some(d) = r.department_id {
                    let to = departments.iter().find(|x| x.id == d).map_or("", |x| x.name.as_str());
                    let why = if r.case_id.is_some() { "按办件自动交办" } else { "按承办部门交办" };
                    insert_complaint_event!(tx, id, ComplaintEventKind::Assigned, None::<i64>, "投诉管理系统",
                        &format!("{why}：{to}，{}前答复", r.due_date.format("%Y年%m月%d日")), now);
                }
                ids.push((id, r.due_date));
            }
            ids
        });
        Ok(ids)
    }

    /// Complaints the grant sees (a department those assigned to it), open
    /// ones first by due date.
    pub async fn complaints(
        &self,
        grant: &Grant,
        filter: &ComplaintFilter,
    ) -> Result<(Vec<ComplaintRecord>, i64)> {
        if grant.permission() != Permission::ViewSupervision {
            return Err(forbidden("查看投诉"));
        }
        let scope = grant.scope().department();
        if let (Some(mine), Some(asked)) = (scope, filter.department_id)
            && mine != asked
        {
            return Ok((Vec::new(), 0));
        }
        let department = scope.or(filter.department_id).unwrap_or(0);
        let mut conditions = vec!["($1 = 0 OR c.department_id = $1)".to_string()];
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.code()))
                .collect();
            conditions.push(format!("c.status IN ({})", list.join(", ")));
        }
        if filter.overdue_on.is_some() {
            conditions.push("c.open_due < $2".into());
        }
        let filter_sql = format!("WHERE {}", conditions.join(" AND "));
        let limit = filter.limit.clamp(1, 500);
        let offset = filter.offset.max(0);
        let list_sql = format!(
            "SELECT {COMPLAINT_COLUMNS} {COMPLAINT_FROM} {filter_sql}
             ORDER BY CASE WHEN c.open_due IS NULL THEN 1 ELSE 0 END, c.open_due, c.id DESC
             LIMIT {limit} OFFSET {offset}"
        );
        let count_sql = format!("SELECT COUNT(*) FROM complaints c {filter_sql}");
        let day = filter.overdue_on.unwrap_or(NaiveDate::MIN);
        let (rows, total) = on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, ComplaintRecord>(AssertSqlSafe(list_sql.as_str())).bind(department);
            let mut c = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str())).bind(department);
            if filter.overdue_on.is_some() {
                q = q.bind(day);
                c = c.bind(day);
            }
            (q.fetch_all(pool).await?, c.fetch_one(pool).await?)
        });
        Ok((rows, total))
    }

    /// One complaint with its history, if the grant sees it.
    pub async fn complaint(
        &self,
        grant: &Grant,
        id: i64,
    ) -> Result<(ComplaintRecord, Vec<ComplaintEventRecord>)> {
        if !matches!(
            grant.permission(),
            Permission::ViewSupervision | Permission::Supervise | Permission::AnswerCorrections
        ) {
            return Err(forbidden("查看投诉"));
        }
        let row = self
            .complaint_row(id)
            .await?
            .filter(|r| match grant.scope().department() {
                None => true,
                Some(d) => r.department_id == Some(d),
            })
            .ok_or(StoreError::NotFound)?;
        let events: Vec<ComplaintEventRecord> = on_db!(self, pool => sqlx::query_as(
            "SELECT kind, actor_name, note, at FROM complaint_events WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?);
        Ok((row, events))
    }

    async fn complaint_row(&self, id: i64) -> Result<Option<ComplaintRecord>> {
        let sql = format!("SELECT {COMPLAINT_COLUMNS} {COMPLAINT_FROM} WHERE c.id = $1");
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// A step on a complaint: supervisors assign, return, close and reopen;
    /// the department it is assigned to signs, sends back and answers.
    pub async fn act_on_complaint(
        &self,
        grant: &Grant,
        id: i64,
        action: ComplaintAction,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<ComplaintRecord> {
        let needed = if action.by_supervisor() {
            Permission::Supervise
        } else {
            Permission::AnswerCorrections
        };
        if grant.permission() != needed {
            return Err(forbidden(action.event().label()));
        }
        let (current, _) = self.complaint(grant, id).await?;
        let before = ComplaintStatus::parse(&current.status)
            .ok_or_else(|| StoreError::Corrupt(format!("complaint status {}", current.status)))?;
        let after = complaint_after(before, action)
            .map_err(|c| StoreError::conflict(c.code, None, c.message))?;
        let today = beijing_date(now);
        let mut department_id = current.department_id;
        let mut due_date = current.due_date;
        let mut note = note.to_string();
        match action {
            ComplaintAction::Assign { department_id: to } => {
                let d = self.department(to).await?.ok_or_else(|| {
                    StoreError::conflict(
                        "complaint.department_not_found",
                        Some("department_id"),
                        "该部门不存在",
                    )
                })?;
                department_id = Some(to);
                note = if note.is_empty() {
                    format!("交办：{}", d.name)
                } else {
                    format!("交办：{}。{note}", d.name)
                };
            }
            ComplaintAction::SendBack => department_id = None,
            ComplaintAction::Reopen => {
                // A new time limit from today, as long as the category's.
                let center = match department_id {
                    Some(d) => self.department(d).await?.map(|d| d.center_id),
                    None => None,
                };
                let center = match center {
                    Some(c) => c,
                    None => self.home_center().await?.map_or(0, |c| c.id),
                };
                let sla: i64 = on_db!(self, pool => sqlx::query_scalar(
                    "SELECT sla_working_days FROM complaints WHERE id = $1",
                )
                .bind(id)
                .fetch_one(pool)
                .await?);
                due_date = self
                    .calendar(center)
                    .await?
                    .add_working_days(today, u32::try_from(sla).unwrap_or(5))
                    .map_err(|e| StoreError::Corrupt(format!("calendar: {e}")))?;
            }
            _ => {}
        }
        let open_due = after.is_open().then_some(due_date);
        let satisfaction = match action {
            ComplaintAction::Close { satisfaction } => Some(satisfaction.code()),
            _ => current
                .satisfaction
                .as_deref()
                .and_then(|s| domain::complaint::Satisfaction::parse(s).map(|s| s.code())),
        };
        let replying = action == ComplaintAction::Reply;
        let user_id = grant.actor().user_id;
        let name = user_name(self, user_id).await?;
        write_tx!(self, tx => {
            let changed = sqlx::query(
                "UPDATE complaints SET status = $2, department_id = $3, due_date = $4, open_due = $5,
                    reply = CASE WHEN $6 THEN $7 ELSE reply END,
                    replied_on = CASE WHEN $6 THEN $8 ELSE replied_on END,
                    satisfaction = $9,
                    closed_at = CASE WHEN $2 = 'closed' THEN $10 ELSE NULL END,
                    updated_at = $10
                 WHERE id = $1 AND status = $11",
            )
            .bind(id)
            .bind(after.code())
            .bind(department_id)
            .bind(due_date)
            .bind(open_due)
            .bind(replying)
            .bind(&note)
            .bind(today)
            .bind(satisfaction)
            .bind(now)
            .bind(before.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::conflict(
                    "complaint.changed",
                    None,
                    "该诉求刚被他人处理，请刷新后再试",
                ));
            }
            let event_note = match action {
                ComplaintAction::Close { satisfaction } if note.is_empty() => {
                    format!("诉求人评价：{}", satisfaction.label())
                }
                ComplaintAction::Close { satisfaction } => {
                    format!("诉求人评价：{}。{note}", satisfaction.label())
                }
                ComplaintAction::Reopen => {
                    format!("{note}（新的答复期限：{}）", due_date.format("%Y年%m月%d日"))
                }
                _ => note.clone(),
            };
            insert_complaint_event!(tx, id, action.event(), Some(user_id), &name, &event_note, now);
        });
        // Read without the grant's scope: a complaint sent back is no longer
        // the department's, but it may see what it just did.
        self.complaint_row(id).await?.ok_or(StoreError::NotFound)
    }
}

async fn user_name(store: &Store, user_id: i64) -> Result<String> {
    let name: Option<String> = on_db!(store, pool => sqlx::query_scalar(
        "SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?);
    Ok(name.unwrap_or_default())
}
