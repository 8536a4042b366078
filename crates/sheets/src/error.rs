//! The one error type of this crate.
//!
//! `Display` is for logs and keeps the technical cause; [`SheetError::message`]
//! is the Chinese sentence to show the person who uploaded or asked for a file,
//! and [`SheetError::code`] a stable machine code for the API.

use rust_xlsxwriter::XlsxError;

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The bytes are not a workbook that can be opened, or it has no worksheet.
    #[error("unreadable workbook: {0}")]
    Unreadable(String),
    /// No row among the first ones names every required column.
    #[error("header row not found, missing columns: {}", .missing.join(", "))]
    NoHeader {
        /// The canonical names of the columns not found (单位名称, 事项名称,
        /// 事项类型, 办理类别), in the form's order.
        missing: Vec<&'static str>,
    },
    /// The header was found but no row under it holds data.
    #[error("the return has no data rows")]
    Empty,
    /// Building a workbook failed; a bug or a limit of Excel, never the user's doing.
    #[error("could not write the workbook")]
    Write(#[from] XlsxError),
}

impl SheetError {
    /// A stable code for the API, independent of the wording.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "sheet.unreadable",
            Self::NoHeader { .. } => "sheet.no_header",
            Self::Empty => "sheet.empty",
            Self::Write(_) => "sheet.write_failed",
        }
    }

    /// What to tell the user, in Chinese.
    pub fn message(&self) -> String {
        match self {
            Self::Unreadable(_) => "无法读取文件：请上传Excel文件（.xlsx或.xls）".into(),
            Self::NoHeader { missing } => {
                let names: Vec<String> = missing.iter().map(|m| format!("“{m}”")).collect();
                format!("未找到表头：缺少{}列", names.join("、"))
            }
            Self::Empty => "表格中没有填写任何数据".into(),
            Self::Write(_) => "生成Excel文件失败".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_every_missing_column() {
        let one = SheetError::NoHeader {
            missing: vec!["事项类型"],
        };
        assert_eq!(one.message(), "未找到表头：缺少“事项类型”列");
        let two = SheetError::NoHeader {
            missing: vec!["单位名称", "办理类别"],
        };
        assert_eq!(two.message(), "未找到表头：缺少“单位名称”、“办理类别”列");
        assert_eq!(two.code(), "sheet.no_header");
    }
}
