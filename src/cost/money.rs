//! Exact money: an integer count of picodollars.
//!
//! Prices such as $0.0000166667 per GB-second and sums over hundreds of
//! resources must come out to the cent every time, which binary floats do
//! not promise; a picodollar holds every published AWS price exactly and an
//! `i128` of them cannot overflow on any bill.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};

const PLACES: u32 = 12;
const PICOS_PER_USD: i128 = 10i128.pow(PLACES);

/// An amount in US dollars. Negative amounts exist: a saving can be an
/// increase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_picos(picos: i128) -> Money {
        Money(picos)
    }

    pub fn picos(self) -> i128 {
        self.0
    }

    /// Parses a decimal dollar amount ("0.015", "10", "-1.5") exactly;
    /// refuses more than 12 decimal places rather than rounding a price
    /// someone typed.
    pub fn parse_usd(text: &str) -> Result<Money, String> {
        parse_decimal(text, false)
    }

    /// A figure computed from measured usage (metric sums are floats),
    /// rounded to the picodollar.
    pub fn approx(usd: f64) -> Money {
        Money((usd * 1e12).round() as i128)
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1e12
    }

    pub fn times(self, n: u64) -> Money {
        Money(self.0.saturating_mul(i128::from(n)))
    }

    /// `self * num / den`, rounded half away from zero: how a monthly
    /// figure becomes an hourly or daily one without drifting.
    pub fn scale(self, num: i128, den: i128) -> Money {
        Money(div_round(self.0.saturating_mul(num), den))
    }

    /// "$21.90", "-$0.03": rounded half away from zero to `places` decimals.
    pub fn usd(self, places: u32) -> String {
        let places = places.min(PLACES);
        let unit = 10i128.pow(PLACES - places);
        let rounded = div_round(self.0, unit).abs();
        let sign = if self.0 < 0 && rounded != 0 { "-" } else { "" };
        let scale = 10i128.pow(places);
        let (whole, frac) = (rounded / scale, rounded % scale);
        if places == 0 {
            format!("{sign}${whole}")
        } else {
            format!("{sign}${whole}.{frac:0width$}", width = places as usize)
        }
    }

    /// Every digit, none rounded away: "$0.0000166667". For prices.
    pub fn exact(self) -> String {
        let plain = self.plain();
        match plain.strip_prefix('-') {
            Some(abs) => format!("-${abs}"),
            None => format!("${plain}"),
        }
    }

    /// The shortest decimal that is exactly this amount, without "$".
    fn plain(self) -> String {
        let abs = self.0.abs();
        let (whole, frac) = (abs / PICOS_PER_USD, abs % PICOS_PER_USD);
        let sign = if self.0 < 0 { "-" } else { "" };
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let frac = format!("{frac:012}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// Integer division rounding half away from zero (`den` > 0).
fn div_round(num: i128, den: i128) -> i128 {
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

/// `round`: digits past the 12th place are rounded instead of refused, for
/// amounts that went through a float (JSON, YAML numbers).
fn parse_decimal(text: &str, round: bool) -> Result<Money, String> {
    let bad = || format!("{text:?} is not a dollar amount");
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) {
        return Err(bad());
    }
    if frac.len() > PLACES as usize && !round {
        return Err(format!("{text:?} has more than {PLACES} decimal places"));
    }
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let kept = &frac[..frac.len().min(PLACES as usize)];
    let mut picos: i128 = if kept.is_empty() {
        0
    } else {
        kept.parse().map_err(|_| bad())?
    };
    picos *= 10i128.pow(PLACES - kept.len() as u32);
    if frac
        .as_bytes()
        .get(PLACES as usize)
        .is_some_and(|d| *d >= b'5')
    {
        picos += 1;
    }
    let total = whole
        .checked_mul(PICOS_PER_USD)
        .and_then(|w| w.checked_add(picos))
        .ok_or_else(bad)?;
    Ok(Money(if negative { -total } else { total }))
}

impl fmt::Display for Money {
    /// Cents: what a bill shows.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.usd(2))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// A JSON number of dollars (21.9), the form a reader of `--json` expects;
/// it is the float nearest the exact amount, so it reads back exactly for
/// any amount of 15 significant digits or fewer.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value: f64 = self.plain().parse().map_err(serde::ser::Error::custom)?;
        s.serialize_f64(value)
    }
}

/// Accepts a number or a decimal string ("0.0000166667"), so a pricing file
/// can quote a price to keep it free of any float.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

struct MoneyVisitor;

impl Visitor<'_> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a dollar amount such as 0.015")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        Ok(Money(i128::from(v) * PICOS_PER_USD))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        Ok(Money(i128::from(v) * PICOS_PER_USD))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("{v} is not a dollar amount")));
        }
        // Display gives the shortest decimal that reads back as `v`, which
        // is what was written in the file.
        parse_decimal(&v.to_string(), true).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        Money::parse_usd(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Money {
        Money::parse_usd(s).unwrap()
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(usd("0.015").picos(), 15_000_000_000);
        assert_eq!(usd("0.0000166667").picos(), 16_666_700);
        assert_eq!(usd("10").picos(), 10 * PICOS_PER_USD);
        assert_eq!(usd(".5"), usd("0.50"));
        assert_eq!(usd("-1.5"), -usd("1.5"));
        assert!(Money::parse_usd("0.0000000000001")
            .unwrap_err()
            .contains("decimal places"));
        for bad in ["", ".", "abc", "1.2.3", "1e3", "$1", "--1"] {
            assert!(Money::parse_usd(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn renders_rounded_half_away_from_zero() {
        assert_eq!(usd("21.9").to_string(), "$21.90");
        assert_eq!(usd("0.005").to_string(), "$0.01");
        assert_eq!(usd("0.0049").to_string(), "$0.00");
        assert_eq!(usd("-10.955").to_string(), "-$10.96");
        assert_eq!(usd("-0.001").to_string(), "$0.00");
        assert_eq!(usd("0.03").usd(3), "$0.030");
        assert_eq!(usd("1234.5").usd(0), "$1235");
        assert_eq!(usd("0.0000166667").exact(), "$0.0000166667");
        assert_eq!(usd("-2").exact(), "-$2");
    }

    #[test]
    fn scale_keeps_exact_results_exact() {
        let month = usd("21.90");
        assert_eq!(month.scale(1, 730), usd("0.03"));
        assert_eq!(month.scale(24, 730), usd("0.72"));
        assert_eq!(usd("0.10").scale(1, 730).picos(), 136_986_301);
    }

    #[test]
    fn json_round_trip() {
        for s in ["21.9", "0.0000166667", "0", "-10.95", "123456.789"] {
            let m = usd(s);
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m, "{json}");
        }
        assert_eq!(serde_json::to_string(&usd("21.90")).unwrap(), "21.9");
        assert_eq!(
            serde_json::from_str::<Money>("\"0.015\"").unwrap(),
            usd("0.015")
        );
        assert_eq!(serde_json::from_str::<Money>("3").unwrap(), usd("3"));
    }
}
