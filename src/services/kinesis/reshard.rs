//! Kinesis UniformScaling rules: one UpdateShardCount call may move a
//! stream's open shard count to no less than half and no more than double
//! its current value, so large moves are a chain of calls.

/// AWS allows this many UpdateShardCount calls per stream per rolling 24 h.
pub const MAX_SCALING_CALLS_PER_DAY: usize = 10;

/// The shard counts to pass to successive UpdateShardCount calls to get
/// from `from` to `to`, the fewest possible. Empty when nothing changes.
pub fn steps(from: u32, to: u32) -> Vec<u32> {
    // No stream scales to 0; halving never reaches it, so clamp rather than loop.
    let to = to.max(1);
    let mut out = Vec::new();
    let mut cur = from.max(1);
    while cur != to {
        cur = if to < cur {
            // Never below half: for odd counts half rounds up (5 -> 3).
            to.max(cur.div_ceil(2))
        } else {
            to.min(cur.saturating_mul(2))
        };
        out.push(cur);
    }
    out
}

/// Whether one call from `from` to `to` respects the half..double rule.
pub fn step_allowed(from: u32, to: u32) -> bool {
    to >= from.div_ceil(2) && to <= from.saturating_mul(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_to_one_is_three_steps() {
        assert_eq!(steps(8, 1), vec![4, 2, 1]);
        assert_eq!(steps(1, 8), vec![2, 4, 8]);
    }

    #[test]
    fn sample_project_is_one_step() {
        assert_eq!(steps(2, 1), vec![1]);
        assert_eq!(steps(1, 2), vec![2]);
        assert!(steps(3, 3).is_empty());
    }

    #[test]
    fn odd_counts_round_half_up() {
        assert_eq!(steps(5, 1), vec![3, 2, 1]);
        assert_eq!(steps(7, 2), vec![4, 2]);
        assert_eq!(steps(3, 7), vec![6, 7]);
    }

    #[test]
    fn large_jumps() {
        assert_eq!(steps(10_000, 1).len(), 14);
        assert_eq!(steps(1, 10_000).len(), 14);
        assert_eq!(steps(1000, 999), vec![999]);
    }

    #[test]
    fn every_pair_up_to_64_is_legal_minimal_and_ends_at_target() {
        for from in 1..=64u32 {
            for to in 1..=64u32 {
                let s = steps(from, to);
                let mut cur = from;
                for &n in &s {
                    assert!(
                        step_allowed(cur, n),
                        "{from}->{to}: {cur}->{n} breaks the rule"
                    );
                    cur = n;
                }
                assert_eq!(cur, to);
                // Minimal: each step goes as far as allowed except the last.
                let bound = if to < from {
                    (0..)
                        .scan(from, |c, _| {
                            let r = *c;
                            *c = c.div_ceil(2);
                            Some(r)
                        })
                        .take_while(|c| *c > to)
                        .count()
                } else {
                    (0..)
                        .scan(from, |c, _| {
                            let r = *c;
                            *c *= 2;
                            Some(r)
                        })
                        .take_while(|c| *c < to)
                        .count()
                };
                assert_eq!(s.len(), bound, "{from}->{to}: {s:?}");
            }
        }
    }
}
