//! Links the parkctl binary as a position-dependent executable. With the
//! AWS SDK crates it holds about 140,000 relocations over 2.7 MB of
//! read-only data, which a position-independent one has the loader apply
//! at every start: 7 MiB of memory written before `main`, in every run
//! (docs/performance.md). Only the binaries: the library stays as it is.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
