//! Bounded waits for a state AWS reaches in minutes: an SDK waiter where
//! the SDK has one, else a poll of the service's describe call (no SDK
//! waiter exists for a stopped database or a paused cluster). Ctrl-C ends
//! the wait; the resource goes on changing.

use super::AwsError;
use crate::outcome::Interrupt;
use std::future::Future;
use std::time::{Duration, Instant};

/// How often a poll asks: AWS takes minutes to stop or pause a database.
pub const POLL: Duration = Duration::from_secs(15);

/// `wait` until it ends, `minutes` pass, or Ctrl-C; `(service, op, what)`
/// name the wait in its error.
pub async fn bounded<F>(
    wait: F,
    minutes: u64,
    interrupt: &Interrupt,
    (service, op, what): (&str, &str, &str),
) -> Result<(), AwsError>
where
    F: Future<Output = Result<(), AwsError>>,
{
    let started = Instant::now();
    let wait = tokio::time::timeout(Duration::from_secs(minutes * 60), wait);
    tokio::pin!(wait);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            r = &mut wait => {
                return r.unwrap_or_else(|_| Err(AwsError::other(service, op, what, "WaiterTimeout",
                    format!("not done after {minutes} min (`wait_minutes`); it goes on: re-run to wait more"))));
            }
            _ = tick.tick() => {
                if interrupt.is_raised() {
                    return Err(AwsError::other(service, op, what, "Interrupted", format!(
                        "stopped waiting by Ctrl-C after {}s; it goes on: re-run to wait for it",
                        started.elapsed().as_secs()
                    )));
                }
            }
        }
    }
}

/// Asks `state` every [`POLL`] until it answers `want`.
pub async fn poll<F, Fut>(want: &str, mut state: F) -> Result<(), AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String, AwsError>>,
{
    loop {
        if state().await? == want {
            return Ok(());
        }
        tokio::time::sleep(POLL).await;
    }
}
