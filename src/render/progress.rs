//! Apply progress as Terraform shows it: a line when a change starts, a
//! line when it completes with its duration; while it waits on AWS, a live
//! line with the elapsed time on a terminal (indicatif), and a plain line
//! every 30 s otherwise, so that cron mail stays readable.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

tokio::task_local! {
    /// The target a run is for (`--targets`): its lines start `[NAME]`,
    /// so that several targets applying at once stay readable.
    pub static LABEL: String;
}

/// `[NAME] ` inside a target's run, else nothing.
pub fn label() -> String {
    LABEL.try_with(|l| format!("[{l}] ")).unwrap_or_default()
}

/// A line about the run on stderr, under its target's label.
pub fn note(line: &str) {
    let line = format!("{}{line}", label());
    match live() {
        Some(m) => {
            let _ = m.println(line);
        }
        None => eprintln!("{line}"),
    }
}

/// How often a change still waiting says so when stderr is not a terminal.
pub const PLAIN_EVERY: Duration = Duration::from_secs(30);

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q`: no progress lines (warnings and errors only).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

fn live() -> Option<&'static MultiProgress> {
    static BARS: OnceLock<Option<MultiProgress>> = OnceLock::new();
    BARS.get_or_init(|| {
        let tty = std::io::stderr().is_terminal() && !quiet();
        tty.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
    })
    .as_ref()
}

/// `2m14s`, `850ms`: durations as a reader says them.
pub fn took(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{}ms", d.as_millis()),
        1..=59 => format!("{:.1}s", d.as_secs_f64()),
        _ => format!("{}m{:02}s", s / 60, s % 60),
    }
}

/// One change in flight.
pub struct Step {
    what: String,
    started: Instant,
    said: Instant,
    bar: Option<ProgressBar>,
}

impl Step {
    pub fn start(what: &str) -> Step {
        let what = &format!("{}{what}", label());
        let bar = live().filter(|_| !quiet()).map(|m| {
            let b = m.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("  {spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_message(what.to_string());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        let step = Step {
            what: what.to_string(),
            started: Instant::now(),
            said: Instant::now(),
            bar,
        };
        step.say(&format!("{what} ..."));
        step
    }

    fn say(&self, line: &str) {
        if quiet() {
            return;
        }
        match (&self.bar, live()) {
            (Some(_), Some(m)) => {
                let _ = m.println(format!("  {line}"));
            }
            _ => eprintln!("  {line}"),
        }
    }

    /// Called while waiting: without a terminal, a line every 30 s.
    pub fn tick(&mut self) {
        if self.bar.is_none() && self.said.elapsed() >= PLAIN_EVERY {
            self.say(&format!(
                "{} still in progress, {} so far",
                self.what,
                took(self.started.elapsed())
            ));
            self.said = Instant::now();
        }
    }

    pub fn done(self, ok: bool, note: &str) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        let verdict = if ok { "done" } else { "FAILED" };
        let took = took(self.started.elapsed());
        self.say(&format!("{} {verdict} in {took}{note}", self.what));
    }
}

/// The terminal's sink for apply progress: a [`Step`] per change in
/// flight, keyed by the event's id.
#[derive(Default)]
pub struct Terminal {
    steps: std::sync::Mutex<std::collections::HashMap<u64, Step>>,
}

impl crate::progress::Sink for Terminal {
    fn event(&self, e: crate::progress::Event<'_>) {
        use crate::progress::Event;
        let mut steps = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        match e {
            Event::Started { id, what } => {
                steps.insert(id, Step::start(what));
            }
            Event::Waiting { id } => {
                if let Some(s) = steps.get_mut(&id) {
                    s.tick();
                }
            }
            Event::Done { id, ok, note } => {
                if let Some(s) = steps.remove(&id) {
                    s.done(ok, note);
                }
            }
        }
    }
}
