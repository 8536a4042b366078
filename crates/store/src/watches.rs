//! The watch of running cases and the warning tallies over it.
//!
//! `case_watches` holds one narrow row per running case (status `accepted`:
//! its clock runs): the inputs of the time rules and the days their warnings
//! begin (`yellow_on`, `red_on`, `step_over_on`). It lives apart from the
//! archive of cases, so the rebuild and the warning list cost the same with
//! ten thousand concluded cases or ten million. The case writer writes a
//! batch's rows with [`write_watches!`] in the batch's transaction (deleting
//! the row when the clock stops); [`crate::Store::rewatch`] rewrites the days.
//!
//! `warning_tallies`: how many running cases' warnings begin on each day, per
//! department and kind — `yellow` (yellow_on), `red` (red_on), `step`
//! (step_over_on) and `both` (the later of yellow_on and red_on: from that
//! day a yellow case counts as red instead). Warning totals and counts on a
//! day are sums over these few rows instead of counts over every warning.
//! Every writer of the days keeps them in step in its own transaction,
//! reading the days it replaces while it holds the audit head (so no other
//! writer moves them meanwhile). An upsert per batch is far cheaper than a
//! trigger per row: a full rebuild rewrites hundreds of thousands of days.

use chrono::NaiveDate;
use domain::case::CaseStatus;
use domain::supervision::{Watch, WatchInput};
use std::collections::HashMap;

/// The days a watch row holds, as tallied.
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

    /// The rows to upsert (non-zero changes) as one JSON array
    /// `[[department, kind, day, n], …]`; `None` when nothing changes.
    pub fn json(&self) -> Option<String> {
        let rows: Vec<_> = self
            .0
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((d, k, day), n)| (*d, *k, *day, *n))
            .collect();
        (!rows.is_empty()).then(|| {
            serde_json::Value::from(
                rows.into_iter()
                    .map(|(d, k, day, n)| serde_json::json!([d, k, day, n]))
                    .collect::<Vec<_>>(),
            )
            .to_string()
        })
    }
}

/// The statements that write watches and tallies, per backend. Each takes
/// its rows as one JSON array (`$1`), so one prepared statement serves any
/// number of rows: a statement with thousands of bound values costs more to
/// prepare than to run, and its text changes with the count.
pub(crate) struct WatchSql {
    /// `$1`: case ids; yields `(case_id, yellow_on, red_on, step_over_on)`.
    pub read: &'static str,
    /// `$1`: rows in [`WatchWrite::json`]'s order; `$2`: now.
    pub upsert: &'static str,
    /// `$1`: case ids.
    pub delete: &'static str,
    /// `$1`: `[[case_id, yellow_on, red_on, step_over_on], …]`.
    pub rewrite_days: &'static str,
    /// `$1`: [`Deltas::json`].
    pub tallies: &'static str,
}

static SQLITE: WatchSql = WatchSql {
    read: "SELECT case_id, yellow_on, red_on, step_over_on FROM case_watches
           WHERE case_id IN (SELECT value FROM json_each($1))",
    upsert: "INSERT INTO case_watches (case_id, center_id, department_id, case_kind, accepted_on,
                due_date, paused_working_days, step_started_on, step_budget_days, yellow_on, red_on,
                step_over_on, created_at, updated_at)
             SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6,
                value->>7, value->>8, value->>9, value->>10, value->>11, $2, $2
             FROM json_each($1) WHERE true
             ON CONFLICT (case_id) DO UPDATE SET department_id = excluded.department_id,
                case_kind = excluded.case_kind, accepted_on = excluded.accepted_on,
                due_date = excluded.due_date, paused_working_days = excluded.paused_working_days,
                step_started_on = excluded.step_started_on, step_budget_days = excluded.step_budget_days,
                yellow_on = excluded.yellow_on, red_on = excluded.red_on,
                step_over_on = excluded.step_over_on, updated_at = excluded.updated_at",
    delete: "DELETE FROM case_watches WHERE case_id IN (SELECT value FROM json_each($1))",
    rewrite_days: "UPDATE case_watches SET yellow_on = v.y, red_on = v.r, step_over_on = v.s
                   FROM (SELECT value->>0 AS id, value->>1 AS y, value->>2 AS r, value->>3 AS s
                         FROM json_each($1)) v
                   WHERE case_watches.case_id = v.id",
    tallies: "INSERT INTO warning_tallies (department_id, kind, on_date, n)
              SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each($1) WHERE true
              ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = warning_tallies.n + excluded.n",
};

static POSTGRES: WatchSql = WatchSql {
    read: "SELECT case_id, yellow_on, red_on, step_over_on FROM case_watches
           WHERE case_id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)",
    upsert: "INSERT INTO case_watches (case_id, center_id, department_id, case_kind, accepted_on,
                due_date, paused_working_days, step_started_on, step_budget_days, yellow_on, red_on,
                step_over_on, created_at, updated_at)
             SELECT (e->>0)::bigint, (e->>1)::bigint, (e->>2)::bigint, e->>3, (e->>4)::date,
                (e->>5)::date, (e->>6)::bigint, (e->>7)::date, (e->>8)::bigint, (e->>9)::date,
                (e->>10)::date, (e->>11)::date, $2, $2
             FROM jsonb_array_elements($1::jsonb) e
             ON CONFLICT (case_id) DO UPDATE SET department_id = excluded.department_id,
                case_kind = excluded.case_kind, accepted_on = excluded.accepted_on,
                due_date = excluded.due_date, paused_working_days = excluded.paused_working_days,
                step_started_on = excluded.step_started_on, step_budget_days = excluded.step_budget_days,
                yellow_on = excluded.yellow_on, red_on = excluded.red_on,
                step_over_on = excluded.step_over_on, updated_at = excluded.updated_at",
    delete: "DELETE FROM case_watches
             WHERE case_id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)",
    rewrite_days: "UPDATE case_watches SET yellow_on = v.y, red_on = v.r, step_over_on = v.s
                   FROM (SELECT (e->>0)::bigint AS id, (e->>1)::date AS y, (e->>2)::date AS r,
                                (e->>3)::date AS s
                         FROM jsonb_array_elements($1::jsonb) e) v
                   WHERE case_watches.case_id = v.id",
    tallies: "INSERT INTO warning_tallies (department_id, kind, on_date, n)
              SELECT (e->>0)::bigint, e->>1, (e->>2)::date, (e->>3)::bigint
              FROM jsonb_array_elements($1::jsonb) e
              ON CONFLICT (department_id, kind, on_date) DO UPDATE SET n = warning_tallies.n + excluded.n",
};

/// A database whose [`WatchSql`] is known.
pub(crate) trait Backend: sqlx::Database {
    fn watch_sql() -> &'static WatchSql;
}

impl Backend for sqlx::Sqlite {
    fn watch_sql() -> &'static WatchSql {
        &SQLITE
    }
}

impl Backend for sqlx::Postgres {
    fn watch_sql() -> &'static WatchSql {
        &POSTGRES
    }
}

/// The [`WatchSql`] of the database a transaction is on.
pub(crate) fn sql_of<DB: Backend>(_: &sqlx::Transaction<'_, DB>) -> &'static WatchSql {
    DB::watch_sql()
}

/// A list of ids as a JSON array.
pub(crate) fn ids_json(ids: &[i64]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

/// Applies [`Deltas`] inside the caller's transaction `$tx`.
macro_rules! apply_tallies {
    ($tx:ident, $deltas:expr) => {{
        let deltas: &$crate::watches::Deltas = $deltas;
        if let Some(rows) = deltas.json() {
            sqlx::query($crate::watches::sql_of(&$tx).tallies)
                .bind(rows)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use apply_tallies;

/// One case's watch as a batch leaves it: a row when its clock runs, none
/// otherwise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WatchWrite {
    pub case_id: i64,
    pub center_id: i64,
    pub department_id: i64,
    pub input: WatchInput,
    pub watch: Watch,
}

impl WatchWrite {
    /// Rows as one JSON array, in the column order of [`WatchSql::upsert`].
    pub fn json(rows: &[WatchWrite]) -> String {
        serde_json::Value::from(
            rows.iter()
                .map(|w| {
                    serde_json::json!([
                        w.case_id,
                        w.center_id,
                        w.department_id,
                        w.input.case_kind.code(),
                        w.input.accepted_on,
                        w.input.due_date,
                        w.input.paused_working_days,
                        w.input.step.map(|s| s.0),
                        w.input.step.map(|s| s.1),
                        w.watch.yellow_on,
                        w.watch.red_on,
                        w.watch.step_over_on,
                    ])
                })
                .collect::<Vec<_>>(),
        )
        .to_string()
    }

    fn running(&self) -> bool {
        self.input.status == CaseStatus::Accepted
    }

    /// The days it leaves (none when its clock stopped).
    pub fn stored(&self) -> Stored {
        if self.running() {
            Stored::from(&self.watch)
        } else {
            Stored::default()
        }
    }
}

/// What writing a batch's watches takes: the rows to upsert, the cases whose
/// row goes, and the tally changes (from `old`, the days held before).
pub(crate) struct WatchPlan {
    pub upserts: Vec<WatchWrite>,
    pub deletes: Vec<i64>,
    pub deltas: Deltas,
}

impl WatchPlan {
    pub fn new(writes: &[WatchWrite], old: &HashMap<i64, Stored>) -> Self {
        let mut plan = WatchPlan {
            upserts: Vec::new(),
            deletes: Vec::new(),
            deltas: Deltas::default(),
        };
        for w in writes {
            let before = old.get(&w.case_id).copied().unwrap_or_default();
            plan.deltas.change(w.department_id, &before, &w.stored());
            if w.running() {
                plan.upserts.push(*w);
            } else if old.contains_key(&w.case_id) {
                plan.deletes.push(w.case_id);
            }
        }
        plan
    }
}

/// The days the watch rows of `$ids` (case ids) hold now, inside `$tx`:
/// evaluates to a `HashMap<i64, Stored>` (cases without a row are absent).
macro_rules! read_watches {
    ($tx:ident, $ids:expr) => {{
        let ids: &[i64] = $ids;
        let mut found: std::collections::HashMap<i64, $crate::watches::Stored> =
            std::collections::HashMap::with_capacity(ids.len());
        if !ids.is_empty() {
            let rows: Vec<(
                i64,
                Option<chrono::NaiveDate>,
                Option<chrono::NaiveDate>,
                Option<chrono::NaiveDate>,
            )> = sqlx::query_as($crate::watches::sql_of(&$tx).read)
                .bind($crate::watches::ids_json(ids))
                .fetch_all(&mut *$tx)
                .await?;
            for (id, yellow_on, red_on, step_over_on) in rows {
                found.insert(
                    id,
                    $crate::watches::Stored {
                        yellow_on,
                        red_on,
                        step_over_on,
                    },
                );
            }
        }
        found
    }};
}
pub(crate) use read_watches;

/// Writes a batch's watches inside `$tx` (which holds the audit head): the
/// running cases' rows upserted, the stopped ones' deleted, the tallies moved
/// from `$old` (what [`read_watches!`] found) to what the rows now hold.
macro_rules! write_watches {
    ($tx:ident, $writes:expr, $old:expr, $now:expr) => {{
        let plan = $crate::watches::WatchPlan::new($writes, $old);
        let now: chrono::DateTime<chrono::Utc> = $now;
        let sql = $crate::watches::sql_of(&$tx);
        if !plan.upserts.is_empty() {
            sqlx::query(sql.upsert)
                .bind($crate::watches::WatchWrite::json(&plan.upserts))
                .bind(now)
                .execute(&mut *$tx)
                .await?;
        }
        if !plan.deletes.is_empty() {
            sqlx::query(sql.delete)
                .bind($crate::watches::ids_json(&plan.deletes))
                .execute(&mut *$tx)
                .await?;
        }
        $crate::watches::apply_tallies!($tx, &plan.deltas);
    }};
}
pub(crate) use write_watches;

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
        let mut rows: Vec<(i64, String, String, i64)> =
            serde_json::from_str(&deltas.json().unwrap()).unwrap();
        rows.sort();
        let row = |kind: &str, day: &str| (7, kind.to_string(), day.to_string(), 1);
        assert_eq!(
            rows,
            [
                row("both", "2026-10-21"),
                row("red", "2026-10-21"),
                row("yellow", "2026-10-16"),
            ]
        );
        // Concluding it takes every one back; the sums cancel.
        deltas.change(7, &new, &old);
        assert!(deltas.json().is_none());
    }
}
