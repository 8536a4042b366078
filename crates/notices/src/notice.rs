//! What a notice says: the data the caller fills in, one body per kind.
//!
//! These are plain values with public fields. The texts are printed as given
//! (escaped, never interpreted), so callers pass finished Chinese phrases such
//! as a promised limit of "10个工作日"; dates are formatted here.

use chrono::NaiveDate;

/// The five written notices a window hands to an applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// 受理通知书: the application is accepted.
    Acceptance,
    /// 一次性告知书: everything missing or wrong, listed at once (行政许可法 §32).
    OneTimeNotice,
    /// 不予受理决定书: the application is refused at the counter.
    Refusal,
    /// 缴费通知书: the fees to pay.
    PaymentNotice,
    /// 办结通知书: the decision, approved or denied.
    Conclusion,
}

impl NoticeKind {
    /// Every kind, in the order a case meets them.
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::Acceptance,
        NoticeKind::OneTimeNotice,
        NoticeKind::Refusal,
        NoticeKind::PaymentNotice,
        NoticeKind::Conclusion,
    ];

    /// The notice's printed title, e.g. "受理通知书".
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::Acceptance => "受理通知书",
            NoticeKind::OneTimeNotice => "一次性告知书",
            NoticeKind::Refusal => "不予受理决定书",
            NoticeKind::PaymentNotice => "缴费通知书",
            NoticeKind::Conclusion => "办结通知书",
        }
    }

    /// The character(s) naming the kind in the document number, as in
    /// "新政服**受**字〔2026〕第 … 号".
    pub fn number_word(self) -> &'static str {
        match self {
            NoticeKind::Acceptance => "受",
            NoticeKind::OneTimeNotice => "补",
            NoticeKind::Refusal => "不受",
            NoticeKind::PaymentNotice => "缴",
            NoticeKind::Conclusion => "结",
        }
    }

    /// A stable ASCII name, for file names and logs ("acceptance", …).
    pub fn slug(self) -> &'static str {
        match self {
            NoticeKind::Acceptance => "acceptance",
            NoticeKind::OneTimeNotice => "one-time-notice",
            NoticeKind::Refusal => "refusal",
            NoticeKind::PaymentNotice => "payment-notice",
            NoticeKind::Conclusion => "conclusion",
        }
    }
}

/// One notice about one case, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The issuing center, e.g. "呼和浩特市新城区政务服务中心"; named in the
    /// sentence telling the applicant where to ask about the case.
    pub center_name: String,
    /// The short name of the issuing organ used in document numbers, e.g. "新政服".
    pub number_prefix: String,
    /// The department deciding the case, printed above the title, e.g.
    /// "呼和浩特市新城区人力资源和社会保障局".
    pub department_name: String,
    /// The case number, e.g. "XC20261122000123".
    pub case_no: String,
    /// The query code the applicant uses with the case number, if the case has one.
    pub query_code: Option<String>,
    /// The applicant's full name (person or organisation): the notice is
    /// handed to the applicant, so it is not masked.
    pub applicant_name: String,
    /// The service item applied for, e.g. "失业保险金申领".
    pub item_name: String,
    /// The day the application was submitted (申请日期).
    pub submitted_on: NaiveDate,
    /// The day the notice is issued, printed under the seal; its year is the
    /// year in the document number.
    pub issued_on: NaiveDate,
    /// The address of the progress page, encoded in the QR code and printed under it.
    pub inquiry_url: String,
    /// The seal line printed at the bottom right, e.g.
    /// "呼和浩特市新城区政务服务中心（印章）".
    pub seal_text: String,
    /// What the notice says, which also decides its kind.
    pub body: NoticeBody,
}

impl Notice {
    /// The notice's kind, from its body.
    pub fn kind(&self) -> NoticeKind {
        self.body.kind()
    }

    /// The document number, e.g. "新政服受字〔2026〕第 XC20261122000123 号".
    pub fn document_number(&self) -> String {
        format!(
            "{}{}字〔{}〕第 {} 号",
            self.number_prefix,
            self.kind().number_word(),
            chrono::Datelike::year(&self.issued_on),
            self.case_no
        )
    }
}

/// What each kind of notice says beyond the common fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeBody {
    /// 受理通知书.
    Acceptance {
        /// The day the application was accepted.
        accepted_on: NaiveDate,
        /// When the case will be finished.
        deadline: Deadline,
        /// The materials taken in, listed in a table.
        materials_received: Vec<ReceivedMaterial>,
        /// Materials the applicant promised in writing to supply later
        /// (容缺受理); the case cannot conclude before they arrive.
        missing_promised: Vec<String>,
    },
    /// 一次性告知书.
    OneTimeNotice {
        /// Everything that is missing or wrong, one row each.
        items: Vec<Deficiency>,
        /// A sentence saying by when and how to correct, e.g.
        /// "请于2026年12月22日前补齐上述材料后重新提交。".
        deadline_text: String,
    },
    /// 不予受理决定书.
    Refusal {
        /// Why the application is refused, a clause, e.g.
        /// "该申请事项依法不属于本机关职权范围".
        reason: String,
        /// Where to apply instead, a full sentence, when the matter belongs
        /// to another organ (行政许可法 §32 requires telling the applicant).
        referral_text: Option<String>,
        /// The applicant's remedies (复议/诉讼), a full sentence.
        appeal_text: String,
    },
    /// 缴费通知书. The total is the sum of the lines.
    PaymentNotice {
        /// The fees, one row each.
        lines: Vec<FeeLine>,
        /// Who receives the money, e.g. "呼和浩特市新城区财政局".
        payee: String,
        /// How and where to pay, a full sentence.
        account_text: String,
    },
    /// 办结通知书.
    Conclusion {
        /// Approved or denied, with what each needs.
        decision: Decision,
        /// How the result reaches the applicant, a full sentence.
        delivery_text: String,
    },
}

impl NoticeBody {
    /// The kind of notice this body belongs to.
    pub fn kind(&self) -> NoticeKind {
        match self {
            NoticeBody::Acceptance { .. } => NoticeKind::Acceptance,
            NoticeBody::OneTimeNotice { .. } => NoticeKind::OneTimeNotice,
            NoticeBody::Refusal { .. } => NoticeKind::Refusal,
            NoticeBody::PaymentNotice { .. } => NoticeKind::PaymentNotice,
            NoticeBody::Conclusion { .. } => NoticeKind::Conclusion,
        }
    }
}

/// When an accepted case will be finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    /// 即办件: finished on the spot.
    OnTheSpot,
    /// 承诺件: finished within a promised limit.
    Promised {
        /// The promised limit as printed, e.g. "10个工作日".
        limit_text: String,
        /// The last day, counted by the caller on the working calendar.
        due_on: NaiveDate,
    },
}

/// One material taken in at acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMaterial {
    /// e.g. "居民身份证".
    pub name: String,
    /// Originals and copies, e.g. "原件1份，复印件1份"; may be empty.
    pub form: String,
}

/// One row of a one-time notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deficiency {
    /// The material concerned, e.g. "营业执照".
    pub material: String,
    /// What is missing or wrong, e.g. "未提供原件".
    pub problem: String,
}

/// One fee in a payment notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    /// e.g. "不动产登记费".
    pub name: String,
    /// The charging standard, e.g. "80元/件".
    pub standard: String,
    /// The amount in fen (分); printed in yuan with two decimals.
    pub amount_fen: i64,
}

/// The outcome told by a conclusion notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// 准予: the result is issued.
    Approved {
        /// The result document, e.g. "《食品经营许可证》".
        result_name: String,
        /// The certificate's number, when the result is a certificate.
        certificate_no: Option<String>,
    },
    /// 不予: denied, with the reason and the applicant's remedies
    /// (行政许可法 §38 requires both).
    Denied {
        /// Why, e.g. "申请人不符合……规定的条件".
        reason: String,
        /// The applicant's remedies (复议/诉讼), a full sentence.
        appeal_text: String,
    },
}
