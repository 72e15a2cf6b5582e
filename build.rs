//! Links the binaries as position-dependent executables on Linux.
//!
//! Every query is a whole process, so start-up counts. A position-independent
//! (PIE) build of `imr-search` carries 26,000 relative relocations that the
//! dynamic loader applies at every start, copying each of the 124 pages of
//! `.data.rel.ro` it writes to: `imr-search --version` took 1.52 ms of CPU and
//! 251 page faults as PIE, 0.77 ms and 117 faults without (a query process
//! 0.3 ms less wall time; packed RELR relocations did not help, the pages
//! are still written). The cost: the executable's own code is not placed at
//! a random address (libraries, heap, stack and the index maps still are).
//! Build with `IMR_SEARCH_PIE=1` to keep PIE.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=IMR_SEARCH_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if linux && std::env::var_os("IMR_SEARCH_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
