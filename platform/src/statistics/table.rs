//! A dashboard's table: typed values that print the Russian way on the page
//! (`12 345`, `2,5`, `12,5 %`, `1 500,00 ₽`) and go into a spreadsheet as numbers.

use serde::Serialize;

use crate::domain::{group_thousands, Money};
use crate::spreadsheet::{Cell, Column};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// A ratio with two decimals; `None` where it has no meaning (no seats).
    Ratio(Option<f64>),
    /// A share, 0.125 for 12,5 %; `None` where the whole is zero.
    Share(Option<f64>),
    /// Whole hours; `None` with nothing decided.
    Hours(Option<i64>),
    Money(i64),
}

/// `2,50`; `12,5 %`.
pub fn decimal(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let int = int.parse::<i64>().map_or(int.to_owned(), group_thousands);
    if frac.is_empty() {
        int
    } else {
        format!("{int},{frac}")
    }
}

/// One decimal; a share too small to show at that (0,004 % of a region's children) gets
/// three, so that it does not read as none.
pub fn percent(x: f64) -> String {
    let places = if x > 0.0 && x * 100.0 < 0.05 { 3 } else { 1 };
    format!("{}\u{a0}%", decimal(x * 100.0, places))
}

impl Value {
    pub fn shown(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Int(n) => group_thousands(*n),
            Value::Ratio(Some(x)) => decimal(*x, 2),
            Value::Share(Some(x)) => percent(*x),
            Value::Hours(Some(h)) => format!("{}\u{a0}ч", group_thousands(*h)),
            Value::Ratio(None) | Value::Share(None) | Value::Hours(None) => "—".into(),
            Value::Money(k) => Money::from_kopecks(*k).to_string(),
        }
    }

    pub fn cell(&self) -> Cell {
        match self {
            Value::Text(t) => Cell::Text(t.clone()),
            Value::Int(n) | Value::Hours(Some(n)) => Cell::Int(*n),
            Value::Ratio(Some(x)) => Cell::Decimal(*x),
            Value::Share(Some(x)) => Cell::Percent(*x),
            Value::Ratio(None) | Value::Share(None) | Value::Hours(None) => Cell::Empty,
            Value::Money(k) => Cell::Money(Money::from_kopecks(*k)),
        }
    }

    /// Numbers are right-aligned in the table.
    pub fn numeric(&self) -> bool {
        !matches!(self, Value::Text(_))
    }

    /// The value a bar is drawn to.
    pub fn magnitude(&self) -> f64 {
        match self {
            Value::Int(n) | Value::Hours(Some(n)) | Value::Money(n) => *n as f64,
            Value::Ratio(Some(x)) | Value::Share(Some(x)) => *x,
            _ => 0.0,
        }
    }
}

/// One table of a dashboard; `key` names its export (`coverage-municipalities.xlsx`).
#[derive(Debug, Clone)]
pub struct Table {
    pub key: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// The line under the rows (the region's or municipality's total), also exported.
    pub total: Option<Vec<Value>>,
    /// Which column the chart draws, and its label column is the first.
    pub chart: Option<usize>,
    /// What the reader needs to read the figures right.
    pub note: Option<String>,
    pub empty: &'static str,
}

pub fn column(header: &'static str, width: f64) -> Column {
    Column {
        header,
        field: None,
        width,
    }
}

impl Table {
    /// The rows and the total as spreadsheet cells.
    pub fn cells(&self) -> Vec<Vec<Cell>> {
        self.rows
            .iter()
            .chain(self.total.iter())
            .map(|r| r.iter().map(Value::cell).collect())
            .collect()
    }
}

/// A table as the template prints it.
#[derive(Debug, Serialize)]
pub struct ShownTable {
    pub key: &'static str,
    pub title: String,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<ShownCell>>,
    pub total: Option<Vec<ShownCell>>,
    pub chart: Option<super::chart::Chart>,
    pub note: Option<String>,
    pub empty: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ShownCell {
    pub text: String,
    pub numeric: bool,
}

fn shown_row(row: &[Value]) -> Vec<ShownCell> {
    row.iter()
        .map(|v| ShownCell {
            text: v.shown(),
            numeric: v.numeric(),
        })
        .collect()
}

impl From<&Table> for ShownTable {
    fn from(t: &Table) -> Self {
        Self {
            key: t.key,
            title: t.title.clone(),
            head: t.columns.iter().map(|c| c.header).collect(),
            rows: t.rows.iter().map(|r| shown_row(r)).collect(),
            total: t.total.as_deref().map(shown_row),
            chart: t.chart.and_then(|c| super::chart::Chart::of(t, c)),
            note: t.note.clone(),
            empty: t.empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_the_russian_way() {
        assert_eq!(Value::Int(1234567).shown(), "1\u{a0}234\u{a0}567");
        assert_eq!(Value::Ratio(Some(2.5)).shown(), "2,50");
        assert_eq!(Value::Ratio(Some(1234.5)).shown(), "1\u{a0}234,50");
        assert_eq!(Value::Share(Some(0.125)).shown(), "12,5\u{a0}%");
        assert_eq!(Value::Share(None).shown(), "—");
        assert_eq!(Value::Share(Some(2.0 / 47000.0)).shown(), "0,004\u{a0}%");
        assert_eq!(Value::Hours(Some(30)).shown(), "30\u{a0}ч");
        assert_eq!(Value::Share(Some(0.125)).cell(), Cell::Percent(0.125));
    }
}
