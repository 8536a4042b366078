//! govhall's integration tests, in one binary so it is linked once.
//!
//! Each test starts its own server on port 0 over a fresh database (SQLite by
//! default, PostgreSQL when `GOVHALL_TEST_DATABASE_URL` is set) and talks to it
//! over HTTP; see `helpers.rs`. Big outputs are compared with insta snapshots
//! kept in `snapshots/`.

mod applicant_pages;
mod appointments;
mod auth;
mod calendar;
mod cases;
mod complaints;
mod demo;
mod departments;
mod desk_pages;
mod hall;
mod health;
mod helpers;
mod imports;
mod items;
mod nav;
mod pages;
mod queue;
mod ratings;
mod reports;
mod roles;
mod rooms;
mod scoring;
mod search;
mod staff;
mod stats;
mod supervision;
