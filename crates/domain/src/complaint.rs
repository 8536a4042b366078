//! Complaints and requests (投诉 / 12345 诉求): taken in at the hall, on the
//! web or from the 12345 hotline, routed to the responsible department, due
//! in working days by category, answered to the person who raised them and
//! closed with their satisfaction.
//!
//! received (待交办) → assigned (已交办) → handling (办理中) → replied
//! (已答复) → closed (已办结); a department sends back what is not its own, a
//! supervisor returns an insufficient answer and reopens a closed one when the
//! person is still not satisfied.

use crate::case::is_contact_phone;
use crate::macros::coded_enum;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// Where a complaint came in.
    ComplaintSource {
        Hall = "hall", "大厅登记";
        Web = "web", "网上投诉";
        Hotline = "hotline", "12345热线";
    }
);

coded_enum!(
    /// What it is about; each category has its time limit.
    ComplaintCategory {
        Attitude = "attitude", "服务态度";
        Delay = "delay", "办事拖延";
        Irregular = "irregular", "违规办理";
        Fees = "fees", "乱收费";
        Consultation = "consultation", "政策咨询";
        Suggestion = "suggestion", "意见建议";
        Other = "other", "其他";
    }
);

impl ComplaintCategory {
    /// The working days the department has to answer (12345 practice:
    /// consultations quickly, investigations longer).
    pub fn sla_working_days(self) -> u32 {
        match self {
            Self::Consultation => 3,
            Self::Attitude | Self::Delay | Self::Other => 5,
            Self::Irregular | Self::Fees | Self::Suggestion => 10,
        }
    }

    /// A complaint against the service (counted against the unit in scores),
    /// as opposed to a question or a suggestion.
    pub fn is_complaint(self) -> bool {
        !matches!(self, Self::Consultation | Self::Suggestion)
    }
}

coded_enum!(
    /// Where a complaint stands.
    ComplaintStatus {
        Received = "received", "待交办";
        Assigned = "assigned", "已交办待签收";
        Handling = "handling", "办理中";
        Replied = "replied", "已答复待审核";
        Closed = "closed", "已办结";
    }
);

impl ComplaintStatus {
    /// Still to be answered: its time limit runs.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Assigned | Self::Handling)
    }
}

coded_enum!(
    /// The complainant's satisfaction with the answer (回访).
    Satisfaction {
        Satisfied = "satisfied", "满意";
        Basic = "basic", "基本满意";
        Dissatisfied = "dissatisfied", "不满意";
    }
);

coded_enum!(
    /// What happened to a complaint.
    ComplaintEventKind {
        Received = "received", "登记";
        Assigned = "assigned", "交办";
        SentBack = "sent_back", "部门退回（非本部门职责）";
        Accepted = "accepted", "签收";
        Replied = "replied", "答复";
        Returned = "returned", "退回重办";
        Closed = "closed", "回访办结";
        Reopened = "reopened", "重新办理";
    }
);

/// A step in a complaint's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintAction {
    /// A supervisor routes it to a department (or to another one).
    Assign { department_id: i64 },
    /// The department says it is not its own.
    SendBack,
    /// The department signs for it (签收).
    Accept,
    /// The department answers the complainant.
    Reply,
    /// A supervisor finds the answer insufficient.
    Return,
    /// A supervisor closes it with the complainant's satisfaction.
    Close { satisfaction: Satisfaction },
    /// A supervisor reopens it (the complainant is still not satisfied).
    Reopen,
}

impl ComplaintAction {
    pub fn event(self) -> ComplaintEventKind {
        match self {
            Self::Assign { .. } => ComplaintEventKind::Assigned,
            Self::SendBack => ComplaintEventKind::SentBack,
            Self::Accept => ComplaintEventKind::Accepted,
            Self::Reply => ComplaintEventKind::Replied,
            Self::Return => ComplaintEventKind::Returned,
            Self::Close { .. } => ComplaintEventKind::Closed,
            Self::Reopen => ComplaintEventKind::Reopened,
        }
    }

    /// Taken by the center's supervisors; the others by the department.
    pub fn by_supervisor(self) -> bool {
        matches!(
            self,
            Self::Assign { .. } | Self::Return | Self::Close { .. } | Self::Reopen
        )
    }

    /// The note that goes with the step, checked: an answer, a sending back,
    /// a return and a reopening need one.
    pub fn note(self, raw: &str) -> Result<String, ValidationErrors> {
        let label = match self {
            Self::Reply => Some("答复内容"),
            Self::SendBack => Some("退回理由"),
            Self::Return => Some("退回意见"),
            Self::Reopen => Some("重新办理的理由"),
            Self::Assign { .. } | Self::Accept | Self::Close { .. } => None,
        };
        let t = raw.trim();
        let mut e = ValidationErrors::default();
        if t.is_empty()
            && let Some(l) = label
        {
            e.add("field.required", "note", format!("请填写{l}"));
        } else if t.chars().count() > 2000 {
            e.add("field.too_long", "note", "内容不能超过2000个字");
        }
        e.into_result(t.to_string())
    }
}

/// A refused step: a stable code and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintConflict {
    pub code: &'static str,
    pub message: String,
}

/// The status a complaint moves to, or why it cannot.
pub fn complaint_after(
    status: ComplaintStatus,
    action: ComplaintAction,
) -> Result<ComplaintStatus, ComplaintConflict> {
    use ComplaintAction as A;
    use ComplaintStatus as S;
    let refuse = |code, what: &str| {
        Err(ComplaintConflict {
            code,
            message: format!("诉求当前为“{}”，不能{what}", status.label()),
        })
    };
    match (action, status) {
        (A::Assign { .. }, S::Received | S::Assigned) => Ok(S::Assigned),
        (A::Assign { .. }, _) => refuse("complaint.not_assignable", "交办"),
        (A::SendBack, S::Assigned) => Ok(S::Received),
        (A::SendBack, _) => refuse("complaint.not_assigned", "退回"),
        (A::Accept, S::Assigned) => Ok(S::Handling),
        (A::Accept, _) => refuse("complaint.not_assigned", "签收"),
        (A::Reply, S::Handling) => Ok(S::Replied),
        (A::Reply, _) => refuse("complaint.not_handling", "答复"),
        (A::Return, S::Replied) => Ok(S::Handling),
        (A::Return, _) => refuse("complaint.not_replied", "退回重办"),
        (A::Close { .. }, S::Replied) => Ok(S::Closed),
        (A::Close { .. }, _) => refuse("complaint.not_replied", "办结"),
        (A::Reopen, S::Closed) => Ok(S::Handling),
        (A::Reopen, _) => refuse("complaint.not_closed", "重新办理"),
    }
}

/// A complaint as it is entered (a form, the API, a row of a hotline
/// export), unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintInput {
    pub source: String,
    pub category: String,
    pub complainant_name: String,
    pub phone: String,
    pub content: String,
    /// The case it is about, if any.
    pub case_no: String,
    /// The staff member it is about, by name, if any.
    pub staff_name: String,
    /// The 12345 work order number (工单编号), for imported ones.
    pub external_no: String,
}

/// A complaint, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub source: ComplaintSource,
    pub category: ComplaintCategory,
    pub complainant_name: String,
    pub phone: String,
    pub content: String,
    pub case_no: Option<String>,
    pub staff_name: Option<String>,
    pub external_no: Option<String>,
}

fn optional(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl NewComplaint {
    /// Checks every field, naming each problem (`prefix` for rows of an
    /// import: `rows[3].phone`).
    pub fn parse(input: &ComplaintInput, prefix: &str) -> Result<Self, ValidationErrors> {
        let f = |name: &str| format!("{prefix}{name}");
        let mut e = ValidationErrors::default();
        let source = ComplaintSource::parse(&input.source);
        if source.is_none() {
            e.add(
                "complaint.source_invalid",
                f("source"),
                "来源应为 hall（大厅）、web（网上）或 hotline（12345热线）",
            );
        }
        let category = ComplaintCategory::parse(&input.category);
        if category.is_none() {
            let names: Vec<&str> = ComplaintCategory::ALL.iter().map(|c| c.label()).collect();
            e.add(
                "complaint.category_invalid",
                f("category"),
                format!("诉求类别应为：{}", names.join("、")),
            );
        }
        let name = input.complainant_name.trim();
        if name.chars().count() > 50 {
            e.add(
                "field.too_long",
                f("complainant_name"),
                "诉求人姓名不能超过50个字",
            );
        }
        let phone = input.phone.trim();
        if phone.is_empty() {
            e.add("field.required", f("phone"), "请填写联系电话，以便答复");
        } else if !is_contact_phone(phone) {
            e.add(
                "complaint.phone_invalid",
                f("phone"),
                "联系电话应为11位手机号或带区号的固定电话",
            );
        }
        let content = input.content.trim();
        if content.is_empty() {
            e.add("field.required", f("content"), "请填写诉求内容");
        } else if content.chars().count() > 2000 {
            e.add("field.too_long", f("content"), "诉求内容不能超过2000个字");
        }
        if input.staff_name.trim().chars().count() > 50 {
            e.add(
                "field.too_long",
                f("staff_name"),
                "被投诉人员姓名不能超过50个字",
            );
        }
        if input.external_no.trim().chars().count() > 50 {
            e.add("field.too_long", f("external_no"), "工单编号不能超过50个字");
        }
        match (source, category) {
            (Some(source), Some(category)) if e.is_empty() => Ok(Self {
                source,
                category,
                complainant_name: if name.is_empty() {
                    "匿名".into()
                } else {
                    name.to_string()
                },
                phone: phone.to_string(),
                content: content.to_string(),
                case_no: optional(&input.case_no).map(|c| c.to_uppercase()),
                staff_name: optional(&input.staff_name),
                external_no: optional(&input.external_no),
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ComplaintInput {
        ComplaintInput {
            source: "hotline".into(),
            category: "办事拖延".into(),
            complainant_name: " 刘女士 ".into(),
            phone: "13947110002".into(),
            content: "养老保险转移申请提交一个月没有结果".into(),
            case_no: "xc-20260930-00001".into(),
            staff_name: String::new(),
            external_no: "12345-2026-0001".into(),
        }
    }

    #[test]
    fn a_complaint_is_checked_field_by_field() {
        let c = NewComplaint::parse(&input(), "").unwrap();
        assert_eq!(c.source, ComplaintSource::Hotline);
        assert_eq!(c.category, ComplaintCategory::Delay);
        assert_eq!(c.complainant_name, "刘女士");
        assert_eq!(c.case_no.as_deref(), Some("XC-20260930-00001"));
        assert_eq!(c.staff_name, None);

        let bad = ComplaintInput {
            source: "fax".into(),
            category: "x".into(),
            phone: "12345".into(),
            content: " ".into(),
            ..input()
        };
        let e = NewComplaint::parse(&bad, "rows[2].").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "rows[2].source",
                "rows[2].category",
                "rows[2].phone",
                "rows[2].content"
            ]
        );
        let anonymous = ComplaintInput {
            complainant_name: String::new(),
            ..input()
        };
        assert_eq!(
            NewComplaint::parse(&anonymous, "")
                .unwrap()
                .complainant_name,
            "匿名"
        );
    }

    #[test]
    fn time_limits_depend_on_the_category() {
        assert_eq!(ComplaintCategory::Consultation.sla_working_days(), 3);
        assert_eq!(ComplaintCategory::Attitude.sla_working_days(), 5);
        assert_eq!(ComplaintCategory::Irregular.sla_working_days(), 10);
        assert!(ComplaintCategory::Fees.is_complaint());
        assert!(!ComplaintCategory::Suggestion.is_complaint());
    }

    #[test]
    fn the_lifecycle_with_send_back_return_and_reopen() {
        use ComplaintAction as A;
        use ComplaintStatus as S;
        let assign = A::Assign { department_id: 3 };
        assert_eq!(complaint_after(S::Received, assign), Ok(S::Assigned));
        assert_eq!(complaint_after(S::Assigned, assign), Ok(S::Assigned));
        assert_eq!(complaint_after(S::Assigned, A::SendBack), Ok(S::Received));
        assert_eq!(complaint_after(S::Assigned, A::Accept), Ok(S::Handling));
        assert_eq!(complaint_after(S::Handling, A::Reply), Ok(S::Replied));
        assert_eq!(complaint_after(S::Replied, A::Return), Ok(S::Handling));
        let close = A::Close {
            satisfaction: Satisfaction::Satisfied,
        };
        assert_eq!(complaint_after(S::Replied, close), Ok(S::Closed));
        assert_eq!(complaint_after(S::Closed, A::Reopen), Ok(S::Handling));
        assert_eq!(
            complaint_after(S::Received, A::Reply).unwrap_err().code,
            "complaint.not_handling"
        );
        assert!(complaint_after(S::Handling, assign).is_err());
        assert!(complaint_after(S::Closed, close).is_err());
        assert!(S::Handling.is_open() && !S::Replied.is_open());
        assert!(assign.by_supervisor() && !A::Reply.by_supervisor());
        assert!(A::Reply.note(" ").is_err());
        assert_eq!(A::Accept.note(" ").unwrap(), "");
    }
}
