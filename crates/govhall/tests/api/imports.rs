//! Department returns (事项报送表) in, the catalogue out, as Excel.

use crate::helpers::{DEPT_B_NAME, item, names, spawn_app};
use crate::reports::{first_sheet, text};
use rust_xlsxwriter::{Format, Workbook};

const IMPORT: &str = "/api/v1/imports/items";

/// A return laid out like seed 001 attachment 2: a merged title on row 1,
/// the 填报单位 line on row 2, the header on row 3 and data from row 4.
/// Each data row is 单位名称, 事项名称, 事项类型, 办理类别.
fn return_form(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(
            0,
            0,
            0,
            4,
            "单位进驻大厅依申请六类和公共服务事项报送表",
            &Format::new().set_bold(),
        )
        .unwrap();
    sheet
        .write_string(1, 0, "填报单位（盖章）：新城区人力资源和社会保障局")
        .unwrap();
    for (col, title) in (0..).zip(["序号", "单位名称", "事项名称", "事项类型", "办理类别"])
    {
        sheet.write_string(2, col, title).unwrap();
    }
    for ((row, serial), cells) in (3u32..).zip(1..).zip(rows) {
        sheet.write_number(row, 0, f64::from(serial)).unwrap();
        for (col, value) in (1..).zip(cells) {
            if !value.is_empty() {
                sheet.write_string(row, col, *value).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// Three good rows, on Excel rows 4 to 6; department B named in full.
fn good_rows() -> Vec<[&'static str; 4]> {
    vec![
        ["人社局", "就业登记", "公共服务", "承诺件"],
        [DEPT_B_NAME, "食品经营许可", "行政许可", "即办件"],
        ["人社局", "失业保险金申领", "05", "承诺件"],
    ]
}

#[tokio::test]
async fn a_good_return_becomes_draft_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .upload(
            IMPORT,
            Some(&admin),
            "return.xlsx",
            return_form(&good_rows()),
        )
        .await;

    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["created"], 3);
    assert_eq!(r.json()["item_ids"].as_array().unwrap().len(), 3);
    let list = app
        .get("/api/v1/catalogue/items", Some(&admin))
        .await
        .json();
    assert_eq!(names(&list), ["就业登记", "食品经营许可", "失业保险金申领"]);
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["status"] == "draft"), "{list}");
    assert_eq!(items[1]["department_id"], seed.dept_b);
    assert_eq!(items[1]["case_kind"], "immediate");
    assert_eq!(items[2]["item_type"], "05");
    assert_eq!(app.search("").await["total"], 0);
}

#[tokio::test]
async fn a_return_with_bad_rows_is_refused_whole_naming_each_row() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;
    let mut rows = good_rows();
    rows.push(["不存在局", "某某许可", "行政许可", "承诺件"]);
    rows.push(["人社局", "劳动保障监察处罚", "行政处罚", "承诺件"]);
    rows.push(["人社局", "职业技能鉴定", "公共服务", ""]);

    let r = app
        .upload(IMPORT, Some(&admin), "return.xlsx", return_form(&rows))
        .await;

    let body = r.error(422, "import.rows_invalid");
    assert_eq!(body["message"], "导入失败：3行有误，未写入任何事项");
    let bad: Vec<(i64, &str)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(bad, [(7, "单位名称"), (8, "事项类型"), (9, "办理类别")]);
    assert!(
        body["rows"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("第7行")
    );
    assert_eq!(app.catalogue_total(&admin).await, 0);
}

#[tokio::test]
async fn a_row_naming_an_existing_item_is_refused() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    let admin = app.token("admin").await;

    let r = app
        .upload(
            IMPORT,
            Some(&admin),
            "return.xlsx",
            return_form(&good_rows()),
        )
        .await;

    let body = r.error(422, "import.rows_invalid");
    assert_eq!(body["rows"][0]["row"], 4);
    assert_eq!(body["rows"][0]["field"], "事项名称");
    assert_eq!(app.catalogue_total(&admin).await, 1);
}

#[tokio::test]
async fn a_file_that_is_not_a_workbook_is_refused() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = app.token("admin").await;

    let r = app
        .upload(
            IMPORT,
            Some(&admin),
            "return.xlsx",
            b"not a workbook".to_vec(),
        )
        .await;

    r.invalid("import.unreadable", "file");
}

#[tokio::test]
async fn only_administrators_import() {
    let app = spawn_app().await;
    app.seed().await;
    let chief = app.token("chief").await;

    let r = app
        .upload(
            IMPORT,
            Some(&chief),
            "return.xlsx",
            return_form(&good_rows()),
        )
        .await;

    r.error(403, "auth.forbidden");
}

#[tokio::test]
async fn the_catalogue_exports_with_the_return_forms_columns_first() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.add_item(&item(seed.dept_a, "就业登记"), true).await;
    app.add_item(&item(seed.dept_b, "食品经营许可"), false)
        .await;
    let admin = app.token("admin").await;

    let r = app.get("/api/v1/exports/items", Some(&admin)).await;

    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let sheet = first_sheet(&r.body);
    let header: Vec<String> = (0..5).map(|c| text(&sheet, 0, c)).collect();
    assert_eq!(
        header,
        ["序号", "单位名称", "事项名称", "事项类型", "办理类别"]
    );
    assert_eq!(text(&sheet, 1, 2), "就业登记");
    assert_eq!(text(&sheet, 1, 3), "行政许可");
    assert_eq!(text(&sheet, 1, 4), "承诺件");
    assert_eq!(text(&sheet, 2, 2), "食品经营许可");
    assert_eq!(text(&sheet, 2, 15), "草稿");
}

#[tokio::test]
async fn an_export_reads_back_as_a_return() {
    let source = spawn_app().await;
    let seed = source.seed().await;
    source.add_item(&item(seed.dept_a, "就业登记"), true).await;
    source
        .add_item(&item(seed.dept_b, "食品经营许可"), true)
        .await;
    let exported = source
        .get("/api/v1/exports/items", Some(&source.token("admin").await))
        .await;
    let target = spawn_app().await;
    target.seed().await;
    let admin = target.token("admin").await;

    let r = target
        .upload(IMPORT, Some(&admin), "catalogue.xlsx", exported.body)
        .await;

    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["created"], 2);
}

#[tokio::test]
async fn the_blank_return_form_downloads_as_excel() {
    let app = spawn_app().await;

    let r = app.get("/api/v1/imports/items/template", None).await;

    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let sheet = first_sheet(&r.body);
    assert_eq!(
        text(&sheet, 0, 0),
        "单位进驻大厅依申请六类和公共服务事项报送表"
    );
    assert_eq!(text(&sheet, 1, 0), "填报单位（盖章）：");
    let header: Vec<String> = (0..5).map(|c| text(&sheet, 2, c)).collect();
    assert_eq!(
        header,
        ["序号", "单位名称", "事项名称", "事项类型", "办理类别"]
    );
}
