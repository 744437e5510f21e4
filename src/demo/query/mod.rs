//! Query options: the `$filter` parser, its SQL translation and the other system options.

pub mod filter;
pub mod options;
pub mod sql;
