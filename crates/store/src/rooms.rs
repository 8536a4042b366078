//! Shared rooms (共享功能室) and their bookings.
//!
//! A booking is checked by the domain (opening hours, the center's working
//! calendar, capacity, not in the past) before anything is written; then, in
//! one write transaction, the room's row is locked by bumping its
//! `booking_seq` (SQLite's `BEGIN IMMEDIATE` already holds the database's
//! write lock; on PostgreSQL the row lock makes a second booking of the same
//! room wait until the first commits), the overlaps are looked up among the
//! bookings that hold the room, and the booking is inserted. Two concurrent
//! requests for one slot therefore never both succeed.

use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::room::{
    BookingAction, BookingRefusal, BookingRequest, BookingStatus, NewRoom, OpeningHours, RoomKind,
    RoomRules, Span, booking_after, check_booking, clash_message,
};
use sqlx::AssertSqlSafe;

/// A room as stored.
#[derive(Debug, Clone)]
pub struct Room {
    pub id: i64,
    pub center_id: i64,
    pub name: String,
    pub kind: RoomKind,
    pub floor: String,
    pub capacity: i64,
    pub equipment: Vec<String>,
    pub needs_approval: bool,
    pub hours: OpeningHours,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct RoomRow {
    id: i64,
    center_id: i64,
    name: String,
    kind: String,
    floor: String,
    capacity: i64,
    equipment: String,
    needs_approval: bool,
    hours: String,
    active: bool,
}

impl TryFrom<RoomRow> for Room {
    type Error = StoreError;
    fn try_from(r: RoomRow) -> Result<Self> {
        Ok(Room {
            kind: RoomKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("room {} kind {}", r.id, r.kind)))?,
            equipment: serde_json::from_str(&r.equipment)
                .map_err(|e| StoreError::Corrupt(format!("room {} equipment: {e}", r.id)))?,
            hours: OpeningHours::parse(&r.hours)
                .ok_or_else(|| StoreError::Corrupt(format!("room {} hours {}", r.id, r.hours)))?,
            id: r.id,
            center_id: r.center_id,
            name: r.name,
            floor: r.floor,
            capacity: r.capacity,
            needs_approval: r.needs_approval,
            active: r.active,
        })
    }
}

/// A booking as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRecord {
    pub id: i64,
    pub room_id: i64,
    pub room_name: String,
    pub day: NaiveDate,
    pub start_minute: i64,
    pub end_minute: i64,
    pub purpose: String,
    pub attendees: i64,
    pub organiser: String,
    pub booked_by: i64,
    pub booked_by_name: String,
    pub status: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
    pub created_at: DateTime<Utc>,
}

/// Which bookings to list.
#[derive(Debug, Clone)]
pub struct BookingFilter {
    pub room_id: Option<i64>,
    /// First and last day, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only these statuses; every status when empty.
    pub statuses: Vec<BookingStatus>,
    pub booked_by: Option<i64>,
}

const ROOM_COLUMNS: &str =
    "id, center_id, name, kind, floor, capacity, equipment, needs_approval, hours, active";
const BOOKING_SELECT: &str = "SELECT b.id, b.room_id, r.name AS room_name, b.day, b.start_minute,
    b.end_minute, b.purpose, b.attendees, b.organiser, b.booked_by,
    COALESCE(NULLIF(u.display_name, ''), u.username) AS booked_by_name, b.status,
    COALESCE(NULLIF(d.display_name, ''), d.username) AS decided_by_name, b.decided_at,
    b.decision_note, b.created_at
    FROM room_bookings b JOIN rooms r ON r.id = b.room_id JOIN users u ON u.id = b.booked_by
    LEFT JOIN users d ON d.id = b.decided_by";

fn forbidden(what: &str) -> StoreError {
    StoreError::conflict("auth.forbidden", None, format!("没有{what}的权限"))
}

fn needs(grant: &Grant, allowed: &[Permission], what: &str) -> Result<()> {
    if allowed.contains(&grant.permission()) {
        Ok(())
    } else {
        Err(forbidden(what))
    }
}

impl Store {
    /// Every room (of every center), by center, floor and name; inactive
    /// ones only when asked.
    pub async fn rooms(&self, include_inactive: bool) -> Result<Vec<Room>> {
        let sql = format!(
            "SELECT {ROOM_COLUMNS} FROM rooms WHERE active = $1 OR $2
             ORDER BY center_id, floor, name, id"
        );
        let rows: Vec<RoomRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(true)
            .bind(include_inactive)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Room::try_from).collect()
    }

    pub async fn room(&self, id: i64) -> Result<Option<Room>> {
        let sql = format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1");
        let row: Option<RoomRow> = on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Room::try_from).transpose()
    }

    /// Adds a room to its center (the home center when none is named).
    pub async fn create_room(
        &self,
        grant: &Grant,
        room: &NewRoom,
        now: DateTime<Utc>,
    ) -> Result<Room> {
        needs(grant, &[Permission::ManageRooms], "管理功能室")?;
        let center_id = self.room_center(room.center_id).await?;
        let equipment = serde_json::to_string(&room.equipment)
            .map_err(|e| StoreError::Corrupt(format!("equipment: {e}")))?;
        let id: i64 = on_db!(self, pool => sqlx::query_scalar(
            "INSERT INTO rooms (center_id, name, kind, floor, capacity, equipment, needs_approval, hours,
                active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(center_id)
        .bind(&room.name)
        .bind(room.kind.code())
        .bind(&room.floor)
        .bind(i64::from(room.capacity))
        .bind(&equipment)
        .bind(room.needs_approval)
        .bind(room.hours.to_string())
        .bind(room.active)
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(duplicate_name(&room.name))?);
        self.room(id).await?.ok_or(StoreError::NotFound)
    }

    /// Changes a room. Its bookings stay as they are: a room closed or
    /// shortened keeps what was booked until someone cancels it.
    pub async fn update_room(
        &self,
        grant: &Grant,
        id: i64,
        room: &NewRoom,
        now: DateTime<Utc>,
    ) -> Result<Room> {
        needs(grant, &[Permission::ManageRooms], "管理功能室")?;
        let current = self.room(id).await?.ok_or(StoreError::NotFound)?;
        let center_id = match room.center_id {
            Some(c) => self.room_center(Some(c)).await?,
            None => current.center_id,
        };
        let equipment = serde_json::to_string(&room.equipment)
            .map_err(|e| StoreError::Corrupt(format!("equipment: {e}")))?;
        on_db!(self, pool => sqlx::query(
            "UPDATE rooms SET center_id = $2, name = $3, kind = $4, floor = $5, capacity = $6,
                equipment = $7, needs_approval = $8, hours = $9, active = $10, updated_at = $11
             WHERE id = $1",
        )
        .bind(id)
        .bind(center_id)
        .bind(&room.name)
        .bind(room.kind.code())
        .bind(&room.floor)
        .bind(i64::from(room.capacity))
        .bind(&equipment)
        .bind(room.needs_approval)
        .bind(room.hours.to_string())
        .bind(room.active)
        .bind(now)
        .execute(pool)
        .await
        .map_err(duplicate_name(&room.name))
        .map(drop)?);
        self.room(id).await?.ok_or(StoreError::NotFound)
    }

    async fn room_center(&self, asked: Option<i64>) -> Result<i64> {
        match asked {
            Some(id) => Ok(self
                .center(id)
                .await?
                .ok_or_else(|| {
                    StoreError::conflict("center.not_found", Some("center_id"), "该中心不存在")
                })?
                .id),
            None => Ok(self
                .home_center()
                .await?
                .ok_or_else(|| {
                    StoreError::conflict(
                        "center.not_found",
                        Some("center_id"),
                        "请先建立政务服务中心",
                    )
                })?
                .id),
        }
    }

    /// Books a room: checked against its hours, the center's calendar, its
    /// capacity and `now`, then against the bookings holding it under the
    /// room's lock. A room that needs approval books as pending.
    pub async fn book_room(
        &self,
        grant: &Grant,
        room_id: i64,
        req: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Result<BookingRecord> {
        needs(grant, &[Permission::BookRooms], "预约功能室")?;
        let room = self.room(room_id).await?.ok_or(StoreError::NotFound)?;
        let calendar = self.calendar(room.center_id).await?;
        let rules = RoomRules {
            name: room.name.clone(),
            capacity: u16::try_from(room.capacity).unwrap_or(u16::MAX),
            hours: room.hours.clone(),
            active: room.active,
        };
        check_booking(&rules, req, &calendar, beijing(now)).map_err(|r| match r {
            BookingRefusal::Invalid(e) => StoreError::Invalid(e),
            BookingRefusal::Conflict(c) => StoreError::conflict(c.code, None, c.message),
        })?;
        let status = if room.needs_approval {
            BookingStatus::Pending
        } else {
            BookingStatus::Approved
        };
        let (start, end) = (i64::from(req.span.start()), i64::from(req.span.end()));
        let user_id = grant.actor().user_id;
        let id = write_tx!(self, tx => {
            // Lock the room: a second booking of it waits here until this
            // transaction ends, then sees this booking.
            let locked = sqlx::query(
                "UPDATE rooms SET booking_seq = booking_seq + 1 WHERE id = $1 AND active = $2",
            )
            .bind(room_id)
            .bind(true)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if locked == 0 {
                return Err(StoreError::conflict(
                    "room.inactive",
                    None,
                    format!("{}已停用，不能预约", room.name),
                ));
            }
            let clash: Option<(i64, i64, String, String)> = sqlx::query_as(
                "SELECT start_minute, end_minute, purpose, status FROM room_bookings
                 WHERE room_id = $1 AND day = $2 AND status IN ('pending', 'approved')
                   AND start_minute < $4 AND end_minute > $3
                 ORDER BY start_minute LIMIT 1",
            )
            .bind(room_id)
            .bind(req.date)
            .bind(start)
            .bind(end)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((s, e, purpose, st)) = clash {
                let span = span_of(s, e)?;
                let st = BookingStatus::parse(&st)
                    .ok_or_else(|| StoreError::Corrupt(format!("booking status {st}")))?;
                return Err(StoreError::conflict(
                    "room.conflict",
                    Some("start"),
                    clash_message(req.date, span, &purpose, st),
                ));
            }
            let auto = status == BookingStatus::Approved;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO room_bookings (room_id, day, start_minute, end_minute, purpose, attendees,
                    organiser, booked_by, status, decided_at, decision_note, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            )
            .bind(room_id)
            .bind(req.date)
            .bind(start)
            .bind(end)
            .bind(&req.purpose)
            .bind(i64::from(req.attendees))
            .bind(&req.organiser)
            .bind(user_id)
            .bind(status.code())
            .bind(auto.then_some(now))
            .bind(if auto { "该功能室无需审批" } else { "" })
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        });
        self.booking(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn booking(&self, id: i64) -> Result<Option<BookingRecord>> {
        let sql = format!("{BOOKING_SELECT} WHERE b.id = $1");
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Bookings by day and start, as the calendars and lists show them.
    pub async fn room_bookings(
        &self,
        grant: &Grant,
        filter: &BookingFilter,
    ) -> Result<Vec<BookingRecord>> {
        needs(
            grant,
            &[Permission::BookRooms, Permission::ManageRooms],
            "查看功能室预约",
        )?;
        let mut conditions = vec![
            "b.day >= $1 AND b.day <= $2".to_string(),
            "($3 = 0 OR b.room_id = $3)".to_string(),
            "($4 = 0 OR b.booked_by = $4)".to_string(),
        ];
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.code()))
                .collect();
            conditions.push(format!("b.status IN ({})", list.join(", ")));
        }
        let sql = format!(
            "{BOOKING_SELECT} WHERE {} ORDER BY b.day, b.start_minute, r.name, b.id LIMIT 2000",
            conditions.join(" AND ")
        );
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.room_id.unwrap_or(0))
            .bind(filter.booked_by.unwrap_or(0))
            .fetch_all(pool)
            .await?),
        )
    }

    /// Approves, rejects or cancels a booking. The center (`ManageRooms`)
    /// may take any step; a booker (`BookRooms`) may cancel their own.
    pub async fn act_on_booking(
        &self,
        grant: &Grant,
        id: i64,
        action: BookingAction,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<BookingRecord> {
        let current = self.booking(id).await?.ok_or(StoreError::NotFound)?;
        let user_id = grant.actor().user_id;
        let allowed = match grant.permission() {
            Permission::ManageRooms => true,
            Permission::BookRooms => !action.by_center_only() && current.booked_by == user_id,
            _ => false,
        };
        if !allowed {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                if action.by_center_only() {
                    "只有中心管理员可以审批功能室预约"
                } else {
                    "只有预约人或中心管理员可以取消预约"
                },
            ));
        }
        let before = BookingStatus::parse(&current.status)
            .ok_or_else(|| StoreError::Corrupt(format!("booking status {}", current.status)))?;
        let after = booking_after(before, action)
            .map_err(|c| StoreError::conflict(c.code, None, c.message))?;
        let note = note.trim();
        if note.chars().count() > 200 {
            return Err(StoreError::Invalid(
                domain::FieldError::new("field.too_long", "note", "说明不能超过200个字").into(),
            ));
        }
        write_tx!(self, tx => {
            let changed = sqlx::query(
                "UPDATE room_bookings SET status = $2, decided_by = $3, decided_at = $4,
                    decision_note = $5, updated_at = $4
                 WHERE id = $1 AND status = $6",
            )
            .bind(id)
            .bind(after.code())
            .bind(user_id)
            .bind(now)
            .bind(note)
            .bind(before.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::conflict(
                    "room.booking_changed",
                    None,
                    "该预约刚被他人处理，请刷新后再试",
                ));
            }
        });
        self.booking(id).await?.ok_or(StoreError::NotFound)
    }
}

fn duplicate_name(name: &str) -> impl FnOnce(sqlx::Error) -> StoreError {
    let message = format!("已有名为“{name}”的功能室");
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::conflict("room.duplicate", Some("name"), message)
        }
        _ => StoreError::Database(e),
    }
}

fn span_of(start: i64, end: i64) -> Result<Span> {
    u16::try_from(start)
        .ok()
        .zip(u16::try_from(end).ok())
        .and_then(|(s, e)| Span::new(s, e))
        .ok_or_else(|| StoreError::Corrupt(format!("booking span {start}-{end}")))
}

/// Beijing wall-clock time of an instant.
fn beijing(now: DateTime<Utc>) -> chrono::NaiveDateTime {
    let offset = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    now.with_timezone(&offset).naive_local()
}
