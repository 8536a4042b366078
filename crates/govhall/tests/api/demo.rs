//! The demo data: it must reproduce seed 001 attachment 1 through the real
//! report, load only once, and its accounts must work.

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
    static HASH: OnceLock<String> = OnceLock::new();
    let hash = HASH
        .get_or_init(|| web::auth::hash_password(DEMO_PASSWORD).expect("hashing"))
        .clone();
    demo::load(
        &app.state.store,
        start_time(),
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
