//! Client-side pacing at a service's per-account request rate. AWS
//! throttles the whole account past these rates (a control plane at 15
//! requests/s, for one), so firing 16 requests at once only buys
//! throttling errors and retries; pacing keeps concurrency for latency and
//! lets the SDK's retry handle what is left.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Pace(Option<Arc<DefaultDirectRateLimiter>>);

impl std::fmt::Debug for Pace {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Pace(on)"
        } else {
            "Pace(off)"
        })
    }
}

impl Pace {
    /// `0` turns pacing off. The burst is half a second's requests, not a
    /// whole second's: AWS's bucket then keeps half its tokens all run
    /// long, and a request that arrives a little early (the network's
    /// jitter against the pacer's exact spacing) is not throttled into a
    /// retry's backoff, which costs more than the half burst saves.
    pub fn per_second(n: u32) -> Pace {
        Pace(NonZeroU32::new(n).map(|n| {
            let burst = NonZeroU32::new(n.get() / 2).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::direct(Quota::per_second(n).allow_burst(burst)))
        }))
    }

    pub async fn wait(&self) {
        if let Some(l) = &self.0 {
            l.until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn paces_beyond_the_burst() {
        let p = Pace::per_second(20);
        let t = Instant::now();
        for _ in 0..30 {
            p.wait().await;
        }
        // 10 at once (the burst), then 20 more at 20/s: about a second.
        let ms = t.elapsed().as_millis();
        assert!((400..2000).contains(&ms), "{ms} ms");
    }

    #[tokio::test]
    async fn zero_is_off() {
        let p = Pace::per_second(0);
        let t = Instant::now();
        for _ in 0..1000 {
            p.wait().await;
        }
        assert!(t.elapsed().as_millis() < 100);
    }
}
