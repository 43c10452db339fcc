//! Tables as spreadsheets: typed cells and columns, written as an XLSX workbook (numbers as
//! numbers, dates as dates, a frozen bold header) or as CSV the way Russian Excel opens it.
//! The organizations' catalog round trip (`sheets`) and every export of the staff's tables
//! write through here, so that one rule — no cell is ever a formula — holds for all of them.

use chrono::NaiveDate;

use crate::domain::Money;

pub mod write;

pub use write::{
    csv, csv_header, csv_row, letter, looks_like_formula, xlsx, Sheet, XlsxStream, MAX_XLSX_ROWS,
};

/// A typed cell: XLSX keeps the type (a number, a date), CSV writes it as Russian Excel
/// reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Money(Money),
    Date(NaiveDate),
    /// A fractional number shown with two decimals (applications per seat).
    Decimal(f64),
    /// A share, 0.125 for 12,5 %: XLSX keeps the number under a percent format.
    Percent(f64),
    Empty,
}

/// A column: its header, its width in characters, and the field of a form it fills when the
/// sheet is read back (`None`: shown only, not read; every export's columns are `None`).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub field: Option<&'static str>,
    pub width: f64,
}

impl Cell {
    /// The cell as a page shows it: `1 500,00` for money, `01.09.2026` for a date.
    pub fn shown(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(m) => {
                let k = m.kopecks();
                let sign = if k < 0 { "-" } else { "" };
                let k = k.unsigned_abs() as i64;
                format!(
                    "{sign}{},{:02}",
                    crate::domain::group_thousands(k / 100),
                    k % 100
                )
            }
            Cell::Date(d) => d.format("%d.%m.%Y").to_string(),
            Cell::Decimal(x) => format!("{x:.2}").replace('.', ","),
            // Up to three decimals, no trailing zeros: `75%`, `12,5%`, `0,004%`.
            Cell::Percent(x) => {
                let p = format!("{:.3}", x * 100.0);
                let p = p.trim_end_matches('0').trim_end_matches('.');
                format!("{}%", p.replace('.', ","))
            }
            Cell::Empty => String::new(),
        }
    }
}
