//! `warning_tallies`: how many running cases' warnings begin on each day, per
//! department and kind — `yellow` (yellow_on), `red` (red_on), `step`
//! (step_over_on) and `both` (the later of yellow_on and red_on: from that
//! day a yellow case counts as red instead). Warning totals and counts on a
//! day are sums over these few rows instead of counts over every warning.
//!
//! Every writer of the thresholds on `cases` keeps them in step in its own
//! transaction, reading the thresholds it replaces while it holds the audit
//! head (so no other writer moves them meanwhile): the case writer (one
//! upsert per batch) and the rebuild (one per chunk). An upsert per batch is
//! far cheaper than a trigger per row: a full rebuild rewrites hundreds of
//! thousands of thresholds.

use chrono::NaiveDate;
use domain::supervision::Watch;
use std::collections::HashMap;

/// The thresholds a projection row holds, as tallied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Stored {
    pub yellow_on: Option<NaiveDate>,
    pub red_on: Option<NaiveDate>,
    pub step_over_on: Option<NaiveDate>,
}

impl From<&Watch> for Stored {
    fn from(w: &Watch) -> Self {
        Stored {
            yellow_on: w.yellow_on,
            red_on: w.red_on,
            step_over_on: w.step_over_on,
        }
    }
}

impl Stored {
    /// The tally days this row counts on, by kind.
    fn days(&self) -> [(&'static str, Option<NaiveDate>); 4] {
        [
            ("yellow", self.yellow_on),
            ("red", self.red_on),
            ("step", self.step_over_on),
            (
                "both",
                self.yellow_on.zip(self.red_on).map(|(y, r)| y.max(r)),
            ),
        ]
    }
}

/// Changes to apply to `warning_tallies`, summed per department, kind and day.
#[derive(Debug, Default)]
pub(crate) struct Deltas(HashMap<(i64, &'static str, NaiveDate), i64>);

impl Deltas {
    /// A row of `department` going from `old` to `new` thresholds.
    pub fn change(&mut self, department: i64, old: &Stored, new: &Stored) {
        if old == new {
            return;
        }
        for (sign, s) in [(-1, old), (1, new)] {
            for (kind, day) in s.days() {
                if let Some(day) = day {
                    *self.0.entry((department, kind, day)).or_default() += sign;
                }
            }
        }
    }

    /// The rows to upsert (non-zero changes), at most `ROWS` per statement.
    pub fn chunks(&self) -> Vec<Vec<(i64, &'static str, NaiveDate, i64)>> {
        let rows: Vec<_> = self
            .0
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((d, k, day), n)| (*d, *k, *day, *n))
            .collect();
        rows.chunks(ROWS).map(<[_]>::to_vec).collect()
    }
}

/// Rows per upsert (4 values each: well under SQLite's 32,766 variables).
const ROWS: usize = 1_000;

/// `INSERT … VALUES ($1, $2, $3, $4), … ON CONFLICT … DO UPDATE` for `n` rows.
pub(crate) fn upsert_sql(n: usize) -> String {
    let mut sql =
        String::from("INSERT INTO warning_tallies (department_id, kind, on_date, n) VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        let b = i * 4;
        sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
    }
    sql.push_str(
        " ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = warning_tallies.n + excluded.n",
    );
    sql
}

/// Applies [`Deltas`] inside the caller's transaction `$tx`.
macro_rules! apply_tallies {
    ($tx:ident, $deltas:expr) => {{
        let deltas: &$crate::tallies::Deltas = $deltas;
        for rows in deltas.chunks() {
            let sql = $crate::tallies::upsert_sql(rows.len());
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (department, kind, day, n) in rows {
                q = q.bind(department).bind(kind).bind(day).bind(n);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use apply_tallies;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn a_change_moves_each_kind_and_the_later_of_yellow_and_red() {
        let mut deltas = Deltas::default();
        let old = Stored::default();
        let new = Stored {
            yellow_on: d("2026-10-16"),
            red_on: d("2026-10-21"),
            step_over_on: None,
        };
        deltas.change(7, &old, &new);
        let mut rows = deltas.chunks().concat();
        rows.sort();
        let day = |s| d(s).unwrap();
        assert_eq!(
            rows,
            [
                (7, "both", day("2026-10-21"), 1),
                (7, "red", day("2026-10-21"), 1),
                (7, "yellow", day("2026-10-16"), 1),
            ]
        );
        // Concluding it takes every one back; the sums cancel.
        deltas.change(7, &new, &old);
        assert!(deltas.chunks().concat().is_empty());
        assert_eq!(upsert_sql(2).matches('$').count(), 8);
    }
}
