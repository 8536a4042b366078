//! The staff workbenches as a browser uses them: the accept desk, window
//! registration, one case with its action forms, the to-do list and the
//! working calendar. Every write goes through a form post; the JSON API is
//! used to set cases up and to check what the pages did.

use crate::helpers::{Browser, PASSWORD, Seed, TestApp, hidden_input, item, spawn_app};
use domain::catalogue::{FeeInput, ItemInput, MaterialInput, StepInput};
use serde_json::{Value, json};

const ID_CARD: &str = "110101199003074514";
/// The same number with a wrong check digit.
const BAD_ID_CARD: &str = "110101199003074515";

/// A 食品经营许可-like item: 受理 → 审查 → 决定 → 送达, two required
/// materials and an optional one, a 10 yuan fee, 10 working days.
fn licence(department_id: i64, name: &str) -> ItemInput {
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
        ..item(department_id, name)
    }
}

struct Hall {
    app: TestApp,
    seed: Seed,
    item_id: i64,
    clerk: String,
}

async fn hall() -> Hall {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let item_id = app
        .add_item(&licence(seed.dept_a, "食品经营许可（测试）"), true)
        .await;
    let clerk = app.token("clerk").await;
    Hall {
        app,
        seed,
        item_id,
        clerk,
    }
}

impl Hall {
    /// A window case of `item_id` registered over the API by `token`.
    async fn case_of(&self, token: &str, item_id: i64, materials: Value) -> String {
        let r = self
            .app
            .post_json(
                "/api/v1/cases",
                Some(token),
                &json!({
                    "item_id": item_id,
                    "channel": "window",
                    "applicant": {"name": "张三", "id_type": "id_card", "id_number": ID_CARD, "phone": "13800138000"},
                    "materials": materials,
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["case_no"].as_str().unwrap().to_string()
    }

    /// A window case with both required materials seen on paper.
    async fn window_case(&self) -> String {
        self.case_of(
            &self.clerk,
            self.item_id,
            json!([{"name": "食品经营许可申请书", "paper": true}, {"name": "营业执照", "paper": true}]),
        )
        .await
    }

    async fn accepted_case(&self) -> String {
        let no = self.window_case().await;
        let r = self
            .app
            .post_json(
                &format!("/api/v1/cases/{no}/accept"),
                Some(&self.clerk),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        no
    }

    async fn case(&self, no: &str) -> Value {
        let r = self
            .app
            .get(&format!("/api/v1/cases/{no}"), Some(&self.clerk))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    /// A signed-in browser and its CSRF token.
    async fn login(&self, username: &str) -> (Browser, String) {
        let b = self.app.browser();
        let csrf = b.login_ok(username).await;
        (b, csrf)
    }
}

/// Posts an action form of a case page.
async fn act(
    b: &Browser,
    csrf: &str,
    no: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> crate::helpers::Reply {
    let mut all = vec![("csrf_token", csrf)];
    all.extend_from_slice(fields);
    b.post_form(&format!("/desk/cases/{no}/{action}"), &all)
        .await
}

/// Posts an action that must succeed and returns the page it redirects to.
async fn act_ok(
    b: &Browser,
    csrf: &str,
    no: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> String {
    let r = act(b, csrf, no, action, fields).await;
    assert_eq!(r.status, 303, "{action}: {}", r.text());
    let location = r.header("location");
    assert_eq!(location, format!("/desk/cases/{no}?done={action}"));
    let page = b.get(&location).await;
    assert_eq!(page.status, 200);
    page.text()
}

#[tokio::test]
async fn the_desk_lists_the_departments_submitted_cases_and_not_anothers() {
    let h = hall().await;
    let mine = h.window_case().await;
    let other_item = h
        .app
        .add_item(&licence(h.seed.dept_b, "药品零售许可（测试）"), true)
        .await;
    let clerk_b = h.app.token("clerk_b").await;
    let theirs = h
        .case_of(
            &clerk_b,
            other_item,
            json!([{"name": "食品经营许可申请书", "paper": true}]),
        )
        .await;

    let (b, _) = h.login("clerk").await;
    let page = b.get("/desk").await;

    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains(&format!("href=\"/desk/cases/{mine}\"")),
        "{html}"
    );
    assert!(
        !html.contains(&theirs),
        "another department's case is not even named"
    );
    assert!(html.contains("张*"), "applicants are masked in the list");
    assert!(!html.contains(ID_CARD));
    assert!(html.contains("aria-current=\"page\">待受理 <span class=\"count\">1</span>"));
    assert!(html.contains("待补正 <span class=\"count\">0</span>"));
    assert!(
        html.contains("href=\"/desk/new\""),
        "the window registers applications"
    );

    // Another department's case page is a 404, as in the API.
    assert_eq!(b.get(&format!("/desk/cases/{theirs}")).await.status, 404);
    // The search narrows the list; the accepted tab is empty.
    let html = b
        .get("/desk?status=submitted&q=%E8%8D%AF%E5%93%81")
        .await
        .text();
    assert!(!html.contains(&mine));
    assert!(html.contains("没有找到符合条件的办件"));
    let html = b.get("/desk?status=accepted").await.text();
    assert!(!html.contains(&mine));
}

#[tokio::test]
async fn window_registration_with_a_bad_id_shows_the_message_and_creates_nothing() {
    let h = hall().await;
    let (b, csrf) = h.login("clerk").await;
    let choose = b.get("/desk/new").await.text();
    assert!(choose.contains(&format!("/desk/new?item_id={}", h.item_id)));
    assert!(choose.contains("食品经营许可（测试）"));
    let form = b.get(&format!("/desk/new?item_id={}", h.item_id)).await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains("name=\"paper_1\""));
    let item_id = h.item_id.to_string();
    let register = |id_number: &'static str| {
        let (b, csrf, item_id) = (&b, csrf.clone(), item_id.clone());
        async move {
            b.post_form(
                "/desk/new",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("item_id", item_id.as_str()),
                    ("kind", "person"),
                    ("name", "张三"),
                    ("id_type", "id_card"),
                    ("id_number", id_number),
                    ("phone", "13800138000"),
                    ("paper_0", "1"),
                    ("paper_1", "1"),
                ],
            )
            .await
        }
    };

    let r = register(BAD_ID_CARD).await;

    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    assert!(html.contains("居民身份证号码校验位不正确"), "{html}");
    assert!(
        html.contains("href=\"#a-id_number\""),
        "the summary links to the field"
    );
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"a-id_number-err\""));
    assert!(html.contains("value=\"张三\""), "what was typed is kept");
    assert!(html.contains(&format!("value=\"{BAD_ID_CARD}\"")));
    let list = h.app.get("/api/v1/cases", Some(&h.clerk)).await.json();
    assert_eq!(list["total"], 0, "nothing was created");

    let r = register(ID_CARD).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.header("location");
    let no = location
        .strip_prefix("/desk/cases/")
        .and_then(|l| l.strip_suffix("?done=register"))
        .expect("the new case's page")
        .to_string();
    let c = h.case(&no).await;
    assert_eq!(c["channel"], "window");
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["materials"][1]["paper"], true);
    let html = b.get(&location).await.text();
    assert!(html.contains("已完成窗口登记"));
    assert!(
        html.contains(ID_CARD),
        "the handling department sees the full number"
    );
}

#[tokio::test]
async fn an_approver_cannot_open_window_registration() {
    let h = hall().await;
    let (b, csrf) = h.login("approver").await;
    assert_eq!(b.get("/desk/new").await.status, 403);
    let r = b
        .post_form(
            "/desk/new",
            &[
                ("csrf_token", csrf.as_str()),
                ("item_id", &h.item_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(!b.get("/desk").await.text().contains("href=\"/desk/new\""));
}

#[tokio::test]
async fn a_registration_can_carry_a_scanned_material() {
    let h = hall().await;
    // A browser that can post multipart forms.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(h.app.url("/login")).send().await.unwrap();
    let token = hidden_input(&login.text().await.unwrap(), "csrf_token").unwrap();
    let r = client
        .post(h.app.url("/login"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!(
            "csrf_token={}&username=clerk&password={}&next=%2Fdesk",
            crate::helpers::encode(&token),
            crate::helpers::encode(PASSWORD)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let desk = client.get(h.app.url("/desk")).send().await.unwrap();
    let csrf = crate::helpers::meta_content(&desk.text().await.unwrap(), "csrf-token").unwrap();
    let pdf = b"%PDF-1.4\n% a scanned application form\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf)
        .text("item_id", h.item_id.to_string())
        .text("kind", "person")
        .text("name", "李四")
        .text("id_type", "id_card")
        .text("id_number", ID_CARD)
        .text("phone", "0471-6218617")
        .part(
            "file_0",
            reqwest::multipart::Part::bytes(pdf).file_name("申请书.pdf"),
        )
        .part(
            "file_1",
            reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
        );
    let r = client
        .post(h.app.url("/desk/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let html = client
        .get(h.app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(">申请书.pdf</a>"), "{html}");
    assert!(html.contains("href=\"/api/v1/files/"));
}

#[tokio::test]
async fn accepting_through_the_page_moves_the_case_and_shows_the_due_date() {
    let h = hall().await;
    let no = h.window_case().await;
    let (b, csrf) = h.login("clerk").await;
    let page = b.get(&format!("/desk/cases/{no}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains(&format!("action=\"/desk/cases/{no}/accept\"")));
    assert!(html.contains(&format!("action=\"/desk/cases/{no}/refuse\"")));
    assert!(
        !html.contains("/conclude\""),
        "no decision before acceptance"
    );

    let html = act_ok(
        &b,
        &csrf,
        &no,
        "accept",
        &[("paper_0", "1"), ("promise_2", "1")],
    )
    .await;

    let c = h.case(&no).await;
    assert_eq!(c["status"], "accepted");
    assert_eq!(c["promised_materials"], json!(["经营场所平面图"]));
    // Accepted 30 September, 10 working days over the National Day holiday.
    assert_eq!(c["due_date"], "2026-10-20");
    assert!(html.contains("<strong>2026-10-20</strong>"), "{html}");
    assert!(html.contains("已受理"));
    assert!(html.contains(&format!(
        "href=\"/cases/{no}/notices/acceptance.pdf\" data-testid=\"print-receipt\">打印受理回执"
    )));
    assert!(html.contains("剩余10个工作日"));
    assert!(html.contains("第2步 审查"));
    assert!(html.contains("容缺待补"));
    assert!(html.contains("2026-09-30 09:00"), "times in Beijing time");
    assert!(
        !html.contains(&format!("/desk/cases/{no}/accept\"")),
        "no second acceptance"
    );
    // The clerk may not decide a 承诺件, so the page offers no conclusion.
    assert!(!html.contains(&format!("/desk/cases/{no}/conclude\"")));
}

#[tokio::test]
async fn a_refused_action_shows_the_reason_and_changes_nothing() {
    let h = hall().await;
    let no = h.window_case().await;
    let (b, csrf) = h.login("clerk").await;
    let before = h.case(&no).await["events"].as_array().unwrap().len();

    let r = act(&b, &csrf, &no, "deliver", &[("method", "window")]).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.text().contains("办件当前为“已申报”，办结后才能送达"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("办件没有任何改变"));
    // The refusal is shown at the action's URL: reloading it goes back to the case.
    let r = b.get(&format!("/desk/cases/{no}/deliver")).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), format!("/desk/cases/{no}"));

    let r = act(&b, &csrf, &no, "refuse", &[("reason", "  ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("不予受理理由不能为空"));

    let (approver, approver_csrf) = h.login("approver").await;
    let r = act(&approver, &approver_csrf, &no, "accept", &[]).await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("审批人员不能受理"), "{}", r.text());

    act_ok(&b, &csrf, &no, "accept", &[]).await;
    let after_accept = h.case(&no).await["events"].as_array().unwrap().len();
    let r = act(
        &approver,
        &approver_csrf,
        &no,
        "step",
        &[("step", "3"), ("opinion", "同意")],
    )
    .await;
    assert_eq!(r.status, 409);
    let html = r.text();
    assert!(html.contains("请先办理第2个环节（审查）"), "{html}");
    assert!(
        html.contains("value=\"2\""),
        "the form offers the right step"
    );
    assert!(
        html.contains(">同意</textarea>"),
        "the opinion typed is kept"
    );

    let c = h.case(&no).await;
    assert_eq!(before + 1, after_accept);
    assert_eq!(
        c["events"].as_array().unwrap().len(),
        after_accept,
        "nothing recorded"
    );
    assert_eq!(c["current_step"], 2);

    // A stale or foreign form is refused before anything else.
    let r = act(&b, "not-the-token", &no, "refuse", &[("reason", "x")]).await;
    assert_eq!(r.status, 403);
    assert_eq!(h.case(&no).await["status"], "accepted");
}

#[tokio::test]
async fn a_case_runs_from_notice_to_delivery_through_the_pages() {
    let h = hall().await;
    let no = h
        .case_of(
            &h.clerk,
            h.item_id,
            json!([{"name": "食品经营许可申请书", "paper": true}]),
        )
        .await;
    let (clerk, csrf) = h.login("clerk").await;

    let html = b_notice(&clerk, &csrf, &no).await;
    assert!(html.contains("营业执照"));
    let c = h.case(&no).await;
    assert_eq!(c["status"], "awaiting_correction");
    assert_eq!(
        c["notices"][0]["lines"],
        json!([
            {"material": "营业执照", "problem": "未提供营业执照副本"},
            {"material": "法定代表人身份证明", "problem": "请提供复印件"}
        ])
    );
    assert!(html.contains(&format!("/cases/{no}/notices/correction.pdf")));

    act_ok(&clerk, &csrf, &no, "resubmit", &[("paper_1", "1")]).await;
    assert_eq!(h.case(&no).await["status"], "submitted");
    act_ok(&clerk, &csrf, &no, "accept", &[]).await;

    let (approver, approver_csrf) = h.login("approver").await;
    act_ok(
        &approver,
        &approver_csrf,
        &no,
        "step",
        &[("step", "2"), ("opinion", "材料真实有效")],
    )
    .await;
    let html = act_ok(
        &approver,
        &approver_csrf,
        &no,
        "conclude",
        &[
            ("decision", "approved"),
            ("reason", ""),
            ("result_name", "食品经营许可证"),
            ("certificate_no", "JY11501020000001"),
        ],
    )
    .await;
    assert!(html.contains("JY11501020000001"));
    assert!(html.contains(&format!("/cases/{no}/notices/conclusion.pdf")));

    // Unpaid: the clerk is told instead of offered the delivery form.
    let html = clerk.get(&format!("/desk/cases/{no}")).await.text();
    assert!(html.contains("申请人尚未缴清费用"));
    assert!(!html.contains(&format!("/desk/cases/{no}/deliver\"")));
    let html = act_ok(&clerk, &csrf, &no, "fee-notice", &[]).await;
    assert!(html.contains("票款分离"), "the issuer may not confirm");
    assert!(!html.contains(&format!("/desk/cases/{no}/fee-confirm\"")));
    assert!(html.contains(&format!("/cases/{no}/notices/payment.pdf")));

    let (chief, chief_csrf) = h.login("chief").await;
    act_ok(
        &chief,
        &chief_csrf,
        &no,
        "fee-confirm",
        &[("channel", "bank"), ("receipt_no", "NS2026093000001")],
    )
    .await;
    let r = act(
        &clerk,
        &csrf,
        &no,
        "deliver",
        &[("method", "post"), ("tracking_no", "")],
    )
    .await;
    assert_eq!(r.status, 422, "post needs a tracking number");
    let html = act_ok(
        &clerk,
        &csrf,
        &no,
        "deliver",
        &[("method", "post"), ("tracking_no", "EMS1234567890")],
    )
    .await;
    assert!(html.contains("EMS1234567890"));
    assert!(html.contains("本办件已办理完毕"));
    let c = h.case(&no).await;
    assert_eq!(c["status"], "delivered");
    // The trail shows every event with the head of its hash.
    let last_hash = c["events"].as_array().unwrap().last().unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(html.contains(&format!(">{}</td>", &last_hash[..12])));
}

/// Issues a one-time notice naming the missing licence and one other thing.
async fn b_notice(b: &Browser, csrf: &str, no: &str) -> String {
    act_ok(
        b,
        csrf,
        no,
        "notify",
        &[
            ("pick_1", "1"),
            ("problem_1", "未提供营业执照副本"),
            ("problem_2", ""),
            ("material_3", "法定代表人身份证明"),
            ("problem_3", "请提供复印件"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_approvers_to_do_lists_the_accepted_case_and_the_chief_approves_extensions() {
    let h = hall().await;
    let accepted = h.accepted_case().await;
    let waiting = h.window_case().await;
    let (approver, csrf) = h.login("approver").await;

    let html = approver.get("/desk/todo").await.text();
    assert!(
        html.contains(&format!("href=\"/desk/cases/{accepted}\"")),
        "{html}"
    );
    assert!(
        !html.contains(&waiting),
        "a case not yet accepted is the window's"
    );
    assert!(html.contains("第2步 审查"));
    assert!(html.contains("剩余10个工作日"));
    assert!(
        !html.contains("待批准的延期申请"),
        "approvers do not approve extensions"
    );

    act_ok(
        &approver,
        &csrf,
        &accepted,
        "extension-request",
        &[("working_days", "5"), ("reason", "需征求相关部门意见")],
    )
    .await;
    assert!(approver.get("/desk/todo").await.text().contains("延期待批"));

    let (chief, chief_csrf) = h.login("chief").await;
    let html = chief.get("/desk/todo").await.text();
    assert!(html.contains("待批准的延期申请"));
    assert!(html.contains(&format!("/desk/cases/{accepted}#act-extend")));
    let page = chief.get(&format!("/desk/cases/{accepted}")).await.text();
    assert!(
        page.contains("name=\"working_days\" min=\"1\" max=\"30\" value=\"5\""),
        "pre-filled"
    );
    assert!(page.contains(">需征求相关部门意见</textarea>"));
    act_ok(
        &chief,
        &chief_csrf,
        &accepted,
        "extend",
        &[("working_days", "5"), ("reason", "需征求相关部门意见")],
    )
    .await;
    assert_eq!(h.case(&accepted).await["due_date"], "2026-10-27");

    // The acceptance step is the clerk's: it shows on the clerk's done list.
    let (clerk, _) = h.login("clerk").await;
    let html = clerk.get("/desk/todo").await.text();
    let done = html.split("id=\"h-done\"").nth(1).unwrap();
    assert!(done.contains(&accepted), "{done}");
}

#[tokio::test]
async fn the_calendar_page_counts_2026_and_an_admins_edit_moves_deadlines() {
    let h = hall().await;
    let (b, csrf) = h.login("admin").await;
    let deadline = || async {
        h.app
            .get(
                "/api/v1/calendar/deadline?from=2026-09-30&working_days=3",
                None,
            )
            .await
            .json()["due_date"]
            .clone()
    };
    assert_eq!(deadline().await, "2026-10-10");

    let page = b.get("/admin/calendar?year=2026").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("data-testid=\"working-days\">248<"), "{html}");
    assert!(html.contains("title=\"2026-10-01 节假日：国庆节\""));
    assert!(
        html.contains("class=\"mk\" data-date=\"2026-10-10\""),
        "make-up Saturday"
    );
    assert!(!html.contains("尚未录入2026年"));
    assert!(
        b.get("/admin")
            .await
            .text()
            .contains("href=\"/admin/calendar\"")
    );

    let r = b
        .post_form(
            "/admin/calendar/day",
            &[
                ("csrf_token", csrf.as_str()),
                ("date", "2026-10-09"),
                ("kind", "holiday"),
                ("note", "临时停电闭厅"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), "/admin/calendar?year=2026&saved=day");
    assert_eq!(deadline().await, "2026-10-12");
    let html = b.get(&r.header("location")).await.text();
    assert!(html.contains("data-testid=\"working-days\">247<"));
    assert!(html.contains("临时停电闭厅"));

    let r = b
        .post_form(
            "/admin/calendar/day",
            &[
                ("csrf_token", csrf.as_str()),
                ("date", "2026-13-01"),
                ("kind", "holiday"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("日期“2026-13-01”格式不正确"));

    let r = b
        .post_form(
            "/admin/calendar/reset",
            &[("csrf_token", csrf.as_str()), ("date", "2026-10-09")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(deadline().await, "2026-10-10");

    let html = b.get("/admin/calendar?year=2027").await.text();
    assert!(html.contains("尚未录入2027年的法定节假日和调休安排"));
}

#[tokio::test]
async fn only_administrators_open_the_calendar_page() {
    let h = hall().await;
    let (b, csrf) = h.login("clerk").await;
    let page = b.get("/admin/calendar").await;
    assert_eq!(page.status, 403);
    assert!(page.text().contains("没有访问此页面的权限"));
    let r = b
        .post_form(
            "/admin/calendar/day",
            &[
                ("csrf_token", csrf.as_str()),
                ("date", "2026-10-09"),
                ("kind", "holiday"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let year = h.app.get("/api/v1/calendar?year=2026", None).await.json();
    assert_eq!(year["working_days"], 248, "nothing changed");
    let dashboard = b.get("/admin").await.text();
    assert!(!dashboard.contains("href=\"/admin/calendar\""));
    assert!(dashboard.contains("href=\"/desk/todo\""));
}
