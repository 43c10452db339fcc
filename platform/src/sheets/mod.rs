//! The spreadsheet round trip of an organization's catalog (issue 17): «Скачать шаблон»
//! and «Выгрузить программы» give an XLSX workbook (programs, groups with their schedules,
//! places, teachers and the dictionaries the drop-downs use) or one CSV per sheet;
//! «Загрузить» checks an uploaded file in full (every problem as sheet, row, column and
//! message) and changes nothing; «Применить» imports the very file that was checked in one
//! transaction, through the same rules as the forms (`programs::service`, `groups::service`).
//!
//! `layout` is the vocabulary (sheets, columns, cells; `crate::spreadsheet` renders them),
//! `parse` turns an upload into tables within the limits (size, zip bombs, rows), `service`
//! plans and applies; `pages` and `api` are the two faces.

pub mod api;
pub mod layout;
pub mod pages;
pub mod parse;
pub mod service;

pub use service::Sheets;
