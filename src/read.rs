//! Reads the live state of exactly the resources some selector can match,
//! with the fewest calls: names-only selectors skip listing, tags are read
//! only for resources whose name can match a tag rule, and alarm prefixes
//! that contain one another are read once.

use crate::aws::{lambda::Listed, Aws, AwsError};
use crate::model::{Function, Live, Tags};
use crate::profile::{Profile, Selector};
use std::collections::{BTreeMap, BTreeSet};

/// Which resources a run needs, per service.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub streams: Vec<Selector>,
    pub functions: Vec<Selector>,
    pub alarms: Vec<Selector>,
    /// Read the account's concurrency pool (a rule sets a reservation).
    pub account: bool,
}

impl Wanted {
    pub fn of(profile: &Profile) -> Self {
        Wanted {
            streams: profile.kinesis.iter().map(|r| r.selector.clone()).collect(),
            functions: profile.lambda.iter().map(|r| r.selector.clone()).collect(),
            alarms: profile.alarms.iter().map(|r| r.selector.clone()).collect(),
            account: profile
                .lambda
                .iter()
                .any(|r| r.spec.reserved_concurrency.is_some()),
        }
    }

    /// Exactly the resources recorded in `live` (a snapshot or saved plan).
    pub fn named(live: &Live) -> Self {
        let sel = |names: Vec<String>| {
            if names.is_empty() {
                vec![]
            } else {
                vec![Selector {
                    names,
                    ..Default::default()
                }]
            }
        };
        Wanted {
            streams: sel(live.streams.iter().map(|s| s.name.clone()).collect()),
            functions: sel(live.functions.iter().map(|f| f.name.clone()).collect()),
            alarms: sel(live.alarms.iter().map(|a| a.name.clone()).collect()),
            account: !live.functions.is_empty(),
        }
    }

    pub fn merge(mut self, other: Wanted) -> Self {
        self.streams.extend(other.streams);
        self.functions.extend(other.functions);
        self.alarms.extend(other.alarms);
        self.account |= other.account;
        self
    }
}

fn names_only(sels: &[Selector]) -> Option<Vec<String>> {
    let mut out = BTreeSet::new();
    for s in sels {
        if s.names.is_empty() || s.prefix.is_some() || s.needs_tags() {
            return None;
        }
        out.extend(s.names.iter().cloned());
    }
    Some(out.into_iter().collect())
}

fn candidates<'a>(sels: &[Selector], names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names
        .filter(|n| sels.iter().any(|s| s.name_may_match(n)))
        .map(str::to_string)
        .collect()
}

fn need_tags(sels: &[Selector], name: &str) -> bool {
    sels.iter()
        .any(|s| s.needs_tags() && s.name_may_match(name))
}

fn selected(sels: &[Selector], name: &str, tags: &Tags) -> bool {
    sels.iter().any(|s| s.matches(name, Some(tags)))
}

pub async fn read(aws: &Aws, wanted: &Wanted) -> Result<Live, AwsError> {
    // The account's concurrency pool is read alongside, not after: one
    // round trip less on the critical path.
    let account = async {
        if wanted.account {
            aws.lambda.account().await
        } else {
            Default::default()
        }
    };
    let (streams, functions, alarms, account) = tokio::join!(
        read_streams(aws, &wanted.streams),
        read_functions(aws, &wanted.functions),
        read_alarms(aws, &wanted.alarms),
        account
    );
    Ok(Live {
        streams: streams?,
        functions: functions?,
        alarms: alarms?,
        account,
    })
}

async fn read_streams(aws: &Aws, sels: &[Selector]) -> Result<Vec<crate::model::Stream>, AwsError> {
    if sels.is_empty() {
        return Ok(vec![]);
    }
    let cands = match names_only(sels) {
        Some(n) => n,
        None => candidates(
            sels,
            aws.kinesis.list_names().await?.iter().map(String::as_str),
        ),
    };
    let tag_names: Vec<String> = cands
        .iter()
        .filter(|n| need_tags(sels, n))
        .cloned()
        .collect();
    let tags: BTreeMap<String, Tags> = aws.kinesis.tags(&tag_names).await?.into_iter().collect();
    let chosen: Vec<String> = cands
        .into_iter()
        .filter(|n| selected(sels, n, tags.get(n).unwrap_or(&Tags::new())))
        .collect();
    let mut streams = aws.kinesis.describe(&chosen).await?;
    for s in &mut streams {
        s.tags = tags.get(&s.name).cloned().unwrap_or_default();
    }
    Ok(streams)
}

async fn read_functions(aws: &Aws, sels: &[Selector]) -> Result<Vec<Function>, AwsError> {
    if sels.is_empty() {
        return Ok(vec![]);
    }
    let listed = aws.lambda.list().await?;
    let cands: Vec<&Listed> = listed
        .iter()
        .filter(|f| sels.iter().any(|s| s.name_may_match(&f.name)))
        .collect();
    let tag_fns: Vec<Listed> = cands
        .iter()
        .filter(|f| need_tags(sels, &f.name))
        .map(|f| (*f).clone())
        .collect();
    let tags = function_tags(aws, &tag_fns, listed.len()).await?;
    let chosen: Vec<&Listed> = cands
        .into_iter()
        .filter(|f| selected(sels, &f.name, tags.get(&f.name).unwrap_or(&Tags::new())))
        .collect();
    if chosen.is_empty() {
        return Ok(vec![]);
    }
    let names: Vec<String> = chosen.iter().map(|f| f.name.clone()).collect();
    let (reserved, mappings) = tokio::join!(aws.lambda.reserved(&names), aws.lambda.mappings());
    let reserved: BTreeMap<String, Option<u32>> = reserved?.into_iter().collect();
    let mut by_fn: BTreeMap<String, Vec<crate::model::Mapping>> = BTreeMap::new();
    for (f, m) in mappings? {
        by_fn.entry(f).or_default().push(m);
    }
    Ok(chosen
        .into_iter()
        .filter_map(|f| {
            reserved.get(&f.name).map(|r| Function {
                name: f.name.clone(),
                arn: f.arn.clone(),
                reserved: *r,
                mappings: by_fn.remove(&f.name).unwrap_or_default(),
                tags: tags.get(&f.name).cloned().unwrap_or_default(),
            })
        })
        .collect())
}

/// Tags of the candidate functions, by the cheaper of two ways: one
/// ListTags per candidate, or GetResources for every tagged function of the
/// account (100 a page). Without permission for the tagging API, the first.
async fn function_tags(
    aws: &Aws,
    candidates: &[Listed],
    functions_in_account: usize,
) -> Result<BTreeMap<String, Tags>, AwsError> {
    // PARKCTL_TAG_READS=per-resource forces the per-function reads, so that
    // the benchmark can measure both ways.
    let per_resource = std::env::var("PARKCTL_TAG_READS").is_ok_and(|v| v == "per-resource");
    if !per_resource && candidates.len() > tagging_pages(functions_in_account) {
        match aws.tagging.tags_of("lambda:function").await {
            Ok(by_arn) => {
                let by_arn: BTreeMap<String, Tags> = by_arn.into_iter().collect();
                return Ok(candidates
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            by_arn.get(&f.arn).cloned().unwrap_or_default(),
                        )
                    })
                    .collect());
            }
            Err(e) => tracing::warn!("{e}; reading tags one function at a time instead"),
        }
    }
    Ok(aws.lambda.tags(candidates).await?.into_iter().collect())
}

/// GetResources calls needed for an account's functions, at most.
fn tagging_pages(functions: usize) -> usize {
    functions.div_ceil(100).max(1)
}

/// The fewest DescribeAlarms reads covering every selector: one per
/// distinct prefix (dropping prefixes another one covers), names in 100s,
/// or one full listing when a selector has only tags.
async fn read_alarms(aws: &Aws, sels: &[Selector]) -> Result<Vec<crate::model::Alarm>, AwsError> {
    if sels.is_empty() {
        return Ok(vec![]);
    }
    let mut found = BTreeMap::new();
    if sels
        .iter()
        .any(|s| s.names.is_empty() && s.prefix.is_none())
    {
        for a in aws.cloudwatch.by_prefix(None).await? {
            found.insert(a.name.clone(), a);
        }
    } else {
        let mut prefixes: Vec<&str> = sels
            .iter()
            .filter(|s| s.names.is_empty())
            .filter_map(|s| s.prefix.as_deref())
            .collect();
        prefixes.sort();
        prefixes.dedup();
        let covering: Vec<&str> = prefixes
            .iter()
            .filter(|p| !prefixes.iter().any(|q| q != *p && p.starts_with(q)))
            .copied()
            .collect();
        let names: BTreeSet<String> = sels
            .iter()
            .flat_map(|s| s.names.iter())
            .filter(|n| !covering.iter().any(|p| n.starts_with(p)))
            .cloned()
            .collect();
        let by_prefix = crate::aws::bounded(covering, aws.concurrency, |p| {
            aws.cloudwatch.by_prefix(Some(p))
        })
        .await;
        for r in by_prefix {
            for a in r? {
                found.insert(a.name.clone(), a);
            }
        }
        let names: Vec<String> = names.into_iter().collect();
        for a in aws.cloudwatch.by_names(&names).await? {
            found.insert(a.name.clone(), a);
        }
    }
    let cands: Vec<crate::model::Alarm> = found
        .into_values()
        .filter(|a| sels.iter().any(|s| s.name_may_match(&a.name)))
        .collect();
    let tag_alarms: Vec<crate::model::Alarm> = cands
        .iter()
        .filter(|a| need_tags(sels, &a.name))
        .cloned()
        .collect();
    let tags: BTreeMap<String, Tags> = aws
        .cloudwatch
        .tags(&tag_alarms)
        .await?
        .into_iter()
        .collect();
    Ok(cands
        .into_iter()
        .filter_map(|mut a| {
            let t = tags.get(&a.name).cloned().unwrap_or_default();
            selected(sels, &a.name, &t).then(|| {
                a.tags = t;
                a
            })
        })
        .collect())
}
