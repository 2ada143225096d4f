//! Seeds a running emulator with the sample project (for `make demo`):
//! `cargo run --example seed -- http://127.0.0.1:5055`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:5055".into());
    let rt = common::rt();
    rt.block_on(async {
        let sdk = common::seed::Sdk::new(&url).await;
        sdk.sample().await;
    });
    println!("seeded the sample project user-journey-analytics at {url}");
}
