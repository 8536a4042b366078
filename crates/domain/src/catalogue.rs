//! The service catalogue: items (政务服务事项) with every element of a service
//! guide (办事指南), as GB/T 39046 and the seeds describe them.
//!
//! An item's editable body is [`ItemContent`]. It is built only by
//! [`ItemContent::parse`] from an untyped [`ItemInput`], which records every
//! problem with the field it belongs to. Drafts may be incomplete; publishing
//! additionally requires [`ItemContent::check_publishable`].

use crate::identity::is_service_phone;
use crate::macros::coded_enum;
use crate::validation::{FieldError, ValidationErrors, text};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// 事项类型, GB/T 39046-2020 codes.
    ItemType {
        Licensing = "01", "行政许可";
        Penalty = "02", "行政处罚";
        Enforcement = "03", "行政强制";
        Levy = "04", "行政征收";
        Benefit = "05", "行政给付";
        Inspection = "06", "行政检查";
        Confirmation = "07", "行政确认";
        Reward = "08", "行政奖励";
        Adjudication = "09", "行政裁决";
        OtherPower = "10", "其他行政权力";
        PublicService = "20", "公共服务";
    }
}

impl ItemType {
    /// Items a person applies for (依申请): the "six kinds" of seed 001 plus public services.
    pub fn is_on_application(self) -> bool {
        matches!(
            self,
            Self::Licensing
                | Self::Benefit
                | Self::Confirmation
                | Self::Reward
                | Self::Adjudication
                | Self::OtherPower
                | Self::PublicService
        )
    }
}

coded_enum! {
    /// 办件类型.
    CaseKind {
        Immediate = "immediate", "即办件";
        Promised = "promised", "承诺件";
    }
}

coded_enum! {
    /// The unit a time limit is counted in.
    LimitUnit {
        WorkingDays = "working_days", "工作日";
        NaturalDays = "natural_days", "自然日";
    }
}

coded_enum! {
    /// Whether the item is handled in the center (进驻).
    EntryState {
        Entered = "entered", "已进驻";
        NotEntered = "not_entered", "未进驻";
        Exempt = "exempt", "经批准不进驻";
    }
}

coded_enum! {
    /// How far the department has authorised its window (窗口授权).
    WindowAuthorisation {
        AcceptOnly = "accept_only", "窗口仅受理";
        Partial = "partial", "窗口受理并审核";
        Full = "full", "窗口全权办结";
    }
}

coded_enum! {
    /// Where a material comes from (材料来源).
    MaterialSource {
        Applicant = "applicant", "申请人自备";
        Government = "government", "政府部门核发";
        Intermediary = "intermediary", "中介机构出具";
        Other = "other", "其他";
    }
}

coded_enum! {
    /// 特别程序 kinds (行政许可法 §45).
    SpecialProcedureKind {
        Inspection = "inspection", "现场勘查";
        Hearing = "hearing", "听证";
        ExpertReview = "expert_review", "专家评审";
        Testing = "testing", "检验检测";
        Publicity = "publicity", "公示";
        Tender = "tender", "招标拍卖";
        Other = "other", "其他";
    }
}

coded_enum! {
    /// The life of one item version.
    VersionStatus {
        Draft = "draft", "草稿";
        Published = "published", "已发布";
        Superseded = "superseded", "已被替代";
    }
}

/// A time limit such as "20 working days".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    pub value: u16,
    pub unit: LimitUnit,
}

impl TimeLimit {
    pub fn working_days(value: u16) -> Self {
        Self {
            value,
            unit: LimitUnit::WorkingDays,
        }
    }

    /// The limit in fifths of a natural day, so that working and natural days
    /// compare without rounding: a working week of 5 working days is 7 natural days.
    fn in_fifths_of_natural_days(self) -> u32 {
        match self.unit {
            LimitUnit::WorkingDays => u32::from(self.value) * 7,
            LimitUnit::NaturalDays => u32::from(self.value) * 5,
        }
    }

    /// "20个工作日", "即时办结" for 0.
    pub fn describe(self) -> String {
        if self.value == 0 {
            "即时办结".into()
        } else {
            format!("{}个{}", self.value, self.unit.label())
        }
    }
}

/// Seed 001 asks that the promised limit be at most half the legal one; an
/// item whose promised limit is longer is flagged.
pub fn limit_flagged(legal: Option<TimeLimit>, promised: Option<TimeLimit>) -> bool {
    match (legal, promised) {
        (Some(l), Some(p)) => 2 * p.in_fifths_of_natural_days() > l.in_fifths_of_natural_days(),
        _ => false,
    }
}

/// Whether an item is handled in the center, and why not when it is exempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryStatus {
    Entered,
    NotEntered,
    /// Exempt from entry (secret, special site…) by an approval document.
    Exempt {
        reason: String,
        approval: String,
    },
}

impl EntryStatus {
    pub fn state(&self) -> EntryState {
        match self {
            Self::Entered => EntryState::Entered,
            Self::NotEntered => EntryState::NotEntered,
            Self::Exempt { .. } => EntryState::Exempt,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// The step's own time budget in working days (0: the same day).
    pub budget_days: u16,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    pub source: MaterialSource,
    pub originals: u8,
    pub copies: u8,
    pub required: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub name: String,
    pub standard: String,
    pub basis: String,
    /// The amount in fen (分); 1 yuan = 100 fen.
    pub amount_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialProcedure {
    pub name: String,
    pub kind: SpecialProcedureKind,
    pub limit: Option<TimeLimit>,
    pub basis: String,
    /// Almost always false: 行政许可法 §45 keeps this time out of the deadline.
    pub counts_in_limit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The complete, validated body of one version of a service item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemContent {
    pub name: String,
    pub department_id: i64,
    pub basic_code: String,
    pub implementation_code: String,
    pub item_type: ItemType,
    pub case_kind: CaseKind,
    pub legal_limit: Option<TimeLimit>,
    pub legal_limit_note: String,
    /// `None` only in drafts (for example after an Excel import); required to publish.
    pub promised_limit: Option<TimeLimit>,
    pub promised_limit_note: String,
    pub entry: EntryStatus,
    pub window_authorisation: WindowAuthorisation,
    pub online: bool,
    /// 到现场次数: 0 means entirely online.
    pub visits: u8,
    pub result: String,
    pub conditions: String,
    pub basis: String,
    pub steps: Vec<Step>,
    pub materials: Vec<Material>,
    pub fees: Vec<Fee>,
    pub special_procedures: Vec<SpecialProcedure>,
    pub place: String,
    pub hours: String,
    pub consultation_phone: String,
    pub complaint_phone: String,
    pub faqs: Vec<Faq>,
    /// How many deadline extensions (延期) a case may get; 行政许可法 §42 allows one.
    #[serde(default = "one_extension")]
    pub max_extensions: u8,
}

fn one_extension() -> u8 {
    1
}

impl ItemContent {
    pub fn limit_flagged(&self) -> bool {
        limit_flagged(self.legal_limit, self.promised_limit)
    }

    /// Total fee in fen; 0 means the item is free.
    pub fn total_fee_fen(&self) -> i64 {
        self.fees.iter().map(|f| f.amount_fen).sum()
    }

    /// A draft may be saved incomplete; the public only ever sees complete guides.
    pub fn check_publishable(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.promised_limit.is_none() {
            e.add(
                "item.incomplete",
                "promised_limit",
                "发布前须填写承诺办结时限",
            );
        }
        let required_texts = [
            ("conditions", "受理条件", &self.conditions),
            ("basis", "设定依据", &self.basis),
            ("result", "办理结果", &self.result),
            ("place", "办理地点", &self.place),
            ("hours", "办理时间", &self.hours),
            ("consultation_phone", "咨询电话", &self.consultation_phone),
            ("complaint_phone", "监督投诉电话", &self.complaint_phone),
        ];
        for (field, label, value) in required_texts {
            if value.trim().is_empty() {
                e.add("item.incomplete", field, format!("发布前须填写{label}"));
            }
        }
        if self.steps.is_empty() {
            e.add("item.incomplete", "steps", "发布前须至少填写一个办理环节");
        }
        if self.materials.is_empty() {
            e.add(
                "item.incomplete",
                "materials",
                "发布前须至少填写一项申请材料",
            );
        }
        e.into_result(())
    }
}

/// Untyped input for an item, as it comes from a form, JSON or an import.
/// Every field has a default so a partial JSON body names what is missing
/// instead of failing to deserialize.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemInput {
    pub name: String,
    pub department_id: Option<i64>,
    pub basic_code: String,
    pub implementation_code: String,
    pub item_type: String,
    pub case_kind: String,
    pub legal_limit: Option<LimitInput>,
    pub promised_limit: Option<LimitInput>,
    pub entry_status: String,
    pub exempt_reason: String,
    pub exempt_approval: String,
    pub window_authorisation: String,
    pub online: bool,
    pub visits: i64,
    pub result: String,
    pub conditions: String,
    pub basis: String,
    pub steps: Vec<StepInput>,
    pub materials: Vec<MaterialInput>,
    pub fees: Vec<FeeInput>,
    pub special_procedures: Vec<SpecialProcedureInput>,
    pub place: String,
    pub hours: String,
    pub consultation_phone: String,
    pub complaint_phone: String,
    pub faqs: Vec<FaqInput>,
    /// Extensions a case may get, 0 to 3; absent means 1 (行政许可法 §42).
    pub max_extensions: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitInput {
    pub value: i64,
    pub unit: String,
    pub note: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepInput {
    pub name: String,
    pub budget_days: i64,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialInput {
    pub name: String,
    pub source: String,
    pub originals: i64,
    pub copies: i64,
    pub required: bool,
    pub note: String,
}

impl Default for MaterialInput {
    fn default() -> Self {
        Self {
            name: String::new(),
            source: "applicant".into(),
            originals: 1,
            copies: 0,
            required: true,
            note: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeInput {
    pub name: String,
    pub standard: String,
    pub basis: String,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialProcedureInput {
    pub name: String,
    pub kind: String,
    pub limit: Option<LimitInput>,
    pub basis: String,
    pub counts_in_limit: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqInput {
    pub question: String,
    pub answer: String,
}

/// The longest code the national exchange practice uses (12 / 36 characters).
pub const MAX_CODE_LEN: usize = 36;
const MAX_NAME_LEN: usize = 100;
const MAX_TEXT_LEN: usize = 5000;
const MAX_SHORT_LEN: usize = 200;
const MAX_LIMIT: i64 = 3650;
const MAX_LIST: usize = 100;

impl ItemContent {
    /// Checks every field of `input` and builds the content, or lists every problem.
    pub fn parse(input: &ItemInput) -> Result<ItemContent, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = text(&mut e, "name", "事项名称", &input.name, MAX_NAME_LEN, true);
        let department_id = match input.department_id {
            Some(id) if id > 0 => id,
            _ => {
                e.add("field.required", "department_id", "请选择实施部门");
                0
            }
        };
        let basic_code = code(&mut e, "basic_code", "基本编码", &input.basic_code);
        let implementation_code = code(
            &mut e,
            "implementation_code",
            "实施编码",
            &input.implementation_code,
        );
        let item_type = match ItemType::parse(&input.item_type) {
            Some(t) => Some(t),
            None => {
                e.add(
                    "item.item_type_invalid",
                    "item_type",
                    "事项类型无效，应为GB/T 39046代码（如01行政许可、20公共服务）",
                );
                None
            }
        };
        let case_kind = match CaseKind::parse(&input.case_kind) {
            Some(k) => Some(k),
            None => {
                e.add(
                    "item.case_kind_invalid",
                    "case_kind",
                    "办件类型无效，应为即办件(immediate)或承诺件(promised)",
                );
                None
            }
        };
        let legal_limit = input
            .legal_limit
            .as_ref()
            .and_then(|l| limit(&mut e, "legal_limit", "法定办结时限", l));
        let legal_limit_note = input.legal_limit.as_ref().map(|l| {
            text(
                &mut e,
                "legal_limit.note",
                "法定时限说明",
                &l.note,
                MAX_SHORT_LEN,
                false,
            )
        });
        let promised_limit = input
            .promised_limit
            .as_ref()
            .and_then(|l| limit(&mut e, "promised_limit", "承诺办结时限", l));
        let promised_limit_note = input.promised_limit.as_ref().map(|l| {
            text(
                &mut e,
                "promised_limit.note",
                "承诺时限说明",
                &l.note,
                MAX_SHORT_LEN,
                false,
            )
        });
        if let (Some(kind), Some(p)) = (case_kind, promised_limit) {
            match kind {
                CaseKind::Immediate if p.value != 0 => e.add(
                    "item.immediate_limit",
                    "promised_limit.value",
                    "即办件的承诺时限应为0（即时办结）",
                ),
                CaseKind::Promised if p.value == 0 => e.add(
                    "item.promised_limit_zero",
                    "promised_limit.value",
                    "承诺件的承诺时限至少为1天",
                ),
                _ => {}
            }
        }
        if let (Some(l), Some(p)) = (legal_limit, promised_limit)
            && p.in_fifths_of_natural_days() > l.in_fifths_of_natural_days()
        {
            e.add(
                "item.promised_exceeds_legal",
                "promised_limit.value",
                "承诺办结时限不得超过法定办结时限",
            );
        }
        let entry = match input.entry_status.trim() {
            "" | "not_entered" | "未进驻" => EntryStatus::NotEntered,
            "entered" | "已进驻" => EntryStatus::Entered,
            "exempt" | "经批准不进驻" => {
                let reason = text(
                    &mut e,
                    "exempt_reason",
                    "不进驻理由",
                    &input.exempt_reason,
                    MAX_SHORT_LEN,
                    true,
                );
                let approval = text(
                    &mut e,
                    "exempt_approval",
                    "批准文件",
                    &input.exempt_approval,
                    MAX_SHORT_LEN,
                    true,
                );
                EntryStatus::Exempt { reason, approval }
            }
            _ => {
                e.add(
                    "item.entry_status_invalid",
                    "entry_status",
                    "进驻状态无效，应为entered、not_entered或exempt",
                );
                EntryStatus::NotEntered
            }
        };
        let window_authorisation = if input.window_authorisation.trim().is_empty() {
            WindowAuthorisation::AcceptOnly
        } else {
            WindowAuthorisation::parse(&input.window_authorisation).unwrap_or_else(|| {
                e.add(
                    "item.window_authorisation_invalid",
                    "window_authorisation",
                    "窗口授权等级无效，应为accept_only、partial或full",
                );
                WindowAuthorisation::AcceptOnly
            })
        };
        if !(0..=9).contains(&input.visits) {
            e.add("field.out_of_range", "visits", "到现场次数应在0到9之间");
        }
        let result = text(
            &mut e,
            "result",
            "办理结果",
            &input.result,
            MAX_SHORT_LEN,
            false,
        );
        let conditions = text(
            &mut e,
            "conditions",
            "受理条件",
            &input.conditions,
            MAX_TEXT_LEN,
            false,
        );
        let basis = text(
            &mut e,
            "basis",
            "设定依据",
            &input.basis,
            MAX_TEXT_LEN,
            false,
        );
        let place = text(
            &mut e,
            "place",
            "办理地点",
            &input.place,
            MAX_SHORT_LEN,
            false,
        );
        let hours = text(
            &mut e,
            "hours",
            "办理时间",
            &input.hours,
            MAX_SHORT_LEN,
            false,
        );
        let consultation_phone = phone(
            &mut e,
            "consultation_phone",
            "咨询电话",
            &input.consultation_phone,
        );
        let complaint_phone = phone(
            &mut e,
            "complaint_phone",
            "监督投诉电话",
            &input.complaint_phone,
        );

        list_len(&mut e, "steps", "办理环节", input.steps.len());
        let steps = input
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let f = format!("steps[{i}]");
                Step {
                    name: text(&mut e, &format!("{f}.name"), "环节名称", &s.name, 50, true),
                    budget_days: days(
                        &mut e,
                        &format!("{f}.budget_days"),
                        "环节时限",
                        s.budget_days,
                    ),
                    description: text(
                        &mut e,
                        &format!("{f}.description"),
                        "环节说明",
                        &s.description,
                        MAX_SHORT_LEN * 5,
                        false,
                    ),
                }
            })
            .collect();
        list_len(&mut e, "materials", "申请材料", input.materials.len());
        let materials = input
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let f = format!("materials[{i}]");
                let source = MaterialSource::parse(&m.source).unwrap_or_else(|| {
                    e.add(
                        "item.material_source_invalid",
                        format!("{f}.source"),
                        "材料来源无效",
                    );
                    MaterialSource::Other
                });
                let originals = count(&mut e, &format!("{f}.originals"), "原件份数", m.originals);
                let copies = count(&mut e, &format!("{f}.copies"), "复印件份数", m.copies);
                Material {
                    name: text(
                        &mut e,
                        &format!("{f}.name"),
                        "材料名称",
                        &m.name,
                        MAX_SHORT_LEN,
                        true,
                    ),
                    source,
                    originals,
                    copies,
                    required: m.required,
                    note: text(
                        &mut e,
                        &format!("{f}.note"),
                        "材料说明",
                        &m.note,
                        MAX_SHORT_LEN * 2,
                        false,
                    ),
                }
            })
            .collect();
        list_len(&mut e, "fees", "收费项目", input.fees.len());
        let fees = input
            .fees
            .iter()
            .enumerate()
            .map(|(i, fee)| {
                let f = format!("fees[{i}]");
                if !(0..=10_000_000_000).contains(&fee.amount_fen) {
                    e.add(
                        "field.out_of_range",
                        format!("{f}.amount_fen"),
                        "收费金额应为不小于0的分值",
                    );
                }
                Fee {
                    name: text(
                        &mut e,
                        &format!("{f}.name"),
                        "收费项目名称",
                        &fee.name,
                        MAX_SHORT_LEN,
                        true,
                    ),
                    standard: text(
                        &mut e,
                        &format!("{f}.standard"),
                        "收费标准",
                        &fee.standard,
                        MAX_SHORT_LEN,
                        true,
                    ),
                    basis: text(
                        &mut e,
                        &format!("{f}.basis"),
                        "收费依据",
                        &fee.basis,
                        MAX_SHORT_LEN * 2,
                        false,
                    ),
                    amount_fen: fee.amount_fen.max(0),
                }
            })
            .collect();
        list_len(
            &mut e,
            "special_procedures",
            "特别程序",
            input.special_procedures.len(),
        );
        let special_procedures = input
            .special_procedures
            .iter()
            .enumerate()
            .map(|(i, sp)| {
                let f = format!("special_procedures[{i}]");
                let kind = SpecialProcedureKind::parse(&sp.kind).unwrap_or_else(|| {
                    e.add(
                        "item.special_procedure_kind_invalid",
                        format!("{f}.kind"),
                        "特别程序种类无效",
                    );
                    SpecialProcedureKind::Other
                });
                SpecialProcedure {
                    name: text(
                        &mut e,
                        &format!("{f}.name"),
                        "特别程序名称",
                        &sp.name,
                        50,
                        true,
                    ),
                    kind,
                    limit: sp
                        .limit
                        .as_ref()
                        .and_then(|l| limit(&mut e, &format!("{f}.limit"), "特别程序时限", l)),
                    basis: text(
                        &mut e,
                        &format!("{f}.basis"),
                        "特别程序依据",
                        &sp.basis,
                        MAX_SHORT_LEN * 2,
                        false,
                    ),
                    counts_in_limit: sp.counts_in_limit,
                }
            })
            .collect();
        list_len(&mut e, "faqs", "常见问题", input.faqs.len());
        let faqs = input
            .faqs
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let f = format!("faqs[{i}]");
                Faq {
                    question: text(
                        &mut e,
                        &format!("{f}.question"),
                        "问题",
                        &q.question,
                        MAX_SHORT_LEN,
                        true,
                    ),
                    answer: text(
                        &mut e,
                        &format!("{f}.answer"),
                        "解答",
                        &q.answer,
                        MAX_TEXT_LEN,
                        true,
                    ),
                }
            })
            .collect();

        let max_extensions = match input.max_extensions {
            None => 1,
            Some(n @ 0..=3) => n as u8,
            Some(_) => {
                e.add(
                    "item.max_extensions_invalid",
                    "max_extensions",
                    "允许延期次数应为0至3次",
                );
                1
            }
        };
        let (Some(item_type), Some(case_kind)) = (item_type, case_kind) else {
            return Err(e);
        };
        e.into_result(ItemContent {
            name,
            department_id,
            basic_code,
            implementation_code,
            item_type,
            case_kind,
            legal_limit,
            legal_limit_note: legal_limit_note.unwrap_or_default(),
            promised_limit,
            promised_limit_note: promised_limit_note.unwrap_or_default(),
            entry,
            window_authorisation,
            online: input.online,
            visits: input.visits.clamp(0, 9) as u8,
            result,
            conditions,
            basis,
            steps,
            materials,
            fees,
            special_procedures,
            place,
            hours,
            consultation_phone,
            complaint_phone,
            faqs,
            max_extensions,
        })
    }

    /// The inverse of `parse`: the input that produces this content, for edit forms.
    pub fn to_input(&self) -> ItemInput {
        let limit_in = |l: Option<TimeLimit>, note: &str| {
            l.map(|l| LimitInput {
                value: l.value.into(),
                unit: l.unit.code().into(),
                note: note.into(),
            })
        };
        let (exempt_reason, exempt_approval) = match &self.entry {
            EntryStatus::Exempt { reason, approval } => (reason.clone(), approval.clone()),
            _ => Default::default(),
        };
        ItemInput {
            name: self.name.clone(),
            department_id: Some(self.department_id),
            basic_code: self.basic_code.clone(),
            implementation_code: self.implementation_code.clone(),
            item_type: self.item_type.code().into(),
            case_kind: self.case_kind.code().into(),
            legal_limit: limit_in(self.legal_limit, &self.legal_limit_note),
            promised_limit: limit_in(self.promised_limit, &self.promised_limit_note),
            entry_status: self.entry.state().code().into(),
            exempt_reason,
            exempt_approval,
            window_authorisation: self.window_authorisation.code().into(),
            online: self.online,
            visits: self.visits.into(),
            result: self.result.clone(),
            conditions: self.conditions.clone(),
            basis: self.basis.clone(),
            steps: self
                .steps
                .iter()
                .map(|s| StepInput {
                    name: s.name.clone(),
                    budget_days: s.budget_days.into(),
                    description: s.description.clone(),
                })
                .collect(),
            materials: self
                .materials
                .iter()
                .map(|m| MaterialInput {
                    name: m.name.clone(),
                    source: m.source.code().into(),
                    originals: m.originals.into(),
                    copies: m.copies.into(),
                    required: m.required,
                    note: m.note.clone(),
                })
                .collect(),
            fees: self
                .fees
                .iter()
                .map(|f| FeeInput {
                    name: f.name.clone(),
                    standard: f.standard.clone(),
                    basis: f.basis.clone(),
                    amount_fen: f.amount_fen,
                })
                .collect(),
            special_procedures: self
                .special_procedures
                .iter()
                .map(|s| SpecialProcedureInput {
                    name: s.name.clone(),
                    kind: s.kind.code().into(),
                    limit: s.limit.map(|l| LimitInput {
                        value: l.value.into(),
                        unit: l.unit.code().into(),
                        note: String::new(),
                    }),
                    basis: s.basis.clone(),
                    counts_in_limit: s.counts_in_limit,
                })
                .collect(),
            place: self.place.clone(),
            hours: self.hours.clone(),
            consultation_phone: self.consultation_phone.clone(),
            complaint_phone: self.complaint_phone.clone(),
            faqs: self
                .faqs
                .iter()
                .map(|q| FaqInput {
                    question: q.question.clone(),
                    answer: q.answer.clone(),
                })
                .collect(),
            max_extensions: Some(self.max_extensions.into()),
        }
    }
}

fn code(e: &mut ValidationErrors, field: &str, label: &str, raw: &str) -> String {
    let t = raw.trim();
    if t.chars().count() > MAX_CODE_LEN {
        e.add(
            "item.code_too_long",
            field,
            format!("{label}不能超过{MAX_CODE_LEN}个字符"),
        );
    } else if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        e.add(
            "item.code_invalid",
            field,
            format!("{label}不能包含空白字符"),
        );
    }
    t.to_string()
}

fn limit(e: &mut ValidationErrors, field: &str, label: &str, l: &LimitInput) -> Option<TimeLimit> {
    let unit = if l.unit.trim().is_empty() {
        Some(LimitUnit::WorkingDays)
    } else {
        LimitUnit::parse(&l.unit)
    };
    let Some(unit) = unit else {
        e.add(
            "item.limit_unit_invalid",
            format!("{field}.unit"),
            format!("{label}的单位应为working_days或natural_days"),
        );
        return None;
    };
    if !(0..=MAX_LIMIT).contains(&l.value) {
        e.add(
            "field.out_of_range",
            format!("{field}.value"),
            format!("{label}应在0到{MAX_LIMIT}天之间"),
        );
        return None;
    }
    Some(TimeLimit {
        value: l.value as u16,
        unit,
    })
}

fn days(e: &mut ValidationErrors, field: &str, label: &str, v: i64) -> u16 {
    if !(0..=MAX_LIMIT).contains(&v) {
        e.add(
            "field.out_of_range",
            field,
            format!("{label}应在0到{MAX_LIMIT}天之间"),
        );
    }
    v.clamp(0, MAX_LIMIT) as u16
}

fn count(e: &mut ValidationErrors, field: &str, label: &str, v: i64) -> u8 {
    if !(0..=99).contains(&v) {
        e.add("field.out_of_range", field, format!("{label}应在0到99之间"));
    }
    v.clamp(0, 99) as u8
}

fn phone(e: &mut ValidationErrors, field: &str, label: &str, raw: &str) -> String {
    let t = raw.trim();
    if !t.is_empty() && !is_service_phone(t) {
        e.push(FieldError::new(
            "field.phone_invalid",
            field,
            format!("{label}格式不正确"),
        ));
    }
    t.to_string()
}

fn list_len(e: &mut ValidationErrors, field: &str, label: &str, len: usize) {
    if len > MAX_LIST {
        e.add(
            "field.too_many",
            field,
            format!("{label}不能超过{MAX_LIST}项"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ItemInput {
        ItemInput {
            name: "食品经营许可".into(),
            department_id: Some(5),
            basic_code: "000117001000".into(),
            implementation_code: "11150102MB0000005X4000117001000".into(),
            item_type: "01".into(),
            case_kind: "promised".into(),
            legal_limit: Some(LimitInput {
                value: 20,
                unit: "working_days".into(),
                note: String::new(),
            }),
            promised_limit: Some(LimitInput {
                value: 10,
                unit: "working_days".into(),
                note: String::new(),
            }),
            entry_status: "entered".into(),
            window_authorisation: "full".into(),
            online: true,
            visits: 1,
            result: "食品经营许可证".into(),
            conditions: "有与经营的食品品种、数量相适应的经营场所".into(),
            basis: "《中华人民共和国食品安全法》第三十五条".into(),
            steps: vec![StepInput {
                name: "受理".into(),
                budget_days: 1,
                description: String::new(),
            }],
            materials: vec![MaterialInput {
                name: "食品经营许可申请书".into(),
                ..Default::default()
            }],
            place: "新城区政务服务中心".into(),
            hours: "工作日".into(),
            consultation_phone: "0471-6218605".into(),
            complaint_phone: "0471-6218617".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_item_parses_and_can_be_published() {
        let c = ItemContent::parse(&input()).unwrap();
        assert_eq!(c.item_type, ItemType::Licensing);
        assert!(!c.limit_flagged());
        c.check_publishable().unwrap();
        assert_eq!(ItemContent::parse(&c.to_input()).unwrap(), c);
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let mut i = input();
        i.name = "  ".into();
        i.item_type = "99".into();
        i.basic_code = "x".repeat(37);
        i.materials[0].name = String::new();
        let e = ItemContent::parse(&i).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "basic_code", "item_type", "materials[0].name"]
        );
        assert!(e.0[0].message.contains("事项名称"));
    }

    #[test]
    fn promised_longer_than_legal_is_refused_across_units() {
        let mut i = input();
        i.promised_limit = Some(LimitInput {
            value: 21,
            unit: "working_days".into(),
            note: String::new(),
        });
        assert_eq!(
            ItemContent::parse(&i).unwrap_err().0[0].code,
            "item.promised_exceeds_legal"
        );
        // 20 natural days are 14 2/7 working days: 15 working days exceed them.
        i.legal_limit = Some(LimitInput {
            value: 20,
            unit: "natural_days".into(),
            note: String::new(),
        });
        i.promised_limit = Some(LimitInput {
            value: 15,
            unit: "working_days".into(),
            note: String::new(),
        });
        assert!(ItemContent::parse(&i).is_err());
        i.promised_limit = Some(LimitInput {
            value: 14,
            unit: "working_days".into(),
            note: String::new(),
        });
        assert!(ItemContent::parse(&i).is_ok());
    }

    #[test]
    fn more_than_half_the_legal_limit_is_flagged() {
        let wd = TimeLimit::working_days;
        assert!(!limit_flagged(Some(wd(20)), Some(wd(10))));
        assert!(limit_flagged(Some(wd(20)), Some(wd(11))));
        assert!(!limit_flagged(None, Some(wd(11))));
        let nd = |v| TimeLimit {
            value: v,
            unit: LimitUnit::NaturalDays,
        };
        // 30 natural days = 21.4 working days; half is 10.7.
        assert!(!limit_flagged(Some(nd(30)), Some(wd(10))));
        assert!(limit_flagged(Some(nd(30)), Some(wd(11))));
    }

    #[test]
    fn kind_and_limit_must_agree() {
        let mut i = input();
        i.case_kind = "即办件".into();
        assert_eq!(
            ItemContent::parse(&i).unwrap_err().0[0].code,
            "item.immediate_limit"
        );
        i.promised_limit = Some(LimitInput {
            value: 0,
            unit: String::new(),
            note: String::new(),
        });
        assert_eq!(
            ItemContent::parse(&i).unwrap().case_kind,
            CaseKind::Immediate
        );
    }

    #[test]
    fn drafts_may_be_incomplete_but_cannot_be_published() {
        let i = ItemInput {
            name: "取水许可".into(),
            department_id: Some(21),
            item_type: "行政许可".into(),
            case_kind: "承诺件".into(),
            ..Default::default()
        };
        let c = ItemContent::parse(&i).unwrap();
        let e = c.check_publishable().unwrap_err();
        assert_eq!(e.0[0].field, "promised_limit");
        assert!(e.0.iter().any(|f| f.field == "materials"));
    }

    #[test]
    fn exemption_needs_reason_and_approval() {
        let mut i = input();
        i.entry_status = "exempt".into();
        let e = ItemContent::parse(&i).unwrap_err();
        assert_eq!(e.0[0].field, "exempt_reason");
        i.exempt_reason = "涉密".into();
        i.exempt_approval = "新政务函〔2020〕12号".into();
        assert_eq!(
            ItemContent::parse(&i).unwrap().entry.state(),
            EntryState::Exempt
        );
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for t in ItemType::ALL {
            assert_eq!(ItemType::parse(t.code()), Some(*t));
            assert_eq!(ItemType::parse(t.label()), Some(*t));
        }
        assert_eq!(
            serde_json::to_string(&ItemType::PublicService).unwrap(),
            "\"20\""
        );
        assert!(!ItemType::Penalty.is_on_application());
    }
}
