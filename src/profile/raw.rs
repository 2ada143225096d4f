//! The profile exactly as written, for serde. Numbers are read as `i64` so
//! that out-of-range values get our own message and position rather than
//! serde's "invalid value" for `u32`.

use crate::model::Tags;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

pub use crate::profile::Toggle;

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a profile: a mapping of keys such as `version: 1`, `kinesis`, `lambda` and `cloudwatch`"
)]
pub struct RawProfile {
    #[serde(default, deserialize_with = "whole")]
    pub version: Option<i64>,
    pub description: Option<String>,
    #[serde(default)]
    pub target: RawTarget,
    #[serde(default)]
    pub kinesis: Vec<RawStreamRule>,
    #[serde(default)]
    pub lambda: Vec<RawFunctionRule>,
    #[serde(default)]
    pub cloudwatch: RawCloudwatch,
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with `region` and/or `account`"
)]
pub struct RawTarget {
    pub region: Option<String>,
    pub account: Option<AccountId>,
}

/// Account IDs must be quoted in YAML (a leading zero would be lost as a
/// number); an unquoted one gets a message saying so.
#[derive(Debug)]
pub struct AccountId(pub String);

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AccountId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a 12-digit account ID in quotes, e.g. \"123456789012\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AccountId, E> {
                if v > 999_999_999_999 {
                    return Err(E::custom(format!(
                        "account {v} is not an account ID: an AWS account ID has 12 digits, written in quotes"
                    )));
                }
                Err(E::custom(format!(
                    "account {v} must be quoted (\"{v:012}\"): as a number it can lose leading zeros"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AccountId, E> {
                Err(E::custom(format!("account {v} is not an account ID")))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `alarms`")]
pub struct RawCloudwatch {
    #[serde(default)]
    pub alarms: Vec<RawAlarmRule>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `name: my-stream` and `shards: 1`"
)]
pub struct RawStreamRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    #[serde(default, deserialize_with = "whole")]
    pub shards: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `name: my-function` and `reserved_concurrency: 0`"
)]
pub struct RawFunctionRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub reserved_concurrency: Option<RawReserved>,
    pub event_sources: Option<Toggle>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `prefix: my-project-` and `actions: disabled`"
)]
pub struct RawAlarmRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub actions: Option<Toggle>,
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

/// A whole number, with messages for what a YAML author gets wrong: a quoted
/// number, a fraction, a number too large for any setting.
fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct Whole(i64);
    impl<'de> Deserialize<'de> for Whole {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Whole;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a whole number")
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Whole, E> {
                    Ok(Whole(v))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Whole, E> {
                    i64::try_from(v).map(Whole).map_err(|_| too_large(v))
                }
                fn visit_u128<E: de::Error>(self, v: u128) -> Result<Whole, E> {
                    Err(too_large(v))
                }
                fn visit_i128<E: de::Error>(self, v: i128) -> Result<Whole, E> {
                    Err(too_large(v))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Whole, E> {
                    not_whole(v, &self)
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Whole, E> {
                    if v.trim().parse::<i64>().is_ok() {
                        return Err(quoted_number(v));
                    }
                    Err(E::invalid_type(de::Unexpected::Str(v), &self))
                }
            }
            d.deserialize_any(V)
        }
    }
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

fn too_large<E: de::Error>(v: impl fmt::Display) -> E {
    E::custom(format!("{v} is far too large for this setting"))
}

fn not_whole<T, E: de::Error>(v: f64, exp: &dyn de::Expected) -> Result<T, E> {
    if v.is_finite() && v.abs() >= 9.0e18 {
        Err(too_large(v))
    } else {
        Err(E::invalid_type(de::Unexpected::Float(v), exp))
    }
}

fn quoted_number<E: de::Error>(v: &str) -> E {
    E::custom(format!(
        "\"{v}\" is a quoted string: write the number without quotes"
    ))
}

/// serde_yaml guards against alias bombs and deep nesting itself; the span
/// walk, which runs first, also refuses deep nesting.
pub fn parse(text: &str) -> Result<RawProfile, serde_yaml::Error> {
    serde_yaml::from_str(text)
}
