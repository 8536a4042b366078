//! Electronic supervision (电子监察): when an open case turns yellow or red.
//!
//! The time rules are thresholds, not scans. Whenever a case changes, [`watch`]
//! works out the dates on which its warnings begin; whether the case is yellow
//! or red on a given day is then a comparison with that day ([`Watch::on`]).
//! A warning is therefore always current without anything re-reading the case,
//! and "every red case today" is a range query over a stored date.
//!
//! The thresholds are a center's settings ([`WarningSettings`]): a case is
//! **yellow** once it has at most `yellow_working_days` working days left or has
//! used `yellow_ratio` of its working days (pauses do not count as used, an
//! extension adds to the time it has), and **red** from the day after its due
//! date. A 即办件 is never yellow: it is red (not concluded the day it was
//! accepted) from the next day. Only a running clock is watched: a case waiting
//! for corrections, suspended for a special procedure or concluded has no time
//! warning.

use crate::ValidationErrors;
use crate::calendar::WorkCalendar;
use crate::case::{Case, CaseStatus, EventBody};
use crate::catalogue::CaseKind;
use crate::macros::coded_enum;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// How serious a warning is.
    WarningLevel {
        Yellow = "yellow", "黄牌预警";
        Red = "red", "红牌警告";
    }
);

coded_enum!(
    /// Which rule raised a warning.
    WarningRule {
        NearDeadline = "near_deadline", "临近办结时限";
        Overdue = "overdue", "超期未办结";
        ImmediateNotSameDay = "immediate_not_same_day", "即办件未当场办结";
        StepOverBudget = "step_over_budget", "办理环节超时";
        BadRatingNearDue = "bad_rating_near_due", "差评整改临近期限";
        BadRatingOverdue = "bad_rating_overdue", "差评整改超期";
    }
);

impl WarningRule {
    pub fn level(self) -> WarningLevel {
        match self {
            Self::NearDeadline | Self::StepOverBudget | Self::BadRatingNearDue => {
                WarningLevel::Yellow
            }
            Self::Overdue | Self::ImmediateNotSameDay | Self::BadRatingOverdue => WarningLevel::Red,
        }
    }
}

/// A center's thresholds for the time rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningSettings {
    /// Yellow at this many working days left or fewer (0 to 30).
    pub yellow_working_days: u32,
    /// Yellow once this share of the working days is used, in thousandths (1 to 1000).
    pub yellow_permille: u32,
}

impl Default for WarningSettings {
    /// Two working days left, or 80 % of the time used.
    fn default() -> Self {
        Self {
            yellow_working_days: 2,
            yellow_permille: 800,
        }
    }
}

impl WarningSettings {
    pub const MAX_YELLOW_WORKING_DAYS: i64 = 30;

    /// Checks raw settings as an administrator enters them; `yellow_ratio` is
    /// a share such as 0.8.
    pub fn new(yellow_working_days: i64, yellow_ratio: f64) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(0..=Self::MAX_YELLOW_WORKING_DAYS).contains(&yellow_working_days) {
            e.add(
                "supervision.yellow_days_invalid",
                "yellow_working_days",
                format!(
                    "黄牌预警的剩余工作日数应在 0 到 {} 之间",
                    Self::MAX_YELLOW_WORKING_DAYS
                ),
            );
        }
        if !(yellow_ratio > 0.0 && yellow_ratio <= 1.0) {
            e.add(
                "supervision.yellow_ratio_invalid",
                "yellow_ratio",
                "黄牌预警的已用时限比例应大于 0 且不超过 1（如 0.8）",
            );
        }
        e.into_result(Self {
            yellow_working_days: yellow_working_days.clamp(0, 30) as u32,
            yellow_permille: (yellow_ratio * 1000.0).round().clamp(1.0, 1000.0) as u32,
        })
    }

    /// The share as a number, for display and the API.
    pub fn yellow_ratio(&self) -> f64 {
        f64::from(self.yellow_permille) / 1000.0
    }

    /// How many working days left make a case with `budget` working days
    /// yellow: the larger of the fixed count and the share not yet used.
    pub fn yellow_margin(&self, budget: u32) -> u32 {
        // Used >= ratio × budget  ⇔  left <= budget − ceil(ratio × budget).
        let used = (u64::from(self.yellow_permille) * u64::from(budget)).div_ceil(1000);
        let by_ratio = u64::from(budget).saturating_sub(used);
        self.yellow_working_days.max(by_ratio as u32)
    }
}

/// What the time rules need to know about a case: its projection columns
/// (so that warnings can be rebuilt without reading each case's state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchInput {
    pub status: CaseStatus,
    pub case_kind: CaseKind,
    pub accepted_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub paused_working_days: u32,
    /// The step being handled: the day it started and its budget in working days.
    pub step: Option<(NaiveDate, u32)>,
}

impl From<&Case> for WatchInput {
    fn from(c: &Case) -> Self {
        let step = c.current_step().and_then(|n| {
            let s = c.steps.get(n - 1)?;
            Some((beijing_date(s.started_at?), u32::from(s.budget_days)))
        });
        Self {
            status: c.status,
            case_kind: c.item.case_kind,
            accepted_on: c.accepted_on,
            due_date: c.due_date,
            paused_working_days: c.paused_working_days,
            step,
        }
    }
}

/// The days on which a case's time warnings begin, as of its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Watch {
    /// The first day the case is yellow (near its deadline).
    pub yellow_on: Option<NaiveDate>,
    /// The first day the case is red (overdue).
    pub red_on: Option<NaiveDate>,
    /// The first day the current step is over its own budget.
    pub step_over_on: Option<NaiveDate>,
    /// A 即办件: red means "not concluded the day it was accepted".
    pub immediate: bool,
}

/// One warning a case has on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeWarning {
    pub level: WarningLevel,
    pub rule: WarningRule,
    /// The day the warning began.
    pub since: NaiveDate,
}

impl Watch {
    /// The deadline warning of the case on `today`, if any: red wins over yellow.
    pub fn on(&self, today: NaiveDate) -> Option<TimeWarning> {
        if let Some(since) = self.red_on.filter(|d| *d <= today) {
            let rule = if self.immediate {
                WarningRule::ImmediateNotSameDay
            } else {
                WarningRule::Overdue
            };
            return Some(TimeWarning {
                level: WarningLevel::Red,
                rule,
                since,
            });
        }
        let since = self.yellow_on.filter(|d| *d <= today)?;
        Some(TimeWarning {
            level: WarningLevel::Yellow,
            rule: WarningRule::NearDeadline,
            since,
        })
    }

    /// The step warning of the case on `today`, if any.
    pub fn step_on(&self, today: NaiveDate) -> Option<TimeWarning> {
        let since = self.step_over_on.filter(|d| *d <= today)?;
        Some(TimeWarning {
            level: WarningLevel::Yellow,
            rule: WarningRule::StepOverBudget,
            since,
        })
    }
}

/// The days on which the time rules start to apply to a case. Nothing is
/// watched unless its clock runs (accepted, not paused, not concluded).
pub fn watch(input: &WatchInput, calendar: &WorkCalendar, settings: &WarningSettings) -> Watch {
    if input.status != CaseStatus::Accepted {
        return Watch::default();
    }
    let (Some(accepted_on), Some(due)) = (input.accepted_on, input.due_date) else {
        return Watch::default();
    };
    let immediate = input.case_kind == CaseKind::Immediate;
    let red_on = due.succ_opt();
    let yellow_on = if immediate {
        None
    } else {
        // The working days the case may use: the span to its due date less
        // the paused days that moved it (an extension stays in the span).
        let span = calendar.working_days_between(next_day(accepted_on), next_day(due));
        let budget = span.saturating_sub(input.paused_working_days);
        let margin = settings.yellow_margin(budget);
        // With `margin` working days left: from the (margin + 1)-th working
        // day counted back from the due date, but not before acceptance.
        calendar
            .nth_working_day_back(due, margin + 1)
            .map(|d| d.max(accepted_on))
    };
    let step_over_on = input.step.and_then(|(started_on, budget)| {
        calendar
            .add_working_days(started_on, budget)
            .ok()
            .and_then(|d| d.succ_opt())
    });
    Watch {
        yellow_on,
        red_on,
        step_over_on,
        immediate,
    }
}

/// The calendar date of an instant in Beijing time (UTC+8, no daylight saving).
pub fn beijing_date(t: DateTime<Utc>) -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    t.with_timezone(&offset).date_naive()
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

// ------------------------------------------------------------- violations

coded_enum!(
    /// An irregular act found when it happens, not by the clock.
    ///
    /// Two acts the rules also name cannot happen in govhall at all, so they
    /// have no rule here: a refusal without a reason (`decide` refuses it with
    /// `field.required`) and a fee different from the item's standard (a fee
    /// notice is computed from the item version the case was accepted under).
    ViolationRule {
        SecondCorrectionNotice = "second_correction_notice", "重复一次性告知";
        AcceptedTwice = "accepted_twice", "两头受理";
        CertificateWithoutCase = "certificate_without_case", "体外循环";
    }
);

impl ViolationRule {
    pub fn level(self) -> WarningLevel {
        match self {
            Self::SecondCorrectionNotice => WarningLevel::Yellow,
            Self::AcceptedTwice | Self::CertificateWithoutCase => WarningLevel::Red,
        }
    }
}

coded_enum!(
    /// Where a violation stands.
    ViolationStatus {
        Open = "open", "待处理";
        Dismissed = "dismissed", "已排除";
        Corrected = "corrected", "已纠正";
    }
);

/// The violations an event shows by itself, given the case as the event left
/// it, each with a line saying what was seen.
pub fn event_violations(after: &Case, body: &EventBody) -> Vec<(ViolationRule, String)> {
    let mut found = Vec::new();
    if let EventBody::CorrectionRequested { .. } = body
        && after.notices.len() >= 2
    {
        found.push((
            ViolationRule::SecondCorrectionNotice,
            format!(
                "同一办件第 {} 次出具一次性告知书（一次性告知应一次告知全部需补正内容）",
                after.notices.len()
            ),
        ));
    }
    found
}

// ------------------------------------------------------------ corrections

coded_enum!(
    /// Where a correction order (纠错/督办) stands.
    CorrectionStatus {
        Issued = "issued", "待答复";
        Replied = "replied", "已答复待审核";
        Returned = "returned", "退回重新答复";
        Closed = "closed", "已办结";
    }
);

coded_enum!(
    /// What happened to a correction order.
    CorrectionEventKind {
        Issued = "issued", "下发督办";
        Replied = "replied", "部门答复";
        Returned = "returned", "退回";
        Closed = "closed", "办结";
        Escalated = "escalated", "逾期未答复，升级督办";
    }
);

impl CorrectionStatus {
    /// Waiting for the department's answer (its reply deadline runs).
    pub fn awaits_reply(self) -> bool {
        matches!(self, Self::Issued | Self::Returned)
    }
}

/// A step in a correction order's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionAction {
    /// The department answers (by its staff).
    Reply,
    /// The supervisor finds the answer insufficient.
    Return,
    /// The supervisor closes the order.
    Close,
}

impl CorrectionAction {
    pub fn event(self) -> CorrectionEventKind {
        match self {
            Self::Reply => CorrectionEventKind::Replied,
            Self::Return => CorrectionEventKind::Returned,
            Self::Close => CorrectionEventKind::Closed,
        }
    }
}

/// A refused step: a stable code and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionConflict {
    pub code: &'static str,
    pub message: String,
}

/// The status a correction order moves to, or why it cannot.
pub fn correction_after(
    status: CorrectionStatus,
    action: CorrectionAction,
) -> Result<CorrectionStatus, CorrectionConflict> {
    use CorrectionAction as A;
    use CorrectionStatus as S;
    let refuse = |code, what: &str| {
        Err(CorrectionConflict {
            code,
            message: format!("督办单当前为“{}”，不能{what}", status.label()),
        })
    };
    match (action, status) {
        (A::Reply, S::Issued | S::Returned) => Ok(S::Replied),
        (A::Reply, _) => refuse("correction.not_awaiting_reply", "答复"),
        (A::Return, S::Replied) => Ok(S::Returned),
        (A::Return, _) => refuse("correction.not_replied", "退回"),
        (A::Close, S::Closed) => refuse("correction.closed", "办结"),
        (A::Close, _) => Ok(S::Closed),
    }
}

/// A correction order as a supervisor enters it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCorrection {
    pub reason: String,
    pub reply_working_days: u32,
}

impl NewCorrection {
    pub const MAX_REPLY_WORKING_DAYS: i64 = 30;

    pub fn parse(reason: &str, reply_working_days: i64) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let reason = reason.trim();
        if reason.is_empty() {
            e.add("field.required", "reason", "请填写督办事由");
        } else if reason.chars().count() > 1000 {
            e.add("field.too_long", "reason", "督办事由不能超过1000个字");
        }
        if !(1..=Self::MAX_REPLY_WORKING_DAYS).contains(&reply_working_days) {
            e.add(
                "correction.reply_days_invalid",
                "reply_working_days",
                format!(
                    "答复期限应为 1 到 {} 个工作日",
                    Self::MAX_REPLY_WORKING_DAYS
                ),
            );
        }
        e.into_result(Self {
            reason: reason.to_string(),
            reply_working_days: reply_working_days.clamp(1, 30) as u32,
        })
    }
}

/// The note that goes with a step: an answer and a return need one.
pub fn correction_note(action: CorrectionAction, raw: &str) -> Result<String, ValidationErrors> {
    let t = raw.trim();
    let (field, label) = match action {
        CorrectionAction::Reply => ("reply", "答复内容"),
        CorrectionAction::Return => ("note", "退回理由"),
        CorrectionAction::Close => ("note", "办结意见"),
    };
    let mut e = ValidationErrors::default();
    if t.is_empty() && action != CorrectionAction::Close {
        e.add("field.required", field, format!("请填写{label}"));
    } else if t.chars().count() > 2000 {
        e.add("field.too_long", field, format!("{label}不能超过2000个字"));
    }
    e.into_result(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn promised(accepted_on: NaiveDate, due: NaiveDate) -> WatchInput {
        WatchInput {
            status: CaseStatus::Accepted,
            case_kind: CaseKind::Promised,
            accepted_on: Some(accepted_on),
            due_date: Some(due),
            paused_working_days: 0,
            step: None,
        }
    }

    #[test]
    fn a_case_accepted_before_national_day_turns_yellow_then_red() {
        let cal = WorkCalendar::with_official();
        // Ten working days from Wed 30 Sep 2026: 1–7 Oct off, Sat 10 Oct worked.
        let due = cal.add_working_days(date(2026, 9, 30), 10).unwrap();
        assert_eq!(due, date(2026, 10, 20));
        let w = watch(
            &promised(date(2026, 9, 30), due),
            &cal,
            &WarningSettings::default(),
        );
        // Two working days left (19 and 20 Oct) from Friday 16 Oct.
        assert_eq!(w.yellow_on, Some(date(2026, 10, 16)));
        assert_eq!(w.red_on, Some(date(2026, 10, 21)));
        assert_eq!(w.on(date(2026, 10, 7)), None, "still in the holiday");
        assert_eq!(w.on(date(2026, 10, 15)), None);
        for day in [16, 17, 18, 19, 20] {
            let warning = w.on(date(2026, 10, day)).unwrap();
            assert_eq!(warning.level, WarningLevel::Yellow, "{day} Oct");
            assert_eq!(warning.rule, WarningRule::NearDeadline);
            assert_eq!(warning.since, date(2026, 10, 16));
        }
        let red = w.on(date(2026, 10, 21)).unwrap();
        assert_eq!(
            (red.level, red.rule, red.since),
            (WarningLevel::Red, WarningRule::Overdue, date(2026, 10, 21))
        );
    }

    #[test]
    fn the_share_of_time_used_can_warn_earlier_than_the_days_left() {
        let cal = WorkCalendar::with_official();
        // 20 working days from Mon 2 Nov 2026: due Mon 30 Nov; 80 % used
        // means 4 left, from Tue 24 Nov.
        let due = cal.add_working_days(date(2026, 11, 2), 20).unwrap();
        assert_eq!(due, date(2026, 11, 30));
        let w = watch(
            &promised(date(2026, 11, 2), due),
            &cal,
            &WarningSettings::default(),
        );
        assert_eq!(w.yellow_on, Some(date(2026, 11, 24)));
        assert_eq!(cal.working_days_left(date(2026, 11, 24), due), 4);
        assert_eq!(cal.working_days_left(date(2026, 11, 23), due), 5);
    }

    #[test]
    fn paused_days_are_not_time_used() {
        let cal = WorkCalendar::with_official();
        // A 10-day case paused 10 working days: due 20 working days after
        // acceptance, yet only 10 of them are its own, so 80 % used is 2 left.
        let due = cal.add_working_days(date(2026, 11, 2), 20).unwrap();
        let mut input = promised(date(2026, 11, 2), due);
        input.paused_working_days = 10;
        let w = watch(&input, &cal, &WarningSettings::default());
        assert_eq!(w.yellow_on, cal.nth_working_day_back(due, 3));
        assert_eq!(cal.working_days_left(w.yellow_on.unwrap(), due), 2);
    }

    #[test]
    fn a_short_case_is_yellow_from_the_day_it_is_accepted() {
        let cal = WorkCalendar::with_official();
        let due = cal.add_working_days(date(2026, 11, 23), 1).unwrap();
        let w = watch(
            &promised(date(2026, 11, 23), due),
            &cal,
            &WarningSettings::default(),
        );
        assert_eq!(w.yellow_on, Some(date(2026, 11, 23)));
    }

    #[test]
    fn an_immediate_case_is_red_the_day_after_and_never_yellow() {
        let cal = WorkCalendar::with_official();
        let mut input = promised(date(2026, 11, 27), date(2026, 11, 27));
        input.case_kind = CaseKind::Immediate;
        let w = watch(&input, &cal, &WarningSettings::default());
        assert_eq!(w.yellow_on, None);
        assert_eq!(w.on(date(2026, 11, 27)), None);
        let red = w.on(date(2026, 11, 28)).unwrap();
        assert_eq!(red.rule, WarningRule::ImmediateNotSameDay);
        assert_eq!(red.level, WarningLevel::Red);
    }

    #[test]
    fn only_a_running_clock_is_watched() {
        let cal = WorkCalendar::with_official();
        for status in [
            CaseStatus::Submitted,
            CaseStatus::AwaitingCorrection,
            CaseStatus::Suspended,
            CaseStatus::Refused,
            CaseStatus::Concluded,
            CaseStatus::Delivered,
        ] {
            let mut input = promised(date(2026, 9, 1), date(2026, 9, 15));
            input.status = status;
            let w = watch(&input, &cal, &WarningSettings::default());
            assert_eq!(w, Watch::default(), "{status:?}");
            assert_eq!(w.on(date(2027, 1, 1)), None);
        }
    }

    #[test]
    fn a_step_over_its_budget_is_flagged_the_day_after_its_last_day() {
        let cal = WorkCalendar::with_official();
        let mut input = promised(date(2026, 9, 28), date(2026, 10, 30));
        // 审核 started Wed 30 Sep with 2 working days: 8 and 9 Oct.
        input.step = Some((date(2026, 9, 30), 2));
        let w = watch(&input, &cal, &WarningSettings::default());
        assert_eq!(w.step_over_on, Some(date(2026, 10, 10)));
        assert_eq!(w.step_on(date(2026, 10, 9)), None);
        let s = w.step_on(date(2026, 10, 10)).unwrap();
        assert_eq!(
            (s.level, s.rule),
            (WarningLevel::Yellow, WarningRule::StepOverBudget)
        );
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let s = WarningSettings::new(3, 0.75).unwrap();
        assert_eq!(s.yellow_working_days, 3);
        assert_eq!(s.yellow_permille, 750);
        assert_eq!(s.yellow_ratio(), 0.75);
        let e = WarningSettings::new(-1, 1.5).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["yellow_working_days", "yellow_ratio"]);
        assert!(WarningSettings::new(2, 0.0).is_err());
        assert!(WarningSettings::new(31, 0.8).is_err());
    }

    #[test]
    fn the_margin_is_the_larger_of_days_left_and_share_unused() {
        let s = WarningSettings::default();
        assert_eq!(s.yellow_margin(0), 2);
        assert_eq!(s.yellow_margin(10), 2);
        assert_eq!(s.yellow_margin(20), 4);
        // 80 % of 7 is 5.6: yellow once 6 are used, i.e. 1 left; 2 days win.
        assert_eq!(s.yellow_margin(7), 2);
        let ratio_only = WarningSettings {
            yellow_working_days: 0,
            yellow_permille: 800,
        };
        assert_eq!(ratio_only.yellow_margin(7), 1);
    }

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (0i64..800).prop_map(|n| date(2025, 1, 1) + chrono::Days::new(n as u64))
    }

    proptest! {
        /// The stored thresholds say exactly what the rules say, day by day:
        /// yellow iff at most `margin` working days are left, red iff overdue.
        #[test]
        fn thresholds_agree_with_the_rules_on_every_day(
            accepted_on in any_day(),
            limit in 1u32..40,
            paused in 0u32..10,
            yellow_days in 0u32..6,
            permille in 1u32..=1000,
            offset in 0i64..80,
        ) {
            let cal = WorkCalendar::with_official();
            let settings = WarningSettings { yellow_working_days: yellow_days, yellow_permille: permille };
            let due = cal.add_working_days(accepted_on, limit + paused).unwrap();
            let mut input = promised(accepted_on, due);
            input.paused_working_days = paused;
            let w = watch(&input, &cal, &settings);
            let today = accepted_on + chrono::Days::new(offset as u64);
            let margin = settings.yellow_margin(limit);
            let expected = if today > due {
                Some(WarningLevel::Red)
            } else if cal.working_days_left(today, due) <= i64::from(margin) {
                Some(WarningLevel::Yellow)
            } else {
                None
            };
            prop_assert_eq!(w.on(today).map(|t| t.level), expected);
        }
    }

    #[test]
    fn a_correction_order_moves_reply_return_reply_close() {
        use CorrectionAction as A;
        use CorrectionStatus as S;
        assert_eq!(correction_after(S::Issued, A::Reply), Ok(S::Replied));
        assert_eq!(correction_after(S::Replied, A::Return), Ok(S::Returned));
        assert_eq!(correction_after(S::Returned, A::Reply), Ok(S::Replied));
        assert_eq!(correction_after(S::Replied, A::Close), Ok(S::Closed));
        // A supervisor may close an order before any answer (withdrawn).
        assert_eq!(correction_after(S::Issued, A::Close), Ok(S::Closed));
        assert_eq!(
            correction_after(S::Replied, A::Reply).unwrap_err().code,
            "correction.not_awaiting_reply"
        );
        assert_eq!(
            correction_after(S::Issued, A::Return).unwrap_err().code,
            "correction.not_replied"
        );
        let closed = correction_after(S::Closed, A::Close).unwrap_err();
        assert_eq!(closed.code, "correction.closed");
        assert!(closed.message.contains("已办结"));
        assert!(S::Issued.awaits_reply() && S::Returned.awaits_reply());
        assert!(!S::Replied.awaits_reply() && !S::Closed.awaits_reply());
    }

    #[test]
    fn a_correction_order_needs_a_reason_and_a_reply_period_of_1_to_30_days() {
        let ok = NewCorrection::parse("  超期未办结，请说明原因  ", 5).unwrap();
        assert_eq!(ok.reason, "超期未办结，请说明原因");
        assert_eq!(ok.reply_working_days, 5);
        let e = NewCorrection::parse(" ", 31).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["reason", "reply_working_days"]);
        assert!(NewCorrection::parse("x", 0).is_err());
        assert!(NewCorrection::parse(&"长".repeat(1001), 3).is_err());
        // An answer and a return need words; a close may go without.
        assert!(correction_note(CorrectionAction::Reply, " ").is_err());
        assert!(correction_note(CorrectionAction::Return, "").is_err());
        assert_eq!(correction_note(CorrectionAction::Close, " ").unwrap(), "");
    }

    #[test]
    fn violation_rules_have_their_levels() {
        assert_eq!(
            ViolationRule::SecondCorrectionNotice.level(),
            WarningLevel::Yellow
        );
        assert_eq!(ViolationRule::AcceptedTwice.level(), WarningLevel::Red);
        assert_eq!(
            ViolationRule::CertificateWithoutCase.level(),
            WarningLevel::Red
        );
        assert_eq!(
            ViolationRule::parse("两头受理"),
            Some(ViolationRule::AcceptedTwice)
        );
    }
}
