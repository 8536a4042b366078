//! Service items: drafts, publication, versions and the rules an item must keep.

use crate::helpers::{CONSULTATION_PHONE, TestApp, item, limit, spawn_app};
use domain::catalogue::ItemInput;

/// Creates and publishes an item over the API as `admin`; returns its id.
async fn published(app: &TestApp, admin: &str, input: &ItemInput) -> i64 {
    let id = app.create_item_ok(admin, input).await;
    let r = app.publish(admin, id).await;
    assert_eq!(r.status, 200, "publish: {}", r.text());
    id
}

#[tokio::test]
async fn a_new_item_is_a_draft_the_public_cannot_see() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .create_item(&admin, &item(seed.dept_a, "就业登记"))
        .await;

    assert_eq!(r.status, 201, "{}", r.text());
    let created = r.json();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["version_no"], 1);
    assert_eq!(created["is_published"], false);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(app.search("").await["total"], 0);
    app.get(&format!("/api/v1/items/{id}"), None)
        .await
        .error(404, "item.not_found");
}

#[tokio::test]
async fn publishing_makes_an_item_public() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let id = app
        .create_item_ok(&admin, &item(seed.dept_a, "就业登记"))
        .await;

    let r = app.publish(&admin, id).await;

    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "published");
    assert_eq!(r.json()["published_at"], "2026-09-30T09:00:00+08:00");
    let public = app.get(&format!("/api/v1/items/{id}"), None).await;
    assert_eq!(public.status, 200, "{}", public.text());
    assert_eq!(public.json()["name"], "就业登记");
    assert_eq!(public.json()["department_name"], "人社局");
    assert_eq!(app.search_names("").await, ["就业登记"]);
}

#[tokio::test]
async fn an_item_without_place_hours_or_phones_takes_its_departments() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let input = ItemInput {
        place: String::new(),
        hours: String::new(),
        consultation_phone: String::new(),
        complaint_phone: String::new(),
        ..item(seed.dept_a, "就业登记")
    };

    let r = app.create_item(&admin, &input).await;

    assert_eq!(r.status, 201, "{}", r.text());
    let created = r.json();
    assert_eq!(created["place"], "新城区政务服务中心人社局窗口");
    assert_eq!(created["consultation_phone"], CONSULTATION_PHONE);
    assert_eq!(created["complaint_phone"], "0471-6218617");
    assert!(created["hours"].as_str().unwrap().contains("13:30-17:00"));
}

#[tokio::test]
async fn an_edit_stays_a_draft_until_it_is_published() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let id = published(&app, &admin, &item(seed.dept_a, "就业登记")).await;

    let edit = app
        .put_json(
            &format!("/api/v1/items/{id}"),
            Some(&admin),
            &item(seed.dept_a, "就业创业登记"),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text());
    assert_eq!(edit.json()["status"], "draft");
    assert_eq!(edit.json()["version_no"], 2);

    let public = app.get(&format!("/api/v1/items/{id}"), None).await;
    assert_eq!(public.json()["name"], "就业登记");
    let staff_draft = app
        .get(&format!("/api/v1/items/{id}?view=draft"), Some(&admin))
        .await;
    assert_eq!(staff_draft.json()["name"], "就业创业登记");
    assert_eq!(staff_draft.json()["has_draft"], true);
    assert_eq!(app.search_names("q=创业").await, Vec::<String>::new());

    assert_eq!(app.publish(&admin, id).await.status, 200);
    let public = app.get(&format!("/api/v1/items/{id}"), None).await;
    assert_eq!(public.json()["name"], "就业创业登记");
    assert_eq!(app.search_names("").await, ["就业创业登记"]);

    let versions = app
        .get(&format!("/api/v1/items/{id}/versions"), Some(&admin))
        .await;
    assert_eq!(versions.status, 200, "{}", versions.text());
    let versions = versions.json()["versions"].clone();
    let summary: Vec<(i64, &str, &str)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version_no"].as_i64().unwrap(),
                v["status"].as_str().unwrap(),
                v["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (2, "published", "就业创业登记"),
            (1, "superseded", "就业登记")
        ]
    );
}

#[tokio::test]
async fn discarding_a_draft_brings_back_the_published_version() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let id = published(&app, &admin, &item(seed.dept_a, "就业登记")).await;
    let path = format!("/api/v1/items/{id}");
    app.put_json(&path, Some(&admin), &item(seed.dept_a, "就业创业登记"))
        .await;

    let r = app.delete(&format!("{path}/draft"), Some(&admin)).await;

    assert_eq!(r.status, 204, "{}", r.text());
    let editor = app.get(&format!("{path}?view=draft"), Some(&admin)).await;
    assert_eq!(editor.json()["name"], "就业登记");
    assert_eq!(editor.json()["has_draft"], false);
    let again = app.delete(&format!("{path}/draft"), Some(&admin)).await;
    let body = again.error(409, "item.no_draft");
    assert_eq!(body["message"], "该事项没有待发布的草稿");
}

#[tokio::test]
async fn publishing_twice_without_an_edit_is_a_conflict() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let id = published(&app, &admin, &item(seed.dept_a, "就业登记")).await;

    app.publish(&admin, id).await.error(409, "item.no_draft");
}

#[tokio::test]
async fn an_incomplete_draft_cannot_be_published() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let input = ItemInput {
        materials: Vec::new(),
        ..item(seed.dept_a, "就业登记")
    };
    // A draft may be saved incomplete…
    let id = app.create_item_ok(&admin, &input).await;

    // …but not shown to the public.
    let r = app.publish(&admin, id).await;

    let body = r.invalid("item.incomplete", "materials");
    assert_eq!(body["message"], "发布前须至少填写一项申请材料");
    app.get(&format!("/api/v1/items/{id}"), None)
        .await
        .error(404, "item.not_found");
    let versions = app
        .get(&format!("/api/v1/items/{id}/versions"), Some(&admin))
        .await
        .json();
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);
    assert_eq!(versions["versions"][0]["status"], "draft");
}

/// Posts `input` as an administrator and expects a 422 naming `field`, with nothing written.
async fn assert_refused(input: impl FnOnce(i64) -> ItemInput, code: &str, field: &str) -> String {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;

    let r = app.create_item(&admin, &input(seed.dept_a)).await;

    let body = r.invalid(code, field);
    assert_eq!(app.catalogue_total(&admin).await, 0);
    body["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_promised_limit_longer_than_the_legal_one_is_refused() {
    let message = assert_refused(
        |d| ItemInput {
            promised_limit: Some(limit(25)),
            ..item(d, "就业登记")
        },
        "item.promised_exceeds_legal",
        "promised_limit.value",
    )
    .await;
    assert_eq!(message, "承诺办结时限不得超过法定办结时限");
}

#[tokio::test]
async fn an_unknown_item_type_is_refused() {
    assert_refused(
        |d| ItemInput {
            item_type: "99".into(),
            ..item(d, "就业登记")
        },
        "item.item_type_invalid",
        "item_type",
    )
    .await;
}

#[tokio::test]
async fn a_basic_code_longer_than_36_characters_is_refused() {
    let message = assert_refused(
        |d| ItemInput {
            basic_code: "1".repeat(37),
            ..item(d, "就业登记")
        },
        "item.code_too_long",
        "basic_code",
    )
    .await;
    assert_eq!(message, "基本编码不能超过36个字符");
}

#[tokio::test]
async fn an_on_the_spot_item_cannot_promise_days() {
    assert_refused(
        |d| ItemInput {
            case_kind: "immediate".into(),
            promised_limit: Some(limit(3)),
            ..item(d, "就业登记")
        },
        "item.immediate_limit",
        "promised_limit.value",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .post_raw(
            "/api/v1/items",
            Some(&admin),
            "application/json",
            r#"{"name": "就业登记","#,
        )
        .await;

    let body = r.error(400, "request.invalid_json");
    assert_eq!(body["message"], "请求体不是有效的JSON");
}

#[tokio::test]
async fn a_promised_limit_over_half_the_legal_one_is_flagged_and_reported() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let slow = ItemInput {
        promised_limit: Some(limit(15)),
        ..item(seed.dept_a, "就业登记")
    };
    let slow = published(&app, &admin, &slow).await;
    let fast = published(&app, &admin, &item(seed.dept_a, "失业登记")).await;

    let list = app.search("").await;
    let flags: Vec<(i64, bool)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().unwrap(),
                i["limit_flagged"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(flags, [(slow, true), (fast, false)]);

    let report = app.get("/api/v1/reports/limits", Some(&admin)).await;
    assert_eq!(report.status, 200, "{}", report.text());
    let report = report.json();
    assert_eq!(report["total"], 1);
    assert_eq!(report["items"][0]["id"], slow);
    assert_eq!(report["items"][0]["promised_limit"]["value"], 15);
}

#[tokio::test]
async fn the_public_list_has_its_documented_shape() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    published(&app, &admin, &item(seed.dept_a, "就业登记")).await;

    let list = app.search("").await;

    let entry = &list["items"][0];
    assert_eq!(entry["item_type"], "01");
    assert_eq!(entry["case_kind"], "promised");
    assert_eq!(entry["legal_limit"]["unit"], "working_days");
    insta::assert_json_snapshot!("public_item_list", list);
}

#[tokio::test]
async fn a_malformed_query_parameter_names_the_field_in_chinese() {
    let app = spawn_app().await;
    app.seed().await;

    let r = app.get("/api/v1/items?page=abc", None).await;

    let body = r.error(400, "request.invalid_query");
    assert_eq!(body["field"], "page");
    assert_eq!(body["message"], "查询参数“page”的取值不正确");
}
