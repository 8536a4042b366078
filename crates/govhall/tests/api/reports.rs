//! The entry report of seed 001 attachment 1, as JSON and as Excel.

use crate::helpers::{Seed, TestApp, item, spawn_app};
use calamine::{Data, Range, Reader, Xlsx};
use domain::catalogue::ItemInput;
use std::io::Cursor;

/// 人社局: 3 items, 2 entered, 1 of them fully authorised, 1 online.
/// 市场监管局: 2 items, 1 entered and fully authorised, 1 exempt.
async fn entry_fixture(app: &TestApp) -> Seed {
    let seed = app.seed().await;
    let items = [
        ItemInput {
            online: true,
            ..item(seed.dept_a, "就业登记")
        },
        ItemInput {
            window_authorisation: "accept_only".into(),
            ..item(seed.dept_a, "失业登记")
        },
        ItemInput {
            entry_status: "not_entered".into(),
            ..item(seed.dept_a, "人事档案查询")
        },
        item(seed.dept_b, "药品经营许可"),
        ItemInput {
            entry_status: "exempt".into(),
            exempt_reason: "需现场核验".into(),
            exempt_approval: "新政务函〔2026〕3号".into(),
            ..item(seed.dept_b, "食品经营许可")
        },
    ];
    for input in &items {
        app.add_item(input, true).await;
    }
    seed
}

#[tokio::test]
async fn the_entry_report_counts_each_department_with_true_rates() {
    let app = spawn_app().await;
    let seed = entry_fixture(&app).await;
    let leader = app.token("leader").await;

    let r = app.get("/api/v1/reports/entry", Some(&leader)).await;

    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    let a = &report["rows"][0];
    assert_eq!(a["department_id"], seed.dept_a);
    assert_eq!(a["applicable_items"], 3);
    assert_eq!(a["entered_items"], 2);
    assert_eq!(a["entry_rate"], 66.7);
    assert_eq!(a["online_items"], 1);
    assert_eq!(a["online_rate"], 33.3);
    assert_eq!(a["fully_authorised"], false);
    // Exempt items leave the denominator: 1 of 2 − 1.
    assert_eq!(report["rows"][1]["entry_rate"], 100.0);
    assert_eq!(report["total"]["department"], "合计");
    assert_eq!(report["total"]["entry_rate"], 75.0);
    insta::assert_json_snapshot!("entry_report", report);
}

#[tokio::test]
async fn a_department_without_items_has_no_rate() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;

    let report = app.get("/api/v1/reports/entry", Some(&admin)).await.json();

    assert_eq!(report["rows"][0]["applicable_items"], 0);
    assert_eq!(report["rows"][0]["entry_rate"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_applicant_cannot_read_reports() {
    let app = spawn_app().await;
    app.seed().await;
    let citizen = app.token("citizen").await;

    app.get("/api/v1/reports/entry", Some(&citizen))
        .await
        .error(403, "auth.forbidden");
    app.get("/api/v1/reports/limits", Some(&citizen))
        .await
        .error(403, "auth.forbidden");
}

#[tokio::test]
async fn the_entry_report_downloads_as_an_excel_workbook() {
    let app = spawn_app().await;
    entry_fixture(&app).await;
    let admin = app.token("admin").await;

    let r = app
        .get("/api/v1/reports/entry?format=xlsx", Some(&admin))
        .await;

    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.header("content-disposition").starts_with("attachment;"));
    let sheet = first_sheet(&r.body);
    assert_eq!(text(&sheet, 0, 0), "政务服务“三集中三到位”相关单位汇总表");
    assert_eq!(text(&sheet, 1, 0), "序号");
    assert_eq!(text(&sheet, 2, 1), "人社局");
    assert_eq!(text(&sheet, 3, 1), "市场监管局");
    assert_eq!(text(&sheet, 4, 0), "合计");
    assert_eq!(number(&sheet, 4, 2), 5.0);
    assert_eq!(number(&sheet, 4, 3), 3.0);
    // Rates are real numbers with a percentage format.
    assert!((number(&sheet, 2, 5) - 0.667).abs() < 1e-9);
}

#[tokio::test]
async fn an_unknown_report_format_is_a_bad_request() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .get("/api/v1/reports/entry?format=pdf", Some(&admin))
        .await;

    assert_eq!(r.error(400, "request.invalid_query")["field"], "format");
}

/// The first worksheet of an .xlsx file.
pub fn first_sheet(bytes: &[u8]) -> Range<Data> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    book.worksheet_range_at(0)
        .expect("a worksheet")
        .expect("a readable worksheet")
}

/// The text of the cell at a 0-based position (row, column), counted from A1.
pub fn text(sheet: &Range<Data>, row: u32, col: u32) -> String {
    sheet
        .get_value((row, col))
        .map(ToString::to_string)
        .unwrap_or_default()
}

fn number(sheet: &Range<Data>, row: u32, col: u32) -> f64 {
    match sheet.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}
