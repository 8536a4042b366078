//! The applicant pages over HTTP: applying online with the multipart form,
//! the public inquiry, "my cases", and corrections and promised materials
//! handed in through the case page.

use crate::helpers::{
    PASSWORD, Reply, TestApp, encode, hidden_input, item, meta_content, password_hash, spawn_app,
    start_time,
};
use domain::access::Role;
use domain::catalogue::{FeeInput, ItemInput, MaterialInput, StepInput};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use store::NewUser;

const ID_CARD: &str = "110101199003074514";
const PHONE: &str = "13800138000";
const PDF: &[u8] = b"%PDF-1.4\n% a scanned application form\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\na scanned licence";

/// A 食品经营许可-like online item of department A: 受理 → 审查 → 决定 → 送达,
/// two required materials (the licence issued by government) and an optional one.
fn licence(department_id: i64) -> ItemInput {
    let step = |name: &str| StepInput {
        name: name.into(),
        budget_days: 2,
        description: String::new(),
    };
    let material = |name: &str, source: &str, required| MaterialInput {
        name: name.into(),
        source: source.into(),
        originals: 1,
        copies: 1,
        required,
        ..Default::default()
    };
    ItemInput {
        online: true,
        result: "食品经营许可证".into(),
        steps: vec![step("受理"), step("审查"), step("决定"), step("送达")],
        materials: vec![
            material("食品经营许可申请书", "applicant", true),
            material("营业执照", "government", true),
            material("经营场所平面图", "applicant", false),
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

/// A browser that can post multipart forms: its own cookie jar, no redirects followed.
struct Visitor {
    client: reqwest::Client,
    base: String,
}

impl Visitor {
    fn new(app: &TestApp) -> Visitor {
        Visitor {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.address.clone(),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        read(self.client.get(format!("{}{path}", self.base))).await
    }

    async fn post(&self, path: &str, form: Form) -> Reply {
        read(
            self.client
                .post(format!("{}{path}", self.base))
                .multipart(form),
        )
        .await
    }

    /// Signs in through the login form; returns the session's CSRF token.
    async fn sign_in(&self, username: &str) -> String {
        let login = self.get("/login").await;
        let token = hidden_input(&login.text(), "csrf_token").expect("a login token");
        let body = [
            ("csrf_token", token.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/inquiry"),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
        let r = read(
            self.client
                .post(format!("{}/login", self.base))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await;
        assert_eq!(r.status, 303, "login as {username}: {}", r.text());
        let page = self.get("/inquiry").await;
        meta_content(&page.text(), "csrf-token").expect("a session CSRF token")
    }
}

async fn read(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("the server answers");
    Reply {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

fn file(bytes: &[u8], name: &str, mime: &str) -> Part {
    Part::bytes(bytes.to_vec())
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap()
}

/// What a browser sends for a file input nobody used.
fn no_file() -> Part {
    Part::bytes(Vec::new())
        .file_name("")
        .mime_str("application/octet-stream")
        .unwrap()
}

/// The application form as a browser posts it: the application form and
/// the licence as scans, the floor plan left empty.
fn application(csrf: &str, id_number: &str) -> Form {
    Form::new()
        .text("csrf_token", csrf.to_string())
        .text("kind", "person")
        .text("name", "张三")
        .text("id_type", "id_card")
        .text("id_number", id_number.to_string())
        .text("phone", PHONE)
        .text("contact_name", "")
        .text("m0_name", "食品经营许可申请书")
        .part("m0_files", file(PDF, "申请书.pdf", "application/pdf"))
        .text("m1_name", "营业执照")
        .part("m1_files", file(PNG, "执照.png", "image/png"))
        .text("m1_cert", "")
        .text("m2_name", "经营场所平面图")
        .part("m2_files", no_file())
        .text("pledge", "yes")
}

/// The text of `<… data-testid="{id}">…<` in a page.
fn testid(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find('<').unwrap();
    html[start..end].trim().to_string()
}

async fn case_count(app: &TestApp) -> i64 {
    let clerk = app.token("clerk").await;
    let list = app.get("/api/v1/cases", Some(&clerk)).await.json();
    list["total"].as_i64().unwrap()
}

async fn add_applicant(app: &TestApp, username: &str) {
    app.state
        .store
        .create_user(
            &NewUser {
                username: username.into(),
                display_name: "另一位申请人".into(),
                password_hash: password_hash(),
                role: Role::Applicant,
                department_id: None,
            },
            start_time(),
        )
        .await
        .unwrap();
}

/// A signed-in citizen's online case through the page; returns its number.
async fn citizen_case(app: &TestApp, citizen: &Visitor, csrf: &str, item_id: i64) -> String {
    let r = citizen
        .post(
            &format!("/items/{item_id}/apply"),
            application(csrf, ID_CARD),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.header("location");
    let no = location
        .strip_prefix("/my/cases/")
        .and_then(|l| l.strip_suffix("?done=submitted"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_string();
    assert!(case_count(app).await > 0);
    no
}

async fn api_case(app: &TestApp, token: &str, no: &str) -> Value {
    let r = app.get(&format!("/api/v1/cases/{no}"), Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn an_anonymous_applicant_applies_online_and_is_given_number_and_code() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let visitor = Visitor::new(&app);

    let form = visitor.get(&format!("/items/{id}/apply")).await;
    assert_eq!(form.status, 200, "{}", form.text());
    let html = form.text();
    assert!(
        html.contains("<h1>在线申报：食品经营许可（测试）</h1>"),
        "{html}"
    );
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("<label for=\"id_number\">证件号码</label>"));
    assert!(html.contains("name=\"m1_files\""));
    assert!(
        html.contains("name=\"m1_cert\""),
        "营业执照 may be cited as an electronic certificate"
    );
    assert!(
        !html.contains("name=\"m0_cert\""),
        "an applicant's own form cannot be"
    );
    assert!(html.contains("登录后申报"));

    let r = visitor
        .post(&format!("/items/{id}/apply"), application("", ID_CARD))
        .await;

    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), "no-store");
    let html = r.text();
    let no = testid(&html, "case-no");
    let code = testid(&html, "query-code");
    assert!(no.starts_with("GH-20260930-"), "{no}");
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    assert!(html.contains("打印回执"));
    assert!(
        html.contains(&format!("/inquiry?case_no={no}&#38;query_code={code}")),
        "{html}"
    );

    let clerk = app.token("clerk").await;
    let c = api_case(&app, &clerk, &no).await;
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["channel"], "online");
    assert_eq!(c["applicant"]["id_number"], ID_CARD);
    assert_eq!(c["materials"][0]["files"][0]["filename"], "申请书.pdf");
    assert_eq!(c["materials"][1]["files"][0]["content_type"], "image/png");
    assert_eq!(
        c["materials"][2]["provided"], false,
        "an empty file input is no material"
    );
}

#[tokio::test]
async fn a_bad_id_number_comes_back_with_its_message_and_writes_nothing() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let visitor = Visitor::new(&app);

    let r = visitor
        .post(
            &format!("/items/{id}/apply"),
            application("", "110101199003074515"),
        )
        .await;

    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("class=\"notice error error-summary\""),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"#id_number\">"),
        "the summary links to the field"
    );
    assert!(html.contains("校验位"), "the domain's message is shown");
    assert!(html.contains("id=\"id_number-error\""));
    assert!(
        html.contains("aria-describedby=\"id_number-hint id_number-error\" aria-invalid=\"true\"")
    );
    assert!(
        html.contains("value=\"110101199003074515\""),
        "entered values are kept"
    );
    assert!(html.contains("value=\"张三\""));
    assert!(
        html.contains("请重新选择文件"),
        "files must be chosen again"
    );
    assert_eq!(case_count(&app).await, 0, "nothing was written");

    // A file that is not a scan, and no pledge: every problem at once.
    let form = Form::new()
        .text("kind", "person")
        .text("name", "张三")
        .text("id_number", ID_CARD)
        .text("phone", "12345")
        .text("m0_name", "食品经营许可申请书")
        .part(
            "m0_files",
            file(b"MZ\x90\x00", "申请书.exe", "application/octet-stream"),
        );
    let r = visitor.post(&format!("/items/{id}/apply"), form).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("“申请书.exe”：只接受PDF、PNG或JPEG格式的材料文件"),
        "{html}"
    );
    assert!(html.contains("<a href=\"#m0-files\">"));
    assert!(html.contains("请阅读并勾选承诺后再提交"));
    assert!(html.contains("联系电话应为11位手机号码"));
    assert_eq!(case_count(&app).await, 0);

    // Nothing uploaded at all is refused by the domain rule for online applications.
    let bare = Form::new()
        .text("kind", "person")
        .text("name", "张三")
        .text("id_number", ID_CARD)
        .text("phone", PHONE)
        .text("pledge", "yes");
    let r = visitor.post(&format!("/items/{id}/apply"), bare).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("网上申报须至少上传一项申请材料"));
    assert!(
        r.text().contains("<a href=\"#m-materials\">"),
        "{}",
        r.text()
    );
    assert_eq!(case_count(&app).await, 0);
}

#[tokio::test]
async fn the_inquiry_shows_progress_and_nothing_personal_but_the_masked_name() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let clerk = app.token("clerk").await;
    let r = app
        .post_json(
            "/api/v1/cases",
            Some(&clerk),
            &json!({
                "item_id": id,
                "channel": "window",
                "applicant": {"name": "张三", "id_number": ID_CARD, "phone": PHONE},
                "materials": [{"name": "食品经营许可申请书", "paper": true}, {"name": "营业执照", "paper": true}]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let no = r.json()["case_no"].as_str().unwrap().to_string();
    let code = r.json()["query_code"].as_str().unwrap().to_string();
    let accepted = app
        .post_json(
            &format!("/api/v1/cases/{no}/accept"),
            Some(&clerk),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    let visitor = Visitor::new(&app);

    let empty = visitor.get("/inquiry").await;
    assert_eq!(empty.status, 200);
    assert!(
        empty
            .text()
            .contains("<label for=\"query_code\">查询码</label>")
    );

    let page = visitor
        .get(&format!("/inquiry?case_no={no}&query_code={code}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("<span class=\"badge status st-accepted\">办理中</span>"),
        "{html}"
    );
    assert!(html.contains("<dd>张*</dd>"));
    assert!(html.contains("2026-10-20"), "the due date");
    assert!(html.contains("2026-09-30 09:00"), "times in Beijing time");
    assert!(
        html.contains("aria-current=\"step\""),
        "the step in hand is marked"
    );
    assert!(
        !html.contains(ID_CARD) && !html.contains("110101"),
        "no ID number"
    );
    assert!(!html.contains(PHONE) && !html.contains("138"), "no phone");
    assert!(!html.contains("张三"), "no full name");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let miss = visitor
        .get(&format!("/inquiry?case_no={no}&query_code={wrong}"))
        .await;
    assert_eq!(miss.status, 404);
    assert!(miss.text().contains("未找到，请核对编号和查询码"));
    assert!(!miss.text().contains("食品经营许可（测试）"));

    let lowercase = visitor
        .get(&format!(
            "/inquiry?case_no={}&query_code={code}",
            no.to_lowercase()
        ))
        .await;
    assert_eq!(lowercase.status, 200, "case numbers are not case-sensitive");

    let half = visitor.get(&format!("/inquiry?case_no={no}")).await;
    assert_eq!(half.status, 422);
    assert!(half.text().contains("请输入查询码"));
}

#[tokio::test]
async fn wrong_query_codes_for_one_case_are_limited() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let visitor = Visitor::new(&app);
    let html = visitor
        .post(&format!("/items/{id}/apply"), application("", ID_CARD))
        .await
        .text();
    let no = testid(&html, "case-no");
    let code = testid(&html, "query-code");
    let wrong = if code == "000000" { "111111" } else { "000000" };

    for _ in 0..5 {
        let r = visitor
            .get(&format!("/inquiry?case_no={no}&query_code={wrong}"))
            .await;
        assert_eq!(r.status, 404);
    }
    let blocked = visitor
        .get(&format!("/inquiry?case_no={no}&query_code={code}"))
        .await;
    assert_eq!(
        blocked.status, 429,
        "even the right code waits: guessing must not pay"
    );
    assert!(blocked.text().contains("15分钟后再试"));
}

#[tokio::test]
async fn a_signed_in_applicant_follows_their_own_cases_only() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    add_applicant(&app, "citizen2").await;
    let citizen = Visitor::new(&app);
    let csrf = citizen.sign_in("citizen").await;

    let no = citizen_case(&app, &citizen, &csrf, id).await;

    let page = citizen.get(&format!("/my/cases/{no}?done=submitted")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("申报成功"));
    assert!(
        html.contains(ID_CARD),
        "the applicant sees their own data unmasked"
    );
    assert!(html.contains("申请书.pdf"));
    assert!(html.contains("<span class=\"badge status st-submitted\">已申报</span>"));
    let token = app.token("citizen").await;
    let code = api_case(&app, &token, &no).await["query_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        html.contains(&code),
        "the query code is shown to its applicant"
    );

    let list = citizen.get("/my/cases").await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains(&format!("href=\"/my/cases/{no}\"")));
    assert!(list.text().contains("食品经营许可（测试）"));

    let other = Visitor::new(&app);
    other.sign_in("citizen2").await;
    let theirs = other.get(&format!("/my/cases/{no}")).await;
    assert_eq!(theirs.status, 404);
    assert!(!theirs.text().contains(ID_CARD));
    assert!(!other.get("/my/cases").await.text().contains(&no));

    let clerk = Visitor::new(&app);
    clerk.sign_in("clerk").await;
    assert_eq!(clerk.get("/my/cases").await.status, 403);

    let stranger = Visitor::new(&app).get("/my/cases").await;
    assert_eq!(stranger.status, 303);
    assert!(stranger.header("location").starts_with("/login?next="));
}

#[tokio::test]
async fn the_same_form_sent_twice_makes_one_case() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let visitor = Visitor::new(&app);
    let html = visitor.get(&format!("/items/{id}/apply")).await.text();
    let key = hidden_input(&html, "submission_key").expect("the form carries a one-time key");
    assert_ne!(
        hidden_input(
            &visitor.get(&format!("/items/{id}/apply")).await.text(),
            "submission_key"
        ),
        Some(key.clone()),
        "each form gets its own key"
    );
    let send = |id_number: &str| application("", id_number).text("submission_key", key.clone());

    let first = visitor
        .post(&format!("/items/{id}/apply"), send(ID_CARD))
        .await;
    let again = visitor
        .post(&format!("/items/{id}/apply"), send(ID_CARD))
        .await;

    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(again.status, 200, "{}", again.text());
    let no = testid(&first.text(), "case-no");
    assert_eq!(testid(&again.text(), "case-no"), no);
    assert_eq!(
        testid(&again.text(), "query-code"),
        testid(&first.text(), "query-code")
    );
    assert_eq!(case_count(&app).await, 1);

    // Going back and sending the same form with other answers is a new application.
    let other = visitor
        .post(&format!("/items/{id}/apply"), send("11010519491231002X"))
        .await;
    assert_eq!(other.status, 200, "{}", other.text());
    assert_ne!(testid(&other.text(), "case-no"), no);
    assert_eq!(case_count(&app).await, 2);
}

#[tokio::test]
async fn a_signed_in_post_needs_the_session_csrf_token() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let citizen = Visitor::new(&app);
    citizen.sign_in("citizen").await;

    for csrf in ["", "forged"] {
        let r = citizen
            .post(&format!("/items/{id}/apply"), application(csrf, ID_CARD))
            .await;
        assert_eq!(r.status, 403, "csrf_token={csrf:?}: {}", r.text());
    }
    assert_eq!(case_count(&app).await, 0);
}

#[tokio::test]
async fn resubmitting_after_a_one_time_notice_returns_the_case_to_submitted() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let citizen = Visitor::new(&app);
    let csrf = citizen.sign_in("citizen").await;
    let no = citizen_case(&app, &citizen, &csrf, id).await;
    let clerk = app.token("clerk").await;
    let notified = app
        .post_json(
            &format!("/api/v1/cases/{no}/notify"),
            Some(&clerk),
            &json!({"lines": [{"material": "营业执照", "problem": "执照已过期，请上传有效期内的营业执照"}]}),
        )
        .await;
    assert_eq!(notified.status, 200, "{}", notified.text());

    let page = citizen.get(&format!("/my/cases/{no}")).await;
    let html = page.text();
    assert!(html.contains("请按一次性告知书补正材料"), "{html}");
    assert!(html.contains("执照已过期，请上传有效期内的营业执照"));
    assert!(html.contains(&format!("action=\"/my/cases/{no}/resubmit\"")));
    assert!(html.contains(&format!("href=\"/cases/{no}/notices/correction.pdf\"")));
    assert!(html.contains("<span class=\"badge status st-awaiting_correction\">待补正</span>"));

    // Nothing chosen: the form comes back and the case waits.
    let empty = Form::new()
        .text("csrf_token", csrf.clone())
        .text("m1_name", "营业执照")
        .part("m1_files", no_file());
    let r = citizen
        .post(&format!("/my/cases/{no}/resubmit"), empty)
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("请为需要补正的材料选择文件"));
    assert_eq!(
        api_case(&app, &clerk, &no).await["status"],
        "awaiting_correction"
    );
    // That answer sits at the form's URL: reloading it goes back to the case.
    let r = citizen.get(&format!("/my/cases/{no}/resubmit")).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), format!("/my/cases/{no}"));

    let form = Form::new()
        .text("csrf_token", csrf.clone())
        .text("m1_name", "营业执照")
        .part(
            "m1_files",
            file(
                b"\x89PNG\r\n\x1a\na valid licence",
                "新执照.png",
                "image/png",
            ),
        );
    let r = citizen
        .post(&format!("/my/cases/{no}/resubmit"), form)
        .await;

    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        r.header("location"),
        format!("/my/cases/{no}?done=resubmit")
    );
    let c = api_case(&app, &clerk, &no).await;
    assert_eq!(c["status"], "submitted");
    let files: Vec<&str> = c["materials"][1]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["执照.png", "新执照.png"]);
    let html = citizen
        .get(&format!("/my/cases/{no}?done=resubmit"))
        .await
        .text();
    assert!(html.contains("补正材料已提交"));
    assert!(html.contains("<span class=\"badge status st-submitted\">已申报</span>"));
    assert!(!html.contains("请按一次性告知书补正材料"));

    // A second resubmission is refused by the case's state and shown on the page.
    let again = Form::new()
        .text("csrf_token", csrf)
        .text("m1_name", "营业执照")
        .part("m1_files", file(PNG, "执照.png", "image/png"));
    let r = citizen
        .post(&format!("/my/cases/{no}/resubmit"), again)
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("不需要补正材料"), "{}", r.text());
}

#[tokio::test]
async fn a_promised_material_is_supplied_through_the_case_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = app.add_item(&licence(seed.dept_a), true).await;
    let citizen = Visitor::new(&app);
    let csrf = citizen.sign_in("citizen").await;
    let no = citizen_case(&app, &citizen, &csrf, id).await;
    let clerk = app.token("clerk").await;
    let accepted = app
        .post_json(
            &format!("/api/v1/cases/{no}/accept"),
            Some(&clerk),
            &json!({"promised_materials": ["经营场所平面图"]}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());

    let html = citizen.get(&format!("/my/cases/{no}")).await.text();
    assert!(html.contains("容缺受理：请补交承诺的材料"), "{html}");
    assert!(html.contains(&format!("action=\"/my/cases/{no}/supply\"")));
    assert!(html.contains(&format!("href=\"/cases/{no}/notices/acceptance.pdf\"")));
    assert!(html.contains("2026-10-20"), "the due date");

    let form = Form::new()
        .text("csrf_token", csrf)
        .text("m0_name", "经营场所平面图")
        .part("m0_files", file(PDF, "平面图.pdf", "application/pdf"));
    let r = citizen.post(&format!("/my/cases/{no}/supply"), form).await;

    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), format!("/my/cases/{no}?done=supply"));
    let c = api_case(&app, &clerk, &no).await;
    assert_eq!(c["promised_materials"], json!([]));
    assert_eq!(c["materials"][2]["files"][0]["filename"], "平面图.pdf");
    let html = citizen
        .get(&format!("/my/cases/{no}?done=supply"))
        .await
        .text();
    assert!(html.contains("容缺材料已提交"));
    assert!(!html.contains("容缺受理：请补交承诺的材料"));
}

#[tokio::test]
async fn staff_and_offline_items_are_sent_to_the_window() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let online = app.add_item(&licence(seed.dept_a), true).await;
    let offline = app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    let visitor = Visitor::new(&app);

    let page = visitor.get(&format!("/items/{offline}/apply")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("暂不支持网上申报"));
    assert!(!page.text().contains("enctype=\"multipart/form-data\""));
    let r = visitor
        .post(&format!("/items/{offline}/apply"), application("", ID_CARD))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(visitor.get("/items/999/apply").await.status, 404);

    let clerk = Visitor::new(&app);
    let csrf = clerk.sign_in("clerk").await;
    let page = clerk.get(&format!("/items/{online}/apply")).await;
    assert!(
        page.text().contains("工作人员请在窗口受理台登记申请"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("href=\"/desk\""));
    let r = clerk
        .post(
            &format!("/items/{online}/apply"),
            application(&csrf, ID_CARD),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(case_count(&app).await, 0);
}

#[tokio::test]
async fn the_guide_offers_online_application_only_for_online_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let online = app.add_item(&licence(seed.dept_a), true).await;
    let offline = app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    let visitor = Visitor::new(&app);

    let html = visitor.get(&format!("/items/{online}")).await.text();
    assert!(
        html.contains(&format!("href=\"/items/{online}/apply\">在线申报</a>")),
        "{html}"
    );
    let html = visitor.get(&format!("/items/{offline}")).await.text();
    assert!(!html.contains(">在线申报</a>"));
    assert!(html.contains("本事项暂不支持网上申报，请携带申请材料到窗口办理"));
}
