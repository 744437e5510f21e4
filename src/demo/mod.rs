//! The embedded demo instance: an F&O-like OData v4 service over SQLite (axum + rusqlite).

pub mod auth;
pub mod faults;
