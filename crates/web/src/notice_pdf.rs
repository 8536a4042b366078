//! Case notices as PDF for printing at the window or at home:
//! `GET /cases/{case_no}/notices/{kind}.pdf` with kind `acceptance` (受理通知书),
//! `correction` (一次性告知书), `refusal` (不予受理决定书), `payment`
//! (缴费通知书) or `conclusion` (办结通知书).
//!
//! Served to whoever may see the case (its department, center-wide staff, the
//! applicant signed in) or to anyone with the case's query code. The text
//! comes from the case's events, so a notice printed again later is the same
//! document. Fonts are loaded once per process, on the first notice.

use crate::auth::MaybeUser;
use crate::clock::shanghai;
use crate::error::AppError;
use crate::pages::PageError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::access::{Permission, Role};
use domain::case::{Case, CaseStatus, Decision};
use notices::{Deadline, Deficiency, FeeLine, Fonts, Notice, NoticeBody, ReceivedMaterial};
use serde::Deserialize;
use std::sync::{Arc, OnceLock};
use store::{CaseRecord, CaseViewer};
use tokio::sync::Semaphore;

pub fn router() -> Router<AppState> {
    Router::new().route("/cases/{case_no}/notices/{file}", get(notice))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    query_code: String,
}

const APPEAL_TEXT: &str = "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。";

async fn notice(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((case_no, file)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let kind = file
        .strip_suffix(".pdf")
        .and_then(NoticeKind::parse)
        .ok_or(AppError::NotFound("notice"))?;
    let record = visible_case(&state, user.as_ref(), &case_no, &q.query_code).await?;
    let notice = build(&state, &record, kind, &base_url(&headers)).await?;
    let pdf = render(notice).await?;
    let filename = format!("{}-{}.pdf", record.case_no, kind.slug());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        pdf,
    )
        .into_response())
}

/// The notices a case can have, as the URLs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Acceptance,
    Correction,
    Refusal,
    Payment,
    Conclusion,
}

impl NoticeKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "acceptance" => Self::Acceptance,
            "correction" => Self::Correction,
            "refusal" => Self::Refusal,
            "payment" => Self::Payment,
            "conclusion" => Self::Conclusion,
            _ => return None,
        })
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Acceptance => "acceptance",
            Self::Correction => "correction",
            Self::Refusal => "refusal",
            Self::Payment => "payment",
            Self::Conclusion => "conclusion",
        }
    }

    /// Whether the case has reached the point where this notice exists.
    pub fn available(self, case: &Case) -> bool {
        match self {
            Self::Acceptance => case.accepted_on.is_some(),
            Self::Correction => !case.notices.is_empty(),
            Self::Refusal => case.status == CaseStatus::Refused,
            Self::Payment => case.fee.is_some(),
            Self::Conclusion => case.conclusion.is_some(),
        }
    }
}

async fn visible_case(
    state: &AppState,
    user: Option<&crate::auth::AuthUser>,
    case_no: &str,
    query_code: &str,
) -> Result<CaseRecord, AppError> {
    if let Some(u) = user {
        let grant;
        let viewer = if u.user.role == Role::Applicant {
            Some(CaseViewer::Applicant(u.user.id))
        } else {
            grant = u.grant(Permission::ReadCases).ok();
            grant.as_ref().map(CaseViewer::Staff)
        };
        if let Some(viewer) = viewer
            && let Ok(r) = state.store.case_by_no(viewer, case_no).await
        {
            return Ok(r);
        }
    }
    if query_code.trim().is_empty() {
        return Err(AppError::NotFound("case"));
    }
    crate::api::cases::inquire(state, case_no, query_code.trim()).await
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        })
        .unwrap_or("127.0.0.1:8080");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// The notice for a case, from its state.
pub async fn build(
    state: &AppState,
    record: &CaseRecord,
    kind: NoticeKind,
    base_url: &str,
) -> Result<Notice, AppError> {
    let c = &record.case;
    if !kind.available(c) {
        return Err(AppError::Conflict {
            code: "notice.not_available",
            message: match kind {
                NoticeKind::Acceptance => "该办件尚未受理，没有受理通知书",
                NoticeKind::Correction => "该办件没有出具一次性告知书",
                NoticeKind::Refusal => "该办件没有不予受理决定",
                NoticeKind::Payment => "该办件尚未开具缴费通知",
                NoticeKind::Conclusion => "该办件尚未办结",
            }
            .into(),
            field: None,
        });
    }
    let center = state.store.center(record.center_id).await?;
    let department = state.store.department(c.department_id()).await?;
    let center_name = center.as_ref().map(|x| x.name.clone()).unwrap_or_default();
    let short = center
        .as_ref()
        .map(|x| x.short_name.clone())
        .unwrap_or_default();
    let department_name = department.map(|d| d.name).unwrap_or_default();
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&shanghai()).date_naive();
    let (issued_on, body) = match kind {
        NoticeKind::Acceptance => {
            let accepted_on = c.accepted_on.expect("checked available");
            let deadline = match (c.item.case_kind, c.due_date) {
                (domain::catalogue::CaseKind::Promised, Some(due)) => Deadline::Promised {
                    limit_text: c.item.limit().map(|l| l.describe()).unwrap_or_default(),
                    due_on: due,
                },
                _ => Deadline::OnTheSpot,
            };
            let materials_received = c
                .materials
                .iter()
                .map(|m| ReceivedMaterial {
                    name: m.name.clone(),
                    form: match (&m.certificate_no, m.files.is_empty(), m.paper) {
                        (Some(no), _, _) => format!("电子证照 {no}"),
                        (None, false, true) => "纸质及电子件".into(),
                        (None, false, false) => "电子件".into(),
                        _ => "纸质".into(),
                    },
                })
                .collect();
            (
                accepted_on,
                NoticeBody::Acceptance {
                    accepted_on,
                    deadline,
                    materials_received,
                    missing_promised: c.promised_materials.clone(),
                },
            )
        }
        NoticeKind::Correction => {
            let n = c.notices.last().expect("checked available");
            (
                local(n.issued_at),
                NoticeBody::OneTimeNotice {
                    items: n
                        .lines
                        .iter()
                        .map(|l| Deficiency {
                            material: l.material.clone(),
                            problem: l.problem.clone(),
                        })
                        .collect(),
                    deadline_text: "请按本告知书一次性补齐、补正全部材料后，到窗口或在网上办件页面提交。补正期间不计入办理时限。".into(),
                },
            )
        }
        NoticeKind::Refusal => (
            c.accepted_on.unwrap_or_else(|| local(c.submitted_at)),
            NoticeBody::Refusal {
                reason: c.refusal.clone().unwrap_or_default(),
                referral_text: None,
                appeal_text: APPEAL_TEXT.into(),
            },
        ),
        NoticeKind::Payment => {
            let f = c.fee.as_ref().expect("checked available");
            (
                local(f.issued_at),
                NoticeBody::PaymentNotice {
                    lines: f
                        .lines
                        .iter()
                        .map(|l| FeeLine {
                            name: l.name.clone(),
                            standard: l.standard.clone(),
                            amount_fen: l.amount_fen,
                        })
                        .collect(),
                    payee: department_name.clone(),
                    account_text: "请持本通知书通过银行代收或财政非税收入缴款渠道缴纳。实行票款分离，窗口工作人员不直接收取现金。".into(),
                },
            )
        }
        NoticeKind::Conclusion => {
            let r = c.conclusion.as_ref().expect("checked available");
            let decision = match r.decision {
                Decision::Approved => notices::Decision::Approved {
                    result_name: r.result_name.clone(),
                    certificate_no: r.certificate_no.clone(),
                },
                Decision::Denied => notices::Decision::Denied {
                    reason: r.reason.clone(),
                    appeal_text: APPEAL_TEXT.into(),
                },
            };
            (
                local(r.at),
                NoticeBody::Conclusion {
                    decision,
                    delivery_text: match &c.delivery {
                        Some(d) => match &d.tracking_no {
                            Some(no) => format!("办理结果已邮寄送达，邮件单号{no}。"),
                            None => "办理结果已在窗口送达。".into(),
                        },
                        None => "请凭本通知书和身份证件到政务服务中心窗口领取办理结果，也可申请邮寄送达。".into(),
                    },
                },
            )
        }
    };
    Ok(Notice {
        center_name,
        number_prefix: number_prefix(&short),
        department_name: department_name.clone(),
        case_no: record.case_no.clone(),
        query_code: Some(record.query_code.clone()),
        applicant_name: c.applicant.name.clone(),
        item_name: c.item.name.clone(),
        submitted_on: local(c.submitted_at),
        issued_on,
        inquiry_url: format!(
            "{base_url}/inquiry?case_no={}&query_code={}",
            record.case_no, record.query_code
        ),
        seal_text: format!("{department_name}（印章）"),
        body,
    })
}

/// "新政服" for 新城区政务服务中心: the place's first character and 政服.
fn number_prefix(center_short_name: &str) -> String {
    let first = center_short_name.chars().next().unwrap_or('政');
    format!("{first}政服")
}

static FONTS: OnceLock<Result<Arc<Fonts>, String>> = OnceLock::new();
/// Typesetting is CPU-bound; two at a time keep the server answering.
static RENDERERS: Semaphore = Semaphore::const_new(2);

async fn render(notice: Notice) -> Result<Vec<u8>, AppError> {
    let _permit = RENDERERS
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("renderer semaphore: {e}"))?;
    tokio::task::spawn_blocking(move || {
        let fonts = FONTS
            .get_or_init(|| Fonts::system().map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| anyhow::anyhow!("loading notice fonts: {e}"))?;
        notices::render_pdf(&notice, &fonts).map_err(|e| match e {
            notices::NoticeError::MissingGlyphs(chars) => AppError::Conflict {
                code: "notice.missing_glyphs",
                message: format!("文书中有字体无法显示的字（{chars}），请联系管理员"),
                field: None,
            },
            other => AppError::Internal(anyhow::anyhow!("rendering a notice: {other}")),
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("notice task: {e}"))?
}
