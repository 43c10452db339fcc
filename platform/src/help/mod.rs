//! «Помощь» (`/help`): whom a family calls when registering or confirming a child's data
//! is hard — the regional coordinator, the municipal administrators of each municipality
//! (their contacts from the region's file), and per municipality the organizations that
//! help with registration and confirm children's data (authorized by the municipality).

pub mod pages;
