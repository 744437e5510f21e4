//! CSDL 4.0 metadata: the EDM model ([`model`]) that forms, requests and flows read.

pub mod model;

pub use model::*;
