//! Renders sheets: an XLSX workbook with typed cells (numbers, dates), bold frozen headers,
//! drop-downs from «Справочники»; or one sheet as CSV the way Russian Excel opens it
//! (UTF-8 with BOM, `;`, CRLF). No cell is ever a formula: XLSX strings are written as
//! strings, and a CSV text that a spreadsheet would run (`=`, `+`, `-`, `@` first) gets a
//! leading `'`, which the reader takes off again.

use rust_xlsxwriter::{
    DataValidation, ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError,
};

use super::{Cell, Column};

/// One sheet to write: its name, columns and rows; `lists` puts a drop-down on a column
/// (its index) from a range of another sheet (`'Справочники'!$A$2:$A$9`); `hints` a message
/// shown on entering a column's cell. Both cover the first `validated_rows` rows under the
/// header (as many as an import of the sheet reads).
pub struct Sheet<'a> {
    pub name: &'a str,
    pub columns: &'a [Column],
    pub rows: Vec<Vec<Cell>>,
    pub lists: Vec<(usize, String)>,
    pub hints: Vec<(usize, &'static str)>,
    pub validated_rows: u32,
}

impl<'a> Sheet<'a> {
    /// A sheet that is only read: no drop-downs, no hints.
    pub fn table(name: &'a str, columns: &'a [Column], rows: Vec<Vec<Cell>>) -> Self {
        Self {
            name,
            columns,
            rows,
            lists: Vec::new(),
            hints: Vec::new(),
            validated_rows: 0,
        }
    }
}

fn failed(e: XlsxError) -> anyhow::Error {
    anyhow::anyhow!("the workbook was not written: {e}")
}

fn sheet(ws: &mut Worksheet, s: &Sheet<'_>) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let money = Format::new().set_num_format("0.00");
    let percent = Format::new().set_num_format("0.0%");
    ws.set_name(s.name)?;
    for (c, column) in s.columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, column.header, &bold)?;
        ws.set_column_width(c, column.width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if let Some(last) = s.columns.len().checked_sub(1) {
        ws.autofilter(0, 0, s.rows.len() as u32, last as u16)?;
    }
    for (r, row) in s.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, t)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Money(m) => {
                    ws.write_number_with_format(r, c, m.kopecks() as f64 / 100.0, &money)?;
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    // A year Excel cannot hold (before 1900, after 9999) is written as text.
                    let day = u16::try_from(d.year()).ok().and_then(|y| {
                        ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok()
                    });
                    match day {
                        Some(day) => ws.write_datetime_with_format(r, c, &day, &date)?,
                        None => ws.write_string(r, c, d.format("%d.%m.%Y").to_string())?,
                    };
                }
                Cell::Decimal(x) => {
                    ws.write_number_with_format(r, c, *x, &money)?;
                }
                Cell::Percent(x) => {
                    ws.write_number_with_format(r, c, *x, &percent)?;
                }
                Cell::Empty => {}
            }
        }
    }
    if s.validated_rows == 0 {
        return Ok(());
    }
    for (c, range) in &s.lists {
        let v = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_error_message("Выберите значение из списка (лист «Справочники»)")?;
        ws.add_data_validation(1, *c as u16, s.validated_rows, *c as u16, &v)?;
    }
    for (c, hint) in &s.hints {
        let v = DataValidation::new()
            .allow_any_value()
            .set_input_message(*hint)?;
        ws.add_data_validation(1, *c as u16, s.validated_rows, *c as u16, &v)?;
    }
    Ok(())
}

/// The workbook of `sheets`, in order.
pub fn xlsx(sheets: &[Sheet<'_>]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    for s in sheets {
        sheet(book.add_worksheet(), s).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// The sheet letter of column `i` (0 = A).
pub fn letter(i: usize) -> String {
    let mut n = i + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Whether a spreadsheet would take `t` for a formula.
pub fn looks_like_formula(t: &str) -> bool {
    t.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn csv_field(out: &mut String, t: &str) {
    let t = if looks_like_formula(t) {
        format!("'{t}")
    } else {
        t.to_owned()
    };
    if t.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&t.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&t);
    }
}

/// One sheet as CSV: BOM, `;`, CRLF; numbers and dates as Russian Excel writes them
/// (`1500,50`, `01.09.2026`).
pub fn csv(columns: &[Column], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        csv_field(&mut out, h);
    }
    out.push_str("\r\n");
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            match cell {
                Cell::Text(t) => csv_field(&mut out, t),
                Cell::Int(n) => out.push_str(&n.to_string()),
                Cell::Money(m) => {
                    let k = m.kopecks();
                    out.push_str(&format!("{},{:02}", k / 100, k % 100));
                }
                Cell::Date(d) => out.push_str(&d.format("%d.%m.%Y").to_string()),
                Cell::Decimal(x) => out.push_str(&format!("{x:.2}").replace('.', ",")),
                Cell::Percent(x) => {
                    // Up to three decimals, no trailing zeros: `75%`, `12,5%`, `0,004%`.
                    let p = format!("{:.3}", x * 100.0);
                    let p = p.trim_end_matches('0').trim_end_matches('.');
                    out.push_str(&p.replace('.', ","));
                    out.push('%');
                }
                Cell::Empty => {}
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_formula_escaping() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        let cols = [Column {
            header: "Название",
            field: None,
            width: 1.0,
        }];
        let rows = vec![
            vec![Cell::Text("=HYPERLINK(\"x\")".into())],
            vec![Cell::Text("a;b".into())],
            vec![Cell::Text("-1".into())],
        ];
        let text = String::from_utf8(csv(&cols, &rows)).unwrap();
        assert_eq!(
            text,
            "\u{feff}Название\r\n\"'=HYPERLINK(\"\"x\"\")\"\r\n\"a;b\"\r\n'-1\r\n"
        );
    }
}
