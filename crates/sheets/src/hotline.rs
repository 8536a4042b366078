//! Reading a 12345 hotline export (工单导出): an Excel workbook or a UTF-8
//! CSV file with one work order per row. Columns are found by their header,
//! in any order and under the names hotline systems commonly use; values
//! come back as written, with their row numbers, for the application to check.

use crate::SheetError;
use crate::read::{cell_text, header_name};
use calamine::{Reader, open_workbook_auto_from_rs};
use std::io::Cursor;

/// One work order as exported, every value trimmed but unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotlineRow {
    /// The 1-based row number in the file (the header is row 1 of a CSV).
    pub row: usize,
    pub external_no: String,
    pub complainant_name: String,
    pub phone: String,
    pub category: String,
    pub content: String,
    pub department: String,
    pub case_no: String,
    pub staff_name: String,
}

/// The columns, each with the names it may go by; the first four of the
/// last group are optional.
const COLUMNS: [(&str, &[&str], bool); 8] = [
    ("工单编号", &["工单编号", "工单号", "编号"], true),
    ("诉求人", &["诉求人", "来电人", "姓名", "诉求人姓名"], false),
    (
        "联系电话",
        &["联系电话", "来电号码", "电话", "手机号码"],
        true,
    ),
    ("诉求类别", &["诉求类别", "诉求类型", "类别"], true),
    ("诉求内容", &["诉求内容", "问题描述", "内容"], true),
    ("承办部门", &["承办部门", "责任部门", "涉及部门"], false),
    ("办件编号", &["办件编号"], false),
    ("被投诉人员", &["被投诉人员", "被投诉人"], false),
];

/// Reads the work orders of the first worksheet of an .xlsx/.xls file, or of
/// a CSV file (UTF-8, with or without a byte order mark).
pub fn read_hotline(bytes: &[u8]) -> Result<Vec<HotlineRow>, SheetError> {
    let (first_row, rows) = if is_workbook(bytes) {
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| SheetError::Unreadable(e.to_string()))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or_else(|| SheetError::Unreadable("the workbook has no worksheet".into()))?
            .map_err(|e| SheetError::Unreadable(e.to_string()))?;
        let first = range.start().map_or(0, |(row, _)| row as usize);
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|cells| cells.iter().map(cell_text).collect())
            .collect();
        (first, rows)
    } else {
        (0, csv_rows(bytes)?)
    };
    let (header, columns) = find_header(&rows)?;
    let mut found = Vec::new();
    for (index, cells) in rows.iter().enumerate().skip(header + 1) {
        let value = |i: usize| {
            columns[i]
                .and_then(|c| cells.get(c))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        found.push(HotlineRow {
            row: first_row + index + 1,
            external_no: value(0),
            complainant_name: value(1),
            phone: value(2),
            category: value(3),
            content: value(4),
            department: value(5),
            case_no: value(6),
            staff_name: value(7),
        });
    }
    if found.is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(found)
}

/// An .xlsx (a zip) or an .xls (an OLE compound file).
fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| SheetError::Unreadable("CSV is not UTF-8".into()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|rec| rec.iter().map(|s| s.trim().to_string()).collect())
                .map_err(|e| SheetError::Unreadable(e.to_string()))
        })
        .collect()
}

fn find_header(rows: &[Vec<String>]) -> Result<(usize, [Option<usize>; 8]), SheetError> {
    let mut best: Option<(usize, [Option<usize>; 8])> = None;
    for (index, cells) in rows.iter().take(10).enumerate() {
        let columns = COLUMNS.map(|(_, names, _)| {
            cells
                .iter()
                .position(|c| names.contains(&header_name(c).as_str()))
        });
        let complete = COLUMNS
            .iter()
            .zip(columns)
            .all(|((_, _, required), c)| !required || c.is_some());
        if complete {
            return Ok((index, columns));
        }
        let score = columns.iter().filter(|c| c.is_some()).count();
        if best.is_none_or(|(_, b)| b.iter().filter(|c| c.is_some()).count() < score) {
            best = Some((index, columns));
        }
    }
    let closest = best.map_or([None; 8], |(_, c)| c);
    let missing = COLUMNS
        .iter()
        .zip(closest)
        .filter(|((_, _, required), c)| *required && c.is_none())
        .map(|((name, _, _), _)| *name)
        .collect();
    Err(SheetError::NoHeader { missing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Cell, workbook};

    #[test]
    fn a_csv_export_is_read_by_its_header() {
        let csv = "\u{feff}工单号,来电人,来电号码,诉求类型,问题描述,承办部门\n\
                   12345-0001,刘女士,13947110002,办事拖延,\"养老保险转移一个月没结果，请督办\",人社局\n\
                   ,,,,,\n\
                   12345-0002,,0471-6218617,政策咨询,灵活就业人员如何参保,\n";
        let rows = read_hotline(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].external_no, "12345-0001");
        assert_eq!(rows[0].content, "养老保险转移一个月没结果，请督办");
        assert_eq!(rows[0].department, "人社局");
        assert_eq!(rows[1].row, 4);
        assert_eq!(rows[1].complainant_name, "");
        assert_eq!(rows[1].case_no, "");
    }

    #[test]
    fn a_workbook_export_is_read_too() {
        let bytes = workbook(&[
            vec![Cell::Text("12345热线工单导出")],
            vec![
                Cell::Text("工单编号"),
                Cell::Text("诉求类别"),
                Cell::Text("联系电话"),
                Cell::Text("诉求内容"),
                Cell::Text("办件编号"),
            ],
            vec![
                Cell::Text("A-1"),
                Cell::Text("服务态度"),
                Cell::Number(13947110003.0),
                Cell::Text("窗口人员态度生硬"),
                Cell::Text("XC-20260930-00001"),
            ],
        ]);
        let rows = read_hotline(&bytes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 3);
        assert_eq!(rows[0].phone, "13947110003");
        assert_eq!(rows[0].case_no, "XC-20260930-00001");
    }

    #[test]
    fn missing_columns_are_named() {
        let e = read_hotline("编号,姓名\n1,张三\n".as_bytes()).unwrap_err();
        assert_eq!(
            e.message(),
            "未找到表头：缺少“联系电话”、“诉求类别”、“诉求内容”列"
        );
        assert!(matches!(
            read_hotline("工单编号,联系电话,诉求类别,诉求内容\n".as_bytes()),
            Err(SheetError::Empty)
        ));
    }
}
