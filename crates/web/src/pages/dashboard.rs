//! The leaders' big screen (领导大屏) `/dashboard`: a standalone dark page for
//! a 1920×1080 screen in the hall or the leaders' office, without the site's
//! header. Today's cases, this month's on-time rate and 好评率 as rings, the
//! current warnings, the departments' ranking as bars and the last 30 days as
//! lines — all drawn on the server as inline SVG (`crate::charts`). A small
//! script (`static/dashboard.js`) fetches the page every minute and swaps in
//! the new figures, keeping the last ones on screen when the server cannot be
//! reached.
//!
//! Only counts and department names are shown: no personal data.

use super::{PageResult, render};
use crate::api::dashboard::{Dashboard, TREND_DAYS, load_dashboard};
use crate::auth::PageUser;
use crate::charts::{self, Bar, BarChart, Gauge, LineChart, Series, percent};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, Weekday};

pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

/// Seconds between two refreshes of the screen.
const REFRESH_SECONDS: u32 = 60;

/// The colours of the charts; dashboard.css uses the same, each with at least
/// 3:1 contrast against the panels (WCAG 1.4.11), text with at least 4.5:1.
const ACCEPTED: &str = "#5cc8ff";
const CONCLUDED: &str = "#7ee2a8";
const RANKING: &str = "#ffd166";

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    center_name: String,
    /// 2026年9月30日 星期三
    date_text: String,
    /// The time the figures were read, 09:00.
    time_text: String,
    simulated: bool,
    refresh_seconds: u32,
    month_text: String,
    d: Dashboard,
    on_time_gauge: String,
    good_gauge: String,
    ranking_chart: String,
    trend_chart: String,
}

async fn dashboard(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> PageResult<Response> {
    let d = load_dashboard(&state, &user).await?;
    // A page must render even when the center cannot be read.
    let center_name = state
        .store
        .home_center()
        .await
        .ok()
        .flatten()
        .map_or_else(|| "政务服务中心".into(), |c| c.name);
    let now = state.clock.now_local();
    let month_text = format!("{}月", d.today.month());
    let page = DashboardPage {
        center_name,
        date_text: format!(
            "{}年{}月{}日 {}",
            d.today.year(),
            d.today.month(),
            d.today.day(),
            weekday(d.today.weekday())
        ),
        time_text: now.format("%H:%M").to_string(),
        simulated: state.clock.is_simulated(),
        refresh_seconds: REFRESH_SECONDS,
        on_time_gauge: charts::gauge(&Gauge {
            id: "gauge-on-time",
            title: &format!("{month_text}按时办结率"),
            value: d.month.on_time_rate,
            color: CONCLUDED,
            size: 168,
        }),
        good_gauge: charts::gauge(&Gauge {
            id: "gauge-good",
            title: &format!("{month_text}好评率"),
            value: d.satisfaction.good_rate,
            color: RANKING,
            size: 168,
        }),
        ranking_chart: ranking_chart(&d, &month_text),
        trend_chart: trend_chart(&d),
        month_text,
        d,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], render(&page)?).into_response())
}

fn ranking_chart(d: &Dashboard, month_text: &str) -> String {
    let bars: Vec<Bar> = d
        .ranking
        .iter()
        .map(|r| Bar {
            label: r.name.clone(),
            value: r.on_time_rate,
            text: match r.on_time_rate {
                Some(rate) => format!("{}（办结{}件）", percent(rate), r.concluded),
                None => format!("—（受理{}件）", r.accepted),
            },
        })
        .collect();
    let description = if bars.is_empty() {
        format!("{month_text}尚无受理或办结的办件")
    } else {
        let lines: Vec<String> = bars
            .iter()
            .enumerate()
            .map(|(i, b)| format!("第{}名{}，{}", i + 1, b.label, b.text))
            .collect();
        lines.join("；")
    };
    charts::bar_chart(&BarChart {
        id: "ranking",
        title: &format!("{month_text}各部门按时办结率排名"),
        description: &description,
        bars: &bars,
        max: 1.0,
        color: RANKING,
        width: 820,
        row_height: 50,
        label_width: 190,
    })
}

fn trend_chart(d: &Dashboard) -> String {
    let labels: Vec<String> = d
        .trend
        .iter()
        .map(|t| t.day.format("%m-%d").to_string())
        .collect();
    let accepted: Vec<f64> = d.trend.iter().map(|t| t.accepted as f64).collect();
    let concluded: Vec<f64> = d.trend.iter().map(|t| t.concluded as f64).collect();
    let description = format!(
        "近{TREND_DAYS}天共受理{}件、办结{}件；今日受理{}件、办结{}件",
        d.trend.iter().map(|t| t.accepted).sum::<i64>(),
        d.trend.iter().map(|t| t.concluded).sum::<i64>(),
        d.cases_today.accepted,
        d.cases_today.concluded,
    );
    charts::line_chart(&LineChart {
        id: "trend",
        title: &format!("近{TREND_DAYS}天受理与办结趋势"),
        description: &description,
        labels: &labels,
        series: &[
            Series {
                name: "受理",
                color: ACCEPTED,
                values: &accepted,
            },
            Series {
                name: "办结",
                color: CONCLUDED,
                values: &concluded,
            },
        ],
        width: 980,
        height: 520,
    })
}

fn weekday(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}
