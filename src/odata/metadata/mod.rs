//! CSDL 4.0 metadata: the EDM model ([`model`]) that forms, requests and flows read, its
//! streaming parser ([`parser`]), summary counts, on-disk cache and F&O JSON entity lists.

pub mod annotation;
pub mod error;
pub mod model;
pub mod parser;
pub mod position;
mod resolver;

pub use error::MetadataError;
pub use model::*;
pub use parser::{
    ByteSource, ParseOptions, StreamOptions, parse_metadata, parse_metadata_streamed,
    parse_metadata_with,
};
pub mod summary;

pub use summary::MetadataSummary;
pub mod cache;
pub mod diff;
pub mod json_listing;
