//! The catalogue export (事项目录): one line per item, for checking and
//! filing.
//!
//! Its first five columns are those of the return form, so a department can
//! take the export, edit it and upload it again as its return.

use crate::SheetError;
use crate::form::{self, RETURN_HEADER, RETURN_WIDTHS};
use domain::catalogue::{CaseKind, ItemType, TimeLimit};
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, XlsxError};

/// One item as the export shows it. The application fills the labels that
/// depend on the store (entry state, window, fee, version status).
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueRow {
    pub department: String,
    pub name: String,
    pub item_type: ItemType,
    pub case_kind: CaseKind,
    pub basic_code: String,
    pub implementation_code: String,
    pub legal_limit: Option<TimeLimit>,
    pub promised_limit: Option<TimeLimit>,
    /// The promised limit exceeds half the legal one (seed 001).
    pub limit_flagged: bool,
    /// 进驻状态, as its Chinese label.
    pub entry: String,
    /// 窗口授权, as its Chinese label.
    pub window_authorisation: String,
    pub online: bool,
    pub visits: u8,
    /// "免费" or an amount such as "10.00元".
    pub fee_yuan: String,
    /// 已发布, 草稿 or 已发布（有草稿）.
    pub status: String,
}

/// Writes the catalogue as an .xlsx file with one sheet, "事项目录".
pub fn write_catalogue(rows: &[CatalogueRow]) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;

    let header = form::header_format();
    let titles = RETURN_HEADER.iter().chain(&EXTRA_TITLES);
    let widths = RETURN_WIDTHS.iter().chain(&EXTRA_WIDTHS);
    for (col, (title, width)) in (0..).zip(titles.zip(widths)) {
        sheet.set_column_width(col, *width)?;
        sheet.write_string_with_format(0, col, *title, &header)?;
    }
    sheet.set_row_height(0, 32)?;

    let plain = RowFormats::new(None);
    let flagged = RowFormats::new(Some(FLAGGED_FILL));
    for (row, item) in (1u32..).zip(rows) {
        let formats = if item.limit_flagged { &flagged } else { &plain };
        for (col, value) in (0..).zip(cells_of(row, item)) {
            match value {
                Value::Text(t) => sheet.write_string_with_format(row, col, t, &formats.text)?,
                Value::Centred(t) => {
                    sheet.write_string_with_format(row, col, t, &formats.centred)?
                }
                Value::Number(n) => {
                    sheet.write_number_with_format(row, col, n, &formats.centred)?
                }
            };
        }
    }

    let last_row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.autofilter(0, 0, last_row, LAST_COL)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

const SHEET: &str = "事项目录";

/// The columns after the return form's five.
const EXTRA_TITLES: [&str; 11] = [
    "基本编码",
    "实施编码",
    "法定办结时限",
    "承诺办结时限",
    "承诺时限超过法定50%",
    "进驻状态",
    "窗口授权",
    "网上可办",
    "到现场次数",
    "收费",
    "状态",
];
const EXTRA_WIDTHS: [f64; 11] = [
    16.0, 34.0, 14.0, 14.0, 12.0, 14.0, 16.0, 10.0, 10.0, 12.0, 16.0,
];
const LAST_COL: u16 = (RETURN_HEADER.len() + EXTRA_TITLES.len()) as u16 - 1;

/// Light orange, like Excel's own "Orange, Accent 2, Lighter 80%".
const FLAGGED_FILL: Color = Color::RGB(0xFCE4D6);

enum Value {
    Text(String),
    Centred(String),
    Number(f64),
}

/// The cells of one line, left to right.
fn cells_of(serial: u32, item: &CatalogueRow) -> [Value; 16] {
    let limit =
        |l: Option<TimeLimit>| Value::Centred(l.map(TimeLimit::describe).unwrap_or_default());
    let yes_no = |b: bool| Value::Centred(if b { "是" } else { "否" }.into());
    [
        Value::Number(f64::from(serial)),
        Value::Text(item.department.clone()),
        Value::Text(item.name.clone()),
        Value::Centred(item.item_type.label().into()),
        Value::Centred(item.case_kind.label().into()),
        Value::Text(item.basic_code.clone()),
        Value::Text(item.implementation_code.clone()),
        limit(item.legal_limit),
        limit(item.promised_limit),
        yes_no(item.limit_flagged),
        Value::Centred(item.entry.clone()),
        Value::Centred(item.window_authorisation.clone()),
        yes_no(item.online),
        Value::Number(f64::from(item.visits)),
        Value::Centred(item.fee_yuan.clone()),
        Value::Centred(item.status.clone()),
    ]
}

/// The body formats of one line, with or without the flag's fill.
struct RowFormats {
    text: Format,
    centred: Format,
}

impl RowFormats {
    fn new(fill: Option<Color>) -> Self {
        let base = match fill {
            Some(color) => form::body_format().set_background_color(color),
            None => form::body_format(),
        };
        Self {
            centred: base.clone().set_align(FormatAlign::Center),
            text: base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_item_return;
    use crate::testing::*;
    use domain::catalogue::LimitUnit;

    fn item(name: &str, flagged: bool) -> CatalogueRow {
        CatalogueRow {
            department: "市场监管局".into(),
            name: name.into(),
            item_type: ItemType::Licensing,
            case_kind: CaseKind::Promised,
            basic_code: "000117001000".into(),
            implementation_code: "11150102MB0000005X4000117001000".into(),
            legal_limit: Some(TimeLimit::working_days(20)),
            promised_limit: Some(TimeLimit {
                value: if flagged { 15 } else { 10 },
                unit: LimitUnit::WorkingDays,
            }),
            limit_flagged: flagged,
            entry: "已进驻".into(),
            window_authorisation: "窗口全权办结".into(),
            online: true,
            visits: 1,
            fee_yuan: "免费".into(),
            status: "已发布".into(),
        }
    }

    fn rows() -> Vec<CatalogueRow> {
        let mut immediate = item("个体工商户名称变更登记", false);
        immediate.item_type = ItemType::Confirmation;
        immediate.case_kind = CaseKind::Immediate;
        immediate.legal_limit = None;
        immediate.promised_limit = Some(TimeLimit::working_days(0));
        immediate.online = false;
        immediate.fee_yuan = "10.00元".into();
        immediate.status = "已发布（有草稿）".into();
        vec![
            item("食品经营许可", false),
            item("药品零售企业许可", true),
            immediate,
        ]
    }

    #[test]
    fn the_export_has_the_header_and_each_items_values() {
        let bytes = write_catalogue(&rows()).unwrap();
        let v = values(&bytes, SHEET);
        let header: Vec<String> = (0..=u32::from(LAST_COL))
            .map(|c| text_at(&v, 0, c))
            .collect();
        assert_eq!(
            header[..5],
            ["序号", "单位名称", "事项名称", "事项类型", "办理类别"]
        );
        assert_eq!(header[5..], EXTRA_TITLES);

        let line = |r: u32| -> Vec<String> {
            (0..=u32::from(LAST_COL))
                .map(|c| text_at(&v, r, c))
                .collect()
        };
        assert_eq!(
            line(2),
            [
                "2",
                "市场监管局",
                "药品零售企业许可",
                "行政许可",
                "承诺件",
                "000117001000",
                "11150102MB0000005X4000117001000",
                "20个工作日",
                "15个工作日",
                "是",
                "已进驻",
                "窗口全权办结",
                "是",
                "1",
                "免费",
                "已发布",
            ]
        );
        let third = line(3);
        assert_eq!(third[7..10], ["", "即时办结", "否"]);
        assert_eq!(third[12], "否");
        assert_eq!(
            (third[14].as_str(), third[15].as_str()),
            ("10.00元", "已发布（有草稿）")
        );
    }

    #[test]
    fn the_header_is_bold_and_flagged_items_are_highlighted() {
        let bytes = write_catalogue(&rows()).unwrap();
        let styles = styles(&bytes, SHEET);
        let header = styles.get((0, 0)).unwrap();
        assert!(header.font.as_ref().unwrap().is_bold());
        assert!(header.fill.as_ref().is_some_and(|f| f.is_visible()));
        let fill = |row: u32| {
            styles
                .get((row, 2))
                .and_then(|s| s.fill.clone())
                .and_then(|f| f.get_color())
        };
        assert_eq!(fill(2).map(|c| c.to_argb() & 0xFF_FFFF), Some(0xFCE4D6));
        assert_eq!(fill(1), None);
    }

    #[test]
    fn the_export_reads_back_as_a_return() {
        let items = rows();
        let read = read_item_return(&write_catalogue(&items).unwrap()).unwrap();
        assert_eq!(read.len(), items.len());
        for (back, item) in read.iter().zip(&items) {
            assert_eq!(back.department, item.department);
            assert_eq!(back.item_name, item.name);
            assert_eq!(ItemType::parse(&back.item_type), Some(item.item_type));
            assert_eq!(CaseKind::parse(&back.case_kind), Some(item.case_kind));
        }
        assert_eq!(read[0].row, 2);
    }

    #[test]
    fn an_empty_catalogue_still_has_its_header() {
        let bytes = write_catalogue(&[]).unwrap();
        assert_eq!(text_at(&values(&bytes, SHEET), 0, 2), "事项名称");
        assert!(matches!(read_item_return(&bytes), Err(SheetError::Empty)));
    }
}
