//! The hall (大厅): halls of a center, their floors and functional zones,
//! the business categories (业务类别) windows serve and queue numbers start
//! with, and the windows (窗口) themselves. Inputs arrive unchecked
//! (`…Input`) and are parsed into values that are valid once built.

use crate::macros::coded_enum;
use crate::validation::ValidationErrors;
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// What kind of hall: the center's main hall, a branch hall (分厅, such as
    /// 社保 or 交警), or the online hall (网上大厅).
    HallKind {
        Main = "main", "主厅";
        Branch = "branch", "分厅";
        Online = "online", "网上大厅";
    }
);

coded_enum!(
    /// What a functional zone (功能区) of a floor is for.
    ZonePurpose {
        Windows = "windows", "窗口办事区";
        Waiting = "waiting", "等候区";
        SelfService = "self_service", "自助服务区";
        Office = "office", "办公区";
        Room = "room", "功能室";
        Other = "other", "其他";
    }
);

coded_enum!(
    /// The kinds of window (DOMAIN §2): a department's resident window, a
    /// comprehensive agency window taking several departments' business, a
    /// convenience window (咨询、复印、邮寄…), and a branch hall's extension
    /// window in the main hall.
    WindowKind {
        Resident = "resident", "常驻窗口";
        Agency = "agency", "综合代办窗口";
        Convenience = "convenience", "便民服务窗口";
        Extension = "extension", "延伸窗口";
    }
);

coded_enum!(
    /// A window's live state as the floor map colours it: open (staffed,
    /// no one at the counter yet), serving (a ticket is being served), idle
    /// (open but nobody waiting) and closed (deactivated, or not staffed).
    ///
    /// Today only `Open` and `Closed` are derived (from the window's
    /// `active` flag, in `store::Store::window_states`); the queue supplies
    /// `Serving` and `Idle` once tickets are called at windows.
    WindowState {
        Open = "open", "开放";
        Serving = "serving", "办理中";
        Idle = "idle", "空闲";
        Closed = "closed", "暂停";
    }
);

impl WindowState {
    /// What a window's stored flag alone says: an inactive window is closed,
    /// an active one open. The seam the queue's states replace.
    pub fn from_active(active: bool) -> WindowState {
        if active {
            WindowState::Open
        } else {
            WindowState::Closed
        }
    }
}

/// A hall's opening hours: a morning session and, usually, an afternoon
/// one (9:00–12:00 and 13:30–17:00 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HallHours {
    am: (NaiveTime, NaiveTime),
    pm: Option<(NaiveTime, NaiveTime)>,
}

impl Default for HallHours {
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        HallHours {
            am: (t(9, 0), t(12, 0)),
            pm: Some((t(13, 30), t(17, 0))),
        }
    }
}

/// `"09:00"` (or `"9:00"`) to a time.
pub fn parse_clock(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

impl HallHours {
    /// Checks that each session opens before it closes and the afternoon
    /// starts after the morning ends; `field` names the input in errors.
    pub fn new(
        am: (NaiveTime, NaiveTime),
        pm: Option<(NaiveTime, NaiveTime)>,
        field: &str,
        e: &mut ValidationErrors,
    ) -> Option<HallHours> {
        let before = e.0.len();
        if am.0 >= am.1 {
            e.add(
                "hall.hours_invalid",
                format!("{field}am_close"),
                "上午下班时间应晚于上班时间",
            );
        }
        if let Some(pm) = pm {
            if pm.0 >= pm.1 {
                e.add(
                    "hall.hours_invalid",
                    format!("{field}pm_close"),
                    "下午下班时间应晚于上班时间",
                );
            }
            if pm.0 < am.1 {
                e.add(
                    "hall.hours_invalid",
                    format!("{field}pm_open"),
                    "下午上班时间应不早于上午下班时间",
                );
            }
        }
        (e.0.len() == before).then_some(HallHours { am, pm })
    }

    /// The sessions in order.
    pub fn sessions(&self) -> Vec<(NaiveTime, NaiveTime)> {
        std::iter::once(self.am).chain(self.pm).collect()
    }

    pub fn morning(&self) -> (NaiveTime, NaiveTime) {
        self.am
    }

    pub fn afternoon(&self) -> Option<(NaiveTime, NaiveTime)> {
        self.pm
    }

    /// Whether the hall is open at this time of day.
    pub fn is_open_at(&self, t: NaiveTime) -> bool {
        self.sessions().iter().any(|(a, b)| *a <= t && t < *b)
    }

    /// As shown to people: "09:00–12:00，13:30–17:00".
    pub fn text(&self) -> String {
        self.sessions()
            .iter()
            .map(|(a, b)| format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect::<Vec<_>>()
            .join("，")
    }
}

fn text(
    raw: &str,
    field: &str,
    label: &str,
    max: usize,
    e: &mut ValidationErrors,
) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        e.add("field.required", field, format!("请填写{label}"));
        None
    } else if t.chars().count() > max {
        e.add("field.too_long", field, format!("{label}不能超过{max}个字"));
        None
    } else {
        Some(t.to_string())
    }
}

fn clock(raw: &str, field: &str, label: &str, e: &mut ValidationErrors) -> Option<NaiveTime> {
    let parsed = parse_clock(raw);
    if parsed.is_none() {
        e.add(
            "hall.hours_invalid",
            field,
            format!("{label}应为“时:分”，如 09:00"),
        );
    }
    parsed
}

/// A hall as entered, unchecked. Empty hours take the defaults (09:00–12:00,
/// 13:30–17:00); a hall whose morning is given and afternoon left empty
/// closes at noon.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct HallInput {
    pub name: String,
    /// `main`, `branch` or `online`.
    pub kind: String,
    pub address: String,
    pub am_open: String,
    pub am_close: String,
    pub pm_open: String,
    pub pm_close: String,
    pub sort_order: i64,
}

/// A hall, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHall {
    pub name: String,
    pub kind: HallKind,
    pub address: String,
    pub hours: HallHours,
    pub sort_order: i64,
}

impl NewHall {
    pub fn parse(input: &HallInput) -> Result<NewHall, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = text(&input.name, "name", "大厅名称", 50, &mut e);
        let kind = HallKind::parse(&input.kind);
        if kind.is_none() {
            e.add(
                "hall.kind_invalid",
                "kind",
                "大厅类型应为 main（主厅）、branch（分厅）或 online（网上大厅）",
            );
        }
        if input.address.trim().chars().count() > 200 {
            e.add("field.too_long", "address", "地址不能超过200个字");
        }
        let defaults = HallHours::default();
        let or_default = |raw: &str, field: &str, label: &str, d: NaiveTime, e: &mut _| {
            if raw.trim().is_empty() {
                Some(d)
            } else {
                clock(raw, field, label, e)
            }
        };
        let am_open = or_default(
            &input.am_open,
            "am_open",
            "上午上班时间",
            defaults.am.0,
            &mut e,
        );
        let am_close = or_default(
            &input.am_close,
            "am_close",
            "上午下班时间",
            defaults.am.1,
            &mut e,
        );
        let pm = match (input.pm_open.trim(), input.pm_close.trim()) {
            ("", "") if input.am_open.trim().is_empty() => Some(defaults.pm),
            ("", "") => Some(None),
            (open, close) => match (
                clock(open, "pm_open", "下午上班时间", &mut e),
                clock(close, "pm_close", "下午下班时间", &mut e),
            ) {
                (Some(a), Some(b)) => Some(Some((a, b))),
                _ => None,
            },
        };
        let hours = match (am_open, am_close, pm) {
            (Some(a), Some(b), Some(pm)) => HallHours::new((a, b), pm, "", &mut e),
            _ => None,
        };
        match (name, kind, hours) {
            (Some(name), Some(kind), Some(hours)) if e.is_empty() => Ok(NewHall {
                name,
                kind,
                address: input.address.trim().to_string(),
                hours,
                sort_order: input.sort_order,
            }),
            _ => Err(e),
        }
    }
}

/// A floor as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FloorInput {
    pub level: i64,
    /// Shown name; "{level}楼" when empty.
    pub name: String,
    /// The map's size in decimetres (default 600 × 300).
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// A floor, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFloor {
    pub level: i64,
    pub name: String,
    pub width: i64,
    pub height: i64,
}

fn positive(v: Option<i64>, default: i64, field: &str, e: &mut ValidationErrors) -> i64 {
    match v {
        None => default,
        Some(v) if (1..=10_000).contains(&v) => v,
        Some(_) => {
            e.add("field.out_of_range", field, "尺寸应为1至10000之间的整数");
            default
        }
    }
}

fn place(v: i64, field: &str, e: &mut ValidationErrors) -> i64 {
    if (0..=10_000).contains(&v) {
        v
    } else {
        e.add("field.out_of_range", field, "位置应为0至10000之间的整数");
        0
    }
}

impl NewFloor {
    pub fn parse(input: &FloorInput) -> Result<NewFloor, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(-5..=99).contains(&input.level) || input.level == 0 {
            e.add(
                "floor.level_invalid",
                "level",
                "楼层应为-5至99之间的非零整数（地下层为负数）",
            );
        }
        let name = if input.name.trim().is_empty() {
            if input.level < 0 {
                format!("负{}层", -input.level)
            } else {
                format!("{}楼", input.level)
            }
        } else {
            text(&input.name, "name", "楼层名称", 30, &mut e).unwrap_or_default()
        };
        let width = positive(input.width, 600, "width", &mut e);
        let height = positive(input.height, 300, "height", &mut e);
        e.into_result(NewFloor {
            level: input.level,
            name,
            width,
            height,
        })
    }
}

/// A functional zone as entered, with its rectangle on the floor map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ZoneInput {
    pub name: String,
    /// `windows`, `waiting`, `self_service`, `office`, `room` or `other`.
    pub purpose: String,
    pub x: i64,
    pub y: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// A zone, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewZone {
    pub name: String,
    pub purpose: ZonePurpose,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

impl NewZone {
    pub fn parse(input: &ZoneInput) -> Result<NewZone, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = text(&input.name, "name", "功能区名称", 50, &mut e);
        let purpose = ZonePurpose::parse(&input.purpose);
        if purpose.is_none() {
            let names: Vec<&str> = ZonePurpose::ALL.iter().map(|p| p.code()).collect();
            e.add(
                "zone.purpose_invalid",
                "purpose",
                format!("功能区用途应为：{}", names.join("、")),
            );
        }
        let x = place(input.x, "x", &mut e);
        let y = place(input.y, "y", &mut e);
        let width = positive(input.width, 100, "width", &mut e);
        let height = positive(input.height, 60, "height", &mut e);
        match (name, purpose) {
            (Some(name), Some(purpose)) if e.is_empty() => Ok(NewZone {
                name,
                purpose,
                x,
                y,
                width,
                height,
            }),
            _ => Err(e),
        }
    }
}

/// A business category as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CategoryInput {
    /// One letter A–Z: the prefix of its queue numbers.
    pub code: String,
    pub name: String,
    pub description: String,
}

/// A business category, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    pub code: char,
    pub name: String,
    pub description: String,
}

impl NewCategory {
    pub fn parse(input: &CategoryInput) -> Result<NewCategory, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let raw = input.code.trim().to_ascii_uppercase();
        let mut chars = raw.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => Some(c),
            _ => {
                e.add(
                    "category.code_invalid",
                    "code",
                    "类别代码应为一个英文字母（A–Z），即排队号的字头",
                );
                None
            }
        };
        let name = text(&input.name, "name", "业务类别名称", 30, &mut e);
        if input.description.trim().chars().count() > 200 {
            e.add("field.too_long", "description", "说明不能超过200个字");
        }
        match (code, name) {
            (Some(code), Some(name)) if e.is_empty() => Ok(NewCategory {
                code,
                name,
                description: input.description.trim().to_string(),
            }),
            _ => Err(e),
        }
    }
}

/// A window as entered. Ids refer to stored rows; the store checks they
/// exist and belong to the same center.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WindowInput {
    pub hall_id: i64,
    pub zone_id: Option<i64>,
    /// As painted above the counter: "01", "12", "B3".
    pub number: String,
    /// `resident`, `agency`, `convenience` or `extension`.
    pub kind: String,
    pub name: String,
    /// The department that staffs it (required for a resident window).
    pub department_id: Option<i64>,
    /// Other departments whose business it also takes.
    pub department_ids: Vec<i64>,
    /// The branch hall an extension window stands in for.
    pub branch_hall_id: Option<i64>,
    pub category_ids: Vec<i64>,
    pub item_ids: Vec<i64>,
    pub x: i64,
    pub y: i64,
}

/// A window, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWindow {
    pub hall_id: i64,
    pub zone_id: Option<i64>,
    pub number: String,
    pub kind: WindowKind,
    pub name: String,
    pub department_id: Option<i64>,
    /// Every department whose business it takes, the staffing one first.
    pub department_ids: Vec<i64>,
    pub branch_hall_id: Option<i64>,
    pub category_ids: Vec<i64>,
    pub item_ids: Vec<i64>,
    pub x: i64,
    pub y: i64,
}

fn dedup(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

impl NewWindow {
    pub fn parse(input: &WindowInput) -> Result<NewWindow, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let number = input.number.trim().to_ascii_uppercase();
        if number.is_empty() {
            e.add("field.required", "number", "请填写窗口号");
        } else if number.chars().count() > 10
            || !number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            e.add(
                "window.number_invalid",
                "number",
                "窗口号应为不超过10位的数字或字母，如 01、B3",
            );
        }
        let kind = WindowKind::parse(&input.kind);
        if kind.is_none() {
            e.add(
                "window.kind_invalid",
                "kind",
                "窗口类型应为 resident（常驻窗口）、agency（综合代办窗口）、convenience（便民服务窗口）或 extension（延伸窗口）",
            );
        }
        let name = text(&input.name, "name", "窗口名称", 50, &mut e);
        if kind == Some(WindowKind::Resident) && input.department_id.is_none() {
            e.add(
                "window.department_required",
                "department_id",
                "常驻窗口应选择进驻部门",
            );
        }
        match (kind, input.branch_hall_id) {
            (Some(WindowKind::Extension), None) => e.add(
                "window.branch_hall_required",
                "branch_hall_id",
                "延伸窗口应选择所属分厅",
            ),
            (Some(k), Some(_)) if k != WindowKind::Extension => e.add(
                "window.branch_hall_unexpected",
                "branch_hall_id",
                "只有延伸窗口才属于分厅",
            ),
            _ => {}
        }
        let x = place(input.x, "x", &mut e);
        let y = place(input.y, "y", &mut e);
        match (kind, name) {
            (Some(kind), Some(name)) if e.is_empty() => Ok(NewWindow {
                hall_id: input.hall_id,
                zone_id: input.zone_id,
                number,
                kind,
                name,
                department_id: input.department_id,
                department_ids: dedup(
                    input
                        .department_id
                        .into_iter()
                        .chain(input.department_ids.iter().copied()),
                ),
                branch_hall_id: input.branch_hall_id,
                category_ids: dedup(input.category_ids.iter().copied()),
                item_ids: dedup(input.item_ids.iter().copied()),
                x,
                y,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn default_hours_are_the_halls_two_sessions() {
        let h = NewHall::parse(&HallInput {
            name: "市政务服务中心".into(),
            kind: "main".into(),
            ..Default::default()
        })
        .unwrap()
        .hours;
        assert_eq!(h.text(), "09:00–12:00，13:30–17:00");
        assert!(h.is_open_at(t(9, 0)));
        assert!(!h.is_open_at(t(12, 0)));
        assert!(!h.is_open_at(t(13, 0)));
        assert!(h.is_open_at(t(16, 59)));
        assert!(!h.is_open_at(t(17, 0)));
    }

    #[test]
    fn a_morning_only_hall_and_bad_hours_are_named() {
        let h = NewHall::parse(&HallInput {
            name: "便民服务中心".into(),
            kind: "branch".into(),
            am_open: "08:30".into(),
            am_close: "12:00".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(h.hours.afternoon(), None);
        let e = NewHall::parse(&HallInput {
            name: "x".into(),
            kind: "branch".into(),
            am_open: "12:00".into(),
            am_close: "09:00".into(),
            pm_open: "08:00".into(),
            pm_close: "17:00".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["am_close", "pm_open"]);
        let e = NewHall::parse(&HallInput {
            kind: "hall".into(),
            am_open: "9点".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "am_open"]);
    }

    #[test]
    fn categories_are_one_letter() {
        let c = NewCategory::parse(&CategoryInput {
            code: "b".into(),
            name: "不动产登记".into(),
            description: String::new(),
        })
        .unwrap();
        assert_eq!(c.code, 'B');
        for bad in ["", "AB", "1", "甲"] {
            let e = NewCategory::parse(&CategoryInput {
                code: bad.into(),
                name: "x".into(),
                description: String::new(),
            })
            .unwrap_err();
            assert_eq!(e.0[0].code, "category.code_invalid", "{bad}");
        }
    }

    #[test]
    fn windows_name_their_department_and_branch_hall_rules() {
        let base = WindowInput {
            hall_id: 1,
            number: " b3 ".into(),
            kind: "resident".into(),
            name: "不动产登记".into(),
            department_id: Some(7),
            department_ids: vec![7, 8, 8],
            ..Default::default()
        };
        let w = NewWindow::parse(&base).unwrap();
        assert_eq!(w.number, "B3");
        assert_eq!(w.department_ids, [7, 8]);
        let e = NewWindow::parse(&WindowInput {
            department_id: None,
            ..base.clone()
        })
        .unwrap_err();
        assert_eq!(e.0[0].field, "department_id");
        let e = NewWindow::parse(&WindowInput {
            kind: "extension".into(),
            ..base.clone()
        })
        .unwrap_err();
        assert_eq!(e.0[0].code, "window.branch_hall_required");
        let e = NewWindow::parse(&WindowInput {
            branch_hall_id: Some(2),
            ..base.clone()
        })
        .unwrap_err();
        assert_eq!(e.0[0].code, "window.branch_hall_unexpected");
        let e = NewWindow::parse(&WindowInput {
            number: "一号".into(),
            ..base
        })
        .unwrap_err();
        assert_eq!(e.0[0].code, "window.number_invalid");
    }

    #[test]
    fn a_windows_state_without_the_queue_follows_its_flag() {
        assert_eq!(WindowState::from_active(true), WindowState::Open);
        assert_eq!(WindowState::from_active(false), WindowState::Closed);
        assert_eq!(WindowState::parse("serving"), Some(WindowState::Serving));
        assert_eq!(WindowState::Idle.label(), "空闲");
    }

    #[test]
    fn floors_get_a_name_from_their_level() {
        let f = NewFloor::parse(&FloorInput {
            level: 3,
            ..Default::default()
        })
        .unwrap();
        assert_eq!((f.name.as_str(), f.width, f.height), ("3楼", 600, 300));
        let f = NewFloor::parse(&FloorInput {
            level: -1,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(f.name, "负1层");
        assert!(
            NewFloor::parse(&FloorInput {
                level: 0,
                ..Default::default()
            })
            .is_err()
        );
    }
}
