//! AWS's limits on DynamoDB capacity changes, which the emulator does not
//! enforce (quota L-F3CA5463, Amazon DynamoDB Developer Guide "Service,
//! account, and table quotas"): per table and per global secondary index,
//! up to 4 decreases at any time in a UTC day, then one more after each
//! hour without a decrease, at most 27 a day; at most 4 switches to
//! on-demand in a rolling 24 h. Increases and switches back to
//! provisioned are not limited, so a restore is never blocked.

use chrono::{DateTime, Duration, Utc};

pub const FREE_DECREASES: u64 = 4;
pub const MAX_DECREASES: u64 = 27;
pub const MAX_ON_DEMAND_SWITCHES: usize = 4;

/// Whether one more decrease is allowed now, given what DescribeTable says
/// (`NumberOfDecreasesToday`, `LastDecreaseDateTime`).
#[derive(Debug, PartialEq)]
pub enum Room {
    Yes,
    /// Allowed, and it is the last one before the hourly rule applies.
    Last,
    /// Allowed by the hourly rule: the next one an hour after this.
    Hourly,
    No(String),
}

pub fn decrease(today: u64, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Room {
    // The counter is per UTC day: a decrease on an earlier day leaves today's at 0.
    let today = match last {
        Some(l) if l.date_naive() == now.date_naive() => today,
        _ => 0,
    };
    if today + 1 < FREE_DECREASES {
        return Room::Yes;
    }
    if today + 1 == FREE_DECREASES {
        return Room::Last;
    }
    let midnight = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    if today >= MAX_DECREASES {
        return Room::No(format!(
            "it was decreased {today} times today, the most AWS allows in a UTC day; the next decrease is possible after {}",
            crate::plan::minute(midnight)
        ));
    }
    match last {
        Some(l) if now - l < Duration::hours(1) => {
            let next = l + Duration::hours(1);
            Room::No(format!(
                "it was decreased {today} times today (last at {}), and after the first {FREE_DECREASES} AWS allows one decrease per hour; the next is possible after {}",
                l.format("%H:%M UTC"),
                crate::plan::minute(next.min(midnight))
            ))
        }
        _ => Room::Hourly,
    }
}

/// How many switches to on-demand remain in the rolling day: parkctl's own
/// (`done`, from its records) and the last one AWS shows, when it is not
/// one of those.
pub fn on_demand_left(
    done: &[DateTime<Utc>],
    aws_last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> usize {
    let day = now - Duration::hours(24);
    let mut n = done.iter().filter(|t| **t > day).count();
    if let Some(l) = aws_last {
        let known = done.iter().any(|t| (*t - l).num_seconds().abs() < 120);
        if l > day && !known {
            n += 1;
        }
    }
    MAX_ON_DEMAND_SWITCHES.saturating_sub(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    #[test]
    fn four_decreases_at_any_time_the_fourth_is_the_last() {
        assert_eq!(decrease(0, None, at(10, 0)), Room::Yes);
        assert_eq!(decrease(2, Some(at(9, 59)), at(10, 0)), Room::Yes);
        assert_eq!(decrease(3, Some(at(9, 59)), at(10, 0)), Room::Last);
    }

    #[test]
    fn after_four_one_per_hour_without_a_decrease() {
        let Room::No(why) = decrease(4, Some(at(9, 30)), at(10, 0)) else {
            panic!("a fifth decrease within the hour was allowed")
        };
        assert!(why.contains("after 2026-12-01 10:30 UTC"), "{why}");
        assert_eq!(decrease(4, Some(at(9, 0)), at(10, 0)), Room::Hourly);
        assert_eq!(decrease(26, Some(at(8, 0)), at(23, 0)), Room::Hourly);
    }

    #[test]
    fn twenty_seven_a_day_at_most() {
        let Room::No(why) = decrease(27, Some(at(20, 0)), at(23, 0)) else {
            panic!("a 28th decrease was allowed")
        };
        assert!(why.contains("after 2026-12-02 00:00 UTC"), "{why}");
    }

    #[test]
    fn yesterdays_decreases_do_not_count_today() {
        let yesterday = at(23, 0) - Duration::days(1);
        assert_eq!(decrease(27, Some(yesterday), at(0, 30)), Room::Yes);
    }

    #[test]
    fn on_demand_switches_count_records_and_what_aws_shows_once() {
        let now = at(12, 0);
        assert_eq!(on_demand_left(&[], None, now), 4);
        let done = [at(1, 0), at(6, 0)];
        assert_eq!(on_demand_left(&done, None, now), 2);
        // AWS's last switch is one of parkctl's: counted once.
        assert_eq!(on_demand_left(&done, Some(at(6, 0)), now), 2);
        // One made outside parkctl counts too.
        assert_eq!(on_demand_left(&done, Some(at(8, 0)), now), 1);
        // A day-old switch does not.
        assert_eq!(
            on_demand_left(&[], Some(at(11, 0) - Duration::days(1)), now),
            4
        );
    }
}
