//! Appointments (预约): each category's settings (slot length, capacity per
//! slot, days ahead), the extra service days a center opens, bookings with
//! capacity held by a per-slot counter (`appointment_slots`, bumped by one
//! guarded upsert in the booking's transaction, so concurrent bookings never
//! overfill a slot), cancelling, check-in (which issues a priority ticket in
//! the same transaction) and the worker's no-show step.

use crate::{NewTicket, Result, Store, StoreError, Ticket, on_db, write_tx};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::hall::parse_clock;
use domain::queue::{
    AppointmentSettings, AppointmentState, Booker, Priority, ServiceDay, ServiceDayKind, Slot,
    TicketSource,
};
use domain::supervision::beijing_date;

/// A booking as stored.
#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: i64,
    pub center_id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub day: NaiveDate,
    pub slot: Slot,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub user_id: Option<i64>,
    pub state: AppointmentState,
    pub ticket_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AppointmentRow {
    id: i64,
    center_id: i64,
    category_id: i64,
    category_name: String,
    day: NaiveDate,
    slot_start: String,
    slot_end: String,
    code: String,
    name: String,
    phone: String,
    user_id: Option<i64>,
    state: String,
    ticket_id: Option<i64>,
    created_at: DateTime<Utc>,
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = StoreError;
    fn try_from(r: AppointmentRow) -> Result<Appointment> {
        let bad = || StoreError::Corrupt(format!("appointment {}", r.id));
        Ok(Appointment {
            slot: Slot {
                start: parse_clock(&r.slot_start).ok_or_else(bad)?,
                end: parse_clock(&r.slot_end).ok_or_else(bad)?,
            },
            state: AppointmentState::parse(&r.state).ok_or_else(bad)?,
            id: r.id,
            center_id: r.center_id,
            category_id: r.category_id,
            category_name: r.category_name,
            day: r.day,
            code: r.code,
            name: r.name,
            phone: r.phone,
            user_id: r.user_id,
            ticket_id: r.ticket_id,
            created_at: r.created_at,
        })
    }
}

const APPOINTMENT_SELECT: &str = "SELECT a.id, a.center_id, a.category_id, c.name AS category_name,
    a.day, a.slot_start, a.slot_end, a.code, a.name, a.phone, a.user_id, a.state, a.ticket_id, a.created_at
    FROM appointments a JOIN business_categories c ON c.id = a.category_id";

/// A booking to make; the web layer has checked the rules that need no data.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub center_id: i64,
    pub category_id: i64,
    pub day: NaiveDate,
    pub slot: Slot,
    pub booker: Booker,
    pub user_id: Option<i64>,
    pub code: String,
    pub capacity: u32,
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl Store {
    /// A category's appointment settings (the defaults until an admin sets them).
    pub async fn appointment_settings(&self, category_id: i64) -> Result<AppointmentSettings> {
        let row: Option<(bool, i64, i64, i64)> = on_db!(self, pool => sqlx::query_as(
            "SELECT enabled, slot_minutes, capacity, days_ahead FROM appointment_settings WHERE category_id = $1")
            .bind(category_id)
            .fetch_optional(pool)
            .await?);
        Ok(
            row.map_or_else(AppointmentSettings::default, |(e, s, c, d)| {
                AppointmentSettings {
                    enabled: e,
                    slot_minutes: s as u32,
                    capacity: c as u32,
                    days_ahead: d as u32,
                }
            }),
        )
    }

    pub async fn set_appointment_settings(
        &self,
        category_id: i64,
        s: &AppointmentSettings,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_db!(self, pool => sqlx::query(
            "INSERT INTO appointment_settings (category_id, enabled, slot_minutes, capacity, days_ahead, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (category_id) DO UPDATE SET enabled = $2, slot_minutes = $3, capacity = $4,
               days_ahead = $5, updated_at = $6")
            .bind(category_id)
            .bind(s.enabled)
            .bind(i64::from(s.slot_minutes))
            .bind(i64::from(s.capacity))
            .bind(i64::from(s.days_ahead))
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// The extra service days of a center from `from` on (ids with them).
    pub async fn service_days(
        &self,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, ServiceDay)>> {
        let rows: Vec<(i64, NaiveDate, String, String, String, String)> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, day, kind, opens, closes, note FROM service_days
             WHERE center_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, opens")
            .bind(center_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?);
        rows.into_iter()
            .map(|(id, day, kind, opens, closes, note)| {
                let bad = || StoreError::Corrupt(format!("service day {id}"));
                Ok((
                    id,
                    ServiceDay {
                        day,
                        kind: ServiceDayKind::parse(&kind).ok_or_else(bad)?,
                        opens: parse_clock(&opens).ok_or_else(bad)?,
                        closes: parse_clock(&closes).ok_or_else(bad)?,
                        note,
                    },
                ))
            })
            .collect()
    }

    pub async fn add_service_day(
        &self,
        center_id: i64,
        d: &ServiceDay,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "INSERT INTO service_days (center_id, day, kind, opens, closes, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(center_id)
            .bind(d.day)
            .bind(d.kind.code())
            .bind(hhmm(d.opens))
            .bind(hhmm(d.closes))
            .bind(&d.note)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(StoreError::on_unique("service_day.exists", "day", "该日已开设同类服务"))?))
    }

    /// Removes an extra service day; bookings already made stay valid.
    pub async fn delete_service_day(&self, center_id: i64, id: i64) -> Result<()> {
        let n = on_db!(self, pool => sqlx::query("DELETE FROM service_days WHERE id = $1 AND center_id = $2")
            .bind(id)
            .bind(center_id)
            .execute(pool)
            .await?
            .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Active bookings per slot start ('HH:MM') of a category's day.
    pub async fn slot_bookings(
        &self,
        category_id: i64,
        day: NaiveDate,
    ) -> Result<Vec<(String, i64)>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT slot_start, booked FROM appointment_slots WHERE category_id = $1 AND day = $2")
            .bind(category_id)
            .bind(day)
            .fetch_all(pool)
            .await?))
    }

    /// Books a slot: the slot's counter is bumped only while below capacity
    /// and the booking written in the same transaction; one active booking
    /// per phone per category per day (a unique index).
    pub async fn book(&self, b: &NewBooking, now: DateTime<Utc>) -> Result<Appointment> {
        let start = hhmm(b.slot.start);
        let id: i64 = write_tx!(self, tx => {
            let booked: Option<i64> = sqlx::query_scalar(
                "INSERT INTO appointment_slots (category_id, day, slot_start, booked, created_at) VALUES ($1, $2, $3, 1, $5)
                 ON CONFLICT (category_id, day, slot_start) DO UPDATE SET booked = appointment_slots.booked + 1
                 WHERE appointment_slots.booked < $4
                 RETURNING booked")
                .bind(b.category_id)
                .bind(b.day)
                .bind(&start)
                .bind(i64::from(b.capacity))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if booked.is_none() {
                return Err(StoreError::conflict("appointment.full", Some("slot"), "该时段已约满，请选择其他时段"));
            }
            sqlx::query_scalar(
                "INSERT INTO appointments (center_id, category_id, day, slot_start, slot_end, code, name, phone, user_id, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'booked', $10) RETURNING id")
                .bind(b.center_id)
                .bind(b.category_id)
                .bind(b.day)
                .bind(&start)
                .bind(hhmm(b.slot.end))
                .bind(&b.code)
                .bind(&b.booker.name)
                .bind(&b.booker.phone)
                .bind(b.user_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_unique_violation() && db.message().contains("code") => {
                        StoreError::conflict("appointment.code_taken", None, "预约码冲突，请重试")
                    }
                    sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::conflict(
                        "appointment.duplicate",
                        Some("phone"),
                        "您当天已预约该类业务，不能重复预约",
                    ),
                    _ => StoreError::Database(e),
                })?
        });
        self.appointment(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn appointment(&self, id: i64) -> Result<Option<Appointment>> {
        let row: Option<AppointmentRow> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE a.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        row.map(Appointment::try_from).transpose()
    }

    pub async fn appointment_by_code(&self, code: &str) -> Result<Option<Appointment>> {
        let row: Option<AppointmentRow> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE a.code = $1")))
            .bind(code.trim().to_uppercase())
            .fetch_optional(pool)
            .await?);
        row.map(Appointment::try_from).transpose()
    }

    /// A person's bookings (by phone or account), newest day first.
    pub async fn appointments_of(
        &self,
        phone: Option<&str>,
        user_id: Option<i64>,
    ) -> Result<Vec<Appointment>> {
        let rows: Vec<AppointmentRow> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE a.phone = $1 OR a.user_id = $2 ORDER BY a.day DESC, a.slot_start DESC LIMIT 100")))
            .bind(phone.unwrap_or("-"))
            .bind(user_id.unwrap_or(-1))
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Appointment::try_from).collect()
    }

    /// A center's bookings of a day, by slot.
    pub async fn appointments_on(
        &self,
        center_id: i64,
        day: NaiveDate,
    ) -> Result<Vec<Appointment>> {
        let rows: Vec<AppointmentRow> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE a.center_id = $1 AND a.day = $2 ORDER BY a.slot_start, a.id")))
            .bind(center_id)
            .bind(day)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(Appointment::try_from).collect()
    }

    /// Cancels a booking (only while booked) and frees its place in the slot.
    pub async fn cancel_appointment(&self, id: i64, now: DateTime<Utc>) -> Result<Appointment> {
        write_tx!(self, tx => {
            let row: Option<(i64, NaiveDate, String)> = sqlx::query_as(
                "UPDATE appointments SET state = 'cancelled', cancelled_at = $2 WHERE id = $1 AND state = 'booked'
                 RETURNING category_id, day, slot_start")
                .bind(id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((category_id, day, start)) = row else {
                return Err(StoreError::conflict("appointment.state", None, "该预约已签到、已取消或已爽约，不能取消"));
            };
            sqlx::query("UPDATE appointment_slots SET booked = booked - 1 WHERE category_id = $1 AND day = $2 AND slot_start = $3 AND booked > 0")
                .bind(category_id)
                .bind(day)
                .bind(start)
                .execute(&mut *tx)
                .await?;
        });
        self.appointment(id).await?.ok_or(StoreError::NotFound)
    }

    /// Checks a booking in: a priority ticket of its category is issued and
    /// the booking marked checked in, in one transaction. The web layer has
    /// checked the check-in window.
    pub async fn check_in_appointment(
        &self,
        a: &Appointment,
        hall_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Ticket> {
        self.issue_ticket_for(
            &NewTicket {
                center_id: a.center_id,
                hall_id,
                category_id: a.category_id,
                priority: Priority::Appointment,
                source: TicketSource::Appointment,
            },
            Some(a.id),
            now,
        )
        .await
    }

    /// The worker's step: bookings not checked in by the end of their slot
    /// become no-shows. Returns how many.
    pub async fn record_no_shows(&self, now: DateTime<Utc>) -> Result<u64> {
        let local = now.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"));
        let today = beijing_date(now);
        let time = hhmm(local.time());
        Ok(on_db!(self, pool => sqlx::query(
            "UPDATE appointments SET state = 'no_show'
             WHERE state = 'booked' AND (day < $1 OR (day = $1 AND slot_end <= $2))")
            .bind(today)
            .bind(time)
            .execute(pool)
            .await?
            .rows_affected()))
    }
}
