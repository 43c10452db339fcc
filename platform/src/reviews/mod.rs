//! Families' reviews of programs: a parent whose child was enrolled in a group of the
//! program writes one per child and program (1–5 stars and a text); it appears after a
//! moderator approves it, or at once where the region's `reviews = "post-moderation"`,
//! a moderator hiding it afterwards with a reason. The organization answers once, publicly.
//! The published reviews' count and sum are kept on the program (`store::recount`), in the
//! same transaction and through the catalog's version: cards, the rating sort and the
//! static copy follow. What the public reads is `catalog::reviews`.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;

pub use service::Reviews;
