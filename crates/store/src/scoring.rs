//! Performance scoring's storage: the schemes in force, manual entries, the
//! measurements a run takes from the system's data (cases, warnings,
//! ratings, complaints, correction orders, violations), the runs with every
//! unit's explained score, and the cases behind any indicator.

use crate::ratings::day_start;
use crate::{Result, Store, StoreError, on_db, write_tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::complaint::ComplaintCategory;
use domain::scoring::{
    ManualScore, Measured, Metric, Period, PeriodKind, Scheme, UnitKind, UnitScore, honours, rank,
    score_unit, warned,
};
use domain::supervision::beijing_date;
use std::collections::{BTreeMap, HashMap};

/// A department or a staff member as scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoringUnit {
    pub id: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
}

/// A run as listed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScoringRunRecord {
    pub id: i64,
    pub kind: String,
    pub period_kind: String,
    pub period_key: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub units: i64,
    pub computed_at: DateTime<Utc>,
}

/// One unit's score in a run. `rank` is 0 for a unit that handled no case
/// in the period (listed, not ranked).
#[derive(Debug, Clone)]
pub struct ScoreRecord {
    pub run_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub department_name: String,
    pub total: f64,
    pub rank: i64,
    pub honoured: bool,
    pub warned: bool,
    pub notified: String,
    pub detail: UnitScore,
}

#[derive(sqlx::FromRow)]
struct ScoreRow {
    run_id: i64,
    unit_id: i64,
    unit_name: String,
    department_name: String,
    total: f64,
    rank: i64,
    honoured: bool,
    warned: bool,
    notified: String,
    detail: String,
}

impl TryFrom<ScoreRow> for ScoreRecord {
    type Error = StoreError;
    fn try_from(r: ScoreRow) -> Result<Self> {
        Ok(Self {
            detail: serde_json::from_str(&r.detail)
                .map_err(|e| StoreError::Corrupt(format!("score detail: {e}")))?,
            run_id: r.run_id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            department_name: r.department_name,
            total: r.total,
            rank: r.rank,
            honoured: r.honoured,
            warned: r.warned,
            notified: r.notified,
        })
    }
}

/// A unit's score in an earlier run of the same kind of period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScoreHistory {
    pub run_id: i64,
    pub period_key: String,
    pub total: f64,
    pub rank: i64,
    pub units: i64,
}

/// One thing behind an indicator: a case, a rating, a complaint…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainRow {
    /// What it is (办件编号, 投诉编号…).
    pub reference: String,
    /// Where to see it.
    pub link: String,
    pub title: String,
    pub detail: String,
    /// Whether it counts against the unit (late, bad, overdue…).
    pub against: bool,
}

const SCORE_COLUMNS: &str = "run_id, unit_id, unit_name, department_name, total, rank, honoured,
    warned, notified, detail";

const RUN_COLUMNS: &str =
    "id, kind, period_kind, period_key, period_start, period_end, units, computed_at";

/// The categories that are complaints (not questions or suggestions), as an
/// SQL list.
fn complaint_categories() -> String {
    let list: Vec<String> = ComplaintCategory::ALL
        .iter()
        .filter(|c| c.is_complaint())
        .map(|c| format!("'{}'", c.code()))
        .collect();
    list.join(", ")
}

/// A concluded case as a run reads it.
#[derive(sqlx::FromRow)]
struct ConcludedRow {
    department_id: i64,
    accepted_at: Option<DateTime<Utc>>,
    concluded_at: DateTime<Utc>,
    due_date: Option<NaiveDate>,
    paused_working_days: i64,
    center_id: i64,
    noticed: bool,
    acceptor: Option<i64>,
}

/// Per-unit tallies while measuring.
#[derive(Default, Clone, Copy)]
struct Tally {
    accepted: i64,
    immediate: i64,
    online: i64,
    concluded: i64,
    on_time: i64,
    one_visit: i64,
    used_days: i64,
    promised_days: i64,
    overdue: i64,
    step_over: i64,
    yellow: i64,
    valid_complaints: i64,
    complaints_received: i64,
    complaints_on_time: i64,
    complaints_rated: i64,
    complaints_satisfied: i64,
    complaints_overdue: i64,
    corrections: i64,
    corrections_overdue: i64,
    violations: i64,
}

fn forbidden(what: &str) -> StoreError {
    StoreError::conflict("auth.forbidden", None, format!("没有{what}的权限"))
}

impl Store {
    // ------------------------------------------------------------- schemes

    /// The scheme in force for a kind of unit (the default until one is saved).
    pub async fn scoring_scheme(&self, kind: UnitKind) -> Result<Scheme> {
        let body: Option<String> = on_db!(self, pool => sqlx::query_scalar(
            "SELECT body FROM scoring_schemes WHERE kind = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(kind.code())
        .fetch_optional(pool)
        .await?);
        match body {
            None => Ok(Scheme::default_for(kind)),
            Some(b) => {
                serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("scheme: {e}")))
            }
        }
    }

    /// Puts a (checked) scheme in force from the next run on.
    pub async fn save_scoring_scheme(
        &self,
        grant: &Grant,
        scheme: &Scheme,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if grant.permission() != Permission::Supervise {
            return Err(forbidden("修改考核方案"));
        }
        let body = serde_json::to_string(scheme)
            .map_err(|e| StoreError::Corrupt(format!("scheme: {e}")))?;
        on_db!(self, pool => sqlx::query(
            "INSERT INTO scoring_schemes (kind, name, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(scheme.kind.code())
        .bind(&scheme.name)
        .bind(&body)
        .bind(grant.actor().user_id)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }

    // -------------------------------------------------------------- manual

    /// Records a supervisor's score for a manual indicator of a unit in a
    /// period (replacing an earlier one). The next run uses it.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_manual_score(
        &self,
        grant: &Grant,
        kind: UnitKind,
        period: Period,
        unit_id: i64,
        code: &str,
        entry: &ManualScore,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if grant.permission() != Permission::Supervise {
            return Err(forbidden("录入考核得分"));
        }
        if !self
            .scoring_units(kind)
            .await?
            .iter()
            .any(|u| u.id == unit_id)
        {
            return Err(StoreError::conflict(
                "scoring.unit_not_found",
                Some("unit_id"),
                "被考核对象不存在",
            ));
        }
        on_db!(self, pool => sqlx::query(
            "INSERT INTO scoring_manual (kind, period_key, unit_id, indicator_code, score, reason,
                entered_by, entered_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             ON CONFLICT (kind, period_key, unit_id, indicator_code) DO UPDATE SET
                score = excluded.score, reason = excluded.reason, entered_by = excluded.entered_by,
                entered_at = excluded.entered_at",
        )
        .bind(kind.code())
        .bind(period.key())
        .bind(unit_id)
        .bind(code)
        .bind(entry.score)
        .bind(&entry.reason)
        .bind(grant.actor().user_id)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }

    async fn manual_scores(
        &self,
        kind: UnitKind,
        period: Period,
    ) -> Result<HashMap<i64, BTreeMap<String, ManualScore>>> {
        let rows: Vec<(i64, String, f64, String)> = on_db!(self, pool => sqlx::query_as(
            "SELECT unit_id, indicator_code, score, reason FROM scoring_manual
             WHERE kind = $1 AND period_key = $2",
        )
        .bind(kind.code())
        .bind(period.key())
        .fetch_all(pool)
        .await?);
        let mut map: HashMap<i64, BTreeMap<String, ManualScore>> = HashMap::new();
        for (unit, code, score, reason) in rows {
            map.entry(unit)
                .or_default()
                .insert(code, ManualScore { score, reason });
        }
        Ok(map)
    }

    // --------------------------------------------------------------- units

    /// Who is scored: every department, or every active window staff member
    /// (clerks, approvers, chief representatives) with a department.
    pub async fn scoring_units(&self, kind: UnitKind) -> Result<Vec<ScoringUnit>> {
        let departments = self.list_departments().await?;
        Ok(match kind {
            UnitKind::Department => departments
                .into_iter()
                .map(|d| ScoringUnit {
                    id: d.id,
                    name: d.name.clone(),
                    department_id: d.id,
                    department_name: d.name,
                })
                .collect(),
            UnitKind::Staff => self
                .list_users()
                .await?
                .into_iter()
                .filter(|u| u.active && u.role.needs_department())
                .filter_map(|u| {
                    let d = departments.iter().find(|d| Some(d.id) == u.department_id)?;
                    Some(ScoringUnit {
                        id: u.id,
                        name: if u.display_name.is_empty() {
                            u.username.clone()
                        } else {
                            u.display_name.clone()
                        },
                        department_id: d.id,
                        department_name: d.name.clone(),
                    })
                })
                .collect(),
        })
    }

    // ----------------------------------------------------------- measuring

    /// Measures every metric for every unit of a kind over a period.
    pub async fn measure(
        &self,
        kind: UnitKind,
        period: Period,
    ) -> Result<HashMap<i64, HashMap<Metric, Measured>>> {
        let (from, to) = (period.first_day(), period.last_day());
        let end = to.succ_opt().unwrap_or(to);
        let (ts_from, ts_to) = (day_start(from), day_start(end));
        let units = self.scoring_units(kind).await?;
        let staff = kind == UnitKind::Staff;
        let mut tally: HashMap<i64, Tally> = HashMap::new();

        // Accepted in the period: volume, 即办, online; by department, or by
        // whoever accepted (the event's actor).
        let accepted: Vec<(Option<i64>, i64, i64, i64)> = if staff {
            on_db!(self, pool => sqlx::query_as(
                "SELECT e.actor_user_id, COUNT(*),
                        COUNT(*) FILTER (WHERE k.case_kind = 'immediate'),
                        COUNT(*) FILTER (WHERE k.channel = 'online')
                 FROM case_events e JOIN cases k ON k.id = e.case_id
                 WHERE e.kind = 'accepted' AND e.at >= $1 AND e.at < $2
                 GROUP BY e.actor_user_id",
            )
            .bind(ts_from)
            .bind(ts_to)
            .fetch_all(pool)
            .await?)
        } else {
            on_db!(self, pool => sqlx::query_as(
                "SELECT department_id, COUNT(*),
                        COUNT(*) FILTER (WHERE case_kind = 'immediate'),
                        COUNT(*) FILTER (WHERE channel = 'online')
                 FROM cases WHERE accepted_at >= $1 AND accepted_at < $2
                 GROUP BY department_id",
            )
            .bind(ts_from)
            .bind(ts_to)
            .fetch_all(pool)
            .await?)
        };
        for (unit, n, immediate, online) in accepted {
            if let Some(u) = unit {
                let t = tally.entry(u).or_default();
                t.accepted += n;
                t.immediate += immediate;
                t.online += online;
            }
        }

        // Concluded in the period: on time, working days used against
        // promised (on each center's calendar), one visit (no one-time notice).
        let concluded: Vec<ConcludedRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT k.department_id, k.accepted_at, k.concluded_at, k.due_date,
                    k.paused_working_days, k.center_id,
                    EXISTS (SELECT 1 FROM case_events e
                            WHERE e.case_id = k.id AND e.kind = 'correction_requested') AS noticed,
                    (SELECT e.actor_user_id FROM case_events e
                      WHERE e.case_id = k.id AND e.kind = 'accepted' ORDER BY e.seq LIMIT 1) AS acceptor
             FROM cases k WHERE k.concluded_at >= $1 AND k.concluded_at < $2",
        )
        .bind(ts_from)
        .bind(ts_to)
        .fetch_all(pool)
        .await?);
        let mut calendars = HashMap::new();
        for row in &concluded {
            let unit = if staff {
                row.acceptor
            } else {
                Some(row.department_id)
            };
            let Some(unit) = unit else { continue };
            if let std::collections::hash_map::Entry::Vacant(v) = calendars.entry(row.center_id) {
                v.insert(self.calendar(row.center_id).await?);
            }
            let calendar = &calendars[&row.center_id];
            let t = tally.entry(unit).or_default();
            let done = beijing_date(row.concluded_at);
            t.concluded += 1;
            if row.due_date.is_none_or(|d| done <= d) {
                t.on_time += 1;
            }
            if !row.noticed {
                t.one_visit += 1;
            }
            if let (Some(acc), Some(due)) = (row.accepted_at.map(beijing_date), row.due_date) {
                let paused = row.paused_working_days.max(0);
                let next = |d: NaiveDate| d.succ_opt().unwrap_or(d);
                let used = i64::from(calendar.working_days_between(next(acc), next(done))) - paused;
                let promised =
                    i64::from(calendar.working_days_between(next(acc), next(due))) - paused;
                if promised > 0 {
                    t.used_days += used.max(0);
                    t.promised_days += promised;
                }
            }
        }

        // Warnings that began in the period (the worker's records).
        let unit_of_case = if staff {
            "(SELECT e.actor_user_id FROM case_events e WHERE e.case_id = {case} AND e.kind = 'accepted' ORDER BY e.seq LIMIT 1)"
        } else {
            "{dept}"
        };
        let warn_unit = unit_of_case
            .replace("{case}", "w.case_id")
            .replace("{dept}", "w.department_id");
        let sql = format!(
            "SELECT {warn_unit} AS unit, w.rule, COUNT(*) FROM warning_records w
             WHERE w.since >= $1 AND w.since <= $2 GROUP BY unit, w.rule"
        );
        let warnings: Vec<(Option<i64>, String, i64)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?);
        for (unit, rule, n) in warnings {
            let Some(u) = unit else { continue };
            let t = tally.entry(u).or_default();
            match rule.as_str() {
                "overdue" | "immediate_not_same_day" => t.overdue += n,
                "step_over_budget" => t.step_over += n,
                "near_deadline" => t.yellow += n,
                _ => {}
            }
        }

        // Complaints received in the period.
        let cats = complaint_categories();
        let complaint_unit = if staff {
            "c.staff_user_id"
        } else {
            "c.department_id"
        };
        let sql = format!(
            "SELECT {complaint_unit} AS unit,
                    COUNT(*) FILTER (WHERE c.category IN ({cats})),
                    COUNT(*),
                    COUNT(*) FILTER (WHERE c.replied_on IS NOT NULL AND c.replied_on <= c.due_date),
                    COUNT(*) FILTER (WHERE c.satisfaction IS NOT NULL),
                    COUNT(*) FILTER (WHERE c.satisfaction IN ('satisfied', 'basic'))
             FROM complaints c WHERE c.received_on >= $1 AND c.received_on <= $2
             GROUP BY {complaint_unit}"
        );
        let complaints: Vec<(Option<i64>, i64, i64, i64, i64, i64)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?);
        for (unit, valid, received, on_time, rated, satisfied) in complaints {
            let Some(u) = unit else { continue };
            let t = tally.entry(u).or_default();
            t.valid_complaints += valid;
            t.complaints_received += received;
            t.complaints_on_time += on_time;
            t.complaints_rated += rated;
            t.complaints_satisfied += satisfied;
        }
        let sql = format!(
            "SELECT {complaint_unit} AS unit, COUNT(*) FROM complaints c
             WHERE c.due_date >= $1 AND c.due_date <= $2
               AND (c.replied_on IS NULL OR c.replied_on > c.due_date)
             GROUP BY {complaint_unit}"
        );
        let late: Vec<(Option<i64>, i64)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?);
        for (unit, n) in late {
            if let Some(u) = unit {
                tally.entry(u).or_default().complaints_overdue += n;
            }
        }

        // Correction orders issued and escalated in the period, violations
        // that happened in it (not dismissed as mistaken).
        let corr_unit = unit_of_case
            .replace("{case}", "c.case_id")
            .replace("{dept}", "c.department_id");
        let sql = format!(
            "SELECT {corr_unit} AS unit,
                    COUNT(*) FILTER (WHERE c.issued_at >= $1 AND c.issued_at < $2),
                    COUNT(*) FILTER (WHERE c.escalated_at >= $1 AND c.escalated_at < $2)
             FROM corrections c
             WHERE (c.issued_at >= $1 AND c.issued_at < $2) OR (c.escalated_at >= $1 AND c.escalated_at < $2)
             GROUP BY unit"
        );
        let corrections: Vec<(Option<i64>, i64, i64)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(ts_from)
            .bind(ts_to)
            .fetch_all(pool)
            .await?);
        for (unit, issued, escalated) in corrections {
            let Some(u) = unit else { continue };
            let t = tally.entry(u).or_default();
            t.corrections += issued;
            t.corrections_overdue += escalated;
        }
        let viol_unit = unit_of_case
            .replace("{case}", "v.case_id")
            .replace("{dept}", "v.department_id");
        let sql = format!(
            "SELECT {viol_unit} AS unit, COUNT(*) FROM violations v
             WHERE v.occurred_on >= $1 AND v.occurred_on <= $2 AND v.status <> 'dismissed'
             GROUP BY unit"
        );
        let violations: Vec<(Option<i64>, i64)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?);
        for (unit, n) in violations {
            if let Some(u) = unit {
                tally.entry(u).or_default().violations += n;
            }
        }

        // Ratings given in the period, from the published figures.
        let mut ratings: HashMap<i64, domain::rating::RatingCounts> = HashMap::new();
        let mut centers: Vec<i64> = self
            .list_departments()
            .await?
            .iter()
            .map(|d| d.center_id)
            .collect();
        centers.sort_unstable();
        centers.dedup();
        for center in centers {
            if staff {
                for s in self.staff_ratings(center, from, to).await? {
                    ratings.insert(s.user_id, s.counts);
                }
            } else {
                for d in self.department_ratings(center, from, to).await? {
                    ratings.insert(d.department_id, d.counts);
                }
            }
        }

        // Workload: a person's acceptances against the department's average.
        let mut per_department: HashMap<i64, (i64, i64)> = HashMap::new();
        if staff {
            for u in &units {
                let e = per_department.entry(u.department_id).or_default();
                e.0 += tally.get(&u.id).map_or(0, |t| t.accepted);
                e.1 += 1;
            }
        }

        let mut out = HashMap::new();
        for u in &units {
            let t = tally.get(&u.id).copied().unwrap_or_default();
            let r = ratings.get(&u.id).copied().unwrap_or_default();
            let mut m = HashMap::new();
            m.insert(Metric::OnTimeRate, Measured::ratio(t.on_time, t.concluded));
            m.insert(
                Metric::TimeUsedRatio,
                Measured::ratio(t.used_days, t.promised_days),
            );
            m.insert(
                Metric::ImmediateShare,
                Measured::ratio(t.immediate, t.accepted),
            );
            m.insert(
                Metric::OneVisitShare,
                Measured::ratio(t.one_visit, t.concluded),
            );
            m.insert(Metric::OnlineShare, Measured::ratio(t.online, t.accepted));
            m.insert(Metric::OverdueWarnings, Measured::count(t.overdue));
            m.insert(Metric::StepOverBudget, Measured::count(t.step_over));
            m.insert(
                Metric::YellowPer100,
                Measured::per_100(t.yellow, t.accepted),
            );
            m.insert(Metric::GoodRatingRate, Measured::ratio(r.good, r.ratings));
            m.insert(
                Metric::RectificationRate,
                Measured::ratio(r.rectified, r.bad),
            );
            m.insert(
                Metric::RectifiedOnTimeRate,
                Measured::ratio(r.rectified_on_time, r.bad),
            );
            m.insert(
                Metric::UnratedRate,
                Measured::ratio(r.cases - r.rated_cases, r.cases),
            );
            m.insert(Metric::BadRatings, Measured::count(r.bad));
            m.insert(
                Metric::ComplaintsPer100,
                Measured::per_100(t.valid_complaints, t.accepted),
            );
            m.insert(Metric::Complaints, Measured::count(t.valid_complaints));
            m.insert(
                Metric::ComplaintReplyOnTime,
                Measured::ratio(t.complaints_on_time, t.complaints_received),
            );
            m.insert(
                Metric::ComplaintSatisfaction,
                Measured::ratio(t.complaints_satisfied, t.complaints_rated),
            );
            m.insert(
                Metric::ComplaintsOverdue,
                Measured::count(t.complaints_overdue),
            );
            m.insert(Metric::CorrectionsIssued, Measured::count(t.corrections));
            m.insert(
                Metric::CorrectionsOverdue,
                Measured::count(t.corrections_overdue),
            );
            m.insert(Metric::Violations, Measured::count(t.violations));
            if staff {
                let (total, people) = per_department
                    .get(&u.department_id)
                    .copied()
                    .unwrap_or((0, 1));
                // Against the average: n / (total / people) = n × people / total.
                m.insert(
                    Metric::Workload,
                    Measured {
                        value: (total > 0)
                            .then(|| t.accepted as f64 * people as f64 / total as f64),
                        numerator: t.accepted as f64,
                        denominator: total as f64 / people.max(1) as f64,
                    },
                );
            }
            out.insert(u.id, m);
        }
        Ok(out)
    }

    // ---------------------------------------------------------------- runs

    /// Scores every unit of a kind for a period by the scheme in force and
    /// the manual entries, ranks them, marks the honoured and the warned
    /// (with the leaders told), and stores the run, replacing an earlier run
    /// of the same period. `grant` is `None` for the worker.
    pub async fn run_scoring(
        &self,
        grant: Option<&Grant>,
        kind: UnitKind,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if let Some(g) = grant
            && g.permission() != Permission::Supervise
        {
            return Err(forbidden("计算考核得分"));
        }
        let scheme = self.scoring_scheme(kind).await?;
        let units = self.scoring_units(kind).await?;
        let measured = self.measure(kind, period).await?;
        let manual = self.manual_scores(kind, period).await?;
        let empty_manual = BTreeMap::new();
        let empty_measured = HashMap::new();
        let scores: Vec<UnitScore> = units
            .iter()
            .map(|u| {
                score_unit(
                    &scheme,
                    u.id,
                    measured.get(&u.id).unwrap_or(&empty_measured),
                    manual.get(&u.id).unwrap_or(&empty_manual),
                )
            })
            .collect();
        let honoured = honours(kind, period.kind);
        // Only units that handled cases in the period compete for honours and
        // for the lowest places; a unit without cases has nothing to score.
        let active: Vec<bool> = units
            .iter()
            .map(|u| {
                measured.get(&u.id).is_some_and(|m| {
                    [Metric::OnTimeRate, Metric::ImmediateShare]
                        .iter()
                        .any(|k| m.get(k).is_some_and(|x| x.denominator > 0.0))
                })
            })
            .collect();
        let active_count = active.iter().filter(|a| **a).count();
        // Ranked among the active; the others follow unranked (place 0).
        let active_index: Vec<usize> = (0..units.len()).filter(|i| active[*i]).collect();
        let active_scores: Vec<UnitScore> =
            active_index.iter().map(|i| scores[*i].clone()).collect();
        let mut ranked: Vec<(usize, u32)> = rank(&active_scores)
            .into_iter()
            .map(|(j, place)| (active_index[j], place))
            .collect();
        ranked.extend((0..units.len()).filter(|i| !active[*i]).map(|i| (i, 0)));
        // Who is told of a warning: the department's chief representatives
        // and the center's leaders.
        let users = self.list_users().await?;
        let leaders: Vec<String> = users
            .iter()
            .filter(|u| u.active && u.role == domain::access::Role::Leader)
            .map(display)
            .collect();
        let chiefs = |department_id: i64| -> Vec<String> {
            users
                .iter()
                .filter(|u| {
                    u.active
                        && u.role == domain::access::Role::ChiefRep
                        && u.department_id == Some(department_id)
                })
                .map(display)
                .collect()
        };
        let scheme_json = serde_json::to_string(&scheme)
            .map_err(|e| StoreError::Corrupt(format!("scheme: {e}")))?;
        let user_id = grant.map(|g| g.actor().user_id);
        let count = ranked.len();
        let mut rows = Vec::with_capacity(count);
        let mut active_position = 0;
        for (index, place) in &ranked {
            let unit = &units[*index];
            let score = &scores[*index];
            let (is_honoured, is_warned) = if active[*index] {
                let p = active_position;
                active_position += 1;
                let is_warned = warned(kind, p, active_count, score.total);
                // A warned unit is never honoured, whatever its place.
                (p < honoured && !is_warned, is_warned)
            } else {
                (false, score.total < domain::scoring::WARNING_BELOW)
            };
            let notified = if is_warned {
                let mut names = chiefs(unit.department_id);
                names.extend(leaders.iter().cloned());
                names.join("、")
            } else {
                String::new()
            };
            let detail = serde_json::to_string(score)
                .map_err(|e| StoreError::Corrupt(format!("score: {e}")))?;
            rows.push((
                unit,
                score.total,
                *place,
                is_honoured,
                is_warned,
                notified,
                detail,
            ));
        }
        let run_id = write_tx!(self, tx => {
            sqlx::query(
                "DELETE FROM scores WHERE run_id IN (SELECT id FROM scoring_runs WHERE kind = $1 AND period_key = $2)",
            )
            .bind(kind.code())
            .bind(period.key())
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM scoring_runs WHERE kind = $1 AND period_key = $2")
                .bind(kind.code())
                .bind(period.key())
                .execute(&mut *tx)
                .await?;
            let run_id: i64 = sqlx::query_scalar(
                "INSERT INTO scoring_runs (kind, period_kind, period_key, period_start, period_end, scheme,
                    units, computed_at, computed_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) RETURNING id",
            )
            .bind(kind.code())
            .bind(period.kind.code())
            .bind(period.key())
            .bind(period.first_day())
            .bind(period.last_day())
            .bind(&scheme_json)
            .bind(count as i64)
            .bind(now)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            for (unit, total, place, is_honoured, is_warned, notified, detail) in &rows {
                sqlx::query(
                    "INSERT INTO scores (run_id, unit_id, unit_name, department_name, total, rank, honoured,
                        warned, notified, detail, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(run_id)
                .bind(unit.id)
                .bind(&unit.name)
                .bind(&unit.department_name)
                .bind(*total)
                .bind(i64::from(*place))
                .bind(*is_honoured)
                .bind(*is_warned)
                .bind(notified)
                .bind(detail)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            run_id
        });
        Ok(run_id)
    }

    /// Runs, newest period first.
    pub async fn scoring_runs(&self, kind: Option<UnitKind>) -> Result<Vec<ScoringRunRecord>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM scoring_runs WHERE ($1 = '' OR kind = $1)
             ORDER BY period_start DESC, period_kind, kind"
        );
        Ok(
            on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(kind.map_or("", |k| k.code()))
            .fetch_all(pool)
            .await?),
        )
    }

    /// A run with its scores, best first.
    pub async fn scoring_run(&self, id: i64) -> Result<(ScoringRunRecord, Vec<ScoreRecord>)> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM scoring_runs WHERE id = $1");
        let run: Option<ScoringRunRecord> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?);
        let run = run.ok_or(StoreError::NotFound)?;
        let sql = format!(
            "SELECT {SCORE_COLUMNS} FROM scores WHERE run_id = $1
             ORDER BY CASE WHEN rank = 0 THEN 1 ELSE 0 END, rank, unit_id"
        );
        let rows: Vec<ScoreRow> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_all(pool)
            .await?);
        let scores = rows
            .into_iter()
            .map(ScoreRecord::try_from)
            .collect::<Result<_>>()?;
        Ok((run, scores))
    }

    /// A unit's earlier scores of the same kind of period, newest first.
    pub async fn score_history(
        &self,
        kind: UnitKind,
        period_kind: PeriodKind,
        unit_id: i64,
        limit: i64,
    ) -> Result<Vec<ScoreHistory>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT r.id AS run_id, r.period_key, s.total, s.rank, r.units
             FROM scores s JOIN scoring_runs r ON r.id = s.run_id
             WHERE r.kind = $1 AND r.period_kind = $2 AND s.unit_id = $3
             ORDER BY r.period_start DESC LIMIT $4",
        )
        .bind(kind.code())
        .bind(period_kind.code())
        .bind(unit_id)
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }

    // ------------------------------------------------------------- explain

    /// What stands behind a metric of a unit in a period: the cases, ratings,
    /// complaints, orders or violations it was measured from (at most 500).
    // Each kind of row is read as a tuple of its few columns.
    #[allow(clippy::type_complexity)]
    pub async fn explain(
        &self,
        kind: UnitKind,
        period: Period,
        unit_id: i64,
        metric: Metric,
    ) -> Result<Vec<ExplainRow>> {
        use Metric::*;
        let (from, to) = (period.first_day(), period.last_day());
        let end = to.succ_opt().unwrap_or(to);
        let (ts_from, ts_to) = (day_start(from), day_start(end));
        let staff = kind == UnitKind::Staff;
        let acceptor = |case: &str| {
            format!(
                "(SELECT e.actor_user_id FROM case_events e WHERE e.case_id = {case} AND e.kind = 'accepted' ORDER BY e.seq LIMIT 1)"
            )
        };
        let case_unit = if staff {
            acceptor("k.id")
        } else {
            "k.department_id".into()
        };
        let case_link = |no: &str| format!("/desk/cases/{no}");
        let rows = match metric {
            OnTimeRate | TimeUsedRatio | OneVisitShare => {
                let sql = format!(
                    "SELECT k.case_no, k.item_name, k.concluded_at, k.due_date,
                        EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = k.id AND e.kind = 'correction_requested')
                     FROM cases k WHERE k.concluded_at >= $1 AND k.concluded_at < $2 AND {case_unit} = $3
                     ORDER BY k.concluded_at LIMIT 500"
                );
                let found: Vec<(String, String, DateTime<Utc>, Option<NaiveDate>, bool)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(ts_from).bind(ts_to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(no, item, at, due, noticed)| {
                        let done = beijing_date(at);
                        let late = due.is_some_and(|d| done > d);
                        let (detail, against) = if metric == OneVisitShare {
                            (
                                if noticed {
                                    "出具过一次性告知，未一次办成"
                                } else {
                                    "一次办成"
                                }
                                .to_string(),
                                noticed,
                            )
                        } else {
                            (
                                format!(
                                    "{} 办结，期限 {}{}",
                                    done,
                                    due.map_or("—".into(), |d| d.to_string()),
                                    if late { "，超期" } else { "" }
                                ),
                                late,
                            )
                        };
                        ExplainRow {
                            link: case_link(&no),
                            reference: no,
                            title: item,
                            detail,
                            against,
                        }
                    })
                    .collect()
            }
            ImmediateShare | OnlineShare | Workload => {
                let (from_sql, unit_sql) = if staff {
                    (
                        "FROM case_events e JOIN cases k ON k.id = e.case_id WHERE e.kind = 'accepted' AND e.at >= $1 AND e.at < $2 AND e.actor_user_id = $3",
                        "",
                    )
                } else {
                    (
                        "FROM cases k WHERE k.accepted_at >= $1 AND k.accepted_at < $2 AND k.department_id = $3",
                        "",
                    )
                };
                let sql = format!(
                    "SELECT k.case_no, k.item_name, k.case_kind, k.channel {from_sql}{unit_sql} ORDER BY k.id LIMIT 500"
                );
                let found: Vec<(String, String, String, String)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(ts_from).bind(ts_to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(no, item, case_kind, channel)| {
                        let immediate = case_kind == "immediate";
                        let online = channel == "online";
                        let detail = format!(
                            "{}，{}",
                            if immediate { "即办件" } else { "承诺件" },
                            if online {
                                "网上申报"
                            } else {
                                "窗口受理"
                            }
                        );
                        let against = match metric {
                            ImmediateShare => !immediate,
                            OnlineShare => !online,
                            _ => false,
                        };
                        ExplainRow {
                            link: case_link(&no),
                            reference: no,
                            title: item,
                            detail,
                            against,
                        }
                    })
                    .collect()
            }
            OverdueWarnings | StepOverBudget | YellowPer100 => {
                let rules = match metric {
                    OverdueWarnings => "'overdue', 'immediate_not_same_day'",
                    StepOverBudget => "'step_over_budget'",
                    _ => "'near_deadline'",
                };
                let unit_sql = if staff {
                    acceptor("w.case_id")
                } else {
                    "w.department_id".into()
                };
                let sql = format!(
                    "SELECT k.case_no, k.item_name, w.rule, w.since FROM warning_records w JOIN cases k ON k.id = w.case_id
                     WHERE w.since >= $1 AND w.since <= $2 AND w.rule IN ({rules}) AND {unit_sql} = $3
                     ORDER BY w.since, k.case_no LIMIT 500"
                );
                let found: Vec<(String, String, String, NaiveDate)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(from).bind(to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(no, item, rule, since)| ExplainRow {
                        link: case_link(&no),
                        reference: no,
                        title: item,
                        detail: format!(
                            "{}，自 {since}",
                            domain::supervision::WarningRule::parse(&rule)
                                .map_or("", |r| r.label())
                        ),
                        against: true,
                    })
                    .collect()
            }
            GoodRatingRate | RectificationRate | RectifiedOnTimeRate | UnratedRate | BadRatings => {
                let unit_sql = if staff {
                    "r.staff_user_id"
                } else {
                    "r.department_id"
                };
                let sql = format!(
                    "SELECT k.case_no, k.item_name, r.level, r.channel, f.status, f.due_date, f.closed_on
                     FROM ratings r JOIN cases k ON k.id = r.case_id LEFT JOIN rating_followups f ON f.rating_id = r.id
                     WHERE r.voided_at IS NULL AND r.rated_on >= $1 AND r.rated_on <= $2 AND {unit_sql} = $3
                     ORDER BY r.id LIMIT 500"
                );
                let found: Vec<(
                    String,
                    String,
                    i64,
                    String,
                    Option<String>,
                    Option<NaiveDate>,
                    Option<NaiveDate>,
                )> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(from).bind(to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(no, item, level, channel, status, due, closed)| {
                        let l = domain::rating::RatingLevel::from_number(level);
                        let bad = l.is_some_and(|l| l.is_bad());
                        let mut detail = format!(
                            "{}（{}）",
                            l.map_or("", |l| l.label()),
                            domain::rating::RatingChannel::parse(&channel)
                                .map_or("", |c| c.label())
                        );
                        if let Some(s) = status
                            .as_deref()
                            .and_then(domain::rating::FollowupStatus::parse)
                        {
                            detail.push_str(&format!("，整改：{}", s.label()));
                        }
                        let late = matches!((due, closed), (Some(d), Some(c)) if c > d);
                        let against = match metric {
                            RectificationRate => bad && status.as_deref() != Some("closed"),
                            RectifiedOnTimeRate => {
                                bad && (status.as_deref() != Some("closed") || late)
                            }
                            UnratedRate => false,
                            _ => bad,
                        };
                        ExplainRow {
                            link: case_link(&no),
                            reference: no,
                            title: item,
                            detail,
                            against,
                        }
                    })
                    .collect()
            }
            ComplaintsPer100
            | Complaints
            | ComplaintReplyOnTime
            | ComplaintSatisfaction
            | ComplaintsOverdue => {
                let unit_sql = if staff {
                    "c.staff_user_id"
                } else {
                    "c.department_id"
                };
                let period_sql = if metric == ComplaintsOverdue {
                    "c.due_date >= $1 AND c.due_date <= $2"
                } else {
                    "c.received_on >= $1 AND c.received_on <= $2"
                };
                let sql = format!(
                    "SELECT c.id, c.category, c.content, c.due_date, c.replied_on, c.satisfaction FROM complaints c
                     WHERE {period_sql} AND {unit_sql} = $3 ORDER BY c.id LIMIT 500"
                );
                let found: Vec<(
                    i64,
                    String,
                    String,
                    NaiveDate,
                    Option<NaiveDate>,
                    Option<String>,
                )> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(from).bind(to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(id, category, content, due, replied, satisfaction)| {
                        let cat = ComplaintCategory::parse(&category);
                        let late = replied.is_none_or(|r| r > due);
                        let against = match metric {
                            ComplaintReplyOnTime | ComplaintsOverdue => late,
                            ComplaintSatisfaction => {
                                satisfaction.as_deref() == Some("dissatisfied")
                            }
                            _ => cat.is_some_and(|c| c.is_complaint()),
                        };
                        let title: String = content.chars().take(40).collect();
                        ExplainRow {
                            reference: format!("诉求 {id}"),
                            link: format!("/supervision/complaints/{id}"),
                            title,
                            detail: format!(
                                "{}，期限 {due}，{}",
                                cat.map_or("", |c| c.label()),
                                replied.map_or("未答复".to_string(), |r| format!("{r} 答复"))
                            ),
                            against,
                        }
                    })
                    .collect()
            }
            CorrectionsIssued | CorrectionsOverdue => {
                let unit_sql = if staff {
                    acceptor("c.case_id")
                } else {
                    "c.department_id".into()
                };
                let when = if metric == CorrectionsIssued {
                    "c.issued_at"
                } else {
                    "c.escalated_at"
                };
                let sql = format!(
                    "SELECT c.id, c.reason, c.reply_due, c.status FROM corrections c
                     WHERE {when} >= $1 AND {when} < $2 AND {unit_sql} = $3 ORDER BY c.id LIMIT 500"
                );
                let found: Vec<(i64, String, NaiveDate, String)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(ts_from).bind(ts_to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(id, reason, due, status)| ExplainRow {
                        reference: format!("督办单 {id}"),
                        link: format!("/supervision/corrections/{id}"),
                        title: reason.chars().take(40).collect(),
                        detail: format!(
                            "答复期限 {due}，{}",
                            domain::supervision::CorrectionStatus::parse(&status)
                                .map_or("", |s| s.label())
                        ),
                        against: true,
                    })
                    .collect()
            }
            Violations => {
                let unit_sql = if staff {
                    acceptor("v.case_id")
                } else {
                    "v.department_id".into()
                };
                let sql = format!(
                    "SELECT v.id, k.case_no, v.rule, v.detail, v.status FROM violations v LEFT JOIN cases k ON k.id = v.case_id
                     WHERE v.occurred_on >= $1 AND v.occurred_on <= $2 AND v.status <> 'dismissed' AND {unit_sql} = $3
                     ORDER BY v.id LIMIT 500"
                );
                let found: Vec<(i64, Option<String>, String, String, String)> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(from).bind(to).bind(unit_id).fetch_all(pool).await?);
                found
                    .into_iter()
                    .map(|(id, no, rule, detail, _)| ExplainRow {
                        link: no.as_deref().map_or("/supervision".into(), case_link),
                        reference: no.unwrap_or_else(|| format!("违规 {id}")),
                        title: domain::supervision::ViolationRule::parse(&rule)
                            .map_or("", |r| r.label())
                            .into(),
                        detail,
                        against: true,
                    })
                    .collect()
            }
        };
        Ok(rows)
    }
}

fn display(u: &crate::User) -> String {
    if u.display_name.is_empty() {
        u.username.clone()
    } else {
        u.display_name.clone()
    }
}
