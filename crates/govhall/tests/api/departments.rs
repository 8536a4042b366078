//! Departments stationed in the center (进驻单位).

use crate::helpers::{credit_code, spawn_app};
use serde_json::{Value, json};

/// A valid new department, 民政局.
fn civil_affairs() -> Value {
    json!({
        "name": "呼和浩特市新城区民政局",
        "short_name": "民政局",
        "credit_code": credit_code(3),
        "phone": "0471-6218603",
        "window_count": 4
    })
}

#[tokio::test]
async fn anyone_can_list_the_departments() {
    let app = spawn_app().await;
    let seed = app.seed().await;

    let r = app.get("/api/v1/departments", None).await;

    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["total"], 2);
    let first = &body["departments"][0];
    assert_eq!(first["id"], seed.dept_a);
    assert_eq!(first["short_name"], "人社局");
    assert_eq!(first["credit_code"], credit_code(1));
    assert_eq!(first["center_id"], seed.center_id);
}

#[tokio::test]
async fn an_administrator_creates_a_department() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .post_json("/api/v1/departments", Some(&admin), &civil_affairs())
        .await;

    assert_eq!(r.status, 201, "{}", r.text());
    let created = r.json();
    assert_eq!(created["short_name"], "民政局");
    assert_eq!(created["window_count"], 4);
    // Without a center the department joins the center most departments sit in.
    assert_eq!(created["center_id"], seed.center_id);
    let id = created["id"].as_i64().unwrap();
    let fetched = app.get(&format!("/api/v1/departments/{id}"), None).await;
    assert_eq!(fetched.json()["name"], "呼和浩特市新城区民政局");
}

#[tokio::test]
async fn a_credit_code_with_a_wrong_check_character_is_refused() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let mut body = civil_affairs();
    let good = credit_code(3);
    let wrong_check = if good.ends_with('0') { "1" } else { "0" };
    body["credit_code"] = json!(format!("{}{wrong_check}", &good[..17]));

    let r = app
        .post_json("/api/v1/departments", Some(&admin), &body)
        .await;

    let error = r.invalid("department.credit_code_invalid", "credit_code");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("校验位"), "{message}");
    assert_eq!(app.department_count().await, 2);
}

#[tokio::test]
async fn a_credit_code_already_taken_is_a_conflict() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let mut body = civil_affairs();
    // Department A's code.
    body["credit_code"] = json!(credit_code(1));

    let r = app
        .post_json("/api/v1/departments", Some(&admin), &body)
        .await;

    let error = r.error(409, "department.credit_code_taken");
    assert_eq!(error["field"], "credit_code");
    assert_eq!(error["message"], "统一社会信用代码已被其他部门使用");
    assert_eq!(app.department_count().await, 2);
}

#[tokio::test]
async fn a_department_without_a_name_is_refused() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let mut body = civil_affairs();
    body["name"] = json!("  ");

    let r = app
        .post_json("/api/v1/departments", Some(&admin), &body)
        .await;

    let error = r.invalid("field.required", "name");
    assert_eq!(error["message"], "部门名称不能为空");
    assert_eq!(app.department_count().await, 2);
}

#[tokio::test]
async fn only_administrators_create_departments() {
    let app = spawn_app().await;
    app.seed().await;
    let chief = app.token("chief").await;

    let r = app
        .post_json("/api/v1/departments", Some(&chief), &civil_affairs())
        .await;

    r.error(403, "auth.forbidden");
    assert_eq!(app.department_count().await, 2);
}
