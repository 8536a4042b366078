//! Statistics for the reports and the leaders' big screen (统计报表、领导大屏):
//! cases accepted and concluded over a period of Beijing days, by department,
//! item or month; today's and the last days' counts; complaints by category
//! and department.
//!
//! Every query is a range on an indexed column: `accepted_at`
//! (`cases_by_accepted`), `concluded_at` (`cases_by_concluded`, a partial
//! index of concluded cases), complaints' `received_on`. Counting by day or
//! month without the dialects' date functions joins the cases to a small
//! `VALUES` list of day boundaries, so each bucket is one index range. The
//! working days a concluded case used are counted in Rust with the center's
//! calendar (`domain::stats`), the way its due date was.

use crate::ratings::day_start;
use crate::{Result, Store, StoreError, on_db};
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::complaint::{ComplaintCategory, Satisfaction};
use domain::stats::{
    CaseFigures, CaseStats, CaseStatsRow, ComplaintFigures, ComplaintStats, ComplaintStatsRow,
    ConcludedCase, DayCount, StatsGroup, month_key, month_label, months,
};
use domain::supervision::beijing_date;
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, HashMap};

/// The most buckets (days or months) one bucketed query counts.
const MAX_BUCKETS: usize = 400;

/// One day's case figures per department.
pub type DayFigures = HashMap<i64, CaseFigures>;

/// Settled days' figures per center and day. A day before today is settled:
/// a case's acceptance and conclusion days never change once they are past
/// (nor does a rating's day or level), so the big screen computes each past
/// day once and reads only today live.
#[derive(Debug, Clone)]
pub(crate) struct SettledDays<T>(std::sync::Arc<std::sync::RwLock<SettledMap<T>>>);

type SettledMap<T> = HashMap<(i64, NaiveDate), std::sync::Arc<T>>;

/// Settled days' case figures per department.
pub(crate) type DayFiguresCache = SettledDays<DayFigures>;

impl<T> Default for SettledDays<T> {
    fn default() -> Self {
        SettledDays(Default::default())
    }
}

impl<T> SettledDays<T> {
    pub(crate) fn get(&self, center_id: i64, day: NaiveDate) -> Option<std::sync::Arc<T>> {
        self.0
            .read()
            .expect("settled days poisoned")
            .get(&(center_id, day))
            .cloned()
    }

    pub(crate) fn put(&self, center_id: i64, day: NaiveDate, figures: T) {
        self.0
            .write()
            .expect("settled days poisoned")
            .insert((center_id, day), std::sync::Arc::new(figures));
    }

    pub(crate) fn forget(&self, center_id: i64) {
        self.0
            .write()
            .expect("settled days poisoned")
            .retain(|(c, _), _| *c != center_id);
    }
}

#[derive(sqlx::FromRow)]
struct AcceptedCase {
    department_id: i64,
    accepted_at: DateTime<Utc>,
    case_kind: String,
    channel: String,
}

impl Store {
    /// The case report of a center over the Beijing days `from..=to`: cases
    /// accepted in the period (with the on-the-spot and online ones among
    /// them) and cases concluded in it (on time, working days used), one line
    /// per department (every department of the center), per item (items with
    /// cases in the period) or per month. A department's staff see their own
    /// department's cases only.
    pub async fn case_stats(
        &self,
        grant: &Grant,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        group: StatsGroup,
    ) -> Result<CaseStats> {
        let scope = Scope::of(grant, center_id)?;
        let calendar = self.calendar(center_id).await?;
        let departments = self.stats_departments(&scope).await?;
        let concluded = self.concluded_cases(&scope, from, to).await?;
        let rows = match group {
            StatsGroup::Department => {
                let mut by: HashMap<i64, CaseFigures> = HashMap::new();
                for a in self.accepted_by(&scope, from, to, Key::Department).await? {
                    a.fill(by.entry(a.key).or_default());
                }
                for c in &concluded {
                    by.entry(c.department_id)
                        .or_default()
                        .count_conclusion(&calendar, &c.case());
                }
                departments
                    .iter()
                    .map(|(id, name)| CaseStatsRow {
                        key: id.to_string(),
                        name: name.clone(),
                        department: name.clone(),
                        figures: by.remove(id).unwrap_or_default(),
                    })
                    .collect()
            }
            StatsGroup::Item => {
                // (department's place in the list, item id) keeps a
                // department's items together, in the departments' order.
                let place: HashMap<i64, usize> = departments
                    .iter()
                    .enumerate()
                    .map(|(i, (id, _))| (*id, i))
                    .collect();
                let mut by: ItemLines = BTreeMap::new();
                for a in self.accepted_by(&scope, from, to, Key::Item).await? {
                    a.fill(item_line(&mut by, &place, a.department_id, a.key, &a.name));
                }
                for c in &concluded {
                    item_line(&mut by, &place, c.department_id, c.item_id, &c.item_name)
                        .count_conclusion(&calendar, &c.case());
                }
                let names: HashMap<i64, &str> = departments
                    .iter()
                    .map(|(id, name)| (*id, name.as_str()))
                    .collect();
                by.into_iter()
                    .map(
                        |((_, item_id), (department_id, name, figures))| CaseStatsRow {
                            key: item_id.to_string(),
                            name,
                            department: names.get(&department_id).copied().unwrap_or("").into(),
                            figures,
                        },
                    )
                    .collect()
            }
            StatsGroup::Month => {
                let slices = months(from, to);
                let accepted = self
                    .bucket_counts(&scope, Column::Accepted, &slices)
                    .await?;
                let mut rows: Vec<CaseStatsRow> = slices
                    .iter()
                    .zip(accepted)
                    .map(|((start, _), a)| CaseStatsRow {
                        key: month_key(*start),
                        name: month_label(*start),
                        department: String::new(),
                        figures: CaseFigures {
                            accepted: a.cases,
                            immediate: a.immediate,
                            online: a.online,
                            ..Default::default()
                        },
                    })
                    .collect();
                let at: HashMap<String, usize> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.key.clone(), i))
                    .collect();
                for c in &concluded {
                    let case = c.case();
                    if let Some(&i) = at.get(&month_key(case.concluded_on)) {
                        rows[i].figures.count_conclusion(&calendar, &case);
                    }
                }
                rows
            }
        };
        Ok(CaseStats::new(from, to, group, rows))
    }

    /// Cases accepted and concluded on each Beijing day of `from..=to` (at
    /// most [`MAX_BUCKETS`] days), for the big screen's trend.
    pub async fn daily_case_counts(
        &self,
        grant: &Grant,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayCount>> {
        let scope = Scope::of(grant, center_id)?;
        let days: Vec<(NaiveDate, NaiveDate)> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .take(MAX_BUCKETS)
            .map(|d| (d, d))
            .collect();
        let accepted = self.bucket_counts(&scope, Column::Accepted, &days).await?;
        let concluded = self.bucket_counts(&scope, Column::Concluded, &days).await?;
        Ok(days
            .iter()
            .zip(accepted.iter().zip(&concluded))
            .map(|((day, _), (a, c))| DayCount {
                day: *day,
                accepted: a.cases,
                concluded: c.cases,
            })
            .collect())
    }

    /// Cases accepted and still running: being handled, suspended, or waiting
    /// for the applicant's corrections after acceptance.
    pub async fn cases_in_progress(&self, grant: &Grant, center_id: i64) -> Result<i64> {
        let scope = Scope::of(grant, center_id)?;
        Ok(on_db!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases
             WHERE status IN ('accepted', 'suspended', 'awaiting_correction')
               AND accepted_at IS NOT NULL AND center_id = $1 AND ($2 = 0 OR department_id = $2)",
        )
        .bind(scope.center_id)
        .bind(scope.department)
        .fetch_one(pool)
        .await?))
    }

    /// The complaint report of a center: complaints received on the Beijing
    /// days `from..=to`, by category (every category) and by the department
    /// they are assigned to (every department, and one line for those not yet
    /// assigned when there are any). `today` decides which open ones are
    /// overdue. A department's staff see their own department's complaints.
    pub async fn complaint_stats(
        &self,
        grant: &Grant,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<ComplaintStats> {
        let scope = Scope::of(grant, center_id)?;
        let departments = self.stats_departments(&scope).await?;
        let rows: Vec<ComplaintRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT category, department_id, COUNT(*) AS received,
                    COUNT(*) FILTER (WHERE replied_on IS NOT NULL) AS answered,
                    COUNT(*) FILTER (WHERE replied_on <= due_date) AS answered_on_time,
                    COUNT(*) FILTER (WHERE open_due < $5) AS overdue_open,
                    COUNT(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
                    COUNT(*) FILTER (WHERE satisfaction = 'basic') AS basic,
                    COUNT(*) FILTER (WHERE satisfaction = 'dissatisfied') AS dissatisfied
             FROM complaints
             WHERE received_on >= $3 AND received_on <= $4 AND center_id = $1
               AND ($2 = 0 OR department_id = $2)
             GROUP BY category, department_id",
        )
        .bind(scope.center_id)
        .bind(scope.department)
        .bind(from)
        .bind(to)
        .bind(today)
        .fetch_all(pool)
        .await?);
        let mut by_category: HashMap<String, ComplaintFigures> = HashMap::new();
        let mut by_department: HashMap<Option<i64>, ComplaintFigures> = HashMap::new();
        for r in &rows {
            let f = r.figures();
            by_category.entry(r.category.clone()).or_default().add(&f);
            by_department.entry(r.department_id).or_default().add(&f);
        }
        let categories = ComplaintCategory::ALL
            .iter()
            .map(|c| ComplaintStatsRow {
                key: c.code().into(),
                name: c.label().into(),
                figures: by_category.remove(c.code()).unwrap_or_default(),
            })
            .collect();
        let mut lines: Vec<ComplaintStatsRow> = departments
            .iter()
            .map(|(id, name)| ComplaintStatsRow {
                key: id.to_string(),
                name: name.clone(),
                figures: by_department.remove(&Some(*id)).unwrap_or_default(),
            })
            .collect();
        if let Some(f) = by_department.remove(&None) {
            lines.push(ComplaintStatsRow {
                key: "none".into(),
                name: "未交办".into(),
                figures: f,
            });
        }
        let mut total = ComplaintFigures::default();
        for r in &rows {
            total.add(&r.figures());
        }
        Ok(ComplaintStats {
            from,
            to,
            by_category: categories,
            by_department: lines,
            total,
        })
    }

    /// Case figures per department for each Beijing day of `from..=to` (at
    /// most [`MAX_BUCKETS`] days), for the big screen: the month by
    /// department and the trend are sums of days. Days before `today` are
    /// computed once per process and kept (see [`DayFiguresCache`]); today is
    /// read every time. A department's staff get their own department only.
    pub async fn daily_figures(
        &self,
        grant: &Grant,
        center_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>> {
        let scope = Scope::of(grant, center_id)?;
        let days: Vec<NaiveDate> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .take(MAX_BUCKETS)
            .collect();
        let cache = &self.calendars.days;
        let missing: Vec<NaiveDate> = days
            .iter()
            .copied()
            .filter(|d| *d >= today || cache.get(center_id, *d).is_none())
            .collect();
        let mut fresh: BTreeMap<NaiveDate, DayFigures> = BTreeMap::new();
        if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
            let whole = Scope {
                center_id,
                department: 0,
            };
            let (start, end) = bounds(*first, *last);
            let accepted: Vec<AcceptedCase> = on_db!(self, pool => sqlx::query_as(
                "SELECT department_id, accepted_at, case_kind, channel FROM cases
                 WHERE accepted_at >= $2 AND accepted_at < $3 AND center_id = $1",
            )
            .bind(center_id)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await?);
            for d in &missing {
                fresh.insert(*d, HashMap::new());
            }
            for a in accepted {
                if let Some(day) = fresh.get_mut(&beijing_date(a.accepted_at)) {
                    let f = day.entry(a.department_id).or_default();
                    f.accepted += 1;
                    f.immediate += i64::from(a.case_kind == "immediate");
                    f.online += i64::from(a.channel == "online");
                }
            }
            let calendar = self.calendar(center_id).await?;
            for c in self.concluded_cases(&whole, *first, *last).await? {
                let case = c.case();
                if let Some(day) = fresh.get_mut(&case.concluded_on) {
                    day.entry(c.department_id)
                        .or_default()
                        .count_conclusion(&calendar, &case);
                }
            }
            for (day, figures) in &fresh {
                if *day < today {
                    cache.put(center_id, *day, figures.clone());
                }
            }
        }
        Ok(days
            .into_iter()
            .map(|d| {
                let all = match fresh.remove(&d) {
                    Some(f) => f,
                    None => cache
                        .get(center_id, d)
                        .map(|f| (*f).clone())
                        .unwrap_or_default(),
                };
                let mine = if scope.department == 0 {
                    all
                } else {
                    all.into_iter()
                        .filter(|(k, _)| *k == scope.department)
                        .collect()
                };
                (d, mine)
            })
            .collect())
    }

    // ------------------------------------------------------------- helpers

    /// The departments a report lists, in their order.
    async fn stats_departments(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT id, name FROM departments WHERE center_id = $1 AND ($2 = 0 OR id = $2) ORDER BY id",
        )
        .bind(scope.center_id)
        .bind(scope.department)
        .fetch_all(pool)
        .await?))
    }

    /// Cases accepted in the period, counted per department or per item.
    async fn accepted_by(
        &self,
        scope: &Scope,
        from: NaiveDate,
        to: NaiveDate,
        key: Key,
    ) -> Result<Vec<AcceptedRow>> {
        let (select, group) = match key {
            Key::Department => (
                "department_id AS key, department_id, '' AS name",
                "department_id",
            ),
            Key::Item => (
                "item_id AS key, department_id, MAX(item_name) AS name",
                "item_id, department_id",
            ),
        };
        let sql = format!(
            "SELECT {select}, COUNT(*) AS accepted,
                    COUNT(*) FILTER (WHERE case_kind = 'immediate') AS immediate,
                    COUNT(*) FILTER (WHERE channel = 'online') AS online
             FROM cases
             WHERE accepted_at >= $3 AND accepted_at < $4 AND center_id = $1
               AND ($2 = 0 OR department_id = $2)
             GROUP BY {group}"
        );
        let (start, end) = bounds(from, to);
        Ok(
            on_db!(self, pool => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(scope.center_id)
            .bind(scope.department)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The cases concluded in the period, with what their figures need.
    async fn concluded_cases(
        &self,
        scope: &Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ConcludedRow>> {
        let (start, end) = bounds(from, to);
        Ok(on_db!(self, pool => sqlx::query_as(
            "SELECT department_id, item_id, item_name, accepted_at, concluded_at, due_date,
                    paused_working_days
             FROM cases
             WHERE concluded_at >= $3 AND concluded_at < $4 AND center_id = $1
               AND ($2 = 0 OR department_id = $2)",
        )
        .bind(scope.center_id)
        .bind(scope.department)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await?))
    }

    /// Cases counted by the Beijing days `slices` (each `first..=last`) of
    /// their acceptance or conclusion, one answer per slice in order. The
    /// slices become a `VALUES` list joined to the cases, so each is one
    /// range of the column's index.
    async fn bucket_counts(
        &self,
        scope: &Scope,
        column: Column,
        slices: &[(NaiveDate, NaiveDate)],
    ) -> Result<Vec<BucketCount>> {
        if slices.is_empty() {
            return Ok(Vec::new());
        }
        if slices.len() > MAX_BUCKETS {
            return Err(StoreError::conflict(
                "period.too_long",
                Some("from"),
                "统计期间过长",
            ));
        }
        let values: Vec<String> = (0..slices.len())
            .map(|i| format!("(${}, ${}, CAST({i} AS BIGINT))", 3 + 2 * i, 4 + 2 * i))
            .collect();
        let column = match column {
            Column::Accepted => "accepted_at",
            Column::Concluded => "concluded_at",
        };
        let sql = format!(
            "SELECT b.column3 AS bucket, COUNT(*) AS cases,
                    COUNT(*) FILTER (WHERE k.case_kind = 'immediate') AS immediate,
                    COUNT(*) FILTER (WHERE k.channel = 'online') AS online
             FROM (VALUES {}) AS b
             JOIN cases k ON k.{column} >= b.column1 AND k.{column} < b.column2
             WHERE k.center_id = $1 AND ($2 = 0 OR k.department_id = $2)
             GROUP BY b.column3",
            values.join(", ")
        );
        let found: Vec<BucketCount> = on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, BucketCount>(AssertSqlSafe(sql.as_str()))
                .bind(scope.center_id)
                .bind(scope.department);
            for (first, last) in slices {
                let (start, end) = bounds(*first, *last);
                q = q.bind(start).bind(end);
            }
            q.fetch_all(pool).await?
        });
        let mut out: Vec<BucketCount> = (0..slices.len())
            .map(|i| BucketCount {
                bucket: i as i64,
                ..Default::default()
            })
            .collect();
        for b in found {
            if let Some(slot) = usize::try_from(b.bucket).ok().and_then(|i| out.get_mut(i)) {
                *slot = b;
            }
        }
        Ok(out)
    }
}

/// Whose cases a statistic counts: a center, and one department of it for a
/// department's staff (0: all).
struct Scope {
    center_id: i64,
    department: i64,
}

impl Scope {
    fn of(grant: &Grant, center_id: i64) -> Result<Scope> {
        if grant.permission() != Permission::ViewReports {
            return Err(StoreError::conflict(
                "auth.forbidden",
                None,
                "没有查看统计报表的权限",
            ));
        }
        Ok(Scope {
            center_id,
            department: grant.scope().department().unwrap_or(0),
        })
    }
}

#[derive(Clone, Copy)]
enum Key {
    Department,
    Item,
}

#[derive(Clone, Copy)]
enum Column {
    Accepted,
    Concluded,
}

/// Items' lines by (their department's place in the list, item id), with
/// their department's id and the item's name.
type ItemLines = BTreeMap<(usize, i64), (i64, String, CaseFigures)>;

fn item_line<'a>(
    lines: &'a mut ItemLines,
    place: &HashMap<i64, usize>,
    department_id: i64,
    item_id: i64,
    name: &str,
) -> &'a mut CaseFigures {
    let at = place.get(&department_id).copied().unwrap_or(usize::MAX);
    &mut lines
        .entry((at, item_id))
        .or_insert_with(|| (department_id, name.to_string(), CaseFigures::default()))
        .2
}

/// The instants a period of Beijing days starts and ends (exclusive).
fn bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    (day_start(from), day_start(to.succ_opt().unwrap_or(to)))
}

#[derive(sqlx::FromRow)]
struct AcceptedRow {
    key: i64,
    department_id: i64,
    name: String,
    accepted: i64,
    immediate: i64,
    online: i64,
}

impl AcceptedRow {
    fn fill(&self, f: &mut CaseFigures) {
        f.accepted += self.accepted;
        f.immediate += self.immediate;
        f.online += self.online;
    }
}

#[derive(sqlx::FromRow)]
struct ConcludedRow {
    department_id: i64,
    item_id: i64,
    item_name: String,
    accepted_at: Option<DateTime<Utc>>,
    concluded_at: DateTime<Utc>,
    due_date: Option<NaiveDate>,
    paused_working_days: i64,
}

impl ConcludedRow {
    fn case(&self) -> ConcludedCase {
        let concluded_on = beijing_date(self.concluded_at);
        ConcludedCase {
            accepted_on: self.accepted_at.map_or(concluded_on, beijing_date),
            concluded_on,
            due_date: self.due_date,
            paused_working_days: u32::try_from(self.paused_working_days).unwrap_or(0),
        }
    }
}

#[derive(Debug, Default, sqlx::FromRow)]
struct BucketCount {
    bucket: i64,
    cases: i64,
    immediate: i64,
    online: i64,
}

#[derive(sqlx::FromRow)]
struct ComplaintRow {
    category: String,
    department_id: Option<i64>,
    received: i64,
    answered: i64,
    answered_on_time: i64,
    overdue_open: i64,
    satisfied: i64,
    basic: i64,
    dissatisfied: i64,
}

impl ComplaintRow {
    fn figures(&self) -> ComplaintFigures {
        ComplaintFigures {
            received: self.received,
            answered: self.answered,
            answered_on_time: self.answered_on_time,
            overdue_open: self.overdue_open,
            satisfied: self.satisfied,
            basic: self.basic,
            dissatisfied: self.dissatisfied,
        }
    }
}

// `Satisfaction`'s codes are the ones counted above; a new level would need a
// column here and in the report.
const _: () = assert!(Satisfaction::ALL.len() == 3);
