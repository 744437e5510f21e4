//! Automatic triggers: what starts a flow without a click — business events pushed to a
//! loopback webhook, recurrence schedules, and polling for records created or changed —
//! with WDL's trigger `conditions` and `splitOn`, a limit on concurrent runs, and replay of
//! saved events for testers.

pub mod clock;
pub mod gate;
pub mod http_request;
pub mod kind;
pub mod loopback_server;
pub mod polling;
pub mod replay;
pub mod request_spec;
pub mod state;
pub mod templates;
pub mod watcher;
pub mod webhook;

pub use kind::{BusinessEventSpec, PollSpec, TriggerKind, classify};
