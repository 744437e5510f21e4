//! The OData engine: CSDL metadata model and parser, request building, typed values and the
//! HTTP client behind every connector action.

pub mod client;
pub mod dialect;
pub mod entity_index;
pub mod filter;
pub mod json_strict;
pub mod keys;
pub mod metadata;
pub mod query;
pub mod service_root;
pub mod values;
