//! The region's audit log for its administrators (issue 18): every recorded action, filtered
//! by who, what, which object and when, a page at a time (`/admin/audit`; a municipal admin
//! sees, at `/municipal/audit`, what concerns their municipality's organizations and was done
//! by its staff and admins), and per child the staff's views of its personal data
//! (`…/audit/children/{id}`), so a ministry can answer a family's «кто смотрел данные моего
//! ребёнка».
//!
//! `filter` parses the form, `store` reads the rows within the admin's scope, `views` makes
//! the lines the page shows; `pages` is the face.

pub mod filter;
pub mod pages;
pub mod store;
pub mod views;

pub use filter::{AuditFilter, AuditForm};
