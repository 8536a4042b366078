//! Performance scoring (绩效考核): schemes, monthly and quarterly runs with
//! rankings, red-flag windows and advanced staff, warnings to the lowest,
//! each unit's score explained indicator by indicator down to the cases, and
//! manual indicators entered with a reason.

use crate::api::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use domain::access::{Grant, Permission};
use domain::scoring::{
    Category, Indicator, Metric, Period, PeriodKind, Rule, Scheme, UnitKind, parse_manual,
};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_scheme, put_scheme))
        .routes(routes!(list_runs, create_run))
        .routes(routes!(get_run))
        .routes(routes!(get_unit))
        .routes(routes!(explain))
        .routes(routes!(manual))
}

// ------------------------------------------------------------------ parsing

pub(crate) fn parse_kind(raw: &str) -> AppResult<UnitKind> {
    UnitKind::parse(raw).ok_or_else(|| {
        AppError::invalid(
            "scoring.kind_invalid",
            "kind",
            "考核对象应为 department（部门）或 staff（个人）",
        )
    })
}

pub(crate) fn parse_period(raw: &str) -> AppResult<Period> {
    Period::parse(raw).ok_or_else(|| {
        AppError::invalid(
            "scoring.period_invalid",
            "period",
            "考核期间应为月份（如 2026-10）或季度（如 2026-Q4）",
        )
    })
}

// ------------------------------------------------------------------ schemes

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RuleDto {
    /// `at_least`, `at_most`, `deduct` or `manual`.
    pub kind: String,
    /// `at_least`: full points at or above; `at_most`: full points at or below.
    pub target: Option<f64>,
    /// `at_most`: no points at or above.
    pub zero: Option<f64>,
    /// `deduct`: points off per one counted.
    pub per: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct IndicatorDto {
    pub code: String,
    pub name: String,
    pub points: f64,
    /// What is measured (null for a manual indicator).
    pub metric: Option<String>,
    #[serde(skip_deserializing)]
    pub metric_name: Option<String>,
    pub rule: RuleDto,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CategoryDto {
    pub name: String,
    #[serde(skip_deserializing)]
    pub points: f64,
    pub indicators: Vec<IndicatorDto>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SchemeDto {
    #[serde(skip_deserializing)]
    pub kind: String,
    pub name: String,
    pub categories: Vec<CategoryDto>,
    #[serde(skip_deserializing)]
    pub indicator_count: usize,
}

impl From<&Scheme> for SchemeDto {
    fn from(s: &Scheme) -> Self {
        Self {
            kind: s.kind.code().into(),
            name: s.name.clone(),
            indicator_count: s.indicator_count(),
            categories: s
                .categories
                .iter()
                .map(|c| CategoryDto {
                    name: c.name.clone(),
                    points: c.points(),
                    indicators: c
                        .indicators
                        .iter()
                        .map(|i| IndicatorDto {
                            code: i.code.clone(),
                            name: i.name.clone(),
                            points: i.points,
                            metric: i.metric.map(|m| m.code().into()),
                            metric_name: i.metric.map(|m| m.label().into()),
                            rule: match i.rule {
                                Rule::AtLeast { target } => RuleDto {
                                    kind: "at_least".into(),
                                    target: Some(target),
                                    ..Default::default()
                                },
                                Rule::AtMost { target, zero } => RuleDto {
                                    kind: "at_most".into(),
                                    target: Some(target),
                                    zero: Some(zero),
                                    ..Default::default()
                                },
                                Rule::Deduct { per } => RuleDto {
                                    kind: "deduct".into(),
                                    per: Some(per),
                                    ..Default::default()
                                },
                                Rule::Manual => RuleDto {
                                    kind: "manual".into(),
                                    ..Default::default()
                                },
                            },
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl SchemeDto {
    /// The domain's scheme, every problem named by field.
    pub(crate) fn scheme(&self, kind: UnitKind) -> Result<Scheme, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut categories = Vec::new();
        for (ci, c) in self.categories.iter().enumerate() {
            let mut indicators = Vec::new();
            for (ii, i) in c.indicators.iter().enumerate() {
                let f = |x: &str| format!("categories[{ci}].indicators[{ii}].{x}");
                let metric = match i.metric.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                    None => None,
                    Some(m) => {
                        let parsed = Metric::parse(m);
                        if parsed.is_none() {
                            e.add(
                                "scheme.metric_unknown",
                                f("metric"),
                                format!("没有“{m}”这项数据指标"),
                            );
                        }
                        parsed
                    }
                };
                let need = |v: Option<f64>, name: &str, e: &mut ValidationErrors| {
                    v.unwrap_or_else(|| {
                        e.add(
                            "field.required",
                            f(&format!("rule.{name}")),
                            format!("指标“{}”的计分规则缺少 {name}", i.name),
                        );
                        0.0
                    })
                };
                let rule = match i.rule.kind.as_str() {
                    "at_least" => Rule::AtLeast {
                        target: need(i.rule.target, "target", &mut e),
                    },
                    "at_most" => Rule::AtMost {
                        target: need(i.rule.target, "target", &mut e),
                        zero: need(i.rule.zero, "zero", &mut e),
                    },
                    "deduct" => Rule::Deduct {
                        per: need(i.rule.per, "per", &mut e),
                    },
                    "manual" => Rule::Manual,
                    other => {
                        e.add(
                            "scheme.rule_invalid",
                            f("rule.kind"),
                            format!("计分规则“{other}”应为 at_least、at_most、deduct 或 manual"),
                        );
                        Rule::Manual
                    }
                };
                indicators.push(Indicator {
                    code: i.code.trim().into(),
                    name: i.name.trim().into(),
                    points: i.points,
                    metric,
                    rule,
                });
            }
            categories.push(Category {
                name: c.name.trim().into(),
                indicators,
            });
        }
        let scheme = Scheme {
            kind,
            name: self.name.trim().into(),
            categories,
        };
        if let Err(more) = scheme.validate() {
            e.0.extend(more.0);
        }
        e.into_result(scheme)
    }
}

/// The scheme in force for departments or staff.
#[utoipa::path(get, path = "/api/v1/scoring/schemes/{kind}", tag = "scoring",
    params(("kind" = String, Path, description = "department or staff")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SchemeDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_scheme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(kind): Path<String>,
) -> AppResult<Json<SchemeDto>> {
    user.grant(Permission::ViewReports)?;
    let kind = parse_kind(&kind)?;
    Ok(Json((&state.store.scoring_scheme(kind).await?).into()))
}

/// Puts a new scheme in force (supervisors, administrators): categories of
/// indicators adding up to 100 points; it applies from the next run on.
#[utoipa::path(put, path = "/api/v1/scoring/schemes/{kind}", tag = "scoring", request_body = SchemeDto,
    params(("kind" = String, Path, description = "department or staff")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SchemeDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_scheme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(kind): Path<String>,
    ApiJson(body): ApiJson<SchemeDto>,
) -> AppResult<Json<SchemeDto>> {
    let grant = user.grant(Permission::Supervise)?;
    let kind = parse_kind(&kind)?;
    let scheme = body.scheme(kind)?;
    state
        .store
        .save_scoring_scheme(&grant, &scheme, state.clock.now())
        .await?;
    tracing::info!(kind = kind.code(), by = %user.user.username, "scoring scheme saved");
    Ok(Json((&scheme).into()))
}

// --------------------------------------------------------------------- runs

#[derive(Debug, Serialize, ToSchema)]
pub struct RunDto {
    pub id: i64,
    pub kind: String,
    pub kind_name: String,
    pub period: String,
    pub period_name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub units: i64,
    pub computed_at: DateTime<Utc>,
    /// What the best get this run: 流动红旗窗口, 先进个人 or nothing.
    pub honour_name: Option<String>,
}

pub(crate) fn honour_name(kind: UnitKind, period: PeriodKind) -> Option<&'static str> {
    match (kind, period) {
        (UnitKind::Department, PeriodKind::Month) => Some("流动红旗窗口"),
        (UnitKind::Staff, PeriodKind::Quarter) => Some("先进个人"),
        _ => None,
    }
}

impl From<store::ScoringRunRecord> for RunDto {
    fn from(r: store::ScoringRunRecord) -> Self {
        let kind = UnitKind::parse(&r.kind);
        let period = Period::parse(&r.period_key);
        Self {
            kind_name: kind.map_or("", |k| k.label()).into(),
            period_name: period.map_or(r.period_key.clone(), |p| p.label()),
            honour_name: kind
                .zip(period)
                .and_then(|(k, p)| honour_name(k, p.kind))
                .map(Into::into),
            id: r.id,
            kind: r.kind,
            period: r.period_key,
            period_start: r.period_start,
            period_end: r.period_end,
            units: r.units,
            computed_at: r.computed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryScoreDto {
    pub name: String,
    pub score: f64,
    pub points: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreDto {
    pub unit_id: i64,
    pub unit_name: String,
    pub department_name: String,
    pub total: f64,
    pub rank: i64,
    /// 流动红旗窗口 / 先进个人.
    pub honoured: bool,
    /// Warned, with its leaders.
    pub warned: bool,
    /// Who was told of the warning.
    pub notified: String,
    pub categories: Vec<CategoryScoreDto>,
}

impl From<&store::ScoreRecord> for ScoreDto {
    fn from(s: &store::ScoreRecord) -> Self {
        Self {
            unit_id: s.unit_id,
            unit_name: s.unit_name.clone(),
            department_name: s.department_name.clone(),
            total: s.total,
            rank: s.rank,
            honoured: s.honoured,
            warned: s.warned,
            notified: s.notified.clone(),
            categories: s
                .detail
                .categories
                .iter()
                .map(|(name, score, points)| CategoryScoreDto {
                    name: name.clone(),
                    score: *score,
                    points: *points,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunDetail {
    pub run: RunDto,
    /// Best first; units that handled no case in the period come last with
    /// rank 0 (listed, not ranked).
    pub scores: Vec<ScoreDto>,
    /// How many units were ranked.
    pub ranked: usize,
    /// The ranked units' average total.
    pub average: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunList {
    pub runs: Vec<RunDto>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RunRequest {
    /// `department` or `staff`.
    pub kind: String,
    /// `2026-10` (a month) or `2026-Q4` (a quarter).
    pub period: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RunParams {
    /// `department` or `staff`; both when absent.
    pub kind: Option<String>,
}

/// The units a run ranked (those that handled cases), or all when none did.
fn compared(scores: &[store::ScoreRecord]) -> Vec<&store::ScoreRecord> {
    let ranked: Vec<&store::ScoreRecord> = scores.iter().filter(|s| s.rank > 0).collect();
    if ranked.is_empty() {
        scores.iter().collect()
    } else {
        ranked
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        (sum / n as f64 * 100.0).round() / 100.0
    }
}

pub(crate) async fn run_detail(state: &AppState, id: i64) -> AppResult<RunDetail> {
    let (run, scores) = state.store.scoring_run(id).await?;
    let average = mean(compared(&scores).iter().map(|s| s.total));
    Ok(RunDetail {
        run: run.into(),
        ranked: scores.iter().filter(|s| s.rank > 0).count(),
        scores: scores.iter().map(ScoreDto::from).collect(),
        average,
    })
}

/// Computes (or recomputes) the scores of a month or quarter: every unit
/// scored by the scheme in force from the system's data and the manual
/// entries, ranked; the best 6 departments of a month are 流动红旗窗口, the
/// best 15 staff of a quarter 先进个人; the lowest are warned and their
/// leaders named.
#[utoipa::path(post, path = "/api/v1/scoring/runs", tag = "scoring", request_body = RunRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = RunDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_run(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RunRequest>,
) -> AppResult<(StatusCode, Json<RunDetail>)> {
    let grant = user.grant(Permission::Supervise)?;
    let kind = parse_kind(&body.kind)?;
    let period = parse_period(&body.period)?;
    let id = run(&state, &grant, kind, period).await?;
    Ok((StatusCode::CREATED, Json(run_detail(&state, id).await?)))
}

/// Runs the scoring of a period that has begun (a period still running is
/// scored so far).
pub(crate) async fn run(
    state: &AppState,
    grant: &Grant,
    kind: UnitKind,
    period: Period,
) -> AppResult<i64> {
    if period.first_day() > state.clock.today() {
        return Err(AppError::invalid(
            "scoring.period_future",
            "period",
            "该考核期间尚未开始",
        ));
    }
    let id = state
        .store
        .run_scoring(Some(grant), kind, period, state.clock.now())
        .await?;
    tracing::info!(kind = kind.code(), period = %period.key(), run = id, "scores computed");
    Ok(id)
}

/// The runs, newest period first.
#[utoipa::path(get, path = "/api/v1/scoring/runs", tag = "scoring", params(RunParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RunList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_runs(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<RunParams>,
) -> AppResult<Json<RunList>> {
    user.grant(Permission::ViewReports)?;
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(parse_kind(k)?),
    };
    let runs = state.store.scoring_runs(kind).await?;
    Ok(Json(RunList {
        runs: runs.into_iter().map(RunDto::from).collect(),
    }))
}

/// A run: the ranking with each unit's category scores, honours and warnings.
#[utoipa::path(get, path = "/api/v1/scoring/runs/{id}", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RunDetail), (status = 404, body = ErrorBody)))]
async fn get_run(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> AppResult<Json<RunDetail>> {
    user.grant(Permission::ViewReports)?;
    Ok(Json(run_detail(&state, id).await?))
}

// --------------------------------------------------------------------- unit

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorScoreDto {
    pub code: String,
    pub name: String,
    pub category: String,
    pub metric: Option<String>,
    pub points: f64,
    pub score: f64,
    /// The measured value as people read it ("92.0%", "3", "0.45"), or
    /// "—" without data, or "手工录入".
    pub value_text: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// A manual entry's reason.
    pub reason: Option<String>,
    pub manual: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryComparison {
    pub name: String,
    pub score: f64,
    pub points: f64,
    /// The average of all units in the run.
    pub average: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    pub run_id: i64,
    pub period: String,
    pub total: f64,
    pub rank: i64,
    pub units: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    pub run: RunDto,
    pub score: ScoreDto,
    /// How many units were ranked.
    pub units: usize,
    /// The ranked units' average total.
    pub average: f64,
    pub categories: Vec<CategoryComparison>,
    pub indicators: Vec<IndicatorScoreDto>,
    /// The same unit in earlier runs of the same kind of period, newest first.
    pub history: Vec<HistoryDto>,
}

pub(crate) fn value_text(metric: Option<Metric>, value: Option<f64>) -> String {
    match (metric, value) {
        (None, _) => "手工录入".into(),
        (_, None) => "—".into(),
        (Some(m), Some(v)) if m.is_rate() => format!("{:.1}%", v * 100.0),
        (Some(Metric::TimeUsedRatio | Metric::Workload), Some(v)) => format!("{v:.2}"),
        (Some(Metric::YellowPer100 | Metric::ComplaintsPer100), Some(v)) => format!("{v:.1}"),
        (Some(_), Some(v)) => format!("{v}"),
    }
}

pub(crate) async fn unit_detail(state: &AppState, id: i64, unit_id: i64) -> AppResult<UnitDetail> {
    let (run, scores) = state.store.scoring_run(id).await?;
    let score = scores
        .iter()
        .find(|s| s.unit_id == unit_id)
        .ok_or(AppError::NotFound("score"))?;
    let peers = compared(&scores);
    let categories = score
        .detail
        .categories
        .iter()
        .enumerate()
        .map(|(i, (name, s, points))| CategoryComparison {
            name: name.clone(),
            score: *s,
            points: *points,
            average: mean(
                peers
                    .iter()
                    .filter_map(|x| x.detail.categories.get(i).map(|c| c.1)),
            ),
        })
        .collect();
    let indicators = score
        .detail
        .indicators
        .iter()
        .map(|i| IndicatorScoreDto {
            code: i.code.clone(),
            name: i.name.clone(),
            category: i.category.clone(),
            metric: i.metric.map(|m| m.code().into()),
            points: i.points,
            score: i.score,
            value_text: value_text(i.metric, i.measured.and_then(|m| m.value)),
            value: i.measured.and_then(|m| m.value),
            numerator: i.measured.map(|m| m.numerator),
            denominator: i.measured.map(|m| m.denominator),
            reason: i.reason.clone(),
            manual: i.metric.is_none(),
        })
        .collect();
    let kind = UnitKind::parse(&run.kind).ok_or(AppError::NotFound("run"))?;
    let period_kind = PeriodKind::parse(&run.period_kind).ok_or(AppError::NotFound("run"))?;
    let history = state
        .store
        .score_history(kind, period_kind, unit_id, 12)
        .await?
        .into_iter()
        .map(|h| HistoryDto {
            run_id: h.run_id,
            period: h.period_key,
            total: h.total,
            rank: h.rank,
            units: h.units,
        })
        .collect();
    Ok(UnitDetail {
        units: scores.iter().filter(|s| s.rank > 0).count(),
        average: mean(peers.iter().map(|s| s.total)),
        score: score.into(),
        run: run.into(),
        categories,
        indicators,
        history,
    })
}

/// One unit's score in a run, indicator by indicator with what was
/// measured, compared with the run's average and with its own past.
#[utoipa::path(get, path = "/api/v1/scoring/runs/{id}/units/{unit_id}", tag = "scoring",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = UnitDetail), (status = 404, body = ErrorBody)))]
async fn get_unit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, unit_id)): Path<(i64, i64)>,
) -> AppResult<Json<UnitDetail>> {
    user.grant(Permission::ViewReports)?;
    Ok(Json(unit_detail(&state, id, unit_id).await?))
}

// ------------------------------------------------------------------ explain

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExplainParams {
    pub kind: String,
    pub period: String,
    pub unit_id: i64,
    /// The metric's code (e.g. `on_time_rate`).
    pub metric: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainRowDto {
    pub reference: String,
    pub link: String,
    pub title: String,
    pub detail: String,
    /// Counts against the unit.
    pub against: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Explanation {
    pub metric: String,
    pub metric_name: String,
    pub rows: Vec<ExplainRowDto>,
}

pub(crate) async fn explanation(
    state: &AppState,
    kind: &str,
    period: &str,
    unit_id: i64,
    metric: &str,
) -> AppResult<Explanation> {
    let kind = parse_kind(kind)?;
    let period = parse_period(period)?;
    let metric = Metric::parse(metric)
        .ok_or_else(|| AppError::invalid("scheme.metric_unknown", "metric", "没有这项数据指标"))?;
    let rows = state
        .store
        .explain(kind, period, unit_id, metric)
        .await?
        .into_iter()
        .map(|r| ExplainRowDto {
            reference: r.reference,
            link: r.link,
            title: r.title,
            detail: r.detail,
            against: r.against,
        })
        .collect();
    Ok(Explanation {
        metric: metric.code().into(),
        metric_name: metric.label().into(),
        rows,
    })
}

/// The cases (or ratings, complaints, orders, violations) an indicator of a
/// unit was measured from in a period, those that count against it marked.
#[utoipa::path(get, path = "/api/v1/scoring/explain", tag = "scoring", params(ExplainParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Explanation), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn explain(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<ExplainParams>,
) -> AppResult<Json<Explanation>> {
    user.grant(Permission::ViewReports)?;
    Ok(Json(
        explanation(&state, &p.kind, &p.period, p.unit_id, &p.metric).await?,
    ))
}

// ------------------------------------------------------------------- manual

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ManualRequest {
    pub kind: String,
    pub period: String,
    pub unit_id: i64,
    /// The indicator's code in the scheme (a manual one).
    pub indicator: String,
    pub score: Option<f64>,
    pub reason: String,
}

pub(crate) async fn enter_manual(
    state: &AppState,
    grant: &Grant,
    body: &ManualRequest,
) -> AppResult<(UnitKind, Period)> {
    let kind = parse_kind(&body.kind)?;
    let period = parse_period(&body.period)?;
    let scheme = state.store.scoring_scheme(kind).await?;
    let entry = parse_manual(&scheme, &body.indicator, body.score, &body.reason)?;
    state
        .store
        .set_manual_score(
            grant,
            kind,
            period,
            body.unit_id,
            body.indicator.trim(),
            &entry,
            state.clock.now(),
        )
        .await?;
    Ok((kind, period))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManualSaved {
    /// The run recomputed with the entry, if one existed for the period.
    pub run_id: Option<i64>,
}

/// A supervisor scores a manual indicator of a unit for a period, with a
/// reason; a run of that period already made is recomputed.
#[utoipa::path(post, path = "/api/v1/scoring/manual", tag = "scoring", request_body = ManualRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ManualSaved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn manual(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ManualRequest>,
) -> AppResult<Json<ManualSaved>> {
    let grant = user.grant(Permission::Supervise)?;
    let (kind, period) = enter_manual(&state, &grant, &body).await?;
    let run_id = rerun_if_made(&state, &grant, kind, period).await?;
    Ok(Json(ManualSaved { run_id }))
}

/// Recomputes a period's run if there is one.
pub(crate) async fn rerun_if_made(
    state: &AppState,
    grant: &Grant,
    kind: UnitKind,
    period: Period,
) -> AppResult<Option<i64>> {
    let made = state
        .store
        .scoring_runs(Some(kind))
        .await?
        .into_iter()
        .any(|r| r.period_key == period.key());
    if made {
        Ok(Some(run(state, grant, kind, period).await?))
    } else {
        Ok(None)
    }
}

/// What the worker scores by itself: last month's departments and staff,
/// and last quarter's once it is over, when no run has been made for them.
pub(crate) fn due_periods(today: NaiveDate) -> Vec<(UnitKind, Period)> {
    let month = Period::containing(PeriodKind::Month, today).previous();
    let quarter = Period::containing(PeriodKind::Quarter, today).previous();
    UnitKind::ALL
        .iter()
        .flat_map(|k| [(*k, month), (*k, quarter)])
        .collect()
}
