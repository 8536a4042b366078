//! The staff roster form (seed 001 attachment 3, 进驻大厅人员花名报送表): the
//! reader, the blank template and the export share one column list, so an
//! export reads back as a return. The form's own columns (人员类别 — 分管领导,
//! 首席负责人, 窗口工作人员 —, 姓名, 性别, 民族, 身份证号, 文化程度, 政治面貌,
//! 身份性质, 联系电话, 备注) come with the unit and what the hall adds: 窗口号,
//! 岗位 (A岗/B岗), 进驻日期 and 合同（服务）截止日期.
//!
//! Also the monthly attendance sheet (考勤月报).

use crate::SheetError;
use crate::form::{self, A4};
use crate::read::{cell_text, header_name};
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::io::Cursor;

/// The roster's columns left to right: the title printed, the names a header
/// may use (after dropping stars and anything in brackets), the width, and
/// whether the reader requires it.
pub const ROSTER_COLUMNS: [(&str, &[&str], f64, bool); 16] = [
    ("序号", &["序号"], 6.0, false),
    ("单位名称", &["单位名称", "单位", "填报单位"], 24.0, true),
    ("人员类别", &["人员类别", "人员信息", "类别"], 12.0, false),
    ("姓名", &["姓名"], 10.0, true),
    ("性别", &["性别"], 6.0, false),
    ("民族", &["民族"], 8.0, false),
    (
        "身份证号",
        &["身份证号", "身份证号码", "公民身份号码"],
        22.0,
        true,
    ),
    ("文化程度", &["文化程度", "学历"], 10.0, false),
    ("政治面貌", &["政治面貌"], 10.0, false),
    ("身份性质", &["身份性质", "用工性质"], 10.0, true),
    ("联系电话", &["联系电话", "电话", "手机号码"], 14.0, false),
    ("窗口号", &["窗口号", "窗口", "窗口编号"], 8.0, false),
    ("岗位", &["岗位", "AB岗"], 8.0, false),
    ("进驻日期", &["进驻日期", "进驻时间"], 12.0, false),
    (
        "合同（服务）截止日期",
        &["合同", "服务截止日期", "合同截止日期", "截止日期"],
        14.0,
        false,
    ),
    ("备注", &["备注"], 20.0, false),
];

/// The title above the header.
pub const ROSTER_TITLE: &str = "进驻大厅人员花名报送表";

/// One line of the form as written, trimmed but unchecked, with its 1-based
/// Excel row number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterRow {
    pub row: usize,
    pub department: String,
    /// 分管领导, 首席负责人 or 窗口工作人员 (empty: 窗口工作人员).
    pub role: String,
    pub name: String,
    pub sex: String,
    pub ethnicity: String,
    pub id_number: String,
    pub education: String,
    pub political_status: String,
    pub employment: String,
    pub phone: String,
    pub window: String,
    pub post: String,
    /// `YYYY-MM-DD` when the cell is an Excel date, else as typed.
    pub joined_on: String,
    pub term_ends_on: String,
    pub notes: String,
}

/// The column title a field of [`RosterRow`] comes from, for error messages.
pub fn roster_column(field: &str) -> &'static str {
    match field {
        "department_id" | "department" => "单位名称",
        "role" => "人员类别",
        "name" => "姓名",
        "sex" => "性别",
        "ethnicity" => "民族",
        "id_number" => "身份证号",
        "education" => "文化程度",
        "political_status" => "政治面貌",
        "employment" => "身份性质",
        "phone" => "联系电话",
        "window_id" | "window" => "窗口号",
        "post" => "岗位",
        "joined_on" => "进驻日期",
        "term_ends_on" => "合同（服务）截止日期",
        _ => "备注",
    }
}

/// Excel's day 0 (with its 1900 leap-year quirk, right from 1 March 1900).
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("a date");
    match base.checked_add_signed(chrono::Duration::days(serial.floor() as i64)) {
        Some(d) if serial >= 61.0 => d.format("%Y-%m-%d").to_string(),
        _ => serial.to_string(),
    }
}

fn cell(c: &Data, date: bool) -> String {
    match c {
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Float(f) if date => excel_date(*f),
        Data::Int(n) if date => excel_date(*n as f64),
        other => cell_text(other),
    }
}

/// Reads the roster lines of the first worksheet; the header is found among
/// the first ten rows (the form has its title and 填报单位 above it), and the
/// footer (填报人…, 备注：…) ends the data.
pub fn read_roster(bytes: &[u8]) -> Result<Vec<RosterRow>, SheetError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| SheetError::Unreadable("the workbook has no worksheet".into()))?
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let rows: Vec<&[Data]> = range.rows().collect();
    let mut header = None;
    let mut best: Option<Vec<Option<usize>>> = None;
    for (index, cells) in rows.iter().take(10).enumerate() {
        let names: Vec<String> = cells.iter().map(|c| header_name(&cell_text(c))).collect();
        let columns: Vec<Option<usize>> = ROSTER_COLUMNS
            .iter()
            .map(|(_, aliases, _, _)| names.iter().position(|n| aliases.contains(&n.as_str())))
            .collect();
        let complete = ROSTER_COLUMNS
            .iter()
            .zip(&columns)
            .all(|((_, _, _, required), c)| !required || c.is_some());
        if complete {
            header = Some((index, columns));
            break;
        }
        let score = columns.iter().flatten().count();
        if best
            .as_ref()
            .is_none_or(|b| b.iter().flatten().count() < score)
        {
            best = Some(columns);
        }
    }
    let Some((header, columns)) = header else {
        let closest = best.unwrap_or_else(|| vec![None; ROSTER_COLUMNS.len()]);
        let missing = ROSTER_COLUMNS
            .iter()
            .zip(closest)
            .filter(|((_, _, _, required), c)| *required && c.is_none())
            .map(|((name, _, _, _), _)| *name)
            .collect();
        return Err(SheetError::NoHeader { missing });
    };
    let mut found = Vec::new();
    for (index, cells) in rows.iter().enumerate().skip(header + 1) {
        let value = |i: usize| {
            let date = matches!(i, 13 | 14);
            columns[i]
                .and_then(|c| cells.get(c))
                .map(|v| cell(v, date).trim().to_string())
                .unwrap_or_default()
        };
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        if texts.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let first: String = texts
            .iter()
            .find(|c| !c.trim().is_empty())
            .map(|c| c.chars().filter(|c| !c.is_whitespace()).collect())
            .unwrap_or_default();
        if ["填报人", "备注:", "备注：", "填报说明"]
            .iter()
            .any(|m| first.starts_with(m))
        {
            break;
        }
        found.push(RosterRow {
            row: first_row + index + 1,
            department: value(1),
            role: value(2),
            name: value(3),
            sex: value(4),
            ethnicity: value(5),
            id_number: value(6),
            education: value(7),
            political_status: value(8),
            employment: value(9),
            phone: value(10),
            window: value(11),
            post: value(12),
            joined_on: value(13),
            term_ends_on: value(14),
            notes: value(15),
        });
    }
    if found.is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(found)
}

/// Writes the roster (or, with no rows, the blank template) as an .xlsx file
/// with one sheet, "花名册": the title, the header and one line per row.
pub fn write_roster(title: &str, rows: &[RosterRow]) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册")?;
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    let last = ROSTER_COLUMNS.len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last, title, &form::title_format())?;
    sheet.set_row_height(0, 30)?;
    let header = form::header_format();
    for (col, (name, _, width, _)) in (0..).zip(ROSTER_COLUMNS.iter()) {
        sheet.set_column_width(col, *width)?;
        sheet.write_string_with_format(1, col, *name, &header)?;
    }
    let body = form::body_format();
    let centred = form::body_format().set_align(FormatAlign::Center);
    for (r, line) in (2u32..).zip(rows) {
        let values = [
            line.department.as_str(),
            &line.role,
            &line.name,
            &line.sex,
            &line.ethnicity,
            &line.id_number,
            &line.education,
            &line.political_status,
            &line.employment,
            &line.phone,
            &line.window,
            &line.post,
            &line.joined_on,
            &line.term_ends_on,
            &line.notes,
        ];
        sheet.write_number_with_format(r, 0, f64::from(r - 1), &centred)?;
        for (c, v) in (1u16..).zip(values) {
            sheet.write_string_with_format(r, c, v, &body)?;
        }
    }
    let last_row = u32::try_from(rows.len() + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.autofilter(1, 0, last_row, last)?;
    sheet.set_freeze_panes(2, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// The blank roster form to fill in.
pub fn roster_template() -> Result<Vec<u8>, SheetError> {
    write_roster(&format!("______________单位{ROSTER_TITLE}"), &[])
}

/// One person's line of the monthly attendance sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendanceLine {
    pub department: String,
    pub name: String,
    pub window: String,
    /// One short mark per day of the month: √ present, 迟 late, 退 early
    /// leave, 迟退 both, 缺 absent, 休 not a working day, empty otherwise.
    pub days: Vec<String>,
    pub working_days: u32,
    pub present: u32,
    pub late: u32,
    pub early_leave: u32,
    pub absent: u32,
}

/// The monthly attendance sheet: a title, one line per person with a column
/// per day and the month's counts.
pub fn write_attendance(title: &str, lines: &[AttendanceLine]) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("考勤月报")?;
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    let days = lines.iter().map(|l| l.days.len()).max().unwrap_or(31) as u16;
    let totals = ["应出勤", "出勤", "迟到", "早退", "缺勤"];
    let last = 3 + days + totals.len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last, title, &form::title_format())?;
    let header = form::header_format();
    for (c, t) in (0u16..).zip(["单位", "姓名", "窗口"]) {
        sheet.write_string_with_format(1, c, t, &header)?;
    }
    sheet.set_column_width(0, 22)?;
    for d in 0..days {
        sheet.write_string_with_format(1, 3 + d, (d + 1).to_string(), &header)?;
        sheet.set_column_width(3 + d, 4)?;
    }
    for (i, t) in (0u16..).zip(totals) {
        sheet.write_string_with_format(1, 3 + days + i, t, &header)?;
    }
    let body = form::body_format();
    let centred = Format::new().set_align(FormatAlign::Center);
    for (r, l) in (2u32..).zip(lines) {
        sheet.write_string_with_format(r, 0, &l.department, &body)?;
        sheet.write_string_with_format(r, 1, &l.name, &body)?;
        sheet.write_string_with_format(r, 2, &l.window, &body)?;
        for (d, mark) in (0u16..).zip(&l.days) {
            sheet.write_string_with_format(r, 3 + d, mark, &centred)?;
        }
        for (i, n) in (0u16..).zip([l.working_days, l.present, l.late, l.early_leave, l.absent]) {
            sheet.write_number_with_format(r, 3 + days + i, f64::from(n), &centred)?;
        }
    }
    sheet.set_freeze_panes(2, 3)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn an_export_reads_back_as_a_return() {
        let line = RosterRow {
            row: 3,
            department: "人社局".into(),
            role: "窗口工作人员".into(),
            name: "张敏".into(),
            sex: "男".into(),
            ethnicity: "汉族".into(),
            id_number: "110101199003074514".into(),
            education: "本科".into(),
            political_status: "群众".into(),
            employment: "聘用".into(),
            phone: "138****0001".into(),
            window: "01".into(),
            post: "A岗".into(),
            joined_on: "2025-03-01".into(),
            term_ends_on: "2027-02-28".into(),
            notes: String::new(),
        };
        let bytes = write_roster(ROSTER_TITLE, std::slice::from_ref(&line)).unwrap();
        assert_eq!(read_roster(&bytes).unwrap(), vec![line]);
        assert!(matches!(
            read_roster(&roster_template().unwrap()),
            Err(SheetError::Empty)
        ));
    }

    #[test]
    fn dates_typed_as_excel_dates_are_read_as_dates() {
        let bytes = workbook(&[
            vec![
                Text("单位名称"),
                Text("姓名"),
                Text("身份证号"),
                Text("身份性质"),
                Text("进驻日期"),
            ],
            vec![
                Text("人社局"),
                Text("李"),
                Text("x"),
                Text("正式"),
                Number(46082.0),
            ],
            vec![Text("填报人：王")],
        ]);
        let rows = read_roster(&bytes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].joined_on, "2026-03-01");
        assert_eq!(rows[0].row, 2);
    }

    #[test]
    fn missing_columns_are_named() {
        let bytes = workbook(&[
            vec![Text("姓名"), Text("性别")],
            vec![Text("a"), Text("男")],
        ]);
        assert_eq!(
            read_roster(&bytes).unwrap_err().message(),
            "未找到表头：缺少“单位名称”、“身份证号”、“身份性质”列"
        );
    }
}
