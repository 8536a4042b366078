//! Performance scoring (绩效考核, seed 002): departments and staff scored
//! each month and quarter from the system's own data, by a scheme of
//! weighted categories and indicators, plus manual indicators a supervisor
//! enters with a reason.
//!
//! An indicator has points and a rule turning what was measured into a score
//! between 0 and its points; a unit's score is the sum. Everything here is
//! arithmetic on what the store measured: it can be replayed and explained.

use crate::macros::coded_enum;
use crate::validation::ValidationErrors;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

coded_enum!(
    /// Who is scored.
    UnitKind {
        Department = "department", "部门（窗口单位）";
        Staff = "staff", "窗口工作人员";
    }
);

coded_enum!(
    PeriodKind {
        Month = "month", "月度";
        Quarter = "quarter", "季度";
    }
);

/// A month or a quarter: `2026-10` or `2026-Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    /// The month (1–12) or the quarter (1–4).
    pub number: u32,
}

impl Period {
    pub fn parse(raw: &str) -> Option<Self> {
        let t = raw.trim();
        let (year, rest) = t.split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            let number: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Self {
                kind: PeriodKind::Quarter,
                year,
                number,
            });
        }
        let number: u32 = rest.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Self {
            kind: PeriodKind::Month,
            year,
            number,
        })
    }

    /// The period of `kind` that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Self {
        let number = match kind {
            PeriodKind::Month => day.month(),
            PeriodKind::Quarter => (day.month() - 1) / 3 + 1,
        };
        Self {
            kind,
            year: day.year(),
            number,
        }
    }

    /// The period before this one.
    pub fn previous(self) -> Self {
        let per_year = match self.kind {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
        };
        if self.number == 1 {
            Self {
                year: self.year - 1,
                number: per_year,
                ..self
            }
        } else {
            Self {
                number: self.number - 1,
                ..self
            }
        }
    }

    pub fn key(self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}-{:02}", self.year, self.number),
            PeriodKind::Quarter => format!("{}-Q{}", self.year, self.number),
        }
    }

    pub fn label(self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.year, self.number),
            PeriodKind::Quarter => format!("{}年第{}季度", self.year, self.number),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let month = match self.kind {
            PeriodKind::Month => self.number,
            PeriodKind::Quarter => (self.number - 1) * 3 + 1,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("a valid first day")
    }

    pub fn last_day(self) -> NaiveDate {
        let months = match self.kind {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
        };
        let next = self
            .first_day()
            .checked_add_months(chrono::Months::new(months))
            .expect("a representable month");
        next.pred_opt().expect("a day before")
    }

    pub fn months(self) -> u32 {
        match self.kind {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
        }
    }
}

coded_enum!(
    /// What the system measures for an indicator. Rates are 0–1; counts are
    /// counts; "per 100" are per hundred accepted cases.
    Metric {
        OnTimeRate = "on_time_rate", "办结按时率";
        TimeUsedRatio = "time_used_ratio", "实际用时与承诺时限之比";
        ImmediateShare = "immediate_share", "即办件占比";
        OneVisitShare = "one_visit_share", "一次办成率";
        OnlineShare = "online_share", "网上办件占比";
        OverdueWarnings = "overdue_warnings", "超期红牌数";
        StepOverBudget = "step_over_budget", "环节超时数";
        YellowPer100 = "yellow_per_100", "每百件黄牌预警数";
        GoodRatingRate = "good_rating_rate", "好评率";
        RectificationRate = "rectification_rate", "差评整改率";
        RectifiedOnTimeRate = "rectified_on_time_rate", "差评按期整改率";
        UnratedRate = "unrated_rate", "未评价率";
        BadRatings = "bad_ratings", "差评数";
        ComplaintsPer100 = "complaints_per_100", "每百件有效投诉数";
        Complaints = "complaints", "有效投诉数";
        ComplaintReplyOnTime = "complaint_reply_on_time", "投诉按期答复率";
        ComplaintSatisfaction = "complaint_satisfaction", "投诉答复满意率";
        ComplaintsOverdue = "complaints_overdue", "投诉超期未答复数";
        CorrectionsIssued = "corrections_issued", "被督办次数";
        CorrectionsOverdue = "corrections_overdue", "督办逾期未答复数";
        Violations = "violations", "违规行为数";
        Workload = "workload", "受理量与本部门人均之比";
    }
);

impl Metric {
    /// Which units it can be measured for.
    pub fn applies_to(self, kind: UnitKind) -> bool {
        use Metric::*;
        match kind {
            UnitKind::Department => self != Workload,
            UnitKind::Staff => matches!(
                self,
                Workload
                    | OnTimeRate
                    | ImmediateShare
                    | OverdueWarnings
                    | StepOverBudget
                    | GoodRatingRate
                    | BadRatings
                    | RectificationRate
                    | Complaints
                    | Violations
                    | CorrectionsIssued
            ),
        }
    }

    /// Shown as a percentage.
    pub fn is_rate(self) -> bool {
        use Metric::*;
        matches!(
            self,
            OnTimeRate
                | ImmediateShare
                | OneVisitShare
                | OnlineShare
                | GoodRatingRate
                | RectificationRate
                | RectifiedOnTimeRate
                | UnratedRate
                | ComplaintReplyOnTime
                | ComplaintSatisfaction
        )
    }
}

/// How a measured value becomes points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// Full points at or above `target`, in proportion below it.
    AtLeast { target: f64 },
    /// Full points at or below `target`, falling linearly to none at `zero`.
    AtMost { target: f64, zero: f64 },
    /// `per` points off for each one counted, down to none.
    Deduct { per: f64 },
    /// Entered by a supervisor with a reason; full points until then.
    Manual,
}

/// One indicator of a scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable within the scheme (manual entries refer to it).
    pub code: String,
    pub name: String,
    pub points: f64,
    /// What is measured; `None` for a manual indicator.
    pub metric: Option<Metric>,
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub name: String,
    pub indicators: Vec<Indicator>,
}

impl Category {
    pub fn points(&self) -> f64 {
        self.indicators.iter().map(|i| i.points).sum()
    }
}

/// A scoring scheme for departments or for staff: categories of weighted
/// indicators adding up to 100 points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    pub kind: UnitKind,
    pub name: String,
    pub categories: Vec<Category>,
}

/// What was measured for one indicator of one unit: the value (a rate, a
/// ratio or a count) and the counts it came from. `value` is `None` when
/// there was nothing to measure (no cases): such an indicator gets full
/// points, as nothing was done wrong.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Measured {
    pub value: Option<f64>,
    pub numerator: f64,
    pub denominator: f64,
}

impl Measured {
    pub fn ratio(numerator: i64, denominator: i64) -> Self {
        Self {
            value: (denominator > 0).then(|| numerator as f64 / denominator as f64),
            numerator: numerator as f64,
            denominator: denominator as f64,
        }
    }

    pub fn count(n: i64) -> Self {
        Self {
            value: Some(n as f64),
            numerator: n as f64,
            denominator: 1.0,
        }
    }

    /// Per hundred of `base` (accepted cases).
    pub fn per_100(n: i64, base: i64) -> Self {
        Self {
            value: (base > 0).then(|| n as f64 * 100.0 / base as f64),
            numerator: n as f64,
            denominator: base as f64,
        }
    }
}

/// A supervisor's entry for a manual indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualScore {
    pub score: f64,
    pub reason: String,
}

/// Points for one indicator, between 0 and its points.
pub fn indicator_score(
    indicator: &Indicator,
    measured: Option<&Measured>,
    manual: Option<&ManualScore>,
) -> f64 {
    let p = indicator.points;
    let raw = match indicator.rule {
        Rule::Manual => manual.map_or(p, |m| m.score),
        rule => match measured.and_then(|m| m.value) {
            None => p,
            Some(v) => match rule {
                Rule::AtLeast { target } if target > 0.0 => p * (v / target).min(1.0),
                Rule::AtLeast { .. } => p,
                Rule::AtMost { target, zero } => {
                    if v <= target {
                        p
                    } else if v >= zero || zero <= target {
                        0.0
                    } else {
                        p * (zero - v) / (zero - target)
                    }
                }
                Rule::Deduct { per } => p - per * v,
                Rule::Manual => p,
            },
        },
    };
    round2(raw.clamp(0.0, p))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One indicator's line in a unit's score: what it is, what was measured,
/// the points it got and, for a manual one, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub category: String,
    pub metric: Option<Metric>,
    pub points: f64,
    pub score: f64,
    pub measured: Option<Measured>,
    pub reason: Option<String>,
}

/// A unit's scores by category and indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    pub unit_id: i64,
    pub total: f64,
    /// `(category, score, points)`.
    pub categories: Vec<(String, f64, f64)>,
    pub indicators: Vec<IndicatorScore>,
}

/// Scores a unit by the scheme from what was measured and entered.
pub fn score_unit(
    scheme: &Scheme,
    unit_id: i64,
    measured: &HashMap<Metric, Measured>,
    manual: &BTreeMap<String, ManualScore>,
) -> UnitScore {
    let mut categories = Vec::new();
    let mut indicators = Vec::new();
    for c in &scheme.categories {
        let mut sum = 0.0;
        for i in &c.indicators {
            let m = i.metric.and_then(|m| measured.get(&m));
            let entry = manual.get(&i.code).filter(|_| i.rule == Rule::Manual);
            let score = indicator_score(i, m, entry);
            sum += score;
            indicators.push(IndicatorScore {
                code: i.code.clone(),
                name: i.name.clone(),
                category: c.name.clone(),
                metric: i.metric,
                points: i.points,
                score,
                measured: m.copied(),
                reason: entry.map(|e| e.reason.clone()),
            });
        }
        categories.push((c.name.clone(), round2(sum), c.points()));
    }
    UnitScore {
        unit_id,
        total: round2(categories.iter().map(|c| c.1).sum()),
        categories,
        indicators,
    }
}

/// Ranks by total, best first; equal totals share a rank (1, 2, 2, 4).
/// Returns `(index into scores, rank)` in ranking order.
pub fn rank(scores: &[UnitScore]) -> Vec<(usize, u32)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| {
        scores[*b]
            .total
            .total_cmp(&scores[*a].total)
            .then(scores[*a].unit_id.cmp(&scores[*b].unit_id))
    });
    let mut ranked: Vec<(usize, u32)> = Vec::with_capacity(order.len());
    for (place, i) in order.iter().enumerate() {
        let rank = match ranked.last() {
            Some(&(prev, r)) if scores[prev].total == scores[*i].total => r,
            _ => place as u32 + 1,
        };
        ranked.push((*i, rank));
    }
    ranked
}

/// How many units a run honours: each month the best 6 windows get the red
/// flag (流动红旗窗口), each quarter the best 15 staff are advanced
/// individuals (先进个人). Nothing is awarded for other combinations.
pub fn honours(kind: UnitKind, period: PeriodKind) -> usize {
    match (kind, period) {
        (UnitKind::Department, PeriodKind::Month) => 6,
        (UnitKind::Staff, PeriodKind::Quarter) => 15,
        _ => 0,
    }
}

/// Below this total a unit is warned, with its leaders.
pub const WARNING_BELOW: f64 = 80.0;
/// The lowest this many departments are warned whatever their score.
pub const WARN_LOWEST_DEPARTMENTS: usize = 3;

/// Whether the unit at `position` (0-based, among `count` units that had
/// cases) with `total` is warned.
pub fn warned(kind: UnitKind, position: usize, count: usize, total: f64) -> bool {
    total < WARNING_BELOW
        || (kind == UnitKind::Department
            && count > WARN_LOWEST_DEPARTMENTS * 2
            && position + WARN_LOWEST_DEPARTMENTS >= count)
}

impl Scheme {
    /// Checks a scheme as an administrator saves it: 100 points, codes
    /// unique, every metric measurable for the unit kind, rules sane.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.name.trim().is_empty() {
            e.add("field.required", "name", "请填写方案名称");
        }
        if self.categories.is_empty() {
            e.add("scheme.empty", "categories", "方案至少要有一个考核类别");
        }
        let mut codes = HashSet::new();
        for (ci, c) in self.categories.iter().enumerate() {
            if c.name.trim().is_empty() {
                e.add(
                    "field.required",
                    format!("categories[{ci}].name"),
                    "请填写类别名称",
                );
            }
            for (ii, i) in c.indicators.iter().enumerate() {
                let f = |x: &str| format!("categories[{ci}].indicators[{ii}].{x}");
                if i.code.trim().is_empty() || !codes.insert(i.code.trim().to_string()) {
                    e.add(
                        "scheme.code_duplicate",
                        f("code"),
                        format!("指标编码“{}”为空或重复", i.code),
                    );
                }
                if i.name.trim().is_empty() {
                    e.add("field.required", f("name"), "请填写指标名称");
                }
                if !(i.points > 0.0 && i.points <= 100.0) {
                    e.add(
                        "scheme.points_invalid",
                        f("points"),
                        format!("指标“{}”的分值应大于0且不超过100", i.name),
                    );
                }
                match (i.metric, i.rule) {
                    (None, Rule::Manual) => {}
                    (Some(_), Rule::Manual) | (None, _) => e.add(
                        "scheme.rule_invalid",
                        f("rule"),
                        format!(
                            "指标“{}”：手工指标不设数据来源，数据指标须有计分规则",
                            i.name
                        ),
                    ),
                    (Some(m), rule) => {
                        if !m.applies_to(self.kind) {
                            e.add(
                                "scheme.metric_not_applicable",
                                f("metric"),
                                format!("“{}”不能用于{}考核", m.label(), self.kind.label()),
                            );
                        }
                        let bad = match rule {
                            Rule::AtLeast { target } => target.is_nan() || target < 0.0,
                            Rule::AtMost { target, zero } => !(zero > target && target >= 0.0),
                            Rule::Deduct { per } => per.is_nan() || per <= 0.0,
                            Rule::Manual => false,
                        };
                        if bad {
                            e.add(
                                "scheme.rule_invalid",
                                f("rule"),
                                format!("指标“{}”的计分规则参数不正确", i.name),
                            );
                        }
                    }
                }
            }
        }
        let total: f64 = self.categories.iter().map(Category::points).sum();
        if (total - 100.0).abs() > 0.001 {
            e.add(
                "scheme.total_invalid",
                "categories",
                format!("各指标分值合计应为100分，现为{}分", round2(total)),
            );
        }
        e.into_result(())
    }

    /// The indicator with this code.
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.categories
            .iter()
            .flat_map(|c| &c.indicators)
            .find(|i| i.code == code)
    }

    pub fn indicator_count(&self) -> usize {
        self.categories.iter().map(|c| c.indicators.len()).sum()
    }

    /// The default scheme for departments, after seed 002 (抚州): five
    /// categories, 39 indicators, 100 points; 20 computed from the system's
    /// data, 19 entered by supervisors.
    pub fn default_department() -> Self {
        use Metric::*;
        let c = |name: &str, indicators: Vec<Indicator>| Category {
            name: name.into(),
            indicators,
        };
        Self {
            kind: UnitKind::Department,
            name: "窗口单位绩效考核方案".into(),
            categories: vec![
                c(
                    "办件效率",
                    vec![
                        at_least("d01", "办结按时率", 7.0, OnTimeRate, 1.0),
                        at_most(
                            "d02",
                            "实际用时与承诺时限之比",
                            4.0,
                            TimeUsedRatio,
                            0.5,
                            1.0,
                        ),
                        at_least("d03", "即办件占比", 3.0, ImmediateShare, 0.3),
                        at_least("d04", "一次办成率", 4.0, OneVisitShare, 0.9),
                        at_least("d05", "网上办件占比", 4.0, OnlineShare, 0.9),
                        deduct("d06", "超期红牌", 3.0, OverdueWarnings, 1.0),
                        deduct("d07", "办理环节超时", 2.0, StepOverBudget, 0.5),
                        at_most("d08", "每百件黄牌预警数", 1.0, YellowPer100, 5.0, 20.0),
                        manual("d09", "并联审批与联办落实", 2.0),
                    ],
                ),
                c(
                    "服务评价",
                    vec![
                        at_least("d10", "好评率", 7.0, GoodRatingRate, 0.95),
                        at_least("d11", "差评整改率", 5.0, RectificationRate, 1.0),
                        at_least("d12", "差评按期整改率", 3.0, RectifiedOnTimeRate, 1.0),
                        at_most("d13", "未评价率", 3.0, UnratedRate, 0.2, 0.8),
                        deduct("d14", "差评数", 3.0, BadRatings, 1.0),
                        manual("d15", "群众满意度调查", 2.0),
                        manual("d16", "社会监督员评议", 2.0),
                    ],
                ),
                c(
                    "监督与投诉",
                    vec![
                        at_most("d17", "每百件有效投诉数", 4.0, ComplaintsPer100, 0.0, 2.0),
                        at_least("d18", "投诉按期答复率", 3.0, ComplaintReplyOnTime, 1.0),
                        at_least("d19", "投诉答复满意率", 3.0, ComplaintSatisfaction, 0.9),
                        deduct("d20", "投诉超期未答复", 2.0, ComplaintsOverdue, 1.0),
                        deduct("d21", "被督办次数", 2.0, CorrectionsIssued, 1.0),
                        deduct("d22", "督办逾期未答复", 3.0, CorrectionsOverdue, 1.5),
                        deduct(
                            "d23",
                            "违规行为（两头受理、体外循环等）",
                            3.0,
                            Violations,
                            1.5,
                        ),
                    ],
                ),
                c(
                    "窗口建设",
                    vec![
                        manual("d24", "事项进驻到位", 3.0),
                        manual("d25", "窗口充分授权", 3.0),
                        manual("d26", "首席代表在岗履职", 2.0),
                        manual("d27", "办事指南准确完整", 2.0),
                        manual("d28", "AB岗及人员配备", 2.0),
                        manual("d29", "信息报送及时", 1.0),
                        manual("d30", "窗口环境整洁", 2.0),
                    ],
                ),
                c(
                    "作风纪律与加分",
                    vec![
                        manual("d31", "考勤纪律", 2.0),
                        manual("d32", "着装仪容", 1.0),
                        manual("d33", "文明用语", 1.0),
                        manual("d34", "廉洁自律", 2.0),
                        manual("d35", "会议及业务学习", 1.0),
                        manual("d36", "制度执行", 1.0),
                        manual("d37", "创新举措", 1.0),
                        manual("d38", "表扬信与锦旗", 0.5),
                        manual("d39", "延时服务与代办帮办", 0.5),
                    ],
                ),
            ],
        }
    }

    /// The default scheme for window staff: five categories, 20
    /// indicators, 100 points; 11 computed, 9 entered.
    pub fn default_staff() -> Self {
        use Metric::*;
        let c = |name: &str, indicators: Vec<Indicator>| Category {
            name: name.into(),
            indicators,
        };
        Self {
            kind: UnitKind::Staff,
            name: "窗口工作人员绩效考评方案".into(),
            categories: vec![
                c(
                    "工作量与效率",
                    vec![
                        at_least("s01", "受理量（与本部门人均之比）", 10.0, Workload, 1.0),
                        at_least("s02", "办结按时率", 10.0, OnTimeRate, 1.0),
                        at_least("s03", "即办件占比", 5.0, ImmediateShare, 0.3),
                        deduct("s04", "超期红牌", 5.0, OverdueWarnings, 2.0),
                        deduct("s05", "办理环节超时", 5.0, StepOverBudget, 1.0),
                    ],
                ),
                c(
                    "服务评价",
                    vec![
                        at_least("s06", "好评率", 12.0, GoodRatingRate, 0.95),
                        deduct("s07", "差评数", 8.0, BadRatings, 2.0),
                        at_least("s08", "差评整改率", 5.0, RectificationRate, 1.0),
                        manual("s09", "服务态度抽查", 5.0),
                    ],
                ),
                c(
                    "投诉与监督",
                    vec![
                        deduct("s10", "有效投诉", 7.0, Complaints, 3.5),
                        deduct("s11", "违规行为", 6.0, Violations, 3.0),
                        deduct("s12", "被督办", 2.0, CorrectionsIssued, 1.0),
                    ],
                ),
                c(
                    "纪律作风",
                    vec![
                        manual("s13", "考勤", 4.0),
                        manual("s14", "请销假制度", 1.0),
                        manual("s15", "着装仪容", 3.0),
                        manual("s16", "文明用语", 3.0),
                        manual("s17", "廉洁自律", 4.0),
                    ],
                ),
                c(
                    "学习与加分",
                    vec![
                        manual("s18", "业务学习与岗位练兵", 2.0),
                        manual("s19", "表扬信与锦旗", 1.5),
                        manual("s20", "好人好事", 1.5),
                    ],
                ),
            ],
        }
    }

    pub fn default_for(kind: UnitKind) -> Self {
        match kind {
            UnitKind::Department => Self::default_department(),
            UnitKind::Staff => Self::default_staff(),
        }
    }
}

fn at_least(code: &str, name: &str, points: f64, metric: Metric, target: f64) -> Indicator {
    Indicator {
        code: code.into(),
        name: name.into(),
        points,
        metric: Some(metric),
        rule: Rule::AtLeast { target },
    }
}

fn at_most(
    code: &str,
    name: &str,
    points: f64,
    metric: Metric,
    target: f64,
    zero: f64,
) -> Indicator {
    Indicator {
        code: code.into(),
        name: name.into(),
        points,
        metric: Some(metric),
        rule: Rule::AtMost { target, zero },
    }
}

fn deduct(code: &str, name: &str, points: f64, metric: Metric, per: f64) -> Indicator {
    Indicator {
        code: code.into(),
        name: name.into(),
        points,
        metric: Some(metric),
        rule: Rule::Deduct { per },
    }
}

fn manual(code: &str, name: &str, points: f64) -> Indicator {
    Indicator {
        code: code.into(),
        name: name.into(),
        points,
        metric: None,
        rule: Rule::Manual,
    }
}

/// A manual entry as a supervisor makes it, checked against the indicator.
pub fn parse_manual(
    scheme: &Scheme,
    code: &str,
    score: Option<f64>,
    reason: &str,
) -> Result<ManualScore, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let indicator = scheme.indicator(code.trim());
    match indicator {
        None => e.add(
            "scoring.indicator_unknown",
            "indicator",
            "考核方案中没有该指标",
        ),
        Some(i) if i.rule != Rule::Manual => e.add(
            "scoring.indicator_computed",
            "indicator",
            format!("“{}”由系统数据自动计算，不能手工录入", i.name),
        ),
        Some(i) => match score {
            None => e.add("field.required", "score", "请填写得分"),
            Some(s) if !(0.0..=i.points).contains(&s) => e.add(
                "scoring.score_invalid",
                "score",
                format!("“{}”的得分应在0到{}分之间", i.name, i.points),
            ),
            Some(_) => {}
        },
    }
    let reason = reason.trim();
    if reason.is_empty() {
        e.add("field.required", "reason", "请填写评分理由");
    } else if reason.chars().count() > 500 {
        e.add("field.too_long", "reason", "评分理由不能超过500个字");
    }
    e.into_result(ManualScore {
        score: score.map_or(0.0, round2),
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schemes_mirror_seed_002() {
        let d = Scheme::default_department();
        assert_eq!(d.categories.len(), 5);
        assert_eq!(d.indicator_count(), 39);
        d.validate().unwrap();
        let s = Scheme::default_staff();
        assert_eq!(s.categories.len(), 5);
        assert_eq!(s.indicator_count(), 20);
        s.validate().unwrap();
        // It survives storage as JSON.
        let back: Scheme = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn a_scheme_is_checked_before_it_is_saved() {
        let mut s = Scheme::default_staff();
        s.categories[0].indicators[0].points = 11.0;
        s.categories[1].indicators[1].code = "s01".into();
        s.categories[2].indicators[0].metric = Some(Metric::OnlineShare);
        let e = s.validate().unwrap_err();
        let codes: Vec<&str> = e.0.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            vec![
                "scheme.code_duplicate",
                "scheme.metric_not_applicable",
                "scheme.total_invalid"
            ]
        );
    }

    fn indicator(rule: Rule) -> Indicator {
        Indicator {
            code: "x".into(),
            name: "x".into(),
            points: 10.0,
            metric: Some(Metric::OnTimeRate),
            rule,
        }
    }

    #[test]
    fn rules_turn_values_into_points() {
        let at_least = indicator(Rule::AtLeast { target: 0.9 });
        assert_eq!(
            indicator_score(&at_least, Some(&Measured::ratio(9, 10)), None),
            10.0
        );
        assert_eq!(
            indicator_score(&at_least, Some(&Measured::ratio(45, 100)), None),
            5.0
        );
        // Nothing to measure: full points.
        assert_eq!(
            indicator_score(&at_least, Some(&Measured::ratio(0, 0)), None),
            10.0
        );
        let at_most = indicator(Rule::AtMost {
            target: 0.2,
            zero: 0.6,
        });
        assert_eq!(
            indicator_score(&at_most, Some(&Measured::ratio(1, 10)), None),
            10.0
        );
        assert_eq!(
            indicator_score(&at_most, Some(&Measured::ratio(4, 10)), None),
            5.0
        );
        assert_eq!(
            indicator_score(&at_most, Some(&Measured::ratio(9, 10)), None),
            0.0
        );
        let deduct = indicator(Rule::Deduct { per: 1.5 });
        assert_eq!(
            indicator_score(&deduct, Some(&Measured::count(3)), None),
            5.5
        );
        assert_eq!(
            indicator_score(&deduct, Some(&Measured::count(30)), None),
            0.0
        );
        let manual = Indicator {
            metric: None,
            rule: Rule::Manual,
            ..indicator(Rule::Manual)
        };
        assert_eq!(indicator_score(&manual, None, None), 10.0);
        let entry = ManualScore {
            score: 7.5,
            reason: "迟到两次".into(),
        };
        assert_eq!(indicator_score(&manual, None, Some(&entry)), 7.5);
    }

    #[test]
    fn a_unit_is_scored_and_ranked() {
        let scheme = Scheme::default_staff();
        let mut measured = HashMap::new();
        measured.insert(Metric::OnTimeRate, Measured::ratio(8, 10));
        measured.insert(Metric::BadRatings, Measured::count(1));
        let mut manual = BTreeMap::new();
        manual.insert(
            "s13".to_string(),
            ManualScore {
                score: 3.0,
                reason: "迟到一次".into(),
            },
        );
        let a = score_unit(&scheme, 7, &measured, &manual);
        // 10 × 0.8 = 8 (−2), 8 − 2 = 6 (−2), 考勤 3 (−1).
        assert_eq!(a.total, 95.0);
        assert_eq!(a.categories[0], ("工作量与效率".to_string(), 33.0, 35.0));
        let line = a.indicators.iter().find(|i| i.code == "s13").unwrap();
        assert_eq!(line.reason.as_deref(), Some("迟到一次"));
        let b = score_unit(&scheme, 3, &HashMap::new(), &BTreeMap::new());
        let c = score_unit(&scheme, 9, &measured, &manual);
        let ranked = rank(&[a, b, c]);
        // 100 first; the two 95s share second place, lower id first.
        assert_eq!(ranked, vec![(1, 1), (0, 2), (2, 2)]);
    }

    #[test]
    fn periods_are_months_and_quarters() {
        let m = Period::parse("2026-10").unwrap();
        assert_eq!(m.first_day(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        assert_eq!(m.label(), "2026年10月");
        let q = Period::parse("2026-q4").unwrap();
        assert_eq!(q.key(), "2026-Q4");
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(q.previous().key(), "2026-Q3");
        assert_eq!(
            Period::parse("2026-01").unwrap().previous().key(),
            "2025-12"
        );
        assert_eq!(
            Period::containing(
                PeriodKind::Quarter,
                NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
            )
            .key(),
            "2026-Q4"
        );
        for bad in ["2026", "2026-13", "2026-Q5", "x-01", ""] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn honours_and_warnings() {
        assert_eq!(honours(UnitKind::Department, PeriodKind::Month), 6);
        assert_eq!(honours(UnitKind::Staff, PeriodKind::Quarter), 15);
        assert_eq!(honours(UnitKind::Staff, PeriodKind::Month), 0);
        // The lowest three of ten departments, and anyone below 80.
        assert!(!warned(UnitKind::Department, 6, 10, 95.0));
        assert!(warned(UnitKind::Department, 7, 10, 95.0));
        assert!(warned(UnitKind::Staff, 0, 10, 79.9));
        assert!(!warned(UnitKind::Staff, 9, 10, 90.0));
        let scheme = Scheme::default_department();
        assert!(parse_manual(&scheme, "d31", Some(1.5), "迟到").is_ok());
        assert_eq!(
            parse_manual(&scheme, "d01", Some(1.0), "x").unwrap_err().0[0].code,
            "scoring.indicator_computed"
        );
        assert_eq!(
            parse_manual(&scheme, "d31", Some(3.0), "")
                .unwrap_err()
                .0
                .len(),
            2
        );
    }
}
