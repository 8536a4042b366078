//! Server-rendered pages: the public guides and the back office.

use crate::helpers::{CONSULTATION_PHONE, credit_code, hidden_input, item, spawn_app};
use chrono::Duration;
use domain::catalogue::{FeeInput, ItemInput};

const BUSINESS_LICENCE: &str = "企业设立登记（营业执照核发）";

#[tokio::test]
async fn the_home_page_is_chinese_and_lists_published_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_b, BUSINESS_LICENCE), true)
        .await;
    app.add_item(&item(seed.dept_a, "就业登记草稿"), false)
        .await;

    let page = app.browser().get("/").await;

    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains(BUSINESS_LICENCE));
    assert!(!html.contains("就业登记草稿"));
    assert!(html.contains("共找到 1 项"));
    assert!(html.contains("<form id=\"search-form\" method=\"get\" action=\"/\""));
    assert!(html.contains("<label for=\"q\">搜索事项</label>"));
    assert!(html.contains("<label for=\"department_id\">实施部门</label>"));
    assert!(html.contains("<label for=\"item_type\">事项类型</label>"));
}

#[tokio::test]
async fn a_search_on_the_home_page_is_rendered_by_the_server() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_b, BUSINESS_LICENCE), true)
        .await;
    app.add_item(&item(seed.dept_a, "社会保障卡申领"), true)
        .await;

    let html = app.browser().get("/?q=yyzz").await.text();

    assert!(html.contains(BUSINESS_LICENCE), "{html}");
    assert!(!html.contains("社会保障卡申领"));
    assert!(html.contains("value=\"yyzz\""));
    assert!(html.contains("共找到 1 项"));
}

#[tokio::test]
async fn a_guide_page_shows_every_section_of_the_guide() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let free = app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    let paid = ItemInput {
        fees: vec![FeeInput {
            name: "工本费".into(),
            standard: "每证10.5元".into(),
            basis: "发改价格〔2026〕1号".into(),
            amount_fen: 1050,
        }],
        ..item(seed.dept_a, "社会保障卡补领")
    };
    let paid = app.add_item(&paid, true).await;
    let browser = app.browser();

    let html = browser.get(&format!("/items/{free}")).await.text();
    for section in ["受理条件", "申请材料", "办理流程", "收费标准", "咨询电话"]
    {
        assert!(
            html.contains(&format!("<h2>{section}</h2>"))
                || html.contains(&format!("<dt>{section}</dt>")),
            "{section}"
        );
    }
    assert!(html.contains("<h1>就业登记</h1>"));
    assert!(html.contains("申请人符合法定条件"));
    assert!(html.contains("申请书"));
    assert!(html.contains("不收费"));
    assert!(html.contains(CONSULTATION_PHONE));
    assert!(html.contains("10个工作日"));

    let html = browser.get(&format!("/items/{paid}")).await.text();
    assert!(html.contains("工本费"));
    assert!(html.contains("10.50"));
    assert!(!html.contains("不收费"));
}

#[tokio::test]
async fn an_unpublished_item_has_a_not_found_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let draft = app.add_item(&item(seed.dept_a, "就业登记"), false).await;

    let page = app.browser().get(&format!("/items/{draft}")).await;

    assert_eq!(page.status, 404);
    assert!(
        page.text()
            .contains("您要找的页面不存在，或该事项尚未发布。")
    );
    assert!(!page.text().contains("就业登记"));
}

#[tokio::test]
async fn the_back_office_sends_a_stranger_to_the_login_page() {
    let app = spawn_app().await;

    let r = app.browser().get("/admin").await;

    assert_eq!(r.status, 303);
    let location = r.header("location");
    let next = location
        .strip_prefix("/login?next=")
        .unwrap_or_else(|| panic!("{location}"));
    assert!(next == "%2Fadmin" || next == "/admin", "{location}");
}

#[tokio::test]
async fn the_login_page_keeps_where_to_go_next() {
    let app = spawn_app().await;

    let html = app
        .browser()
        .get("/login?next=%2Fadmin%2Fitems")
        .await
        .text();

    assert_eq!(hidden_input(&html, "next").as_deref(), Some("/admin/items"));
}

#[tokio::test]
async fn the_dashboard_renders_after_signing_in() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), false).await;
    let browser = app.browser();
    browser.login_ok("admin").await;

    let page = browser.get("/admin").await;

    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<h1>工作台</h1>"));
    assert!(html.contains("待发布草稿"));
    assert!(html.contains("测试中心管理员（中心管理员）"));
}

#[tokio::test]
async fn an_applicant_signing_in_lands_on_their_cases() {
    let app = spawn_app().await;
    app.seed().await;

    let r = app.browser().login("citizen").await;

    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), "/my/cases");
}

#[tokio::test]
async fn an_admin_form_post_without_the_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    browser.login_ok("admin").await;
    let code = credit_code(3);
    let form = |csrf: &'static str| {
        vec![
            ("csrf_token", csrf),
            ("name", "呼和浩特市新城区民政局"),
            ("short_name", "民政局"),
            ("phone", "0471-6218603"),
            ("window_count", "2"),
        ]
    };

    for csrf in ["", "forged"] {
        let mut fields = form(csrf);
        fields.push(("credit_code", code.as_str()));
        let r = browser.post_form("/admin/departments", &fields).await;
        assert_eq!(r.status, 403, "csrf_token={csrf:?}: {}", r.text());
    }

    assert_eq!(app.department_count().await, 2);
}

#[tokio::test]
async fn an_admin_form_post_with_the_csrf_token_creates_the_department() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    let csrf = browser.login_ok("admin").await;
    let code = credit_code(3);

    let r = browser
        .post_form(
            "/admin/departments",
            &[
                ("csrf_token", csrf.as_str()),
                ("name", "呼和浩特市新城区民政局"),
                ("short_name", "民政局"),
                ("credit_code", code.as_str()),
                ("phone", "0471-6218603"),
                ("window_count", "2"),
            ],
        )
        .await;

    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), "/admin/departments?saved=1");
    assert_eq!(app.department_count().await, 3);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    let csrf = browser.login_ok("admin").await;

    let r = browser
        .post_form("/logout", &[("csrf_token", csrf.as_str())])
        .await;

    assert_eq!(r.status, 303);
    assert_eq!(browser.get("/admin").await.status, 303);
}

#[tokio::test]
async fn the_footer_shows_the_simulated_clock() {
    let app = spawn_app().await;
    let browser = app.browser();

    let html = browser.get("/").await.text();
    assert!(
        html.contains("系统时间：2026-09-30 09:00（模拟时钟）"),
        "{html}"
    );

    app.clock.advance(Duration::minutes(90));
    let html = browser.get("/").await.text();
    assert!(html.contains("系统时间：2026-09-30 10:30（模拟时钟）"));
}
