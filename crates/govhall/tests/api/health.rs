//! `GET /healthz`: the server is up and names the database it answers from.

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_check_reports_ok_and_the_database_backend() {
    let app = spawn_app().await;

    let r = app.get("/healthz", None).await;

    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["status"], "ok");
    let expected = if app.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
    assert_eq!(body["now"], "2026-09-30T09:00:00+08:00");
}

#[tokio::test]
async fn an_unknown_api_path_answers_json_and_an_unknown_page_answers_chinese() {
    let app = spawn_app().await;

    let api = app.get("/api/v1/no-such-thing", None).await;
    let body = api.error(404, "route.not_found");
    assert_eq!(body["message"], "未找到请求的内容");

    let page = app.get("/no-such-page", None).await;
    assert_eq!(page.status, 404);
    assert!(
        page.text().contains("您要找的页面不存在"),
        "{}",
        page.text()
    );
}
