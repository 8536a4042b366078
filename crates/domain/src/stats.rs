//! Case and complaint statistics as plain arithmetic: the counts a report or
//! the leaders' big screen shows, and the rates computed from them, so that
//! totals add up and every rate has the same definition everywhere.
//!
//! The store fills these from its tables; the working days a case used are
//! counted here, with the center's calendar, the way its due date was.

use crate::calendar::WorkCalendar;
use crate::macros::coded_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// How a case report is broken down.
    StatsGroup {
        Department = "department", "按部门";
        Item = "item", "按事项";
        Month = "month", "按月份";
    }
);

/// The case figures of one unit (department, item, month or the whole
/// center) over a period of Beijing days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseFigures {
    /// Cases accepted (受理) in the period.
    pub accepted: i64,
    /// Of those, on-the-spot cases (即办件).
    pub immediate: i64,
    /// Of those, applications made online.
    pub online: i64,
    /// Cases concluded (办结) in the period, whenever they were accepted.
    pub concluded: i64,
    /// Of those, concluded on or before their due date.
    pub on_time: i64,
    /// The working days the concluded cases used, added up (see
    /// [`working_days_used`]).
    pub working_days: i64,
}

impl CaseFigures {
    /// Counts one concluded case: on time when the Beijing day it was
    /// concluded is not after its due date.
    pub fn count_conclusion(&mut self, calendar: &WorkCalendar, c: &ConcludedCase) {
        self.concluded += 1;
        if c.due_date.is_some_and(|due| c.concluded_on <= due) {
            self.on_time += 1;
        }
        self.working_days += i64::from(working_days_used(
            calendar,
            c.accepted_on,
            c.concluded_on,
            c.paused_working_days,
        ));
    }

    /// Adds another unit's counts (for totals).
    pub fn add(&mut self, other: &CaseFigures) {
        self.accepted += other.accepted;
        self.immediate += other.immediate;
        self.online += other.online;
        self.concluded += other.concluded;
        self.on_time += other.on_time;
        self.working_days += other.working_days;
    }

    /// 按时办结率: concluded on time over concluded, `None` without any.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.concluded)
    }

    /// 平均办理用时: working days used per concluded case.
    pub fn average_working_days(&self) -> Option<f64> {
        ratio(self.working_days, self.concluded)
    }

    /// 即办件占比: on-the-spot cases over accepted cases.
    pub fn immediate_share(&self) -> Option<f64> {
        ratio(self.immediate, self.accepted)
    }

    /// 网上办理占比: online applications over accepted cases.
    pub fn online_share(&self) -> Option<f64> {
        ratio(self.online, self.accepted)
    }
}

/// What the figures need of a concluded case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcludedCase {
    /// The Beijing day it was accepted.
    pub accepted_on: NaiveDate,
    /// The Beijing day it was concluded.
    pub concluded_on: NaiveDate,
    pub due_date: Option<NaiveDate>,
    /// Working days its clock stood still (suspensions, corrections).
    pub paused_working_days: u32,
}

/// The working days a case used: those after the day it was accepted up to
/// and including the day it was concluded (the acceptance day does not count,
/// as it does not for its due date), minus the days its clock was paused. A
/// case concluded on the day it was accepted used 0.
pub fn working_days_used(
    calendar: &WorkCalendar,
    accepted_on: NaiveDate,
    concluded_on: NaiveDate,
    paused_working_days: u32,
) -> u32 {
    calendar
        .working_days_between(next_day(accepted_on), next_day(concluded_on))
        .saturating_sub(paused_working_days)
}

/// One line of a case report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseStatsRow {
    /// The department's or item's id, or the month as `2026-10`.
    pub key: String,
    /// The department's or item's name, or the month as `2026年10月`.
    pub name: String,
    /// The department (of an item); empty for a month.
    pub department: String,
    pub figures: CaseFigures,
}

/// A case report: one line per department, item or month, and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: StatsGroup,
    pub rows: Vec<CaseStatsRow>,
    pub total: CaseFigures,
}

impl CaseStats {
    /// A report whose total is the sum of its lines.
    pub fn new(from: NaiveDate, to: NaiveDate, group: StatsGroup, rows: Vec<CaseStatsRow>) -> Self {
        let mut total = CaseFigures::default();
        for r in &rows {
            total.add(&r.figures);
        }
        Self {
            from,
            to,
            group,
            rows,
            total,
        }
    }
}

/// Cases accepted and concluded on one Beijing day (the big screen's trend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub accepted: i64,
    pub concluded: i64,
}

/// The calendar months a period touches, each cut to the period:
/// 2026-09-15..=2026-11-03 gives 09-15..=09-30, 10-01..=10-31, 11-01..=11-03.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = month_end(start).min(to);
        out.push((start, end));
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// `2026-10`: the key of a month in reports.
pub fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// `2026年10月`: a month as people read it.
pub fn month_label(day: NaiveDate) -> String {
    format!("{}年{}月", day.year(), day.month())
}

/// The first day of the month `day` is in.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn month_end(day: NaiveDate) -> NaiveDate {
    let (y, m) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(day)
}

// ------------------------------------------------------------- complaints

/// The complaint figures of one category or department over a period
/// (complaints received in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ComplaintFigures {
    pub received: i64,
    /// Answered by the department (a reply was given).
    pub answered: i64,
    /// Of those, answered on or before the due date.
    pub answered_on_time: i64,
    /// Still waiting for an answer after their due date.
    pub overdue_open: i64,
    /// The complainants' satisfaction at the return visit.
    pub satisfied: i64,
    pub basic: i64,
    pub dissatisfied: i64,
}

impl ComplaintFigures {
    pub fn add(&mut self, o: &ComplaintFigures) {
        self.received += o.received;
        self.answered += o.answered;
        self.answered_on_time += o.answered_on_time;
        self.overdue_open += o.overdue_open;
        self.satisfied += o.satisfied;
        self.basic += o.basic;
        self.dissatisfied += o.dissatisfied;
    }

    /// 答复率: answered over received.
    pub fn answer_rate(&self) -> Option<f64> {
        ratio(self.answered, self.received)
    }

    /// 按时答复率: answered on time over answered.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.answered_on_time, self.answered)
    }

    /// 满意率: satisfied or basically satisfied over those who said.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(
            self.satisfied + self.basic,
            self.satisfied + self.basic + self.dissatisfied,
        )
    }
}

/// One line of the complaint report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintStatsRow {
    /// The category's code or the department's id (`none`: not yet assigned).
    pub key: String,
    pub name: String,
    pub figures: ComplaintFigures,
}

/// The complaint report: by category and by department, and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_category: Vec<ComplaintStatsRow>,
    pub by_department: Vec<ComplaintStatsRow>,
    pub total: ComplaintFigures,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part.max(0) as f64 / whole as f64)
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_used_skip_the_acceptance_day_holidays_and_pauses() {
        let cal = WorkCalendar::with_official();
        // Accepted on 30 September, concluded on its due date 20 October:
        // the ten working days of its limit (8, 9, Sat 10, 12–16, 19, 20).
        assert_eq!(
            working_days_used(&cal, day("2026-09-30"), day("2026-10-20"), 0),
            10
        );
        assert_eq!(
            working_days_used(&cal, day("2026-09-30"), day("2026-10-20"), 3),
            7
        );
        // Concluded the day it was accepted: none used.
        assert_eq!(
            working_days_used(&cal, day("2026-09-30"), day("2026-09-30"), 0),
            0
        );
        // Over the holiday only: none used either.
        assert_eq!(
            working_days_used(&cal, day("2026-09-30"), day("2026-10-07"), 0),
            0
        );
        assert_eq!(
            working_days_used(&cal, day("2026-09-30"), day("2026-10-08"), 5),
            0,
            "never negative"
        );
    }

    #[test]
    fn conclusions_count_on_time_by_the_due_date() {
        let cal = WorkCalendar::with_official();
        let mut f = CaseFigures::default();
        let case = |concluded: &str| ConcludedCase {
            accepted_on: day("2026-09-30"),
            concluded_on: day(concluded),
            due_date: Some(day("2026-10-20")),
            paused_working_days: 0,
        };
        f.count_conclusion(&cal, &case("2026-10-09"));
        f.count_conclusion(&cal, &case("2026-10-20"));
        f.count_conclusion(&cal, &case("2026-10-21"));
        assert_eq!(
            (f.concluded, f.on_time, f.working_days),
            (3, 2, 2 + 10 + 11)
        );
        assert!((f.on_time_rate().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((f.average_working_days().unwrap() - 23.0 / 3.0).abs() < 1e-12);
        assert_eq!(f.immediate_share(), None, "nothing accepted: no share");
    }

    #[test]
    fn totals_add_up_and_rates_come_from_the_sums() {
        let a = CaseFigures {
            accepted: 4,
            immediate: 1,
            online: 2,
            concluded: 2,
            on_time: 2,
            working_days: 6,
        };
        let b = CaseFigures {
            accepted: 1,
            concluded: 2,
            on_time: 1,
            working_days: 4,
            ..Default::default()
        };
        let stats = CaseStats::new(
            day("2026-10-01"),
            day("2026-10-31"),
            StatsGroup::Department,
            vec![
                CaseStatsRow {
                    key: "1".into(),
                    name: "甲".into(),
                    department: "甲".into(),
                    figures: a,
                },
                CaseStatsRow {
                    key: "2".into(),
                    name: "乙".into(),
                    department: "乙".into(),
                    figures: b,
                },
            ],
        );
        assert_eq!(stats.total.accepted, 5);
        assert_eq!(stats.total.on_time_rate(), Some(0.75));
        assert_eq!(stats.total.average_working_days(), Some(2.5));
        assert_eq!(stats.total.immediate_share(), Some(0.2));
        assert_eq!(stats.total.online_share(), Some(0.4));
    }

    #[test]
    fn a_period_is_cut_into_its_months() {
        assert_eq!(
            months(day("2026-09-15"), day("2026-11-03")),
            vec![
                (day("2026-09-15"), day("2026-09-30")),
                (day("2026-10-01"), day("2026-10-31")),
                (day("2026-11-01"), day("2026-11-03")),
            ]
        );
        assert_eq!(
            months(day("2026-12-31"), day("2027-01-01")),
            vec![
                (day("2026-12-31"), day("2026-12-31")),
                (day("2027-01-01"), day("2027-01-01")),
            ]
        );
        assert_eq!(
            months(day("2028-02-01"), day("2028-02-29")).len(),
            1,
            "leap February is one month"
        );
        assert!(months(day("2026-10-02"), day("2026-10-01")).is_empty());
        assert_eq!(month_key(day("2026-10-05")), "2026-10");
        assert_eq!(month_label(day("2026-09-05")), "2026年9月");
    }

    #[test]
    fn complaint_rates() {
        let f = ComplaintFigures {
            received: 4,
            answered: 3,
            answered_on_time: 2,
            overdue_open: 1,
            satisfied: 1,
            basic: 1,
            dissatisfied: 1,
        };
        assert_eq!(f.answer_rate(), Some(0.75));
        assert!((f.on_time_rate().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((f.satisfaction_rate().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(ComplaintFigures::default().satisfaction_rate(), None);
        assert_eq!(StatsGroup::parse("month"), Some(StatsGroup::Month));
        assert_eq!(StatsGroup::Item.label(), "按事项");
    }
}
