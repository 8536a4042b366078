//! Scoring pages (绩效考核): the runs and a form to compute one, a run's
//! ranking with the red-flag windows, advanced staff and warnings, a unit's
//! score explained indicator by indicator (with its past and the run's
//! average, and the manual entry form), the cases behind an indicator, and
//! the schemes in force.

use super::{Chrome, Fields, PageError, PageResult, field, refusal, render};
use crate::api::scoring::{
    Explanation, ManualRequest, RunDetail, RunDto, SchemeDto, UnitDetail, enter_manual,
    explanation, parse_kind, parse_period, rerun_if_made, run, run_detail, unit_detail,
};
use crate::auth::{AuthUser, PageUser, urlencode};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Permission;
use domain::scoring::{Period, PeriodKind, UnitKind};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/scoring", get(index).post(create))
        .route("/scoring/runs/{id}", get(run_page))
        .route("/scoring/runs/{id}/units/{unit_id}", get(unit_page))
        .route("/scoring/runs/{id}/units/{unit_id}/manual", post(manual))
        .route("/scoring/explain", get(explain_page))
        .route("/scoring/schemes/{kind}", get(scheme_page))
}

/// Points as people read them: "7", "7.5", "78.25".
fn points(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

// ------------------------------------------------------------------- index

#[derive(Template)]
#[template(path = "scoring/index.html")]
struct IndexPage {
    chrome: Chrome,
    runs: Vec<RunDto>,
    can_run: bool,
    kind: String,
    period: String,
    errors: Vec<String>,
}

async fn index_page(
    state: &AppState,
    user: &AuthUser,
    kind: String,
    period: String,
    errors: Vec<String>,
) -> Result<IndexPage, AppError> {
    user.grant(Permission::ViewReports)?;
    Ok(IndexPage {
        chrome: Chrome::new(state, Some(user), "绩效考核", "scoring").await,
        runs: state
            .store
            .scoring_runs(None)
            .await?
            .into_iter()
            .map(RunDto::from)
            .collect(),
        can_run: user.can(Permission::Supervise),
        kind,
        period,
        errors,
    })
}

async fn index(State(state): State<AppState>, PageUser(user): PageUser) -> PageResult {
    let last_month = Period::containing(PeriodKind::Month, state.clock.today()).previous();
    render(
        &index_page(
            &state,
            &user,
            UnitKind::Department.code().into(),
            last_month.key(),
            Vec::new(),
        )
        .await?,
    )
}

async fn create(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::Supervise)?;
    let kind_raw = field(&f, "kind").to_string();
    let period_raw = field(&f, "period").trim().to_string();
    let result = async {
        let kind = parse_kind(&kind_raw)?;
        let period = parse_period(&period_raw)?;
        run(&state, &grant, kind, period).await
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/scoring/runs/{id}")).into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = index_page(&state, &user, kind_raw, period_raw, lines).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// --------------------------------------------------------------------- run

#[derive(Template)]
#[template(path = "scoring/run.html")]
struct RunPage {
    chrome: Chrome,
    d: RunDetail,
    category_names: Vec<String>,
}

impl RunPage {
    fn pts(&self, x: &f64) -> String {
        points(*x)
    }

    fn any_warned(&self) -> bool {
        self.d.scores.iter().any(|s| s.warned)
    }

    fn any_honoured(&self) -> bool {
        self.d.scores.iter().any(|s| s.honoured)
    }
}

async fn run_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    user.grant(Permission::ViewReports)?;
    let d = run_detail(&state, id).await?;
    let category_names = d
        .scores
        .first()
        .map(|s| s.categories.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    let title = format!("{} {}考核", d.run.period_name, d.run.kind_name);
    render(&RunPage {
        chrome: Chrome::new(&state, Some(&user), &title, "scoring").await,
        d,
        category_names,
    })
}

// -------------------------------------------------------------------- unit

#[derive(Template)]
#[template(path = "scoring/unit.html")]
struct UnitPage {
    chrome: Chrome,
    u: UnitDetail,
    can_enter: bool,
    /// `(code, name, points)` of the manual indicators.
    manual: Vec<(String, String, f64)>,
    form: (String, String, String),
    errors: Vec<String>,
    flash: String,
}

impl UnitPage {
    fn pts(&self, x: &f64) -> String {
        points(*x)
    }

    /// The bar width (0–100) of a score against its points.
    fn width(&self, score: &f64, of: &f64) -> u32 {
        if *of <= 0.0 {
            0
        } else {
            ((score / of) * 100.0).round().clamp(0.0, 100.0) as u32
        }
    }

    fn explain_link(&self, metric: &str) -> String {
        format!(
            "/scoring/explain?kind={}&period={}&unit_id={}&metric={}",
            self.u.run.kind,
            urlencode(&self.u.run.period),
            self.u.score.unit_id,
            metric
        )
    }
}

async fn unit_view(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    unit_id: i64,
    form: (String, String, String),
    errors: Vec<String>,
    flash: &str,
) -> Result<UnitPage, AppError> {
    user.grant(Permission::ViewReports)?;
    let u = unit_detail(state, id, unit_id).await?;
    let manual = u
        .indicators
        .iter()
        .filter(|i| i.manual)
        .map(|i| (i.code.clone(), i.name.clone(), i.points))
        .collect();
    Ok(UnitPage {
        chrome: Chrome::new(
            state,
            Some(user),
            &format!("{} · {}", u.score.unit_name, u.run.period_name),
            "scoring",
        )
        .await,
        can_enter: user.can(Permission::Supervise),
        manual,
        u,
        form,
        errors,
        flash: flash.to_string(),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn unit_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, unit_id)): Path<(i64, i64)>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let flash = if q.saved.is_some() {
        "已录入并重新计算本期得分。"
    } else {
        ""
    };
    render(
        &unit_view(
            &state,
            &user,
            id,
            unit_id,
            Default::default(),
            Vec::new(),
            flash,
        )
        .await?,
    )
}

async fn manual(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, unit_id)): Path<(i64, i64)>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    user.check_csrf(field(&f, "csrf_token"))?;
    let grant = user.grant(Permission::Supervise)?;
    let (run, _) = state.store.scoring_run(id).await.map_err(AppError::from)?;
    let form = (
        field(&f, "indicator").to_string(),
        field(&f, "score").trim().to_string(),
        field(&f, "reason").to_string(),
    );
    let result = async {
        let score =
            if form.1.is_empty() {
                None
            } else {
                Some(form.1.parse::<f64>().map_err(|_| {
                    AppError::invalid("scoring.score_invalid", "score", "得分应为数字")
                })?)
            };
        let body = ManualRequest {
            kind: run.kind.clone(),
            period: run.period_key.clone(),
            unit_id,
            indicator: form.0.clone(),
            score,
            reason: form.2.clone(),
        };
        let (kind, period) = enter_manual(&state, &grant, &body).await?;
        rerun_if_made(&state, &grant, kind, period).await
    }
    .await;
    match result {
        Ok(new_id) => Ok(Redirect::to(&format!(
            "/scoring/runs/{}/units/{unit_id}?saved=1",
            new_id.unwrap_or(id)
        ))
        .into_response()),
        Err(e) => {
            let (status, lines) = refusal(e)?;
            let page = unit_view(&state, &user, id, unit_id, form, lines, "").await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ----------------------------------------------------------------- explain

#[derive(Template)]
#[template(path = "scoring/explain.html")]
struct ExplainPage {
    chrome: Chrome,
    e: Explanation,
    unit_name: String,
    period_name: String,
    back: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ExplainQuery {
    kind: String,
    period: String,
    unit_id: i64,
    metric: String,
}

async fn explain_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ExplainQuery>,
) -> PageResult {
    user.grant(Permission::ViewReports)?;
    let e = explanation(&state, &q.kind, &q.period, q.unit_id, &q.metric).await?;
    let kind = parse_kind(&q.kind)?;
    let period = parse_period(&q.period)?;
    let unit_name = state
        .store
        .scoring_units(kind)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .find(|u| u.id == q.unit_id)
        .map(|u| u.name)
        .ok_or(AppError::NotFound("unit"))?;
    let back = state
        .store
        .scoring_runs(Some(kind))
        .await
        .map_err(AppError::from)?
        .into_iter()
        .find(|r| r.period_key == period.key())
        .map_or("/scoring".into(), |r| {
            format!("/scoring/runs/{}/units/{}", r.id, q.unit_id)
        });
    render(&ExplainPage {
        chrome: Chrome::new(
            &state,
            Some(&user),
            &format!("{}明细", e.metric_name),
            "scoring",
        )
        .await,
        e,
        unit_name,
        period_name: period.label(),
        back,
    })
}

// ------------------------------------------------------------------ scheme

#[derive(Template)]
#[template(path = "scoring/scheme.html")]
struct SchemePage {
    chrome: Chrome,
    s: SchemeDto,
    kind_name: &'static str,
}

impl SchemePage {
    fn pts(&self, x: &f64) -> String {
        points(*x)
    }

    fn rule_text(&self, i: &crate::api::scoring::IndicatorDto) -> String {
        let r = &i.rule;
        let rate = i
            .metric
            .as_deref()
            .and_then(domain::scoring::Metric::parse)
            .is_some_and(|m| m.is_rate());
        let v = |x: Option<f64>| match (x, rate) {
            (Some(x), true) => format!("{}%", points(x * 100.0)),
            (Some(x), false) => points(x),
            (None, _) => "—".into(),
        };
        match r.kind.as_str() {
            "at_least" => format!("达到 {} 得满分，不足按比例计分", v(r.target)),
            "at_most" => format!("不超过 {} 得满分，至 {} 不得分", v(r.target), v(r.zero)),
            "deduct" => format!("每发生1次扣 {} 分，扣完为止", points(r.per.unwrap_or(0.0))),
            _ => "监督人员据实评分并注明理由，未录入按满分".into(),
        }
    }
}

async fn scheme_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(kind): Path<String>,
) -> PageResult {
    user.grant(Permission::ViewReports)?;
    let kind = parse_kind(&kind)?;
    let scheme = state
        .store
        .scoring_scheme(kind)
        .await
        .map_err(AppError::from)?;
    render(&SchemePage {
        chrome: Chrome::new(&state, Some(&user), &scheme.name, "scoring").await,
        s: (&scheme).into(),
        kind_name: kind.label(),
    })
}
