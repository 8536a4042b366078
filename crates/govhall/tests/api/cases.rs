//! Cases over HTTP: submission, the lifecycle actions with their refusals,
//! fees, delivery, inquiry, materials, idempotency, numbering and the trail.

use crate::helpers::{Seed, TestApp, item, limit, spawn_app};
use chrono::{DateTime, Utc};
use domain::catalogue::{FeeInput, ItemInput, MaterialInput, StepInput};
use serde_json::{Value, json};

pub(crate) const ID_CARD: &str = "110101199003074514";
pub(crate) const OTHER_ID_CARD: &str = "11010519491231002X";

pub(crate) fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// A 食品经营许可-like item of department A: 受理 → 审查 → 决定 → 送达,
/// two required materials and an optional one, a 10 yuan fee, 10 working days.
pub(crate) fn licence(department_id: i64) -> ItemInput {
    let step = |name: &str| StepInput {
        name: name.into(),
        budget_days: 2,
        description: String::new(),
    };
    let material = |name: &str, required| MaterialInput {
        name: name.into(),
        source: "applicant".into(),
        originals: 1,
        required,
        ..Default::default()
    };
    ItemInput {
        online: true,
        result: "食品经营许可证".into(),
        steps: vec![step("受理"), step("审查"), step("决定"), step("送达")],
        materials: vec![
            material("食品经营许可申请书", true),
            material("营业执照", true),
            material("经营场所平面图", false),
        ],
        fees: vec![FeeInput {
            name: "证书工本费".into(),
            standard: "每证10元".into(),
            basis: "测试收费依据".into(),
            amount_fen: 1000,
        }],
        ..item(department_id, "食品经营许可（测试）")
    }
}

pub(crate) fn applicant(id_number: &str) -> Value {
    json!({"name": "张三", "id_type": "id_card", "id_number": id_number, "phone": "13800138000"})
}

pub(crate) struct Desk {
    pub app: TestApp,
    pub seed: Seed,
    pub item_id: i64,
    pub clerk: String,
    pub approver: String,
    pub chief: String,
}

pub(crate) async fn desk() -> Desk {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let item_id = app.add_item(&licence(seed.dept_a), true).await;
    let clerk = app.token("clerk").await;
    let approver = app.token("approver").await;
    let chief = app.token("chief").await;
    Desk {
        app,
        seed,
        item_id,
        clerk,
        approver,
        chief,
    }
}

impl Desk {
    /// A window application with the two required materials on paper.
    pub(crate) async fn window_case(&self, id_number: &str) -> String {
        self.window_case_of(self.item_id, id_number).await
    }

    /// The same for another item with the licence's materials.
    pub(crate) async fn window_case_of(&self, item_id: i64, id_number: &str) -> String {
        let r = self
            .app
            .post_json(
                "/api/v1/cases",
                Some(&self.clerk),
                &json!({
                    "item_id": item_id,
                    "channel": "window",
                    "applicant": applicant(id_number),
                    "materials": [
                        {"name": "食品经营许可申请书", "paper": true},
                        {"name": "营业执照", "paper": true}
                    ]
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["case_no"].as_str().unwrap().to_string()
    }

    pub(crate) async fn post(
        &self,
        token: &str,
        case_no: &str,
        action: &str,
        body: Value,
    ) -> crate::helpers::Reply {
        self.app
            .post_json(
                &format!("/api/v1/cases/{case_no}/{action}"),
                Some(token),
                &body,
            )
            .await
    }

    /// A window application by the clerk with the given materials; the answer.
    pub(crate) async fn submit(&self, applicant_id: &str, materials: Value) -> Value {
        let r = self
            .app
            .post_json(
                "/api/v1/cases",
                Some(&self.clerk),
                &json!({
                    "item_id": self.item_id,
                    "applicant": applicant(applicant_id),
                    "materials": materials
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()
    }

    pub(crate) async fn ok(&self, token: &str, case_no: &str, action: &str, body: Value) -> Value {
        let r = self.post(token, case_no, action, body).await;
        assert_eq!(r.status, 200, "{action}: {}", r.text());
        r.json()
    }

    pub(crate) async fn case(&self, token: &str, case_no: &str) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/cases/{case_no}"), Some(token))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }
}

#[tokio::test]
async fn a_window_case_runs_from_acceptance_to_delivery() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    assert!(no.starts_with("GH-20260930-"), "{no}");

    let c = d.ok(&d.clerk, &no, "accept", json!({})).await;
    assert_eq!(c["status"], "accepted");
    // Accepted 30 September, 10 working days: 8, 9, Saturday 10 (make-up),
    // 12-16, 19, 20 October.
    assert_eq!(c["due_date"], "2026-10-20");
    assert_eq!(c["current_step"], 2);
    assert_eq!(c["steps"][0]["assignee"], "测试窗口工作人员");

    d.ok(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "材料齐全真实"}),
    )
    .await;
    let c = d
        .ok(
            &d.approver,
            &no,
            "conclude",
            json!({"decision": "approved", "certificate_no": "JY11501020000001"}),
        )
        .await;
    assert_eq!(c["status"], "concluded");
    assert_eq!(c["conclusion"]["result_name"], "食品经营许可证");

    let unpaid = d
        .post(&d.clerk, &no, "deliver", json!({"method": "window"}))
        .await;
    unpaid.error(409, "case.unpaid");

    let c = d.ok(&d.clerk, &no, "fees/notice", json!({})).await;
    assert_eq!(c["fee"]["total_fen"], 1000);
    d.post(
        &d.clerk,
        &no,
        "fees/confirm",
        json!({"channel": "bank", "receipt_no": "NS2026093000001"}),
    )
    .await
    .error(409, "case.fee_same_person");
    d.ok(
        &d.chief,
        &no,
        "fees/confirm",
        json!({"channel": "bank", "receipt_no": "NS2026093000001"}),
    )
    .await;
    let c = d
        .ok(
            &d.clerk,
            &no,
            "deliver",
            json!({"method": "post", "tracking_no": "EMS1234567890"}),
        )
        .await;
    assert_eq!(c["status"], "delivered");
    assert!(
        c["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["ended_at"].is_null())
    );
    let kinds: Vec<&str> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "accepted",
            "step_completed",
            "concluded",
            "fee_notice_issued",
            "fee_paid",
            "delivered"
        ]
    );
}

#[tokio::test]
async fn a_refused_transition_is_a_409_and_changes_nothing() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    let before = d.case(&d.clerk, &no).await;

    d.post(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await
    .error(409, "case.not_accepted");
    d.post(&d.clerk, &no, "deliver", json!({"method": "window"}))
        .await
        .error(409, "case.not_concluded");
    d.post(
        &d.approver,
        &no,
        "conclude",
        json!({"decision": "approved"}),
    )
    .await
    .error(409, "case.not_accepted");

    assert_eq!(d.case(&d.clerk, &no).await, before);
}

#[tokio::test]
async fn the_wrong_role_is_a_403_naming_who_may_act() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    let body = d
        .post(&d.approver, &no, "accept", json!({}))
        .await
        .error(403, "auth.forbidden");
    assert!(body["message"].as_str().unwrap().contains("受理"), "{body}");
    let supervisor = d.app.token("supervisor").await;
    d.post(&supervisor, &no, "accept", json!({}))
        .await
        .error(403, "auth.forbidden");
}

#[tokio::test]
async fn another_departments_clerk_cannot_even_see_the_case() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    let clerk_b = d.app.token("clerk_b").await;
    d.app
        .get(&format!("/api/v1/cases/{no}"), Some(&clerk_b))
        .await
        .error(404, "case.not_found");
    d.post(&clerk_b, &no, "accept", json!({}))
        .await
        .error(404, "case.not_found");
    let list = d.app.get("/api/v1/cases", Some(&clerk_b)).await.json();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn bad_applicant_input_names_the_field_and_writes_nothing() {
    let d = desk().await;
    let r = d
        .app
        .post_json(
            "/api/v1/cases",
            Some(&d.clerk),
            &json!({
                "item_id": d.item_id,
                "applicant": applicant("110101199003074515"),
                "materials": [{"name": "食品经营许可申请书", "paper": true}]
            }),
        )
        .await;
    let body = r.invalid("applicant.id_number_invalid", "applicant.id_number");
    assert!(
        body["message"].as_str().unwrap().contains("校验位"),
        "{body}"
    );

    let r = d
        .app
        .post_json(
            "/api/v1/cases",
            Some(&d.clerk),
            &json!({
                "item_id": d.item_id,
                "applicant": {"kind": "organisation", "name": "某某餐饮有限公司",
                    "id_number": "91350100M000100Y44", "phone": "0471-6218617", "contact_name": "李四"},
            }),
        )
        .await;
    r.invalid("applicant.id_number_invalid", "applicant.id_number");

    let list = d.app.get("/api/v1/cases", Some(&d.clerk)).await.json();
    assert_eq!(list["total"], 0, "nothing was written");
}

#[tokio::test]
async fn a_one_time_notice_then_corrections_lead_to_acceptance() {
    let d = desk().await;
    let created = d
        .submit(
            ID_CARD,
            json!([{"name": "食品经营许可申请书", "paper": true}]),
        )
        .await;
    let no = created["case_no"].as_str().unwrap().to_string();
    let missing = d.post(&d.clerk, &no, "accept", json!({})).await;
    let body = missing.error(409, "case.materials_missing");
    assert!(body["message"].as_str().unwrap().contains("营业执照"));

    d.post(&d.clerk, &no, "notify", json!({"lines": []}))
        .await
        .invalid("field.required", "lines");
    let c = d
        .ok(
            &d.clerk,
            &no,
            "notify",
            json!({"lines": [
                {"material": "营业执照", "problem": "未提供营业执照副本复印件"},
                {"material": "经营场所平面图", "problem": "平面图未标注面积"}
            ]}),
        )
        .await;
    assert_eq!(c["status"], "awaiting_correction");
    d.post(&d.clerk, &no, "accept", json!({}))
        .await
        .error(409, "case.awaiting_correction");
    d.ok(
        &d.clerk,
        &no,
        "resubmit",
        json!({"materials": [{"name": "营业执照", "paper": true}]}),
    )
    .await;
    let c = d.ok(&d.clerk, &no, "accept", json!({})).await;
    assert_eq!(c["status"], "accepted");
    assert_eq!(c["notices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_promised_material_blocks_conclusion_until_it_arrives() {
    let d = desk().await;
    let created = d
        .submit(
            ID_CARD,
            json!([{"name": "食品经营许可申请书", "paper": true}]),
        )
        .await;
    let no = created["case_no"].as_str().unwrap().to_string();
    let c = d
        .ok(
            &d.clerk,
            &no,
            "accept",
            json!({"promised_materials": ["营业执照"]}),
        )
        .await;
    assert_eq!(c["promised_materials"], json!(["营业执照"]));
    d.ok(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await;
    d.post(
        &d.approver,
        &no,
        "conclude",
        json!({"decision": "approved"}),
    )
    .await
    .error(409, "case.promised_materials_missing");
    d.ok(
        &d.clerk,
        &no,
        "supply",
        json!({"material": {"name": "营业执照", "paper": true}}),
    )
    .await;
    d.ok(
        &d.approver,
        &no,
        "conclude",
        json!({"decision": "approved"}),
    )
    .await;
}

#[tokio::test]
async fn a_special_procedure_adds_its_working_days_to_the_deadline() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    d.app.clock.set(at("2026-10-08T10:00:00+08:00"));
    let c = d
        .ok(
            &d.approver,
            &no,
            "suspend",
            json!({"procedure": "inspection", "reason": "现场核查经营场所"}),
        )
        .await;
    assert_eq!(c["status"], "suspended");
    d.post(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await
    .error(409, "case.suspended");
    d.app.clock.set(at("2026-10-12T10:00:00+08:00"));
    let c = d
        .ok(
            &d.approver,
            &no,
            "resume",
            json!({"result": "现场核查合格"}),
        )
        .await;
    // 8, 9 and Saturday 10 October (a make-up working day) were paused.
    assert_eq!(c["paused_working_days"], 3);
    assert_eq!(c["due_date"], "2026-10-23");
    assert_eq!(c["pauses"][0]["working_days"], 3);
}

#[tokio::test]
async fn an_extension_is_approved_once() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    let ext = json!({"working_days": 10, "reason": "需征求卫生健康部门意见"});
    d.post(&d.approver, &no, "extend", ext.clone())
        .await
        .error(403, "auth.forbidden");
    d.ok(&d.approver, &no, "extension-request", ext.clone())
        .await;
    let c = d.ok(&d.chief, &no, "extend", ext.clone()).await;
    assert_eq!(c["due_date"], "2026-11-03");
    assert_eq!(c["extension_working_days"], 10);
    d.post(&d.chief, &no, "extend", ext)
        .await
        .error(409, "case.extension_limit");
    d.post(&d.chief, &no, "extend", json!({"working_days": 10}))
        .await
        .error(409, "case.extension_limit");
}

#[tokio::test]
async fn a_denial_needs_a_reason() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    d.ok(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "场所不符合"}),
    )
    .await;
    d.post(&d.approver, &no, "conclude", json!({"decision": "denied"}))
        .await
        .invalid("field.required", "reason");
    d.post(&d.approver, &no, "conclude", json!({"decision": "maybe"}))
        .await
        .invalid("case.decision_invalid", "decision");
    let c = d
        .ok(
            &d.approver,
            &no,
            "conclude",
            json!({"decision": "denied", "reason": "经营场所与污染源距离不足"}),
        )
        .await;
    assert_eq!(c["conclusion"]["decision"], "denied");
    d.post(&d.clerk, &no, "fees/notice", json!({}))
        .await
        .error(409, "case.denied");
}

#[tokio::test]
async fn the_public_inquiry_needs_the_query_code_and_shows_nothing_personal() {
    let d = desk().await;
    let created = d.submit(ID_CARD, json!([{"name": "食品经营许可申请书", "paper": true}, {"name": "营业执照", "paper": true}])).await;
    let no = created["case_no"].as_str().unwrap();
    let code = created["query_code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    d.ok(&d.clerk, no, "accept", json!({})).await;

    let public = d
        .app
        .get(
            &format!("/api/v1/public/cases/{no}?query_code={code}"),
            None,
        )
        .await;
    assert_eq!(public.status, 200, "{}", public.text());
    let body = public.json();
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["applicant_name"], "张*");
    assert_eq!(body["due_date"], "2026-10-20");
    let text = public.text();
    assert!(
        !text.contains(ID_CARD) && !text.contains("13800138000"),
        "{text}"
    );

    let wrong = if code == "000000" { "111111" } else { "000000" };
    d.app
        .get(
            &format!("/api/v1/public/cases/{no}?query_code={wrong}"),
            None,
        )
        .await
        .error(404, "case.not_found");
    d.app
        .get(&format!("/api/v1/public/cases/{no}"), None)
        .await
        .invalid("field.required", "query_code");
}

#[tokio::test]
async fn lists_mask_personal_data_and_overseers_see_it_masked() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    let list = d.app.get("/api/v1/cases", Some(&d.clerk)).await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(
        list["cases"][0]["applicant_id_number"],
        "110101********4514"
    );
    assert_eq!(list["cases"][0]["applicant_name"], "张*");

    let handler = d.case(&d.clerk, &no).await;
    assert_eq!(handler["applicant"]["id_number"], ID_CARD);
    let supervisor = d.app.token("supervisor").await;
    let overseer = d.case(&supervisor, &no).await;
    assert_eq!(overseer["applicant"]["id_number"], "110101********4514");
    assert_eq!(overseer["applicant"]["phone"], "138****8000");
    assert!(overseer.get("query_code").is_none());

    let filtered = d
        .app
        .get("/api/v1/cases?status=accepted", Some(&d.clerk))
        .await
        .json();
    assert_eq!(filtered["total"], 0);
    d.app
        .get("/api/v1/cases?status=bogus", Some(&d.clerk))
        .await
        .error(400, "case.status_invalid");
}

#[tokio::test]
async fn an_online_applicant_uploads_corrects_and_follows_their_case() {
    let d = desk().await;
    let citizen = d.app.token("citizen").await;
    let pdf = b"%PDF-1.4\n% a scanned application form\n".to_vec();
    let up = d
        .app
        .post_bytes("/api/v1/files", Some(&citizen), "application/pdf", pdf)
        .await;
    assert_eq!(up.status, 201, "{}", up.text());
    let sha = up.json()["sha256"].as_str().unwrap().to_string();
    d.app
        .post_bytes(
            "/api/v1/files",
            None,
            "application/pdf",
            b"MZ not a pdf".to_vec(),
        )
        .await
        .invalid("file.type_not_allowed", "file");

    let r = d
        .app
        .post_json(
            "/api/v1/cases",
            Some(&citizen),
            &json!({
                "item_id": d.item_id,
                "applicant": applicant(ID_CARD),
                "materials": [{"name": "食品经营许可申请书", "files": [{"sha256": sha, "filename": "申请书.pdf"}]}]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["case"]["channel"], "online");
    let no = r.json()["case_no"].as_str().unwrap().to_string();

    d.ok(
        &d.clerk,
        &no,
        "notify",
        json!({"lines": [{"material": "营业执照", "problem": "请上传营业执照"}]}),
    )
    .await;
    let licence_scan = d
        .app
        .post_bytes(
            "/api/v1/files",
            Some(&citizen),
            "image/png",
            b"\x89PNG\r\n\x1a\nlicence".to_vec(),
        )
        .await
        .json()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let c = d
        .ok(
            &citizen,
            &no,
            "resubmit",
            json!({"materials": [{"name": "营业执照", "files": [{"sha256": licence_scan, "filename": "执照.png"}]}]}),
        )
        .await;
    assert_eq!(c["status"], "submitted");
    assert_eq!(
        c["applicant"]["id_number"], ID_CARD,
        "the applicant sees their own data"
    );

    // The file is served to the applicant and the department, to no one else.
    let url = format!("/api/v1/files/{sha}");
    let mine = d.app.get(&url, Some(&citizen)).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.starts_with(b"%PDF"));
    assert_eq!(d.app.get(&url, Some(&d.clerk)).await.status, 200);
    let clerk_b = d.app.token("clerk_b").await;
    assert_eq!(d.app.get(&url, Some(&clerk_b)).await.status, 404);
    assert_eq!(d.app.get(&url, None).await.status, 401);

    let mine = d.app.get("/api/v1/cases", Some(&citizen)).await.json();
    assert_eq!(mine["total"], 1);
    d.post(&citizen, &no, "accept", json!({}))
        .await
        .error(403, "auth.forbidden");
}

#[tokio::test]
async fn an_idempotency_key_replays_instead_of_submitting_twice() {
    let d = desk().await;
    let body = json!({
        "item_id": d.item_id,
        "applicant": applicant(ID_CARD),
        "materials": [{"name": "食品经营许可申请书", "paper": true}, {"name": "营业执照", "paper": true}]
    });
    let first = d
        .app
        .post_json_keyed("/api/v1/cases", Some(&d.clerk), "retry-1", &body)
        .await;
    let second = d
        .app
        .post_json_keyed("/api/v1/cases", Some(&d.clerk), "retry-1", &body)
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 201);
    assert_eq!(first.json()["case_no"], second.json()["case_no"]);
    let list = d.app.get("/api/v1/cases", Some(&d.clerk)).await.json();
    assert_eq!(list["total"], 1);

    let mut other = body.clone();
    other["applicant"]["name"] = json!("李四");
    d.app
        .post_json_keyed("/api/v1/cases", Some(&d.clerk), "retry-1", &other)
        .await
        .error(409, "idempotency.key_reused");

    let no = first.json()["case_no"].as_str().unwrap().to_string();
    let path = format!("/api/v1/cases/{no}/accept");
    let a = d
        .app
        .post_json_keyed(&path, Some(&d.clerk), "accept-1", &json!({}))
        .await;
    let b = d
        .app
        .post_json_keyed(&path, Some(&d.clerk), "accept-1", &json!({}))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(b.status, 200, "{}", b.text());
    assert_eq!(
        b.json()["events"].as_array().unwrap().len(),
        2,
        "accepted once"
    );
}

#[tokio::test]
async fn concurrent_submissions_get_distinct_numbers() {
    let d = desk().await;
    let body = json!({
        "item_id": d.item_id,
        "applicant": applicant(ID_CARD),
        "materials": [{"name": "食品经营许可申请书", "paper": true}]
    });
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let url = d.app.url("/api/v1/cases");
        let token = d.clerk.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201);
            r.json::<Value>().await.unwrap()["case_no"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=16).map(|n| format!("GH-20260930-{n:05}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_certificate_from_a_concluded_case_can_be_cited_by_its_holder() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    d.ok(
        &d.approver,
        &no,
        "steps/2/complete",
        json!({"opinion": "同意"}),
    )
    .await;
    d.ok(
        &d.approver,
        &no,
        "conclude",
        json!({"decision": "approved", "certificate_no": "JY11501020000001"}),
    )
    .await;

    // A later item asks for the 食品经营许可证 the first case issued.
    let mut later = item(d.seed.dept_a, "食品经营许可证延续（测试）");
    later.materials = vec![
        MaterialInput {
            name: "延续申请书".into(),
            required: true,
            ..Default::default()
        },
        MaterialInput {
            name: "食品经营许可证".into(),
            source: "government".into(),
            required: true,
            ..Default::default()
        },
    ];
    later.promised_limit = Some(limit(5));
    let later_id = d.app.add_item(&later, true).await;
    let cite = |id_number: &str| {
        json!({
            "item_id": later_id,
            "applicant": applicant(id_number),
            "materials": [
                {"name": "延续申请书", "paper": true},
                {"name": "食品经营许可证", "certificate_no": "JY11501020000001"}
            ]
        })
    };
    let other = d
        .app
        .post_json("/api/v1/cases", Some(&d.clerk), &cite(OTHER_ID_CARD))
        .await;
    other.invalid("case.certificate_not_yours", "materials[1].certificate_no");

    let r = d
        .app
        .post_json("/api/v1/cases", Some(&d.clerk), &cite(ID_CARD))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let no2 = r.json()["case_no"].as_str().unwrap().to_string();
    let c = d.ok(&d.clerk, &no2, "accept", json!({})).await;
    assert_eq!(c["materials"][1]["certificate_no"], "JY11501020000001");
    assert_eq!(c["materials"][1]["provided"], true);
}

#[tokio::test]
async fn the_audit_trail_verifies_and_a_changed_event_is_found() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    d.ok(&d.clerk, &no, "accept", json!({})).await;
    d.window_case(OTHER_ID_CARD).await;

    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    assert_eq!(report.events, 3);
    assert_eq!(report.cases, 2);
    assert!(report.broken.is_none(), "{:?}", report.broken);

    // Someone with database access rewrites the acceptance.
    d.app
        .execute_sql(
            "UPDATE case_events SET payload = replace(payload, '2026-10-20', '2026-12-31') WHERE seq = 2",
        )
        .await;
    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    let broken = report.broken.expect("the change is found");
    assert_eq!(broken.case_no, no);
    assert_eq!(broken.seq, 2);
}

#[tokio::test]
async fn notices_print_as_pdf_for_those_who_may_see_the_case() {
    let d = desk().await;
    let created = d.submit(ID_CARD, json!([{"name": "食品经营许可申请书", "paper": true}, {"name": "营业执照", "paper": true}])).await;
    let no = created["case_no"].as_str().unwrap().to_string();
    let code = created["query_code"].as_str().unwrap().to_string();
    let receipt = format!("/cases/{no}/notices/acceptance.pdf");

    let early = d.app.get(&receipt, Some(&d.clerk)).await;
    assert_eq!(early.status, 409);
    assert!(early.text().contains("尚未受理"), "{}", early.text());
    d.ok(&d.clerk, &no, "accept", json!({})).await;

    let pdf = d.app.get(&receipt, Some(&d.clerk)).await;
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));

    // The applicant at home with the query code printed on their receipt.
    let public = d
        .app
        .get(&format!("{receipt}?query_code={code}"), None)
        .await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body, pdf.body, "the same notice, byte for byte");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        d.app
            .get(&format!("{receipt}?query_code={wrong}"), None)
            .await
            .status,
        404
    );
    let clerk_b = d.app.token("clerk_b").await;
    assert_eq!(d.app.get(&receipt, Some(&clerk_b)).await.status, 404);
    assert_eq!(
        d.app
            .get(&format!("/cases/{no}/notices/nonsense.pdf"), Some(&d.clerk))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn guessing_query_codes_is_stopped_after_five_tries() {
    let d = desk().await;
    let created = d
        .submit(
            ID_CARD,
            json!([{"name": "食品经营许可申请书", "paper": true}]),
        )
        .await;
    let no = created["case_no"].as_str().unwrap();
    let code = created["query_code"].as_str().unwrap();
    let wrong: Vec<String> = (0..6)
        .map(|i| format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000))
        .collect();
    for w in &wrong[..5] {
        let r = d
            .app
            .get(&format!("/api/v1/public/cases/{no}?query_code={w}"), None)
            .await;
        assert_eq!(r.status, 404);
    }
    d.app
        .get(
            &format!("/api/v1/public/cases/{no}?query_code={code}"),
            None,
        )
        .await
        .error(429, "case.inquiry_limited");
}

#[tokio::test]
async fn refused_actions_in_a_busy_moment_undo_only_themselves() {
    let d = desk().await;
    let mut numbers = Vec::new();
    for _ in 0..8 {
        numbers.push(d.window_case(ID_CARD).await);
    }
    // Accepts and (refused) deliveries race; the writer batches them together.
    let mut requests = Vec::new();
    for no in &numbers {
        requests.push((
            format!("/api/v1/cases/{no}/deliver"),
            json!({"method": "window"}),
        ));
        requests.push((format!("/api/v1/cases/{no}/accept"), json!({})));
    }
    let statuses = post_at_once(&d.app, &d.clerk, requests.clone()).await;
    for ((path, _), status) in requests.iter().zip(statuses) {
        let expected = if path.ends_with("/accept") { 200 } else { 409 };
        assert_eq!(status, expected, "{path}");
    }
    for no in &numbers {
        let c = d.case(&d.clerk, no).await;
        assert_eq!(c["status"], "accepted");
        assert_eq!(c["events"].as_array().unwrap().len(), 2);
    }
    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    assert_eq!(report.events, 16);
}

#[tokio::test]
async fn actions_on_one_case_at_once_are_decided_one_after_another() {
    let d = desk().await;
    let no = d.window_case(ID_CARD).await;
    // Six clerks press 受理 at the same moment: the first acceptance wins, and
    // every later one sees the case already accepted, even within one batch.
    let requests = (0..6)
        .map(|_| (format!("/api/v1/cases/{no}/accept"), json!({}), None))
        .collect();
    let replies = post_keyed_at_once(&d.app, &d.clerk, requests).await;
    let accepted: Vec<&Value> = replies
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(accepted.len(), 1, "{replies:?}");
    // The reply carries the whole trail, the acceptance last.
    let events = accepted[0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{}", accepted[0]);
    assert_eq!(events[1]["kind"], "accepted");
    let refused = replies.iter().filter(|(status, _)| *status == 409);
    assert_eq!(refused.clone().count(), 5, "{replies:?}");
    let again = d.post(&d.clerk, &no, "accept", json!({})).await;
    for (_, body) in refused {
        assert_eq!(body["code"], again.json()["code"], "{body}");
    }
    let c = d.case(&d.clerk, &no).await;
    assert_eq!(c["events"].as_array().unwrap().len(), 2);
    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    assert_eq!(report.events, 2);
}

#[tokio::test]
async fn one_idempotency_key_sent_several_times_at_once_makes_one_case() {
    let d = desk().await;
    let body = json!({
        "item_id": d.item_id,
        "channel": "window",
        "applicant": applicant(ID_CARD),
        "materials": [{"name": "食品经营许可申请书", "paper": true}, {"name": "营业执照", "paper": true}]
    });
    let requests = (0..5)
        .map(|_| {
            (
                "/api/v1/cases".to_string(),
                body.clone(),
                Some("double-click"),
            )
        })
        .collect();
    let replies = post_keyed_at_once(&d.app, &d.clerk, requests).await;
    let first = &replies[0].1["case_no"];
    assert!(first.is_string(), "{replies:?}");
    for (status, reply) in &replies {
        assert_eq!(*status, 201, "{reply}");
        assert_eq!(&reply["case_no"], first);
    }
    let list = d.app.get("/api/v1/cases", Some(&d.clerk)).await.json();
    assert_eq!(list["total"], 1);
    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    assert_eq!(report.events, 1);
}

#[tokio::test]
async fn a_write_that_fails_half_way_in_a_batch_is_undone_alone() {
    let d = desk().await;
    let mut numbers = Vec::new();
    for _ in 0..8 {
        numbers.push(d.window_case(ID_CARD).await);
    }
    // The database refuses to rewrite one case's projection as accepted: that
    // acceptance fails after its event row was written, so the writer must
    // undo the event too, and only it.
    let poisoned = numbers[3].clone();
    if d.app.database_url.starts_with("postgres") {
        d.app
            .execute_sql(
                "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
            )
            .await;
        d.app
            .execute_sql(&format!(
                "CREATE TRIGGER injected_failure BEFORE UPDATE ON cases FOR EACH ROW
                 WHEN (NEW.case_no = '{poisoned}' AND NEW.status = 'accepted')
                 EXECUTE FUNCTION injected_failure()"
            ))
            .await;
    } else {
        d.app
            .execute_sql(&format!(
                "CREATE TRIGGER injected_failure BEFORE UPDATE ON cases
                 WHEN NEW.case_no = '{poisoned}' AND NEW.status = 'accepted'
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ))
            .await;
    }

    let requests = numbers
        .iter()
        .map(|no| (format!("/api/v1/cases/{no}/accept"), json!({})))
        .collect();
    let statuses = post_at_once(&d.app, &d.clerk, requests).await;
    for (no, status) in numbers.iter().zip(statuses) {
        let expected = if *no == poisoned { 500 } else { 200 };
        assert_eq!(status, expected, "{no}");
    }
    for no in &numbers {
        let c = d.case(&d.clerk, no).await;
        let (status, events) = if *no == poisoned {
            ("submitted", 1)
        } else {
            ("accepted", 2)
        };
        assert_eq!(c["status"], status, "{no}");
        assert_eq!(c["events"].as_array().unwrap().len(), events, "{no}");
    }
    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    assert_eq!(report.events, 15);

    // Nothing is left stuck: once the database lets it, the case is accepted.
    d.app
        .execute_sql(if d.app.database_url.starts_with("postgres") {
            "DROP TRIGGER injected_failure ON cases"
        } else {
            "DROP TRIGGER injected_failure"
        })
        .await;
    let r = d
        .app
        .post_json(
            &format!("/api/v1/cases/{poisoned}/accept"),
            Some(&d.clerk),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let report = d.app.state.store.verify_audit(|_, _| {}).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    assert_eq!(report.events, 16);
}

/// Sends these POSTs all at once, so that the case writer batches them, and
/// answers their statuses in the same order.
async fn post_at_once(app: &TestApp, token: &str, requests: Vec<(String, Value)>) -> Vec<u16> {
    let keyed = requests.into_iter().map(|(p, b)| (p, b, None)).collect();
    post_keyed_at_once(app, token, keyed)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect()
}

/// Like [`post_at_once`], each POST with an optional `Idempotency-Key`;
/// answers each reply's status and JSON body.
async fn post_keyed_at_once(
    app: &TestApp,
    token: &str,
    requests: Vec<(String, Value, Option<&str>)>,
) -> Vec<(u16, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(path, body, key)| {
            let url = app.url(&path);
            let token = token.to_string();
            let key = key.map(str::to_string);
            tokio::spawn(async move {
                let mut r = reqwest::Client::new().post(url).bearer_auth(token);
                if let Some(key) = key {
                    r = r.header("Idempotency-Key", key);
                }
                let r = r.json(&body).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    replies
}
