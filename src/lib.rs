//! Flowbench: a desktop flow designer and tester for Dynamics 365 Finance & Operations and
//! other OData v4 services.
//!
//! Modules by layer (see `ARCHITECTURE.md`): [`odata`] and [`demo`] are the two sides of the
//! wire and never import each other; [`auth`] implements [`odata`]'s token provider;
//! [`connector`] runs the connector's actions over them for the front ends, [`cli`] (headless)
//! and [`ui`] (the only module that draws with egui), and for [`flow`].

pub mod auth;
pub mod cli;
pub mod connector;
pub mod demo;
pub mod flow;
pub mod odata;
pub mod ui;
