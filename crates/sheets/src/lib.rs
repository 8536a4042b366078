//! Excel in and out for govhall.
//!
//! What lives here: reading a department's return of the items it will bring
//! into the hall (事项报送表, seed 001 attachment 2) and a 12345 hotline export,
//! the blank template of that return, the catalogue export, the entry report
//! export (seed 001 attachment 1) and the statistics reports (cases, ratings,
//! complaints).
//!
//! The crate turns bytes into plain rows and domain values into bytes, and
//! nothing more. It deliberately knows nothing of the database, HTTP or the
//! clock. It does not validate what a return says either: mapping department
//! names and item types, and reporting bad rows to the person who uploaded them,
//! is the application's job, which is why [`ReturnRow`] keeps every value as
//! written along with its Excel row number.

mod catalogue;
mod error;
mod form;
mod hotline;
mod read;
mod report;
mod staff;
mod stats;
mod template;

pub use catalogue::{CatalogueRow, write_catalogue};
pub use error::SheetError;
pub use hotline::{HotlineRow, read_hotline};
pub use read::{ReturnRow, read_item_return};
pub use report::write_entry_report;
pub use staff::{
    AttendanceLine, ROSTER_COLUMNS, ROSTER_TITLE, RosterRow, read_roster, roster_column,
    roster_template, write_attendance, write_roster,
};
pub use stats::{RatingLine, write_case_report, write_complaint_report, write_rating_report};
pub use template::item_return_template;

/// Small builders and readers shared by the tests of every module.
#[cfg(test)]
mod testing {
    use calamine::{Data, Range, Reader, StyleRange, Xlsx, open_workbook_from_rs};
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    use std::io::Cursor;

    /// One cell of a hand-made test workbook.
    pub enum Cell<'a> {
        Text(&'a str),
        Number(f64),
        Empty,
    }

    pub use Cell::{Empty, Number, Text};

    /// A workbook whose first sheet holds `rows` from A1 down.
    pub fn workbook(rows: &[Vec<Cell>]) -> Vec<u8> {
        workbook_at(0, 0, rows)
    }

    /// Like [`workbook`], but the first cell is at (`first_row`, `first_col`).
    pub fn workbook_at(first_row: u32, first_col: u16, rows: &[Vec<Cell>]) -> Vec<u8> {
        let mut book = Workbook::new();
        fill(book.add_worksheet(), first_row, first_col, rows);
        book.save_to_buffer().unwrap()
    }

    /// A workbook with a title merged across A1:E1, as in the seed's form,
    /// and `rows` from A2 down.
    pub fn workbook_with_merged_title(title: &str, rows: &[Vec<Cell>]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .merge_range(0, 0, 0, 4, title, &Format::new().set_bold())
            .unwrap();
        fill(sheet, 1, 0, rows);
        book.save_to_buffer().unwrap()
    }

    fn fill(sheet: &mut Worksheet, first_row: u32, first_col: u16, rows: &[Vec<Cell>]) {
        for (r, cells) in (first_row..).zip(rows) {
            for (c, cell) in (first_col..).zip(cells) {
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, *t).unwrap(),
                    Cell::Number(n) => sheet.write_number(r, c, *n).unwrap(),
                    Cell::Empty => sheet,
                };
            }
        }
    }

    fn open(bytes: &[u8]) -> Xlsx<Cursor<&[u8]>> {
        open_workbook_from_rs(Cursor::new(bytes)).unwrap()
    }

    /// The named sheet's values, as calamine reads them.
    pub fn values(bytes: &[u8], sheet: &str) -> Range<Data> {
        open(bytes).worksheet_range(sheet).unwrap()
    }

    /// The first sheet's name.
    pub fn first_sheet_name(bytes: &[u8]) -> String {
        open(bytes).sheet_names()[0].clone()
    }

    /// The named sheet's cell styles, as calamine reads them.
    pub fn styles(bytes: &[u8], sheet: &str) -> StyleRange {
        open(bytes).worksheet_style(sheet).unwrap()
    }

    /// The text of the cell at an absolute, 0-based position.
    pub fn text_at(range: &Range<Data>, row: u32, col: u32) -> String {
        range
            .get_value((row, col))
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}
