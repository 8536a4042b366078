//! The public search, `GET /api/v1/items?q=`: Chinese words, pinyin
//! initials, abbreviations, filters and paging over published items only.

use crate::helpers::{Seed, TestApp, encode, item, names, spawn_app};
use domain::catalogue::ItemInput;

const BUSINESS_LICENCE: &str = "企业设立登记（营业执照核发）";
const SOCIAL_SECURITY_CARD: &str = "社会保障卡申领";

/// Five published items over both departments, types and online handling,
/// and one draft whose name would match a licence search.
async fn catalogue(app: &TestApp) -> Seed {
    let seed = app.seed().await;
    let entry = |department, name: &str, item_type: &str, online| ItemInput {
        item_type: item_type.into(),
        online,
        ..item(department, name)
    };
    let items = [
        entry(seed.dept_b, BUSINESS_LICENCE, "01", true),
        entry(seed.dept_a, SOCIAL_SECURITY_CARD, "20", true),
        entry(seed.dept_a, "失业保险金申领", "05", false),
        entry(seed.dept_a, "就业登记", "20", false),
        entry(seed.dept_b, "食品经营许可", "01", false),
    ];
    for input in &items {
        app.add_item(input, true).await;
    }
    app.add_item(
        &entry(seed.dept_b, "个体工商户营业执照变更", "01", false),
        false,
    )
    .await;
    seed
}

fn q(text: &str) -> String {
    format!("q={}", encode(text))
}

#[tokio::test]
async fn a_chinese_word_finds_the_item_whose_name_contains_it() {
    let app = spawn_app().await;
    catalogue(&app).await;

    assert_eq!(app.search_names(&q("营业执照")).await, [BUSINESS_LICENCE]);
}

#[tokio::test]
async fn pinyin_initials_find_the_item() {
    let app = spawn_app().await;
    catalogue(&app).await;

    assert_eq!(app.search_names("q=yyzz").await, [BUSINESS_LICENCE]);
}

#[tokio::test]
async fn an_abbreviation_finds_the_full_name() {
    let app = spawn_app().await;
    catalogue(&app).await;

    let names = app.search_names(&q("社保")).await;

    // 人社局's full name (…社会保障局) matches too, but the name hit ranks first.
    assert_eq!(names[0], SOCIAL_SECURITY_CARD, "{names:?}");
    assert!(!names.contains(&BUSINESS_LICENCE.to_string()), "{names:?}");
}

#[tokio::test]
async fn filters_narrow_the_results() {
    let app = spawn_app().await;
    let seed = catalogue(&app).await;

    let by_department = app
        .search_names(&format!("department_id={}", seed.dept_b))
        .await;
    assert_eq!(by_department, [BUSINESS_LICENCE, "食品经营许可"]);
    let by_type = app.search_names("item_type=20").await;
    assert_eq!(by_type, [SOCIAL_SECURITY_CARD, "就业登记"]);
    let online = app.search_names("online=true").await;
    assert_eq!(online, [BUSINESS_LICENCE, SOCIAL_SECURITY_CARD]);
    let words_and_department = app
        .search_names(&format!("{}&department_id={}", q("登记"), seed.dept_a))
        .await;
    assert_eq!(words_and_department, ["就业登记"]);
}

#[tokio::test]
async fn an_unknown_item_type_filter_is_a_bad_request() {
    let app = spawn_app().await;
    catalogue(&app).await;

    let r = app.get("/api/v1/items?item_type=99", None).await;

    let body = r.error(400, "request.invalid_query");
    assert_eq!(body["field"], "item_type");
}

#[tokio::test]
async fn results_come_in_pages_with_the_total_of_all_pages() {
    let app = spawn_app().await;
    catalogue(&app).await;

    let first = app.search("per_page=2&page=1").await;
    let second = app.search("per_page=2&page=2").await;
    let last = app.search("per_page=2&page=3").await;

    for page in [&first, &second, &last] {
        assert_eq!(page["total"], 5);
        assert_eq!(page["per_page"], 2);
    }
    assert_eq!(first["page"], 1);
    assert_eq!(last["page"], 3);
    let mut seen: Vec<String> = [&first, &second, &last]
        .iter()
        .flat_map(|p| names(p))
        .collect();
    assert_eq!(seen.len(), 5);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "pages do not overlap");
    assert_eq!(
        app.search("per_page=2&page=4").await["items"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn query_syntax_is_taken_as_plain_text() {
    let app = spawn_app().await;
    catalogue(&app).await;

    // Nothing searchable: the search neither fails nor invents matches.
    let junk = app.search(&q("\"(:* zqxj")).await;
    assert_eq!(junk["total"], 0);
    assert_eq!(junk["items"], serde_json::json!([]));
    // Operators are words, not syntax.
    let operators = app.search(&q("营业执照 AND title:(")).await;
    assert_eq!(names(&operators), [BUSINESS_LICENCE]);
}

#[tokio::test]
async fn punctuation_alone_means_no_words_and_lists_everything() {
    let app = spawn_app().await;
    catalogue(&app).await;

    let r = app
        .get(&format!("/api/v1/items?{}", q("\"(:*")), None)
        .await;

    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["total"], 5);
}

#[tokio::test]
async fn a_published_item_is_found_at_once_and_a_draft_never() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;
    let draft = app
        .create_item_ok(&admin, &item(seed.dept_a, "城乡居民养老保险参保登记"))
        .await;
    assert_eq!(app.search(&q("养老保险")).await["total"], 0);
    let id = app
        .create_item_ok(&admin, &item(seed.dept_a, "城镇职工养老保险关系转移"))
        .await;

    assert_eq!(app.publish(&admin, id).await.status, 200);

    let hits = app.search(&q("养老保险")).await;
    assert_eq!(hits["total"], 1);
    assert_eq!(hits["items"][0]["id"], id);
    assert_ne!(hits["items"][0]["id"], draft);
}
