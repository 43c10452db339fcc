//! End-to-end suite: one binary (one link) for every capability's tests.

mod api;
mod catalog;
mod health;
mod hosts;
mod onboarding;
