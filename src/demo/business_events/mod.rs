//! F&O-like business events: a catalog, per-company endpoint registrations and delivery of
//! event payloads to loopback webhooks when records change.

pub mod catalog;
pub mod delivery;
pub mod endpoints;
pub mod envelope;

pub use catalog::{
    BUSINESS_EVENTS, BusinessEventDef, CATALOG_ENTITY, CATALOG_SET, ENDPOINTS_ENTITY,
    ENDPOINTS_SET, install_catalog,
};
pub use delivery::{MAX_ATTEMPTS, RETRY_DELAY, spawn_delivery};
pub use endpoints::{check_registration, is_loopback_url};
