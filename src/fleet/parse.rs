//! The `targets:` section of `parkctl.yaml`: serde reads its shape (and
//! refuses unknown keys at their position, in file order); the checks here
//! refuse what serde cannot see (an account that is not 12 digits, a role
//! in another account, both or neither of role and profile), each at its
//! line through the same span index and diagnostics as profiles.

use super::{Credentials, Target};
use crate::profile::spans::SpanIndex;
use crate::profile::ProfileErrors;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The targets as written, in file order (the order plans are shown in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTargets(pub Vec<(String, RawTarget)>);

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub aws_profile: Option<String>,
}

impl<'de> Deserialize<'de> for RawTargets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = RawTargets;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of target names to their account and region")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawTargets, A::Error> {
                let mut out: Vec<(String, RawTarget)> = Vec::new();
                while let Some((name, t)) = m.next_entry::<String, RawTarget>()? {
                    if out.iter().any(|(n, _)| *n == name) {
                        return Err(serde::de::Error::custom(format!(
                            "target `{name}` is defined twice"
                        )));
                    }
                    out.push((name, t));
                }
                Ok(RawTargets(out))
            }
        }
        d.deserialize_map(InOrder)
    }
}

const ROOT: &str = "targets";

/// Checks the targets read from `text` (the whole config file, for
/// positions).
pub fn build(file: &str, text: &str, raw: &RawTargets) -> Result<Vec<Target>, ProfileErrors> {
    let mut errors = ProfileErrors::new(file, text).in_file("config");
    let index = SpanIndex::walk(text).unwrap_or_default();
    let mut out = Vec::new();
    for (name, t) in &raw.0 {
        let mut bad = |key: &str, message: String, label: &str, help: &str| {
            let span = match key {
                "" => index.key(&format!("{ROOT}.{name}")),
                _ => index.value(&format!("{ROOT}.{name}.{key}")),
            };
            errors.push(&message, span, label, Some(help));
        };
        if let Some(problem) = check(name, t).or_else(|| clash(name, t, &out)) {
            bad(problem.key, problem.message, problem.label, problem.help);
            continue;
        }
        let credentials = match (&t.role_arn, &t.aws_profile) {
            (Some(arn), _) => Credentials::Role {
                arn: arn.clone(),
                external_id: t.external_id.clone(),
            },
            (None, Some(p)) => Credentials::Profile(p.clone()),
            (None, None) => Credentials::Caller,
        };
        out.push(Target {
            name: name.clone(),
            account: t.account.clone(),
            region: t.region.clone(),
            credentials,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

struct Problem {
    key: &'static str,
    message: String,
    label: &'static str,
    help: &'static str,
}

fn problem(key: &'static str, message: String, label: &'static str, help: &'static str) -> Problem {
    Problem {
        key,
        message,
        label,
        help,
    }
}

/// Two targets that are one: the same account and region (they would
/// apply to the same resources under two locks), or names that only case
/// tells apart (one directory on a case-insensitive file system).
fn clash(name: &str, t: &RawTarget, earlier: &[Target]) -> Option<Problem> {
    if let Some(o) = earlier.iter().find(|o| o.name.eq_ignore_ascii_case(name)) {
        return Some(problem(
            "",
            format!("targets `{}` and `{name}` differ only in case", o.name),
            "same name",
            "give each target a name of its own",
        ));
    }
    let o = earlier
        .iter()
        .find(|o| o.account == t.account && o.region == t.region)?;
    Some(problem(
        "region",
        format!(
            "targets `{}` and `{name}` are both account {} in {}",
            o.name, t.account, t.region
        ),
        "same account and region",
        "one target per account and region: they would change the same resources under two locks",
    ))
}

/// The first thing wrong with one target, if any.
fn check(name: &str, t: &RawTarget) -> Option<Problem> {
    let named = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(named) || name.len() > 64 || name == "all" {
        return Some(problem(
            "",
            format!("`{name}` is not a target name"),
            "bad name",
            "letters, digits, - and _ (it names a directory under state/targets/); `all` means every target",
        ));
    }
    if !is_account(&t.account) {
        return Some(problem(
            "account",
            format!("target `{name}`: `{}` is not an AWS account id", t.account),
            "not 12 digits",
            "an account id is 12 digits, quoted (\"012345678901\") so YAML keeps leading zeros",
        ));
    }
    if !is_region(&t.region) {
        return Some(problem(
            "region",
            format!("target `{name}`: `{}` is not an AWS region", t.region),
            "bad region",
            "a region such as us-east-1 or eu-west-1",
        ));
    }
    credentials(name, t)
}

fn credentials(name: &str, t: &RawTarget) -> Option<Problem> {
    match (&t.role_arn, &t.aws_profile) {
        (Some(_), Some(_)) => Some(problem(
            "aws_profile",
            format!("target `{name}` sets both `role_arn` and `aws_profile`"),
            "one or the other",
            "keep `role_arn` (assumed from the caller's credentials) or `aws_profile` (a shared-config profile), not both",
        )),
        (Some(arn), None) => match role_account(arn) {
            None => Some(problem(
                "role_arn",
                format!("target `{name}`: `{arn}` is not an IAM role ARN"),
                "bad ARN",
                "arn:aws:iam::ACCOUNT:role/NAME",
            )),
            Some(a) if a != t.account => Some(problem(
                "role_arn",
                format!(
                    "target `{name}` is account {}, but its role is in account {a}",
                    t.account
                ),
                "another account",
                "the role to assume lives in the target's own account",
            )),
            Some(_) => None,
        },
        (None, _) if t.external_id.is_some() => Some(problem(
            "external_id",
            format!("target `{name}` sets `external_id` without `role_arn`"),
            "nothing to pass it to",
            "an external id goes with the role it is assumed with",
        )),
        _ => None,
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `xx-word-N` (and `us-gov-west-1`): a typo is caught here, before any
/// call goes to a region that does not exist.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The account of `arn:PARTITION:iam::ACCOUNT:role/NAME`.
fn role_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, rest]
            if is_account(account) && rest.starts_with("role/") && rest.len() > 5 =>
        {
            Some(account)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Target>, String> {
        #[derive(Deserialize)]
        struct File {
            targets: RawTargets,
        }
        let f: File = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        build("parkctl.yaml", text, &f.targets).map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn keeps_file_order_and_credentials() {
        let t = parse(
            "targets:\n  stage:\n    account: \"222222222222\"\n    region: eu-west-1\n    role_arn: arn:aws:iam::222222222222:role/parkctl\n    external_id: x\n  dev:\n    account: \"111111111111\"\n    region: us-east-1\n    aws_profile: dev-admin\n",
        )
        .unwrap();
        assert_eq!(t[0].name, "stage");
        assert_eq!(
            t[0].credentials,
            Credentials::Role {
                arn: "arn:aws:iam::222222222222:role/parkctl".into(),
                external_id: Some("x".into())
            }
        );
        assert_eq!(t[1].credentials, Credentials::Profile("dev-admin".into()));
    }

    #[test]
    fn refuses_at_the_line() {
        let cases = [
            ("account: \"1234\"\n    region: us-east-1", ":3:", "not an AWS account id"),
            ("account: \"111111111111\"\n    region: useast1", ":4:", "not an AWS region"),
            (
                "account: \"111111111111\"\n    region: us-east-1\n    role_arn: arn:aws:iam::222222222222:role/p",
                ":5:",
                "its role is in account 222222222222",
            ),
            (
                "account: \"111111111111\"\n    region: us-east-1\n    role_arn: arn:aws:iam::111111111111:role/p\n    aws_profile: x",
                ":6:",
                "both",
            ),
            (
                "account: \"111111111111\"\n    region: us-east-1\n    external_id: x",
                ":5:",
                "without `role_arn`",
            ),
        ];
        for (body, at, says) in cases {
            let e = parse(&format!("targets:\n  dev:\n    {body}\n")).unwrap_err();
            assert!(e.contains(at) && e.contains(says), "{body}: {e}");
        }
        let two = "targets:\n  dev:\n    account: \"111111111111\"\n    region: us-east-1\n  Dev:\n    account: \"222222222222\"\n    region: us-east-1\n  again:\n    account: \"111111111111\"\n    region: us-east-1\n";
        let e = parse(two).unwrap_err();
        assert!(
            e.contains(":5:") && e.contains("differ only in case"),
            "{e}"
        );
        assert!(
            e.contains(":10:") && e.contains("both account 111111111111 in us-east-1"),
            "{e}"
        );
        let e = parse("targets:\n  all:\n    account: \"111111111111\"\n    region: us-east-1\n")
            .unwrap_err();
        assert!(e.contains("not a target name"), "{e}");
        let e =
            parse("targets:\n  dev:\n    account: \"111111111111\"\n    regoin: x\n").unwrap_err();
        assert!(
            e.contains("unknown field `regoin`") && e.contains("line 4"),
            "{e}"
        );
    }
}
