//! Who may do what: roles and the department scope of department staff.

use crate::helpers::{item, names, spawn_app};

#[tokio::test]
async fn a_clerk_cannot_create_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let clerk = app.token("clerk").await;

    let r = app
        .create_item(&clerk, &item(seed.dept_a, "就业登记"))
        .await;

    let body = r.error(403, "auth.forbidden");
    assert_eq!(body["message"], "您的角色无权执行此操作");
}

#[tokio::test]
async fn a_chief_representative_creates_items_for_their_own_department_only() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let chief = app.token("chief").await;

    let own = app
        .create_item(&chief, &item(seed.dept_a, "就业登记"))
        .await;
    assert_eq!(own.status, 201, "{}", own.text());
    assert_eq!(own.json()["status"], "draft");

    let other = app
        .create_item(&chief, &item(seed.dept_b, "食品经营许可"))
        .await;
    other.invalid("department.not_found", "department_id");
    let admin = app.token("admin").await;
    assert_eq!(app.catalogue_total(&admin).await, 1);
}

#[tokio::test]
async fn a_chief_representative_cannot_publish() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let chief = app.token("chief").await;
    let id = app
        .create_item_ok(&chief, &item(seed.dept_a, "就业登记"))
        .await;

    let r = app.publish(&chief, id).await;

    r.error(403, "auth.forbidden");
    app.get(&format!("/api/v1/items/{id}"), None)
        .await
        .error(404, "item.not_found");
}

#[tokio::test]
async fn an_applicant_cannot_read_the_back_office_catalogue() {
    let app = spawn_app().await;
    app.seed().await;
    let citizen = app.token("citizen").await;

    let r = app.get("/api/v1/catalogue/items", Some(&citizen)).await;

    r.error(403, "auth.forbidden");
}

#[tokio::test]
async fn a_clerk_sees_only_their_departments_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    app.add_item(&item(seed.dept_a, "失业登记"), false).await;
    let b_draft = app
        .add_item(&item(seed.dept_b, "食品经营许可"), false)
        .await;
    let clerk = app.token("clerk").await;

    let list = app.get("/api/v1/catalogue/items", Some(&clerk)).await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list["total"], 2);
    assert_eq!(names(&list), ["就业登记", "失业登记"]);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["department_id"] == seed.dept_a)
    );

    let r = app
        .get(&format!("/api/v1/items/{b_draft}?view=draft"), Some(&clerk))
        .await;
    r.error(404, "item.not_found");
}

#[tokio::test]
async fn a_clerk_of_the_other_department_cannot_filter_their_way_in() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), false).await;
    let clerk_b = app.token("clerk_b").await;

    let r = app
        .get(
            &format!("/api/v1/catalogue/items?department_id={}", seed.dept_a),
            Some(&clerk_b),
        )
        .await;

    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total"], 0);
}

#[tokio::test]
async fn a_supervisor_sees_every_department() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    let b_draft = app
        .add_item(&item(seed.dept_b, "食品经营许可"), false)
        .await;
    let supervisor = app.token("supervisor").await;

    let list = app.get("/api/v1/catalogue/items", Some(&supervisor)).await;
    assert_eq!(names(&list.json()), ["就业登记", "食品经营许可"]);

    let draft = app
        .get(
            &format!("/api/v1/items/{b_draft}?view=draft"),
            Some(&supervisor),
        )
        .await;
    assert_eq!(draft.status, 200, "{}", draft.text());
    assert_eq!(draft.json()["status"], "draft");
}

#[tokio::test]
async fn a_clerks_entry_report_has_only_their_department() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    app.add_item(&item(seed.dept_b, "食品经营许可"), true).await;
    let clerk = app.token("clerk").await;

    let r = app.get("/api/v1/reports/entry", Some(&clerk)).await;

    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["department_id"], seed.dept_a);
    assert_eq!(rows[0]["department"], "人社局");
    assert_eq!(report["total"]["applicable_items"], 1);
}
