//! Seeds a running emulator with the sample project (for `make demo`):
//! `cargo run --example seed -- http://127.0.0.1:5055`
//!
//! Besides the resources, it records a day of activity two hours back: the
//! event processor was invoked, the stream and the intervention executor
//! saw nothing, so that `parkctl status` has something idle to report.

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
        use common::seed::{FUNCTIONS, STREAM};
        sdk.activity("AWS/Kinesis", "IncomingRecords", "StreamName", STREAM, 0.0)
            .await;
        sdk.activity(
            "AWS/Lambda",
            "Invocations",
            "FunctionName",
            FUNCTIONS[0],
            120.0,
        )
        .await;
        sdk.activity(
            "AWS/Lambda",
            "Invocations",
            "FunctionName",
            FUNCTIONS[1],
            0.0,
        )
        .await;
    });
    println!("seeded the sample project user-journey-analytics at {url}");
}
