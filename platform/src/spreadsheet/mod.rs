//! Tables as spreadsheets: typed cells and columns, written as an XLSX workbook (numbers as
//! numbers, dates as dates, a frozen bold header) or as CSV the way Russian Excel opens it.
//! The organizations' catalog round trip (`sheets`) and every export of the staff's tables
//! write through here, so that one rule — no cell is ever a formula — holds for all of them.

use chrono::NaiveDate;

use crate::domain::Money;

pub mod write;

pub use write::{csv, letter, looks_like_formula, xlsx, Sheet};

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
