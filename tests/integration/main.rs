//! The integration tests: the real binary and the library on the real letters
//! of `sample-data/`. One test binary (faster to build and link), one module
//! per concern.

mod cli;
mod corpus;
mod golden;
mod hardening;
mod harness;
mod mappings;
mod robustness;
