//! Mini-flows: Power Automate / Logic Apps workflow definitions read, checked and run here;
//! connector steps go through the connector layer.

pub mod app_settings;
pub mod connector_step;
pub mod edit;
pub mod expr;
pub mod file;
pub mod history;
pub mod jsonc;
pub mod locate;
pub mod package;
pub mod params;
pub mod report;
pub mod run;
pub mod run_owner;
pub mod schedule;
pub mod triggers;
pub mod validate;
