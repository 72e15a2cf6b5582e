#![warn(missing_docs)]
//! imr-search: parse, index and search California workers' compensation
//! Independent Medical Review (IMR) final determination letters.
//!
//! Data flows one way: bytes → [`repair`] (repaired text) → [`letter`]
//! (parsed [`model::Letter`]) → index documents → query and facet results.

pub mod app;
pub mod config;
#[cfg(unix)]
pub mod directory;
pub mod error;
pub mod facets;
pub mod indexer;
pub mod letter;
pub mod lexicon;
pub mod model;
pub mod output;
pub mod repair;
pub mod schema;
pub mod search;
pub mod store;
pub mod top;
