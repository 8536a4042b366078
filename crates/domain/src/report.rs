//! The entry report of seed 001 attachment 1 (政务服务“三集中三到位”相关单位汇总表).

use serde::Serialize;

/// Raw counts for one department, as the store adds them up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryCounts {
    pub department_id: i64,
    pub department: String,
    /// All items of the department on application (依申请六类和公共服务事项).
    pub applicable: u32,
    pub entered: u32,
    /// Exempt from entry by approval; they do not count against the rate.
    pub exempt: u32,
    pub windows: u32,
    /// Entered items the window may conclude itself (窗口全权办结).
    pub authorised: u32,
    pub online: u32,
}

/// A percentage with one decimal, or none when there is nothing to divide by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Percent(Option<f64>);

impl Percent {
    pub fn of(numerator: u32, denominator: u32) -> Self {
        if denominator == 0 {
            Self(None)
        } else {
            // Round half up at one decimal on exact integers to avoid float drift.
            let tenths =
                (u64::from(numerator) * 1000 + u64::from(denominator) / 2) / u64::from(denominator);
            Self(Some(tenths as f64 / 10.0))
        }
    }

    pub fn value(self) -> Option<f64> {
        self.0
    }
}

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v:.1}%"),
            None => f.write_str("—"),
        }
    }
}

/// One line of the entry report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryRow {
    pub department_id: i64,
    pub department: String,
    pub applicable_items: u32,
    pub entered_items: u32,
    pub exempt_items: u32,
    /// entered / (applicable − exempt): exempt items are not expected to enter.
    pub entry_rate: Percent,
    pub windows: u32,
    pub authorised_items: u32,
    /// 授权到位: every entered item can be concluded at the window.
    pub fully_authorised: bool,
    pub online_items: u32,
    /// online / applicable.
    pub online_rate: Percent,
}

impl EntryRow {
    pub fn from_counts(c: &EntryCounts) -> Self {
        Self {
            department_id: c.department_id,
            department: c.department.clone(),
            applicable_items: c.applicable,
            entered_items: c.entered,
            exempt_items: c.exempt,
            entry_rate: Percent::of(c.entered, c.applicable.saturating_sub(c.exempt)),
            windows: c.windows,
            authorised_items: c.authorised,
            fully_authorised: c.entered > 0 && c.authorised == c.entered,
            online_items: c.online,
            online_rate: Percent::of(c.online, c.applicable),
        }
    }
}

/// The whole report: one row per department and the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryReport {
    pub rows: Vec<EntryRow>,
    pub total: EntryRow,
}

impl EntryReport {
    pub fn build(counts: &[EntryCounts]) -> Self {
        let mut sum = EntryCounts {
            department: "合计".into(),
            ..Default::default()
        };
        for c in counts {
            sum.applicable += c.applicable;
            sum.entered += c.entered;
            sum.exempt += c.exempt;
            sum.windows += c.windows;
            sum.authorised += c.authorised;
            sum.online += c.online;
        }
        Self {
            rows: counts.iter().map(EntryRow::from_counts).collect(),
            total: EntryRow::from_counts(&sum),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_the_true_rates_not_the_printed_ones() {
        // Seed 001 prints 53% for 卫健委 (11 of 21) and 34% for 民委 (1 of 3).
        assert_eq!(Percent::of(11, 21).to_string(), "52.4%");
        assert_eq!(Percent::of(1, 3).to_string(), "33.3%");
        assert_eq!(Percent::of(20, 65).to_string(), "30.8%");
        assert_eq!(Percent::of(0, 0).to_string(), "—");
    }

    #[test]
    fn exempt_items_leave_the_denominator_and_totals_add_up() {
        let counts = [
            EntryCounts {
                department_id: 1,
                department: "人社局".into(),
                applicable: 65,
                entered: 20,
                windows: 5,
                authorised: 20,
                online: 30,
                ..Default::default()
            },
            EntryCounts {
                department_id: 2,
                department: "公安分局".into(),
                applicable: 52,
                entered: 6,
                exempt: 2,
                windows: 1,
                authorised: 3,
                ..Default::default()
            },
        ];
        let r = EntryReport::build(&counts);
        assert!(r.rows[0].fully_authorised);
        assert!(!r.rows[1].fully_authorised);
        assert_eq!(r.rows[1].entry_rate.value(), Some(12.0));
        assert_eq!(r.total.applicable_items, 117);
        assert_eq!(r.total.entered_items, 26);
        assert_eq!(r.total.windows, 6);
    }
}
