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

/// The formats of a sheet's cells.
struct Formats {
    bold: Format,
    date: Format,
    money: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            bold: Format::new().set_bold().set_text_wrap(),
            date: Format::new().set_num_format("dd.mm.yyyy"),
            money: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.0%"),
        }
    }
}

/// The bold header row, the columns' widths, the frozen header.
fn header(
    ws: &mut Worksheet,
    name: &str,
    columns: &[Column],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, column.header, &f.bold)?;
        ws.set_column_width(c, column.width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn row(ws: &mut Worksheet, r: u32, cells: &[Cell], f: &Formats) -> Result<(), XlsxError> {
    for (c, cell) in cells.iter().enumerate() {
        let c = c as u16;
        match cell {
            Cell::Text(t) => {
                ws.write_string(r, c, t)?;
            }
            Cell::Int(n) => {
                ws.write_number(r, c, *n as f64)?;
            }
            Cell::Money(m) => {
                ws.write_number_with_format(r, c, m.kopecks() as f64 / 100.0, &f.money)?;
            }
            Cell::Date(d) => {
                use chrono::Datelike;
                // A year Excel cannot hold (before 1900, after 9999) is written as text.
                let day = u16::try_from(d.year())
                    .ok()
                    .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
                match day {
                    Some(day) => ws.write_datetime_with_format(r, c, &day, &f.date)?,
                    None => ws.write_string(r, c, d.format("%d.%m.%Y").to_string())?,
                };
            }
            Cell::Decimal(x) => {
                ws.write_number_with_format(r, c, *x, &f.money)?;
            }
            Cell::Percent(x) => {
                ws.write_number_with_format(r, c, *x, &f.percent)?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

/// The filter buttons over the header and `rows` rows under it.
fn autofilter(ws: &mut Worksheet, columns: usize, rows: u32) -> Result<(), XlsxError> {
    match columns.checked_sub(1) {
        Some(last) => ws.autofilter(0, 0, rows, last as u16).map(|_| ()),
        None => Ok(()),
    }
}

fn sheet(ws: &mut Worksheet, s: &Sheet<'_>) -> Result<(), XlsxError> {
    let f = Formats::new();
    header(ws, s.name, s.columns, &f)?;
    for (r, cells) in s.rows.iter().enumerate() {
        row(ws, r as u32 + 1, cells, &f)?;
    }
    autofilter(ws, s.columns.len(), s.rows.len() as u32)?;
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

/// The first line of a CSV: the BOM Russian Excel needs to read UTF-8, the headers.
pub fn csv_header(columns: &[Column]) -> String {
    let mut out = String::from("\u{feff}");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        csv_field(&mut out, column.header);
    }
    out.push_str("\r\n");
    out
}

/// One line of a CSV: numbers and dates as Russian Excel writes them (`1500,50`,
/// `01.09.2026`).
pub fn csv_row(out: &mut String, cells: &[Cell]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        match cell {
            Cell::Text(t) => csv_field(out, t),
            Cell::Int(n) => out.push_str(&n.to_string()),
            Cell::Money(m) => {
                let k = m.kopecks();
                let sign = if k < 0 { "-" } else { "" };
                let k = k.unsigned_abs();
                out.push_str(&format!("{sign}{},{:02}", k / 100, k % 100));
            }
            Cell::Date(d) => out.push_str(&d.format("%d.%m.%Y").to_string()),
            Cell::Decimal(_) | Cell::Percent(_) => out.push_str(&cell.shown()),
            Cell::Empty => {}
        }
    }
    out.push_str("\r\n");
}

/// One sheet as CSV: BOM, `;`, CRLF.
pub fn csv(columns: &[Column], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = csv_header(columns);
    for cells in rows {
        csv_row(&mut out, cells);
    }
    out.into_bytes()
}

/// A one-sheet workbook written a row at a time. The rows go to a temporary file as they
/// come (rust_xlsxwriter's constant-memory mode) and the workbook is zipped into a file, so
/// an export of a million rows holds one row in memory, not the sheet.
pub struct XlsxStream {
    book: Workbook,
    columns: usize,
    rows: u32,
    formats: Formats,
}

impl XlsxStream {
    pub fn new(name: &str, columns: &[Column]) -> anyhow::Result<Self> {
        let mut book = Workbook::new();
        let formats = Formats::new();
        let ws = book.add_worksheet_with_constant_memory().map_err(failed)?;
        header(ws, name, columns, &formats).map_err(failed)?;
        Ok(Self {
            book,
            columns: columns.len(),
            rows: 0,
            formats,
        })
    }

    pub fn push(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        if self.rows >= MAX_XLSX_ROWS {
            anyhow::bail!("an XLSX sheet holds at most {MAX_XLSX_ROWS} rows");
        }
        self.rows += 1;
        let ws = self.book.worksheet_from_index(0).map_err(failed)?;
        row(ws, self.rows, cells, &self.formats).map_err(failed)
    }

    /// Rows written so far.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Writes the workbook to `path` (blocking: zipping a large sheet takes a while).
    pub fn finish(mut self, path: &std::path::Path) -> anyhow::Result<()> {
        let (columns, rows) = (self.columns, self.rows);
        let ws = self.book.worksheet_from_index(0).map_err(failed)?;
        autofilter(ws, columns, rows).map_err(failed)?;
        self.book.save(path).map_err(failed)
    }
}

/// Rows an XLSX sheet can hold under its header (Excel's limit is 1 048 576 in all).
pub const MAX_XLSX_ROWS: u32 = 1_048_575;

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
