//! The profile's shared parts exactly as written, for serde (each service's
//! section is in its module; the registry puts them together). Numbers are read as `i64` so
//! that out-of-range values get our own message and position rather than
//! serde's "invalid value" for `u32`.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

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

/// A whole number, with messages for what a YAML author gets wrong: a quoted
/// number, a fraction, a number too large for any setting.
pub fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
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

pub fn too_large<E: de::Error>(v: impl fmt::Display) -> E {
    E::custom(format!("{v} is far too large for this setting"))
}

pub fn not_whole<T, E: de::Error>(v: f64, exp: &dyn de::Expected) -> Result<T, E> {
    if v.is_finite() && v.abs() >= 9.0e18 {
        Err(too_large(v))
    } else {
        Err(E::invalid_type(de::Unexpected::Float(v), exp))
    }
}

pub fn quoted_number<E: de::Error>(v: &str) -> E {
    E::custom(format!(
        "\"{v}\" is a quoted string: write the number without quotes"
    ))
}
