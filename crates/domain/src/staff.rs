//! Staff (工作人员) posted to the hall: the roster of seed 001 attachment 3
//! (进驻大厅人员花名报送表), the rules of its back page, AB posts, replacement
//! requests, the authorisation matrix (授权矩阵) and attendance (考勤).
//!
//! Seed 001's rules, as read here:
//! - "年龄控制在45岁以下": a person is flagged when older than 45 (completed
//!   years, from the birth date in the ID number) on the day they joined the
//!   center; 45 itself is allowed.
//! - "进驻大厅工作未满两年不得更换，确需更换的要以书面正式文件报经政务服务局…同意":
//!   (1) a person whose contract or service term ends less than two years
//!   after joining is flagged (their term is shorter than the posting the
//!   rule expects); (2) every replacement goes through the center's approval,
//!   and a request to replace someone who has served under two years is
//!   flagged as needing the written document.
//! - "工作人员至少2名，实行AB岗制度": each window has an A and a B post filled
//!   by two different people; a window with one person (or none) is flagged.
//! - Terms (contracts, volunteer service) ending within 30 days are flagged.

use crate::case::Action;
use crate::hall::HallHours;
use crate::identity::{IdCardNumber, is_service_phone};
use crate::macros::coded_enum;
use crate::validation::ValidationErrors;
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// The oldest a person may be when posted to the hall (seed 001).
pub const MAX_AGE_AT_POSTING: u32 = 45;
/// The years a person is expected to serve at the hall (seed 001).
pub const MIN_YEARS_AT_CENTER: i32 = 2;
/// Terms ending within this many days are flagged.
pub const TERM_WARNING_DAYS: i64 = 30;

coded_enum!(
    /// 身份性质: how the person is employed.
    EmploymentKind {
        Formal = "formal", "正式";
        Contract = "contract", "聘用";
        PublicPost = "public_post", "公岗";
        Volunteer = "volunteer", "志愿者";
    }
);

coded_enum!(
    /// The AB post (AB岗) at a window.
    Post {
        A = "A", "A岗";
        B = "B", "B岗";
    }
);

coded_enum!(
    /// 性别.
    Sex {
        Male = "male", "男";
        Female = "female", "女";
    }
);

coded_enum!(
    /// 人员类别: the lines of the roster form.
    RosterRole {
        Leader = "leader", "分管领导";
        Chief = "chief", "首席负责人";
        Clerk = "clerk", "窗口工作人员";
    }
);

/// A roster entry as entered (form, API, a row of the roster form), unchecked.
/// Department and window are resolved to ids by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffInput {
    pub name: String,
    pub sex: String,
    pub ethnicity: String,
    pub id_number: String,
    pub education: String,
    pub political_status: String,
    pub employment: String,
    pub phone: String,
    pub notes: String,
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    pub post: String,
    /// `YYYY-MM-DD`.
    pub joined_on: String,
    /// `YYYY-MM-DD` or empty.
    pub term_ends_on: String,
    pub user_id: Option<i64>,
}

/// A roster entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub name: String,
    pub sex: Sex,
    pub ethnicity: String,
    pub id_number: IdCardNumber,
    pub education: String,
    pub political_status: String,
    pub employment: EmploymentKind,
    pub phone: String,
    pub notes: String,
    pub department_id: i64,
    pub window_id: Option<i64>,
    pub post: Option<Post>,
    pub joined_on: NaiveDate,
    pub term_ends_on: Option<NaiveDate>,
    pub user_id: Option<i64>,
}

/// A date as typed: `2026-09-30`, `2026/9/30` or `2026.9.30`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim().replace(['/', '.'], "-");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()
}

fn text(
    e: &mut ValidationErrors,
    field: String,
    raw: &str,
    label: &str,
    max: usize,
    required: bool,
) -> String {
    let t = raw.trim();
    if required && t.is_empty() {
        e.add("field.required", field, format!("请填写{label}"));
    } else if t.chars().count() > max {
        e.add("field.too_long", field, format!("{label}不能超过{max}个字"));
    }
    t.to_string()
}

impl NewStaff {
    /// Checks every field, naming each problem (`prefix` for rows of an
    /// import: `rows[3].id_number`).
    pub fn parse(input: &StaffInput, prefix: &str) -> Result<NewStaff, ValidationErrors> {
        let f = |name: &str| format!("{prefix}{name}");
        let mut e = ValidationErrors::default();
        let name = text(&mut e, f("name"), &input.name, "姓名", 30, true);
        let ethnicity = text(&mut e, f("ethnicity"), &input.ethnicity, "民族", 10, false);
        let education = text(
            &mut e,
            f("education"),
            &input.education,
            "文化程度",
            20,
            false,
        );
        let political_status = text(
            &mut e,
            f("political_status"),
            &input.political_status,
            "政治面貌",
            20,
            false,
        );
        let notes = text(&mut e, f("notes"), &input.notes, "备注", 200, false);
        let id_number = match IdCardNumber::parse(&input.id_number) {
            Ok(id) => Some(id),
            Err(err) => {
                e.add(
                    "staff.id_number_invalid",
                    f("id_number"),
                    err.message("身份证号"),
                );
                None
            }
        };
        let sex = match input.sex.trim() {
            "" => id_number
                .as_ref()
                .map(|id| if id.is_male() { Sex::Male } else { Sex::Female }),
            raw => {
                let sex = Sex::parse(raw);
                if sex.is_none() {
                    e.add("staff.sex_invalid", f("sex"), "性别应为“男”或“女”");
                }
                sex
            }
        };
        if let (Some(s), Some(id)) = (sex, &id_number)
            && (s == Sex::Male) != id.is_male()
        {
            e.add("staff.sex_mismatch", f("sex"), "性别与身份证号不符");
        }
        let employment = EmploymentKind::parse(&input.employment);
        if employment.is_none() {
            e.add(
                "staff.employment_invalid",
                f("employment"),
                "身份性质应为正式、聘用、公岗或志愿者",
            );
        }
        let phone = input.phone.trim().to_string();
        if !phone.is_empty() && !is_service_phone(&phone) {
            e.add("staff.phone_invalid", f("phone"), "联系电话格式不正确");
        }
        if input.department_id.is_none() {
            e.add("field.required", f("department_id"), "请选择所属单位");
        }
        let post = match input.post.trim() {
            "" => None,
            raw => {
                let p = Post::parse(raw).or_else(|| Post::parse(&raw.to_ascii_uppercase()));
                if p.is_none() {
                    e.add("staff.post_invalid", f("post"), "岗位应为A岗或B岗");
                }
                p
            }
        };
        if post.is_some() && input.window_id.is_none() {
            e.add(
                "staff.post_without_window",
                f("window_id"),
                "设了岗位的人员须填写窗口",
            );
        }
        let joined_on = parse_date(&input.joined_on);
        if joined_on.is_none() {
            let msg = if input.joined_on.trim().is_empty() {
                "请填写进驻日期"
            } else {
                "进驻日期格式应为2026-09-30"
            };
            e.add("staff.joined_on_invalid", f("joined_on"), msg);
        }
        let term_ends_on = match input.term_ends_on.trim() {
            "" => None,
            raw => {
                let d = parse_date(raw);
                if d.is_none() {
                    e.add(
                        "staff.term_ends_on_invalid",
                        f("term_ends_on"),
                        "合同（服务）截止日期格式应为2026-09-30",
                    );
                }
                d
            }
        };
        if let (Some(j), Some(t)) = (joined_on, term_ends_on)
            && t < j
        {
            e.add(
                "staff.term_before_joining",
                f("term_ends_on"),
                "合同（服务）截止日期不能早于进驻日期",
            );
        }
        if employment == Some(EmploymentKind::Volunteer) && term_ends_on.is_none() {
            e.add(
                "staff.volunteer_term_required",
                f("term_ends_on"),
                "志愿者须填写服务截止日期",
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(NewStaff {
            name,
            sex: sex.expect("checked"),
            ethnicity,
            id_number: id_number.expect("checked"),
            education,
            political_status,
            employment: employment.expect("checked"),
            phone,
            notes,
            department_id: input.department_id.expect("checked"),
            window_id: input.window_id,
            post,
            joined_on: joined_on.expect("checked"),
            term_ends_on,
            user_id: input.user_id,
        })
    }
}

/// Completed years from `birth` to `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// `date` plus whole years (29 February becomes 28 February).
pub fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    date.with_year(date.year() + years).unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(date.year() + years, date.month(), 28).expect("28th exists")
    })
}

coded_enum!(
    /// Something about a person the roster shows.
    StaffFlag {
        OverAge = "over_age", "进驻时年龄超过45岁";
        ShortTerm = "short_term", "服务期不足两年";
        TermEnding = "term_ending", "合同（服务）30日内到期";
        TermEnded = "term_ended", "合同（服务）已到期";
        NoWindow = "no_window", "未安排窗口岗位";
    }
);

/// What the flags of one person are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffFacts {
    pub birth_date: NaiveDate,
    pub joined_on: NaiveDate,
    pub term_ends_on: Option<NaiveDate>,
    pub has_post: bool,
}

/// The flags of one person standing on `today`.
pub fn staff_flags(s: &StaffFacts, today: NaiveDate) -> Vec<StaffFlag> {
    let mut out = Vec::new();
    if age_on(s.birth_date, s.joined_on) > MAX_AGE_AT_POSTING {
        out.push(StaffFlag::OverAge);
    }
    if let Some(end) = s.term_ends_on {
        if end < add_years(s.joined_on, MIN_YEARS_AT_CENTER) {
            out.push(StaffFlag::ShortTerm);
        }
        if end < today {
            out.push(StaffFlag::TermEnded);
        } else if (end - today).num_days() <= TERM_WARNING_DAYS {
            out.push(StaffFlag::TermEnding);
        }
    }
    if !s.has_post {
        out.push(StaffFlag::NoWindow);
    }
    out
}

/// Whether replacing someone who joined on `joined_on` on `today` is early:
/// under two years at the center, it needs the written approval.
pub fn replacement_is_early(joined_on: NaiveDate, today: NaiveDate) -> bool {
    today < add_years(joined_on, MIN_YEARS_AT_CENTER)
}

coded_enum!(
    /// How a window's AB posts are filled.
    WindowStaffing {
        Full = "full", "AB岗齐全";
        Single = "single", "仅一人在岗";
        Empty = "empty", "无人在岗";
    }
);

/// The staffing of a window from the posts its people hold (each post at
/// most once: the store's unique index sees to that).
pub fn window_staffing(posts: &[Post]) -> WindowStaffing {
    let a = posts.contains(&Post::A);
    let b = posts.contains(&Post::B);
    match (a, b) {
        (true, true) => WindowStaffing::Full,
        (false, false) => WindowStaffing::Empty,
        _ => WindowStaffing::Single,
    }
}

coded_enum!(
    /// Where a replacement request (换岗申请) stands.
    ReplacementStatus {
        Pending = "pending", "待审批";
        Approved = "approved", "已批准";
        Rejected = "rejected", "已驳回";
    }
);

/// The status after a decision, or the Chinese reason it cannot be taken.
pub fn replacement_after(
    status: ReplacementStatus,
    approve: bool,
) -> Result<ReplacementStatus, String> {
    match status {
        ReplacementStatus::Pending if approve => Ok(ReplacementStatus::Approved),
        ReplacementStatus::Pending => Ok(ReplacementStatus::Rejected),
        other => Err(format!("该申请已{}，不能再审批", other.label())),
    }
}

coded_enum!(
    /// The steps of an item at the window the authorisation matrix governs.
    /// Suspending, resuming and asking for an extension follow from a step
    /// already authorised; extending is the chief representative's and
    /// confirming a payment the bank's or finance's, so none is in the matrix.
    MatrixStep {
        Accept = "accept", "受理（含收取补正、容缺材料）";
        Refuse = "refuse", "不予受理";
        Notify = "notify", "一次性告知";
        Review = "review", "审查（办理环节）";
        Conclude = "conclude", "办结（作出决定）";
        Fee = "fee", "开具缴费通知";
        Deliver = "deliver", "送达";
    }
);

impl MatrixStep {
    /// The step an action belongs to, if the matrix governs it.
    pub fn of(action: &Action) -> Option<MatrixStep> {
        Some(match action {
            Action::Accept { .. } | Action::Resubmit { .. } | Action::SupplyPromised { .. } => {
                MatrixStep::Accept
            }
            Action::Refuse { .. } => MatrixStep::Refuse,
            Action::Notify { .. } => MatrixStep::Notify,
            Action::CompleteStep { .. } => MatrixStep::Review,
            Action::Conclude { .. } => MatrixStep::Conclude,
            Action::IssueFeeNotice => MatrixStep::Fee,
            Action::Deliver { .. } => MatrixStep::Deliver,
            Action::Suspend { .. }
            | Action::Resume { .. }
            | Action::RequestExtension { .. }
            | Action::Extend { .. }
            | Action::ConfirmPayment { .. } => return None,
        })
    }
}

/// Whether the matrix lets a person take `step`. The rule: a department
/// with no entries in its matrix at all keeps the roles' own rules (`None`
/// for `department_entries`: nothing restricts); once a department has
/// entries, window clerks and approvers may take a governed step only on an
/// item they are authorised for (the chief representative, fully
/// authorised by the department, is never restricted).
pub fn matrix_allows(
    role: crate::access::Role,
    department_has_matrix: bool,
    step: MatrixStep,
    allowed: &[MatrixStep],
) -> bool {
    use crate::access::Role;
    if !department_has_matrix || !matches!(role, Role::Clerk | Role::Approver) {
        return true;
    }
    allowed.contains(&step)
}

// ------------------------------------------------------------- attendance

/// One person's record of one day, in Beijing local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayRecord {
    pub signed_in: Option<NaiveTime>,
    pub signed_out: Option<NaiveTime>,
}

/// What a day counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DayMark {
    pub present: bool,
    pub late: bool,
    pub early_leave: bool,
    pub absent: bool,
}

fn minute(t: NaiveTime) -> NaiveTime {
    NaiveTime::from_hms_opt(chrono::Timelike::hour(&t), chrono::Timelike::minute(&t), 0)
        .expect("valid time")
}

/// Marks a day: on a non-working day nothing counts; signed in after the
/// morning opens is late (by the minute: 9:00:59 is on time); signed out
/// before the hall closes — or not signed out once the day is over — is an
/// early leave; a working day that is over with no sign-in is an absence.
/// A day still running (`over` false) is never an absence.
pub fn mark_day(hours: &HallHours, working: bool, over: bool, r: DayRecord) -> DayMark {
    if !working {
        return DayMark {
            present: r.signed_in.is_some(),
            ..Default::default()
        };
    }
    let Some(signed_in) = r.signed_in else {
        return DayMark {
            absent: over,
            ..Default::default()
        };
    };
    let close = hours.afternoon().map_or(hours.morning().1, |pm| pm.1);
    DayMark {
        present: true,
        late: minute(signed_in) > hours.morning().0,
        early_leave: match r.signed_out {
            Some(out) => out < close,
            None => over,
        },
        absent: false,
    }
}

/// A person's month for performance scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MonthTally {
    pub working_days: u32,
    pub present: u32,
    pub late: u32,
    pub early_leave: u32,
    pub absent: u32,
}

impl MonthTally {
    pub fn add(&mut self, working: bool, m: DayMark) {
        self.working_days += u32::from(working);
        self.present += u32::from(m.present && working);
        self.late += u32::from(m.late);
        self.early_leave += u32::from(m.early_leave);
        self.absent += u32::from(m.absent);
    }
}

/// `2026-10` to its first and last day.
pub fn month_bounds(raw: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d").ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn input() -> StaffInput {
        StaffInput {
            name: "张敏".into(),
            sex: "男".into(),
            ethnicity: "汉族".into(),
            id_number: "110101199003074514".into(),
            education: "本科".into(),
            political_status: "中共党员".into(),
            employment: "正式".into(),
            phone: "13800000001".into(),
            department_id: Some(1),
            window_id: Some(2),
            post: "A岗".into(),
            joined_on: "2025-03-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_entry_parses() {
        let s = NewStaff::parse(&input(), "").unwrap();
        assert_eq!(s.post, Some(Post::A));
        assert_eq!(s.employment, EmploymentKind::Formal);
        assert_eq!(s.joined_on, d("2025-03-01"));
        let mut i = input();
        i.post = "b".into();
        i.sex = String::new();
        let s = NewStaff::parse(&i, "").unwrap();
        assert_eq!((s.post, s.sex), (Some(Post::B), Sex::Male));
    }

    #[test]
    fn problems_are_named_by_field() {
        let mut i = input();
        i.id_number = "110101199003074515".into();
        i.employment = "临时".into();
        i.window_id = None;
        i.joined_on = "2025/13/01".into();
        let e = NewStaff::parse(&i, "rows[2].").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rows[2].id_number",
                "rows[2].employment",
                "rows[2].window_id",
                "rows[2].joined_on"
            ]
        );
        assert_eq!(e.0[0].message, "身份证号校验位不正确");
        let mut i = input();
        i.sex = "女".into();
        assert_eq!(
            NewStaff::parse(&i, "").unwrap_err().0[0].code,
            "staff.sex_mismatch"
        );
        let mut i = input();
        i.employment = "志愿者".into();
        assert_eq!(
            NewStaff::parse(&i, "").unwrap_err().0[0].field,
            "term_ends_on"
        );
    }

    #[test]
    fn age_at_posting_counts_completed_years() {
        assert_eq!(age_on(d("1980-10-01"), d("2025-09-30")), 44);
        assert_eq!(age_on(d("1980-10-01"), d("2025-10-01")), 45);
        let facts = |birth: &str| StaffFacts {
            birth_date: d(birth),
            joined_on: d("2026-03-01"),
            term_ends_on: None,
            has_post: true,
        };
        // 45 on the day of posting is allowed; 46 is not.
        assert!(staff_flags(&facts("1981-03-01"), d("2026-09-30")).is_empty());
        assert_eq!(
            staff_flags(&facts("1980-02-28"), d("2026-09-30")),
            [StaffFlag::OverAge]
        );
    }

    #[test]
    fn terms_are_flagged_when_short_or_ending() {
        let today = d("2026-09-30");
        let facts = |joined: &str, end: &str| StaffFacts {
            birth_date: d("1990-01-01"),
            joined_on: d(joined),
            term_ends_on: Some(d(end)),
            has_post: true,
        };
        assert!(staff_flags(&facts("2025-01-01", "2027-01-01"), today).is_empty());
        assert_eq!(
            staff_flags(&facts("2025-01-01", "2026-12-31"), today),
            [StaffFlag::ShortTerm]
        );
        // 30 days ahead is within the warning, 31 is not.
        assert_eq!(
            staff_flags(&facts("2024-01-01", "2026-10-30"), today),
            [StaffFlag::TermEnding]
        );
        assert!(staff_flags(&facts("2024-01-01", "2026-10-31"), today).is_empty());
        assert_eq!(
            staff_flags(&facts("2024-01-01", "2026-09-29"), today),
            [StaffFlag::TermEnded]
        );
        assert!(replacement_is_early(d("2025-01-01"), d("2026-12-31")));
        assert!(!replacement_is_early(d("2025-01-01"), d("2027-01-01")));
    }

    #[test]
    fn a_window_needs_both_posts() {
        assert_eq!(window_staffing(&[Post::A, Post::B]), WindowStaffing::Full);
        assert_eq!(window_staffing(&[Post::B]), WindowStaffing::Single);
        assert_eq!(window_staffing(&[]), WindowStaffing::Empty);
    }

    #[test]
    fn a_replacement_is_decided_once() {
        assert_eq!(
            replacement_after(ReplacementStatus::Pending, true),
            Ok(ReplacementStatus::Approved)
        );
        assert_eq!(
            replacement_after(ReplacementStatus::Pending, false),
            Ok(ReplacementStatus::Rejected)
        );
        assert!(replacement_after(ReplacementStatus::Approved, false).is_err());
    }

    #[test]
    fn the_matrix_restricts_only_departments_that_have_one() {
        use MatrixStep::*;
        assert!(matrix_allows(Role::Clerk, false, Conclude, &[]));
        assert!(!matrix_allows(Role::Clerk, true, Conclude, &[Accept]));
        assert!(matrix_allows(Role::Clerk, true, Accept, &[Accept]));
        assert!(matrix_allows(Role::ChiefRep, true, Conclude, &[]));
        assert!(!matrix_allows(Role::Approver, true, Review, &[]));
        assert_eq!(
            MatrixStep::of(&Action::Refuse { reason: "x".into() }),
            Some(Refuse)
        );
        assert_eq!(MatrixStep::of(&Action::IssueFeeNotice), Some(Fee));
    }

    #[test]
    fn days_are_marked_from_the_hall_hours() {
        let hours = HallHours::default();
        let t = |h, m| Some(NaiveTime::from_hms_opt(h, m, 30).unwrap());
        let on_time = mark_day(
            &hours,
            true,
            true,
            DayRecord {
                signed_in: t(9, 0),
                signed_out: t(17, 0),
            },
        );
        assert_eq!(
            on_time,
            DayMark {
                present: true,
                ..Default::default()
            }
        );
        let late = mark_day(
            &hours,
            true,
            true,
            DayRecord {
                signed_in: t(9, 1),
                signed_out: t(16, 59),
            },
        );
        assert!(late.late && late.early_leave && late.present);
        assert!(mark_day(&hours, true, true, DayRecord::default()).absent);
        assert!(!mark_day(&hours, true, false, DayRecord::default()).absent);
        assert!(!mark_day(&hours, false, true, DayRecord::default()).absent);
        let mut tally = MonthTally::default();
        tally.add(true, late);
        tally.add(false, DayMark::default());
        assert_eq!((tally.working_days, tally.present, tally.late), (1, 1, 1));
        assert_eq!(
            month_bounds("2026-02"),
            Some((d("2026-02-01"), d("2026-02-28")))
        );
        assert_eq!(month_bounds("2026-13"), None);
    }
}
