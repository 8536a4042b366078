//! The hall: the seeded layout reads back through the store and the rules
//! the database keeps (one main hall, unique window numbers) hold on both
//! backends; the JSON API lays a hall out (administrators only, refusals
//! named by field, nothing half-written); the public asks where to go for an
//! item; the guide and admin pages draw the floor map.

use crate::helpers::*;
use domain::hall::*;
use serde_json::json;

#[tokio::test]
async fn the_seeded_hall_reads_back_with_its_windows() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let store = &app.state.store;
    let halls = store.list_halls(seed.center_id).await.unwrap();
    assert_eq!(halls.len(), 1);
    assert_eq!(halls[0].hours.text(), "09:00–12:00，13:30–17:00");
    let windows = store.list_windows(seed.center_id).await.unwrap();
    let numbers: Vec<&str> = windows.iter().map(|w| w.number.as_str()).collect();
    assert_eq!(numbers, ["01", "02", "03"]);
    assert_eq!(windows[2].department_ids, [seed.dept_b]);
    assert_eq!(windows[2].category_ids, [hall.category_b]);
    assert_eq!(windows[0].kind, WindowKind::Resident);
    assert_eq!(windows[0].zone_id, Some(hall.zone_id));
    let ids: Vec<i64> = windows.iter().map(|w| w.id).collect();
    assert_eq!(ids, hall.windows);
    let zones = store.list_zones(hall.hall_id).await.unwrap();
    assert_eq!(zones[0].floor_id, hall.floor_id);

    let second_main = NewHall::parse(&HallInput {
        name: "第二大厅".into(),
        kind: "main".into(),
        ..Default::default()
    })
    .unwrap();
    let e = store
        .create_hall(seed.center_id, &second_main, start_time())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            store::StoreError::Conflict {
                code: "hall.main_exists",
                ..
            }
        ),
        "{e:?}"
    );

    let again = NewWindow::parse(&WindowInput {
        hall_id: hall.hall_id,
        number: "01".into(),
        kind: "convenience".into(),
        name: "复印".into(),
        ..Default::default()
    })
    .unwrap();
    let e = store.create_window(&again, start_time()).await.unwrap_err();
    assert!(
        matches!(
            e,
            store::StoreError::Conflict {
                code: "window.number_taken",
                ..
            }
        ),
        "{e:?}"
    );

    let stray = NewWindow::parse(&WindowInput {
        hall_id: hall.hall_id,
        number: "09".into(),
        kind: "agency".into(),
        name: "综合代办".into(),
        department_ids: vec![seed.dept_a, 9999],
        category_ids: vec![hall.category_a, 8888],
        ..Default::default()
    })
    .unwrap();
    let e = store.create_window(&stray, start_time()).await.unwrap_err();
    let store::StoreError::Invalid(errors) = e else {
        panic!("{e:?}")
    };
    let fields: Vec<&str> = errors.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["department_ids[1]", "category_ids[1]"]);
    assert_eq!(
        store.list_windows(seed.center_id).await.unwrap().len(),
        3,
        "nothing written"
    );
}

// ------------------------------------------------------------------ API

#[tokio::test]
async fn an_admin_lays_out_a_hall_through_the_api() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .post_json(
            "/api/v1/halls",
            Some(&admin),
            &json!({"name": "政务服务大厅", "kind": "main", "address": "一楼"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let hall = r.json();
    assert_eq!(hall["hours"], "09:00–12:00，13:30–17:00");
    assert_eq!(hall["kind_name"], "主厅");
    let hall_id = hall["id"].as_i64().unwrap();

    let r = app
        .post_json(
            &format!("/api/v1/halls/{hall_id}/floors"),
            Some(&admin),
            &json!({"level": 3, "width": 800, "height": 400}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["name"], "3楼");
    let floor_id = r.json()["id"].as_i64().unwrap();

    let r = app
        .post_json(
            &format!("/api/v1/floors/{floor_id}/zones"),
            Some(&admin),
            &json!({"name": "部门办事窗口区", "purpose": "windows", "x": 20, "y": 20, "width": 700, "height": 200}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let zone_id = r.json()["id"].as_i64().unwrap();

    let r = app
        .post_json(
            "/api/v1/categories",
            Some(&admin),
            &json!({"code": "d", "name": "社保医保"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["code"], "D");
    let category_id = r.json()["id"].as_i64().unwrap();

    let r = app
        .post_json(
            "/api/v1/windows",
            Some(&admin),
            &json!({
                "hall_id": hall_id, "zone_id": zone_id, "number": "12", "kind": "resident",
                "name": "社保窗口", "department_id": seed.dept_a, "category_ids": [category_id],
                "x": 40, "y": 60
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let window = r.json();
    assert_eq!(window["state"], "open");
    assert_eq!(window["department_ids"], json!([seed.dept_a]));
    let window_id = window["id"].as_i64().unwrap();

    // The hall reads back whole.
    let detail = app
        .get(&format!("/api/v1/halls/{hall_id}"), Some(&admin))
        .await
        .json();
    assert_eq!(detail["floors"][0]["zones"][0]["name"], "部门办事窗口区");
    assert_eq!(detail["windows"][0]["number"], "12");
    assert_eq!(detail["windows"][0]["department_name"], "人社局");

    // Editing replaces the links in one go and can close the window.
    let r = app
        .put_json(
            &format!("/api/v1/windows/{window_id}"),
            Some(&admin),
            &json!({
                "hall_id": hall_id, "zone_id": zone_id, "number": "12", "kind": "agency",
                "name": "综合代办窗口", "department_ids": [seed.dept_a, seed.dept_b],
                "x": 40, "y": 60, "active": false
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let w = r.json();
    assert_eq!(w["department_ids"], json!([seed.dept_a, seed.dept_b]));
    assert_eq!(w["category_ids"], json!([]));
    assert_eq!(
        (&w["active"], &w["state"]),
        (&json!(false), &json!("closed"))
    );

    let list = app.get("/api/v1/windows", Some(&admin)).await.json();
    assert_eq!(list["total"], 1);
    let r = app
        .put_json(
            &format!("/api/v1/categories/{category_id}"),
            Some(&admin),
            &json!({"code": "D", "name": "社保医保", "active": false}),
        )
        .await;
    assert_eq!(r.json()["active"], false, "{}", r.text());
    let r = app
        .put_json(
            &format!("/api/v1/halls/{hall_id}"),
            Some(&admin),
            &json!({"name": "市民服务大厅", "kind": "main", "pm_open": "14:00", "pm_close": "17:30", "am_open": "09:00", "am_close": "12:00"}),
        )
        .await;
    assert_eq!(
        r.json()["hours"],
        "09:00–12:00，14:00–17:30",
        "{}",
        r.text()
    );

    // A floor with zones stays; an empty zone goes and its windows leave the map.
    app.delete(&format!("/api/v1/floors/{floor_id}"), Some(&admin))
        .await
        .error(409, "floor.has_zones");
    let r = app
        .delete(&format!("/api/v1/zones/{zone_id}"), Some(&admin))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let w = app
        .get(&format!("/api/v1/windows/{window_id}"), Some(&admin))
        .await
        .json();
    assert_eq!(w["zone_id"], json!(null));
    let r = app
        .delete(&format!("/api/v1/floors/{floor_id}"), Some(&admin))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[tokio::test]
async fn bad_hall_input_is_named_by_field_and_writes_nothing() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let admin = app.token("admin").await;

    app.post_json(
        "/api/v1/halls",
        Some(&admin),
        &json!({"name": "社保分厅", "kind": "hall"}),
    )
    .await
    .invalid("hall.kind_invalid", "kind");
    app.post_json(
        "/api/v1/halls",
        Some(&admin),
        &json!({"name": "社保分厅", "kind": "branch", "am_open": "12:00", "am_close": "09:00"}),
    )
    .await
    .invalid("hall.hours_invalid", "am_close");
    app.post_json(
        &format!("/api/v1/halls/{}/floors", hall.hall_id),
        Some(&admin),
        &json!({"level": 0}),
    )
    .await
    .invalid("floor.level_invalid", "level");
    app.post_json(
        &format!("/api/v1/floors/{}/zones", hall.floor_id),
        Some(&admin),
        &json!({"name": "等候区", "purpose": "lounge"}),
    )
    .await
    .invalid("zone.purpose_invalid", "purpose");
    app.post_json(
        "/api/v1/categories",
        Some(&admin),
        &json!({"code": "AB", "name": "x"}),
    )
    .await
    .invalid("category.code_invalid", "code");
    app.post_json(
        "/api/v1/windows",
        Some(&admin),
        &json!({"hall_id": hall.hall_id, "number": "20", "kind": "resident", "name": "无部门"}),
    )
    .await
    .invalid("window.department_required", "department_id");
    app.post_json(
        "/api/v1/windows",
        Some(&admin),
        &json!({"hall_id": hall.hall_id, "number": "20", "kind": "agency", "name": "代办", "category_ids": [hall.category_a, 999]}),
    )
    .await
    .invalid("window.category_unknown", "category_ids[1]");
    app.post_json(
        "/api/v1/windows",
        Some(&admin),
        &json!({"hall_id": 4242, "number": "20", "kind": "agency", "name": "代办"}),
    )
    .await
    .invalid("window.hall_unknown", "hall_id");
    // A bad edit leaves the window as it was.
    app.put_json(
        &format!("/api/v1/windows/{}", hall.windows[0]),
        Some(&admin),
        &json!({"hall_id": hall.hall_id, "number": "01", "kind": "resident", "name": "01号窗口",
                "department_id": seed.dept_a, "item_ids": [31337]}),
    )
    .await
    .invalid("window.item_unknown", "item_ids[0]");

    // Duplicates are conflicts.
    app.post_json(
        "/api/v1/windows",
        Some(&admin),
        &json!({"hall_id": hall.hall_id, "number": "02", "kind": "convenience", "name": "复印"}),
    )
    .await
    .error(409, "window.number_taken");
    app.put_json(
        &format!("/api/v1/windows/{}", hall.windows[0]),
        Some(&admin),
        &json!({"hall_id": hall.hall_id, "number": "03", "kind": "resident", "name": "01号窗口", "department_id": seed.dept_a}),
    )
    .await
    .error(409, "window.number_taken");
    app.post_json(
        "/api/v1/categories",
        Some(&admin),
        &json!({"code": "A", "name": "另一个综合"}),
    )
    .await
    .error(409, "category.code_taken");
    app.post_json(
        &format!("/api/v1/halls/{}/floors", hall.hall_id),
        Some(&admin),
        &json!({"level": 1}),
    )
    .await
    .error(409, "floor.level_taken");
    app.post_json(
        "/api/v1/halls",
        Some(&admin),
        &json!({"name": "第二主厅", "kind": "main"}),
    )
    .await
    .error(409, "hall.main_exists");
    app.put_json(
        "/api/v1/windows/987654",
        Some(&admin),
        &json!({"hall_id": hall.hall_id, "number": "09", "kind": "agency", "name": "x"}),
    )
    .await
    .error(404, "window.not_found");

    let store = &app.state.store;
    let windows = store.list_windows(seed.center_id).await.unwrap();
    assert_eq!(windows.len(), 3, "nothing written");
    assert_eq!(windows[0].number, "01");
    assert_eq!(windows[0].category_ids, [hall.category_a], "links kept");
    assert_eq!(store.list_halls(seed.center_id).await.unwrap().len(), 1);
    assert_eq!(
        store.list_categories(seed.center_id).await.unwrap().len(),
        2
    );
    assert_eq!(store.list_floors(hall.hall_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn staff_read_the_hall_but_only_administrators_write_it() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let clerk = app.token("clerk").await;

    let r = app.get("/api/v1/halls", Some(&clerk)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["halls"][0]["name"], "政务服务大厅");
    let r = app.get("/api/v1/windows", Some(&clerk)).await;
    assert_eq!(r.json()["total"], 3);
    app.get("/api/v1/halls", None)
        .await
        .error(401, "auth.required");

    app.post_json(
        "/api/v1/windows",
        Some(&clerk),
        &json!({"hall_id": hall.hall_id, "number": "09", "kind": "agency", "name": "代办"}),
    )
    .await
    .error(403, "auth.forbidden");
    app.post_json(
        "/api/v1/halls",
        Some(&clerk),
        &json!({"name": "分厅", "kind": "branch"}),
    )
    .await
    .error(403, "auth.forbidden");
    app.put_json(
        &format!("/api/v1/windows/{}", hall.windows[0]),
        Some(&clerk),
        &json!({"hall_id": hall.hall_id, "number": "01", "kind": "agency", "name": "x"}),
    )
    .await
    .error(403, "auth.forbidden");
    app.post_json(
        "/api/v1/categories",
        Some(&clerk),
        &json!({"code": "Z", "name": "x"}),
    )
    .await
    .error(403, "auth.forbidden");
    assert_eq!(
        app.state
            .store
            .list_windows(seed.center_id)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn the_public_learns_where_to_go_for_an_item() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let item_a = app
        .add_item(&item(seed.dept_a, "失业保险金申领"), true)
        .await;
    let item_b = app.add_item(&item(seed.dept_b, "食品经营许可"), true).await;
    let draft = app.add_item(&item(seed.dept_b, "草稿事项"), false).await;

    // Without a window naming it: the department's windows.
    let r = app
        .get(&format!("/api/v1/public/items/{item_a}/where"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let w = r.json();
    let numbers: Vec<&str> = w["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["window_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["01", "02"]);
    assert_eq!(w["places"][0]["floor_name"], "1楼");
    assert_eq!(w["places"][0]["zone_name"], "综合办事区");
    assert_eq!(
        w["summary"],
        "请到政务服务大厅1楼综合办事区01、02号窗口办理。"
    );
    assert_eq!(w["map_url"], format!("/hall?item={item_a}"));

    // A window naming the item wins over the department's windows; a
    // closed window is nowhere to go.
    let admin = app.token("admin").await;
    let r = app
        .put_json(
            &format!("/api/v1/windows/{}", hall.windows[1]),
            Some(&admin),
            &json!({"hall_id": hall.hall_id, "zone_id": hall.zone_id, "number": "02", "kind": "resident",
                    "name": "02号窗口", "department_id": seed.dept_a, "item_ids": [item_a], "x": 120, "y": 40}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let w = app
        .get(&format!("/api/v1/public/items/{item_a}/where"), None)
        .await
        .json();
    assert_eq!(w["places"].as_array().unwrap().len(), 1);
    assert_eq!(w["places"][0]["window_number"], "02");
    let r = app
        .put_json(
            &format!("/api/v1/windows/{}", hall.windows[2]),
            Some(&admin),
            &json!({"hall_id": hall.hall_id, "zone_id": hall.zone_id, "number": "03", "kind": "resident",
                    "name": "03号窗口", "department_id": seed.dept_b, "x": 200, "y": 40, "active": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let w = app
        .get(&format!("/api/v1/public/items/{item_b}/where"), None)
        .await
        .json();
    assert_eq!(w["places"], json!([]));
    assert!(w["summary"].as_str().unwrap().contains("咨询"), "{w}");

    app.get(&format!("/api/v1/public/items/{draft}/where"), None)
        .await
        .error(404, "item.not_found");
}

#[tokio::test]
async fn the_hall_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    for path in [
        "/api/v1/halls",
        "/api/v1/halls/{id}",
        "/api/v1/halls/{id}/floors",
        "/api/v1/floors/{id}/zones",
        "/api/v1/categories",
        "/api/v1/windows",
        "/api/v1/windows/{id}",
        "/api/v1/public/items/{id}/where",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "hall")
    );
}

// ---------------------------------------------------------------- pages

#[tokio::test]
async fn the_hall_guide_draws_the_windows_on_the_map_and_highlights_an_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let item_a = app
        .add_item(&item(seed.dept_a, "失业保险金申领"), true)
        .await;

    let page = app.browser().get("/hall").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<svg"), "a map");
    for number in ["01", "02", "03"] {
        assert!(
            html.contains(&format!(r#"data-number="{number}""#)),
            "{number}"
        );
    }
    assert!(html.contains("综合办事区"));
    assert!(html.contains(">人社局<") && html.contains(">市场监管局<"));
    assert!(html.contains(r#"href="/hall""#), "the nav links the guide");
    assert!(!html.contains("map-window highlight"));

    let html = app
        .browser()
        .get(&format!("/hall?item={item_a}"))
        .await
        .text();
    assert!(html.contains("去哪儿办：失业保险金申领"));
    assert!(html.contains("请到政务服务大厅1楼综合办事区01、02号窗口办理。"));
    let lit = format!(
        r#"class="map-window highlight" data-window="{}""#,
        hall.windows[0]
    );
    assert!(html.contains(&lit), "window 01 highlighted");
    let faded = format!(
        r#"class="map-window faded" data-window="{}""#,
        hall.windows[2]
    );
    assert!(html.contains(&faded), "window 03 faded");

    // The guide points there.
    let guide = app.browser().get(&format!("/items/{item_a}")).await.text();
    assert!(guide.contains("去哪儿办"));
    assert!(guide.contains(&format!(r#"href="/hall?item={item_a}""#)));

    // By state: a closed window is drawn closed.
    app.state
        .store
        .update_window(
            hall.windows[2],
            &NewWindow::parse(&WindowInput {
                hall_id: hall.hall_id,
                zone_id: Some(hall.zone_id),
                number: "03".into(),
                kind: "resident".into(),
                name: "03号窗口".into(),
                department_id: Some(seed.dept_b),
                x: 200,
                y: 40,
                ..Default::default()
            })
            .unwrap(),
            false,
            start_time(),
        )
        .await
        .unwrap();
    let html = app.browser().get("/hall?colour=state").await.text();
    assert!(html.contains(r#"data-state="closed""#));
    assert!(html.contains("暂停"));
}

#[tokio::test]
async fn an_admin_adds_a_window_on_the_admin_page_and_a_refusal_shows_beside_the_form() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let browser = app.browser();
    let csrf = browser.login_ok("admin").await;

    let page = browser.get("/admin/hall").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("窗口分布图"));

    let hall_id = hall.hall_id.to_string();
    let zone_id = hall.zone_id.to_string();
    let dept = seed.dept_b.to_string();
    let category = hall.category_b.to_string();
    let form = |number: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("hall_id", hall_id.clone()),
            ("zone_id", zone_id.clone()),
            ("number", number.to_string()),
            ("kind", "resident".to_string()),
            ("name", "食品经营窗口".to_string()),
            ("department_id", dept.clone()),
            ("category_ids", category.clone()),
            ("x", "280".to_string()),
            ("y", "40".to_string()),
            ("active", "1".to_string()),
        ]
    };
    let fields = form("03");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = browser.post_form("/admin/hall/windows", &pairs).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("该大厅已有这个窗口号"));
    assert!(
        r.text().contains(r#"value="食品经营窗口""#),
        "the form keeps its input"
    );

    let fields = form("04");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = browser.post_form("/admin/hall/windows", &pairs).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let map = browser.get("/hall").await.text();
    assert!(map.contains(r#"data-number="04""#));
    let w = app.state.store.list_windows(seed.center_id).await.unwrap();
    assert_eq!(w[3].category_ids, [hall.category_b]);

    // A clerk may look but not write.
    let clerk = app.browser();
    let clerk_csrf = clerk.login_ok("clerk").await;
    let page = clerk.get("/admin/hall").await;
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("新增窗口"));
    let r = clerk
        .post_form(
            "/admin/hall/categories",
            &[("csrf_token", &clerk_csrf), ("code", "Z"), ("name", "x")],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
}

#[tokio::test]
async fn an_admin_edits_and_removes_zones_and_floors_on_the_admin_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let hall = app.seed_hall(&seed).await;
    let browser = app.browser();
    let csrf = browser.login_ok("admin").await;
    let hall_id = hall.hall_id.to_string();

    let page = browser
        .get(&format!(
            "/admin/hall?hall={hall_id}&edit=zone-{}",
            hall.zone_id
        ))
        .await
        .text();
    assert!(page.contains("编辑功能区"));
    assert!(
        page.contains(r#"value="综合办事区""#),
        "the form is filled in"
    );

    // A bad edit is refused beside the form and changes nothing.
    let action = format!("/admin/hall/zones/{}", hall.zone_id);
    let r = browser
        .post_form(
            &action,
            &[
                ("csrf_token", &csrf),
                ("hall_id", &hall_id),
                ("name", "综合办事区"),
                ("purpose", "lounge"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("功能区用途应为"));
    assert!(
        r.text().contains(&format!(r#"action="{action}""#)),
        "still editing"
    );
    let r = browser
        .post_form(
            &action,
            &[
                ("csrf_token", &csrf),
                ("hall_id", &hall_id),
                ("name", "一楼综合办事区"),
                ("purpose", "windows"),
                ("x", "30"),
                ("y", "30"),
                ("width", "500"),
                ("height", "150"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let zone = app.state.store.zone(hall.zone_id).await.unwrap().unwrap();
    assert_eq!((zone.name.as_str(), zone.width), ("一楼综合办事区", 500));

    // A floor with zones is not removed; its zone is, then the floor.
    let r = browser
        .post_form(
            &format!("/admin/hall/floors/{}/delete", hall.floor_id),
            &[("csrf_token", &csrf), ("hall_id", &hall_id)],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("该楼层还有功能区"));
    let r = browser
        .post_form(
            &format!("/admin/hall/zones/{}/delete", hall.zone_id),
            &[("csrf_token", &csrf), ("hall_id", &hall_id)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = browser
        .post_form(
            &format!("/admin/hall/floors/{}/delete", hall.floor_id),
            &[("csrf_token", &csrf), ("hall_id", &hall_id)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        app.state
            .store
            .list_floors(hall.hall_id)
            .await
            .unwrap()
            .is_empty()
    );
    let windows = app.state.store.list_windows(seed.center_id).await.unwrap();
    assert!(windows.iter().all(|w| w.zone_id.is_none()), "off the map");
}
