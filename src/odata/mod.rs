//! The OData engine: CSDL metadata model and parser, request building, typed values and the
//! HTTP client behind every connector action.

pub mod metadata;
pub mod values;
pub mod keys;
pub mod query;
pub mod service_root;
