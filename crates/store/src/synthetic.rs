//! Synthetic cases for benchmarks (`govhall-bench-supervision`): millions of
//! projection rows written directly with set-based SQL, far faster than the
//! case writer, so the supervision and dashboard queries can be measured at
//! the sizes of a province. They have no trail (`case_events`) and an empty
//! `state`: never use this on a real database.
//!
//! The SQL differs per backend (date arithmetic), the one place it does
//! outside the migrations.

use crate::{Db, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticPlan {
    pub cases: u64,
    /// Cases still running (accepted in the last 30 days, not concluded), in
    /// thousandths; the rest are concluded, some late.
    pub running_permille: u64,
    /// Accepted over this many days before `today`.
    pub days: u64,
    pub today: NaiveDate,
    /// The rows of one statement.
    pub batch: u64,
}

impl Store {
    /// Writes `plan.cases` synthetic cases over the published items of the
    /// center (round robin), and a rating for every other concluded one;
    /// `progress` gets the count written so far. The running ones get their
    /// watch rows with the warning days left empty: run [`Store::rewatch`] to
    /// compute them (the full rebuild).
    pub async fn generate_synthetic_cases(
        &self,
        center_id: i64,
        plan: SyntheticPlan,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        let base = plan
            .today
            .and_hms_opt(1, 0, 0)
            .map(|t| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc))
            .ok_or_else(|| StoreError::Corrupt("today".into()))?;
        // The items cycled through, numbered from 0.
        let setup = [
            "DROP TABLE IF EXISTS bench_items",
            "CREATE TABLE bench_items (n BIGINT PRIMARY KEY, item_id BIGINT NOT NULL, version_id BIGINT NOT NULL,
                department_id BIGINT NOT NULL, item_name TEXT NOT NULL)",
        ];
        for sql in setup {
            match &self.db {
                Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop)?,
                Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(drop)?,
            }
        }
        let items: Vec<(i64, i64, i64, String)> = match &self.db {
            Db::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT i.id, v.id, i.department_id, v.name FROM items i
                     JOIN item_versions v ON v.item_id = i.id AND v.status = 'published'
                     JOIN departments d ON d.id = i.department_id WHERE d.center_id = $1 ORDER BY i.id",
                )
                .bind(center_id)
                .fetch_all(p)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(
                    "SELECT i.id, v.id, i.department_id, v.name FROM items i
                     JOIN item_versions v ON v.item_id = i.id AND v.status = 'published'
                     JOIN departments d ON d.id = i.department_id WHERE d.center_id = $1 ORDER BY i.id",
                )
                .bind(center_id)
                .fetch_all(p)
                .await?
            }
        };
        if items.is_empty() {
            return Err(StoreError::Corrupt(
                "no published items to generate cases for".into(),
            ));
        }
        for (n, (item, version, department, name)) in items.iter().enumerate() {
            let sql = "INSERT INTO bench_items (n, item_id, version_id, department_id, item_name) VALUES ($1, $2, $3, $4, $5)";
            match &self.db {
                Db::Sqlite(p) => sqlx::query(sql)
                    .bind(n as i64)
                    .bind(item)
                    .bind(version)
                    .bind(department)
                    .bind(name)
                    .execute(p)
                    .await
                    .map(drop)?,
                Db::Postgres(p) => sqlx::query(sql)
                    .bind(n as i64)
                    .bind(item)
                    .bind(version)
                    .bind(department)
                    .bind(name)
                    .execute(p)
                    .await
                    .map(drop)?,
            }
        }
        let k = items.len() as i64;
        let running = plan.running_permille as i64;
        let days = plan.days.max(31) as i64;
        // Per row i: the day it was accepted (days back from today), whether
        // it is still running, when it was concluded.
        let (back, accepted, concluded, due, accepted_on, case_no, watch_on) = match &self.db {
            Db::Sqlite(_) => (
                "CASE WHEN s.i % 1000 < {running} THEN s.i % 30 ELSE 30 + (s.i * 7919) % ({days} - 30) END",
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', julianday($3) - (BACK) + (s.i % 480) / 1440.0)",
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', julianday($3) - (BACK) + (1 + s.i % 16))",
                "date(julianday($3) - (BACK) + 14)",
                "date(julianday($3) - (BACK))",
                // Zero-padded: the unique index on case_no grows at its end.
                "printf('BM-%010d', s.i)",
                "date(accepted_at, '+8 hours')",
            ),
            Db::Postgres(_) => (
                "CASE WHEN s.i % 1000 < {running} THEN s.i % 30 ELSE 30 + (s.i * 7919) % ({days} - 30) END",
                "($3::timestamptz - (BACK) * interval '1 day' + (s.i % 480) * interval '1 minute')",
                "($3::timestamptz - (BACK) * interval '1 day' + (1 + s.i % 16) * interval '1 day')",
                "(($3::timestamptz - (BACK) * interval '1 day')::date + 14)",
                "(($3::timestamptz - (BACK) * interval '1 day')::date)",
                "('BM-' || lpad(s.i::text, 10, '0'))",
                "((accepted_at AT TIME ZONE 'UTC') + interval '8 hours')::date",
            ),
        };
        let back = back
            .replace("{running}", &running.to_string())
            .replace("{days}", &days.to_string());
        let expr = |e: &str| e.replace("BACK", &back);
        let is_running = format!("(s.i % 1000 < {running})");
        let insert = format!(
            "WITH RECURSIVE s(i) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT i + 1 FROM s WHERE i < $2)
             INSERT INTO cases (case_no, query_code, center_id, department_id, item_id, item_version_id, item_name,
                case_kind, channel, status, applicant_name, applicant_id_number, applicant_user_id, submitted_at,
                accepted_at, due_date, concluded_at, paused_working_days, current_step, event_count, state,
                created_at, updated_at)
             SELECT {case_no}, '000000', $4, b.department_id, b.item_id, b.version_id, b.item_name,
                CASE WHEN s.i % 10 = 0 THEN 'immediate' ELSE 'promised' END,
                CASE WHEN s.i % 5 < 3 THEN 'online' ELSE 'window' END,
                CASE WHEN {is_running} THEN 'accepted' ELSE 'concluded' END,
                '张三', '110101199003074514', NULL, {accepted}, {accepted},
                CASE WHEN s.i % 10 = 0 THEN {accepted_on} ELSE {due} END,
                CASE WHEN {is_running} THEN NULL ELSE {concluded} END,
                0, CASE WHEN {is_running} THEN '审查' ELSE '' END, 2, '{{}}',
                {accepted}, {accepted}
             FROM s JOIN bench_items b ON b.n = s.i % {k}",
            accepted = expr(accepted),
            concluded = expr(concluded),
            due = expr(due),
            accepted_on = expr(accepted_on),
        );
        // The running ones' watches: the step 审查 began the day they were
        // accepted, with 5 working days.
        let watches = format!(
            "INSERT INTO case_watches (case_id, center_id, department_id, case_kind, accepted_on, due_date,
                paused_working_days, step_started_on, step_budget_days, created_at, updated_at)
             SELECT id, center_id, department_id, case_kind, {watch_on}, due_date, 0, {watch_on}, 5,
                accepted_at, accepted_at
             FROM cases WHERE id >= $1 AND id <= $2 AND status = 'accepted'"
        );
        let ratings = "INSERT INTO ratings (case_id, department_id, staff_user_id, channel, level, tags, comment,
                rated_at, rated_on, created_at)
             SELECT id, department_id, NULL, 'hall', CASE WHEN id % 50 = 0 THEN 5 WHEN id % 7 = 0 THEN 2 ELSE 1 END,
                '[]', '', concluded_at, {day}, concluded_at
             FROM cases WHERE id >= $1 AND id <= $2 AND status = 'concluded' AND id % 2 = 0";
        let day = match &self.db {
            Db::Sqlite(_) => "date(concluded_at)",
            Db::Postgres(_) => "(concluded_at AT TIME ZONE 'UTC')::date",
        };
        let ratings = ratings.replace("{day}", day);
        // One connection for the whole run, set up for bulk writing: a large
        // page cache on SQLite (the indexes of millions of rows), no wait for
        // each commit's flush on PostgreSQL (benchmark data, rebuilt at will).
        macro_rules! generate {
            ($pool:expr, $setup:expr) => {{
                let mut conn = $pool.acquire().await?;
                // Not handed back to the pool with these settings.
                conn.close_on_drop();
                sqlx::query($setup).execute(&mut *conn).await?;
                let mut written = 0u64;
                while written < plan.cases {
                    let n = plan.batch.min(plan.cases - written);
                    let (from, to) = (written as i64 + 1, (written + n) as i64);
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(AssertSqlSafe(insert.as_str()))
                        .bind(from)
                        .bind(to)
                        .bind(base)
                        .bind(center_id)
                        .execute(&mut *tx)
                        .await?;
                    let after: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
                        .fetch_one(&mut *tx)
                        .await?;
                    for sql in [&ratings, &watches] {
                        sqlx::query(AssertSqlSafe(sql.as_str()))
                            .bind(before + 1)
                            .bind(after)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    written += n;
                    progress(written);
                }
                written
            }};
        }
        let written = match &self.db {
            Db::Sqlite(p) => generate!(p, "PRAGMA cache_size = -2000000"),
            Db::Postgres(p) => generate!(p, "SET synchronous_commit = off"),
        };
        match &self.db {
            Db::Sqlite(p) => {
                sqlx::query("DROP TABLE bench_items").execute(p).await?;
                sqlx::query("ANALYZE").execute(p).await?;
            }
            Db::Postgres(p) => {
                sqlx::query("DROP TABLE bench_items").execute(p).await?;
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(written)
    }
}

impl Store {
    /// How many synthetic cases the database holds (a kept benchmark database
    /// is measured again instead of generated into).
    pub async fn synthetic_case_count(&self) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM cases WHERE case_no >= 'BM-' AND case_no < 'BM.'";
        Ok(match &self.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        })
    }

    /// Forgets what an earlier benchmark run computed on kept synthetic data
    /// (thresholds and the warning history), so a rerun measures the same
    /// full rebuild.
    pub async fn clear_synthetic_warnings(&self) -> Result<()> {
        for sql in [
            "UPDATE case_watches SET yellow_on = NULL, red_on = NULL, step_over_on = NULL
             WHERE yellow_on IS NOT NULL OR red_on IS NOT NULL OR step_over_on IS NOT NULL",
            "DELETE FROM warning_tallies",
            "DELETE FROM warning_records",
            "DELETE FROM supervision_runs",
        ] {
            match &self.db {
                Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop)?,
                Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(drop)?,
            }
        }
        Ok(())
    }
}
