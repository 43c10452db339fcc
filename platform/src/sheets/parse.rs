//! An upload turned into tables of text, within limits that hold whatever the file: at most
//! [`MAX_BYTES`]; an XLSX is a zip whose central directory must declare at most
//! [`MAX_UNPACKED`] bytes in at most [`MAX_ENTRIES`] files, and whose entries must really
//! unpack to what they declare (checked by unpacking into nothing, before calamine reads a
//! byte), so a zip bomb costs nothing to refuse; a sheet is read cell by cell and refused
//! past [`MAX_ROWS`] rows. An encrypted workbook (a CFB container, as is an old .xls), a
//! zip that is no workbook and anything else are refused with what to do.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use super::layout::{GROUPS, PROGRAMS};

/// The largest file taken.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// What a workbook may unpack to, all its files together.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
pub const MAX_ENTRIES: usize = 1_000;
/// Rows of one sheet, the header's not counted.
pub const MAX_ROWS: usize = 10_000;
/// Columns read of a row; those past it are ignored.
const MAX_COLUMNS: usize = 64;

/// One sheet: its header texts and its rows (the number the spreadsheet shows, the texts).
#[derive(Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

/// What was read: the sheets the import takes, each if the file has it.
#[derive(Debug, Default)]
pub struct Book {
    pub programs: Option<Table>,
    pub groups: Option<Table>,
}

/// Why a file is not read, in words for the person.
pub type Refusal = String;

const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn not_a_sheet() -> Refusal {
    "Файл не похож на таблицу: загрузите книгу Excel (.xlsx) или CSV в кодировке UTF-8 с \
     разделителем «;»"
        .into()
}

fn bomb() -> Refusal {
    format!(
        "Файл распаковывается больше чем в {} МБ — это не таблица программ. Проверьте файл или \
         разделите таблицу на несколько",
        MAX_UNPACKED / 1024 / 1024
    )
}

fn too_many_rows(sheet: &str) -> Refusal {
    format!("Лист «{sheet}»: больше {MAX_ROWS} строк. Разделите таблицу на несколько файлов")
}

/// Reads an upload of any kind the import takes.
pub fn read(bytes: &[u8]) -> Result<Book, Refusal> {
    if bytes.is_empty() {
        return Err("Выберите файл таблицы (.xlsx или .csv)".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "Файл больше {} МБ. Разделите таблицу на несколько файлов",
            MAX_BYTES / 1024 / 1024
        ));
    }
    if bytes.starts_with(CFB) {
        return Err(
            "Файл зашифрован (защищён паролем) или сохранён в старом формате .xls. Снимите \
             пароль и сохраните книгу как «Книга Excel (.xlsx)»"
                .into(),
        );
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return xlsx(bytes);
    }
    csv(bytes)
}

/// The zip's declared sizes, then its real ones, within [`MAX_UNPACKED`].
fn check_zip(bytes: &[u8]) -> Result<(), Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_a_sheet())?;
    if zip.len() > MAX_ENTRIES {
        return Err(bomb());
    }
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| not_a_sheet())?;
        if entry.encrypted() {
            return Err("Файл защищён паролем. Снимите пароль и сохраните книгу ещё раз".into());
        }
        declared = declared.saturating_add(entry.size());
    }
    if declared > MAX_UNPACKED {
        return Err(bomb());
    }
    if zip.index_for_name("xl/workbook.xml").is_none() {
        return Err(not_a_sheet());
    }
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| not_a_sheet())?;
        let size = entry.size();
        let real =
            std::io::copy(&mut entry.take(size + 1), &mut std::io::sink()).map_err(|_| bomb())?;
        if real > size {
            return Err(bomb());
        }
    }
    Ok(())
}

/// A cell as text: numbers without a needless `.0`, dates as `ГГГГ-ММ-ДД`.
fn text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => {
            let s = format!("{f:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => if *b { "ИСТИНА" } else { "ЛОЖЬ" }.to_owned(),
        DataRef::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e}"),
        DataRef::Empty => String::new(),
    }
}

fn broken(e: impl std::fmt::Display) -> Refusal {
    format!("Таблица не прочитана: файл повреждён ({e}). Сохраните книгу в Excel ещё раз")
}

fn xlsx(bytes: &[u8]) -> Result<Book, Refusal> {
    check_zip(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
    let names = book.sheet_names();
    let mut out = Book::default();
    for name in names {
        let which = match name.trim() {
            n if n == PROGRAMS => &mut out.programs,
            n if n == GROUPS => &mut out.groups,
            _ => continue,
        };
        let mut cells = book.worksheet_cells_reader(&name).map_err(broken)?;
        let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
        while let Some(cell) = cells.next_cell().map_err(broken)? {
            let (r, c) = cell.get_position();
            let value = text(cell.get_value());
            if value.trim().is_empty() || c as usize >= MAX_COLUMNS {
                continue;
            }
            if rows.last().map(|(n, _)| *n) != Some(r + 1) {
                if rows.len() > MAX_ROWS {
                    return Err(too_many_rows(&name));
                }
                rows.push((r + 1, Vec::new()));
            }
            let row = &mut rows.last_mut().expect("pushed above").1;
            if row.len() <= c as usize {
                row.resize(c as usize + 1, String::new());
            }
            row[c as usize] = value;
        }
        *which = Some(table(rows, &name)?);
    }
    if out.programs.is_none() && out.groups.is_none() {
        return Err(format!(
            "В книге нет листов «{PROGRAMS}» и «{GROUPS}»: загрузите книгу, выгруженную \
             кнопкой «Скачать шаблон» или «Выгрузить программы»"
        ));
    }
    Ok(out)
}

/// The first row with anything in it is the header; the rows after it are data.
fn table(mut rows: Vec<(u32, Vec<String>)>, sheet: &str) -> Result<Table, Refusal> {
    if rows.len() > MAX_ROWS + 1 {
        return Err(too_many_rows(sheet));
    }
    if rows.is_empty() {
        return Ok(Table::default());
    }
    let (_, headers) = rows.remove(0);
    Ok(Table {
        headers: headers.iter().map(|h| h.trim().to_owned()).collect(),
        rows,
    })
}

/// A CSV field that the writer escaped (`'=…`) as it was.
fn unescape(field: String) -> String {
    match field.strip_prefix('\'') {
        Some(rest) if crate::spreadsheet::looks_like_formula(rest) => rest.to_owned(),
        _ => field,
    }
}

/// A CSV of one sheet (UTF-8, with or without BOM, `;`), told apart by its header: the
/// programs' has «Полное название», the groups' «Название группы».
fn csv(bytes: &[u8]) -> Result<Book, Refusal> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(not_a_sheet());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        "CSV не в кодировке UTF-8: сохраните таблицу как «CSV UTF-8 (разделитель — точка с \
         запятой)»"
            .to_owned()
    })?;
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line: u32 = 1;
    let mut row_line: u32 = 1;
    let mut chars = text.chars().peekable();
    let end_row = |row: &mut Vec<String>, rows: &mut Vec<(u32, Vec<String>)>, at: u32| {
        if row.iter().any(|f| !f.trim().is_empty()) {
            rows.push((at, std::mem::take(row)));
        } else {
            row.clear();
        }
        rows.len() <= MAX_ROWS + 1
    };
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ';') => row.push(unescape(std::mem::take(&mut field))),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') | (false, '\r') => {
                row.push(unescape(std::mem::take(&mut field)));
                if !end_row(&mut row, &mut rows, row_line) {
                    return Err(too_many_rows("CSV"));
                }
                line += 1;
                row_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(unescape(field));
        if !end_row(&mut row, &mut rows, row_line) {
            return Err(too_many_rows("CSV"));
        }
    }
    let first = rows.first().map(|(_, r)| r.clone()).unwrap_or_default();
    let has = |h: &str| first.iter().any(|f| f.trim() == h);
    let sheet = if has("Полное название") {
        PROGRAMS
    } else if has("Название группы") {
        GROUPS
    } else if first.len() <= 1 && text.lines().next().is_some_and(|l| l.contains(',')) {
        return Err(
            "В CSV столбцы разделены запятой: сохраните таблицу как «CSV UTF-8 (разделитель — \
             точка с запятой)»"
                .into(),
        );
    } else {
        return Err(format!(
            "Не понятно, какой это лист: в первой строке CSV нет заголовков листа «{PROGRAMS}» \
             («Полное название») или «{GROUPS}» («Название группы»)"
        ));
    };
    let table = table(rows, sheet)?;
    Ok(if sheet == PROGRAMS {
        Book {
            programs: Some(table),
            groups: None,
        }
    } else {
        Book {
            programs: None,
            groups: Some(table),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_bom_and_escapes() {
        let file =
            "\u{feff}№ группы;Название группы\r\n1;\"Юные; \"\"шахматисты\"\"\"\r\n\r\n;'=1+2\r\n";
        let book = read(file.as_bytes()).unwrap();
        let groups = book.groups.unwrap();
        assert_eq!(groups.headers, vec!["№ группы", "Название группы"]);
        assert_eq!(
            groups.rows[0],
            (2, vec!["1".into(), "Юные; \"шахматисты\"".into()])
        );
        assert_eq!(groups.rows[1], (4, vec!["".into(), "=1+2".into()]));
    }

    #[test]
    fn junk_and_encrypted_files_are_refused() {
        assert!(read(b"\x89PNG\r\n\x1a\n\0\0")
            .unwrap_err()
            .contains("не похож"));
        let mut cfb = CFB.to_vec();
        cfb.extend([0; 100]);
        assert!(read(&cfb).unwrap_err().contains("паролем"));
        assert!(read(b"a,b,c\n1,2,3\n").unwrap_err().contains("запятой"));
    }
}
