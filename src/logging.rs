//! Logs go to a DEBUG log file per day under the state directory (one line
//! per AWS call), and to stderr only with `-v` (`-vv`: debug): the user's
//! output is the plan, the progress lines and the summary, never log
//! lines. Credentials reach neither: the SDK does not log them and we log
//! only names.

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
    crate::render::progress::set_quiet(g.quiet);
    let console_level = match (g.quiet, g.verbose) {
        (true, _) | (false, 0) => LevelFilter::OFF,
        (false, 1) => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
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
