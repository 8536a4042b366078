//! Signing in: API tokens, the failed-login limiter, browser sessions and CSRF.

use crate::helpers::{PASSWORD, credit_code, hidden_input, meta_content, spawn_app};
use chrono::Duration;
use serde_json::json;

#[tokio::test]
async fn a_token_for_the_right_password_identifies_its_user() {
    let app = spawn_app().await;
    let seed = app.seed().await;

    let r = app.request_token("clerk", PASSWORD).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(r.json()["expires_at"], "2026-10-30T09:00:00+08:00");

    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200, "{}", me.text());
    let me = me.json();
    assert_eq!(me["username"], "clerk");
    assert_eq!(me["role"], "clerk");
    assert_eq!(me["role_name"], "窗口工作人员");
    assert_eq!(me["department_id"], seed.dept_a);
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let app = spawn_app().await;
    app.seed().await;

    let r = app.request_token("clerk", "not-the-password").await;

    let body = r.error(401, "auth.invalid_credentials");
    assert_eq!(body["message"], "用户名或密码错误");
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    app.seed().await;

    let r = app.request_token("nobody", PASSWORD).await;

    r.error(401, "auth.invalid_credentials");
}

#[tokio::test]
async fn me_without_credentials_asks_to_sign_in() {
    let app = spawn_app().await;

    let r = app.get("/api/v1/me", None).await;

    let body = r.error(401, "auth.required");
    assert_eq!(body["message"], "请先登录");
}

#[tokio::test]
async fn an_unknown_bearer_token_is_refused() {
    let app = spawn_app().await;
    app.seed().await;

    let r = app.get("/api/v1/me", Some("forged-token")).await;

    r.error(401, "auth.required");
}

#[tokio::test]
async fn the_sixth_failed_login_is_refused_until_fifteen_minutes_pass() {
    let app = spawn_app().await;
    app.seed().await;
    for attempt in 1..=5 {
        let r = app.request_token("clerk", "guess").await;
        assert_eq!(r.status, 401, "attempt {attempt}: {}", r.text());
    }

    let sixth = app.request_token("clerk", "guess").await;
    let body = sixth.error(429, "auth.rate_limited");
    assert!(body["message"].as_str().unwrap().contains("15分钟"));
    // Even the right password waits: the limiter is what stops a guesser.
    app.request_token("clerk", PASSWORD)
        .await
        .error(429, "auth.rate_limited");

    app.clock.advance(Duration::minutes(16));
    let later = app.request_token("clerk", PASSWORD).await;
    assert_eq!(later.status, 201, "{}", later.text());
}

#[tokio::test]
async fn the_login_page_sets_a_csrf_cookie_matching_its_hidden_field() {
    let app = spawn_app().await;

    let page = app.browser().get("/login").await;

    assert_eq!(page.status, 200);
    let token = hidden_input(&page.text(), "csrf_token").expect("a hidden csrf_token");
    assert!(token.len() >= 32, "{token}");
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("govhall_login_csrf="))
        .expect("the login CSRF cookie");
    assert!(
        cookie.starts_with(&format!("govhall_login_csrf={token};")),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn signing_in_redirects_and_sets_an_http_only_lax_session_cookie() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();

    let r = browser.login("admin").await;

    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), "/admin");
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("govhall_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert_eq!(browser.get("/admin").await.status, 200);
}

#[tokio::test]
async fn a_login_post_without_the_forms_cookie_is_forbidden() {
    let app = spawn_app().await;
    app.seed().await;
    // This browser never opened the login page, so it has no login CSRF cookie.
    let browser = app.browser();

    let r = browser
        .post_form(
            "/login",
            &[
                ("csrf_token", "made-up"),
                ("username", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.set_cookies()
            .iter()
            .all(|c| !c.starts_with("govhall_session="))
    );
}

#[tokio::test]
async fn a_login_post_with_a_wrong_token_is_forbidden() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    browser.login_form_token().await;

    let r = browser
        .post_form(
            "/login",
            &[
                ("csrf_token", "not-the-cookie-value"),
                ("username", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("页面已过期"), "{}", r.text());
    assert_eq!(browser.get("/admin").await.status, 303);
}

#[tokio::test]
async fn a_cookie_api_post_needs_the_pages_csrf_token() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    let csrf = browser.login_ok("admin").await;
    let department = json!({
        "name": "呼和浩特市新城区民政局",
        "short_name": "民政局",
        "credit_code": credit_code(3),
        "phone": "0471-6218603",
        "window_count": 2
    });

    let without = browser
        .post_json("/api/v1/departments", None, &department)
        .await;
    without.error(403, "auth.csrf");
    let wrong = browser
        .post_json("/api/v1/departments", Some("wrong"), &department)
        .await;
    wrong.error(403, "auth.csrf");
    assert_eq!(app.department_count().await, 2);

    let with = browser
        .post_json("/api/v1/departments", Some(&csrf), &department)
        .await;
    assert_eq!(with.status, 201, "{}", with.text());
    assert_eq!(app.department_count().await, 3);
}

#[tokio::test]
async fn a_bearer_token_needs_no_csrf_header() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .post_json(
            "/api/v1/departments",
            Some(&admin),
            &json!({
                "name": "呼和浩特市新城区民政局",
                "short_name": "民政局",
                "credit_code": credit_code(3),
                "phone": "0471-6218603",
            }),
        )
        .await;

    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    let csrf = browser.login_ok("admin").await;

    let app = app.restart().await;
    let browser = browser.at(&app);

    let page = browser.get("/admin").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("工作台"));
    assert_eq!(
        meta_content(&page.text(), "csrf-token").as_deref(),
        Some(csrf.as_str())
    );
}

#[tokio::test]
async fn a_form_post_without_its_csrf_field_is_forbidden_in_chinese() {
    let app = spawn_app().await;
    app.seed().await;
    let browser = app.browser();
    browser.login_ok("admin").await;
    let before = app.department_count().await;

    let r = browser
        .post_form(
            "/admin/departments",
            &[
                ("name", "无令牌局"),
                ("short_name", "无令牌"),
                ("credit_code", credit_code(9).as_str()),
                ("phone", "0471-1234567"),
            ],
        )
        .await;

    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("页面已过期"), "{}", r.text());
    assert_eq!(app.department_count().await, before);
}
