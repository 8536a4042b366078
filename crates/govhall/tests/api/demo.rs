//! The demo data: it must reproduce seed 001 attachment 1 through the real
//! report, load only once, and its accounts must work.

use crate::cases::at;
use crate::helpers::{TestApp, spawn_app, start_time};
use demo::{ACCOUNTS, DEMO_PASSWORD, Outcome};
use std::sync::OnceLock;

/// Seed 001 attachment 1 (`/work/shared/data/seed001-departments.csv`):
/// department, applicable items, entered items, windows, in the seed's order.
const SEED_001: [(&str, u32, u32, u32); 33] = [
    ("人社局", 65, 20, 5),
    ("医保局", 3, 2, 2),
    ("卫健委", 21, 11, 2),
    ("残联", 2, 1, 1),
    ("市场监管局", 36, 1, 4),
    ("公安分局", 52, 6, 1),
    ("运管分局", 4, 2, 2),
    ("林业局", 28, 1, 1),
    ("住建局", 25, 4, 2),
    ("发改委", 7, 1, 1),
    ("文体旅游广电局", 43, 3, 1),
    ("城管局", 15, 3, 1),
    ("民委", 3, 1, 1),
    ("司法局", 9, 1, 3),
    ("民政局", 49, 3, 4),
    ("教育局", 20, 1, 0),
    ("科技局", 1, 0, 0),
    ("工信局", 6, 0, 0),
    ("财政局", 4, 0, 0),
    ("生态环境分局", 13, 0, 0),
    ("农牧水利局", 118, 0, 0),
    ("退役军人事务局", 30, 0, 0),
    ("交管大队", 4, 0, 0),
    ("应急管理局", 10, 0, 0),
    ("统计局", 7, 0, 0),
    ("编办", 1, 0, 0),
    ("总工会", 3, 0, 0),
    ("物业服务中心", 2, 0, 0),
    ("烟草局", 1, 0, 0),
    ("社区办", 1, 0, 0),
    ("区委办(档案馆)", 9, 0, 0),
    ("科协", 1, 0, 0),
    ("妇联", 1, 0, 0),
];

/// Loads the demo into the app's database. Every account gets the same
/// precomputed hash: argon2 per account is slow in a debug build.
pub(crate) async fn load(app: &TestApp) -> Outcome {
    load_at(app, start_time()).await
}

/// Loads the demo as on `now`.
async fn load_at(app: &TestApp, now: chrono::DateTime<chrono::Utc>) -> Outcome {
    static HASH: OnceLock<String> = OnceLock::new();
    let hash = HASH
        .get_or_init(|| web::auth::hash_password(DEMO_PASSWORD).expect("hashing"))
        .clone();
    demo::load(
        &app.state.store,
        now,
        &move |_: &str| Ok(hash.clone()),
        &|_, _, _| {},
    )
    .await
    .expect("the demo loads")
}

pub(crate) async fn demo_token(app: &TestApp, username: &str) -> String {
    let r = app.request_token(username, DEMO_PASSWORD).await;
    assert_eq!(r.status, 201, "{username}: {}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_demo_reproduces_the_entry_report_of_seed_001() {
    let app = spawn_app().await;
    assert_eq!(
        load(&app).await,
        Outcome::Loaded {
            departments: 33,
            items: 594
        }
    );
    let admin = demo_token(&app, "admin").await;

    let r = app.get("/api/v1/reports/entry", Some(&admin)).await;

    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    let rows: Vec<(String, u32, u32, u32)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let n = |k: &str| row[k].as_u64().unwrap() as u32;
            (
                row["department"].as_str().unwrap().to_string(),
                n("applicable_items"),
                n("entered_items"),
                n("windows"),
            )
        })
        .collect();
    let expected: Vec<(String, u32, u32, u32)> = SEED_001
        .iter()
        .map(|(d, a, e, w)| (d.to_string(), *a, *e, *w))
        .collect();
    assert_eq!(rows, expected);
    // The seed prints 53% for 卫健委; 11 of 21 is 52.4%.
    assert_eq!(report["rows"][2]["entry_rate"], 52.4);
    let total = &report["total"];
    assert_eq!(
        (
            &total["applicable_items"],
            &total["entered_items"],
            &total["windows"]
        ),
        (&594.into(), &61.into(), &31.into())
    );
    insta::assert_json_snapshot!("demo_entry_report", report);
}

#[tokio::test]
async fn the_demo_loads_once_and_its_accounts_sign_in() {
    let app = spawn_app().await;
    load(&app).await;

    assert_eq!(load(&app).await, Outcome::AlreadyPresent);

    for account in ACCOUNTS {
        let token = demo_token(&app, account.username).await;
        let me = app.get("/api/v1/me", Some(&token)).await.json();
        assert_eq!(me["role"], account.role.code(), "{}", account.username);
    }
    let departments = app.get("/api/v1/departments", None).await.json();
    assert_eq!(departments["total"], 33);
}

#[tokio::test]
async fn the_demo_hall_is_the_tongren_layout_of_seed_000() {
    let app = spawn_app().await;
    load(&app).await;
    let admin = demo_token(&app, "admin").await;

    let halls = app.get("/api/v1/halls", Some(&admin)).await.json();
    let halls = halls["halls"].as_array().unwrap();
    let named: Vec<(&str, &str)> = halls
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), h["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [
            ("新城区政务服务大厅", "main"),
            ("社保分厅", "branch"),
            ("交警分厅", "branch"),
            ("出入境管理分厅", "branch"),
            ("工会分厅", "branch"),
            ("网上办事大厅", "online"),
        ]
    );
    let main = app
        .get(&format!("/api/v1/halls/{}", halls[0]["id"]), Some(&admin))
        .await
        .json();
    let floors: Vec<(i64, Vec<&str>)> = main["floors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["level"].as_i64().unwrap(),
                f["zones"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|z| z["name"].as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    let zones_of = |level: i64| {
        let mut z = floors.iter().find(|f| f.0 == level).unwrap().1.clone();
        z.sort();
        z
    };
    assert_eq!(floors.iter().map(|f| f.0).collect::<Vec<_>>(), [1, 3, 5]);
    let mut expected = vec![
        "不动产登记",
        "房地产交易",
        "中介服务",
        "便民服务窗口",
        "文印中心",
        "金融机构",
        "档案室",
        "专家评审室",
        "安保室",
    ];
    expected.sort();
    assert_eq!(zones_of(1), expected);
    let mut expected = vec![
        "部门办事窗口区",
        "管理科室",
        "专家评审室",
        "党员活动室",
        "档案室",
    ];
    expected.sort();
    assert_eq!(zones_of(3), expected);
    let mut expected = vec!["管理层办公室", "多媒体会议室", "职工食堂"];
    expected.sort();
    assert_eq!(zones_of(5), expected);

    // 54 units, 54 windows: 44 resident and 2 extension windows of the
    // government units, 8 convenience windows (banks and services).
    let windows = main["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 54);
    let kinds = |k: &str| windows.iter().filter(|w| w["kind"] == k).count();
    assert_eq!(
        (kinds("resident"), kinds("extension"), kinds("convenience")),
        (44, 2, 8)
    );
    assert!(
        windows
            .iter()
            .filter(|w| w["kind"] == "convenience")
            .all(|w| w["department_id"].is_null())
    );
    assert!(
        windows
            .iter()
            .all(|w| w["category_ids"].as_array().unwrap().len() == 1)
    );
    let categories = app.get("/api/v1/categories", Some(&admin)).await.json();
    assert_eq!(categories["categories"][0]["name"], "综合业务");
    assert_eq!(categories["categories"].as_array().unwrap().len(), 10);

    // A 人社局 item is handled on floor 3 and at the 社保分厅 extension window.
    let departments = app.get("/api/v1/departments", None).await.json();
    let rs = departments["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["short_name"] == "人社局")
        .unwrap()["id"]
        .clone();
    let actor = domain::access::Actor {
        user_id: 0,
        username: "test".into(),
        role: domain::access::Role::Admin,
        department_id: None,
    };
    let grant =
        domain::access::authorize(&actor, domain::access::Permission::ReadCatalogue).unwrap();
    let (items, _) = app
        .state
        .store
        .list_items(
            &grant,
            &store::ItemFilter {
                department_id: rs.as_i64(),
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let item_id = items[0].id;
    let w = app
        .get(&format!("/api/v1/public/items/{item_id}/where"), None)
        .await
        .json();
    let places = w["places"].as_array().unwrap();
    assert_eq!(places.len(), 3, "{w}");
    assert!(places.iter().all(|p| p["floor_level"] == 3), "{w}");
    assert!(
        places.iter().any(|p| p["branch_hall_name"] == "社保分厅"),
        "{w}"
    );

    let page = app.browser().get("/hall").await.text();
    assert_eq!(page.matches("class=\"map-window\"").count(), 54);
}

/// The demo's history is the whole hall's: every department with items and
/// staffed resident windows handles cases with its own people, so a month's
/// run names its 6 red-flag windows, a quarter's its 15 advanced staff, and
/// the supervision desk shows warnings across the hall.
#[tokio::test]
async fn the_demo_history_spreads_over_the_hall() {
    let app = spawn_app().await;
    let now = at("2026-11-03T10:00:00+08:00");
    app.clock.set(now);
    load_at(&app, now).await;
    let history = demo::load_history(&app.state.store, now, 60, &|_, _, _| {})
        .await
        .expect("the history loads");
    assert!(history.cases > 1000, "{history:?}");
    assert!(history.ratings > history.cases / 2, "{history:?}");
    assert!(history.complaints > 0, "{history:?}");
    let supervisor = demo_token(&app, "supervisor").await;

    let run = |kind: &'static str, period: &'static str| {
        let app = &app;
        let supervisor = &supervisor;
        async move {
            let r = app
                .post_json(
                    "/api/v1/scoring/runs",
                    Some(supervisor),
                    &serde_json::json!({"kind": kind, "period": period}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
            r.json()["scores"].as_array().unwrap().clone()
        }
    };
    // October: the departments that handled cases are ranked, 6 of them
    // (all different) get the red flag.
    let scores = run("department", "2026-10").await;
    let ranked: Vec<&serde_json::Value> = scores.iter().filter(|s| s["rank"] != 0).collect();
    assert!(ranked.len() >= 15, "{} departments had cases", ranked.len());
    let mut flagged: Vec<&str> = scores
        .iter()
        .filter(|s| s["honoured"] == true)
        .map(|s| s["unit_name"].as_str().unwrap())
        .collect();
    flagged.sort();
    flagged.dedup();
    assert_eq!(flagged.len(), 6, "{flagged:?}");

    // The third quarter's staff: the people who accepted the cases, 15 of
    // them advanced, from several departments.
    let scores = run("staff", "2026-Q3").await;
    let advanced: Vec<&serde_json::Value> =
        scores.iter().filter(|s| s["honoured"] == true).collect();
    assert_eq!(advanced.len(), 15);
    let mut departments: Vec<&str> = advanced
        .iter()
        .map(|s| s["department_name"].as_str().unwrap())
        .collect();
    departments.sort();
    departments.dedup();
    assert!(departments.len() >= 5, "{departments:?}");

    // The desk's warnings come from across the hall.
    let summary = app
        .get("/api/v1/warnings/summary", Some(&supervisor))
        .await
        .json();
    let warned = summary["departments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["yellow"].as_i64().unwrap() + d["red"].as_i64().unwrap() > 0)
        .count();
    assert!(warned >= 10, "{summary}");
    assert!(summary["red"].as_i64().unwrap() > 0, "{summary}");
}
