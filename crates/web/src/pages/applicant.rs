//! Pages for applicants (办事群众 / 企业): applying online, the public
//! inquiry by case number and query code, "my cases", and handing in
//! corrections and promised materials on one's own case.
//!
//! Every write goes through the JSON API's own functions (`submit_case`,
//! `act`, `materials_from`), so a page accepts exactly what the API accepts.
//! Uploads are checked and stored with [`files::save`] while the form streams
//! in; a refused application or correction writes nothing to the case (the
//! stored scans stay unreferenced, as after a refused API submission).

use super::{Chrome, PageError, PageResult, render};
use crate::api::cases::{
    FileInput, MaterialInput, NewCaseRequest, act, load_view, materials_from, submit_case,
};
use crate::auth::{AuthUser, MaybeUser, PageUser, urlencode};
use crate::cases::{CaseView, PublicCaseView, public_view};
use crate::error::AppError;
use crate::files;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::access::Role;
use domain::case::{Action, Applicant, ApplicantInput, CaseStatus, NoticeLine, ProvidedMaterial};
use domain::catalogue::{Material, MaterialSource};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use store::{CaseFilter, CaseViewer, IdempotencyKey, ItemVersion};

/// One application may carry several scans, each at most
/// [`files::MAX_FILE_BYTES`]; the server-wide limit is lower.
const UPLOAD_BODY_LIMIT: usize = 60 * 1024 * 1024;
const PER_PAGE: i64 = 20;
/// The text fields the forms post besides material rows; others are skipped unread.
const TEXT_FIELDS: [&str; 8] = [
    "kind",
    "name",
    "id_type",
    "id_number",
    "phone",
    "contact_name",
    "pledge",
    "submission_key",
];
/// The most material rows one form may post (the longest checklist is far shorter).
const MAX_ROWS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/items/{id}/apply",
            get(apply_form)
                .post(apply)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/inquiry", get(inquiry))
        .route("/my/cases", get(my_cases))
        .route("/my/cases/{case_no}", get(my_case))
        // A refused correction re-renders the case at the form's URL; a
        // reload or a bookmark of it leads back to the case.
        .route(
            "/my/cases/{case_no}/resubmit",
            get(back_to_my_case)
                .post(resubmit)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/my/cases/{case_no}/supply",
            get(back_to_my_case)
                .post(supply)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
}

async fn back_to_my_case(Path(case_no): Path<String>) -> Redirect {
    Redirect::to(&format!("/my/cases/{}", urlencode(&case_no)))
}

// ------------------------------------------------------------ apply online

#[derive(Template)]
#[template(path = "applicant/apply.html")]
struct ApplyPage {
    chrome: Chrome,
    item_id: i64,
    item: ItemSummary,
    signed_in: bool,
    /// A fresh key per rendered form (see [`submission_key`]).
    submission_key: String,
    kind: FieldView,
    name: FieldView,
    id_type: FieldView,
    id_number: FieldView,
    phone: FieldView,
    contact_name: FieldView,
    pledge: FieldView,
    materials: Vec<MaterialRow>,
    /// The `materials` field itself is to blame (nothing uploaded at all).
    materials_error: Option<String>,
    errors: Vec<SummaryLine>,
    /// Files were chosen before the form came back: they must be chosen again.
    files_lost: bool,
}

/// What the form shows of the item it applies for.
struct ItemSummary {
    name: String,
    department_name: String,
    case_kind: &'static str,
    promised_limit: String,
    fee: String,
    required_count: usize,
}

/// One input's value as posted and what is wrong with it.
#[derive(Default)]
struct FieldView {
    value: String,
    error: Option<String>,
}

/// One material of a checklist with its upload inputs.
#[derive(Clone)]
struct MaterialRow {
    idx: usize,
    name: String,
    required: bool,
    source: &'static str,
    government: bool,
    originals: u8,
    copies: u8,
    note: String,
    /// The electronic certificate number typed before the form came back.
    cert: String,
    /// What the notice asks to correct, on a correction form.
    problem: String,
    files_error: Option<String>,
    cert_error: Option<String>,
}

/// A line of an error summary, linking to the input to blame when there is one.
struct SummaryLine {
    href: Option<String>,
    message: String,
}

#[derive(Template)]
#[template(path = "applicant/submitted.html")]
struct SubmittedPage {
    chrome: Chrome,
    case_no: String,
    query_code: String,
    item_name: String,
    department_name: String,
    status_name: &'static str,
    submitted_at: String,
    inquiry_href: String,
}

#[derive(Template)]
#[template(path = "applicant/message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    kind: &'static str,
    message: String,
    details: Vec<(&'static str, String)>,
    links: Vec<(String, &'static str, bool)>,
}

/// The application form for a published online item.
async fn apply_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let version = published(&state, id).await?;
    if let Some(page) = cannot_apply(&state, user.as_ref(), &version, false).await? {
        return Ok(page);
    }
    let page = apply_page(&state, user.as_ref(), &version, Vec::new(), None, false).await?;
    Ok(page.into_response())
}

/// Takes the application: applicant fields, a pledge and files per material.
/// Anonymous applicants carry no session, so there is nothing for another
/// site to ride on; a signed-in browser must post its session's CSRF token.
async fn apply(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let version = published(&state, id).await?;
    if let Some(page) = cannot_apply(&state, user.as_ref(), &version, true).await? {
        return Ok(page);
    }
    let posted = read_form(&state, user.as_ref(), multipart).await?;
    let applicant = posted.applicant();
    let (materials, names) = posted.material_inputs();
    let mut problems = posted.upload_problems();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(cut) = posted.cut_short {
        status = cut;
        problems.push(Problem::general("", cut_short_message(cut)));
    }
    if posted.text("pledge").is_empty() {
        problems.push(Problem {
            field: "pledge".into(),
            spot: Spot::Field("pledge".into()),
            message: "请阅读并勾选承诺后再提交".into(),
        });
    }
    if !problems.is_empty() {
        // Show every problem at once: the applicant's own fields as well.
        if let Err(e) = Applicant::parse(&applicant) {
            problems.extend(
                e.0.into_iter()
                    .map(|f| Problem::of(&f.field, f.message, &names)),
            );
        }
        let page = apply_page(
            &state,
            user.as_ref(),
            &version,
            problems,
            Some(&posted),
            true,
        );
        return Ok((status, page.await?).into_response());
    }
    let request = NewCaseRequest {
        item_id: Some(id),
        applicant,
        channel: "online".into(),
        materials,
    };
    // The form's one-time key makes a second click or a browser retry
    // answer with the case already made instead of making another.
    let key = submission_key(posted.text("submission_key"), user.as_ref(), id, &request);
    let mut outcome = submit_case(&state, user.as_ref(), request, key.as_ref()).await;
    if let Err(AppError::Conflict {
        code: "idempotency.key_reused",
        ..
    }) = &outcome
    {
        // The same form sent again with other answers (after going back): a new application.
        let request = NewCaseRequest {
            item_id: Some(id),
            applicant: posted.applicant(),
            channel: "online".into(),
            materials: posted.material_inputs().0,
        };
        outcome = submit_case(&state, user.as_ref(), request, None).await;
    }
    match outcome {
        Ok(created) => {
            if user.is_some() {
                let to = format!("/my/cases/{}?done=submitted", urlencode(&created.case_no));
                return Ok(Redirect::to(&to).into_response());
            }
            let c = &created.case;
            let page = render(&SubmittedPage {
                chrome: Chrome::new(&state, None, "申报成功", "guide").await,
                inquiry_href: format!(
                    "/inquiry?case_no={}&query_code={}",
                    urlencode(&created.case_no),
                    urlencode(&created.query_code)
                ),
                case_no: created.case_no.clone(),
                query_code: created.query_code.clone(),
                item_name: c.item.name.clone(),
                department_name: c.item.department_name.clone(),
                status_name: c.status_name,
                submitted_at: local_time(&c.submitted_at),
            })?;
            // The query code is a secret: keep the page out of caches.
            Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
        }
        Err(e) => {
            let (status, problems) = refused(e, &names)?;
            let page = apply_page(
                &state,
                user.as_ref(),
                &version,
                problems,
                Some(&posted),
                true,
            );
            Ok((status, page.await?).into_response())
        }
    }
}

/// The idempotency key of one filled-in application form.
fn submission_key(
    raw: &str,
    user: Option<&AuthUser>,
    item_id: i64,
    request: &NewCaseRequest,
) -> Option<IdempotencyKey> {
    let key = raw.trim();
    if key.len() < 20 || key.len() > 100 {
        return None;
    }
    let mut h = Sha256::new();
    h.update(format!("POST /items/{item_id}/apply\n").as_bytes());
    h.update(serde_json::to_vec(request).unwrap_or_default());
    Some(IdempotencyKey {
        principal: user
            .map(|u| format!("user:{}", u.user.id))
            .unwrap_or_else(|| "anon".into()),
        key: format!("page:{key}"),
        request_hash: hex::encode(h.finalize()),
    })
}

async fn published(state: &AppState, id: i64) -> Result<ItemVersion, PageError> {
    Ok(state
        .store
        .published_item(id)
        .await?
        .ok_or(AppError::NotFound("item"))?)
}

/// The page to show instead of the form: staff apply at the window desk, and
/// an item that is not online is applied for at the window.
async fn cannot_apply(
    state: &AppState,
    user: Option<&AuthUser>,
    version: &ItemVersion,
    posting: bool,
) -> Result<Option<Response>, PageError> {
    let c = &version.content;
    let guide = (format!("/items/{}", version.item_id), "返回办事指南", false);
    if let Some(u) = user.filter(|u| u.user.role != Role::Applicant) {
        let mut links = Vec::new();
        if u.user.role.needs_department() {
            links.push(("/desk".to_string(), "前往窗口受理台", true));
        }
        links.push(guide);
        let page = render(&MessagePage {
            chrome: Chrome::new(state, user, &c.name, "guide").await,
            heading: "工作人员请在窗口受理台登记申请".into(),
            kind: "warn",
            message: format!(
                "您以工作人员身份（{}）登录。网上申报由申请人本人提交；为群众或企业登记“{}”的申请，请使用窗口受理台。",
                u.user.role.label(),
                c.name
            ),
            details: Vec::new(),
            links,
        })?;
        let status = if posting {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        return Ok(Some((status, page).into_response()));
    }
    if !c.online {
        let mut details = vec![("办理地点", c.place.clone()), ("办理时间", c.hours.clone())];
        details.push(("咨询电话", c.consultation_phone.clone()));
        details.retain(|(_, v)| !v.trim().is_empty());
        let page = render(&MessagePage {
            chrome: Chrome::new(state, user, &c.name, "guide").await,
            heading: format!("“{}”暂不支持网上申报", c.name),
            kind: "warn",
            message: "本事项需要到窗口办理。请按办事指南准备好申请材料，携带身份证件到政务服务中心窗口申请。".into(),
            details,
            links: vec![(guide.0, "查看办事指南和材料清单", true)],
        })?;
        let status = if posting {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        };
        return Ok(Some((status, page).into_response()));
    }
    Ok(None)
}

async fn apply_page(
    state: &AppState,
    user: Option<&AuthUser>,
    version: &ItemVersion,
    problems: Vec<Problem>,
    posted: Option<&Posted>,
    files_lost: bool,
) -> PageResult {
    let c = &version.content;
    let department_name = state
        .store
        .department(c.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let field = |name: &str, default: &str| FieldView {
        value: posted.map_or_else(|| default.to_string(), |p| p.text(name).to_string()),
        error: problems
            .iter()
            .find(|p| p.spot == Spot::Field(name.to_string()))
            .map(|p| p.message.clone()),
    };
    let certs = posted.map(Posted::certificates).unwrap_or_default();
    let materials = material_rows(&c.materials, &problems, &certs);
    let materials_error = problems
        .iter()
        .find(|p| p.field == "materials")
        .map(|p| p.message.clone());
    let errors = summary(&problems, &materials, "m");
    let title = format!("在线申报：{}", c.name);
    render(&ApplyPage {
        chrome: Chrome::new(state, user, &title, "guide").await,
        item_id: version.item_id,
        item: ItemSummary {
            name: c.name.clone(),
            department_name,
            case_kind: c.case_kind.label(),
            promised_limit: c
                .promised_limit
                .or(c.legal_limit)
                .map(|l| l.describe())
                .unwrap_or_else(|| "—".into()),
            fee: match c.total_fee_fen() {
                0 => "不收费".into(),
                fen => format!("{}.{:02}元", fen / 100, fen % 100),
            },
            required_count: c.materials.iter().filter(|m| m.required).count(),
        },
        signed_in: user.is_some(),
        submission_key: crate::auth::new_secret(),
        kind: field("kind", "person"),
        name: field("name", ""),
        id_type: field("id_type", "id_card"),
        id_number: field("id_number", ""),
        phone: field("phone", ""),
        contact_name: field("contact_name", ""),
        pledge: field("pledge", ""),
        materials,
        materials_error,
        errors,
        files_lost: files_lost && posted.is_some_and(|p| p.had_files),
    })
}

fn material_rows(
    materials: &[Material],
    problems: &[Problem],
    certs: &BTreeMap<String, String>,
) -> Vec<MaterialRow> {
    materials
        .iter()
        .enumerate()
        .map(|(idx, m)| MaterialRow {
            idx,
            name: m.name.clone(),
            required: m.required,
            source: m.source.label(),
            government: m.source == MaterialSource::Government,
            originals: m.originals,
            copies: m.copies,
            note: m.note.clone(),
            cert: certs.get(&m.name).cloned().unwrap_or_default(),
            problem: String::new(),
            files_error: problem_at(problems, &Spot::Files(m.name.clone())),
            cert_error: problem_at(problems, &Spot::Cert(m.name.clone())),
        })
        .collect()
}

// ------------------------------------------------------------ inquiry

#[derive(Deserialize, Default)]
#[serde(default)]
struct InquiryQuery {
    case_no: String,
    query_code: String,
}

#[derive(Template)]
#[template(path = "applicant/inquiry.html")]
struct InquiryPage {
    chrome: Chrome,
    case_no: FieldView,
    query_code: FieldView,
    /// Why nothing is shown (not found, too many attempts).
    failure: Option<String>,
    found: Option<PublicCaseView>,
    progress: Vec<Progress>,
}

/// The public inquiry (办件查询): the form, and with a case number and its
/// query code the case's progress. Nothing personal beyond the masked name.
async fn inquiry(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<InquiryQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&state, user.as_ref(), "办件查询", "inquiry").await;
    let case_no = q.case_no.trim().to_string();
    let code = q.query_code.trim().to_string();
    let mut page = InquiryPage {
        chrome,
        case_no: FieldView {
            value: case_no.clone(),
            error: None,
        },
        query_code: FieldView {
            value: code.clone(),
            error: None,
        },
        failure: None,
        found: None,
        progress: Vec::new(),
    };
    if case_no.is_empty() && code.is_empty() {
        return Ok(render(&page)?.into_response());
    }
    if case_no.is_empty() {
        page.case_no.error = Some("请输入办件编号".into());
    }
    if code.is_empty() {
        page.query_code.error = Some("请输入查询码".into());
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        page.query_code.error = Some("查询码为6位数字，见申报回执或受理通知书".into());
    }
    if page.case_no.error.is_some() || page.query_code.error.is_some() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    // Six digits are few: wrong codes for one case number are limited like
    // failed logins, so a code cannot be guessed by trying them all.
    let key = [format!("inquiry:{}", case_no.to_uppercase())];
    let now = state.clock.now();
    if state.limiter.check(&key, now).is_err() {
        page.failure =
            Some("该办件编号的查询失败次数过多，请15分钟后再试，或携带身份证件到窗口查询。".into());
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let mut record = state.store.case_for_inquiry(&case_no, &code).await;
    let upper = case_no.to_uppercase();
    if matches!(record, Err(store::StoreError::NotFound)) && upper != case_no {
        record = state.store.case_for_inquiry(&upper, &code).await;
    }
    match record {
        Ok(record) => {
            state.limiter.clear(&key[0]);
            let found = public_view(&state, &record).await;
            page.progress = progress(
                found.status,
                &found.submitted_at,
                found
                    .steps
                    .iter()
                    .map(|s| (s.name.as_str(), s.ended_at.as_deref())),
            );
            page.found = Some(found);
            let html = render(&page)?;
            Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
        }
        Err(store::StoreError::NotFound) => {
            state.limiter.record_failure(&key, now);
            page.failure = Some("未找到，请核对编号和查询码。".into());
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}

// ------------------------------------------------------------ my cases

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: String,
}

#[derive(Template)]
#[template(path = "applicant/my_cases.html")]
struct MyCasesPage {
    chrome: Chrome,
    rows: Vec<MyCaseRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
}

struct MyCaseRow {
    case_no: String,
    href: String,
    item_name: String,
    status: String,
    status_name: &'static str,
    submitted: String,
    due_date: String,
}

/// A signed-in applicant's own cases, newest first.
async fn my_cases(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    require_applicant(&user)?;
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let filter = CaseFilter {
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
        ..Default::default()
    };
    let (cases, total) = state
        .store
        .list_cases(CaseViewer::Applicant(user.user.id), &filter)
        .await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let tz = crate::clock::shanghai();
    let rows = cases
        .into_iter()
        .map(|c| MyCaseRow {
            href: format!("/my/cases/{}", urlencode(&c.case_no)),
            status_name: CaseStatus::parse(&c.status).map_or("", |s| s.label()),
            submitted: c
                .submitted_at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            due_date: c.due_date.map(|d| d.to_string()).unwrap_or_default(),
            case_no: c.case_no,
            item_name: c.item_name,
            status: c.status,
        })
        .collect();
    render(&MyCasesPage {
        chrome: Chrome::new(&state, Some(&user), "我的办件", "my").await,
        rows,
        total,
        page,
        pages,
        prev_link: (page > 1).then(|| format!("/my/cases?page={}", page - 1)),
        next_link: (page < pages).then(|| format!("/my/cases?page={}", page + 1)),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

#[derive(Template)]
#[template(path = "applicant/case.html")]
struct CasePage {
    chrome: Chrome,
    c: CaseView,
    flash: Option<&'static str>,
    just_submitted: bool,
    progress: Vec<Progress>,
    /// Printable notices: address and name.
    documents: Vec<(String, &'static str)>,
    correction: Option<CorrectionForm>,
    supplies: Vec<SupplyForm>,
    /// Problems of a form the case no longer offers (it moved on meanwhile).
    errors: Vec<SummaryLine>,
}

/// The latest one-time notice and the form to answer it.
struct CorrectionForm {
    issued_at: String,
    issued_by: String,
    lines: Vec<NoticeLine>,
    /// Checklist materials the notice names, first.
    rows: Vec<MaterialRow>,
    /// The rest of the checklist, for anything else the applicant adds.
    others: Vec<MaterialRow>,
    errors: Vec<SummaryLine>,
}

/// A material promised under 容缺受理 and its upload form.
struct SupplyForm {
    /// Starts the ids of this form's inputs (`s0`, `s1`…).
    prefix: String,
    errors_id: String,
    row: MaterialRow,
    errors: Vec<SummaryLine>,
}

/// Which form on the case page failed, with what.
struct Failure {
    form: FailedForm,
    problems: Vec<Problem>,
    certs: BTreeMap<String, String>,
}

#[derive(PartialEq, Eq)]
enum FailedForm {
    Resubmit,
    Supply(String),
}

/// One of the applicant's cases, unmasked, with what they can do on it.
async fn my_case(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(case_no): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    require_applicant(&user)?;
    let flash = match q.done.as_str() {
        "submitted" => Some("申报成功。请记下办件编号和查询码，窗口工作人员预审后会更新办理进度。"),
        "resubmit" => Some("补正材料已提交，窗口工作人员将重新审核。"),
        "supply" => Some("容缺材料已提交。"),
        _ => None,
    };
    case_page(&state, &user, &case_no, flash, None).await
}

/// Hands in the corrections the one-time notice asked for.
async fn resubmit(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(case_no): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    require_applicant(&user)?;
    let posted = read_form(&state, Some(&user), multipart).await?;
    let (inputs, names) = posted.material_inputs();
    let mut problems = posted.upload_problems();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(cut) = posted.cut_short {
        status = cut;
        problems.push(Problem::general("", cut_short_message(cut)));
    }
    if problems.is_empty() && inputs.is_empty() {
        problems.push(Problem::general(
            "materials",
            "请为需要补正的材料选择文件，或填写电子证照编号".into(),
        ));
    }
    if problems.is_empty() {
        let outcome = async {
            let (materials, files) = materials_from(&state, &inputs, "materials").await?;
            act(
                &state,
                &user,
                &case_no,
                Action::Resubmit { materials },
                &files,
                None,
            )
            .await
        }
        .await;
        match outcome {
            Ok(_) => return Ok(done(&case_no, "resubmit")),
            Err(e) => (status, problems) = refused(e, &names)?,
        }
    }
    let failure = Failure {
        form: FailedForm::Resubmit,
        problems,
        certs: posted.certificates(),
    };
    let page = case_page(&state, &user, &case_no, None, Some(failure)).await?;
    Ok((status, page).into_response())
}

/// Hands in one material promised under 容缺受理.
async fn supply(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(case_no): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    require_applicant(&user)?;
    let posted = read_form(&state, Some(&user), multipart).await?;
    let material = posted
        .rows
        .values()
        .next()
        .map(|r| r.name.trim().to_string())
        .unwrap_or_default();
    let (inputs, names) = posted.material_inputs();
    let mut problems = posted.upload_problems();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(cut) = posted.cut_short {
        status = cut;
        problems.push(Problem::general("", cut_short_message(cut)));
    }
    if material.is_empty() {
        return Err(AppError::bad_request(
            "field.required",
            Some("material"),
            "请选择要补交的材料",
        )
        .into());
    }
    if problems.is_empty() && inputs.is_empty() {
        problems.push(Problem {
            field: "files".into(),
            spot: Spot::Files(material.clone()),
            message: format!("请选择“{material}”的文件，或填写电子证照编号"),
        });
    }
    if problems.is_empty() {
        let outcome = async {
            let (mut provided, files) = materials_from(&state, &inputs, "material").await?;
            let material = provided.pop().unwrap_or(ProvidedMaterial {
                name: material.clone(),
                files: Vec::new(),
                paper: false,
                certificate_no: None,
            });
            act(
                &state,
                &user,
                &case_no,
                Action::SupplyPromised { material },
                &files,
                None,
            )
            .await
        }
        .await;
        match outcome {
            Ok(_) => return Ok(done(&case_no, "supply")),
            Err(e) => (status, problems) = refused(e, &names)?,
        }
    }
    let failure = Failure {
        form: FailedForm::Supply(material),
        problems,
        certs: posted.certificates(),
    };
    let page = case_page(&state, &user, &case_no, None, Some(failure)).await?;
    Ok((status, page).into_response())
}

fn done(case_no: &str, what: &str) -> Response {
    Redirect::to(&format!("/my/cases/{}?done={what}", urlencode(case_no))).into_response()
}

fn require_applicant(user: &AuthUser) -> Result<(), PageError> {
    if user.user.role == Role::Applicant {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

async fn case_page(
    state: &AppState,
    user: &AuthUser,
    case_no: &str,
    flash: Option<&'static str>,
    failure: Option<Failure>,
) -> PageResult {
    let c = load_view(state, user, case_no).await?;
    // The checklist as the case was submitted under: which materials come
    // from government (and so may be cited as an electronic certificate).
    let record = state
        .store
        .case_by_no(CaseViewer::Applicant(user.user.id), &c.case_no)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => AppError::NotFound("case"),
            e => e.into(),
        })?;
    let checklist = &record.case.item.materials;
    let no_problems = Vec::new();
    let (problems, certs) = match &failure {
        Some(f) => (&f.problems, f.certs.clone()),
        None => (&no_problems, BTreeMap::new()),
    };
    let failed = |form: &FailedForm| failure.as_ref().is_some_and(|f| &f.form == form);

    let correction = (c.status == CaseStatus::AwaitingCorrection.code())
        .then(|| c.notices.last())
        .flatten()
        .map(|notice| {
            let mut all = material_rows(
                checklist,
                if failed(&FailedForm::Resubmit) {
                    problems
                } else {
                    &no_problems
                },
                &certs,
            );
            for row in &mut all {
                row.problem = notice
                    .lines
                    .iter()
                    .filter(|l| l.material == row.name)
                    .map(|l| l.problem.as_str())
                    .collect::<Vec<_>>()
                    .join("；");
            }
            let (rows, others): (Vec<_>, Vec<_>) =
                all.into_iter().partition(|r| !r.problem.is_empty());
            let errors = if failed(&FailedForm::Resubmit) {
                let both: Vec<MaterialRow> = rows.iter().chain(&others).cloned().collect();
                summary(problems, &both, "r")
            } else {
                Vec::new()
            };
            CorrectionForm {
                issued_at: local_time(&notice.issued_at),
                issued_by: notice.issued_by.clone(),
                lines: notice.lines.clone(),
                rows,
                others,
                errors,
            }
        });

    let open = CaseStatus::parse(c.status).is_some_and(|s| s.is_open());
    let supplies: Vec<SupplyForm> = c
        .promised_materials
        .iter()
        .filter(|_| open)
        .enumerate()
        .map(|(i, name)| {
            let this = FailedForm::Supply(name.clone());
            let mine = if failed(&this) {
                problems
            } else {
                &no_problems
            };
            let m = checklist.iter().find(|m| &m.name == name);
            let mut row = MaterialRow {
                idx: i,
                name: name.clone(),
                required: m.is_some_and(|m| m.required),
                source: m.map_or("", |m| m.source.label()),
                government: m.is_some_and(|m| m.source == MaterialSource::Government),
                originals: m.map_or(0, |m| m.originals),
                copies: m.map_or(0, |m| m.copies),
                note: m.map(|m| m.note.clone()).unwrap_or_default(),
                cert: if failed(&this) {
                    certs.get(name).cloned().unwrap_or_default()
                } else {
                    String::new()
                },
                problem: String::new(),
                files_error: None,
                cert_error: None,
            };
            row.files_error = problem_at(mine, &Spot::Files(name.clone()));
            row.cert_error = problem_at(mine, &Spot::Cert(name.clone()));
            let prefix = format!("s{i}");
            let errors = summary(mine, std::slice::from_ref(&row), &prefix);
            SupplyForm {
                errors_id: format!("supply-errors-{i}"),
                prefix,
                row,
                errors,
            }
        })
        .collect();

    // A refusal for a form that is gone (the case moved on) goes to the top.
    let shown = match failure.as_ref().map(|f| &f.form) {
        Some(FailedForm::Resubmit) => correction.is_some(),
        Some(FailedForm::Supply(name)) => supplies.iter().any(|s: &SupplyForm| &s.row.name == name),
        None => true,
    };
    let errors = if shown {
        Vec::new()
    } else {
        summary(problems, &[], "")
            .into_iter()
            .map(|l| SummaryLine { href: None, ..l })
            .collect()
    };

    let mut documents = Vec::new();
    let mut document = |kind: &str, label: &'static str| {
        documents.push((
            format!("/cases/{}/notices/{kind}.pdf", urlencode(&c.case_no)),
            label,
        ));
    };
    if c.accepted_at.is_some() {
        document("acceptance", "受理通知书");
    }
    if !c.notices.is_empty() {
        document("correction", "一次性告知书");
    }
    if c.status == CaseStatus::Refused.code() {
        document("refusal", "不予受理决定书");
    }
    if c.fee.is_some() {
        document("payment", "缴费通知书");
    }
    if c.conclusion.is_some() {
        document("conclusion", "办结通知书");
    }

    let progress = progress(
        c.status,
        &c.submitted_at,
        c.steps
            .iter()
            .map(|s| (s.name.as_str(), s.ended_at.as_deref())),
    );
    let title = format!("办件 {}", c.case_no);
    render(&CasePage {
        chrome: Chrome::new(state, Some(user), &title, "my").await,
        just_submitted: flash.is_some() && c.status == CaseStatus::Submitted.code(),
        flash,
        progress,
        documents,
        correction,
        supplies,
        errors,
        c,
    })
}

// ------------------------------------------------------------ progress

/// One line of the progress list.
struct Progress {
    name: String,
    /// `done`, `current`, `pending` or `stopped`.
    state: &'static str,
    /// What is happening at the current step.
    note: &'static str,
    when: String,
}

/// Submission, then the item's steps: done ones with their time, the first
/// open one current while the case is in someone's hands.
fn progress<'a>(
    status: &str,
    submitted_at: &str,
    steps: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<Progress> {
    let status = CaseStatus::parse(status);
    let mut out = vec![Progress {
        name: "提交申请".into(),
        state: "done",
        note: "",
        when: local_time(submitted_at),
    }];
    let mut current_given = false;
    for (name, ended_at) in steps {
        let (state, note, when) = match ended_at {
            Some(t) => ("done", "", local_time(t)),
            None if current_given => ("pending", "", String::new()),
            None => {
                current_given = true;
                match status {
                    Some(CaseStatus::Submitted) => ("current", "等待窗口预审", String::new()),
                    Some(CaseStatus::AwaitingCorrection) => {
                        ("current", "等待申请人补正材料", String::new())
                    }
                    Some(CaseStatus::Accepted) => ("current", "正在办理", String::new()),
                    Some(CaseStatus::Suspended) => {
                        ("current", "特别程序中，暂停计时", String::new())
                    }
                    Some(CaseStatus::Concluded) => ("current", "等待领取或送达", String::new()),
                    Some(CaseStatus::Refused) => ("stopped", "不予受理", String::new()),
                    Some(CaseStatus::Delivered) | None => ("pending", "", String::new()),
                }
            }
        };
        let state = if status == Some(CaseStatus::Refused) && state == "pending" {
            "stopped"
        } else {
            state
        };
        out.push(Progress {
            name: name.to_string(),
            state,
            note,
            when,
        });
    }
    out
}

/// An RFC 3339 instant as Beijing wall time, `2026-09-30 09:00`.
fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&crate::clock::shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Filters for these templates, beside the shared ones.
mod filters {
    pub use super::super::filters::yuan;

    /// An RFC 3339 instant as Beijing wall time.
    #[askama::filter_fn]
    pub fn when(value: &dyn std::fmt::Display, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::local_time(&value.to_string()))
    }

    /// A file size for people: `812 KB`, `2.4 MB`.
    #[askama::filter_fn]
    pub fn kib(bytes: &i64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(if *bytes >= 1024 * 1024 {
            format!("{:.1} MB", *bytes as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", (*bytes + 1023) / 1024)
        })
    }
}

// ------------------------------------------------------------ posted forms

/// A multipart form as these pages post it: text fields, and per material
/// row `m{i}_name`, `m{i}_cert` and files `m{i}_files` (stored on arrival).
#[derive(Default)]
struct Posted {
    text: BTreeMap<String, String>,
    rows: BTreeMap<usize, PostedRow>,
    /// At least one file was chosen (it must be chosen again if the form comes back).
    had_files: bool,
    /// The body could not be read to its end (too large, broken connection).
    cut_short: Option<StatusCode>,
}

#[derive(Default)]
struct PostedRow {
    name: String,
    cert: String,
    files: Vec<FileInput>,
    /// Uploads refused as they arrived (type, size), with the file's name.
    problems: Vec<String>,
}

impl Posted {
    fn text(&self, name: &str) -> &str {
        self.text.get(name).map(String::as_str).unwrap_or_default()
    }

    fn applicant(&self) -> ApplicantInput {
        ApplicantInput {
            kind: self.text("kind").to_string(),
            name: self.text("name").to_string(),
            id_type: self.text("id_type").to_string(),
            id_number: self.text("id_number").to_string(),
            phone: self.text("phone").to_string(),
            // Only an organisation has an agent; a person's stray value is dropped.
            contact_name: if self.text("kind") == "organisation" {
                self.text("contact_name").to_string()
            } else {
                String::new()
            },
        }
    }

    /// The materials that carry something, as the API takes them, and their
    /// names in the same order (to place the API's `materials[i]` errors).
    fn material_inputs(&self) -> (Vec<MaterialInput>, Vec<String>) {
        let inputs: Vec<MaterialInput> = self
            .rows
            .values()
            .filter(|r| !r.name.trim().is_empty())
            .filter(|r| !r.files.is_empty() || !r.cert.trim().is_empty())
            .map(|r| MaterialInput {
                name: r.name.trim().to_string(),
                files: r.files.clone(),
                paper: false,
                certificate_no: Some(r.cert.trim().to_string()).filter(|c| !c.is_empty()),
            })
            .collect();
        let names = inputs.iter().map(|m| m.name.clone()).collect();
        (inputs, names)
    }

    fn upload_problems(&self) -> Vec<Problem> {
        self.rows
            .values()
            .flat_map(|r| {
                r.problems.iter().map(|message| Problem {
                    field: "files".into(),
                    spot: Spot::Files(r.name.trim().to_string()),
                    message: message.clone(),
                })
            })
            .collect()
    }

    /// Certificate numbers typed per material, to show them again.
    fn certificates(&self) -> BTreeMap<String, String> {
        self.rows
            .values()
            .map(|r| (r.name.trim().to_string(), r.cert.clone()))
            .collect()
    }
}

/// Reads a page's multipart form, storing each file as it arrives.
///
/// A signed-in browser must send its CSRF token before anything else (the
/// forms put it first), so nothing is stored for a forged post.
async fn read_form(
    state: &AppState,
    user: Option<&AuthUser>,
    mut multipart: Multipart,
) -> Result<Posted, PageError> {
    let mut posted = Posted::default();
    let mut trusted = user.is_none();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                posted.cut_short = Some(e.status());
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "csrf_token" {
            let token = field.text().await.unwrap_or_default();
            if let Some(u) = user {
                u.check_csrf(&token)?;
            }
            trusted = true;
            continue;
        }
        if !trusted {
            return Err(AppError::Csrf.into());
        }
        let Some((row, part)) = row_field(&name) else {
            if !TEXT_FIELDS.contains(&name.as_str()) {
                continue;
            }
            match field.text().await {
                Ok(value) => {
                    posted.text.insert(name, value);
                }
                Err(e) => {
                    posted.cut_short = Some(e.status());
                    break;
                }
            }
            continue;
        };
        if part != "files" {
            let value = match field.text().await {
                Ok(value) => value,
                Err(e) => {
                    posted.cut_short = Some(e.status());
                    break;
                }
            };
            let r = posted.rows.entry(row).or_default();
            match part {
                "name" => r.name = value,
                "cert" => r.cert = value,
                _ => {}
            }
            continue;
        }
        let filename = field
            .file_name()
            .unwrap_or_default()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect::<String>();
        // Read in chunks so an oversized file is never held whole.
        let mut bytes = Vec::new();
        let mut too_large = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if too_large || bytes.len() + chunk.len() > files::MAX_FILE_BYTES {
                        too_large = true;
                        bytes = Vec::new();
                    } else {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    posted.cut_short = Some(e.status());
                    break;
                }
            }
        }
        if posted.cut_short.is_some() {
            break;
        }
        if filename.is_empty() && bytes.is_empty() && !too_large {
            // An empty file input: nothing was chosen.
            continue;
        }
        posted.had_files = true;
        let shown = if filename.is_empty() {
            "所选文件".to_string()
        } else {
            format!("“{filename}”")
        };
        let r = posted.rows.entry(row).or_default();
        if too_large {
            r.problems.push(format!(
                "{shown}超过{}MB，请压缩或分页扫描后重新上传",
                files::MAX_FILE_BYTES / 1024 / 1024
            ));
            continue;
        }
        match files::save(&state.settings.data_dir, &bytes, "file").await {
            Ok(stored) => r.files.push(FileInput {
                sha256: stored.sha256,
                filename,
            }),
            Err(AppError::Invalid(e)) => {
                for f in e.0 {
                    r.problems.push(format!("{shown}：{}", f.message));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !trusted {
        return Err(AppError::Csrf.into());
    }
    Ok(posted)
}

/// `m3_files` → (3, "files").
fn row_field(name: &str) -> Option<(usize, &str)> {
    let (row, part) = name.strip_prefix('m')?.split_once('_')?;
    let row = row.parse::<usize>().ok().filter(|r| *r < MAX_ROWS)?;
    matches!(part, "name" | "cert" | "files").then_some((row, part))
}

fn cut_short_message(status: StatusCode) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "一次上传的文件合计不能超过{}MB，请压缩文件或分次提交（先上传必需材料，其余可在补正时提交）。",
            UPLOAD_BODY_LIMIT / 1024 / 1024
        )
    } else {
        "上传没有完成，请检查网络后重新提交。".into()
    }
}

// ------------------------------------------------------------ errors on forms

/// Where a problem belongs on a form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Spot {
    /// An applicant field or the pledge, by input name.
    Field(String),
    /// The file input of a material, by material name.
    Files(String),
    /// The certificate-number input of a material.
    Cert(String),
    General,
}

/// One thing wrong with a posted form.
struct Problem {
    /// The API's field path (`applicant.id_number`, `materials[1].files[0].sha256`).
    field: String,
    spot: Spot,
    message: String,
}

impl Problem {
    fn general(field: &str, message: String) -> Problem {
        Problem {
            field: field.into(),
            spot: Spot::General,
            message,
        }
    }

    /// Places an API error; `names` are the materials of the request in order.
    fn of(field: &str, message: String, names: &[String]) -> Problem {
        const APPLICANT: [&str; 6] = [
            "kind",
            "name",
            "id_type",
            "id_number",
            "phone",
            "contact_name",
        ];
        let spot = if let Some(f) = field.strip_prefix("applicant.")
            && APPLICANT.contains(&f)
        {
            Spot::Field(f.to_string())
        } else if let Some((i, tail)) = field
            .strip_prefix("materials[")
            .or_else(|| field.strip_prefix("material["))
            .and_then(|rest| rest.split_once(']'))
            && let Some(name) = i.parse::<usize>().ok().and_then(|i| names.get(i))
        {
            if tail.contains("certificate_no") {
                Spot::Cert(name.clone())
            } else {
                Spot::Files(name.clone())
            }
        } else if names.len() == 1 && (field == "files" || field.starts_with("material.")) {
            // The single material of a supply form.
            Spot::Files(names[0].clone())
        } else {
            Spot::General
        };
        Problem {
            field: field.to_string(),
            spot,
            message,
        }
    }
}

/// Turns a refused write into the status and problems to show on the form;
/// server faults and missing cases stay errors.
fn refused(e: AppError, names: &[String]) -> Result<(StatusCode, Vec<Problem>), PageError> {
    let status = e.status();
    match e {
        AppError::NotFound(_) => Err(e.into()),
        AppError::Invalid(errors) => Ok((
            status,
            errors
                .0
                .into_iter()
                .map(|f| Problem::of(&f.field, f.message, names))
                .collect(),
        )),
        e if status.is_client_error() => Ok((status, vec![Problem::general("", e.body().message)])),
        e => Err(e.into()),
    }
}

fn problem_at(problems: &[Problem], spot: &Spot) -> Option<String> {
    let messages: Vec<&str> = problems
        .iter()
        .filter(|p| &p.spot == spot)
        .map(|p| p.message.as_str())
        .collect();
    (!messages.is_empty()).then(|| messages.join("；"))
}

/// The error summary: each problem once, linked to its input. Material
/// inputs are `{prefix}{idx}-files` / `{prefix}{idx}-cert`.
fn summary(problems: &[Problem], rows: &[MaterialRow], prefix: &str) -> Vec<SummaryLine> {
    const FIELDS: [&str; 6] = [
        "kind",
        "name",
        "id_type",
        "id_number",
        "phone",
        "contact_name",
    ];
    let row_of = |name: &str| rows.iter().find(|r| r.name == name);
    // In the order of the form, top to bottom.
    let place = |p: &Problem| match &p.spot {
        Spot::Field(f) if f == "pledge" => (3, 0),
        Spot::Field(f) => (0, FIELDS.iter().position(|x| x == f).unwrap_or(0)),
        Spot::General if p.field == "materials" => (1, 0),
        Spot::Files(name) | Spot::Cert(name) => {
            (1, row_of(name).map_or(usize::MAX, |r| r.idx * 2 + 1))
        }
        Spot::General => (2, 0),
    };
    let mut ordered: Vec<&Problem> = problems.iter().collect();
    ordered.sort_by_key(|p| place(p));
    ordered
        .into_iter()
        .map(|p| {
            let href = match &p.spot {
                Spot::Field(f) if f == "kind" => Some("#kind-person".to_string()),
                Spot::Field(f) => Some(format!("#{f}")),
                Spot::Files(name) => row_of(name).map(|r| format!("#{prefix}{}-files", r.idx)),
                Spot::Cert(name) => row_of(name).map(|r| format!("#{prefix}{}-cert", r.idx)),
                Spot::General if p.field == "materials" => Some(format!("#{prefix}-materials")),
                Spot::General => None,
            };
            let message = match &p.spot {
                Spot::Files(name) | Spot::Cert(name) if !p.message.contains(name.as_str()) => {
                    format!("{name}：{}", p.message)
                }
                _ => p.message.clone(),
            };
            SummaryLine { href, message }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_fields_find_their_inputs() {
        let names = vec!["申请书".to_string(), "营业执照".to_string()];
        let at = |f: &str| Problem::of(f, String::new(), &names).spot;
        assert_eq!(at("applicant.id_number"), Spot::Field("id_number".into()));
        assert_eq!(
            at("materials[1].files[0].sha256"),
            Spot::Files("营业执照".into())
        );
        assert_eq!(
            at("materials[0].certificate_no"),
            Spot::Cert("申请书".into())
        );
        assert_eq!(at("materials[5].name"), Spot::General);
        assert_eq!(at("materials"), Spot::General);
        assert_eq!(at("applicant.bogus"), Spot::General);
    }

    #[test]
    fn form_rows_are_numbered_fields() {
        assert_eq!(row_field("m3_files"), Some((3, "files")));
        assert_eq!(row_field("m0_cert"), Some((0, "cert")));
        assert_eq!(row_field("m100_name"), None);
        assert_eq!(row_field("name"), None);
        assert_eq!(row_field("m1_other"), None);
    }

    #[test]
    fn progress_marks_the_first_open_step_current() {
        let steps = [
            ("受理", Some("2026-09-30T09:30:00+08:00")),
            ("审查", None),
            ("决定", None),
        ];
        let p = progress("accepted", "2026-09-30T09:00:00+08:00", steps.into_iter());
        let states: Vec<&str> = p.iter().map(|s| s.state).collect();
        assert_eq!(states, ["done", "done", "current", "pending"]);
        assert_eq!(p[1].when, "2026-09-30 09:30");
        let p = progress("refused", "2026-09-30T09:00:00+08:00", steps.into_iter());
        assert_eq!(p[3].state, "stopped");
    }

    #[test]
    fn times_show_in_beijing_time() {
        assert_eq!(local_time("2026-09-30T01:00:00+00:00"), "2026-09-30 09:00");
        assert_eq!(local_time("not a time"), "not a time");
    }
}
