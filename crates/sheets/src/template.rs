//! The blank return form (seed 001 attachment 2) that departments download,
//! fill in and upload again.
//!
//! It keeps the printed form's layout (title, 填报单位 line, header, numbered
//! rows, signature line and notes) so that it can be stamped and filed on paper
//! too, and adds drop-down lists so the two coded columns come back spelled the
//! way the application expects.

use crate::SheetError;
use crate::form::{self, A4, RETURN_HEADER, RETURN_TITLE, RETURN_WIDTHS};
use domain::catalogue::{CaseKind, ItemType};
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, Workbook};

/// Builds the blank return form as an .xlsx file.
pub fn item_return_template() -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("事项报送表")?;
    for (col, width) in (0..).zip(RETURN_WIDTHS) {
        sheet.set_column_width(col, width)?;
    }

    sheet.merge_range(0, 0, 0, LAST_COL, RETURN_TITLE, &form::title_format())?;
    sheet.set_row_height(0, 30)?;
    let left = Format::new()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter);
    sheet.merge_range(1, 0, 1, LAST_COL, "填报单位（盖章）：", &left)?;
    sheet.set_row_height(1, 22)?;

    let header = form::header_format();
    for (col, title) in (0..).zip(RETURN_HEADER) {
        sheet.write_string_with_format(HEADER_ROW, col, title, &header)?;
    }
    sheet.set_row_height(HEADER_ROW, 22)?;

    let body = form::body_format();
    let serial = form::body_format().set_align(FormatAlign::Center);
    for (row, number) in (FIRST_DATA_ROW..=LAST_DATA_ROW).zip(1u32..) {
        sheet.write_number_with_format(row, 0, number, &serial)?;
        for col in 1..=LAST_COL {
            sheet.write_blank(row, col, &body)?;
        }
    }
    // Excel stretches a validation over rows inserted inside it, so covering
    // the drawn rows also covers a department that needs more of them.
    sheet.add_data_validation(
        FIRST_DATA_ROW,
        3,
        LAST_DATA_ROW,
        3,
        &dropdown("事项类型", &item_type_choices())?,
    )?;
    sheet.add_data_validation(
        FIRST_DATA_ROW,
        4,
        LAST_DATA_ROW,
        4,
        &dropdown("办理类别", &case_kind_choices())?,
    )?;

    let mut row = LAST_DATA_ROW + 1;
    sheet.merge_range(row, 0, row, LAST_COL, SIGNATURE_LINE, &left)?;
    sheet.set_row_height(row, 26)?;
    let note = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    for text in NOTES {
        row += 1;
        sheet.merge_range(row, 0, row, LAST_COL, text, &note)?;
    }

    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    sheet.set_paper_size(A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(workbook.save_to_buffer()?)
}

const LAST_COL: u16 = RETURN_HEADER.len() as u16 - 1;
const HEADER_ROW: u32 = 2;
const FIRST_DATA_ROW: u32 = HEADER_ROW + 1;
/// The printed form draws ten rows; a department bringing in many items gets a
/// few more before it has to insert rows.
const DATA_ROWS: u32 = 30;
const LAST_DATA_ROW: u32 = FIRST_DATA_ROW + DATA_ROWS - 1;

const SIGNATURE_LINE: &str =
    "填报人：                联系电话：                填报时间：      年    月    日";

/// The seed's notes. The fifth names the seed's own office and contact; a
/// template shipped to every center says where to send the form in general.
const NOTES: [&str; 6] = [
    "填报说明：",
    "1.认真重新梳理本单位权责清单和公共服务事项清单。",
    "2.梳理进驻大厅依申请六类和公共服务事项清单，并按表格内容填写。",
    "3.各单位除需特殊场地、涉及安全涉密因素等事项外，达到应进必进。",
    "4.事项类型包括依申请六类和公共服务事项；事项类别包括即办件和承诺件。",
    "5.经主要领导审核、签字盖章后报政务服务局。",
];

/// The item types a return may name: those on application (依申请六类和公共服务).
fn item_type_choices() -> Vec<&'static str> {
    ItemType::ALL
        .iter()
        .filter(|t| t.is_on_application())
        .map(|t| t.label())
        .collect()
}

fn case_kind_choices() -> Vec<&'static str> {
    CaseKind::ALL.iter().map(|k| k.label()).collect()
}

fn dropdown(column: &str, choices: &[&str]) -> Result<DataValidation, SheetError> {
    Ok(DataValidation::new()
        .allow_list_strings(choices)?
        .set_input_title(column)?
        .set_input_message("请从下拉列表中选择")?
        .set_error_title(format!("{column}无效"))?
        .set_error_message(format!("{column}应为：{}", choices.join("、")))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::{ReturnRow, read_item_return};

    #[test]
    fn the_dropdowns_offer_the_types_a_return_may_name() {
        assert_eq!(
            item_type_choices(),
            [
                "行政许可",
                "行政给付",
                "行政确认",
                "行政奖励",
                "行政裁决",
                "其他行政权力",
                "公共服务"
            ]
        );
        assert_eq!(case_kind_choices(), ["即办件", "承诺件"]);
    }

    #[test]
    fn the_template_has_the_forms_layout_and_no_data() {
        let bytes = item_return_template().unwrap();
        let sheet = first_sheet_name(&bytes);
        assert_eq!(sheet, "事项报送表");
        let values = values(&bytes, &sheet);
        assert_eq!(text_at(&values, 0, 0), RETURN_TITLE);
        assert_eq!(text_at(&values, 1, 0), "填报单位（盖章）：");
        let header: Vec<String> = (0..5).map(|c| text_at(&values, HEADER_ROW, c)).collect();
        assert_eq!(header, RETURN_HEADER);
        assert_eq!(text_at(&values, FIRST_DATA_ROW, 0), "1");
        assert!(text_at(&values, LAST_DATA_ROW + 1, 0).starts_with("填报人："));
        assert_eq!(text_at(&values, LAST_DATA_ROW + 2, 0), "填报说明：");
        assert!(text_at(&values, LAST_DATA_ROW + 6, 0).starts_with("4.事项类型"));
        // Numbered rows and notes are not items.
        assert!(matches!(read_item_return(&bytes), Err(SheetError::Empty)));
    }

    #[test]
    fn a_filled_in_template_reads_back() {
        // rust_xlsxwriter cannot reopen a file, so copy the template's top
        // rows as calamine reads them and type two items under them.
        let template = item_return_template().unwrap();
        let values = values(&template, &first_sheet_name(&template));
        let top: Vec<Vec<String>> = (0..=HEADER_ROW)
            .map(|r| (0..5).map(|c| text_at(&values, r, c)).collect())
            .collect();
        let mut rows: Vec<Vec<Cell>> = top
            .iter()
            .map(|r| {
                r.iter()
                    .map(|t| if t.is_empty() { Empty } else { Text(t) })
                    .collect()
            })
            .collect();
        rows.push(vec![
            Number(1.0),
            Text("医保局"),
            Text("医疗费用报销"),
            Text("行政给付"),
            Text("承诺件"),
        ]);
        rows.push(vec![
            Number(2.0),
            Text("医保局"),
            Text("参保登记"),
            Text("公共服务"),
            Text("即办件"),
        ]);
        let read = read_item_return(&workbook(&rows)).unwrap();
        assert_eq!(
            read[1],
            ReturnRow {
                row: 5,
                department: "医保局".into(),
                item_name: "参保登记".into(),
                item_type: "公共服务".into(),
                case_kind: "即办件".into(),
            }
        );
    }
}
