//! A horizontal bar chart of one column of a table, laid out here and drawn as SVG by
//! `_bar_chart.html`: a label above each bar, the value beside it, in the table's own
//! Russian formatting. Bars are the Okabe–Ito blue, the value text black: readable for
//! every kind of colour blindness and in black-and-white print. The chart is an image with
//! a text alternative (`role="img"`, `<title>`, `<desc>`); the table under it holds the
//! figures for screen readers.

use serde::Serialize;

use super::table::Table;

/// The bars a chart draws at most; a longer table is drawn in its first rows.
pub const MAX_BARS: usize = 20;
/// Okabe–Ito «blue».
pub const BAR: &str = "#0072B2";

const WIDTH: f64 = 640.0;
const PLOT: f64 = 500.0;
const ROW: f64 = 38.0;
const LABEL_CHARS: usize = 70;

#[derive(Debug, Serialize)]
pub struct Chart {
    pub title: String,
    pub desc: String,
    pub width: f64,
    pub height: f64,
    pub colour: &'static str,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: String,
    pub label_y: f64,
    pub bar_y: f64,
    pub bar_height: f64,
    pub length: f64,
    pub value_x: f64,
    pub value_y: f64,
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

impl Chart {
    /// The chart of `table`'s column `column` against its first column; none for a table
    /// without rows.
    pub fn of(table: &Table, column: usize) -> Option<Self> {
        let rows: Vec<_> = table.rows.iter().take(MAX_BARS).collect();
        if rows.is_empty() {
            return None;
        }
        let max = rows
            .iter()
            .map(|r| r[column].magnitude())
            .fold(0.0_f64, f64::max);
        let header = table.columns[column].header;
        let bars: Vec<Bar> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let top = i as f64 * ROW;
                let length = if max > 0.0 {
                    (r[column].magnitude() / max * PLOT).max(0.0)
                } else {
                    0.0
                };
                Bar {
                    label: shorten(&r[0].shown()),
                    value: r[column].shown(),
                    label_y: top + 13.0,
                    bar_y: top + 18.0,
                    bar_height: 14.0,
                    length: (length * 10.0).round() / 10.0,
                    value_x: ((length + 6.0) * 10.0).round() / 10.0,
                    value_y: top + 29.5,
                }
            })
            .collect();
        let desc = bars
            .iter()
            .map(|b| format!("{}: {}", b.label, b.value))
            .collect::<Vec<_>>()
            .join("; ");
        let more = table.rows.len().saturating_sub(MAX_BARS);
        let desc = if more > 0 {
            format!("{desc}; и ещё {more} — в таблице ниже.")
        } else {
            format!("{desc}.")
        };
        Some(Self {
            title: format!("{} — {}", table.title, header.to_lowercase()),
            desc,
            width: WIDTH,
            height: bars.len() as f64 * ROW + 4.0,
            colour: BAR,
            bars,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::{column, Value};
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_the_alternative_says_every_value() {
        let table = Table {
            key: "t",
            title: "Охват".into(),
            columns: vec![column("Муниципалитет", 30.0), column("Детей", 10.0)],
            rows: vec![
                vec![Value::Text("Смоленск".into()), Value::Int(1200)],
                vec![Value::Text("Десногорск".into()), Value::Int(300)],
            ],
            total: None,
            chart: Some(1),
            note: None,
            empty: "",
        };
        let chart = Chart::of(&table, 1).unwrap();
        assert_eq!(chart.bars[0].length, PLOT);
        assert_eq!(chart.bars[1].length, PLOT / 4.0);
        assert_eq!(chart.title, "Охват — детей");
        assert_eq!(chart.desc, "Смоленск: 1\u{a0}200; Десногорск: 300.");
    }
}
