//! The leaders' big screen (领导大屏) as JSON: today's cases, this month's
//! on-time rate and 好评率, the current warnings, the departments' ranking
//! and the last 30 days' trend. The page `/dashboard` draws the same figures.
//!
//! Only counts and department names: no applicant, no staff member, no
//! number that leads to a person.

use crate::auth::{ApiUser, AuthUser};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::access::Permission;
use domain::stats::{CaseFigures, DayCount, month_start};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// How many departments the ranking shows.
pub const RANKING_SIZE: usize = 10;
/// How many days the trend shows, today included.
pub const TREND_DAYS: u64 = 30;

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    /// Today in Beijing time.
    pub today: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub cases_today: CasesToday,
    pub month: MonthFigures,
    /// This month's ratings (好差评).
    pub satisfaction: Satisfaction,
    /// Current warnings (red and yellow, cases and follow-ups and violations).
    pub warnings: Warnings,
    /// Up to ten departments by this month's on-time rate (then by volume);
    /// departments without a case concluded this month come last.
    pub ranking: Vec<RankedDepartment>,
    /// Cases accepted and concluded on each of the last 30 days, oldest first.
    pub trend: Vec<TrendDay>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasesToday {
    pub accepted: i64,
    pub concluded: i64,
    /// Accepted and not yet concluded (handled, suspended or waiting for
    /// corrections), whenever they were accepted.
    pub in_progress: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthFigures {
    /// The first day of this month.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub accepted: i64,
    pub concluded: i64,
    pub on_time: i64,
    /// 0–1; null when nothing was concluded.
    pub on_time_rate: Option<f64>,
    pub average_working_days: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Satisfaction {
    /// Valid ratings given this month.
    pub ratings: i64,
    pub good: i64,
    /// 好评率 (0–1); null without ratings.
    pub good_rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Warnings {
    pub red: i64,
    pub yellow: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankedDepartment {
    pub department_id: i64,
    /// The department's short name.
    pub name: String,
    pub accepted: i64,
    pub concluded: i64,
    pub on_time: i64,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendDay {
    pub day: NaiveDate,
    pub accepted: i64,
    pub concluded: i64,
}

impl From<DayCount> for TrendDay {
    fn from(d: DayCount) -> Self {
        Self {
            day: d.day,
            accepted: d.accepted,
            concluded: d.concluded,
        }
    }
}

/// The figures of the big screen, for the caller's scope (a department's
/// staff see their own department).
pub(crate) async fn load_dashboard(state: &AppState, user: &AuthUser) -> AppResult<Dashboard> {
    let grant = user.grant(Permission::ViewReports)?;
    let center = crate::api::calendar::home_center_id(state).await?;
    let today = state.clock.today();
    let store = &state.store;

    // The month by department and the 30-day trend are sums of days; past
    // days are computed once per process, today is read live.
    let in_progress = store.cases_in_progress(&grant, center).await?;
    let first = month_start(today);
    let trend_from = today
        .checked_sub_days(Days::new(TREND_DAYS - 1))
        .unwrap_or(today);
    let days = store
        .daily_figures(&grant, center, first.min(trend_from), today, today)
        .await?;
    let mut by_department: std::collections::BTreeMap<i64, CaseFigures> = Default::default();
    let mut month_total = CaseFigures::default();
    let mut today_total = CaseFigures::default();
    let mut trend = Vec::new();
    for (day, figures) in &days {
        let mut all = CaseFigures::default();
        for (department, f) in figures {
            all.add(f);
            if *day >= first {
                by_department.entry(*department).or_default().add(f);
            }
        }
        if *day >= first {
            month_total.add(&all);
        }
        if *day == today {
            today_total = all;
        }
        if *day >= trend_from {
            trend.push(DayCount {
                day: *day,
                accepted: all.accepted,
                concluded: all.concluded,
            });
        }
    }

    let scope = grant.scope();
    let mut ratings = 0;
    let mut good = 0;
    for (department, g) in store.given_ratings(center, first, today, today).await? {
        if scope.covers(department) {
            ratings += g.ratings;
            good += g.good;
        }
    }
    // Every staff role may see the warnings; should one not, the big screen
    // shows none rather than failing.
    let (mut red, mut yellow) = (0, 0);
    if let Ok(watch) = user.grant(Permission::ViewSupervision) {
        for w in store.warning_counts(&watch, today).await? {
            red += w.red;
            yellow += w.yellow;
        }
    }

    let mut ranking = Vec::new();
    for (id, f) in by_department
        .iter()
        .filter(|(_, f)| f.accepted + f.concluded > 0)
    {
        let name = match store.department(*id).await? {
            Some(d) if !d.short_name.trim().is_empty() => d.short_name,
            Some(d) => d.name,
            None => continue,
        };
        ranking.push(RankedDepartment {
            department_id: *id,
            name,
            accepted: f.accepted,
            concluded: f.concluded,
            on_time: f.on_time,
            on_time_rate: f.on_time_rate(),
        });
    }
    ranking.sort_by(|a, b| {
        // Rated ones first, best rate first; then by volume.
        let rate = |r: &RankedDepartment| r.on_time_rate.unwrap_or(-1.0);
        rate(b)
            .total_cmp(&rate(a))
            .then(b.concluded.cmp(&a.concluded))
            .then(b.accepted.cmp(&a.accepted))
            .then(a.department_id.cmp(&b.department_id))
    });
    ranking.truncate(RANKING_SIZE);

    Ok(Dashboard {
        today,
        generated_at: state.clock.now(),
        cases_today: CasesToday {
            accepted: today_total.accepted,
            concluded: today_total.concluded,
            in_progress,
        },
        month: MonthFigures {
            from: first,
            to: today,
            accepted: month_total.accepted,
            concluded: month_total.concluded,
            on_time: month_total.on_time,
            on_time_rate: month_total.on_time_rate(),
            average_working_days: month_total.average_working_days(),
        },
        satisfaction: Satisfaction {
            ratings,
            good,
            good_rate: (ratings > 0).then(|| good as f64 / ratings as f64),
        },
        warnings: Warnings { red, yellow },
        ranking,
        trend: trend.into_iter().map(TrendDay::from).collect(),
    })
}

/// The leaders' big screen's figures (领导大屏): today's cases, this month's
/// on-time rate and 好评率, current warnings, the top ten departments by
/// on-time rate, and the last 30 days' accepted and concluded cases.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "reports",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn dashboard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(load_dashboard(&state, &user).await?))
}
