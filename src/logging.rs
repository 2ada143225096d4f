//! Console logging at INFO (-v debug, -q warnings), and a DEBUG log file per
//! day under the state directory with one line per AWS call. Credentials
//! never reach either: the SDK does not log them and we log only names.

use crate::cli::Global;
use std::fs::OpenOptions;
use std::sync::Mutex;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, Layer};

/// `log_dir`: where the DEBUG file goes; `None` for commands that make no
/// AWS call (validate, history …), which then leave no file behind.
pub fn init(g: &Global, log_dir: Option<&std::path::Path>) {
    let console_level = if g.quiet {
        LevelFilter::WARN
    } else if g.verbose > 0 {
        LevelFilter::DEBUG
    } else {
        LevelFilter::INFO
    };
    let only_ours = tracing_subscriber::filter::filter_fn(|m| m.target().starts_with("parkctl"));
    let console = fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(crate::render::use_color())
        .with_filter(console_level)
        .with_filter(only_ours.clone());
    let file = log_dir.and_then(|dir| {
        std::fs::create_dir_all(dir).ok()?;
        let name = format!("parkctl-{}.log", chrono::Utc::now().format("%Y%m%d"));
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(name))
            .ok()
    });
    let file_layer = file.map(|f| {
        fmt::layer()
            .with_writer(Mutex::new(f))
            .with_ansi(false)
            .with_filter(LevelFilter::DEBUG)
            .with_filter(only_ours)
    });
    let _ = tracing_subscriber::registry()
        .with(console)
        .with(file_layer)
        .try_init();
}
