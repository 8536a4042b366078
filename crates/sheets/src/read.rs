//! Reading a department's return (事项报送表, seed 001 attachment 2).
//!
//! Departments fill the form by hand in whatever Excel they have, so the reader
//! is forgiving about layout: the header is looked for among the first rows,
//! its columns may come in any order and under a few usual names, the
//! pre-numbered empty rows and the signature and notes at the foot of the form
//! are skipped. It is strict about nothing else: values come back as written.

use crate::SheetError;
use crate::form::{CASE_KIND, DEPARTMENT, ITEM_NAME, ITEM_TYPE};
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use std::io::Cursor;

/// One filled row of a return, with every value trimmed but unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRow {
    /// The 1-based Excel row number, for error messages such as "第5行".
    pub row: usize,
    pub department: String,
    pub item_name: String,
    pub item_type: String,
    pub case_kind: String,
}

/// Reads the data rows of the first worksheet of an .xlsx or .xls return.
pub fn read_item_return(bytes: &[u8]) -> Result<Vec<ReturnRow>, SheetError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| SheetError::Unreadable("the workbook has no worksheet".into()))?
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    // The range starts at the first used cell, not at A1: row numbers are
    // counted from its start so they match what the user sees in Excel.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|cells| cells.iter().map(cell_text).collect())
        .collect();

    let (header_index, columns) = find_header(&rows)?;
    let mut found = Vec::new();
    for (index, cells) in rows.iter().enumerate().skip(header_index + 1) {
        if is_footer(cells) {
            // Only the signature line and the notes follow the footer.
            break;
        }
        let [department, item_name, item_type, case_kind] =
            columns.map(|c| cells.get(c).cloned().unwrap_or_default());
        // The printed form numbers its empty rows, so a row counts only when
        // one of the four data cells is filled, whatever 序号 says.
        if [&department, &item_name, &item_type, &case_kind]
            .iter()
            .all(|v| v.is_empty())
        {
            continue;
        }
        found.push(ReturnRow {
            row: first_row + index + 1,
            department,
            item_name,
            item_type,
            case_kind,
        });
    }
    if found.is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(found)
}

/// How many rows from the top may hold the header: the real form has a title
/// and a 填报单位 line above it, and some departments add a line or two more.
const HEADER_SEARCH_ROWS: usize = 10;

/// The four required columns, by canonical name and the names accepted for
/// them, in the order of [`ReturnRow`]'s fields.
const REQUIRED: [(&str, &[&str]); 4] = [
    (DEPARTMENT, &[DEPARTMENT, "部门", "部门名称"]),
    (ITEM_NAME, &[ITEM_NAME]),
    (ITEM_TYPE, &[ITEM_TYPE]),
    (CASE_KIND, &[CASE_KIND, "办件类型", "办件类别"]),
];

/// What the first non-empty cell of a footer row starts with.
const FOOTER_MARKERS: [&str; 6] = [
    "填报人",
    "填表人",
    "填报说明",
    "填表说明",
    "填报时间",
    "联系人",
];

/// Finds the header row and the column index of each required field, or
/// names the fields missing from the row that came closest.
fn find_header(rows: &[Vec<String>]) -> Result<(usize, [usize; 4]), SheetError> {
    let mut closest = [None; 4];
    for (index, cells) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let columns = REQUIRED.map(|(_, names)| {
            cells
                .iter()
                .position(|c| names.contains(&header_name(c).as_str()))
        });
        if let [Some(a), Some(b), Some(c), Some(d)] = columns {
            return Ok((index, [a, b, c, d]));
        }
        if matched(&columns) > matched(&closest) {
            closest = columns;
        }
    }
    let missing = REQUIRED
        .iter()
        .zip(closest)
        .filter(|(_, c)| c.is_none())
        .map(|((name, _), _)| *name)
        .collect();
    Err(SheetError::NoHeader { missing })
}

fn matched(columns: &[Option<usize>; 4]) -> usize {
    columns.iter().filter(|c| c.is_some()).count()
}

/// A header cell reduced to its name: whitespace (including line breaks of
/// wrapped headers), required-field stars and a trailing explanation in
/// brackets, as in "办理类别（即办件/承诺件）", are dropped.
pub(crate) fn header_name(cell: &str) -> String {
    let name = cell.split(['(', '（']).next().unwrap_or_default();
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
        .collect()
}

fn is_footer(cells: &[String]) -> bool {
    cells.iter().find(|c| !c.is_empty()).is_some_and(|first| {
        let name: String = first.chars().filter(|c| !c.is_whitespace()).collect();
        FOOTER_MARKERS.iter().any(|m| name.starts_with(m))
    })
}

/// The text of a cell as a person reads it: trimmed, and whole numbers
/// without a trailing ".0" (a name or code typed as a number).
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number_text(*f),
        // A date has no business in these columns; its serial number at least
        // shows the user which cell to fix.
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::Bool(_) | Data::Error(_) => cell.to_string(),
    }
}

fn number_text(f: f64) -> String {
    // Whole numbers within f64's exact integer range print as integers.
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn header() -> Vec<Cell<'static>> {
        vec![
            Text("序号"),
            Text("单位名称"),
            Text("事项名称"),
            Text("事项类型"),
            Text("办理类别"),
        ]
    }

    #[test]
    fn reads_the_real_forms_layout() {
        let bytes = workbook_with_merged_title(
            "单位进驻大厅依申请六类和公共服务事项报送表",
            &[
                vec![Text("填报单位（盖章）：新城区人力资源和社会保障局")],
                header(),
                vec![
                    Number(1.0),
                    Text(" 人社局 "),
                    Text("失业保险金申领"),
                    Text("行政给付"),
                    Text("承诺件"),
                ],
                vec![
                    Number(2.0),
                    Text("人社局"),
                    Text("就业创业证申领"),
                    Text("公共服务"),
                    Text("即办件"),
                ],
                vec![
                    Number(3.0),
                    Text("人社局"),
                    Text("职业培训补贴申领"),
                    Text("行政给付"),
                    Text("承诺件"),
                ],
                vec![Number(4.0)],
                vec![],
                vec![Text("填报人：张三            联系电话：6218617")],
                vec![Text("填报说明：")],
                vec![
                    Text("1.认真重新梳理本单位权责清单和公共服务事项清单。"),
                    Text("人社局"),
                ],
            ],
        );
        let rows = read_item_return(&bytes).unwrap();
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 5, 6]);
        assert_eq!(
            rows[0],
            ReturnRow {
                row: 4,
                department: "人社局".into(),
                item_name: "失业保险金申领".into(),
                item_type: "行政给付".into(),
                case_kind: "承诺件".into(),
            }
        );
        assert_eq!(rows[2].item_name, "职业培训补贴申领");
    }

    #[test]
    fn columns_may_come_in_any_order_and_under_other_names() {
        let bytes = workbook(&[
            vec![
                Text("办件类型"),
                Text("事项名称"),
                Text("部门"),
                Text("事项\n类型"),
            ],
            vec![
                Text("即办件"),
                Text("残疾人证核发"),
                Text("残联"),
                Text("行政确认"),
            ],
        ]);
        let rows = read_item_return(&bytes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].department, "残联");
        assert_eq!(rows[0].item_name, "残疾人证核发");
        assert_eq!(rows[0].item_type, "行政确认");
        assert_eq!(rows[0].case_kind, "即办件");
    }

    #[test]
    fn header_names_may_carry_stars_and_explanations() {
        let bytes = workbook(&[
            vec![
                Text("*单位名称"),
                Text("事项名称"),
                Text("事项类型（依申请六类）"),
                Text("办理类别(即办件/承诺件)"),
            ],
            vec![
                Text("民政局"),
                Text("结婚登记"),
                Text("行政确认"),
                Text("即办件"),
            ],
        ]);
        assert_eq!(read_item_return(&bytes).unwrap()[0].department, "民政局");
    }

    #[test]
    fn row_numbers_count_from_a1_when_the_sheet_starts_lower() {
        let bytes = workbook_at(
            4,
            2,
            &[
                header(),
                vec![
                    Number(1.0),
                    Text("林业局"),
                    Text("林木采伐许可"),
                    Text("行政许可"),
                    Text("承诺件"),
                ],
            ],
        );
        let rows = read_item_return(&bytes).unwrap();
        assert_eq!(rows[0].row, 6);
        assert_eq!(rows[0].item_name, "林木采伐许可");
    }

    #[test]
    fn a_missing_column_is_named() {
        let bytes = workbook(&[
            vec![
                Text("序号"),
                Text("单位名称"),
                Text("事项名称"),
                Text("办理类别"),
            ],
            vec![
                Number(1.0),
                Text("民委"),
                Text("少数民族身份认定"),
                Text("承诺件"),
            ],
        ]);
        let err = read_item_return(&bytes).unwrap_err();
        assert!(
            matches!(&err, SheetError::NoHeader { missing } if missing == &["事项类型"]),
            "{err:?}"
        );
        assert_eq!(err.message(), "未找到表头：缺少“事项类型”列");
    }

    #[test]
    fn a_sheet_without_any_header_misses_every_column() {
        let bytes = workbook(&[vec![Text("人社局"), Text("失业保险金申领")]]);
        let err = read_item_return(&bytes).unwrap_err();
        assert!(
            matches!(&err, SheetError::NoHeader { missing } if missing.len() == 4),
            "{err:?}"
        );
    }

    #[test]
    fn the_header_must_be_within_the_first_ten_rows() {
        let mut rows: Vec<Vec<Cell>> = (0..10).map(|_| vec![Text("说明")]).collect();
        rows.push(header());
        rows.push(vec![
            Number(1.0),
            Text("城管局"),
            Text("占道许可"),
            Text("行政许可"),
            Text("承诺件"),
        ]);
        assert!(matches!(
            read_item_return(&workbook(&rows)),
            Err(SheetError::NoHeader { .. })
        ));
    }

    #[test]
    fn garbage_is_unreadable() {
        for bytes in [
            &b"not an excel file at all"[..],
            &[],
            &[0x50, 0x4B, 0x03, 0x04, 0, 0],
        ] {
            let err = read_item_return(bytes).unwrap_err();
            assert!(matches!(err, SheetError::Unreadable(_)), "{err:?}");
            assert_eq!(err.code(), "sheet.unreadable");
        }
    }

    #[test]
    fn a_header_without_data_is_empty() {
        let err = read_item_return(&workbook(&[header()])).unwrap_err();
        assert!(matches!(err, SheetError::Empty), "{err:?}");
        // The printed form's numbered but unfilled rows are no data either.
        let numbered = [header(), vec![Number(1.0)], vec![Number(2.0), Text(" ")]];
        assert!(matches!(
            read_item_return(&workbook(&numbered)),
            Err(SheetError::Empty)
        ));
    }

    #[test]
    fn numbers_read_as_people_typed_them() {
        let bytes = workbook(&[
            vec![
                Text("单位名称"),
                Text("事项名称"),
                Text("事项类型"),
                Text("办理类别"),
            ],
            vec![Number(12.0), Number(2020.0), Number(1.0), Number(1.5)],
        ]);
        let row = &read_item_return(&bytes).unwrap()[0];
        assert_eq!(
            (row.department.as_str(), row.item_name.as_str()),
            ("12", "2020")
        );
        assert_eq!(
            (row.item_type.as_str(), row.case_kind.as_str()),
            ("1", "1.5")
        );
    }

    #[test]
    fn cells_are_trimmed_and_empty_cells_stay_empty() {
        let bytes = workbook(&[
            header(),
            vec![
                Number(1.0),
                Text("\u{3000}司法局\u{3000}"),
                Text(" 公证 \n"),
                Empty,
                Text("即办件"),
            ],
        ]);
        let row = &read_item_return(&bytes).unwrap()[0];
        assert_eq!(row.department, "司法局");
        assert_eq!(row.item_name, "公证");
        assert_eq!(row.item_type, "");
    }
}
