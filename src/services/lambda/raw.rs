//! The `lambda` profile section as written, for serde.

use crate::profile::raw::{not_whole, quoted_number, too_large};
use crate::profile::rule::Toggle;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `name: my-function` and `reserved_concurrency: 0`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<crate::model::Tags>,
    pub reserved_concurrency: Option<RawReserved>,
    pub event_sources: Option<Toggle>,
}

/// `reserved_concurrency`: a number, or `none` to remove the reservation.
#[derive(Debug, Clone, Copy)]
pub enum RawReserved {
    None,
    Number(i64),
}

impl<'de> Deserialize<'de> for RawReserved {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawReserved;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number (0 throttles) or `none` (no reservation)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawReserved, E> {
                Ok(RawReserved::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawReserved, E> {
                i64::try_from(v)
                    .map(RawReserved::Number)
                    .map_err(|_| too_large(v))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawReserved, E> {
                Err(too_large(v))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawReserved, E> {
                Err(too_large(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawReserved, E> {
                not_whole(v, &self)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawReserved, E> {
                match v {
                    "none" => Ok(RawReserved::None),
                    "unlimited" | "unreserved" | "None" | "NONE" => Err(E::custom(format!(
                        "reserved_concurrency `{v}` is not a value parkctl knows: write `none` to remove the reservation"
                    ))),
                    _ if v.trim().parse::<i64>().is_ok() => Err(quoted_number(v)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}
