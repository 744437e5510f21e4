//! Flowbench: a desktop flow designer and tester for Dynamics 365 Finance & Operations and
//! other OData v4 services.
//!
//! Modules by layer (see `ARCHITECTURE.md`): [`odata`] and [`demo`] are the two sides of the
//! wire and never import each other; [`auth`] and [`flow`] build on [`odata`]; [`cli`] is the
//! headless front end and [`ui`] the only module that draws with egui.

pub mod auth;
pub mod cli;
pub mod connector;
pub mod demo;
pub mod flow;
pub mod odata;
pub mod ui;
