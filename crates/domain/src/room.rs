//! Shared rooms of a center (共享功能室): meeting, archive, expert-review, bid
//! opening and bid evaluation rooms, and their bookings.
//!
//! A booking holds a room for a span of one day. The rules here are pure: a
//! span is whole minutes from midnight Beijing time; it must lie inside one of
//! the room's opening spans ([`OpeningHours`]), on a working day of the
//! center's calendar, start after "now" and not overlap another booking that
//! holds the room ([`check_booking`], [`first_clash`]). A booking's status
//! moves by [`booking_after`]: pending (待审批) → approved / rejected, and a
//! pending or approved one can be cancelled. Rooms that need no approval
//! book straight to approved.

use crate::calendar::WorkCalendar;
use crate::macros::coded_enum;
use crate::validation::{ValidationErrors, text};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// What a room is for.
    RoomKind {
        Meeting = "meeting", "会议室";
        Archive = "archive", "档案室";
        ExpertReview = "expert_review", "专家评审室";
        BidOpening = "bid_opening", "开标室";
        BidEvaluation = "bid_evaluation", "评标室";
    }
);

impl RoomKind {
    /// Bid rooms are booked only with the center's approval (public resource
    /// trading needs them kept free of interference); others unless the admin
    /// says so.
    pub fn needs_approval_by_default(self) -> bool {
        matches!(self, Self::BidOpening | Self::BidEvaluation)
    }
}

coded_enum!(
    /// Where a booking stands.
    BookingStatus {
        Pending = "pending", "待审批";
        Approved = "approved", "已批准";
        Rejected = "rejected", "已驳回";
        Cancelled = "cancelled", "已取消";
    }
);

impl BookingStatus {
    /// A pending or approved booking holds its room: nobody else may book
    /// over it.
    pub fn holds_room(self) -> bool {
        matches!(self, Self::Pending | Self::Approved)
    }
}

/// A step on a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingAction {
    /// The center approves a pending booking.
    Approve,
    /// The center turns a pending booking down.
    Reject,
    /// The booker or the center gives the room back.
    Cancel,
}

impl BookingAction {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "approve" => Some(Self::Approve),
            "reject" => Some(Self::Reject),
            "cancel" => Some(Self::Cancel),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "批准",
            Self::Reject => "驳回",
            Self::Cancel => "取消",
        }
    }

    /// Approving and rejecting are the center's; the booker may cancel.
    pub fn by_center_only(self) -> bool {
        matches!(self, Self::Approve | Self::Reject)
    }
}

/// A refused step or booking: a stable code and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomConflict {
    pub code: &'static str,
    pub message: String,
}

/// The status a booking moves to, or why it cannot.
pub fn booking_after(
    status: BookingStatus,
    action: BookingAction,
) -> Result<BookingStatus, RoomConflict> {
    use BookingAction as A;
    use BookingStatus as S;
    match (action, status) {
        (A::Approve, S::Pending) => Ok(S::Approved),
        (A::Reject, S::Pending) => Ok(S::Rejected),
        (A::Cancel, S::Pending | S::Approved) => Ok(S::Cancelled),
        (a, s) => Err(RoomConflict {
            code: "room.booking_state",
            message: format!("该预约当前为“{}”，不能{}", s.label(), a.label()),
        }),
    }
}

// ----------------------------------------------------------------- spans

/// A span of one day in whole minutes from midnight, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: u16,
    end: u16,
}

/// Minutes in a day: a span may end at 24:00.
pub const DAY_MINUTES: u16 = 24 * 60;

impl Span {
    /// A span from `start` to `end` minutes, if `start < end <= 24:00`.
    pub fn new(start: u16, end: u16) -> Option<Self> {
        (start < end && end <= DAY_MINUTES).then_some(Self { start, end })
    }

    pub fn start(self) -> u16 {
        self.start
    }

    pub fn end(self) -> u16 {
        self.end
    }

    pub fn minutes(self) -> u16 {
        self.end - self.start
    }

    /// Two spans overlap when each starts before the other ends: one ending
    /// at 10:00 and one starting at 10:00 do not.
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies wholly inside this span.
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// `09:00-12:00`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (a, b) = raw.trim().split_once(['-', '–', '~', '～', '至'])?;
        Self::new(parse_minute(a)?, parse_minute(b)?)
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

/// `540` → `09:00`.
pub fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// `9:00`, `09:00` or `13:30` → minutes from midnight; `24:00` is the end of
/// the day.
pub fn parse_minute(raw: &str) -> Option<u16> {
    let (h, m) = raw
        .trim()
        .replace('：', ":")
        .split_once(':')
        .map(|(h, m)| (h.trim().parse::<u16>().ok(), m.trim().parse::<u16>().ok()))?;
    let (h, m) = (h?, m?);
    let t = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && t <= DAY_MINUTES).then_some(t)
}

/// When a room may be booked on a working day: one or more spans in order
/// that do not overlap (the hall's hours by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours(Vec<Span>);

impl Default for OpeningHours {
    /// The hall's default hours (`HallHours::default`: 9:00–12:00, 13:30–17:00).
    fn default() -> Self {
        Self::from(&crate::hall::HallHours::default())
    }
}

impl From<&crate::hall::HallHours> for OpeningHours {
    /// A hall's sessions as the spans a room is open.
    fn from(h: &crate::hall::HallHours) -> Self {
        use chrono::Timelike;
        let minutes = |t: chrono::NaiveTime| (t.hour() * 60 + t.minute()) as u16;
        Self(
            h.sessions()
                .into_iter()
                .map(|(a, b)| Span {
                    start: minutes(a),
                    end: minutes(b),
                })
                .collect(),
        )
    }
}

impl OpeningHours {
    /// `09:00-12:00,13:30-17:00` (commas, Chinese commas, semicolons or
    /// spaces between spans); empty means the hall's hours.
    pub fn parse(raw: &str) -> Option<Self> {
        let t = raw.trim();
        if t.is_empty() {
            return Some(Self::default());
        }
        let mut spans = Vec::new();
        for part in t
            .split([',', '，', ';', '；', '、', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            spans.push(Span::parse(part)?);
        }
        spans.sort();
        if spans.is_empty() || spans.windows(2).any(|w| w[0].end > w[1].start) {
            return None;
        }
        Some(Self(spans))
    }

    pub fn spans(&self) -> &[Span] {
        &self.0
    }

    /// Whether `span` lies inside one opening span (a booking cannot run
    /// over the lunch break).
    pub fn allows(&self, span: Span) -> bool {
        self.0.iter().any(|o| o.contains(span))
    }

    /// The earliest opening and the latest closing.
    pub fn bounds(&self) -> Span {
        Span {
            start: self.0.first().map_or(540, |s| s.start),
            end: self.0.last().map_or(1020, |s| s.end),
        }
    }
}

impl std::fmt::Display for OpeningHours {
    /// The stored form: `09:00-12:00,13:30-17:00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(Span::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

// ----------------------------------------------------------------- rooms

/// A room as entered (form or JSON), unchecked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomInput {
    /// The center it belongs to; the home center when empty.
    pub center_id: Option<i64>,
    pub name: String,
    /// `meeting`, `archive`, `expert_review`, `bid_opening` or
    /// `bid_evaluation` (or the Chinese name).
    pub kind: String,
    /// Where it is, as people say it: `5楼`.
    pub floor: String,
    pub capacity: i64,
    /// 投影仪, 话筒, 视频会议终端…
    pub equipment: Vec<String>,
    /// Bookings wait for the center's approval; the kind's default when
    /// absent (bid rooms need it).
    pub needs_approval: Option<bool>,
    /// `09:00-12:00,13:30-17:00` (the hall's hours when empty) or
    /// `08:30-18:00` for a room open all day.
    pub hours: String,
    /// Bookable; `true` when absent.
    pub active: Option<bool>,
}

/// A room, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoom {
    pub center_id: Option<i64>,
    pub name: String,
    pub kind: RoomKind,
    pub floor: String,
    pub capacity: u16,
    pub equipment: Vec<String>,
    pub needs_approval: bool,
    pub hours: OpeningHours,
    pub active: bool,
}

/// The most people a room may hold.
pub const MAX_CAPACITY: i64 = 1000;

impl NewRoom {
    pub fn parse(input: &RoomInput) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = text(&mut e, "name", "功能室名称", &input.name, 50, true);
        let kind = RoomKind::parse(&input.kind);
        if kind.is_none() {
            let names: Vec<&str> = RoomKind::ALL.iter().map(|k| k.label()).collect();
            e.add(
                "room.kind_invalid",
                "kind",
                format!("功能室类型应为：{}", names.join("、")),
            );
        }
        let floor = text(&mut e, "floor", "所在楼层", &input.floor, 20, false);
        if !(1..=MAX_CAPACITY).contains(&input.capacity) {
            e.add(
                "field.out_of_range",
                "capacity",
                format!("容纳人数应在1到{MAX_CAPACITY}之间"),
            );
        }
        let mut equipment = Vec::new();
        for (i, raw) in input.equipment.iter().enumerate() {
            let t = raw.trim();
            if t.is_empty() {
                continue;
            }
            if t.chars().count() > 30 {
                e.add(
                    "field.too_long",
                    format!("equipment[{i}]"),
                    "每项设备不能超过30个字",
                );
            } else if !equipment.iter().any(|x| x == t) {
                equipment.push(t.to_string());
            }
        }
        if equipment.len() > 30 {
            e.add("field.too_long", "equipment", "设备不能超过30项");
        }
        let hours = OpeningHours::parse(&input.hours);
        if hours.is_none() {
            e.add(
                "room.hours_invalid",
                "hours",
                "开放时间格式应为“09:00-12:00,13:30-17:00”，各时段不能重叠",
            );
        }
        match (kind, hours) {
            (Some(kind), Some(hours)) if e.is_empty() => Ok(Self {
                center_id: input.center_id,
                name,
                kind,
                floor,
                capacity: input.capacity as u16,
                equipment,
                needs_approval: input
                    .needs_approval
                    .unwrap_or(kind.needs_approval_by_default()),
                hours,
                active: input.active.unwrap_or(true),
            }),
            _ => Err(e),
        }
    }
}

/// Splits an equipment list typed in one box: `投影仪、话筒，白板`.
pub fn split_equipment(raw: &str) -> Vec<String> {
    raw.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

// -------------------------------------------------------------- bookings

/// A booking as entered, unchecked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingInput {
    /// `2026-10-12`.
    pub date: String,
    /// `09:00`.
    pub start: String,
    /// `10:30`.
    pub end: String,
    /// 会议主题 / 用途.
    pub purpose: String,
    pub attendees: i64,
    /// The organising department (使用部门).
    pub organiser: String,
}

/// A booking, checked on its own (the room's rules come next).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    pub date: NaiveDate,
    pub span: Span,
    pub purpose: String,
    pub attendees: u16,
    pub organiser: String,
}

impl BookingRequest {
    pub fn parse(input: &BookingInput) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            e.add(
                "field.date_invalid",
                "date",
                "请填写使用日期（如2026-10-12）",
            );
        }
        let start = parse_minute(&input.start);
        if start.is_none() {
            e.add("field.time_invalid", "start", "请填写开始时间（如09:00）");
        }
        let end = parse_minute(&input.end);
        if end.is_none() {
            e.add("field.time_invalid", "end", "请填写结束时间（如10:30）");
        }
        let span = match (start, end) {
            (Some(s), Some(t)) => {
                let span = Span::new(s, t);
                if span.is_none() {
                    e.add("room.span_invalid", "end", "结束时间应晚于开始时间");
                }
                span
            }
            _ => None,
        };
        let purpose = text(
            &mut e,
            "purpose",
            "用途（会议主题）",
            &input.purpose,
            100,
            true,
        );
        if !(1..=MAX_CAPACITY).contains(&input.attendees) {
            e.add("field.out_of_range", "attendees", "请填写参加人数");
        }
        let organiser = text(&mut e, "organiser", "使用部门", &input.organiser, 50, true);
        match (date, span) {
            (Some(date), Some(span)) if e.is_empty() => Ok(Self {
                date,
                span,
                purpose,
                attendees: input.attendees as u16,
                organiser,
            }),
            _ => Err(e),
        }
    }

    /// When it begins, Beijing time.
    pub fn starts_at(&self) -> NaiveDateTime {
        self.date.and_time(time_of(self.span.start))
    }
}

fn time_of(minute: u16) -> NaiveTime {
    NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
        .unwrap_or(NaiveTime::MIN)
}

/// What a room's bookings are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRules {
    pub name: String,
    pub capacity: u16,
    pub hours: OpeningHours,
    pub active: bool,
}

/// Checks a booking against the room, the center's calendar and the time now
/// (Beijing): a 409 refusal when the room is closed, the fields to blame (422)
/// otherwise. Overlaps with other bookings are checked where they are
/// stored, under a lock ([`first_clash`]).
pub fn check_booking(
    room: &RoomRules,
    req: &BookingRequest,
    calendar: &WorkCalendar,
    now_local: NaiveDateTime,
) -> Result<(), BookingRefusal> {
    if !room.active {
        return Err(BookingRefusal::Conflict(RoomConflict {
            code: "room.inactive",
            message: format!("{}已停用，不能预约", room.name),
        }));
    }
    let mut e = ValidationErrors::default();
    if req.starts_at() <= now_local {
        e.add(
            "room.in_past",
            "start",
            "不能预约已经过去的时间，请选择今后的时段",
        );
    }
    if !calendar.is_working_day(req.date) {
        let why = calendar
            .override_on(req.date)
            .map(|o| o.note.clone())
            .filter(|n| !n.is_empty())
            .map_or_else(|| "休息日".to_string(), |n| format!("休息日（{n}）"));
        e.add(
            "room.non_working_day",
            "date",
            format!("{}是{why}，功能室只在工作日开放", req.date),
        );
    }
    if !room.hours.allows(req.span) {
        let open: Vec<String> = room
            .hours
            .spans()
            .iter()
            .map(|s| format!("{}至{}", hhmm(s.start), hhmm(s.end)))
            .collect();
        e.add(
            "room.outside_hours",
            "start",
            format!(
                "{}不在{}的开放时间内（开放时间：{}），预约不能跨越午休",
                req.span,
                room.name,
                open.join("、")
            ),
        );
    }
    if req.attendees > room.capacity {
        e.add(
            "room.over_capacity",
            "attendees",
            format!(
                "参加人数{}人超过{}的容纳人数{}人",
                req.attendees, room.name, room.capacity
            ),
        );
    }
    e.into_result(()).map_err(BookingRefusal::Invalid)
}

/// Why a booking was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingRefusal {
    /// Bad fields (422).
    Invalid(ValidationErrors),
    /// The room cannot take it (409).
    Conflict(RoomConflict),
}

/// The first booking (by start) among `held` that `span` overlaps.
pub fn first_clash<T: Copy>(span: Span, held: &[(T, Span)]) -> Option<(T, Span)> {
    held.iter()
        .filter(|(_, s)| s.overlaps(span))
        .min_by_key(|(_, s)| *s)
        .copied()
}

/// The message of a refused overlap, naming the booking in the way.
pub fn clash_message(date: NaiveDate, clash: Span, purpose: &str, status: BookingStatus) -> String {
    format!(
        "该时段已被预约：{date} {}（{purpose}，{}），请选择其他时段或功能室",
        clash,
        status.label()
    )
}

/// Minutes from midnight of a Beijing time.
pub fn minute_of(t: NaiveDateTime) -> u16 {
    (t.hour() * 60 + t.minute()) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn span(a: &str, b: &str) -> Span {
        Span::new(parse_minute(a).unwrap(), parse_minute(b).unwrap()).unwrap()
    }

    fn rules() -> RoomRules {
        RoomRules {
            name: "5楼多媒体会议室".into(),
            capacity: 40,
            hours: OpeningHours::default(),
            active: true,
        }
    }

    fn request(date: &str, start: &str, end: &str, attendees: i64) -> BookingRequest {
        BookingRequest::parse(&BookingInput {
            date: date.into(),
            start: start.into(),
            end: end.into(),
            purpose: "窗口业务培训".into(),
            attendees,
            organiser: "人社局".into(),
        })
        .unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn spans_touching_at_an_end_do_not_overlap() {
        assert!(span("09:00", "10:00").overlaps(span("09:30", "11:00")));
        assert!(span("09:00", "12:00").overlaps(span("10:00", "10:30")));
        assert!(!span("09:00", "10:00").overlaps(span("10:00", "11:00")));
        assert!(!span("10:00", "11:00").overlaps(span("09:00", "10:00")));
        assert_eq!(Span::parse("9:00-12:00"), Some(span("09:00", "12:00")));
        assert_eq!(Span::parse("12:00-09:00"), None);
        assert_eq!(parse_minute("24:00"), Some(1440));
        assert_eq!(parse_minute("24:01"), None);
        assert_eq!(parse_minute("9:60"), None);
        assert_eq!(span("13:30", "17:00").to_string(), "13:30-17:00");
    }

    #[test]
    fn opening_hours_default_to_the_hall_and_refuse_the_lunch_break() {
        let h = OpeningHours::parse("").unwrap();
        assert_eq!(h.to_string(), "09:00-12:00,13:30-17:00");
        assert!(h.allows(span("09:00", "12:00")));
        assert!(h.allows(span("14:00", "17:00")));
        assert!(!h.allows(span("11:00", "14:00")), "over the lunch break");
        assert!(!h.allows(span("08:30", "09:30")));
        let all_day = OpeningHours::parse("08:30-18:00").unwrap();
        assert!(all_day.allows(span("11:00", "14:00")));
        assert_eq!(
            OpeningHours::parse("13:30-17:00，09:00-12:00").unwrap(),
            h,
            "sorted"
        );
        assert!(OpeningHours::parse("09:00-12:00,11:00-14:00").is_none());
        assert!(OpeningHours::parse("morning").is_none());
    }

    #[test]
    fn a_room_is_checked_field_by_field() {
        let input = RoomInput {
            name: " 开标室 ".into(),
            kind: "开标室".into(),
            floor: "3楼".into(),
            capacity: 30,
            equipment: vec![
                "投影仪".into(),
                " ".into(),
                "投影仪".into(),
                "录音录像".into(),
            ],
            ..Default::default()
        };
        let room = NewRoom::parse(&input).unwrap();
        assert_eq!(room.name, "开标室");
        assert_eq!(room.kind, RoomKind::BidOpening);
        assert!(room.needs_approval, "bid rooms need approval by default");
        assert_eq!(room.equipment, vec!["投影仪", "录音录像"]);
        assert!(room.active);
        let meeting = NewRoom::parse(&RoomInput {
            kind: "meeting".into(),
            ..input.clone()
        })
        .unwrap();
        assert!(!meeting.needs_approval);
        let bad = RoomInput {
            name: String::new(),
            kind: "gym".into(),
            capacity: 0,
            hours: "9-12".into(),
            ..input
        };
        let e = NewRoom::parse(&bad).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "kind", "capacity", "hours"]);
        assert_eq!(
            split_equipment("投影仪、话筒，白板\n"),
            vec!["投影仪", "话筒", "白板"]
        );
    }

    #[test]
    fn a_booking_names_each_bad_field() {
        let e = BookingRequest::parse(&BookingInput {
            date: "10月12日".into(),
            start: "10:00".into(),
            end: "09:00".into(),
            purpose: " ".into(),
            attendees: 0,
            organiser: String::new(),
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["date", "end", "purpose", "attendees", "organiser"]
        );
    }

    #[test]
    fn bookings_fit_the_hours_the_calendar_the_capacity_and_the_future() {
        let cal = WorkCalendar::with_official();
        let now = at("2026-10-12 10:00");
        // Monday 12 October 2026, 14:00–15:30: fine.
        assert_eq!(
            check_booking(
                &rules(),
                &request("2026-10-12", "14:00", "15:30", 20),
                &cal,
                now
            ),
            Ok(())
        );
        let codes = |r: Result<(), BookingRefusal>| match r {
            Err(BookingRefusal::Invalid(e)) => e.0.iter().map(|f| f.code).collect::<Vec<_>>(),
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(
            codes(check_booking(
                &rules(),
                &request("2026-10-12", "09:00", "10:30", 5),
                &cal,
                now
            )),
            vec!["room.in_past"]
        );
        assert_eq!(
            codes(check_booking(
                &rules(),
                &request("2026-10-12", "11:00", "14:00", 5),
                &cal,
                now
            )),
            vec!["room.outside_hours"]
        );
        // National Day holiday and a Sunday.
        assert_eq!(
            codes(check_booking(
                &rules(),
                &request("2026-10-05", "09:00", "10:00", 5),
                &cal,
                at("2026-09-30 09:00")
            )),
            vec!["room.non_working_day"]
        );
        assert_eq!(
            codes(check_booking(
                &rules(),
                &request("2026-10-18", "09:00", "10:00", 5),
                &cal,
                now
            )),
            vec!["room.non_working_day"]
        );
        assert_eq!(
            codes(check_booking(
                &rules(),
                &request("2026-10-13", "09:00", "10:00", 41),
                &cal,
                now
            )),
            vec!["room.over_capacity"]
        );
        let closed = RoomRules {
            active: false,
            ..rules()
        };
        assert!(matches!(
            check_booking(
                &closed,
                &request("2026-10-13", "09:00", "10:00", 5),
                &cal,
                now
            ),
            Err(BookingRefusal::Conflict(RoomConflict {
                code: "room.inactive",
                ..
            }))
        ));
    }

    #[test]
    fn the_first_clash_is_the_earliest_overlapping_booking() {
        let held = [
            (3, span("14:00", "15:00")),
            (1, span("09:00", "10:00")),
            (2, span("10:00", "11:00")),
        ];
        assert_eq!(
            first_clash(span("09:30", "14:30"), &held),
            Some((1, span("09:00", "10:00")))
        );
        assert_eq!(first_clash(span("11:00", "14:00"), &held), None);
        let m = clash_message(
            NaiveDate::from_ymd_opt(2026, 10, 12).unwrap(),
            span("09:00", "10:00"),
            "评标",
            BookingStatus::Approved,
        );
        assert!(m.contains("09:00-10:00") && m.contains("已批准"), "{m}");
    }

    #[test]
    fn the_lifecycle() {
        use BookingAction as A;
        use BookingStatus as S;
        assert_eq!(booking_after(S::Pending, A::Approve), Ok(S::Approved));
        assert_eq!(booking_after(S::Pending, A::Reject), Ok(S::Rejected));
        assert_eq!(booking_after(S::Pending, A::Cancel), Ok(S::Cancelled));
        assert_eq!(booking_after(S::Approved, A::Cancel), Ok(S::Cancelled));
        assert_eq!(
            booking_after(S::Approved, A::Approve).unwrap_err().code,
            "room.booking_state"
        );
        assert!(booking_after(S::Cancelled, A::Cancel).is_err());
        assert!(booking_after(S::Rejected, A::Approve).is_err());
        assert!(S::Pending.holds_room() && S::Approved.holds_room());
        assert!(!S::Cancelled.holds_room() && !S::Rejected.holds_room());
        assert!(A::Approve.by_center_only() && !A::Cancel.by_center_only());
    }

    fn any_span() -> impl Strategy<Value = Span> {
        (0u16..DAY_MINUTES, 1u16..=600).prop_filter_map("within the day", |(s, len)| {
            Span::new(s, s.saturating_add(len).min(DAY_MINUTES))
        })
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_matches_shared_minutes(a in any_span(), b in any_span()) {
            prop_assert_eq!(a.overlaps(b), b.overlaps(a));
            let shared = (a.start()..a.end()).any(|m| (b.start()..b.end()).contains(&m));
            prop_assert_eq!(a.overlaps(b), shared);
            prop_assert!(a.overlaps(a));
        }

        #[test]
        fn a_span_inside_the_hours_never_crosses_a_closed_minute(s in any_span()) {
            let h = OpeningHours::default();
            if h.allows(s) {
                for m in s.start()..s.end() {
                    prop_assert!(h.spans().iter().any(|o| (o.start()..o.end()).contains(&m)));
                }
            }
        }
    }
}
