//! The layout of the return form (seed 001 attachment 2), shared by the reader,
//! the template and the catalogue export so the three cannot drift apart: an
//! export must read back as a return.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

pub(crate) const SERIAL: &str = "序号";
pub(crate) const DEPARTMENT: &str = "单位名称";
pub(crate) const ITEM_NAME: &str = "事项名称";
pub(crate) const ITEM_TYPE: &str = "事项类型";
pub(crate) const CASE_KIND: &str = "办理类别";

/// The header of the return, left to right, as the seed prints it.
pub(crate) const RETURN_HEADER: [&str; 5] = [SERIAL, DEPARTMENT, ITEM_NAME, ITEM_TYPE, CASE_KIND];

/// Column widths of the return's five columns, in Excel character units.
pub(crate) const RETURN_WIDTHS: [f64; 5] = [6.0, 22.0, 40.0, 14.0, 10.0];

/// Excel's paper size code for A4.
pub(crate) const A4: u8 = 9;

pub(crate) const RETURN_TITLE: &str = "单位进驻大厅依申请六类和公共服务事项报送表";

/// The fill of header cells in every workbook written here.
const HEADER_FILL: Color = Color::RGB(0xD9E1F2);

/// A bold, filled, bordered, centred and wrapped header cell.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(HEADER_FILL)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

/// A large bold title, centred across its merged cells.
pub(crate) fn title_format() -> Format {
    Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// A bordered body cell, text vertically centred.
pub(crate) fn body_format() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
}
