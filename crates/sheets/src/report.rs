//! The entry report export (seed 001 attachment 1, 政务服务“三集中三到位”相关单位
//! 汇总表), laid out to be printed on landscape A4 and handed to the leadership.
//!
//! Rates are written as real numbers with a percentage format, so they can be
//! sorted and summed in Excel; a rate with nothing to divide by is a dash.

use crate::SheetError;
use crate::form::{self, A4};
use domain::report::{EntryReport, EntryRow, Percent};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// Writes the report with `title` above it, one line per department and a
/// bold 合计 line from `report.total`.
pub fn write_entry_report(report: &EntryReport, title: &str) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("汇总表")?;

    sheet.merge_range(0, 0, 0, LAST_COL, title, &form::title_format())?;
    sheet.set_row_height(0, 32)?;
    let header = form::header_format();
    for (col, (name, width)) in (0..).zip(COLUMNS) {
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(HEADER_ROW, col, name, &header)?;
    }
    sheet.set_row_height(HEADER_ROW, 45)?;

    let plain = LineFormats::new(false);
    for ((row, serial), line) in (HEADER_ROW + 1..).zip(1u32..).zip(&report.rows) {
        sheet.write_number_with_format(row, 0, serial, &plain.number)?;
        sheet.write_string_with_format(row, 1, &line.department, &plain.text)?;
        write_figures(sheet, row, line, &plain)?;
    }
    let lines = u32::try_from(report.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let total_row = HEADER_ROW + 1 + lines;
    let bold = LineFormats::new(true);
    sheet.merge_range(total_row, 0, total_row, 1, "合计", &bold.number)?;
    write_figures(sheet, total_row, &report.total, &bold)?;

    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_repeat_rows(0, HEADER_ROW)?;
    Ok(workbook.save_to_buffer()?)
}

const HEADER_ROW: u32 = 1;

/// The report's columns and their widths, in Excel character units.
const COLUMNS: [(&str, f64); 11] = [
    ("序号", 6.0),
    ("单位名称", 22.0),
    ("依申请六类和公共服务事项数", 14.0),
    ("已进驻事项数", 10.0),
    ("经批准不进驻事项数", 12.0),
    ("进驻率", 10.0),
    ("现设窗口数", 10.0),
    ("授权到位事项数", 10.0),
    ("是否授权到位", 10.0),
    ("网上可办事项数", 10.0),
    ("网上可办率", 10.0),
];
const LAST_COL: u16 = COLUMNS.len() as u16 - 1;

/// Everything right of the department's name, for a department or the total.
fn write_figures(
    sheet: &mut Worksheet,
    row: u32,
    line: &EntryRow,
    f: &LineFormats,
) -> Result<(), SheetError> {
    sheet.write_number_with_format(row, 2, line.applicable_items, &f.number)?;
    sheet.write_number_with_format(row, 3, line.entered_items, &f.number)?;
    sheet.write_number_with_format(row, 4, line.exempt_items, &f.number)?;
    write_rate(sheet, row, 5, line.entry_rate, f)?;
    sheet.write_number_with_format(row, 6, line.windows, &f.number)?;
    sheet.write_number_with_format(row, 7, line.authorised_items, &f.number)?;
    sheet.write_string_with_format(
        row,
        8,
        if line.fully_authorised { "是" } else { "否" },
        &f.number,
    )?;
    sheet.write_number_with_format(row, 9, line.online_items, &f.number)?;
    write_rate(sheet, row, 10, line.online_rate, f)?;
    Ok(())
}

fn write_rate(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    rate: Percent,
    f: &LineFormats,
) -> Result<(), SheetError> {
    match rate.value() {
        // Percent counts in hundredths; Excel's percentage format in units.
        Some(percent) => sheet.write_number_with_format(row, col, percent / 100.0, &f.percent)?,
        None => sheet.write_string_with_format(row, col, "—", &f.number)?,
    };
    Ok(())
}

/// The formats of one line: `number` is centred and serves for every short
/// value, `text` for the department's name.
struct LineFormats {
    text: Format,
    number: Format,
    percent: Format,
}

impl LineFormats {
    fn new(bold: bool) -> Self {
        let base = if bold {
            form::body_format().set_bold()
        } else {
            form::body_format()
        };
        let number = base.clone().set_align(FormatAlign::Center);
        Self {
            percent: number.clone().set_num_format("0.0%"),
            number,
            text: base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use calamine::Data;
    use domain::report::EntryCounts;

    const TITLE: &str = "政务服务“三集中三到位”相关单位汇总表";

    fn report() -> EntryReport {
        EntryReport::build(&[
            EntryCounts {
                department_id: 1,
                department: "卫健委".into(),
                applicable: 21,
                entered: 11,
                windows: 2,
                authorised: 11,
                online: 15,
                ..Default::default()
            },
            EntryCounts {
                department_id: 2,
                department: "科技局".into(),
                applicable: 1,
                exempt: 1,
                ..Default::default()
            },
        ])
    }

    #[test]
    fn the_report_has_title_header_lines_and_a_total() {
        let bytes = write_entry_report(&report(), TITLE).unwrap();
        let sheet = first_sheet_name(&bytes);
        let v = values(&bytes, &sheet);
        assert_eq!(text_at(&v, 0, 0), TITLE);
        let header: Vec<String> = (0..11).map(|c| text_at(&v, 1, c)).collect();
        assert_eq!(header, COLUMNS.map(|(name, _)| name));
        assert_eq!(text_at(&v, 2, 1), "卫健委");
        assert_eq!(text_at(&v, 2, 8), "是");
        // 科技局 has nothing left to enter once its exempt item is removed.
        assert_eq!(text_at(&v, 3, 5), "—");
        assert_eq!(text_at(&v, 3, 8), "否");

        assert_eq!(text_at(&v, 4, 0), "合计");
        let total: Vec<String> = (2..8).map(|c| text_at(&v, 4, c)).collect();
        assert_eq!(total[..3], ["22", "11", "1"]);
        assert_eq!(total[4..], ["2", "11"]);
        let styles = styles(&bytes, &sheet);
        assert!(styles.get((4, 2)).unwrap().font.as_ref().unwrap().is_bold());
        assert!(
            !styles
                .get((2, 2))
                .unwrap()
                .font
                .as_ref()
                .is_some_and(|f| f.is_bold())
        );
    }

    #[test]
    fn rates_are_percentage_numbers() {
        let bytes = write_entry_report(&report(), TITLE).unwrap();
        let sheet = first_sheet_name(&bytes);
        let v = values(&bytes, &sheet);
        // 11 of 21 entered: 52.4%, stored as 0.524 and shown as a percentage.
        match v.get_value((2, 5)) {
            Some(Data::Float(rate)) => assert!((rate - 0.524).abs() < 1e-9, "{rate}"),
            other => panic!("the entry rate is not a number: {other:?}"),
        }
        // The total's online rate: 15 of 22 items.
        match v.get_value((4, 10)) {
            Some(Data::Float(rate)) => assert!((rate - 0.682).abs() < 1e-9, "{rate}"),
            other => panic!("the total online rate is not a number: {other:?}"),
        }
        let styles = styles(&bytes, &sheet);
        for pos in [(2, 5), (4, 10)] {
            let format = styles.get(pos).unwrap().number_format.as_ref().unwrap();
            assert_eq!(format.format_code, "0.0%");
        }
    }

    #[test]
    fn a_report_without_departments_has_only_the_total() {
        let bytes = write_entry_report(&EntryReport::build(&[]), TITLE).unwrap();
        let v = values(&bytes, &first_sheet_name(&bytes));
        assert_eq!(text_at(&v, 2, 0), "合计");
        assert_eq!(text_at(&v, 2, 5), "—");
    }
}
