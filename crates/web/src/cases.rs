//! Cases as the API and the pages show them: one view type built from a
//! stored case, with personal data masked unless the viewer needs it.

use crate::clock::rfc3339_local;
use crate::error::AppResult;
use crate::state::AppState;
use chrono::NaiveDate;
use domain::access::Role;
use domain::calendar::WorkCalendar;
use domain::case::{Case, CaseStatus, Decision, PauseReason};
use serde::Serialize;
use store::{CaseRecord, StoredEvent};
use utoipa::ToSchema;

/// Who is looking, which decides how much personal data a view carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Department staff handling the case and the applicant themself: full
    /// identity number and phone, the query code.
    Handler,
    /// Center-wide roles (admin, supervisor, leader): masked.
    Overseer,
}

impl Audience {
    pub fn of(role: Role, department_id: Option<i64>, case: &Case, user_id: i64) -> Audience {
        let handles = role.needs_department() && department_id == Some(case.department_id());
        let owns = role == Role::Applicant && case.applicant_user_id == Some(user_id);
        if handles || owns {
            Audience::Handler
        } else {
            Audience::Overseer
        }
    }
}

/// A six-digit code the applicant uses to follow the case without an account.
pub fn new_query_code() -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the operating system provides randomness");
    format!("{:06}", u32::from_le_bytes(b) % 1_000_000)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub case_no: String,
    /// Shown to the applicant and the handling department only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_code: Option<String>,
    /// `submitted`, `awaiting_correction`, `accepted`, `suspended`, `refused`, `concluded`, `delivered`.
    pub status: &'static str,
    pub status_name: &'static str,
    /// `window` or `online`.
    pub channel: &'static str,
    pub item: CaseItemView,
    pub applicant: ApplicantView,
    pub submitted_at: String,
    pub accepted_at: Option<String>,
    pub accepted_by: String,
    pub due_date: Option<NaiveDate>,
    /// Working days from today to the due date; negative once overdue.
    pub working_days_left: Option<i64>,
    pub overdue: bool,
    pub paused_working_days: u32,
    pub extension_working_days: u32,
    /// The step being worked on (1-based).
    pub current_step: Option<usize>,
    pub steps: Vec<StepView>,
    pub materials: Vec<MaterialView>,
    pub promised_materials: Vec<String>,
    pub notices: Vec<NoticeView>,
    pub pauses: Vec<PauseView>,
    pub extensions: Vec<ExtensionView>,
    pub pending_extension: Option<ExtensionView>,
    pub refusal_reason: Option<String>,
    pub conclusion: Option<ConclusionView>,
    pub fee: Option<FeeView>,
    pub delivery: Option<DeliveryView>,
    pub events: Vec<EventView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseItemView {
    pub id: i64,
    pub version_no: i64,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    /// `immediate` or `promised`.
    pub case_kind: &'static str,
    pub promised_limit: Option<String>,
    pub max_extensions: u8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantView {
    /// `person` or `organisation`.
    pub kind: &'static str,
    pub name: String,
    pub id_type: &'static str,
    pub id_type_name: &'static str,
    /// Masked (`110101********4514`) unless the viewer handles the case.
    pub id_number: String,
    pub phone: String,
    pub contact_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub n: usize,
    pub name: String,
    pub budget_days: u16,
    pub assignee: String,
    pub opinion: String,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaterialView {
    pub name: String,
    pub required: bool,
    pub provided: bool,
    /// Promised under 容缺受理 and not yet received.
    pub promised: bool,
    pub paper: bool,
    pub certificate_no: Option<String>,
    pub files: Vec<FileView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub issued_at: String,
    pub issued_by: String,
    pub during_handling: bool,
    pub lines: Vec<domain::case::NoticeLine>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PauseView {
    /// `special_procedure` or `correction`.
    pub kind: &'static str,
    pub name: String,
    pub reason: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub result: String,
    pub working_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionView {
    pub working_days: u32,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConclusionView {
    /// `approved` or `denied`.
    pub decision: &'static str,
    pub decision_name: &'static str,
    pub reason: String,
    pub result_name: String,
    pub certificate_no: Option<String>,
    pub at: String,
    pub by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeeLineView {
    pub name: String,
    pub standard: String,
    pub basis: String,
    pub amount_fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeeView {
    pub lines: Vec<FeeLineView>,
    pub total_fen: i64,
    pub issued_by: String,
    pub issued_at: String,
    pub paid: bool,
    pub payment_channel: Option<&'static str>,
    pub receipt_no: Option<String>,
    pub confirmed_by: Option<String>,
    pub paid_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `window` or `post`.
    pub method: &'static str,
    pub method_name: &'static str,
    pub tracking_no: Option<String>,
    pub at: String,
    pub by: String,
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub kind: &'static str,
    pub label: &'static str,
    pub at: String,
    pub actor: String,
    pub role: Option<&'static str>,
    /// A short Chinese description of what happened.
    pub summary: String,
    /// The event's link in the hash chain.
    pub hash: String,
}

/// The public inquiry: status and steps, nothing personal beyond a masked name.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCaseView {
    pub case_no: String,
    pub item_name: String,
    pub department_name: String,
    pub applicant_name: String,
    pub status: &'static str,
    pub status_name: &'static str,
    pub submitted_at: String,
    pub accepted_at: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub paused_working_days: u32,
    pub steps: Vec<PublicStep>,
    /// What the applicant must still bring or correct.
    pub corrections: Vec<domain::case::NoticeLine>,
    pub promised_materials: Vec<String>,
    pub fee_total_fen: Option<i64>,
    pub fee_paid: bool,
    pub result: Option<String>,
    pub delivery: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStep {
    pub name: String,
    pub done: bool,
    pub ended_at: Option<String>,
}

/// Builds the full view of a case for staff or its applicant.
pub async fn view(
    state: &AppState,
    record: &CaseRecord,
    audience: Audience,
    events: &[StoredEvent],
) -> AppResult<CaseView> {
    let calendar = state.store.calendar(record.center_id).await?;
    let today = state.clock.today();
    let department_name = department_name(state, record.case.department_id()).await;
    Ok(build_view(
        record,
        audience,
        events,
        &calendar,
        today,
        department_name,
    ))
}

/// The public inquiry view.
pub async fn public_view(state: &AppState, record: &CaseRecord) -> PublicCaseView {
    let c = &record.case;
    let department_name = department_name(state, c.department_id()).await;
    let corrections = if c.status == CaseStatus::AwaitingCorrection {
        c.notices
            .last()
            .map(|n| n.lines.clone())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    PublicCaseView {
        case_no: record.case_no.clone(),
        item_name: c.item.name.clone(),
        department_name,
        applicant_name: c.applicant.masked_name(),
        status: c.status.code(),
        status_name: c.status.label(),
        submitted_at: rfc3339_local(c.submitted_at),
        accepted_at: c.accepted_at.map(rfc3339_local),
        due_date: c.due_date,
        paused_working_days: c.paused_working_days,
        steps: c
            .steps
            .iter()
            .map(|s| PublicStep {
                name: s.name.clone(),
                done: s.ended_at.is_some(),
                ended_at: s.ended_at.map(rfc3339_local),
            })
            .collect(),
        corrections,
        promised_materials: c.promised_materials.clone(),
        fee_total_fen: c.fee.as_ref().map(|f| f.total_fen),
        fee_paid: c.fee.as_ref().is_some_and(|f| f.payment.is_some()),
        result: c.conclusion.as_ref().map(|r| match r.decision {
            Decision::Approved => format!("准予：{}", r.result_name),
            Decision::Denied => "不予许可".to_string(),
        }),
        delivery: c.delivery.as_ref().map(|d| match &d.tracking_no {
            Some(no) => format!("{}（单号 {no}）", d.method.label()),
            None => d.method.label().to_string(),
        }),
    }
}

async fn department_name(state: &AppState, id: i64) -> String {
    state
        .store
        .department(id)
        .await
        .ok()
        .flatten()
        .map(|d| d.name)
        .unwrap_or_default()
}

fn build_view(
    record: &CaseRecord,
    audience: Audience,
    events: &[StoredEvent],
    calendar: &WorkCalendar,
    today: NaiveDate,
    department_name: String,
) -> CaseView {
    let c = &record.case;
    let full = audience == Audience::Handler;
    let working_days_left = match (c.status.is_open(), c.due_date) {
        (true, Some(due)) if c.accepted_on.is_some() => {
            Some(calendar.working_days_left(today, due))
        }
        _ => None,
    };
    let overdue = match (c.due_date, &c.conclusion) {
        (Some(due), Some(con)) => {
            con.at.with_timezone(&crate::clock::shanghai()).date_naive() > due
        }
        (Some(due), None) => c.accepted_on.is_some() && c.status.is_open() && today > due,
        _ => false,
    };
    let materials = c
        .item
        .materials
        .iter()
        .map(|m| {
            let given = c.materials.iter().find(|p| p.name == m.name);
            MaterialView {
                name: m.name.clone(),
                required: m.required,
                provided: given.is_some(),
                promised: c.promised_materials.contains(&m.name),
                paper: given.is_some_and(|g| g.paper),
                certificate_no: given.and_then(|g| g.certificate_no.clone()),
                files: given
                    .map(|g| {
                        g.files
                            .iter()
                            .map(|f| FileView {
                                sha256: f.sha256.clone(),
                                filename: f.filename.clone(),
                                content_type: f.content_type.clone(),
                                size: f.size,
                                url: format!("/api/v1/files/{}", f.sha256),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    CaseView {
        case_no: record.case_no.clone(),
        query_code: full.then(|| record.query_code.clone()),
        status: c.status.code(),
        status_name: c.status.label(),
        channel: c.channel.code(),
        item: CaseItemView {
            id: c.item.item_id,
            version_no: c.item.version_no,
            name: c.item.name.clone(),
            department_id: c.item.department_id,
            department_name,
            case_kind: c.item.case_kind.code(),
            promised_limit: c.item.limit().map(|l| l.describe()),
            max_extensions: c.item.max_extensions,
        },
        applicant: ApplicantView {
            kind: c.applicant.kind.code(),
            name: c.applicant.name.clone(),
            id_type: c.applicant.id_type.code(),
            id_type_name: c.applicant.id_type.label(),
            id_number: if full {
                c.applicant.id_number.clone()
            } else {
                c.applicant.masked_id()
            },
            phone: if full {
                c.applicant.phone.clone()
            } else {
                c.applicant.masked_phone()
            },
            contact_name: c.applicant.contact_name.clone(),
        },
        submitted_at: rfc3339_local(c.submitted_at),
        accepted_at: c.accepted_at.map(rfc3339_local),
        accepted_by: c.accepted_by.clone(),
        due_date: c.due_date,
        working_days_left,
        overdue,
        paused_working_days: c.paused_working_days,
        extension_working_days: c.extension_working_days,
        current_step: matches!(c.status, CaseStatus::Accepted | CaseStatus::Suspended)
            .then(|| c.current_step())
            .flatten(),
        steps: c
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepView {
                n: i + 1,
                name: s.name.clone(),
                budget_days: s.budget_days,
                assignee: s.assignee.clone(),
                opinion: s.opinion.clone(),
                started_at: s.started_at.map(rfc3339_local),
                ended_at: s.ended_at.map(rfc3339_local),
            })
            .collect(),
        materials,
        promised_materials: c.promised_materials.clone(),
        notices: c
            .notices
            .iter()
            .map(|n| NoticeView {
                issued_at: rfc3339_local(n.issued_at),
                issued_by: n.issued_by.clone(),
                during_handling: n.during_handling,
                lines: n.lines.clone(),
            })
            .collect(),
        pauses: c
            .pauses
            .iter()
            .map(|p| match &p.reason {
                PauseReason::SpecialProcedure { procedure, reason } => PauseView {
                    kind: "special_procedure",
                    name: procedure.label().into(),
                    reason: reason.clone(),
                    started_on: p.started_on,
                    ended_on: p.ended_on,
                    result: p.result.clone(),
                    working_days: p.working_days,
                },
                PauseReason::Correction => PauseView {
                    kind: "correction",
                    name: "等待补正".into(),
                    reason: "一次性告知后等待申请人补正材料".into(),
                    started_on: p.started_on,
                    ended_on: p.ended_on,
                    result: p.result.clone(),
                    working_days: p.working_days,
                },
            })
            .collect(),
        extensions: c
            .extensions
            .iter()
            .map(|e| ExtensionView {
                working_days: e.working_days,
                reason: e.reason.clone(),
                by: e.approved_by.clone(),
                at: rfc3339_local(e.at),
            })
            .collect(),
        pending_extension: c.pending_extension.as_ref().map(|e| ExtensionView {
            working_days: e.working_days,
            reason: e.reason.clone(),
            by: e.requested_by.clone(),
            at: rfc3339_local(e.at),
        }),
        refusal_reason: c.refusal.clone(),
        conclusion: c.conclusion.as_ref().map(|r| ConclusionView {
            decision: r.decision.code(),
            decision_name: r.decision.label(),
            reason: r.reason.clone(),
            result_name: r.result_name.clone(),
            certificate_no: r.certificate_no.clone(),
            at: rfc3339_local(r.at),
            by: r.by.clone(),
        }),
        fee: c.fee.as_ref().map(|f| FeeView {
            lines: f
                .lines
                .iter()
                .map(|l| FeeLineView {
                    name: l.name.clone(),
                    standard: l.standard.clone(),
                    basis: l.basis.clone(),
                    amount_fen: l.amount_fen,
                })
                .collect(),
            total_fen: f.total_fen,
            issued_by: f.issued_by.clone(),
            issued_at: rfc3339_local(f.issued_at),
            paid: f.payment.is_some(),
            payment_channel: f.payment.as_ref().map(|p| p.channel.code()),
            receipt_no: f.payment.as_ref().map(|p| p.receipt_no.clone()),
            confirmed_by: f.payment.as_ref().map(|p| p.confirmed_by.clone()),
            paid_at: f.payment.as_ref().map(|p| rfc3339_local(p.at)),
        }),
        delivery: c.delivery.as_ref().map(|d| DeliveryView {
            method: d.method.code(),
            method_name: d.method.label(),
            tracking_no: d.tracking_no.clone(),
            at: rfc3339_local(d.at),
            by: d.by.clone(),
        }),
        events: events.iter().map(event_view).collect(),
    }
}

fn event_view(e: &StoredEvent) -> EventView {
    use domain::case::EventBody as B;
    let summary = match &e.event.body {
        B::Submitted { channel, .. } => format!("{}，提交申请", channel.label()),
        B::Accepted {
            due_date,
            promised_materials,
            ..
        } => {
            let mut s = match due_date {
                Some(d) => format!("予以受理，承诺于{d}前办结"),
                None => "予以受理".to_string(),
            };
            if !promised_materials.is_empty() {
                s.push_str(&format!(
                    "；容缺受理，待补：{}",
                    promised_materials.join("、")
                ));
            }
            s
        }
        B::Refused { reason } => format!("不予受理：{reason}"),
        B::CorrectionRequested { lines, .. } => format!(
            "一次性告知需补正：{}",
            lines
                .iter()
                .map(|l| l.material.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ),
        B::Resubmitted {
            paused_working_days,
            ..
        } => {
            if *paused_working_days > 0 {
                format!("补正材料，期限顺延{paused_working_days}个工作日")
            } else {
                "补正材料".to_string()
            }
        }
        B::PromisedMaterialReceived { material } => format!("补齐容缺材料：{}", material.name),
        B::StepCompleted { step, opinion } => format!("完成第{step}环节：{opinion}"),
        B::Suspended {
            procedure, reason, ..
        } => format!("启动{}：{reason}", procedure.label()),
        B::Resumed {
            result,
            paused_working_days,
            ..
        } => format!("特别程序结束：{result}（期限顺延{paused_working_days}个工作日）"),
        B::ExtensionRequested {
            working_days,
            reason,
        } => format!("申请延期{working_days}个工作日：{reason}"),
        B::Extended {
            working_days,
            due_date,
            ..
        } => format!("批准延期{working_days}个工作日，期限至{due_date}"),
        B::Concluded {
            decision,
            result_name,
            ..
        } => format!("{}，{result_name}", decision.label()),
        B::FeeNoticeIssued { total_fen, .. } => format!(
            "开具缴费通知，合计{}.{:02}元",
            total_fen / 100,
            total_fen % 100
        ),
        B::FeePaid {
            channel,
            receipt_no,
        } => format!("{}，凭证号{receipt_no}", channel.label()),
        B::Delivered {
            method,
            tracking_no,
        } => match tracking_no {
            Some(no) => format!("{}，单号{no}", method.label()),
            None => method.label().to_string(),
        },
    };
    EventView {
        seq: e.seq,
        kind: e.event.body.kind(),
        label: e.event.body.label(),
        at: rfc3339_local(e.event.at),
        actor: e.event.actor.name.clone(),
        role: e.event.actor.role.map(|r| r.code()),
        summary,
        hash: e.hash.clone(),
    }
}
