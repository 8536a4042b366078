//! The queue (排队叫号) and appointments (预约) as rules.
//!
//! - **Numbers**: a ticket's number is its business category's letter and its
//!   sequence in that category on that Beijing day, three digits at least
//!   (`A001`, `A999`, `A1000`); sequences start again each day.
//! - **States**: waiting → called → serving → done; a called ticket may be
//!   recalled (counted, stays called) or skipped (过号, a no-show); a waiting
//!   or called ticket may be transferred to another category or to one
//!   window, and then waits again. [`ticket_after`] is the only transition.
//! - **Transfers keep their number and their place**: the ticket's place in
//!   a queue is its issue time (`queue_at`), which a transfer keeps, so a
//!   transferred person goes ahead of everyone who took a ticket after them
//!   and never starts again at the back.
//! - **Priority** ([`Priority`]): appointment check-ins, the elderly (70 or
//!   older by the ID number's birth date, or a flag) and the disabled go
//!   before ordinary tickets, but never more than
//!   [`MAX_PRIORITY_STREAK`] (2) priority calls in a row at one window while
//!   ordinary tickets wait, so ordinary tickets are never starved.
//!   [`next_ticket`] is that rule as a pure function.
//! - **Appointments**: slots of a category's day come from the hall's hours on
//!   working days of the center's calendar, plus the extra service sessions
//!   the center opens (延时服务 evenings, "5+2" weekend days), cut into slots
//!   of the configured length. A booking must be for a slot that has not
//!   started, within the configured number of days ahead; capacity and one
//!   active booking per person per category per day are checked by the store.
//!   Check-in is open from 30 minutes before to 15 minutes after the slot's
//!   start; a booking not checked in by the slot's end is a no-show.

use crate::calendar::WorkCalendar;
use crate::hall::{HallHours, parse_clock};
use crate::identity::IdCardNumber;
use crate::macros::coded_enum;
use crate::validation::ValidationErrors;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// Where a ticket is in its life.
    TicketState {
        Waiting = "waiting", "等候中";
        Called = "called", "已叫号";
        Serving = "serving", "办理中";
        Done = "done", "已办结";
        Skipped = "skipped", "过号";
    }
);

coded_enum!(
    /// Why a ticket goes before ordinary ones.
    Priority {
        None = "none", "普通";
        Appointment = "appointment", "预约";
        Elderly = "elderly", "老年人";
        Disabled = "disabled", "残疾人";
    }
);

coded_enum!(
    /// Where a ticket was taken.
    TicketSource {
        Kiosk = "kiosk", "取号机";
        Phone = "phone", "手机取号";
        Appointment = "appointment", "预约签到";
        Window = "window", "窗口";
    }
);

coded_enum!(
    /// What a window does to a ticket.
    TicketAction {
        Call = "call", "叫号";
        Recall = "recall", "重呼";
        Skip = "skip", "过号";
        Transfer = "transfer", "转移";
        Serve = "serve", "开始办理";
        Finish = "finish", "办结";
    }
);

coded_enum!(
    /// Where an appointment is in its life.
    AppointmentState {
        Booked = "booked", "已预约";
        Cancelled = "cancelled", "已取消";
        CheckedIn = "checked_in", "已签到";
        NoShow = "no_show", "爽约";
    }
);

coded_enum!(
    /// Extra service a center opens on a day: an evening session after the
    /// hall closes on a working day (延时服务) or a session on a weekend or
    /// holiday ("5+2").
    ServiceDayKind {
        Evening = "evening", "延时服务";
        Weekend = "weekend", "周末服务";
    }
);

impl Priority {
    pub fn is_priority(self) -> bool {
        self != Priority::None
    }
}

/// At most this many priority tickets are called in a row at one window while
/// an ordinary ticket waits.
pub const MAX_PRIORITY_STREAK: u32 = 2;

/// The age from which a person is called first.
pub const ELDERLY_AGE: u32 = 70;

/// Check-in opens this many minutes before a slot starts…
pub const CHECK_IN_BEFORE_MINUTES: i64 = 30;
/// …and closes this many minutes after it started.
pub const CHECK_IN_AFTER_MINUTES: i64 = 15;

/// A ticket's number: the letter and the day's sequence, three digits at least.
pub fn ticket_number(code: char, seq: i64) -> String {
    format!("{code}{seq:03}")
}

/// The state after `action`, or why the action does not apply.
pub fn ticket_after(state: TicketState, action: TicketAction) -> Result<TicketState, QueueError> {
    use TicketAction as A;
    use TicketState as S;
    match (state, action) {
        (S::Waiting, A::Call) => Ok(S::Called),
        (S::Called, A::Recall) => Ok(S::Called),
        (S::Called, A::Skip) => Ok(S::Skipped),
        (S::Waiting | S::Called, A::Transfer) => Ok(S::Waiting),
        (S::Called, A::Serve) => Ok(S::Serving),
        (S::Serving, A::Finish) => Ok(S::Done),
        _ => Err(QueueError::State { state, action }),
    }
}

/// A refusal of the queue's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("ticket is {state:?}, cannot {action:?}")]
    State {
        state: TicketState,
        action: TicketAction,
    },
}

impl QueueError {
    pub fn code(self) -> &'static str {
        "ticket.state"
    }

    pub fn message(self) -> String {
        match self {
            QueueError::State { state, action } => {
                format!("该号当前为“{}”，不能{}", state.label(), action.label())
            }
        }
    }
}

/// The priority a ticket gets: an appointment check-in; a flag (elderly or
/// disabled) given at the kiosk; or the elderly found by the ID number's birth
/// date (70 or older on `today`). The first that applies wins.
pub fn priority_for(
    appointment: bool,
    flag: Priority,
    id_number: Option<&IdCardNumber>,
    today: NaiveDate,
) -> Priority {
    if appointment {
        return Priority::Appointment;
    }
    if flag.is_priority() {
        return flag;
    }
    match id_number {
        Some(id) if age_on(id.birth_date(), today) >= ELDERLY_AGE => Priority::Elderly,
        _ => Priority::None,
    }
}

/// Full years of age on `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// A waiting ticket as the call order sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub priority: bool,
    /// Its place: the issue time (kept across transfers).
    pub queue_at: DateTime<Utc>,
}

/// Which ticket a window calls next, given the tickets waiting for it and the
/// number of priority tickets it called in a row just before (`streak`).
/// Priority tickets come first, earliest first, unless `streak` has reached
/// [`MAX_PRIORITY_STREAK`] and an ordinary ticket waits: then the earliest
/// ordinary one. Returns the index into `waiting`.
pub fn next_ticket(waiting: &[Candidate], streak: u32) -> Option<usize> {
    let earliest = |priority: bool| {
        waiting
            .iter()
            .enumerate()
            .filter(|(_, c)| c.priority == priority)
            .min_by_key(|(_, c)| (c.queue_at, c.id))
            .map(|(i, _)| i)
    };
    match (earliest(true), earliest(false)) {
        (Some(p), Some(o)) => Some(if streak >= MAX_PRIORITY_STREAK { o } else { p }),
        (p, o) => p.or(o),
    }
}

/// The window's streak after calling a ticket of this kind.
pub fn streak_after(streak: u32, called_priority: bool) -> u32 {
    if called_priority { streak + 1 } else { 0 }
}

// ------------------------------------------------------------ appointments

/// A category's appointment settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AppointmentSettings {
    pub enabled: bool,
    pub slot_minutes: u32,
    pub capacity: u32,
    pub days_ahead: u32,
}

impl Default for AppointmentSettings {
    fn default() -> Self {
        AppointmentSettings {
            enabled: true,
            slot_minutes: 30,
            capacity: 4,
            days_ahead: 7,
        }
    }
}

/// The settings form, unchecked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsInput {
    pub enabled: bool,
    pub slot_minutes: i64,
    pub capacity: i64,
    pub days_ahead: i64,
}

impl AppointmentSettings {
    pub fn parse(i: &SettingsInput) -> Result<AppointmentSettings, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(5..=240).contains(&i.slot_minutes) {
            e.add(
                "appointment.slot_minutes",
                "slot_minutes",
                "时段长度应在5到240分钟之间",
            );
        }
        if !(1..=500).contains(&i.capacity) {
            e.add(
                "appointment.capacity",
                "capacity",
                "每个时段可预约人数应在1到500之间",
            );
        }
        if !(1..=60).contains(&i.days_ahead) {
            e.add(
                "appointment.days_ahead",
                "days_ahead",
                "可提前预约天数应在1到60之间",
            );
        }
        e.into_result(AppointmentSettings {
            enabled: i.enabled,
            slot_minutes: i.slot_minutes as u32,
            capacity: i.capacity as u32,
            days_ahead: i.days_ahead as u32,
        })
    }
}

/// An extra service session on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceDay {
    pub day: NaiveDate,
    pub kind: ServiceDayKind,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub note: String,
}

/// The service-day form, unchecked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceDayInput {
    pub day: String,
    pub kind: String,
    pub opens: String,
    pub closes: String,
    pub note: String,
}

impl ServiceDay {
    /// An evening session must be on a working day and start when the hall
    /// has closed; a weekend session must be on a day off.
    pub fn parse(
        i: &ServiceDayInput,
        calendar: &WorkCalendar,
        hours: &HallHours,
    ) -> Result<ServiceDay, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let day = NaiveDate::parse_from_str(i.day.trim(), "%Y-%m-%d").ok();
        if day.is_none() {
            e.add("service_day.day", "day", "请填写日期（如2026-10-10）");
        }
        let kind = ServiceDayKind::parse(&i.kind);
        if kind.is_none() {
            e.add(
                "service_day.kind",
                "kind",
                "请选择服务类型（延时服务或周末服务）",
            );
        }
        let opens = parse_clock(&i.opens);
        if opens.is_none() {
            e.add("service_day.opens", "opens", "请填写开始时间（如17:00）");
        }
        let closes = parse_clock(&i.closes);
        if closes.is_none() {
            e.add("service_day.closes", "closes", "请填写结束时间（如19:00）");
        }
        if let (Some(a), Some(b)) = (opens, closes)
            && a >= b
        {
            e.add("service_day.closes", "closes", "结束时间应晚于开始时间");
        }
        if let (Some(day), Some(kind)) = (day, kind) {
            let working = calendar.is_working_day(day);
            match kind {
                ServiceDayKind::Evening if !working => {
                    e.add(
                        "service_day.not_working_day",
                        "day",
                        "延时服务应在工作日开设；休息日请选择周末服务",
                    );
                }
                ServiceDayKind::Weekend if working => {
                    e.add(
                        "service_day.working_day",
                        "day",
                        "该日是工作日，周末服务应开设在休息日",
                    );
                }
                ServiceDayKind::Evening => {
                    let last = hours.sessions().last().map(|s| s.1);
                    if let (Some(a), Some(close)) = (opens, last)
                        && a < close
                    {
                        e.add(
                            "service_day.overlaps_hours",
                            "opens",
                            format!("延时服务应在大厅下班（{}）之后开始", close.format("%H:%M")),
                        );
                    }
                }
                ServiceDayKind::Weekend => {}
            }
        }
        if i.note.chars().count() > 100 {
            e.add("field.too_long", "note", "说明不能超过100个字");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ServiceDay {
            day: day.expect("checked"),
            kind: kind.expect("checked"),
            opens: opens.expect("checked"),
            closes: closes.expect("checked"),
            note: i.note.trim().to_string(),
        })
    }
}

/// One bookable slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Slot {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// The sessions a day is open for appointments: the hall's hours on working
/// days, plus the extra sessions opened for that day.
pub fn open_sessions(
    day: NaiveDate,
    calendar: &WorkCalendar,
    hours: &HallHours,
    extra: &[ServiceDay],
) -> Vec<(NaiveTime, NaiveTime)> {
    let mut sessions = if calendar.is_working_day(day) {
        hours.sessions()
    } else {
        Vec::new()
    };
    sessions.extend(
        extra
            .iter()
            .filter(|s| s.day == day)
            .map(|s| (s.opens, s.closes)),
    );
    sessions.sort();
    sessions
}

/// The day's slots: each session cut into slots of `slot_minutes`; a part
/// shorter than a slot at a session's end is not offered.
pub fn day_slots(sessions: &[(NaiveTime, NaiveTime)], slot_minutes: u32) -> Vec<Slot> {
    let len = Duration::minutes(i64::from(slot_minutes.max(1)));
    let mut out = Vec::new();
    for (open, close) in sessions {
        let mut start = *open;
        loop {
            let (end, wrapped) = start.overflowing_add_signed(len);
            if wrapped != 0 || end > *close || end <= start {
                break;
            }
            out.push(Slot { start, end });
            start = end;
        }
    }
    out
}

/// Why a booking is refused by the rules that need no stored data.
pub fn check_booking(
    now_local: NaiveDateTime,
    day: NaiveDate,
    slot: Slot,
    slots: &[Slot],
    settings: &AppointmentSettings,
) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    if !settings.enabled {
        e.add(
            "appointment.disabled",
            "category_id",
            "该业务类别暂不开放预约",
        );
    } else if !slots.contains(&slot) {
        e.add(
            "appointment.no_such_slot",
            "slot",
            "该日没有这个预约时段（非工作日或不在服务时间内）",
        );
    } else if day.and_time(slot.start) <= now_local {
        e.add(
            "appointment.in_past",
            "slot",
            "该时段已开始或已过，请选择以后的时段",
        );
    } else if (day - now_local.date()).num_days() > i64::from(settings.days_ahead) {
        e.add(
            "appointment.too_far",
            "date",
            format!("最多可提前{}天预约", settings.days_ahead),
        );
    }
    e.into_result(())
}

/// Where `now` stands against a booking's check-in window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckIn {
    TooEarly,
    Open,
    TooLate,
}

pub fn check_in_window(now_local: NaiveDateTime, day: NaiveDate, slot_start: NaiveTime) -> CheckIn {
    let start = day.and_time(slot_start);
    if now_local < start - Duration::minutes(CHECK_IN_BEFORE_MINUTES) {
        CheckIn::TooEarly
    } else if now_local > start + Duration::minutes(CHECK_IN_AFTER_MINUTES) {
        CheckIn::TooLate
    } else {
        CheckIn::Open
    }
}

/// A booking not checked in by the end of its slot is a no-show.
pub fn is_no_show(now_local: NaiveDateTime, day: NaiveDate, slot_end: NaiveTime) -> bool {
    now_local >= day.and_time(slot_end)
}

/// A booking code of 8 characters from a random number (no 0/O/1/I).
pub fn booking_code(mut random: u64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut s = String::with_capacity(8);
    for _ in 0..8 {
        s.push(ALPHABET[(random % 32) as usize] as char);
        random /= 32;
    }
    s
}

/// An applicant's booking, unchecked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BookingInput {
    pub name: String,
    pub phone: String,
}

/// A booking's person: a name and a mobile phone (checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booker {
    pub name: String,
    pub phone: String,
}

impl Booker {
    pub fn parse(i: &BookingInput) -> Result<Booker, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = i.name.trim();
        if name.is_empty() {
            e.add("field.required", "name", "请填写姓名");
        } else if name.chars().count() > 50 {
            e.add("field.too_long", "name", "姓名不能超过50个字");
        }
        let phone: String = i.phone.chars().filter(|c| !c.is_whitespace()).collect();
        if !(phone.len() == 11
            && phone.starts_with('1')
            && phone.bytes().all(|b| b.is_ascii_digit()))
        {
            e.add("appointment.phone", "phone", "请填写11位手机号码");
        }
        e.into_result(Booker {
            name: name.to_string(),
            phone,
        })
    }
}

// ------------------------------------------------------------ statistics

/// Waiting and serving minutes of a group of tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeFigures {
    pub tickets: u32,
    pub called: u32,
    pub served: u32,
    pub skipped: u32,
    /// Average minutes from issue to call (called tickets).
    pub avg_wait_minutes: f64,
    pub max_wait_minutes: f64,
    /// Average minutes from the start of service to its end (finished tickets).
    pub avg_serve_minutes: f64,
}

/// One ticket's times, as the figures need them.
#[derive(Debug, Clone, Copy)]
pub struct TicketTimes {
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub serving_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub skipped: bool,
}

/// The figures of a group of tickets.
pub fn time_figures(tickets: &[TicketTimes]) -> TimeFigures {
    let minutes = |a: DateTime<Utc>, b: DateTime<Utc>| (b - a).num_seconds().max(0) as f64 / 60.0;
    let waits: Vec<f64> = tickets
        .iter()
        .filter_map(|t| t.called_at.map(|c| minutes(t.issued_at, c)))
        .collect();
    let serves: Vec<f64> = tickets
        .iter()
        .filter_map(|t| match (t.serving_at, t.finished_at) {
            (Some(s), Some(f)) => Some(minutes(s, f)),
            _ => None,
        })
        .collect();
    let avg = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            (v.iter().sum::<f64>() / v.len() as f64 * 10.0).round() / 10.0
        }
    };
    TimeFigures {
        tickets: tickets.len() as u32,
        called: waits.len() as u32,
        served: serves.len() as u32,
        skipped: tickets.iter().filter(|t| t.skipped).count() as u32,
        avg_wait_minutes: avg(&waits),
        max_wait_minutes: (waits.iter().copied().fold(0.0, f64::max) * 10.0).round() / 10.0,
        avg_serve_minutes: avg(&serves),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-09-30T01:00:00Z")
            .unwrap()
            .to_utc()
            + Duration::minutes(minute)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn numbers_are_letter_and_three_digits() {
        assert_eq!(ticket_number('A', 1), "A001");
        assert_eq!(ticket_number('B', 42), "B042");
        assert_eq!(ticket_number('A', 999), "A999");
        assert_eq!(ticket_number('A', 1000), "A1000");
    }

    #[test]
    fn transitions_follow_the_life_of_a_ticket() {
        use TicketAction as A;
        use TicketState as S;
        assert_eq!(ticket_after(S::Waiting, A::Call), Ok(S::Called));
        assert_eq!(ticket_after(S::Called, A::Recall), Ok(S::Called));
        assert_eq!(ticket_after(S::Called, A::Serve), Ok(S::Serving));
        assert_eq!(ticket_after(S::Serving, A::Finish), Ok(S::Done));
        assert_eq!(ticket_after(S::Called, A::Skip), Ok(S::Skipped));
        assert_eq!(ticket_after(S::Waiting, A::Transfer), Ok(S::Waiting));
        assert_eq!(ticket_after(S::Called, A::Transfer), Ok(S::Waiting));
        for (s, a) in [
            (S::Waiting, A::Serve),
            (S::Waiting, A::Recall),
            (S::Serving, A::Transfer),
            (S::Done, A::Call),
            (S::Skipped, A::Serve),
            (S::Called, A::Finish),
        ] {
            assert!(ticket_after(s, a).is_err(), "{s:?} {a:?}");
        }
    }

    #[test]
    fn priority_by_flag_appointment_or_age() {
        let today = d("2026-09-30");
        // Born 1949-12-31: 76 on the day.
        let old = IdCardNumber::parse("11010519491231002X").unwrap();
        // Born 1990-03-07.
        let young = IdCardNumber::parse("110101199003074514").unwrap();
        assert_eq!(
            priority_for(false, Priority::None, Some(&old), today),
            Priority::Elderly
        );
        assert_eq!(
            priority_for(false, Priority::None, Some(&young), today),
            Priority::None
        );
        assert_eq!(
            priority_for(false, Priority::Disabled, Some(&young), today),
            Priority::Disabled
        );
        assert_eq!(
            priority_for(true, Priority::None, None, today),
            Priority::Appointment
        );
        assert_eq!(age_on(d("1956-10-01"), d("2026-09-30")), 69);
        assert_eq!(age_on(d("1956-09-30"), d("2026-09-30")), 70);
    }

    #[test]
    fn priority_first_but_never_more_than_two_in_a_row() {
        let w = [
            Candidate {
                id: 1,
                priority: false,
                queue_at: at(0),
            },
            Candidate {
                id: 2,
                priority: true,
                queue_at: at(5),
            },
            Candidate {
                id: 3,
                priority: true,
                queue_at: at(3),
            },
        ];
        assert_eq!(next_ticket(&w, 0), Some(2));
        assert_eq!(next_ticket(&w, 1), Some(2));
        assert_eq!(next_ticket(&w, 2), Some(0));
        // With no ordinary ticket waiting, priority goes on.
        assert_eq!(next_ticket(&w[1..], 5), Some(1));
        assert_eq!(next_ticket(&[], 0), None);
        assert_eq!(streak_after(1, true), 2);
        assert_eq!(streak_after(2, false), 0);
    }

    fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec((any::<bool>(), 0i64..500), 0..40).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (priority, m))| Candidate {
                    id: i as i64 + 1,
                    priority,
                    queue_at: at(m),
                })
                .collect()
        })
    }

    proptest! {
        /// Calling until the queue is empty: every ticket is called once,
        /// each class in its own queue order, and never more than two
        /// priority calls in a row while an ordinary ticket waits.
        #[test]
        fn call_order_is_fair(waiting in candidates()) {
            let mut left = waiting.clone();
            let mut streak = 0;
            let mut order = Vec::new();
            while let Some(i) = next_ticket(&left, streak) {
                let c = left.remove(i);
                let ordinary_waiting = left.iter().any(|x| !x.priority) || !c.priority;
                if c.priority && ordinary_waiting {
                    prop_assert!(streak < MAX_PRIORITY_STREAK);
                }
                streak = streak_after(streak, c.priority);
                order.push(c);
            }
            prop_assert_eq!(order.len(), waiting.len());
            for class in [true, false] {
                let times: Vec<_> = order.iter().filter(|c| c.priority == class).map(|c| (c.queue_at, c.id)).collect();
                let mut sorted = times.clone();
                sorted.sort();
                prop_assert_eq!(times, sorted);
            }
        }

        /// Numbers are unique per sequence and sort like the sequence within
        /// three digits.
        #[test]
        fn numbers_follow_the_sequence(a in 1i64..999, b in 1i64..999) {
            prop_assert_eq!(ticket_number('A', a) == ticket_number('A', b), a == b);
            prop_assert_eq!(ticket_number('A', a) < ticket_number('A', b), a < b);
        }
    }

    #[test]
    fn slots_from_hours_calendar_and_extra_days() {
        let cal = WorkCalendar::with_official();
        let hours = HallHours::default();
        // A working Wednesday: 9–12 and 13:30–17 in 30-minute slots: 6 + 7.
        let wed = d("2026-09-30");
        let s = day_slots(&open_sessions(wed, &cal, &hours, &[]), 30);
        assert_eq!(s.len(), 13);
        assert_eq!(
            s[0],
            Slot {
                start: t(9, 0),
                end: t(9, 30)
            }
        );
        assert_eq!(
            s[6],
            Slot {
                start: t(13, 30),
                end: t(14, 0)
            }
        );
        // National Day: closed, unless a weekend session is opened.
        let holiday = d("2026-10-03");
        assert!(day_slots(&open_sessions(holiday, &cal, &hours, &[]), 30).is_empty());
        let extra = ServiceDay {
            day: holiday,
            kind: ServiceDayKind::Weekend,
            opens: t(9, 0),
            closes: t(11, 0),
            note: String::new(),
        };
        assert_eq!(
            day_slots(&open_sessions(holiday, &cal, &hours, &[extra]), 30).len(),
            4
        );
        // 45-minute slots leave the short end of a session out.
        assert_eq!(day_slots(&[(t(9, 0), t(10, 0))], 45).len(), 1);
    }

    #[test]
    fn service_days_are_checked_against_the_calendar() {
        let cal = WorkCalendar::with_official();
        let hours = HallHours::default();
        let input = |day: &str, kind: &str, opens: &str| ServiceDayInput {
            day: day.into(),
            kind: kind.into(),
            opens: opens.into(),
            closes: "19:00".into(),
            note: String::new(),
        };
        assert!(ServiceDay::parse(&input("2026-09-30", "evening", "17:00"), &cal, &hours).is_ok());
        let e =
            ServiceDay::parse(&input("2026-09-30", "evening", "16:00"), &cal, &hours).unwrap_err();
        assert_eq!(e.0[0].code, "service_day.overlaps_hours");
        let e =
            ServiceDay::parse(&input("2026-10-03", "evening", "17:00"), &cal, &hours).unwrap_err();
        assert_eq!(e.0[0].field, "day");
        let e =
            ServiceDay::parse(&input("2026-09-30", "weekend", "09:00"), &cal, &hours).unwrap_err();
        assert_eq!(e.0[0].code, "service_day.working_day");
        assert!(ServiceDay::parse(&input("2026-10-03", "周末服务", "09:00"), &cal, &hours).is_ok());
    }

    #[test]
    fn booking_rules() {
        let settings = AppointmentSettings::default();
        let now = d("2026-09-30").and_time(t(10, 10));
        let slots = [
            Slot {
                start: t(10, 0),
                end: t(10, 30),
            },
            Slot {
                start: t(10, 30),
                end: t(11, 0),
            },
        ];
        let today = d("2026-09-30");
        assert!(check_booking(now, today, slots[1], &slots, &settings).is_ok());
        let e = check_booking(now, today, slots[0], &slots, &settings).unwrap_err();
        assert_eq!(e.0[0].code, "appointment.in_past");
        let e = check_booking(now, d("2026-10-08"), slots[1], &slots, &settings).unwrap_err();
        assert_eq!(e.0[0].code, "appointment.too_far");
        let other = Slot {
            start: t(10, 5),
            end: t(10, 35),
        };
        let e = check_booking(now, today, other, &slots, &settings).unwrap_err();
        assert_eq!(e.0[0].code, "appointment.no_such_slot");
    }

    #[test]
    fn check_in_window_and_no_show() {
        let day = d("2026-09-30");
        let at = |h, m| day.and_time(t(h, m));
        assert_eq!(check_in_window(at(9, 29), day, t(10, 0)), CheckIn::TooEarly);
        assert_eq!(check_in_window(at(9, 30), day, t(10, 0)), CheckIn::Open);
        assert_eq!(check_in_window(at(10, 15), day, t(10, 0)), CheckIn::Open);
        assert_eq!(check_in_window(at(10, 16), day, t(10, 0)), CheckIn::TooLate);
        assert!(!is_no_show(at(10, 29), day, t(10, 30)));
        assert!(is_no_show(at(10, 30), day, t(10, 30)));
    }

    #[test]
    fn bookers_and_settings_are_parsed() {
        assert!(
            Booker::parse(&BookingInput {
                name: "张三".into(),
                phone: "138 0000 0000".into()
            })
            .is_ok()
        );
        let e = Booker::parse(&BookingInput {
            name: " ".into(),
            phone: "12345".into(),
        })
        .unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!(e.0[1].field, "phone");
        let e = AppointmentSettings::parse(&SettingsInput {
            enabled: true,
            slot_minutes: 2,
            capacity: 0,
            days_ahead: 7,
        })
        .unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!(booking_code(0).len(), 8);
        assert_ne!(booking_code(1), booking_code(2));
    }

    #[test]
    fn figures_average_waits_and_serves() {
        let f = time_figures(&[
            TicketTimes {
                issued_at: at(0),
                called_at: Some(at(10)),
                serving_at: Some(at(11)),
                finished_at: Some(at(21)),
                skipped: false,
            },
            TicketTimes {
                issued_at: at(0),
                called_at: Some(at(20)),
                serving_at: None,
                finished_at: None,
                skipped: true,
            },
            TicketTimes {
                issued_at: at(5),
                called_at: None,
                serving_at: None,
                finished_at: None,
                skipped: false,
            },
        ]);
        assert_eq!(f.tickets, 3);
        assert_eq!(f.called, 2);
        assert_eq!(f.avg_wait_minutes, 15.0);
        assert_eq!(f.max_wait_minutes, 20.0);
        assert_eq!(f.avg_serve_minutes, 10.0);
        assert_eq!(f.skipped, 1);
    }
}
