//! The working-day calendar (工作日历) and the deadline arithmetic built on it.
//!
//! 行政许可法 §82 counts time limits in working days, excluding statutory
//! holidays. A [`WorkCalendar`] says which days are worked: Saturdays and
//! Sundays are off unless an override makes them a make-up working day
//! (调休上班), and any day can be overridden to a day off. The 国务院办公厅
//! arrangements for 2025 and 2026 are compiled in
//! ([`WorkCalendar::with_official`]); later years are announced each November
//! and either entered by an administrator ([`WorkCalendar::set`]) or imported
//! from a small CSV file ([`parse_calendar_csv`]).
//!
//! Counting follows DOMAIN.md §4: N working days start on the working day
//! after acceptance; pauses (special procedures, waiting for corrections) push
//! the deadline back by the working days they cover; extensions add working
//! days ([`compute_deadline`]). Nothing here reads the clock: "today" is
//! always an argument.

use crate::catalogue::{LimitUnit, TimeLimit};
use crate::macros::coded_enum;
use crate::validation::{FieldError, ValidationErrors, text};
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

coded_enum! {
    /// Whether a day is worked in the center. `Holiday` is any day off: a
    /// weekend or a statutory holiday.
    DayKind {
        Workday = "workday", "工作日";
        Holiday = "holiday", "休息日";
    }
}

/// The longest run of consecutive days off that the working-day arithmetic
/// crosses. The longest official break is 9 days (春节 2026); a calendar with
/// a whole year off is a data error, and stopping there keeps
/// [`WorkCalendar::add_working_days`] from looping for ever.
pub const MAX_DAYS_OFF_IN_A_ROW: u32 = 366;

/// The longest note an imported calendar line may carry.
pub const MAX_NOTE_LEN: usize = 50;

/// Why a date could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// More than [`MAX_DAYS_OFF_IN_A_ROW`] days off follow `after`: the
    /// calendar is wrong, not the case.
    #[error("no working day in the {} days after {after}", MAX_DAYS_OFF_IN_A_ROW)]
    NoWorkingDay { after: NaiveDate },
    /// The result would lie beyond the dates chrono can represent.
    #[error("the date is outside the supported range")]
    OutOfRange,
}

impl CalendarError {
    /// A Chinese explanation for people.
    pub fn message(self) -> String {
        match self {
            Self::NoWorkingDay { after } => format!(
                "工作日历中{after}之后连续{MAX_DAYS_OFF_IN_A_ROW}天以上没有工作日，请检查日历设置"
            ),
            Self::OutOfRange => "日期超出可计算的范围".into(),
        }
    }
}

/// One date that departs from the weekend rule, or is named as a holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOverride {
    pub kind: DayKind,
    /// The holiday's name ("国庆节") or why the day is worked ("国庆节调休").
    pub note: String,
}

/// Which days the center works.
///
/// Without overrides, Monday to Friday are working days and Saturday and
/// Sunday are days off. An override decides a date outright, whatever its
/// weekday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    overrides: BTreeMap<NaiveDate, DayOverride>,
}

impl WorkCalendar {
    /// Weekends off, no holidays.
    pub fn new() -> Self {
        Self::default()
    }

    /// The official arrangements of 2025 and 2026 (国务院办公厅 notices):
    /// every day of each holiday, weekends included, with its name, and every
    /// make-up working day.
    pub fn with_official() -> Self {
        let mut calendar = Self::new();
        for span in OFFICIAL {
            for date in span.first.iter_days().take_while(|d| *d <= span.last) {
                calendar.set(date, span.kind, span.note);
            }
        }
        calendar
    }

    /// Decides `date`, replacing any earlier override of it.
    pub fn set(&mut self, date: NaiveDate, kind: DayKind, note: impl Into<String>) {
        let note = note.into().trim().to_string();
        self.overrides.insert(date, DayOverride { kind, note });
    }

    /// Returns `date` to the weekend rule; gives back the override it had.
    pub fn clear(&mut self, date: NaiveDate) -> Option<DayOverride> {
        self.overrides.remove(&date)
    }

    /// The override of `date`, if it has one.
    pub fn override_on(&self, date: NaiveDate) -> Option<&DayOverride> {
        self.overrides.get(&date)
    }

    /// Every override, in date order.
    pub fn overrides(&self) -> impl Iterator<Item = (NaiveDate, &DayOverride)> {
        self.overrides.iter().map(|(d, o)| (*d, o))
    }

    /// Whether any override falls in `year`: a year without one has probably
    /// not had its holidays entered yet.
    pub fn has_year(&self, year: i32) -> bool {
        match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(first), Some(last)) => self.overrides.range(first..=last).next().is_some(),
            _ => false,
        }
    }

    pub fn kind(&self, date: NaiveDate) -> DayKind {
        match self.overrides.get(&date) {
            Some(o) => o.kind,
            None => weekend_rule(date),
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.kind(date) == DayKind::Workday
    }

    /// The `n`-th working day strictly after `from`: counting starts on the
    /// first working day after `from`, so the result is always a working day
    /// later than `from`. `n = 0` gives `from` itself (a same-day 即办件),
    /// even when `from` is a day off.
    ///
    /// Fails instead of looping when more than [`MAX_DAYS_OFF_IN_A_ROW`]
    /// consecutive days are off, and when the result would be beyond the
    /// representable dates.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut day = from;
        let mut last_working = from;
        let mut found = 0;
        let mut off_in_a_row = 0;
        while found < n {
            day = day.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(day) {
                found += 1;
                off_in_a_row = 0;
                last_working = day;
            } else {
                off_in_a_row += 1;
                if off_in_a_row > MAX_DAYS_OFF_IN_A_ROW {
                    return Err(CalendarError::NoWorkingDay {
                        after: last_working,
                    });
                }
            }
        }
        Ok(day)
    }

    /// The `n`-th working day counting back from `day`, `day` itself first
    /// when it is a working day: with `n = 1` the last working day on or
    /// before `day`. `None` for `n = 0`, or when more than
    /// [`MAX_DAYS_OFF_IN_A_ROW`] days off in a row or the first representable
    /// date come first.
    pub fn nth_working_day_back(&self, day: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return None;
        }
        let mut day = day;
        let mut found = 0;
        let mut off_in_a_row = 0;
        loop {
            if self.is_working_day(day) {
                found += 1;
                off_in_a_row = 0;
                if found == n {
                    return Some(day);
                }
            } else {
                off_in_a_row += 1;
                if off_in_a_row > MAX_DAYS_OFF_IN_A_ROW {
                    return None;
                }
            }
            day = day.pred_opt()?;
        }
    }

    /// The number of working days in the half-open range `[start, end)`;
    /// 0 when `end <= start`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        if end <= start {
            return 0;
        }
        // Count Monday to Friday arithmetically, then correct for every
        // override in the range that differs from the weekend rule, so that
        // long ranges cost as little as short ones.
        let days = (end - start).num_days();
        let first_weekday = i64::from(start.weekday().num_days_from_monday());
        let rest = (0..days % 7)
            .filter(|i| (first_weekday + i) % 7 < 5)
            .count() as i64;
        let mut count = days / 7 * 5 + rest;
        for (date, o) in self.overrides.range(start..end) {
            match (o.kind, weekend_rule(*date)) {
                (DayKind::Workday, DayKind::Holiday) => count += 1,
                (DayKind::Holiday, DayKind::Workday) => count -= 1,
                _ => {}
            }
        }
        // The count is never negative (each correction undoes a day counted
        // above) and never exceeds the ~190 million days chrono represents.
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Working days left until `due`, as a window clerk reads it.
    ///
    /// When `today <= due`: the working days after `today` up to and
    /// including `due`, so 0 means "due today" and 1 means "due on the next
    /// working day". When `today > due`: minus the working days after `due`
    /// up to and including `today`, so -1 on the first working day after the
    /// due date.
    ///
    /// On days off right after the due date the result is still 0 although
    /// the case is overdue: whether a case is overdue is `today > due`, not
    /// the sign of this number.
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> i64 {
        if today <= due {
            self.working_days_after_until(today, due)
        } else {
            -self.working_days_after_until(due, today)
        }
    }

    /// Working days in `(after, until]`, for `after <= until`; written without
    /// `succ` so it also works at the last representable date.
    fn working_days_after_until(&self, after: NaiveDate, until: NaiveDate) -> i64 {
        i64::from(self.working_days_between(after, until)) - i64::from(self.is_working_day(after))
            + i64::from(self.is_working_day(until))
    }
}

/// `n` calendar days after `from`.
pub fn add_natural_days(from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    from.checked_add_days(Days::new(n.into()))
        .ok_or(CalendarError::OutOfRange)
}

/// A number of working days, such as an extension: 0 to [`WorkingDays::MAX`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct WorkingDays(u32);

impl WorkingDays {
    /// Ten years of working days: more is a typing error.
    pub const MAX: u32 = 3650;
    pub const ZERO: Self = Self(0);

    /// Checks `raw` as the value of `field`.
    pub fn parse(field: impl Into<String>, raw: i64) -> Result<Self, FieldError> {
        match u32::try_from(raw) {
            Ok(n) if n <= Self::MAX => Ok(Self(n)),
            _ => Err(FieldError::new(
                "field.out_of_range",
                field,
                format!("工作日数应在0到{}之间", Self::MAX),
            )),
        }
    }

    pub fn new(n: u32) -> Option<Self> {
        (n <= Self::MAX).then_some(Self(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A time during which a case's clock stops: a special procedure (行政许可法
/// §45) or a wait for corrections. `end` is the day the clock runs again;
/// `None` while the pause goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Pause {
    pub fn closed(start: NaiveDate, end: NaiveDate) -> Self {
        Self {
            start,
            end: Some(end),
        }
    }

    pub fn open(start: NaiveDate) -> Self {
        Self { start, end: None }
    }
}

/// What a case's deadline depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineInput {
    /// The day the case was accepted (受理); it does not count itself.
    pub accepted_on: NaiveDate,
    /// The item's promised limit; 0 is a same-day item.
    pub limit: TimeLimit,
    pub pauses: Vec<Pause>,
    /// Approved extensions (延期), in working days.
    pub extension: WorkingDays,
    /// Where open pauses are counted up to.
    pub today: NaiveDate,
}

/// A case's deadline and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeadlineInfo {
    /// The due date from the limit alone.
    pub base_due: NaiveDate,
    /// Working days covered by pauses.
    pub paused_working_days: u32,
    pub extension_working_days: u32,
    /// The date by which the case must be concluded.
    pub due: NaiveDate,
}

/// Computes a case's deadline.
///
/// - The base due date is `limit` counted from `accepted_on`: working days
///   with [`WorkCalendar::add_working_days`], natural days by the calendar.
/// - A pause from `start` to the resume date `end` covers the working days in
///   `[start, end)`; an open pause is counted as if it resumed `today`, so the
///   days left shown during a pause stay what they were when it began.
///   Pauses are merged first, so a day in two overlapping pauses counts once,
///   and days up to `accepted_on` are ignored because the clock had not
///   started.
/// - The due date is the base due date moved later by the paused and
///   extension working days. For a natural-day item the same count is added
///   as natural days: the pause and the extension are still measured in
///   working days, but the item's clock runs on natural days.
pub fn compute_deadline(
    calendar: &WorkCalendar,
    input: &DeadlineInput,
) -> Result<DeadlineInfo, CalendarError> {
    let limit = u32::from(input.limit.value);
    let base_due = match input.limit.unit {
        LimitUnit::WorkingDays => calendar.add_working_days(input.accepted_on, limit)?,
        LimitUnit::NaturalDays => add_natural_days(input.accepted_on, limit)?,
    };
    let paused_working_days = paused_working_days(calendar, input);
    let extension_working_days = input.extension.get();
    let shift = paused_working_days.saturating_add(extension_working_days);
    let due = match input.limit.unit {
        LimitUnit::WorkingDays => calendar.add_working_days(base_due, shift)?,
        LimitUnit::NaturalDays => add_natural_days(base_due, shift)?,
    };
    Ok(DeadlineInfo {
        base_due,
        paused_working_days,
        extension_working_days,
        due,
    })
}

/// Reads a calendar file of `date,kind,note` lines.
///
/// - `date` is `2027-01-01` (or `2027/1/1`, as spreadsheets write it), in the
///   years 2000 to 2100;
/// - `kind` is a [`DayKind`] code or label, or 节假日 (a day off) or 调休上班
///   (a working day);
/// - `note` is optional (at most [`MAX_NOTE_LEN`] characters) and may be in
///   double quotes.
///
/// A first line `date,kind,note` (or `日期,…`) is a header and skipped, as are
/// blank lines and lines starting with `#`. Every problem is reported with
/// the field `line N`, N counting every line of the file from 1.
pub fn parse_calendar_csv(
    text_in: &str,
) -> Result<Vec<(NaiveDate, DayKind, String)>, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let mut rows = Vec::new();
    let mut seen: HashMap<NaiveDate, usize> = HashMap::new();
    let mut first_content_line = true;
    for (i, raw) in text_in.trim_start_matches('\u{feff}').lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.splitn(3, ',').map(str::trim).collect();
        if std::mem::take(&mut first_content_line) && is_header(cols[0]) {
            continue;
        }
        let field = format!("line {n}");
        if cols.len() < 2 {
            e.add(
                "calendar.columns",
                &field,
                format!("第{n}行应为“日期,类型,备注”，备注可以省略"),
            );
            continue;
        }
        let date = parse_date(cols[0]);
        match date {
            None => e.add(
                "calendar.date_invalid",
                &field,
                format!("第{n}行的日期“{}”无效，应为YYYY-MM-DD", cols[0]),
            ),
            Some(d) if !(2000..=2100).contains(&d.year()) => e.add(
                "calendar.date_out_of_range",
                &field,
                format!("第{n}行的日期{d}不在2000年至2100年之间"),
            ),
            Some(_) => {}
        }
        let kind = parse_kind(cols[1]);
        if kind.is_none() {
            e.add(
                "calendar.kind_invalid",
                &field,
                format!(
                    "第{n}行的类型“{}”无效，应为工作日(workday)或休息日(holiday)",
                    cols[1]
                ),
            );
        }
        let note = text(
            &mut e,
            &field,
            &format!("第{n}行的备注"),
            unquote(cols.get(2).copied().unwrap_or("")),
            MAX_NOTE_LEN,
            false,
        );
        let (Some(date), Some(kind)) = (date, kind) else {
            continue;
        };
        if let Some(first) = seen.get(&date) {
            e.add(
                "calendar.duplicate_date",
                &field,
                format!("第{n}行的日期{date}与第{first}行重复"),
            );
            continue;
        }
        seen.insert(date, n);
        rows.push((date, kind, note));
    }
    if rows.is_empty() && e.is_empty() {
        e.add("calendar.empty", "file", "文件中没有日期数据");
    }
    e.into_result(rows)
}

/// One stretch of the official table: every day from `first` to `last`.
struct OfficialSpan {
    first: NaiveDate,
    last: NaiveDate,
    kind: DayKind,
    note: &'static str,
}

/// The 国务院办公厅 notices on the holidays of 2025 and 2026. Built at compile
/// time, so a date that does not exist fails the build.
const OFFICIAL: &[OfficialSpan] = &[
    // 2025
    off((2025, 1, 1), (2025, 1, 1), "元旦"),
    off((2025, 1, 28), (2025, 2, 4), "春节"),
    work((2025, 1, 26), "春节调休"),
    work((2025, 2, 8), "春节调休"),
    off((2025, 4, 4), (2025, 4, 6), "清明节"),
    off((2025, 5, 1), (2025, 5, 5), "劳动节"),
    work((2025, 4, 27), "劳动节调休"),
    off((2025, 5, 31), (2025, 6, 2), "端午节"),
    off((2025, 10, 1), (2025, 10, 8), "国庆节、中秋节"),
    work((2025, 9, 28), "国庆节调休"),
    work((2025, 10, 11), "国庆节调休"),
    // 2026
    off((2026, 1, 1), (2026, 1, 3), "元旦"),
    work((2026, 1, 4), "元旦调休"),
    off((2026, 2, 15), (2026, 2, 23), "春节"),
    work((2026, 2, 14), "春节调休"),
    work((2026, 2, 28), "春节调休"),
    off((2026, 4, 4), (2026, 4, 6), "清明节"),
    off((2026, 5, 1), (2026, 5, 5), "劳动节"),
    work((2026, 5, 9), "劳动节调休"),
    off((2026, 6, 19), (2026, 6, 21), "端午节"),
    off((2026, 9, 25), (2026, 9, 27), "中秋节"),
    off((2026, 10, 1), (2026, 10, 7), "国庆节"),
    work((2026, 9, 20), "国庆节调休"),
    work((2026, 10, 10), "国庆节调休"),
];

const fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("the official calendar names a date that does not exist"),
    }
}

const fn off(first: (i32, u32, u32), last: (i32, u32, u32), note: &'static str) -> OfficialSpan {
    OfficialSpan {
        first: ymd(first),
        last: ymd(last),
        kind: DayKind::Holiday,
        note,
    }
}

const fn work(day: (i32, u32, u32), note: &'static str) -> OfficialSpan {
    OfficialSpan {
        first: ymd(day),
        last: ymd(day),
        kind: DayKind::Workday,
        note,
    }
}

/// Saturdays and Sundays off, the rest worked.
fn weekend_rule(date: NaiveDate) -> DayKind {
    if date.weekday().num_days_from_monday() >= 5 {
        DayKind::Holiday
    } else {
        DayKind::Workday
    }
}

/// Working days covered by the union of the pauses, clipped to start after
/// acceptance; open pauses run up to `today` (exclusive).
fn paused_working_days(calendar: &WorkCalendar, input: &DeadlineInput) -> u32 {
    let Some(clock_starts) = input.accepted_on.succ_opt() else {
        return 0;
    };
    let mut spans: Vec<(NaiveDate, NaiveDate)> = input
        .pauses
        .iter()
        .map(|p| (p.start.max(clock_starts), p.end.unwrap_or(input.today)))
        .filter(|(start, end)| start < end)
        .collect();
    spans.sort();
    let mut total = 0u32;
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for (start, end) in spans {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total = total.saturating_add(calendar.working_days_between(s, e));
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total = total.saturating_add(calendar.working_days_between(s, e));
    }
    total
}

fn is_header(first_column: &str) -> bool {
    first_column.eq_ignore_ascii_case("date") || first_column == "日期"
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y/%m/%d"))
        .ok()
}

fn parse_kind(raw: &str) -> Option<DayKind> {
    match raw {
        "节假日" => Some(DayKind::Holiday),
        "调休上班" => Some(DayKind::Workday),
        _ => DayKind::parse(&raw.to_ascii_lowercase()),
    }
}

/// Removes the double quotes a spreadsheet puts around a field with a comma.
fn unquote(raw: &str) -> &str {
    raw.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn official() -> WorkCalendar {
        WorkCalendar::with_official()
    }

    fn days_in(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        first.iter_days().take_while(|x| *x <= last).collect()
    }

    /// The days off and make-up days of DOMAIN.md §9, written out again
    /// independently of `OFFICIAL`, as (month, day) ranges and days.
    fn published(year: i32) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
        type MonthDay = (u32, u32);
        let (off, work): (&[(MonthDay, MonthDay)], &[MonthDay]) = match year {
            2025 => (
                &[
                    ((1, 1), (1, 1)),
                    ((1, 28), (2, 4)),
                    ((4, 4), (4, 6)),
                    ((5, 1), (5, 5)),
                    ((5, 31), (6, 2)),
                    ((10, 1), (10, 8)),
                ],
                &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
            ),
            2026 => (
                &[
                    ((1, 1), (1, 3)),
                    ((2, 15), (2, 23)),
                    ((4, 4), (4, 6)),
                    ((5, 1), (5, 5)),
                    ((6, 19), (6, 21)),
                    ((9, 25), (9, 27)),
                    ((10, 1), (10, 7)),
                ],
                &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
            ),
            _ => unreachable!(),
        };
        let off = off
            .iter()
            .flat_map(|((m1, d1), (m2, d2))| days_in(d(year, *m1, *d1), d(year, *m2, *d2)))
            .collect();
        let work = work.iter().map(|(m, day)| d(year, *m, *day)).collect();
        (off, work)
    }

    #[test]
    fn every_day_of_2025_and_2026_has_its_published_kind() {
        let cal = official();
        for year in [2025, 2026] {
            let (off, work) = published(year);
            for date in &work {
                // Every make-up day is a weekend day, else it would change nothing.
                assert_eq!(weekend_rule(*date), DayKind::Holiday, "{date}");
            }
            for date in days_in(d(year, 1, 1), d(year, 12, 31)) {
                let expected = if off.contains(&date) {
                    DayKind::Holiday
                } else if work.contains(&date) {
                    DayKind::Workday
                } else if matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
                    DayKind::Holiday
                } else {
                    DayKind::Workday
                };
                assert_eq!(cal.kind(date), expected, "{date}");
                assert_eq!(cal.is_working_day(date), expected == DayKind::Workday);
            }
        }
    }

    #[test]
    fn working_days_per_year() {
        let cal = official();
        // 2025 starts and ends on a Wednesday: 52 weeks and one Wednesday, so
        // 261 weekdays. Days off on weekdays: 1/1 (1); 1/28-1/31, 2/3-2/4 (6);
        // 4/4 (1); 5/1-5/2, 5/5 (3); 6/2 (1); 10/1-10/3, 10/6-10/8 (6): 18.
        // Make-up days: 5. 261 - 18 + 5 = 248, which is also 365 - 104 weekend
        // days - 13 statutory holidays (13 since 2025). The often quoted 250 is
        // the old wage-law figure with 11 holidays.
        assert_eq!(cal.working_days_between(d(2025, 1, 1), d(2026, 1, 1)), 248);
        // 2026 starts and ends on a Thursday: 261 weekdays. Days off on
        // weekdays: 1/1-1/2 (2); 2/16-2/20, 2/23 (6); 4/6 (1); 5/1, 5/4-5/5 (3);
        // 6/19 (1); 9/25 (1); 10/1-10/2, 10/5-10/7 (5): 19. Make-up days: 6.
        // 261 - 19 + 6 = 248.
        assert_eq!(cal.working_days_between(d(2026, 1, 1), d(2027, 1, 1)), 248);
        let weekends_only = WorkCalendar::new();
        assert_eq!(
            weekends_only.working_days_between(d(2025, 1, 1), d(2026, 1, 1)),
            261
        );
        assert!(cal.has_year(2025) && cal.has_year(2026));
        assert!(!cal.has_year(2027));
    }

    #[test]
    fn official_days_carry_their_names() {
        let cal = official();
        assert_eq!(cal.override_on(d(2026, 10, 1)).unwrap().note, "国庆节");
        assert_eq!(
            cal.override_on(d(2026, 10, 10)).unwrap(),
            &DayOverride {
                kind: DayKind::Workday,
                note: "国庆节调休".into()
            }
        );
        assert_eq!(cal.override_on(d(2025, 2, 1)).unwrap().note, "春节");
        assert_eq!(
            cal.override_on(d(2025, 10, 8)).unwrap().note,
            "国庆节、中秋节"
        );
        assert!(cal.override_on(d(2026, 3, 2)).is_none());
        let (off25, work25) = published(2025);
        let (off26, work26) = published(2026);
        assert_eq!(
            cal.overrides().count(),
            off25.len() + work25.len() + off26.len() + work26.len()
        );
        assert!(cal.overrides().map(|(date, _)| date).is_sorted());
    }

    #[test]
    fn set_and_clear_an_override() {
        let mut cal = WorkCalendar::new();
        let monday = d(2027, 1, 4);
        assert!(cal.is_working_day(monday));
        cal.set(monday, DayKind::Holiday, " 地方假日 ");
        assert_eq!(cal.kind(monday), DayKind::Holiday);
        assert_eq!(cal.override_on(monday).unwrap().note, "地方假日");
        cal.set(monday, DayKind::Workday, "");
        assert!(cal.is_working_day(monday));
        assert_eq!(cal.clear(monday).unwrap().kind, DayKind::Workday);
        assert!(cal.clear(monday).is_none());
        assert_eq!(cal, WorkCalendar::new());
    }

    #[test]
    fn national_day_2026_example() {
        let cal = official();
        // Accepted Wednesday 2026-09-30: 10/1-10/7 off, 10/8 Thu is day 1,
        // 10/9 Fri day 2, 10/10 Sat is a make-up working day: day 3.
        assert_eq!(cal.add_working_days(d(2026, 9, 30), 1), Ok(d(2026, 10, 8)));
        assert_eq!(cal.add_working_days(d(2026, 9, 30), 3), Ok(d(2026, 10, 10)));
        // 10/11 is an ordinary Sunday.
        assert_eq!(cal.add_working_days(d(2026, 9, 30), 4), Ok(d(2026, 10, 12)));
        assert_eq!(cal.working_days_between(d(2026, 9, 30), d(2026, 10, 11)), 4);
    }

    #[test]
    fn zero_working_days_is_the_same_day() {
        let cal = official();
        assert_eq!(cal.add_working_days(d(2026, 3, 4), 0), Ok(d(2026, 3, 4)));
        // Even on a day off (a "5+2" center accepting on a Saturday).
        assert_eq!(cal.add_working_days(d(2026, 10, 3), 0), Ok(d(2026, 10, 3)));
        // A day off right after a Saturday acceptance is not day 1.
        assert_eq!(cal.add_working_days(d(2026, 3, 7), 1), Ok(d(2026, 3, 9)));
    }

    #[test]
    fn crossing_the_spring_festival() {
        let cal = official();
        // 2026: accepted Fri 2/13; Sat 2/14 is a make-up day (1), 2/15-2/23
        // off, then 2/24 (2), 2/25 (3), 2/26 (4), 2/27 (5); Sat 2/28 worked (6).
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 5), Ok(d(2026, 2, 27)));
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 6), Ok(d(2026, 2, 28)));
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 7), Ok(d(2026, 3, 2)));
        // 2025: accepted Fri 1/24; Sun 1/26 (1), Mon 1/27 (2), 1/28-2/4 off,
        // 2/5-2/7 (3-5), Sat 2/8 (6), 2/10-2/14 (7-11), 2/17-2/21 (12-16),
        // 2/24-2/27 (17-20).
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 20), Ok(d(2025, 2, 27)));
        assert_eq!(cal.add_working_days(d(2025, 1, 27), 3), Ok(d(2025, 2, 7)));
    }

    #[test]
    fn working_days_left_counts_to_the_due_date() {
        let cal = official();
        let due = d(2026, 10, 10);
        assert_eq!(cal.working_days_left(d(2026, 9, 30), due), 3);
        assert_eq!(cal.working_days_left(d(2026, 10, 1), due), 3);
        assert_eq!(cal.working_days_left(d(2026, 10, 9), due), 1);
        assert_eq!(cal.working_days_left(due, due), 0);
        // Sunday 10/11 is past the due date but no working day has passed.
        assert_eq!(cal.working_days_left(d(2026, 10, 11), due), 0);
        assert_eq!(cal.working_days_left(d(2026, 10, 12), due), -1);
        assert_eq!(cal.working_days_left(d(2026, 10, 16), due), -5);
        // Works at the very end of the representable dates.
        assert_eq!(cal.working_days_left(NaiveDate::MAX, NaiveDate::MAX), 0);
    }

    #[test]
    fn a_calendar_without_working_days_fails_instead_of_looping() {
        let mut cal = WorkCalendar::new();
        let from = d(2027, 1, 1);
        for date in days_in(d(2027, 1, 2), d(2028, 6, 30)) {
            cal.set(date, DayKind::Holiday, "停止办公");
        }
        assert_eq!(
            cal.add_working_days(from, 1),
            Err(CalendarError::NoWorkingDay { after: from })
        );
        assert!(cal.add_working_days(from, 0).is_ok());
        assert!(
            CalendarError::NoWorkingDay { after: from }
                .message()
                .contains("2027-01-01")
        );
        // A long closure shorter than the bound is crossed.
        let mut closed = WorkCalendar::new();
        for date in days_in(d(2027, 1, 2), d(2027, 12, 31)) {
            closed.set(date, DayKind::Holiday, "停止办公");
        }
        assert_eq!(closed.add_working_days(from, 1), Ok(d(2028, 1, 3)));
        assert_eq!(
            WorkCalendar::new().add_working_days(NaiveDate::MAX, 1),
            Err(CalendarError::OutOfRange)
        );
        assert_eq!(
            add_natural_days(NaiveDate::MAX, 1),
            Err(CalendarError::OutOfRange)
        );
    }

    fn case(accepted_on: NaiveDate, limit: TimeLimit, pauses: Vec<Pause>) -> DeadlineInput {
        DeadlineInput {
            accepted_on,
            limit,
            pauses,
            extension: WorkingDays::ZERO,
            today: accepted_on,
        }
    }

    fn natural(value: u16) -> TimeLimit {
        TimeLimit {
            value,
            unit: LimitUnit::NaturalDays,
        }
    }

    #[test]
    fn a_special_procedure_adds_its_working_days() {
        let cal = official();
        // Accepted Mon 2026-03-02, 20 working days: 3/3-3/6, 3/9-3/13,
        // 3/16-3/20, 3/23-3/27, 3/30 → 3/30.
        let mut input = case(d(2026, 3, 2), TimeLimit::working_days(20), vec![]);
        let plain = compute_deadline(&cal, &input).unwrap();
        assert_eq!(plain.base_due, d(2026, 3, 30));
        assert_eq!(plain.due, d(2026, 3, 30));
        // An expert review from Tue 3/10, resumed Tue 3/17: [3/10, 3/17) holds
        // 3/10-3/13 and 3/16, 5 working days. 3/31, 4/1, 4/2, 4/3, then
        // 清明 4/4-4/6, and 4/7 is the fifth.
        input.pauses = vec![Pause::closed(d(2026, 3, 10), d(2026, 3, 17))];
        let paused = compute_deadline(&cal, &input).unwrap();
        assert_eq!(
            paused,
            DeadlineInfo {
                base_due: d(2026, 3, 30),
                paused_working_days: 5,
                extension_working_days: 0,
                due: d(2026, 4, 7),
            }
        );
        // Plus a 10-working-day extension: 4/8-4/10, 4/13-4/17, 4/20, 4/21.
        input.extension = WorkingDays::new(10).unwrap();
        let extended = compute_deadline(&cal, &input).unwrap();
        assert_eq!(extended.extension_working_days, 10);
        assert_eq!(extended.due, d(2026, 4, 21));
    }

    #[test]
    fn an_open_pause_counts_up_to_today() {
        let cal = official();
        let mut input = case(
            d(2026, 3, 2),
            TimeLimit::working_days(20),
            vec![Pause::open(d(2026, 3, 10))],
        );
        // Standing on the pause's first day: nothing has been paused yet.
        input.today = d(2026, 3, 10);
        let first_day = compute_deadline(&cal, &input).unwrap();
        assert_eq!(first_day.paused_working_days, 0);
        assert_eq!(first_day.due, d(2026, 3, 30));
        // On Fri 3/13, [3/10, 3/13) is 3 working days: 3/31, 4/1, 4/2.
        input.today = d(2026, 3, 13);
        let info = compute_deadline(&cal, &input).unwrap();
        assert_eq!(info.paused_working_days, 3);
        assert_eq!(info.due, d(2026, 4, 2));
        // The days left stay the same while the clock is stopped.
        assert_eq!(
            cal.working_days_left(d(2026, 3, 10), first_day.due),
            cal.working_days_left(d(2026, 3, 13), info.due)
        );
        // A pause that has not begun yet counts nothing.
        input.today = d(2026, 3, 5);
        assert_eq!(
            compute_deadline(&cal, &input).unwrap().paused_working_days,
            0
        );
    }

    #[test]
    fn overlapping_pauses_count_once_and_start_after_acceptance() {
        let cal = official();
        let mut input = case(
            d(2026, 3, 2),
            TimeLimit::working_days(20),
            vec![
                Pause::closed(d(2026, 3, 12), d(2026, 3, 19)),
                Pause::closed(d(2026, 3, 10), d(2026, 3, 17)),
            ],
        );
        // The union [3/10, 3/19): 3/10-3/13, 3/16-3/18.
        assert_eq!(
            compute_deadline(&cal, &input).unwrap().paused_working_days,
            7
        );
        // A pause opened on the acceptance day only counts from the next day.
        input.pauses = vec![Pause::closed(d(2026, 3, 2), d(2026, 3, 4))];
        assert_eq!(
            compute_deadline(&cal, &input).unwrap().paused_working_days,
            1
        );
        // A pause that ends before it starts counts nothing.
        input.pauses = vec![Pause::closed(d(2026, 3, 10), d(2026, 3, 9))];
        assert_eq!(
            compute_deadline(&cal, &input).unwrap().paused_working_days,
            0
        );
    }

    #[test]
    fn natural_day_items() {
        let cal = official();
        // 10 natural days from 2026-09-30 is 10/10, holidays or not.
        let mut input = case(d(2026, 9, 30), natural(10), vec![]);
        let plain = compute_deadline(&cal, &input).unwrap();
        assert_eq!(
            (plain.base_due, plain.due),
            (d(2026, 10, 10), d(2026, 10, 10))
        );
        // A pause over Mon 10/12 - Mon 10/19 covers 5 working days, added as
        // 5 natural days; an extension of 2 adds 2 more.
        input.pauses = vec![Pause::closed(d(2026, 10, 12), d(2026, 10, 19))];
        input.extension = WorkingDays::new(2).unwrap();
        let info = compute_deadline(&cal, &input).unwrap();
        assert_eq!(info.paused_working_days, 5);
        assert_eq!(info.due, d(2026, 10, 17));
        assert_eq!(add_natural_days(d(2026, 2, 27), 2), Ok(d(2026, 3, 1)));
    }

    #[test]
    fn a_same_day_item_is_due_on_acceptance() {
        let cal = official();
        let input = case(d(2026, 3, 4), TimeLimit::working_days(0), vec![]);
        let info = compute_deadline(&cal, &input).unwrap();
        assert_eq!((info.base_due, info.due), (d(2026, 3, 4), d(2026, 3, 4)));
        let natural_same_day = case(d(2026, 3, 4), natural(0), vec![]);
        assert_eq!(
            compute_deadline(&cal, &natural_same_day).unwrap().due,
            d(2026, 3, 4)
        );
    }

    #[test]
    fn working_days_are_bounded() {
        assert_eq!(WorkingDays::parse("extension", 0), Ok(WorkingDays::ZERO));
        assert_eq!(WorkingDays::parse("extension", 3650).unwrap().get(), 3650);
        for bad in [-1, 3651, i64::MAX, i64::MIN] {
            let e = WorkingDays::parse("extension", bad).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_str()),
                ("field.out_of_range", "extension")
            );
            assert!(e.message.contains("3650"));
        }
        assert!(WorkingDays::new(3651).is_none());
        assert_eq!(
            serde_json::to_string(&WorkingDays::new(15).unwrap()).unwrap(),
            "15"
        );
    }

    #[test]
    fn day_kind_codes_and_labels() {
        for k in DayKind::ALL {
            assert_eq!(DayKind::parse(k.code()), Some(*k));
            assert_eq!(DayKind::parse(k.label()), Some(*k));
        }
        assert_eq!(
            serde_json::to_string(&DayKind::Holiday).unwrap(),
            "\"holiday\""
        );
    }

    #[test]
    fn a_calendar_file_imports() {
        let file = "\u{feff}date,kind,note\n\
                    # 2027年安排（示例）\n\
                    \n\
                    2027-01-01,holiday,元旦\r\n\
                    2027/2/7 , 调休上班 , 春节调休\n\
                    2027-02-08,节假日,\"春节, 除夕\"\n\
                    2027-02-09,休息日\n\
                    2027-02-20,Workday,\n";
        let rows = parse_calendar_csv(file).unwrap();
        assert_eq!(
            rows,
            vec![
                (d(2027, 1, 1), DayKind::Holiday, "元旦".to_string()),
                (d(2027, 2, 7), DayKind::Workday, "春节调休".to_string()),
                (d(2027, 2, 8), DayKind::Holiday, "春节, 除夕".to_string()),
                (d(2027, 2, 9), DayKind::Holiday, String::new()),
                (d(2027, 2, 20), DayKind::Workday, String::new()),
            ]
        );
        // No header is fine too.
        assert_eq!(parse_calendar_csv("2027-10-01,工作日").unwrap().len(), 1);
    }

    #[test]
    fn calendar_file_errors_name_their_line() {
        let file = "日期,类型,备注\n\
                    2027-13-01,holiday,坏日期\n\
                    2027-10-01,放假\n\
                    2027-10-02\n\
                    2027-10-01,holiday,国庆节\n\
                    2027-10-01,holiday,又一次\n\
                    1927-10-03,holiday,\n\
                    2027-10-04,holiday,"
            .to_string()
            + &"长".repeat(51);
        let e = parse_calendar_csv(&file).unwrap_err();
        let got: Vec<(&str, &str)> = e.0.iter().map(|f| (f.code, f.field.as_str())).collect();
        assert_eq!(
            got,
            [
                ("calendar.date_invalid", "line 2"),
                ("calendar.kind_invalid", "line 3"),
                ("calendar.columns", "line 4"),
                ("calendar.duplicate_date", "line 6"),
                ("calendar.date_out_of_range", "line 7"),
                ("field.too_long", "line 8"),
            ]
        );
        assert!(e.0[0].message.starts_with("第2行"));
        assert!(e.0[1].message.contains("放假"));
        assert!(e.0[3].message.contains("第5行"));
        assert!(e.0[5].message.contains("第8行的备注"));
        let empty = parse_calendar_csv("date,kind,note\n# 无\n").unwrap_err();
        assert_eq!(empty.first().unwrap().code, "calendar.empty");
        // A header is only recognised on the first line with content.
        let late = parse_calendar_csv("2027-01-01,holiday\ndate,kind").unwrap_err();
        assert_eq!(late.first().unwrap().field, "line 2");
    }

    /// A calendar with the official years and random extra overrides, so the
    /// properties hold for any calendar, not just the published one.
    fn any_calendar() -> impl Strategy<Value = WorkCalendar> {
        prop::collection::vec((0u64..1500, any::<bool>()), 0..80).prop_map(|extra| {
            let mut cal = WorkCalendar::with_official();
            for (offset, work) in extra {
                let kind = if work {
                    DayKind::Workday
                } else {
                    DayKind::Holiday
                };
                cal.set(d(2024, 6, 1) + Days::new(offset), kind, "");
            }
            cal
        })
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0u64..1500).prop_map(|offset| d(2024, 6, 1) + Days::new(offset))
    }

    fn naive_count(cal: &WorkCalendar, start: NaiveDate, end: NaiveDate) -> u32 {
        start
            .iter_days()
            .take_while(|x| *x < end)
            .filter(|x| cal.is_working_day(*x))
            .count() as u32
    }

    proptest! {
        #[test]
        fn the_result_is_a_later_working_day(cal in any_calendar(), from in any_date(), n in 1u32..400) {
            let due = cal.add_working_days(from, n).unwrap();
            prop_assert!(due > from);
            prop_assert!(cal.is_working_day(due));
        }

        #[test]
        fn exactly_n_working_days_lie_after_from(cal in any_calendar(), from in any_date(), n in 1u32..400) {
            let due = cal.add_working_days(from, n).unwrap();
            prop_assert_eq!(cal.working_days_between(from.succ_opt().unwrap(), due.succ_opt().unwrap()), n);
            prop_assert_eq!(cal.working_days_left(from, due), i64::from(n));
            prop_assert_eq!(cal.working_days_left(due, from), -i64::from(n));
        }

        #[test]
        fn counting_back_undoes_counting_forward(cal in any_calendar(), from in any_date(), n in 1u32..400) {
            // The working day n back from the n-th after `from` is the first
            // working day after `from`; one more back is on or before `from`.
            let due = cal.add_working_days(from, n).unwrap();
            let first = cal.add_working_days(from, 1).unwrap();
            prop_assert_eq!(cal.nth_working_day_back(due, n), Some(first));
            let before = cal.nth_working_day_back(due, n + 1).unwrap();
            prop_assert!(before <= from && cal.is_working_day(before));
            prop_assert_eq!(cal.working_days_between(before.succ_opt().unwrap(), due.succ_opt().unwrap()), n);
        }

        #[test]
        fn more_days_are_later(cal in any_calendar(), from in any_date(), n in 0u32..400) {
            let a = cal.add_working_days(from, n).unwrap();
            let b = cal.add_working_days(from, n + 1).unwrap();
            prop_assert!(a < b);
        }

        #[test]
        fn counting_matches_day_by_day(cal in any_calendar(), a in any_date(), b in any_date()) {
            prop_assert_eq!(cal.working_days_between(a, b), naive_count(&cal, a, b));
        }

        #[test]
        fn counting_is_additive(cal in any_calendar(), mut dates in prop::collection::vec(any_date(), 3)) {
            dates.sort();
            let (a, b, c) = (dates[0], dates[1], dates[2]);
            prop_assert_eq!(
                cal.working_days_between(a, c),
                cal.working_days_between(a, b) + cal.working_days_between(b, c)
            );
        }

        #[test]
        fn pausing_and_extending_never_bring_the_deadline_forward(
            cal in any_calendar(),
            accepted_on in any_date(),
            value in 0u16..60,
            natural_days in any::<bool>(),
            pauses in prop::collection::vec((0u64..120, 0u64..40, any::<bool>()), 0..4),
            extension in 0u32..30,
            today_offset in 0u64..200,
        ) {
            let unit = if natural_days { LimitUnit::NaturalDays } else { LimitUnit::WorkingDays };
            let base = DeadlineInput {
                accepted_on,
                limit: TimeLimit { value, unit },
                pauses: vec![],
                extension: WorkingDays::ZERO,
                today: accepted_on + Days::new(today_offset),
            };
            let plain = compute_deadline(&cal, &base).unwrap();
            let paused_input = DeadlineInput {
                pauses: pauses
                    .iter()
                    .map(|(start, len, open)| {
                        let s = accepted_on + Days::new(*start);
                        if *open { Pause::open(s) } else { Pause::closed(s, s + Days::new(*len)) }
                    })
                    .collect(),
                extension: WorkingDays::new(extension).unwrap(),
                ..base.clone()
            };
            let paused = compute_deadline(&cal, &paused_input).unwrap();
            prop_assert_eq!(paused.base_due, plain.base_due);
            prop_assert!(paused.due >= plain.due);
            if unit == LimitUnit::WorkingDays {
                let shift = paused.paused_working_days + paused.extension_working_days;
                prop_assert_eq!(
                    cal.working_days_left(plain.due, paused.due),
                    i64::from(shift)
                );
            }
        }

        #[test]
        fn import_never_panics(s in "\\PC{0,80}") {
            let _ = parse_calendar_csv(&s);
        }
    }
}
