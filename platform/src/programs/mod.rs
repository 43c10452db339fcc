//! Program authoring and moderation: organizations write the program card
//! (`/provider/programs`, `/api/v1/provider/programs`), send it to moderation, and the
//! moderators of the region publish it or return it with a comment
//! (`/municipal/moderation`, `/admin/moderation`, `/api/v1/moderation`). A published
//! program stays in the catalog while an edit of it waits as a revision.

pub mod api;
pub mod card;
pub mod moderation;
pub mod pages;
pub mod service;
pub mod store;

pub use card::{Card, CardForm};
pub use moderation::Scope;
pub use service::Programs;
