//! The statistics reports as Excel, for printing and filing: the case report
//! (办件统计表, by department, item or month), the ratings report (好差评统计表,
//! by department and by window staff) and the complaint report (投诉与诉求统计表,
//! by category and by department).
//!
//! Each sheet is one table: a title across it (with the period), a header
//! row, one line per unit and, where the units add up, a bold 合计 line.
//! Counts are numbers, rates real numbers with a percentage format (so they
//! sort and sum in Excel), and a rate with nothing to divide by is a dash.

use crate::SheetError;
use crate::form::{self, A4};
use domain::rating::RatingCounts;
use domain::stats::{CaseFigures, CaseStats, ComplaintFigures, ComplaintStats, StatsGroup};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// One department or staff member of the ratings report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingLine {
    /// The department's or the staff member's name.
    pub name: String,
    /// The staff member's department; unused on the department sheet.
    pub department: String,
    pub counts: RatingCounts,
}

/// Writes the case report with `title` (which names the period) above it.
pub fn write_case_report(stats: &CaseStats, title: &str) -> Result<Vec<u8>, SheetError> {
    let unit = match stats.group {
        StatsGroup::Department => "部门",
        StatsGroup::Item => "事项名称",
        StatsGroup::Month => "月份",
    };
    let mut columns = vec![SERIAL, col(unit, 26.0)];
    if stats.group == StatsGroup::Item {
        columns[1].width = 36.0;
        columns.push(col("部门", 22.0));
    }
    columns.extend(CASE_COLUMNS);
    let rows = stats
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::Text(r.name.clone())];
            if stats.group == StatsGroup::Item {
                cells.push(Cell::Text(r.department.clone()));
            }
            cells.extend(case_cells(&r.figures));
            cells
        })
        .collect();
    let mut total = Vec::new();
    if stats.group == StatsGroup::Item {
        total.push(Cell::Text(String::new()));
    }
    total.extend(case_cells(&stats.total));
    let mut book = Workbook::new();
    write_table(
        &mut book,
        &Table {
            sheet: "办件统计",
            title,
            columns: &columns,
            rows,
            total: Some(total),
        },
    )?;
    Ok(book.save_to_buffer()?)
}

/// Writes the ratings report: a sheet of departments with their total and
/// a sheet of the window staff who served.
pub fn write_rating_report(
    title: &str,
    departments: &[RatingLine],
    total: &RatingCounts,
    staff: &[RatingLine],
) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    let mut columns = vec![SERIAL, col("部门", 26.0), col("受理办件", 10.0)];
    columns.extend(RATING_COLUMNS);
    columns.push(col("未评价率", 10.0));
    let line = |c: &RatingCounts| {
        let mut cells = vec![Cell::Count(c.cases)];
        cells.extend(rating_cells(c));
        cells.push(Cell::Rate(c.unrated_rate()));
        cells
    };
    write_table(
        &mut book,
        &Table {
            sheet: "各部门",
            title,
            columns: &columns,
            rows: departments
                .iter()
                .map(|d| {
                    let mut cells = vec![Cell::Text(d.name.clone())];
                    cells.extend(line(&d.counts));
                    cells
                })
                .collect(),
            total: Some(line(total)),
        },
    )?;
    let mut columns = vec![SERIAL, col("姓名", 14.0), col("部门", 26.0)];
    columns.extend(RATING_COLUMNS);
    write_table(
        &mut book,
        &Table {
            sheet: "窗口工作人员",
            title,
            columns: &columns,
            rows: staff
                .iter()
                .map(|s| {
                    let mut cells =
                        vec![Cell::Text(s.name.clone()), Cell::Text(s.department.clone())];
                    cells.extend(rating_cells(&s.counts));
                    cells
                })
                .collect(),
            total: None,
        },
    )?;
    Ok(book.save_to_buffer()?)
}

/// Writes the complaint report: a sheet by category and one by department,
/// each with the total.
pub fn write_complaint_report(stats: &ComplaintStats, title: &str) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    for (sheet, unit, lines) in [
        ("按类别", "类别", &stats.by_category),
        ("按部门", "承办部门", &stats.by_department),
    ] {
        let mut columns = vec![SERIAL, col(unit, 26.0)];
        columns.extend(COMPLAINT_COLUMNS);
        write_table(
            &mut book,
            &Table {
                sheet,
                title,
                columns: &columns,
                rows: lines
                    .iter()
                    .map(|l| {
                        let mut cells = vec![Cell::Text(l.name.clone())];
                        cells.extend(complaint_cells(&l.figures));
                        cells
                    })
                    .collect(),
                total: Some(complaint_cells(&stats.total)),
            },
        )?;
    }
    Ok(book.save_to_buffer()?)
}

// ------------------------------------------------------------------ layout

/// A column's header and width, in Excel character units.
#[derive(Debug, Clone, Copy)]
struct Column {
    name: &'static str,
    width: f64,
}

const fn col(name: &'static str, width: f64) -> Column {
    Column { name, width }
}

const SERIAL: Column = col("序号", 6.0);

const CASE_COLUMNS: [Column; 9] = [
    col("受理件数", 10.0),
    col("即办件", 9.0),
    col("即办件占比", 10.0),
    col("网上申报", 9.0),
    col("网上办理占比", 11.0),
    col("办结件数", 10.0),
    col("按时办结", 10.0),
    col("按时办结率", 11.0),
    col("平均办理用时（工作日）", 13.0),
];

const RATING_COLUMNS: [Column; 6] = [
    col("有效评价", 10.0),
    col("好评", 8.0),
    col("差评", 8.0),
    col("好评率", 10.0),
    col("差评已整改", 10.0),
    col("差评整改率", 11.0),
];

const COMPLAINT_COLUMNS: [Column; 10] = [
    col("受理件数", 10.0),
    col("已答复", 9.0),
    col("答复率", 9.0),
    col("按时答复", 9.0),
    col("按时答复率", 11.0),
    col("超期未答复", 11.0),
    col("满意", 8.0),
    col("基本满意", 9.0),
    col("不满意", 8.0),
    col("满意率", 9.0),
];

fn case_cells(f: &CaseFigures) -> Vec<Cell> {
    vec![
        Cell::Count(f.accepted),
        Cell::Count(f.immediate),
        Cell::Rate(f.immediate_share()),
        Cell::Count(f.online),
        Cell::Rate(f.online_share()),
        Cell::Count(f.concluded),
        Cell::Count(f.on_time),
        Cell::Rate(f.on_time_rate()),
        Cell::Days(f.average_working_days()),
    ]
}

fn rating_cells(c: &RatingCounts) -> Vec<Cell> {
    vec![
        Cell::Count(c.ratings),
        Cell::Count(c.good),
        Cell::Count(c.bad),
        Cell::Rate(c.good_rate()),
        Cell::Count(c.rectified),
        Cell::Rate(c.rectification_rate()),
    ]
}

fn complaint_cells(f: &ComplaintFigures) -> Vec<Cell> {
    vec![
        Cell::Count(f.received),
        Cell::Count(f.answered),
        Cell::Rate(f.answer_rate()),
        Cell::Count(f.answered_on_time),
        Cell::Rate(f.on_time_rate()),
        Cell::Count(f.overdue_open),
        Cell::Count(f.satisfied),
        Cell::Count(f.basic),
        Cell::Count(f.dissatisfied),
        Cell::Rate(f.satisfaction_rate()),
    ]
}

/// One value of a line, right of its serial number.
enum Cell {
    Text(String),
    Count(i64),
    /// 0–1, shown as a percentage.
    Rate(Option<f64>),
    /// Working days, one decimal.
    Days(Option<f64>),
}

struct Table<'a> {
    sheet: &'a str,
    title: &'a str,
    columns: &'a [Column],
    /// Each line's cells after the serial number.
    rows: Vec<Vec<Cell>>,
    /// The 合计 line's cells after the unit's name, if the lines add up.
    total: Option<Vec<Cell>>,
}

const HEADER_ROW: u32 = 1;

fn write_table(book: &mut Workbook, t: &Table) -> Result<(), SheetError> {
    let sheet = book.add_worksheet();
    sheet.set_name(t.sheet)?;
    let last = u16::try_from(t.columns.len().saturating_sub(1))
        .map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.merge_range(0, 0, 0, last, t.title, &form::title_format())?;
    sheet.set_row_height(0, 32)?;
    let header = form::header_format();
    for (c, column) in (0..).zip(t.columns) {
        sheet.set_column_width(c, column.width)?;
        sheet.write_string_with_format(HEADER_ROW, c, column.name, &header)?;
    }
    sheet.set_row_height(HEADER_ROW, 36)?;

    let plain = LineFormats::new(false);
    let mut row = HEADER_ROW + 1;
    for (serial, cells) in (1u32..).zip(&t.rows) {
        sheet.write_number_with_format(row, 0, serial, &plain.number)?;
        for (c, cell) in (1..).zip(cells) {
            write_cell(sheet, row, c, cell, &plain)?;
        }
        row += 1;
    }
    if let Some(total) = &t.total {
        let bold = LineFormats::new(true);
        sheet.merge_range(row, 0, row, 1, "合计", &bold.number)?;
        for (c, cell) in (2..).zip(total) {
            write_cell(sheet, row, c, cell, &bold)?;
        }
    }

    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_repeat_rows(0, HEADER_ROW)?;
    Ok(())
}

fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    f: &LineFormats,
) -> Result<(), SheetError> {
    match cell {
        Cell::Text(t) => sheet.write_string_with_format(row, col, t, &f.text)?,
        // Counts of one report stay far below 2^53: exact as f64.
        Cell::Count(n) => sheet.write_number_with_format(row, col, *n as f64, &f.number)?,
        Cell::Rate(Some(r)) => sheet.write_number_with_format(row, col, *r, &f.percent)?,
        Cell::Days(Some(d)) => sheet.write_number_with_format(row, col, *d, &f.days)?,
        Cell::Rate(None) | Cell::Days(None) => {
            sheet.write_string_with_format(row, col, "—", &f.number)?
        }
    };
    Ok(())
}

/// The formats of one line: `number` is centred and serves for every short
/// value, `text` for names.
struct LineFormats {
    text: Format,
    number: Format,
    percent: Format,
    days: Format,
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
            days: number.clone().set_num_format("0.0"),
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
    use chrono::NaiveDate;
    use domain::stats::{CaseStatsRow, ComplaintStatsRow};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn number(v: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
        match v.get_value((row, col)) {
            Some(Data::Float(f)) => *f,
            other => panic!("({row}, {col}) is not a number: {other:?}"),
        }
    }

    fn stats(group: StatsGroup) -> CaseStats {
        let row = |key: &str, name: &str, figures| CaseStatsRow {
            key: key.into(),
            name: name.into(),
            department: "人社局".into(),
            figures,
        };
        CaseStats::new(
            day("2026-10-01"),
            day("2026-10-31"),
            group,
            vec![
                row(
                    "1",
                    "人社局",
                    CaseFigures {
                        accepted: 4,
                        immediate: 1,
                        online: 2,
                        concluded: 3,
                        on_time: 2,
                        working_days: 10,
                    },
                ),
                row("2", "市场监管局", CaseFigures::default()),
            ],
        )
    }

    #[test]
    fn the_case_report_has_title_header_rates_and_a_total() {
        let title = "办件统计表（按部门，2026-10-01至2026-10-31）";
        let bytes = write_case_report(&stats(StatsGroup::Department), title).unwrap();
        let sheet = first_sheet_name(&bytes);
        assert_eq!(sheet, "办件统计");
        let v = values(&bytes, &sheet);
        assert_eq!(text_at(&v, 0, 0), title);
        let header: Vec<String> = (0..11).map(|c| text_at(&v, 1, c)).collect();
        assert_eq!(header[..3], ["序号", "部门", "受理件数"]);
        assert_eq!(header[9..], ["按时办结率", "平均办理用时（工作日）"]);
        assert_eq!(text_at(&v, 2, 1), "人社局");
        assert_eq!(number(&v, 2, 2), 4.0);
        assert_eq!(number(&v, 2, 4), 0.25);
        assert!((number(&v, 2, 9) - 2.0 / 3.0).abs() < 1e-12);
        assert!((number(&v, 2, 10) - 10.0 / 3.0).abs() < 1e-12);
        // Nothing to divide by: a dash, not 0%.
        assert_eq!(text_at(&v, 3, 9), "—");
        assert_eq!(text_at(&v, 4, 0), "合计");
        assert_eq!(number(&v, 4, 7), 3.0);
        let styles = styles(&bytes, &sheet);
        let format = |pos| {
            styles
                .get(pos)
                .unwrap()
                .number_format
                .as_ref()
                .unwrap()
                .format_code
                .clone()
        };
        assert_eq!(format((2, 9)), "0.0%");
        assert_eq!(format((2, 10)), "0.0");
        assert!(styles.get((4, 2)).unwrap().font.as_ref().unwrap().is_bold());
    }

    #[test]
    fn the_item_report_names_each_item_s_department() {
        let bytes = write_case_report(&stats(StatsGroup::Item), "办件统计表").unwrap();
        let v = values(&bytes, "办件统计");
        assert_eq!(text_at(&v, 1, 1), "事项名称");
        assert_eq!(text_at(&v, 1, 2), "部门");
        assert_eq!(text_at(&v, 2, 2), "人社局");
        assert_eq!(number(&v, 2, 3), 4.0);
        assert_eq!(number(&v, 4, 3), 4.0, "the total lines up under the counts");
    }

    #[test]
    fn the_ratings_report_has_departments_and_staff() {
        let counts = RatingCounts {
            cases: 10,
            rated_cases: 4,
            ratings: 5,
            good: 4,
            bad: 1,
            rectified: 1,
            rectified_on_time: 1,
        };
        let line = |name: &str| RatingLine {
            name: name.into(),
            department: "人社局".into(),
            counts,
        };
        let bytes =
            write_rating_report("好差评统计表", &[line("人社局")], &counts, &[line("王芳")])
                .unwrap();
        let v = values(&bytes, "各部门");
        assert_eq!(text_at(&v, 1, 2), "受理办件");
        assert_eq!(number(&v, 2, 6), 0.8, "好评率");
        assert_eq!(number(&v, 2, 9), 0.6, "未评价率");
        assert_eq!(text_at(&v, 3, 0), "合计");
        let v = values(&bytes, "窗口工作人员");
        assert_eq!(text_at(&v, 2, 1), "王芳");
        assert_eq!(text_at(&v, 2, 2), "人社局");
        assert_eq!(text_at(&v, 3, 0), "", "no total for staff");
    }

    #[test]
    fn the_complaint_report_has_a_sheet_per_breakdown() {
        let f = ComplaintFigures {
            received: 2,
            answered: 1,
            answered_on_time: 1,
            overdue_open: 1,
            satisfied: 1,
            ..Default::default()
        };
        let stats = ComplaintStats {
            from: day("2026-10-01"),
            to: day("2026-10-31"),
            by_category: vec![ComplaintStatsRow {
                key: "delay".into(),
                name: "办事拖延".into(),
                figures: f,
            }],
            by_department: vec![ComplaintStatsRow {
                key: "1".into(),
                name: "人社局".into(),
                figures: f,
            }],
            total: f,
        };
        let bytes = write_complaint_report(&stats, "投诉与诉求统计表").unwrap();
        let v = values(&bytes, "按类别");
        assert_eq!(text_at(&v, 2, 1), "办事拖延");
        assert_eq!(number(&v, 2, 4), 0.5, "答复率");
        assert_eq!(number(&v, 2, 11), 1.0, "满意率");
        let v = values(&bytes, "按部门");
        assert_eq!(text_at(&v, 1, 1), "承办部门");
        assert_eq!(text_at(&v, 3, 0), "合计");
    }
}
