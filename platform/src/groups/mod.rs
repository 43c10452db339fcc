//! Groups of an organization's programs and its list of teachers: the provider cabinet's
//! «Группы и расписание» and «Педагоги» pages, and `/api/v1/provider/{teachers,groups}`.
//! A group has ages inside its program's, seats, study dates, an enrollment window, a
//! status (набор открыт / закрыт, архив), teachers, a place of study, prices per financing
//! and schedule rows. The public catalog reads the same tables (`catalog::store`).

pub mod api;
pub mod bulk;
mod finished;
mod migration;
pub mod pages;
pub mod service;
pub mod store;

pub use bulk::BulkAction;
pub use service::{GroupForm, Groups, SessionForm, StatusChange, TeacherForm};

/// The subject of a group's audit rows: its history.
pub fn subject(id: i64) -> String {
    format!("group:{id}")
}
