//! Cases (办件): one application for one item, from submission to delivery.
//!
//! A case is event-sourced. [`Case::decide`] checks an [`Action`] against the
//! current state, the actor and the working calendar and answers with the
//! [`EventBody`] to record, or a [`CaseError`] that changes nothing.
//! [`Case::apply`] folds a recorded event into the state and never fails, so
//! a case's state is always the fold of its events ([`Case::replay`]).
//!
//! Everything calendar-dependent (due dates, paused working days) is computed
//! in `decide` and written into the event, so replaying events years later
//! gives the same state even if an administrator edits the calendar.

use crate::access::{Actor, Role};
use crate::calendar::{CalendarError, WorkCalendar, add_natural_days};
use crate::catalogue::{
    CaseKind, Fee, ItemContent, LimitUnit, Material, SpecialProcedureKind, Step, TimeLimit,
};
use crate::identity::{CreditCode, IdCardNumber, mask_middle, mask_name, mask_phone};
use crate::macros::coded_enum;
use crate::validation::{FieldError, ValidationErrors, text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where a case stands. The JSON codes are part of the public API.
    CaseStatus {
        Submitted = "submitted", "已申报";
        AwaitingCorrection = "awaiting_correction", "待补正";
        Accepted = "accepted", "办理中";
        Suspended = "suspended", "特别程序中";
        Refused = "refused", "不予受理";
        Concluded = "concluded", "已办结";
        Delivered = "delivered", "已送达";
    }
}

impl CaseStatus {
    /// Still in someone's hands: supervision watches these.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Refused | Self::Concluded | Self::Delivered)
    }
}

coded_enum! {
    /// How the application came in.
    Channel {
        Window = "window", "窗口受理";
        Online = "online", "网上申报";
    }
}

coded_enum! {
    ApplicantKind {
        Person = "person", "自然人";
        Organisation = "organisation", "法人或其他组织";
    }
}

coded_enum! {
    /// The identity document the applicant gives.
    IdType {
        IdCard = "id_card", "居民身份证";
        CreditCode = "credit_code", "统一社会信用代码";
        Passport = "passport", "护照";
        Other = "other", "其他证件";
    }
}

coded_enum! {
    Decision {
        Approved = "approved", "准予许可（办理）";
        Denied = "denied", "不予许可（办理）";
    }
}

coded_enum! {
    DeliveryMethod {
        Window = "window", "窗口领取";
        Post = "post", "邮寄送达";
    }
}

coded_enum! {
    /// Who confirms a payment (票款分离: never the window that issued the notice).
    PaymentChannel {
        Bank = "bank", "银行代收确认";
        Finance = "finance", "财政非税收入确认";
    }
}

// ------------------------------------------------------------------ applicant

/// The applicant as validated: the identity number matches its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub name: String,
    pub id_type: IdType,
    pub id_number: String,
    pub phone: String,
    /// 经办人: the person who comes for an organisation.
    #[serde(default)]
    pub contact_name: String,
}

impl Applicant {
    /// Parses the untyped input; field names are prefixed `applicant.`.
    pub fn parse(input: &ApplicantInput) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let kind = match ApplicantKind::parse(&input.kind) {
            Some(k) => Some(k),
            None if input.kind.trim().is_empty() => Some(ApplicantKind::Person),
            None => {
                e.add(
                    "applicant.kind_invalid",
                    "applicant.kind",
                    "申请人类型应为 person（自然人）或 organisation（法人或其他组织）",
                );
                None
            }
        };
        let name = text(
            &mut e,
            "applicant.name",
            "申请人名称",
            &input.name,
            100,
            true,
        );
        let id_type = match (IdType::parse(&input.id_type), kind) {
            (Some(t), _) => Some(t),
            (None, Some(ApplicantKind::Organisation)) if input.id_type.trim().is_empty() => {
                Some(IdType::CreditCode)
            }
            (None, _) if input.id_type.trim().is_empty() => Some(IdType::IdCard),
            (None, _) => {
                e.add(
                    "applicant.id_type_invalid",
                    "applicant.id_type",
                    "证件类型不正确",
                );
                None
            }
        };
        let raw_id = input.id_number.trim();
        let mut id_number = raw_id.to_uppercase();
        match id_type {
            Some(IdType::IdCard) => match IdCardNumber::parse(raw_id) {
                Ok(id) => id_number = id.as_str().to_string(),
                Err(err) => e.push(FieldError::new(
                    "applicant.id_number_invalid",
                    "applicant.id_number",
                    err.message("居民身份证号码"),
                )),
            },
            Some(IdType::CreditCode) => match CreditCode::parse(raw_id) {
                Ok(code) => id_number = code.as_str().to_string(),
                Err(err) => e.push(FieldError::new(
                    "applicant.id_number_invalid",
                    "applicant.id_number",
                    err.message("统一社会信用代码"),
                )),
            },
            Some(IdType::Passport | IdType::Other) => {
                let len = raw_id.chars().count();
                if !(5..=30).contains(&len)
                    || !raw_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    e.add(
                        "applicant.id_number_invalid",
                        "applicant.id_number",
                        "证件号码应为5至30位字母或数字",
                    );
                }
            }
            None => {}
        }
        if kind == Some(ApplicantKind::Organisation)
            && id_type.is_some_and(|t| t != IdType::CreditCode)
        {
            e.add(
                "applicant.id_type_invalid",
                "applicant.id_type",
                "法人或其他组织应使用统一社会信用代码",
            );
        }
        if kind == Some(ApplicantKind::Person) && id_type == Some(IdType::CreditCode) {
            e.add(
                "applicant.id_type_invalid",
                "applicant.id_type",
                "自然人不能使用统一社会信用代码，请选择居民身份证等个人证件",
            );
        }
        let phone = input.phone.trim().to_string();
        if !is_contact_phone(&phone) {
            e.add(
                "applicant.phone_invalid",
                "applicant.phone",
                "联系电话应为11位手机号码或带区号的固定电话",
            );
        }
        let contact_name = input.contact_name.trim().to_string();
        if kind == Some(ApplicantKind::Organisation) && contact_name.is_empty() {
            e.add(
                "field.required",
                "applicant.contact_name",
                "法人或其他组织申请须填写经办人姓名",
            );
        }
        if contact_name.chars().count() > 50 {
            e.add(
                "field.too_long",
                "applicant.contact_name",
                "经办人姓名不能超过50个字",
            );
        }
        match (kind, id_type, e.is_empty()) {
            (Some(kind), Some(id_type), true) => Ok(Self {
                kind,
                name,
                id_type,
                id_number,
                phone,
                contact_name,
            }),
            _ => Err(e),
        }
    }

    /// The name as the public inquiry shows it (`张**`). Organisation names are public.
    pub fn masked_name(&self) -> String {
        match self.kind {
            ApplicantKind::Person => mask_name(&self.name),
            ApplicantKind::Organisation => self.name.clone(),
        }
    }

    /// `110101********4514`; credit codes are public register data but are masked alike in lists.
    pub fn masked_id(&self) -> String {
        mask_middle(&self.id_number, 6, 4)
    }

    pub fn masked_phone(&self) -> String {
        mask_phone(&self.phone)
    }
}

/// A mobile number (11 digits starting with 1) or a fixed line with area code.
pub(crate) fn is_contact_phone(raw: &str) -> bool {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' '));
    allowed
        && ((digits.len() == 11 && digits.starts_with('1'))
            || (raw.contains('-') && (10..=12).contains(&digits.len()) && digits.starts_with('0')))
}

/// Untyped applicant input as it comes from JSON or a form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicantInput {
    /// `person` (default) or `organisation`.
    pub kind: String,
    pub name: String,
    /// `id_card` (default for persons), `credit_code` (default for organisations), `passport`, `other`.
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub contact_name: String,
}

// ------------------------------------------------------------------ item snapshot

/// What a case keeps of the item version it was submitted under: later edits
/// of the item never change a case in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseItem {
    pub item_id: i64,
    pub version_id: i64,
    pub version_no: i64,
    pub name: String,
    pub department_id: i64,
    pub case_kind: CaseKind,
    pub legal_limit: Option<TimeLimit>,
    pub promised_limit: Option<TimeLimit>,
    pub result: String,
    pub steps: Vec<Step>,
    pub materials: Vec<Material>,
    pub fees: Vec<Fee>,
    pub max_extensions: u8,
}

impl CaseItem {
    pub fn from_content(item_id: i64, version_id: i64, version_no: i64, c: &ItemContent) -> Self {
        Self {
            item_id,
            version_id,
            version_no,
            name: c.name.clone(),
            department_id: c.department_id,
            case_kind: c.case_kind,
            legal_limit: c.legal_limit,
            promised_limit: c.promised_limit,
            result: c.result.clone(),
            steps: c.steps.clone(),
            materials: c.materials.clone(),
            fees: c.fees.clone(),
            max_extensions: c.max_extensions,
        }
    }

    /// The limit the deadline counts: the promised one, else the legal one.
    pub fn limit(&self) -> Option<TimeLimit> {
        self.promised_limit.or(self.legal_limit)
    }

    pub fn total_fee_fen(&self) -> i64 {
        self.fees.iter().map(|f| f.amount_fen).sum()
    }

    fn material(&self, name: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.name == name)
    }
}

// ------------------------------------------------------------------ materials

/// A stored upload, addressed by the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One material as handed in: uploaded files, paper at the window, or an
/// electronic certificate (电子证照) cited by number instead of a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvidedMaterial {
    pub name: String,
    #[serde(default)]
    pub files: Vec<FileRef>,
    /// Seen on paper at the window.
    #[serde(default)]
    pub paper: bool,
    #[serde(default)]
    pub certificate_no: Option<String>,
}

impl ProvidedMaterial {
    fn is_present(&self) -> bool {
        !self.files.is_empty() || self.paper || self.certificate_no.is_some()
    }
}

/// One line of a one-time notice: which material, and what is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeLine {
    pub material: String,
    pub problem: String,
}

// ------------------------------------------------------------------ events

/// Who did something, as the trail records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    /// `None` for an anonymous online applicant or the system.
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Option<Role>,
}

impl EventActor {
    pub fn of(actor: &Actor, display_name: &str) -> Self {
        Self {
            user_id: Some(actor.user_id),
            name: if display_name.is_empty() {
                actor.username.clone()
            } else {
                display_name.to_string()
            },
            role: Some(actor.role),
        }
    }

    pub fn anonymous(name: &str) -> Self {
        Self {
            user_id: None,
            name: name.to_string(),
            role: None,
        }
    }
}

/// One recorded fact about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: EventActor,
    pub body: EventBody,
}

/// What happened. Calendar results (due dates, paused days) are stored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    Submitted {
        item: Box<CaseItem>,
        applicant: Applicant,
        channel: Channel,
        /// The applicant's account, when they applied signed in.
        applicant_user_id: Option<i64>,
        materials: Vec<ProvidedMaterial>,
    },
    Accepted {
        on: NaiveDate,
        /// The deadline; the acceptance day itself for a 即办件.
        due_date: Option<NaiveDate>,
        /// 容缺受理: materials the applicant promised to bring later.
        promised_materials: Vec<String>,
        /// Materials checked at the window (paper) on acceptance.
        materials: Vec<ProvidedMaterial>,
        /// Whether acceptance also completed the item's first step (受理).
        completes_first_step: bool,
    },
    Refused {
        reason: String,
    },
    CorrectionRequested {
        on: NaiveDate,
        lines: Vec<NoticeLine>,
    },
    Resubmitted {
        on: NaiveDate,
        materials: Vec<ProvidedMaterial>,
        /// Working days the wait added (0 before acceptance: no clock ran).
        paused_working_days: u32,
        due_date: Option<NaiveDate>,
    },
    PromisedMaterialReceived {
        material: ProvidedMaterial,
    },
    StepCompleted {
        /// 1-based, as the API names steps.
        step: usize,
        opinion: String,
    },
    Suspended {
        on: NaiveDate,
        procedure: SpecialProcedureKind,
        reason: String,
    },
    Resumed {
        on: NaiveDate,
        result: String,
        paused_working_days: u32,
        due_date: Option<NaiveDate>,
    },
    ExtensionRequested {
        working_days: u32,
        reason: String,
    },
    Extended {
        working_days: u32,
        reason: String,
        due_date: NaiveDate,
    },
    Concluded {
        decision: Decision,
        reason: String,
        result_name: String,
        certificate_no: Option<String>,
        /// Whether the conclusion completed the decision step (see [`Case::decision_step`]).
        completes_decision_step: bool,
    },
    FeeNoticeIssued {
        lines: Vec<Fee>,
        total_fen: i64,
    },
    FeePaid {
        channel: PaymentChannel,
        receipt_no: String,
    },
    Delivered {
        method: DeliveryMethod,
        tracking_no: Option<String>,
    },
}

impl EventBody {
    /// The certificate a conclusion issues, if any: it goes into the library.
    pub fn certificate(&self) -> Option<(&str, &str)> {
        match self {
            Self::Concluded {
                certificate_no: Some(no),
                result_name,
                ..
            } => Some((no, result_name)),
            _ => None,
        }
    }

    /// The stable code stored in the events table.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Accepted { .. } => "accepted",
            Self::Refused { .. } => "refused",
            Self::CorrectionRequested { .. } => "correction_requested",
            Self::Resubmitted { .. } => "resubmitted",
            Self::PromisedMaterialReceived { .. } => "promised_material_received",
            Self::StepCompleted { .. } => "step_completed",
            Self::Suspended { .. } => "suspended",
            Self::Resumed { .. } => "resumed",
            Self::ExtensionRequested { .. } => "extension_requested",
            Self::Extended { .. } => "extended",
            Self::Concluded { .. } => "concluded",
            Self::FeeNoticeIssued { .. } => "fee_notice_issued",
            Self::FeePaid { .. } => "fee_paid",
            Self::Delivered { .. } => "delivered",
        }
    }

    /// The Chinese name of the event in the trail and on the inquiry page.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "申报",
            Self::Accepted { .. } => "受理",
            Self::Refused { .. } => "不予受理",
            Self::CorrectionRequested { .. } => "一次性告知补正",
            Self::Resubmitted { .. } => "补正材料",
            Self::PromisedMaterialReceived { .. } => "容缺材料补齐",
            Self::StepCompleted { .. } => "环节办理",
            Self::Suspended { .. } => "特别程序开始",
            Self::Resumed { .. } => "特别程序结束",
            Self::ExtensionRequested { .. } => "申请延期",
            Self::Extended { .. } => "批准延期",
            Self::Concluded { .. } => "办结",
            Self::FeeNoticeIssued { .. } => "开具缴费通知",
            Self::FeePaid { .. } => "确认缴费",
            Self::Delivered { .. } => "送达",
        }
    }

    /// Every event kind code, for the database CHECK constraint and tests.
    pub const KINDS: &'static [&'static str] = &[
        "submitted",
        "accepted",
        "refused",
        "correction_requested",
        "resubmitted",
        "promised_material_received",
        "step_completed",
        "suspended",
        "resumed",
        "extension_requested",
        "extended",
        "concluded",
        "fee_notice_issued",
        "fee_paid",
        "delivered",
    ];
}

// ------------------------------------------------------------------ state

/// Why the clock stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PauseReason {
    SpecialProcedure {
        procedure: SpecialProcedureKind,
        reason: String,
    },
    /// Waiting for the applicant's corrections after a one-time notice.
    Correction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: PauseReason,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub result: String,
    pub working_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    pub name: String,
    pub budget_days: u16,
    pub assignee_id: Option<i64>,
    pub assignee: String,
    pub opinion: String,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionNotice {
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    pub lines: Vec<NoticeLine>,
    /// Before acceptance (pre-check) or during handling.
    pub during_handling: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRecord {
    pub working_days: u32,
    pub reason: String,
    pub approved_by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExtension {
    pub working_days: u32,
    pub reason: String,
    pub requested_by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conclusion {
    pub decision: Decision,
    pub reason: String,
    pub result_name: String,
    pub certificate_no: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeNotice {
    pub lines: Vec<Fee>,
    pub total_fen: i64,
    pub issued_by_id: Option<i64>,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    pub payment: Option<Payment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub channel: PaymentChannel,
    pub receipt_no: String,
    pub confirmed_by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub method: DeliveryMethod,
    pub tracking_no: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// The state of one case: the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub status: CaseStatus,
    pub item: CaseItem,
    pub applicant: Applicant,
    pub applicant_user_id: Option<i64>,
    pub channel: Channel,
    pub submitted_at: DateTime<Utc>,
    pub materials: Vec<ProvidedMaterial>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_on: Option<NaiveDate>,
    pub accepted_by: String,
    /// The deadline as it stands now (pauses and extensions included).
    pub due_date: Option<NaiveDate>,
    pub paused_working_days: u32,
    pub extension_working_days: u32,
    pub pauses: Vec<Pause>,
    pub notices: Vec<CorrectionNotice>,
    /// 容缺: promised materials not yet received.
    pub promised_materials: Vec<String>,
    pub steps: Vec<StepProgress>,
    pub refusal: Option<String>,
    pub extensions: Vec<ExtensionRecord>,
    pub pending_extension: Option<PendingExtension>,
    pub conclusion: Option<Conclusion>,
    pub fee: Option<FeeNotice>,
    pub delivery: Option<Delivery>,
}

/// Everything `decide` needs besides the case: who, when, and the calendar.
pub struct Context<'a> {
    pub actor: &'a Actor,
    pub actor_name: &'a str,
    pub now: DateTime<Utc>,
    /// Today in Beijing time: the date deadlines count from.
    pub today: NaiveDate,
    pub calendar: &'a WorkCalendar,
}

/// A request to change a case. `decide` turns it into an event or refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Accept {
        promised_materials: Vec<String>,
        /// Materials the clerk checked on paper at the window.
        paper_materials: Vec<String>,
    },
    Refuse {
        reason: String,
    },
    Notify {
        lines: Vec<NoticeLine>,
    },
    Resubmit {
        materials: Vec<ProvidedMaterial>,
    },
    SupplyPromised {
        material: ProvidedMaterial,
    },
    CompleteStep {
        step: usize,
        opinion: String,
    },
    Suspend {
        procedure: SpecialProcedureKind,
        reason: String,
    },
    Resume {
        result: String,
    },
    RequestExtension {
        working_days: i64,
        reason: String,
    },
    Extend {
        working_days: i64,
        reason: String,
    },
    Conclude {
        decision: Decision,
        reason: String,
        result_name: String,
        certificate_no: String,
    },
    IssueFeeNotice,
    ConfirmPayment {
        channel: PaymentChannel,
        receipt_no: String,
    },
    Deliver {
        method: DeliveryMethod,
        tracking_no: String,
    },
}

/// A refused action. Nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The input itself is wrong (422).
    #[error("invalid input")]
    Invalid(ValidationErrors),
    /// The case is not in a state that allows this (409).
    #[error("{code}: {message}")]
    Conflict { code: &'static str, message: String },
    /// This role or person may not do this (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
}

impl CaseError {
    fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldError::new(code, field, message).into())
    }
}

impl From<ValidationErrors> for CaseError {
    fn from(e: ValidationErrors) -> Self {
        Self::Invalid(e)
    }
}

type Decided = Result<EventBody, CaseError>;

/// The most working days one extension may add; 行政许可法 §42 allows 10
/// (15 for joint handling), so 30 catches typing errors with room to spare.
pub const MAX_EXTENSION_DAYS: i64 = 30;

/// Checks a new application. The caller resolves the item version, stores the
/// uploads and checks cited certificates before calling.
pub fn submit(
    item: CaseItem,
    applicant: &ApplicantInput,
    channel: Channel,
    materials: Vec<ProvidedMaterial>,
    actor: Option<&Actor>,
) -> Decided {
    let mut e = ValidationErrors::default();
    let applicant = match Applicant::parse(applicant) {
        Ok(a) => Some(a),
        Err(errors) => {
            e.0.extend(errors.0);
            None
        }
    };
    match (channel, actor.map(|a| a.role)) {
        (Channel::Window, Some(Role::Clerk | Role::ChiefRep)) => {}
        (Channel::Window, _) => {
            return Err(CaseError::Forbidden(
                "只有窗口工作人员可以登记窗口受理的申请".into(),
            ));
        }
        (Channel::Online, None | Some(Role::Applicant)) => {}
        (Channel::Online, Some(_)) => {
            return Err(CaseError::Forbidden(
                "工作人员请通过窗口受理登记申请".into(),
            ));
        }
    }
    if actor
        .is_some_and(|a| a.role.needs_department() && a.department_id != Some(item.department_id))
    {
        return Err(CaseError::Forbidden("该事项不属于本部门".into()));
    }
    let mut seen = Vec::new();
    for (i, m) in materials.iter().enumerate() {
        if item.material(&m.name).is_none() {
            e.add(
                "case.unknown_material",
                format!("materials[{i}].name"),
                format!("“{}”不是本事项的申请材料", m.name),
            );
        } else if seen.contains(&&m.name) {
            e.add(
                "case.duplicate_material",
                format!("materials[{i}].name"),
                format!("材料“{}”重复提交", m.name),
            );
        }
        seen.push(&m.name);
    }
    if channel == Channel::Online && !materials.iter().any(ProvidedMaterial::is_present) {
        e.add(
            "field.required",
            "materials",
            "网上申报须至少上传一项申请材料",
        );
    }
    let applicant = e.into_result(applicant)?;
    Ok(EventBody::Submitted {
        item: Box::new(item),
        applicant: applicant.expect("no errors means the applicant parsed"),
        channel,
        applicant_user_id: actor
            .filter(|a| a.role == Role::Applicant)
            .map(|a| a.user_id),
        materials: materials
            .into_iter()
            .filter(ProvidedMaterial::is_present)
            .collect(),
    })
}

impl Case {
    /// The state after the first event, which must be a submission.
    pub fn start(event: &Event) -> Option<Case> {
        let EventBody::Submitted {
            item,
            applicant,
            channel,
            applicant_user_id,
            materials,
        } = &event.body
        else {
            return None;
        };
        Some(Case {
            status: CaseStatus::Submitted,
            steps: item
                .steps
                .iter()
                .map(|s| StepProgress {
                    name: s.name.clone(),
                    budget_days: s.budget_days,
                    assignee_id: None,
                    assignee: String::new(),
                    opinion: String::new(),
                    started_at: None,
                    ended_at: None,
                })
                .collect(),
            item: item.as_ref().clone(),
            applicant: applicant.clone(),
            applicant_user_id: *applicant_user_id,
            channel: *channel,
            submitted_at: event.at,
            materials: materials.clone(),
            accepted_at: None,
            accepted_on: None,
            accepted_by: String::new(),
            due_date: None,
            paused_working_days: 0,
            extension_working_days: 0,
            pauses: Vec::new(),
            notices: Vec::new(),
            promised_materials: Vec::new(),
            refusal: None,
            extensions: Vec::new(),
            pending_extension: None,
            conclusion: None,
            fee: None,
            delivery: None,
        })
    }

    /// Folds a whole trail; `None` when it does not start with a submission.
    pub fn replay<'e>(events: impl IntoIterator<Item = &'e Event>) -> Option<Case> {
        let mut events = events.into_iter();
        let mut case = Case::start(events.next()?)?;
        for e in events {
            case = case.apply(e);
        }
        Some(case)
    }

    pub fn department_id(&self) -> i64 {
        self.item.department_id
    }

    /// The step (1-based) where the decision is made: the last one that is
    /// not a delivery step (送达, 发证…). Concluding the case completes it;
    /// the delivery steps after it are completed by delivering. 0 when the
    /// item has no steps.
    pub fn decision_step(&self) -> usize {
        self.steps
            .iter()
            .rposition(|s| !is_delivery_step(&s.name))
            .map(|i| i + 1)
            .unwrap_or(self.steps.len())
    }

    /// Steps that are done, in order.
    pub fn completed_steps(&self) -> usize {
        self.steps
            .iter()
            .take_while(|s| s.ended_at.is_some())
            .count()
    }

    /// The step being worked on now (1-based), if any.
    pub fn current_step(&self) -> Option<usize> {
        let done = self.completed_steps();
        (done < self.steps.len()).then_some(done + 1)
    }

    /// Whether the item charges fees the applicant must pay before delivery.
    pub fn fee_due(&self) -> bool {
        match &self.fee {
            Some(f) => f.payment.is_none() && f.total_fen > 0,
            None => {
                self.item.total_fee_fen() > 0
                    && self
                        .conclusion
                        .as_ref()
                        .is_some_and(|c| c.decision == Decision::Approved)
            }
        }
    }

    /// Folds one recorded event into the state. Never fails: checks happened in `decide`.
    pub fn apply(mut self, event: &Event) -> Case {
        let at = event.at;
        let by = event.actor.name.clone();
        match &event.body {
            EventBody::Submitted { .. } => {}
            EventBody::Accepted {
                on,
                due_date,
                promised_materials,
                materials,
                completes_first_step,
            } => {
                self.status = CaseStatus::Accepted;
                self.accepted_at = Some(at);
                self.accepted_on = Some(*on);
                self.accepted_by = by.clone();
                self.due_date = *due_date;
                self.promised_materials = promised_materials.clone();
                merge_materials(&mut self.materials, materials);
                if let Some(first) = self.steps.first_mut() {
                    first.started_at = Some(at);
                    if *completes_first_step {
                        first.ended_at = Some(at);
                        first.assignee_id = event.actor.user_id;
                        first.assignee = by;
                        first.opinion = "材料齐全，符合法定形式，予以受理".into();
                    }
                }
                if *completes_first_step && let Some(second) = self.steps.get_mut(1) {
                    second.started_at = Some(at);
                }
            }
            EventBody::Refused { reason } => {
                self.status = CaseStatus::Refused;
                self.refusal = Some(reason.clone());
            }
            EventBody::CorrectionRequested { on, lines } => {
                let during_handling = self.accepted_on.is_some();
                self.notices.push(CorrectionNotice {
                    issued_at: at,
                    issued_by: by,
                    lines: lines.clone(),
                    during_handling,
                });
                if during_handling {
                    self.pauses.push(Pause {
                        reason: PauseReason::Correction,
                        started_on: *on,
                        ended_on: None,
                        result: String::new(),
                        working_days: 0,
                    });
                }
                self.status = CaseStatus::AwaitingCorrection;
            }
            EventBody::Resubmitted {
                on,
                materials,
                paused_working_days,
                due_date,
            } => {
                merge_materials(&mut self.materials, materials);
                if self.accepted_on.is_some() {
                    self.close_pause(*on, "申请人已补正材料", *paused_working_days);
                    self.due_date = *due_date;
                    self.status = CaseStatus::Accepted;
                } else {
                    self.status = CaseStatus::Submitted;
                }
            }
            EventBody::PromisedMaterialReceived { material } => {
                self.promised_materials.retain(|m| *m != material.name);
                merge_materials(&mut self.materials, std::slice::from_ref(material));
            }
            EventBody::StepCompleted { step, opinion } => {
                if let Some(s) = self.steps.get_mut(step - 1) {
                    s.ended_at = Some(at);
                    s.started_at.get_or_insert(at);
                    s.assignee_id = event.actor.user_id;
                    s.assignee = by;
                    s.opinion = opinion.clone();
                }
                if let Some(next) = self.steps.get_mut(*step) {
                    next.started_at = Some(at);
                }
            }
            EventBody::Suspended {
                on,
                procedure,
                reason,
            } => {
                self.pauses.push(Pause {
                    reason: PauseReason::SpecialProcedure {
                        procedure: *procedure,
                        reason: reason.clone(),
                    },
                    started_on: *on,
                    ended_on: None,
                    result: String::new(),
                    working_days: 0,
                });
                self.status = CaseStatus::Suspended;
            }
            EventBody::Resumed {
                on,
                result,
                paused_working_days,
                due_date,
            } => {
                self.close_pause(*on, result, *paused_working_days);
                self.due_date = *due_date;
                self.status = CaseStatus::Accepted;
            }
            EventBody::ExtensionRequested {
                working_days,
                reason,
            } => {
                self.pending_extension = Some(PendingExtension {
                    working_days: *working_days,
                    reason: reason.clone(),
                    requested_by: by,
                    at,
                });
            }
            EventBody::Extended {
                working_days,
                reason,
                due_date,
            } => {
                self.pending_extension = None;
                self.extension_working_days += working_days;
                self.extensions.push(ExtensionRecord {
                    working_days: *working_days,
                    reason: reason.clone(),
                    approved_by: by,
                    at,
                });
                self.due_date = Some(*due_date);
            }
            EventBody::Concluded {
                decision,
                reason,
                result_name,
                certificate_no,
                completes_decision_step,
            } => {
                let decision_step = self.decision_step();
                if *completes_decision_step
                    && let Some(last) = self.steps.get_mut(decision_step.wrapping_sub(1))
                {
                    last.ended_at = Some(at);
                    last.started_at.get_or_insert(at);
                    last.assignee_id = event.actor.user_id;
                    last.assignee = by.clone();
                    last.opinion = match decision {
                        Decision::Approved => "准予".into(),
                        Decision::Denied => format!("不予：{reason}"),
                    };
                }
                self.pending_extension = None;
                self.conclusion = Some(Conclusion {
                    decision: *decision,
                    reason: reason.clone(),
                    result_name: result_name.clone(),
                    certificate_no: certificate_no.clone(),
                    at,
                    by,
                });
                self.status = CaseStatus::Concluded;
            }
            EventBody::FeeNoticeIssued { lines, total_fen } => {
                self.fee = Some(FeeNotice {
                    lines: lines.clone(),
                    total_fen: *total_fen,
                    issued_by_id: event.actor.user_id,
                    issued_by: by,
                    issued_at: at,
                    payment: None,
                });
            }
            EventBody::FeePaid {
                channel,
                receipt_no,
            } => {
                if let Some(f) = self.fee.as_mut() {
                    f.payment = Some(Payment {
                        channel: *channel,
                        receipt_no: receipt_no.clone(),
                        confirmed_by: by,
                        at,
                    });
                }
            }
            EventBody::Delivered {
                method,
                tracking_no,
            } => {
                // Delivery steps (送达) are done by delivering.
                let first_delivery = self.decision_step();
                for s in self.steps.iter_mut().skip(first_delivery) {
                    s.started_at.get_or_insert(at);
                    s.ended_at = Some(at);
                    s.assignee_id = event.actor.user_id;
                    s.assignee = by.clone();
                    s.opinion = method.label().to_string();
                }
                self.delivery = Some(Delivery {
                    method: *method,
                    tracking_no: tracking_no.clone(),
                    at,
                    by,
                });
                self.status = CaseStatus::Delivered;
            }
        }
        self
    }

    fn close_pause(&mut self, on: NaiveDate, result: &str, working_days: u32) {
        if let Some(p) = self.pauses.iter_mut().rev().find(|p| p.ended_on.is_none()) {
            p.ended_on = Some(on);
            p.result = result.to_string();
            p.working_days = working_days;
        }
        self.paused_working_days += working_days;
    }

    fn open_pause(&self) -> Option<&Pause> {
        self.pauses.iter().rev().find(|p| p.ended_on.is_none())
    }

    /// Checks an action and answers with the event to record.
    pub fn decide(&self, action: Action, cx: &Context<'_>) -> Decided {
        let role = cx.actor.role;
        if role.needs_department() && cx.actor.department_id != Some(self.department_id()) {
            return Err(CaseError::Forbidden("该办件不属于本部门".into()));
        }
        match action {
            Action::Accept {
                promised_materials,
                paper_materials,
            } => self.accept(promised_materials, paper_materials, cx),
            Action::Refuse { reason } => {
                require_role(role, &[Role::Clerk, Role::ChiefRep], "不予受理")?;
                self.require_prechecking("不予受理")?;
                let reason = required_text(&reason, "reason", "不予受理理由", 500)?;
                Ok(EventBody::Refused { reason })
            }
            Action::Notify { lines } => self.notify(lines, cx),
            Action::Resubmit { materials } => self.resubmit(materials, cx),
            Action::SupplyPromised { material } => {
                self.require_owner_or_window(cx.actor, "补交容缺材料")?;
                if !self.promised_materials.contains(&material.name) {
                    return Err(CaseError::conflict(
                        "case.material_not_promised",
                        format!("“{}”不是本办件容缺受理待补的材料", material.name),
                    ));
                }
                if !material.is_present() {
                    return Err(CaseError::invalid(
                        "field.required",
                        "files",
                        "请上传材料文件或确认已收到纸质材料",
                    ));
                }
                Ok(EventBody::PromisedMaterialReceived { material })
            }
            Action::CompleteStep { step, opinion } => self.complete_step(step, opinion, cx),
            Action::Suspend { procedure, reason } => {
                require_role(
                    role,
                    &[Role::Clerk, Role::Approver, Role::ChiefRep],
                    "启动特别程序",
                )?;
                self.require_handling()?;
                if self.item.case_kind == CaseKind::Immediate {
                    return Err(CaseError::conflict(
                        "case.immediate",
                        "即办件当场办结，不能启动特别程序",
                    ));
                }
                let reason = required_text(&reason, "reason", "特别程序理由", 500)?;
                Ok(EventBody::Suspended {
                    on: cx.today,
                    procedure,
                    reason,
                })
            }
            Action::Resume { result } => {
                require_role(
                    role,
                    &[Role::Clerk, Role::Approver, Role::ChiefRep],
                    "结束特别程序",
                )?;
                if self.status != CaseStatus::Suspended {
                    return Err(CaseError::conflict(
                        "case.not_suspended",
                        format!("办件当前为“{}”，没有进行中的特别程序", self.status.label()),
                    ));
                }
                let result = required_text(&result, "result", "特别程序结果", 500)?;
                let (paused, due) = self.pause_effect(cx);
                Ok(EventBody::Resumed {
                    on: cx.today,
                    result,
                    paused_working_days: paused,
                    due_date: due,
                })
            }
            Action::RequestExtension {
                working_days,
                reason,
            } => {
                require_role(role, &[Role::Approver, Role::Clerk], "申请延期")?;
                self.check_extension(working_days)?;
                if self.pending_extension.is_some() {
                    return Err(CaseError::conflict(
                        "case.extension_pending",
                        "已有待批准的延期申请",
                    ));
                }
                let reason = required_text(&reason, "reason", "延期理由", 500)?;
                Ok(EventBody::ExtensionRequested {
                    working_days: working_days as u32,
                    reason,
                })
            }
            Action::Extend {
                working_days,
                reason,
            } => {
                require_role(role, &[Role::ChiefRep, Role::Leader], "批准延期")?;
                self.check_extension(working_days)?;
                let reason = required_text(&reason, "reason", "延期理由", 500)?;
                let due = self.due_date.ok_or_else(|| {
                    CaseError::conflict("case.no_deadline", "本办件没有办结期限，无需延期")
                })?;
                let days = working_days as u32;
                let due_date = match self.item.limit().map(|l| l.unit) {
                    Some(LimitUnit::NaturalDays) => add_natural(due, days)?,
                    _ => add_working(cx.calendar, due, days)?,
                };
                Ok(EventBody::Extended {
                    working_days: days,
                    reason,
                    due_date,
                })
            }
            Action::Conclude {
                decision,
                reason,
                result_name,
                certificate_no,
            } => self.conclude(decision, reason, result_name, certificate_no, cx),
            Action::IssueFeeNotice => {
                require_role(
                    role,
                    &[Role::Clerk, Role::Approver, Role::ChiefRep],
                    "开具缴费通知",
                )?;
                if self.accepted_on.is_none()
                    || !matches!(
                        self.status,
                        CaseStatus::Accepted
                            | CaseStatus::Suspended
                            | CaseStatus::AwaitingCorrection
                            | CaseStatus::Concluded
                    )
                {
                    return Err(CaseError::conflict(
                        "case.not_accepted",
                        format!("办件当前为“{}”，不能开具缴费通知", self.status.label()),
                    ));
                }
                if self.fee.is_some() {
                    return Err(CaseError::conflict(
                        "case.fee_notice_exists",
                        "本办件已开具缴费通知",
                    ));
                }
                if self.item.total_fee_fen() <= 0 {
                    return Err(CaseError::conflict("case.no_fees", "本事项不收费"));
                }
                if self
                    .conclusion
                    .as_ref()
                    .is_some_and(|c| c.decision == Decision::Denied)
                {
                    return Err(CaseError::conflict(
                        "case.denied",
                        "不予许可的办件不收取费用",
                    ));
                }
                let lines: Vec<Fee> = self
                    .item
                    .fees
                    .iter()
                    .filter(|f| f.amount_fen > 0)
                    .cloned()
                    .collect();
                let total_fen = lines.iter().map(|f| f.amount_fen).sum();
                Ok(EventBody::FeeNoticeIssued { lines, total_fen })
            }
            Action::ConfirmPayment {
                channel,
                receipt_no,
            } => {
                require_role(
                    role,
                    &[Role::Clerk, Role::Approver, Role::ChiefRep, Role::Admin],
                    "确认缴费",
                )?;
                let fee = self.fee.as_ref().ok_or_else(|| {
                    CaseError::conflict("case.fee_not_issued", "尚未开具缴费通知")
                })?;
                if fee.payment.is_some() {
                    return Err(CaseError::conflict(
                        "case.fee_already_paid",
                        "该缴费通知已确认缴费",
                    ));
                }
                if fee.issued_by_id == Some(cx.actor.user_id) {
                    return Err(CaseError::conflict(
                        "case.fee_same_person",
                        "票款分离：开具缴费通知的人员不能确认缴费",
                    ));
                }
                let receipt_no = required_text(&receipt_no, "receipt_no", "缴款凭证号", 50)?;
                Ok(EventBody::FeePaid {
                    channel,
                    receipt_no,
                })
            }
            Action::Deliver {
                method,
                tracking_no,
            } => {
                require_role(role, &[Role::Clerk, Role::ChiefRep], "送达")?;
                match self.status {
                    CaseStatus::Concluded => {}
                    CaseStatus::Delivered => {
                        return Err(CaseError::conflict("case.already_delivered", "办件已送达"));
                    }
                    other => {
                        return Err(CaseError::conflict(
                            "case.not_concluded",
                            format!("办件当前为“{}”，办结后才能送达", other.label()),
                        ));
                    }
                }
                if self.fee_due() {
                    return Err(CaseError::conflict(
                        "case.unpaid",
                        "申请人尚未缴清费用，不能送达办理结果",
                    ));
                }
                let tracking_no = match method {
                    DeliveryMethod::Post => {
                        Some(required_text(&tracking_no, "tracking_no", "邮件单号", 40)?)
                    }
                    DeliveryMethod::Window => None,
                };
                Ok(EventBody::Delivered {
                    method,
                    tracking_no,
                })
            }
        }
    }

    fn accept(&self, promised: Vec<String>, paper: Vec<String>, cx: &Context<'_>) -> Decided {
        require_role(cx.actor.role, &[Role::Clerk, Role::ChiefRep], "受理")?;
        self.require_prechecking("受理")?;
        let mut e = ValidationErrors::default();
        for (i, name) in promised.iter().enumerate() {
            match self.item.material(name) {
                None => e.add(
                    "case.unknown_material",
                    format!("promised_materials[{i}]"),
                    format!("“{name}”不是本事项的申请材料"),
                ),
                Some(m) if m.required && self.item.materials.first() == Some(m) => e.add(
                    "case.material_essential",
                    format!("promised_materials[{i}]"),
                    format!("“{name}”是主要申请材料，不能容缺受理"),
                ),
                Some(_) => {}
            }
        }
        for (i, name) in paper.iter().enumerate() {
            if self.item.material(name).is_none() {
                e.add(
                    "case.unknown_material",
                    format!("paper_materials[{i}]"),
                    format!("“{name}”不是本事项的申请材料"),
                );
            }
        }
        e.into_result(())?;
        let have = |name: &str| {
            paper.iter().any(|p| p == name)
                || self
                    .materials
                    .iter()
                    .any(|m| m.name == name && m.is_present())
        };
        let missing: Vec<&str> = self
            .item
            .materials
            .iter()
            .filter(|m| m.required && !have(&m.name) && !promised.contains(&m.name))
            .map(|m| m.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(CaseError::conflict(
                "case.materials_missing",
                format!(
                    "缺少必需材料：{}。请出具一次性告知书，或对次要材料容缺受理",
                    missing.join("、")
                ),
            ));
        }
        let due_date = match (self.item.case_kind, self.item.limit()) {
            (CaseKind::Immediate, _) => Some(cx.today),
            (CaseKind::Promised, None) => None,
            (CaseKind::Promised, Some(limit)) => Some(match limit.unit {
                LimitUnit::WorkingDays => {
                    add_working(cx.calendar, cx.today, u32::from(limit.value))?
                }
                LimitUnit::NaturalDays => add_natural(cx.today, u32::from(limit.value))?,
            }),
        };
        let completes_first_step = self
            .item
            .steps
            .first()
            .is_some_and(|s| s.name.contains("受理"));
        let mut promised_materials = Vec::new();
        for p in promised {
            if !promised_materials.contains(&p) {
                promised_materials.push(p);
            }
        }
        Ok(EventBody::Accepted {
            on: cx.today,
            due_date,
            promised_materials,
            materials: paper
                .into_iter()
                .map(|name| ProvidedMaterial {
                    name,
                    files: Vec::new(),
                    paper: true,
                    certificate_no: None,
                })
                .collect(),
            completes_first_step,
        })
    }

    fn notify(&self, lines: Vec<NoticeLine>, cx: &Context<'_>) -> Decided {
        require_role(
            cx.actor.role,
            &[Role::Clerk, Role::Approver, Role::ChiefRep],
            "出具一次性告知书",
        )?;
        match self.status {
            CaseStatus::Submitted => {
                if cx.actor.role == Role::Approver {
                    return Err(CaseError::Forbidden(
                        "受理前的一次性告知由窗口工作人员出具".into(),
                    ));
                }
            }
            CaseStatus::Accepted => {}
            other => {
                return Err(CaseError::conflict(
                    "case.cannot_notify",
                    format!("办件当前为“{}”，不能出具一次性告知书", other.label()),
                ));
            }
        }
        let mut e = ValidationErrors::default();
        if lines.is_empty() {
            e.add(
                "field.required",
                "lines",
                "一次性告知书须列明全部需补正的材料",
            );
        }
        let mut clean = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let material = line.material.trim();
            let problem = line.problem.trim();
            if material.is_empty() {
                e.add(
                    "field.required",
                    format!("lines[{i}].material"),
                    "请填写需补正的材料名称",
                );
            }
            if problem.is_empty() {
                e.add(
                    "field.required",
                    format!("lines[{i}].problem"),
                    format!("请说明“{material}”缺少或不符合要求之处"),
                );
            } else if problem.chars().count() > 300 {
                e.add(
                    "field.too_long",
                    format!("lines[{i}].problem"),
                    "补正说明不能超过300个字",
                );
            }
            clean.push(NoticeLine {
                material: material.to_string(),
                problem: problem.to_string(),
            });
        }
        e.into_result(())?;
        Ok(EventBody::CorrectionRequested {
            on: cx.today,
            lines: clean,
        })
    }

    fn resubmit(&self, materials: Vec<ProvidedMaterial>, cx: &Context<'_>) -> Decided {
        self.require_owner_or_window(cx.actor, "补正材料")?;
        if self.status != CaseStatus::AwaitingCorrection {
            return Err(CaseError::conflict(
                "case.not_awaiting_correction",
                format!("办件当前为“{}”，不需要补正材料", self.status.label()),
            ));
        }
        let mut e = ValidationErrors::default();
        for (i, m) in materials.iter().enumerate() {
            if self.item.material(&m.name).is_none() {
                e.add(
                    "case.unknown_material",
                    format!("materials[{i}].name"),
                    format!("“{}”不是本事项的申请材料", m.name),
                );
            }
        }
        if !materials.iter().any(ProvidedMaterial::is_present) {
            e.add("field.required", "materials", "请提交补正的材料");
        }
        e.into_result(())?;
        let (paused, due) = if self.accepted_on.is_some() {
            self.pause_effect(cx)
        } else {
            (0, None)
        };
        Ok(EventBody::Resubmitted {
            on: cx.today,
            materials: materials
                .into_iter()
                .filter(ProvidedMaterial::is_present)
                .collect(),
            paused_working_days: paused,
            due_date: due,
        })
    }

    fn complete_step(&self, step: usize, opinion: String, cx: &Context<'_>) -> Decided {
        require_role(
            cx.actor.role,
            &[Role::Clerk, Role::Approver, Role::ChiefRep],
            "办理环节",
        )?;
        self.require_handling()?;
        if step == 0 || step > self.steps.len() {
            return Err(CaseError::invalid(
                "case.step_unknown",
                "step",
                format!("本事项共有{}个办理环节，没有第{step}个", self.steps.len()),
            ));
        }
        let done = self.completed_steps();
        if step <= done {
            return Err(CaseError::conflict(
                "case.step_done",
                format!("第{step}个环节（{}）已办理", self.steps[step - 1].name),
            ));
        }
        if step > done + 1 {
            return Err(CaseError::conflict(
                "case.step_out_of_order",
                format!("请先办理第{}个环节（{}）", done + 1, self.steps[done].name),
            ));
        }
        let decision_step = self.decision_step();
        if step == decision_step {
            return Err(CaseError::conflict(
                "case.last_step_is_decision",
                format!(
                    "第{step}个环节（{}）是办理决定，请通过“办结”作出决定",
                    self.steps[step - 1].name
                ),
            ));
        }
        if step > decision_step {
            return Err(CaseError::conflict(
                "case.delivery_step",
                format!(
                    "第{step}个环节（{}）在送达办理结果时完成",
                    self.steps[step - 1].name
                ),
            ));
        }
        let opinion = required_text(&opinion, "opinion", "办理意见", 1000)?;
        Ok(EventBody::StepCompleted { step, opinion })
    }

    fn conclude(
        &self,
        decision: Decision,
        reason: String,
        result_name: String,
        certificate_no: String,
        cx: &Context<'_>,
    ) -> Decided {
        let role = cx.actor.role;
        let allowed = matches!(role, Role::Approver | Role::ChiefRep)
            || (role == Role::Clerk && self.item.case_kind == CaseKind::Immediate);
        if !allowed {
            return Err(CaseError::Forbidden(
                "承诺件须由审批人员或首席代表作出办理决定".into(),
            ));
        }
        self.require_handling()?;
        let remaining = self.decision_step().saturating_sub(self.completed_steps());
        if remaining > 1 {
            return Err(CaseError::conflict(
                "case.steps_incomplete",
                format!(
                    "还有{}个环节未办理（当前：{}）",
                    remaining - 1,
                    self.steps[self.completed_steps()].name
                ),
            ));
        }
        if !self.promised_materials.is_empty() {
            return Err(CaseError::conflict(
                "case.promised_materials_missing",
                format!(
                    "容缺受理的材料尚未补齐：{}",
                    self.promised_materials.join("、")
                ),
            ));
        }
        let reason = reason.trim().to_string();
        if decision == Decision::Denied && reason.is_empty() {
            return Err(CaseError::invalid(
                "field.required",
                "reason",
                "不予许可须说明理由",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(CaseError::invalid(
                "field.too_long",
                "reason",
                "理由不能超过1000个字",
            ));
        }
        let result_name = match (decision, result_name.trim()) {
            (Decision::Denied, "") => "不予许可决定书".to_string(),
            (_, "") => self.item.result.clone(),
            (_, r) => r.to_string(),
        };
        let certificate_no = certificate_no.trim();
        if certificate_no.chars().count() > 60 {
            return Err(CaseError::invalid(
                "field.too_long",
                "certificate_no",
                "证照编号不能超过60个字符",
            ));
        }
        Ok(EventBody::Concluded {
            decision,
            reason,
            result_name,
            certificate_no: (decision == Decision::Approved && !certificate_no.is_empty())
                .then(|| certificate_no.to_string()),
            completes_decision_step: remaining == 1,
        })
    }

    /// Paused working days of the open pause up to today, and the moved due date.
    fn pause_effect(&self, cx: &Context<'_>) -> (u32, Option<NaiveDate>) {
        let Some(pause) = self.open_pause() else {
            return (0, self.due_date);
        };
        let days = cx.calendar.working_days_between(pause.started_on, cx.today);
        let due = self
            .due_date
            .map(|due| match self.item.limit().map(|l| l.unit) {
                Some(LimitUnit::NaturalDays) => add_natural_days(due, days).unwrap_or(due),
                _ => cx.calendar.add_working_days(due, days).unwrap_or(due),
            });
        (days, due)
    }

    fn check_extension(&self, working_days: i64) -> Result<(), CaseError> {
        self.require_handling_or_suspended()?;
        if self.item.case_kind == CaseKind::Immediate {
            return Err(CaseError::conflict(
                "case.immediate",
                "即办件当场办结，不能延期",
            ));
        }
        if !(1..=MAX_EXTENSION_DAYS).contains(&working_days) {
            return Err(CaseError::invalid(
                "case.extension_days_invalid",
                "working_days",
                format!("延长天数应为1至{MAX_EXTENSION_DAYS}个工作日"),
            ));
        }
        if self.extensions.len() >= usize::from(self.item.max_extensions) {
            return Err(CaseError::conflict(
                "case.extension_limit",
                format!(
                    "本事项最多可延期{}次，已延期{}次",
                    self.item.max_extensions,
                    self.extensions.len()
                ),
            ));
        }
        Ok(())
    }

    fn require_prechecking(&self, what: &str) -> Result<(), CaseError> {
        match self.status {
            CaseStatus::Submitted => Ok(()),
            CaseStatus::AwaitingCorrection if self.accepted_on.is_none() => {
                Err(CaseError::conflict(
                    "case.awaiting_correction",
                    format!("已出具一次性告知书，申请人补正材料后才能{what}"),
                ))
            }
            other => Err(CaseError::conflict(
                "case.not_submitted",
                format!("办件当前为“{}”，不能{what}", other.label()),
            )),
        }
    }

    fn require_handling(&self) -> Result<(), CaseError> {
        match self.status {
            CaseStatus::Accepted => Ok(()),
            CaseStatus::Suspended => Err(CaseError::conflict(
                "case.suspended",
                "办件处于特别程序中，请先结束特别程序",
            )),
            CaseStatus::AwaitingCorrection if self.accepted_on.is_some() => Err(
                CaseError::conflict("case.awaiting_correction", "办件正在等待申请人补正材料"),
            ),
            CaseStatus::Concluded | CaseStatus::Delivered => {
                Err(CaseError::conflict("case.concluded", "办件已办结"))
            }
            other => Err(CaseError::conflict(
                "case.not_accepted",
                format!("办件当前为“{}”，尚未受理", other.label()),
            )),
        }
    }

    fn require_handling_or_suspended(&self) -> Result<(), CaseError> {
        if self.status == CaseStatus::Suspended {
            Ok(())
        } else {
            self.require_handling()
        }
    }

    fn require_owner_or_window(&self, actor: &Actor, what: &str) -> Result<(), CaseError> {
        match actor.role {
            Role::Clerk | Role::ChiefRep => Ok(()),
            Role::Applicant if self.applicant_user_id == Some(actor.user_id) => Ok(()),
            _ => Err(CaseError::Forbidden(format!(
                "只有申请人本人或窗口工作人员可以{what}"
            ))),
        }
    }
}

/// A step that hands the result over rather than deciding anything.
fn is_delivery_step(name: &str) -> bool {
    ["送达", "发证", "领证", "寄递", "领取"]
        .iter()
        .any(|k| name.contains(k))
}

fn merge_materials(into: &mut Vec<ProvidedMaterial>, new: &[ProvidedMaterial]) {
    for m in new {
        match into.iter_mut().find(|x| x.name == m.name) {
            Some(x) => {
                for f in &m.files {
                    if !x.files.iter().any(|y| y.sha256 == f.sha256) {
                        x.files.push(f.clone());
                    }
                }
                x.paper |= m.paper;
                if m.certificate_no.is_some() {
                    x.certificate_no = m.certificate_no.clone();
                }
            }
            None => into.push(m.clone()),
        }
    }
}

fn require_role(role: Role, allowed: &[Role], what: &str) -> Result<(), CaseError> {
    if allowed.contains(&role) {
        Ok(())
    } else {
        Err(CaseError::Forbidden(format!("{}不能{what}", role.label())))
    }
}

fn required_text(raw: &str, field: &str, label: &str, max: usize) -> Result<String, CaseError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(CaseError::invalid(
            "field.required",
            field,
            format!("{label}不能为空"),
        ));
    }
    if t.chars().count() > max {
        return Err(CaseError::invalid(
            "field.too_long",
            field,
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(t.to_string())
}

fn add_working(cal: &WorkCalendar, from: NaiveDate, n: u32) -> Result<NaiveDate, CaseError> {
    cal.add_working_days(from, n).map_err(calendar_conflict)
}

fn add_natural(from: NaiveDate, n: u32) -> Result<NaiveDate, CaseError> {
    add_natural_days(from, n).map_err(calendar_conflict)
}

fn calendar_conflict(e: CalendarError) -> CaseError {
    CaseError::conflict("calendar.no_working_days", e.message())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{MaterialSource, TimeLimit};
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(d: NaiveDate) -> DateTime<Utc> {
        // 10:00 Beijing time on that day.
        Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap())
    }

    fn actor(id: i64, role: Role, department_id: Option<i64>) -> Actor {
        Actor {
            user_id: id,
            username: format!("u{id}"),
            role,
            department_id,
        }
    }

    fn material(name: &str, required: bool) -> Material {
        Material {
            name: name.into(),
            source: MaterialSource::Applicant,
            originals: 1,
            copies: 0,
            required,
            note: String::new(),
        }
    }

    fn step(name: &str) -> Step {
        Step {
            name: name.into(),
            budget_days: 1,
            description: String::new(),
        }
    }

    fn item(kind: CaseKind, limit: u16) -> CaseItem {
        CaseItem {
            item_id: 1,
            version_id: 1,
            version_no: 1,
            name: "食品经营许可".into(),
            department_id: 7,
            case_kind: kind,
            legal_limit: Some(TimeLimit::working_days(20)),
            promised_limit: Some(TimeLimit::working_days(limit)),
            result: "食品经营许可证".into(),
            steps: vec![step("受理"), step("审核"), step("决定")],
            materials: vec![
                material("食品经营许可申请书", true),
                material("营业执照", true),
                material("场所平面图", false),
            ],
            fees: vec![Fee {
                name: "工本费".into(),
                standard: "每证10元".into(),
                basis: "测试".into(),
                amount_fen: 1000,
            }],
            max_extensions: 1,
        }
    }

    fn applicant() -> ApplicantInput {
        ApplicantInput {
            name: "张三".into(),
            id_number: "110101199003074514".into(),
            phone: "13800138000".into(),
            ..Default::default()
        }
    }

    fn provided(name: &str) -> ProvidedMaterial {
        ProvidedMaterial {
            name: name.into(),
            files: Vec::new(),
            paper: true,
            certificate_no: None,
        }
    }

    /// A test bench: one case, a clock and the official calendar.
    struct Bench {
        case: Case,
        events: Vec<Event>,
        calendar: WorkCalendar,
        today: NaiveDate,
    }

    impl Bench {
        fn new(kind: CaseKind, limit: u16, materials: &[&str]) -> Bench {
            let clerk = actor(1, Role::Clerk, Some(7));
            let body = submit(
                item(kind, limit),
                &applicant(),
                Channel::Window,
                materials.iter().map(|m| provided(m)).collect(),
                Some(&clerk),
            )
            .unwrap();
            let today = date(2026, 9, 30);
            let event = Event {
                at: at(today),
                actor: EventActor::of(&clerk, "王窗口"),
                body,
            };
            Bench {
                case: Case::start(&event).unwrap(),
                events: vec![event],
                calendar: WorkCalendar::with_official(),
                today,
            }
        }

        fn try_do(&mut self, who: &Actor, action: Action) -> Result<(), CaseError> {
            let cx = Context {
                actor: who,
                actor_name: &who.username,
                now: at(self.today),
                today: self.today,
                calendar: &self.calendar,
            };
            let body = self.case.decide(action, &cx)?;
            let event = Event {
                at: at(self.today),
                actor: EventActor::of(who, &who.username),
                body,
            };
            self.case = self.case.clone().apply(&event);
            self.events.push(event);
            Ok(())
        }

        fn run(&mut self, who: &Actor, action: Action) {
            self.try_do(who, action).unwrap();
        }

        fn conflict(&mut self, who: &Actor, action: Action) -> &'static str {
            let before = self.case.clone();
            match self.try_do(who, action) {
                Err(CaseError::Conflict { code, .. }) => {
                    assert_eq!(self.case, before, "a refusal changes nothing");
                    code
                }
                other => panic!("expected a conflict, got {other:?}"),
            }
        }
    }

    fn clerk() -> Actor {
        actor(1, Role::Clerk, Some(7))
    }
    fn approver() -> Actor {
        actor(2, Role::Approver, Some(7))
    }
    fn chief() -> Actor {
        actor(3, Role::ChiefRep, Some(7))
    }

    fn accept() -> Action {
        Action::Accept {
            promised_materials: vec![],
            paper_materials: vec![],
        }
    }

    fn conclude() -> Action {
        Action::Conclude {
            decision: Decision::Approved,
            reason: String::new(),
            result_name: String::new(),
            certificate_no: "JY11501020000001".into(),
        }
    }

    #[test]
    fn a_case_goes_from_acceptance_to_delivery() {
        let mut b = Bench::new(CaseKind::Promised, 3, &["食品经营许可申请书", "营业执照"]);
        b.run(&clerk(), accept());
        assert_eq!(b.case.status, CaseStatus::Accepted);
        // Accepted on 30 September: 1-7 October are off, 8 and 9 are days 1
        // and 2, Saturday 10 October is a make-up working day: day 3.
        assert_eq!(b.case.due_date, Some(date(2026, 10, 10)));
        assert!(
            b.case.steps[0].ended_at.is_some(),
            "acceptance is the 受理 step"
        );
        assert_eq!(b.case.current_step(), Some(2));

        b.run(
            &approver(),
            Action::CompleteStep {
                step: 2,
                opinion: "材料真实有效，同意".into(),
            },
        );
        b.run(&approver(), conclude());
        assert_eq!(b.case.status, CaseStatus::Concluded);
        assert!(b.case.steps.iter().all(|s| s.ended_at.is_some()));
        assert_eq!(
            b.case.conclusion.as_ref().unwrap().result_name,
            "食品经营许可证"
        );

        assert_eq!(
            b.conflict(
                &clerk(),
                Action::Deliver {
                    method: DeliveryMethod::Window,
                    tracking_no: String::new()
                }
            ),
            "case.unpaid"
        );
        b.run(&clerk(), Action::IssueFeeNotice);
        assert_eq!(b.case.fee.as_ref().unwrap().total_fen, 1000);
        assert_eq!(
            b.conflict(
                &clerk(),
                Action::ConfirmPayment {
                    channel: PaymentChannel::Bank,
                    receipt_no: "NO123".into()
                }
            ),
            "case.fee_same_person",
            "票款分离"
        );
        b.run(
            &chief(),
            Action::ConfirmPayment {
                channel: PaymentChannel::Bank,
                receipt_no: "NO123".into(),
            },
        );
        b.run(
            &clerk(),
            Action::Deliver {
                method: DeliveryMethod::Post,
                tracking_no: "SF1234567890".into(),
            },
        );
        assert_eq!(b.case.status, CaseStatus::Delivered);
        assert_eq!(Case::replay(&b.events), Some(b.case.clone()));
    }

    #[test]
    fn a_missing_required_material_blocks_acceptance_until_notified_and_resubmitted() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书"]);
        assert_eq!(b.conflict(&clerk(), accept()), "case.materials_missing");
        b.run(
            &clerk(),
            Action::Notify {
                lines: vec![NoticeLine {
                    material: "营业执照".into(),
                    problem: "未提供营业执照副本".into(),
                }],
            },
        );
        assert_eq!(b.case.status, CaseStatus::AwaitingCorrection);
        assert_eq!(b.conflict(&clerk(), accept()), "case.awaiting_correction");
        b.run(
            &clerk(),
            Action::Resubmit {
                materials: vec![provided("营业执照")],
            },
        );
        assert_eq!(b.case.status, CaseStatus::Submitted);
        b.run(&clerk(), accept());
        assert_eq!(b.case.status, CaseStatus::Accepted);
        assert_eq!(
            b.case.paused_working_days, 0,
            "no clock ran before acceptance"
        );
    }

    #[test]
    fn a_refusal_needs_a_reason_and_only_happens_before_acceptance() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书", "营业执照"]);
        let err = b
            .try_do(
                &clerk(),
                Action::Refuse {
                    reason: "  ".into(),
                },
            )
            .unwrap_err();
        assert!(matches!(err, CaseError::Invalid(e) if e.first().unwrap().field == "reason"));
        b.run(&clerk(), accept());
        assert_eq!(
            b.conflict(
                &clerk(),
                Action::Refuse {
                    reason: "不属于本机关职权".into()
                }
            ),
            "case.not_submitted"
        );
    }

    #[test]
    fn a_promised_material_must_arrive_before_conclusion() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书"]);
        b.run(
            &clerk(),
            Action::Accept {
                promised_materials: vec!["营业执照".into()],
                paper_materials: vec![],
            },
        );
        b.run(
            &approver(),
            Action::CompleteStep {
                step: 2,
                opinion: "同意".into(),
            },
        );
        assert_eq!(
            b.conflict(&approver(), conclude()),
            "case.promised_materials_missing"
        );
        b.run(
            &clerk(),
            Action::SupplyPromised {
                material: provided("营业执照"),
            },
        );
        b.run(&approver(), conclude());
        assert_eq!(b.case.status, CaseStatus::Concluded);
    }

    #[test]
    fn the_main_material_cannot_be_promised() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["营业执照"]);
        let err = b
            .try_do(
                &clerk(),
                Action::Accept {
                    promised_materials: vec!["食品经营许可申请书".into()],
                    paper_materials: vec![],
                },
            )
            .unwrap_err();
        assert!(
            matches!(err, CaseError::Invalid(e) if e.first().unwrap().code == "case.material_essential")
        );
    }

    #[test]
    fn a_special_procedure_moves_the_deadline_by_its_working_days() {
        let mut b = Bench::new(CaseKind::Promised, 3, &["食品经营许可申请书", "营业执照"]);
        b.run(&clerk(), accept());
        assert_eq!(b.case.due_date, Some(date(2026, 10, 10)));
        b.today = date(2026, 10, 8);
        b.run(
            &approver(),
            Action::Suspend {
                procedure: SpecialProcedureKind::Inspection,
                reason: "需现场核查经营场所".into(),
            },
        );
        assert_eq!(b.case.status, CaseStatus::Suspended);
        assert_eq!(
            b.conflict(
                &approver(),
                Action::CompleteStep {
                    step: 2,
                    opinion: "同意".into()
                }
            ),
            "case.suspended"
        );
        b.today = date(2026, 10, 12);
        b.run(
            &approver(),
            Action::Resume {
                result: "现场核查合格".into(),
            },
        );
        // [8 Oct, 12 Oct) holds 8, 9 and Saturday 10 (make-up day): 3 working
        // days; 3 working days after 10 Oct are 12, 13 and 14 Oct.
        assert_eq!(b.case.paused_working_days, 3);
        assert_eq!(b.case.due_date, Some(date(2026, 10, 14)));
        assert_eq!(b.case.status, CaseStatus::Accepted);
    }

    #[test]
    fn waiting_for_corrections_during_handling_stops_the_clock() {
        let mut b = Bench::new(CaseKind::Promised, 10, &["食品经营许可申请书", "营业执照"]);
        b.today = date(2026, 11, 2);
        b.run(&clerk(), accept());
        let due = b.case.due_date.unwrap();
        assert_eq!(due, date(2026, 11, 16));
        b.today = date(2026, 11, 4);
        b.run(
            &approver(),
            Action::Notify {
                lines: vec![NoticeLine {
                    material: "场所平面图".into(),
                    problem: "未标注面积".into(),
                }],
            },
        );
        b.today = date(2026, 11, 9);
        b.run(
            &clerk(),
            Action::Resubmit {
                materials: vec![provided("场所平面图")],
            },
        );
        // Wednesday 4 to Monday 9 November: 4, 5, 6 November are 3 working days.
        assert_eq!(b.case.paused_working_days, 3);
        assert_eq!(b.case.due_date, Some(date(2026, 11, 19)));
        assert_eq!(b.case.status, CaseStatus::Accepted);
    }

    #[test]
    fn an_extension_is_approved_by_the_chief_and_only_once() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书", "营业执照"]);
        b.today = date(2026, 11, 2);
        b.run(&clerk(), accept());
        assert_eq!(b.case.due_date, Some(date(2026, 11, 9)));
        let extend = || Action::Extend {
            working_days: 10,
            reason: "需征求相关部门意见".into(),
        };
        assert!(matches!(
            b.try_do(&approver(), extend()),
            Err(CaseError::Forbidden(_))
        ));
        b.run(
            &approver(),
            Action::RequestExtension {
                working_days: 10,
                reason: "需征求相关部门意见".into(),
            },
        );
        assert!(b.case.pending_extension.is_some());
        b.run(&chief(), extend());
        assert!(b.case.pending_extension.is_none());
        assert_eq!(b.case.due_date, Some(date(2026, 11, 23)));
        assert_eq!(b.conflict(&chief(), extend()), "case.extension_limit");
    }

    #[test]
    fn steps_are_taken_in_order_and_the_last_is_the_decision() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书", "营业执照"]);
        let step = |n| Action::CompleteStep {
            step: n,
            opinion: "同意".into(),
        };
        assert_eq!(b.conflict(&approver(), step(2)), "case.not_accepted");
        b.run(&clerk(), accept());
        assert_eq!(b.conflict(&approver(), step(1)), "case.step_done");
        assert_eq!(b.conflict(&approver(), step(3)), "case.step_out_of_order");
        b.run(&approver(), step(2));
        assert_eq!(
            b.conflict(&approver(), step(3)),
            "case.last_step_is_decision"
        );
        assert!(matches!(
            b.try_do(&clerk(), conclude()),
            Err(CaseError::Forbidden(_))
        ));
        b.run(&approver(), conclude());
    }

    #[test]
    fn a_delivery_step_after_the_decision_is_completed_by_delivering() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书", "营业执照"]);
        b.case.item.fees.clear();
        b.case.item.steps.push(step("送达"));
        b.case.steps.push(StepProgress {
            name: "送达".into(),
            budget_days: 1,
            assignee_id: None,
            assignee: String::new(),
            opinion: String::new(),
            started_at: None,
            ended_at: None,
        });
        assert_eq!(b.case.decision_step(), 3);
        b.run(&clerk(), accept());
        b.run(
            &approver(),
            Action::CompleteStep {
                step: 2,
                opinion: "同意".into(),
            },
        );
        assert_eq!(
            b.conflict(
                &approver(),
                Action::CompleteStep {
                    step: 4,
                    opinion: "x".into()
                }
            ),
            "case.step_out_of_order"
        );
        b.run(&approver(), conclude());
        assert_eq!(b.case.current_step(), Some(4));
        b.run(
            &clerk(),
            Action::Deliver {
                method: DeliveryMethod::Window,
                tracking_no: String::new(),
            },
        );
        assert!(b.case.steps.iter().all(|s| s.ended_at.is_some()));
    }

    #[test]
    fn an_immediate_case_is_due_the_same_day_and_the_clerk_concludes_it() {
        let mut b = Bench::new(CaseKind::Immediate, 0, &["食品经营许可申请书", "营业执照"]);
        b.run(&clerk(), accept());
        assert_eq!(b.case.due_date, Some(b.today));
        b.run(
            &clerk(),
            Action::CompleteStep {
                step: 2,
                opinion: "当场审核通过".into(),
            },
        );
        b.run(&clerk(), conclude());
        assert_eq!(b.case.status, CaseStatus::Concluded);
        assert_eq!(
            b.conflict(
                &clerk(),
                Action::Suspend {
                    procedure: SpecialProcedureKind::Inspection,
                    reason: "x".into()
                }
            ),
            "case.concluded"
        );
    }

    #[test]
    fn another_departments_staff_cannot_act() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书", "营业执照"]);
        let other = actor(9, Role::Clerk, Some(8));
        assert!(matches!(
            b.try_do(&other, accept()),
            Err(CaseError::Forbidden(_))
        ));
    }

    #[test]
    fn a_denial_needs_a_reason_and_charges_nothing() {
        let mut b = Bench::new(CaseKind::Promised, 5, &["食品经营许可申请书", "营业执照"]);
        b.run(&clerk(), accept());
        b.run(
            &approver(),
            Action::CompleteStep {
                step: 2,
                opinion: "经营场所不符合要求".into(),
            },
        );
        let deny = |reason: &str| Action::Conclude {
            decision: Decision::Denied,
            reason: reason.into(),
            result_name: String::new(),
            certificate_no: "X".into(),
        };
        assert!(matches!(
            b.try_do(&approver(), deny("")),
            Err(CaseError::Invalid(_))
        ));
        b.run(&approver(), deny("经营场所与有毒有害场所距离不足25米"));
        let c = b.case.conclusion.as_ref().unwrap();
        assert_eq!(c.certificate_no, None, "a denial issues no certificate");
        assert_eq!(b.conflict(&clerk(), Action::IssueFeeNotice), "case.denied");
        b.run(
            &clerk(),
            Action::Deliver {
                method: DeliveryMethod::Window,
                tracking_no: String::new(),
            },
        );
    }

    #[test]
    fn applicants_are_checked_by_id_type() {
        let mut bad = applicant();
        bad.id_number = "110101199003074515".into();
        let e = Applicant::parse(&bad).unwrap_err();
        assert_eq!(e.first().unwrap().field, "applicant.id_number");

        let org = ApplicantInput {
            kind: "organisation".into(),
            name: "呼和浩特市某某餐饮有限公司".into(),
            id_type: "id_card".into(),
            id_number: "110101199003074514".into(),
            phone: "0471-6218617".into(),
            contact_name: "李四".into(),
        };
        let e = Applicant::parse(&org).unwrap_err();
        assert_eq!(e.first().unwrap().field, "applicant.id_type");

        let ok = Applicant::parse(&ApplicantInput {
            id_type: String::new(),
            id_number: "91350100M000100Y43".into(),
            ..org
        })
        .unwrap();
        assert_eq!(ok.id_type, IdType::CreditCode);
        let person = Applicant::parse(&applicant()).unwrap();
        assert_eq!(person.masked_name(), "张*");
        assert_eq!(person.masked_id(), "110101********4514");
        assert_eq!(person.masked_phone(), "138****8000");
    }

    #[test]
    fn online_applications_need_an_upload_and_known_materials() {
        let e = submit(
            item(CaseKind::Promised, 5),
            &applicant(),
            Channel::Online,
            vec![ProvidedMaterial {
                name: "不存在的材料".into(),
                files: vec![],
                paper: false,
                certificate_no: None,
            }],
            None,
        )
        .unwrap_err();
        let CaseError::Invalid(e) = e else {
            panic!("{e:?}")
        };
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["materials[0].name", "materials"]);
        assert!(matches!(
            submit(
                item(CaseKind::Promised, 5),
                &applicant(),
                Channel::Online,
                vec![],
                Some(&clerk())
            ),
            Err(CaseError::Forbidden(_))
        ));
    }
}
