//! Ratings (好差评, GB/T 39734/39735-2020, 国办发〔2019〕51号).
//!
//! An applicant rates a case once per channel (on site "一次一评" at the
//! window's tablet, online "一事一评", or through the link in the SMS or
//! notice). Levels are numbered as GB/T 39046 A.8 numbers them: 1 非常满意 …
//! 5 非常不满意; 4 and 5 are bad ratings (差评). Every bad rating opens a
//! follow-up (差评整改) that the department verifies, rectifies and closes
//! with a return visit by a deadline in working days; an appeal (申诉复核)
//! reviewed by the supervisors can void a mistaken or malicious rating.

use crate::calendar::WorkCalendar;
use crate::case::CaseStatus;
use crate::macros::coded_enum;
use crate::validation::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One of the five levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub enum RatingLevel {
    VerySatisfied = 1,
    Satisfied = 2,
    Basic = 3,
    Dissatisfied = 4,
    VeryDissatisfied = 5,
}

impl RatingLevel {
    pub const ALL: [RatingLevel; 5] = [
        Self::VerySatisfied,
        Self::Satisfied,
        Self::Basic,
        Self::Dissatisfied,
        Self::VeryDissatisfied,
    ];

    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.iter().copied().find(|l| l.number() == n)
    }

    pub fn number(self) -> i64 {
        self as i64
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::Basic => "基本满意",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }

    /// 差评: 不满意 and 非常不满意.
    pub fn is_bad(self) -> bool {
        self >= Self::Dissatisfied
    }
}

impl TryFrom<i64> for RatingLevel {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        Self::from_number(n).ok_or_else(|| format!("rating level {n} is not 1 to 5"))
    }
}

impl From<RatingLevel> for i64 {
    fn from(l: RatingLevel) -> i64 {
        l.number()
    }
}

coded_enum!(
    /// Where a rating was given.
    RatingChannel {
        Web = "web", "网上评价";
        Hall = "hall", "窗口评价器";
        Sms = "sms", "短信评价";
    }
);

/// The tags an applicant may pick, for good and for bad ratings. A fixed
/// list, so that they can be counted.
pub const GOOD_TAGS: &[&str] = &[
    "办事高效",
    "服务热情",
    "一次办成",
    "材料精简",
    "指引清晰",
    "环境舒适",
];
pub const BAD_TAGS: &[&str] = &[
    "等待时间长",
    "服务态度差",
    "多次跑动",
    "材料要求繁琐",
    "指引不清",
    "办理超时",
    "收费不合理",
];

/// Whether a case can be rated: once the applicant has been served (anything
/// after an online application waiting for its pre-review).
pub fn rateable(status: CaseStatus) -> bool {
    status != CaseStatus::Submitted
}

/// A rating as an applicant gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub level: RatingLevel,
    pub channel: RatingChannel,
    pub tags: Vec<String>,
    pub comment: String,
}

impl NewRating {
    pub const MAX_TAGS: usize = 5;
    pub const MAX_COMMENT: usize = 500;

    pub fn parse(
        level: Option<i64>,
        channel: &str,
        tags: &[String],
        comment: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let level = match level {
            None => {
                e.add("field.required", "level", "请选择评价等级");
                None
            }
            Some(n) => {
                let l = RatingLevel::from_number(n);
                if l.is_none() {
                    e.add(
                        "rating.level_invalid",
                        "level",
                        "评价等级应为 1（非常满意）到 5（非常不满意）",
                    );
                }
                l
            }
        };
        let channel = RatingChannel::parse(channel);
        if channel.is_none() {
            e.add(
                "rating.channel_invalid",
                "channel",
                "评价渠道应为 web（网上）、hall（窗口评价器）或 sms（短信）",
            );
        }
        let mut picked: Vec<String> = Vec::new();
        for (i, t) in tags.iter().enumerate() {
            let t = t.trim();
            if t.is_empty() || picked.iter().any(|p| p == t) {
                continue;
            }
            if !GOOD_TAGS.contains(&t) && !BAD_TAGS.contains(&t) {
                e.add(
                    "rating.tag_unknown",
                    format!("tags[{i}]"),
                    format!("“{t}”不是可选的评价标签"),
                );
                continue;
            }
            picked.push(t.to_string());
        }
        if picked.len() > Self::MAX_TAGS {
            e.add(
                "rating.too_many_tags",
                "tags",
                format!("评价标签最多选 {} 个", Self::MAX_TAGS),
            );
        }
        let comment = comment.trim();
        if comment.chars().count() > Self::MAX_COMMENT {
            e.add(
                "field.too_long",
                "comment",
                format!("评价内容不能超过{}个字", Self::MAX_COMMENT),
            );
        }
        if let Some(l) = level
            && l.is_bad()
            && comment.is_empty()
            && !picked.iter().any(|t| BAD_TAGS.contains(&t.as_str()))
        {
            e.add(
                "rating.reason_required",
                "comment",
                "差评请选择不满意的原因或填写评价内容，以便整改",
            );
        }
        match (level, channel) {
            (Some(level), Some(channel)) if e.is_empty() => Ok(Self {
                level,
                channel,
                tags: picked,
                comment: comment.to_string(),
            }),
            _ => Err(e),
        }
    }
}

// ------------------------------------------------------------ follow-ups

coded_enum!(
    /// Where a bad rating's follow-up (差评整改) stands.
    FollowupStatus {
        Verifying = "verifying", "待核实";
        Rectifying = "rectifying", "整改中";
        Revisiting = "revisiting", "待回访";
        Closed = "closed", "已整改办结";
        Voided = "voided", "申诉成立，差评作废";
    }
);

impl FollowupStatus {
    /// Still to be done by the department (its deadline runs).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Verifying | Self::Rectifying | Self::Revisiting)
    }
}

coded_enum!(
    /// An appeal (申诉复核) against a rating.
    AppealStatus {
        Pending = "pending", "申诉待复核";
        Upheld = "upheld", "申诉成立";
        Rejected = "rejected", "申诉驳回";
    }
);

coded_enum!(
    /// What happened to a follow-up.
    FollowupEventKind {
        Opened = "opened", "差评生成整改单";
        Verified = "verified", "核实情况";
        Rectified = "rectified", "整改完成";
        Revisited = "revisited", "回访满意，办结";
        RevisitFailed = "revisit_failed", "回访仍不满意，重新整改";
        Appealed = "appealed", "提出申诉";
        AppealUpheld = "appeal_upheld", "申诉成立，差评作废";
        AppealRejected = "appeal_rejected", "申诉驳回";
    }
);

/// A step in a follow-up's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowupAction {
    /// The department states what it found (核实).
    Verify,
    /// The department states what it changed (整改).
    Rectify,
    /// The return visit (回访): whether the applicant is now satisfied.
    Revisit { satisfied: bool },
    /// The department asks to void the rating as mistaken or malicious.
    Appeal,
    /// The supervisors decide the appeal.
    ReviewAppeal { upheld: bool },
}

impl FollowupAction {
    pub fn event(self) -> FollowupEventKind {
        match self {
            Self::Verify => FollowupEventKind::Verified,
            Self::Rectify => FollowupEventKind::Rectified,
            Self::Revisit { satisfied: true } => FollowupEventKind::Revisited,
            Self::Revisit { satisfied: false } => FollowupEventKind::RevisitFailed,
            Self::Appeal => FollowupEventKind::Appealed,
            Self::ReviewAppeal { upheld: true } => FollowupEventKind::AppealUpheld,
            Self::ReviewAppeal { upheld: false } => FollowupEventKind::AppealRejected,
        }
    }

    /// Decided by the supervisors, not by the department.
    pub fn by_supervisor(self) -> bool {
        matches!(self, Self::ReviewAppeal { .. })
    }

    /// The note that goes with the step, checked: every step needs one.
    pub fn note(self, raw: &str) -> Result<String, ValidationErrors> {
        let label = match self {
            Self::Verify => "核实情况",
            Self::Rectify => "整改措施",
            Self::Revisit { .. } => "回访记录",
            Self::Appeal => "申诉理由",
            Self::ReviewAppeal { .. } => "复核意见",
        };
        let t = raw.trim();
        let mut e = ValidationErrors::default();
        if t.is_empty() {
            e.add("field.required", "note", format!("请填写{label}"));
        } else if t.chars().count() > 2000 {
            e.add("field.too_long", "note", format!("{label}不能超过2000个字"));
        }
        e.into_result(t.to_string())
    }
}

/// A follow-up's state: its status and its appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowupState {
    pub status: FollowupStatus,
    pub appeal: Option<AppealStatus>,
}

/// A refused step: a stable code and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupConflict {
    pub code: &'static str,
    pub message: String,
}

/// The state a follow-up moves to, or why it cannot. An appeal may be made
/// once, while the follow-up is open and before the return visit; while it
/// waits for review nothing else happens.
pub fn followup_after(
    state: FollowupState,
    action: FollowupAction,
) -> Result<FollowupState, FollowupConflict> {
    use FollowupAction as A;
    use FollowupStatus as S;
    let refuse = |code, what: &str| {
        Err(FollowupConflict {
            code,
            message: format!("整改单当前为“{}”，不能{what}", state.status.label()),
        })
    };
    let pending = state.appeal == Some(AppealStatus::Pending);
    if pending && !matches!(action, A::ReviewAppeal { .. }) {
        return Err(FollowupConflict {
            code: "followup.appeal_pending",
            message: "申诉正在复核，复核结论出来之前不能办理".into(),
        });
    }
    let to = |status| {
        Ok(FollowupState {
            status,
            appeal: state.appeal,
        })
    };
    match (action, state.status) {
        (A::Verify, S::Verifying) => to(S::Rectifying),
        (A::Verify, _) => refuse("followup.not_verifying", "核实"),
        (A::Rectify, S::Rectifying) => to(S::Revisiting),
        (A::Rectify, _) => refuse("followup.not_rectifying", "登记整改"),
        (A::Revisit { satisfied }, S::Revisiting) => {
            to(if satisfied { S::Closed } else { S::Rectifying })
        }
        (A::Revisit { .. }, _) => refuse("followup.not_revisiting", "回访"),
        (A::Appeal, S::Verifying | S::Rectifying) if state.appeal.is_none() => Ok(FollowupState {
            status: state.status,
            appeal: Some(AppealStatus::Pending),
        }),
        (A::Appeal, S::Verifying | S::Rectifying) => Err(FollowupConflict {
            code: "followup.appealed_before",
            message: "该差评已申诉过，不能再次申诉".into(),
        }),
        (A::Appeal, _) => refuse("followup.not_appealable", "申诉"),
        (A::ReviewAppeal { upheld }, _) if pending => Ok(FollowupState {
            status: if upheld { S::Voided } else { state.status },
            appeal: Some(if upheld {
                AppealStatus::Upheld
            } else {
                AppealStatus::Rejected
            }),
        }),
        (A::ReviewAppeal { .. }, _) => Err(FollowupConflict {
            code: "followup.no_appeal",
            message: "该整改单没有待复核的申诉".into(),
        }),
    }
}

/// The working days a department has to settle a bad rating: a setting of
/// each center (local rules range from 5 to 15; 15 is common).
pub const DEFAULT_BAD_RATING_WORKING_DAYS: u32 = 15;

/// Checks the setting.
pub fn bad_rating_working_days(raw: i64) -> Result<u32, ValidationErrors> {
    let mut e = ValidationErrors::default();
    if !(1..=30).contains(&raw) {
        e.add(
            "settings.bad_rating_days_invalid",
            "bad_rating_working_days",
            "差评整改期限应为 1 到 30 个工作日",
        );
    }
    e.into_result(raw.clamp(1, 30) as u32)
}

/// The dates a follow-up opened on `rated_on` is due, turns yellow (with
/// `yellow_working_days` working days left) and red (the day after it is
/// due): like a case, so supervision watches it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowupDates {
    pub due_date: NaiveDate,
    pub yellow_on: NaiveDate,
    pub red_on: NaiveDate,
}

pub fn followup_dates(
    calendar: &WorkCalendar,
    rated_on: NaiveDate,
    working_days: u32,
    yellow_working_days: u32,
) -> Option<FollowupDates> {
    let due_date = calendar.add_working_days(rated_on, working_days).ok()?;
    let yellow_on = calendar
        .nth_working_day_back(due_date, yellow_working_days + 1)
        .map_or(rated_on, |d| d.max(rated_on));
    Some(FollowupDates {
        due_date,
        yellow_on,
        red_on: due_date.succ_opt()?,
    })
}

/// Published figures of one unit over a period, as counts; the rates are
/// computed from them so that totals add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RatingCounts {
    /// Cases that could be rated (served in the period).
    pub cases: i64,
    /// Of those, cases with at least one valid rating.
    pub rated_cases: i64,
    /// Valid ratings (appeals upheld are not counted).
    pub ratings: i64,
    /// Valid ratings of level 1 to 3.
    pub good: i64,
    /// Valid ratings of level 4 or 5.
    pub bad: i64,
    /// Bad ratings whose follow-up is closed.
    pub rectified: i64,
    /// Of those, closed by their due date.
    pub rectified_on_time: i64,
}

impl RatingCounts {
    /// 好评率: good ratings over valid ratings, `None` without ratings.
    pub fn good_rate(&self) -> Option<f64> {
        ratio(self.good, self.ratings)
    }

    /// 差评整改率: rectified bad ratings over bad ratings, `None` without any.
    pub fn rectification_rate(&self) -> Option<f64> {
        ratio(self.rectified, self.bad)
    }

    /// 未评价率: cases without a rating over cases that could be rated.
    pub fn unrated_rate(&self) -> Option<f64> {
        ratio(self.cases - self.rated_cases, self.cases)
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part.max(0) as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: FollowupStatus, appeal: Option<AppealStatus>) -> FollowupState {
        FollowupState { status, appeal }
    }

    #[test]
    fn levels_are_numbered_as_the_standard_numbers_them() {
        assert_eq!(
            RatingLevel::from_number(1),
            Some(RatingLevel::VerySatisfied)
        );
        assert_eq!(RatingLevel::from_number(5).unwrap().label(), "非常不满意");
        assert_eq!(RatingLevel::from_number(0), None);
        assert_eq!(RatingLevel::from_number(6), None);
        let bad: Vec<i64> = RatingLevel::ALL
            .iter()
            .filter(|l| l.is_bad())
            .map(|l| l.number())
            .collect();
        assert_eq!(bad, vec![4, 5]);
        assert_eq!(serde_json::to_string(&RatingLevel::Basic).unwrap(), "3");
        assert!(serde_json::from_str::<RatingLevel>("9").is_err());
    }

    #[test]
    fn a_rating_is_checked_field_by_field() {
        let ok = NewRating::parse(
            Some(2),
            "web",
            &["服务热情".into(), "服务热情".into(), " ".into()],
            "  很好 ",
        )
        .unwrap();
        assert_eq!(ok.level, RatingLevel::Satisfied);
        assert_eq!(ok.channel, RatingChannel::Web);
        assert_eq!(ok.tags, vec!["服务热情".to_string()]);
        assert_eq!(ok.comment, "很好");

        let e = NewRating::parse(Some(7), "fax", &["随便".into()], "").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["level", "channel", "tags[0]"]);
        assert_eq!(
            NewRating::parse(None, "sms", &[], "").unwrap_err().0[0].code,
            "field.required"
        );
        let long = "长".repeat(501);
        assert_eq!(
            NewRating::parse(Some(1), "hall", &[], &long).unwrap_err().0[0].field,
            "comment"
        );
    }

    #[test]
    fn a_bad_rating_needs_a_reason() {
        let e = NewRating::parse(Some(5), "web", &[], " ").unwrap_err();
        assert_eq!(e.0[0].code, "rating.reason_required");
        // A good tag is no reason for a bad rating.
        assert!(NewRating::parse(Some(4), "web", &["服务热情".into()], "").is_err());
        assert!(NewRating::parse(Some(4), "web", &["等待时间长".into()], "").is_ok());
        assert!(NewRating::parse(Some(5), "sms", &[], "来了三次").is_ok());
    }

    #[test]
    fn only_served_cases_can_be_rated() {
        assert!(!rateable(CaseStatus::Submitted));
        for s in [
            CaseStatus::AwaitingCorrection,
            CaseStatus::Accepted,
            CaseStatus::Refused,
            CaseStatus::Delivered,
        ] {
            assert!(rateable(s), "{s:?}");
        }
    }

    #[test]
    fn a_followup_goes_verify_rectify_revisit() {
        use FollowupAction as A;
        use FollowupStatus as S;
        let s = state(S::Verifying, None);
        let s = followup_after(s, A::Verify).unwrap();
        assert_eq!(s.status, S::Rectifying);
        let s = followup_after(s, A::Rectify).unwrap();
        assert_eq!(s.status, S::Revisiting);
        // Still unhappy at the return visit: rectify again.
        let again = followup_after(s, A::Revisit { satisfied: false }).unwrap();
        assert_eq!(again.status, S::Rectifying);
        let done = followup_after(s, A::Revisit { satisfied: true }).unwrap();
        assert_eq!(done.status, S::Closed);
        assert!(!done.status.is_open());
        for a in [
            A::Verify,
            A::Rectify,
            A::Revisit { satisfied: true },
            A::Appeal,
        ] {
            assert!(followup_after(done, a).is_err(), "{a:?}");
        }
        assert_eq!(
            followup_after(state(S::Verifying, None), A::Rectify)
                .unwrap_err()
                .code,
            "followup.not_rectifying"
        );
    }

    #[test]
    fn an_appeal_is_made_once_and_holds_everything_until_reviewed() {
        use FollowupAction as A;
        use FollowupStatus as S;
        let s = followup_after(state(S::Verifying, None), A::Appeal).unwrap();
        assert_eq!(s, state(S::Verifying, Some(AppealStatus::Pending)));
        assert_eq!(
            followup_after(s, A::Verify).unwrap_err().code,
            "followup.appeal_pending"
        );
        let upheld = followup_after(s, A::ReviewAppeal { upheld: true }).unwrap();
        assert_eq!(upheld, state(S::Voided, Some(AppealStatus::Upheld)));
        assert!(!upheld.status.is_open());
        let rejected = followup_after(s, A::ReviewAppeal { upheld: false }).unwrap();
        assert_eq!(rejected, state(S::Verifying, Some(AppealStatus::Rejected)));
        assert_eq!(
            followup_after(rejected, A::Appeal).unwrap_err().code,
            "followup.appealed_before"
        );
        assert_eq!(
            followup_after(rejected, A::ReviewAppeal { upheld: true })
                .unwrap_err()
                .code,
            "followup.no_appeal"
        );
        // Not after the rectification is done.
        assert!(followup_after(state(S::Revisiting, None), A::Appeal).is_err());
        assert!(A::ReviewAppeal { upheld: true }.by_supervisor());
        assert!(!A::Appeal.by_supervisor());
        assert!(A::Verify.note("  ").is_err());
    }

    #[test]
    fn a_followup_is_due_in_working_days_across_national_day() {
        let cal = WorkCalendar::with_official();
        // Rated on Wed 30 Sep 2026: 15 working days skip 1–7 Oct and count
        // Sat 10 Oct (a make-up working day): Oct 8, 9, 10, 12–16, 19–23, 26, 27.
        let d = followup_dates(&cal, NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(), 15, 2).unwrap();
        assert_eq!(d.due_date, NaiveDate::from_ymd_opt(2026, 10, 27).unwrap());
        // With two working days left (26 and 27 Oct) it is yellow: from the
        // third working day back from the due date, Fri 23 Oct.
        assert_eq!(d.yellow_on, NaiveDate::from_ymd_opt(2026, 10, 23).unwrap());
        assert_eq!(d.red_on, NaiveDate::from_ymd_opt(2026, 10, 28).unwrap());
        assert_eq!(
            bad_rating_working_days(0).unwrap_err().0[0].field,
            "bad_rating_working_days"
        );
        assert_eq!(bad_rating_working_days(15).unwrap(), 15);
    }

    #[test]
    fn rates_come_from_counts() {
        let c = RatingCounts {
            cases: 10,
            rated_cases: 8,
            ratings: 9,
            good: 6,
            bad: 3,
            rectified: 2,
            rectified_on_time: 1,
        };
        assert_eq!(c.good_rate(), Some(6.0 / 9.0));
        assert_eq!(c.rectification_rate(), Some(2.0 / 3.0));
        assert_eq!(c.unrated_rate(), Some(0.2));
        assert_eq!(RatingCounts::default().good_rate(), None);
    }
}
