//! Report pages for staff (统计报表): 办件统计 (by department, item or month),
//! 好差评统计 and 投诉与诉求统计 over a period. Each has a period form, a link
//! to its Excel download (the API with `format=xlsx`) and prints without its
//! controls. The figures come from the same functions as the JSON API.

use super::{Chrome, PageError, PageResult, render};
use crate::api::ratings::{UnitFigures, figures, period};
use crate::api::reports::{
    case_report_title, load_case_report, load_complaint_report, stats_group,
};
use crate::auth::PageUser;
use crate::charts::percent;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use domain::access::Permission;
use domain::stats::{CaseFigures, ComplaintFigures, ComplaintStatsRow, StatsGroup, month_start};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(|| async { Redirect::to("/reports/cases") }))
        .route("/reports/cases", get(case_page))
        .route("/reports/ratings", get(rating_page))
        .route("/reports/complaints", get(complaint_page))
}

/// The query of every report page; the form sends empty strings.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ReportQuery {
    /// `month` (default), `last_month`, `year`, or a custom `from`/`to`.
    period: String,
    from: String,
    to: String,
    /// The case report's grouping.
    group: String,
}

/// The period form and links of a report page.
struct PeriodView {
    /// The page's path, e.g. `/reports/cases`.
    path: &'static str,
    /// `month`, `last_month`, `year` or `custom`.
    key: &'static str,
    from: NaiveDate,
    to: NaiveDate,
    /// Kept in the period links (the case report's grouping).
    extra: String,
    /// The case report's groupings (code, label) and the chosen one; empty
    /// on the other reports.
    groups: Vec<(&'static str, &'static str)>,
    group: &'static str,
    /// Why the asked period (or grouping) was not used.
    error: Option<String>,
}

impl PeriodView {
    fn resolve(path: &'static str, q: &ReportQuery, today: NaiveDate) -> Self {
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let this_month = (month_start(today), today);
        let (key, (from, to)) = match (parse(&q.from), parse(&q.to), q.period.as_str()) {
            (Some(f), Some(t), _) => ("custom", (f, t)),
            (_, _, "year") => (
                "year",
                (
                    NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                    today,
                ),
            ),
            (_, _, "last_month") => {
                let end = month_start(today).pred_opt().unwrap_or(today);
                ("last_month", (month_start(end), end))
            }
            _ => ("month", this_month),
        };
        let mut error = None;
        let (from, to) = match period(Some(from), Some(to), today) {
            Ok(p) => p,
            Err(e) => {
                error = Some(e.body().message);
                this_month
            }
        };
        if error.is_none()
            && (!q.from.trim().is_empty() || !q.to.trim().is_empty())
            && key != "custom"
        {
            error = Some("日期格式不正确，请选择开始日期和结束日期".into());
        }
        let key = if error.is_some() { "month" } else { key };
        Self {
            path,
            key,
            from,
            to,
            extra: String::new(),
            groups: Vec::new(),
            group: "",
            error,
        }
    }

    /// A link to this page for a named period.
    fn link(&self, period: &str) -> String {
        format!("{}?period={period}{}", self.path, self.extra)
    }

    /// The Excel download of the API path `api`.
    fn excel(&self, api: &str) -> String {
        format!(
            "{api}?from={}&to={}{}&format=xlsx",
            self.from, self.to, self.extra
        )
    }

    fn status(&self) -> StatusCode {
        if self.error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        }
    }
}

/// A rate for people: "96.7%", or "—" without a base.
fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".into(), percent)
}

// ------------------------------------------------------------------- cases

#[derive(Template)]
#[template(path = "reports/cases.html")]
struct CasePage {
    chrome: Chrome,
    p: PeriodView,
    tab: &'static str,
    group: &'static str,
    group_name: &'static str,
    unit: &'static str,
    title: String,
    rows: Vec<CaseLine>,
    total: CaseLine,
}

struct CaseLine {
    name: String,
    department: String,
    accepted: i64,
    immediate: i64,
    immediate_share: String,
    online: i64,
    online_share: String,
    concluded: i64,
    on_time: i64,
    on_time_rate: String,
    average_days: String,
}

impl CaseLine {
    fn new(name: String, department: String, f: &CaseFigures) -> Self {
        Self {
            name,
            department,
            accepted: f.accepted,
            immediate: f.immediate,
            immediate_share: rate(f.immediate_share()),
            online: f.online,
            online_share: rate(f.online_share()),
            concluded: f.concluded,
            on_time: f.on_time,
            on_time_rate: rate(f.on_time_rate()),
            average_days: f
                .average_working_days()
                .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
        }
    }
}

/// 办件统计: cases accepted and concluded in a period, by department, item
/// or month.
async fn case_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    user.grant(Permission::ViewReports)?;
    let mut p = PeriodView::resolve("/reports/cases", &q, state.clock.today());
    let group = match stats_group(Some(&q.group)) {
        Ok(g) => g,
        Err(e) => {
            p.error.get_or_insert(e.body().message);
            StatsGroup::Department
        }
    };
    p.extra = format!("&group={}", group.code());
    p.groups = StatsGroup::ALL
        .iter()
        .map(|g| (g.code(), g.label()))
        .collect();
    p.group = group.code();
    let stats = load_case_report(&state, &user, p.from, p.to, group).await?;
    let page = CasePage {
        chrome: Chrome::new(&state, Some(&user), "办件统计", "report-cases").await,
        tab: "cases",
        group: group.code(),
        group_name: group.label(),
        unit: match group {
            StatsGroup::Department => "部门",
            StatsGroup::Item => "事项",
            StatsGroup::Month => "月份",
        },
        title: case_report_title(&stats),
        rows: stats
            .rows
            .iter()
            .map(|r| CaseLine::new(r.name.clone(), r.department.clone(), &r.figures))
            .collect(),
        total: CaseLine::new("合计".into(), String::new(), &stats.total),
        p,
    };
    Ok((page.p.status(), render(&page)?).into_response())
}

// ----------------------------------------------------------------- ratings

#[derive(Template)]
#[template(path = "reports/ratings.html")]
struct RatingPage {
    chrome: Chrome,
    p: PeriodView,
    tab: &'static str,
    total: RatingLine,
    departments: Vec<RatingLine>,
    staff: Vec<RatingLine>,
}

struct RatingLine {
    name: String,
    department_name: String,
    cases: i64,
    ratings: i64,
    good: i64,
    bad: i64,
    rectified: i64,
    good_rate: String,
    rectification_rate: String,
    unrated_rate: String,
}

impl From<&UnitFigures> for RatingLine {
    fn from(u: &UnitFigures) -> Self {
        Self {
            name: u.name.clone(),
            department_name: u.department_name.clone(),
            cases: u.cases,
            ratings: u.ratings,
            good: u.good,
            bad: u.bad,
            rectified: u.rectified,
            good_rate: rate(u.good_rate),
            rectification_rate: rate(u.rectification_rate),
            unrated_rate: rate(u.unrated_rate),
        }
    }
}

/// 好差评统计: the rating figures per department and window staff member.
async fn rating_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    user.grant(Permission::ViewReports)?;
    let p = PeriodView::resolve("/reports/ratings", &q, state.clock.today());
    let f = figures(&state, p.from, p.to).await?;
    let page = RatingPage {
        chrome: Chrome::new(&state, Some(&user), "好差评统计", "report-ratings").await,
        tab: "ratings",
        total: (&f.total).into(),
        departments: f.departments.iter().map(RatingLine::from).collect(),
        staff: f.staff.iter().map(RatingLine::from).collect(),
        p,
    };
    Ok((page.p.status(), render(&page)?).into_response())
}

// -------------------------------------------------------------- complaints

#[derive(Template)]
#[template(path = "reports/complaints.html")]
struct ComplaintPage {
    chrome: Chrome,
    p: PeriodView,
    tab: &'static str,
    total: ComplaintLine,
    by_category: Vec<ComplaintLine>,
    by_department: Vec<ComplaintLine>,
}

impl ComplaintPage {
    /// The two tables: (anchor, heading, unit column, lines).
    fn tables(&self) -> [(&'static str, &'static str, &'static str, &[ComplaintLine]); 2] {
        [
            ("h-category", "按类别", "类别", &self.by_category),
            (
                "h-department",
                "按承办部门",
                "承办部门",
                &self.by_department,
            ),
        ]
    }
}

struct ComplaintLine {
    name: String,
    received: i64,
    answered: i64,
    answer_rate: String,
    answered_on_time: i64,
    on_time_rate: String,
    overdue_open: i64,
    satisfied: i64,
    basic: i64,
    dissatisfied: i64,
    satisfaction_rate: String,
}

impl ComplaintLine {
    fn new(name: String, f: &ComplaintFigures) -> Self {
        Self {
            name,
            received: f.received,
            answered: f.answered,
            answer_rate: rate(f.answer_rate()),
            answered_on_time: f.answered_on_time,
            on_time_rate: rate(f.on_time_rate()),
            overdue_open: f.overdue_open,
            satisfied: f.satisfied,
            basic: f.basic,
            dissatisfied: f.dissatisfied,
            satisfaction_rate: rate(f.satisfaction_rate()),
        }
    }
}

fn complaint_lines(rows: &[ComplaintStatsRow]) -> Vec<ComplaintLine> {
    rows.iter()
        .map(|r| ComplaintLine::new(r.name.clone(), &r.figures))
        .collect()
}

/// 投诉与诉求统计: complaints received in a period, by category and by
/// department.
async fn complaint_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    user.grant(Permission::ViewReports)?;
    let p = PeriodView::resolve("/reports/complaints", &q, state.clock.today());
    let stats = load_complaint_report(&state, &user, p.from, p.to).await?;
    let page = ComplaintPage {
        chrome: Chrome::new(&state, Some(&user), "投诉与诉求统计", "report-complaints").await,
        tab: "complaints",
        total: ComplaintLine::new("合计".into(), &stats.total),
        by_category: complaint_lines(&stats.by_category),
        by_department: complaint_lines(&stats.by_department),
        p,
    };
    Ok((page.p.status(), render(&page)?).into_response())
}
