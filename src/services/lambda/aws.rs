//! Lambda over the SDK: functions, their reserved concurrency and
//! event-source mappings. Reserved concurrency comes from
//! GetFunctionConcurrency, the one call that reports a reservation of 0
//! (GetFunction omits it on some servers).

use super::{function, mapping, FUNCTION, NAME, SOURCE};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, existing, tagging::Tagging, AwsError};
use crate::model::{Attrs, Resource, Tags, Value};
use crate::outcome::{one, skipped, Interrupt, Outcome, Status};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_lambda::Client;
use chrono::DateTime;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub struct Functions {
    client: Client,
    activity: super::activity::Activity,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
    tagging: Arc<Tagging>,
}

/// One event source mapping as listed: its function and its fields.
struct Mapping {
    function: String,
    uuid: String,
    source_arn: String,
    enabled: bool,
    state: String,
}

/// A function as listed: name and ARN.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub arn: String,
    /// ISO 8601, as Lambda reports it; the function existed at least since.
    pub last_modified: Option<String>,
    pub memory_mb: i32,
    /// `x86_64` or `arm64`: they bill different GB-second prices.
    pub architecture: String,
    pub log_group: String,
}

impl Functions {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_lambda::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Functions {
            client: Client::from_conf(conf),
            activity: super::activity::Activity::new(shared),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
            tagging: shared.tagging.clone(),
        }
    }

    pub async fn list(&self) -> Result<Vec<Listed>, AwsError> {
        let mut out = Vec::new();
        // 50 is ListFunctions' largest page.
        let pages = self
            .client
            .list_functions()
            .max_items(50)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            ("lambda", "ListFunctions", "the account's functions"),
            |page| {
                for f in page.functions() {
                    out.push(Listed {
                        name: f.function_name().unwrap_or_default().to_string(),
                        arn: f.function_arn().unwrap_or_default().to_string(),
                        last_modified: f.last_modified().map(str::to_string),
                        memory_mb: f.memory_size().unwrap_or(128),
                        architecture: f
                            .architectures()
                            .first()
                            .map_or("x86_64", |a| a.as_str())
                            .to_string(),
                        log_group: f.logging_config().and_then(|l| l.log_group()).map_or_else(
                            || {
                                format!(
                                    "{}{}",
                                    super::activity::DEFAULT_PREFIX,
                                    f.function_name().unwrap_or_default()
                                )
                            },
                            str::to_string,
                        ),
                    });
                }
            },
        )
        .await?;
        Ok(out)
    }

    /// Every mapping of the account, with its function's name: one paged
    /// list instead of one call per function.
    async fn mappings(&self) -> Result<Vec<Mapping>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .list_event_source_mappings()
            .max_items(10_000)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            (
                "lambda",
                "ListEventSourceMappings",
                "the account's event source mappings",
            ),
            |page| {
                for m in page.event_source_mappings() {
                    let function = function_name_of(m.function_arn().unwrap_or_default());
                    let state = m.state().unwrap_or("Enabled").to_string();
                    out.push(Mapping {
                        function,
                        uuid: m.uuid().unwrap_or_default().to_string(),
                        source_arn: m.event_source_arn().unwrap_or_default().to_string(),
                        enabled: !matches!(state.as_str(), "Disabled" | "Disabling"),
                        state,
                    });
                }
            },
        )
        .await?;
        Ok(out)
    }

    /// Reserved concurrency per function; `Err` names the function.
    /// Functions that vanished since listing are left out.
    pub async fn reserved(&self, names: &[String]) -> Result<Vec<(String, Option<u32>)>, AwsError> {
        let results = bounded(names.iter().cloned(), self.concurrency, |name| async move {
            self.pace.wait().await;
            match self
                .client
                .get_function_concurrency()
                .function_name(&name)
                .send()
                .await
            {
                Ok(out) => Ok((
                    name,
                    out.reserved_concurrent_executions()
                        .map(|n| n.max(0) as u32),
                )),
                Err(e) => Err(AwsError::from_sdk(
                    "lambda",
                    "GetFunctionConcurrency",
                    &format!("function {name}"),
                    e,
                )),
            }
        })
        .await;
        existing(results)
    }

    pub async fn tags(&self, functions: &[Listed]) -> Result<Vec<(String, Tags)>, AwsError> {
        let results = bounded(
            functions.iter().cloned(),
            self.concurrency,
            |f| async move {
                self.pace.wait().await;
                let out = self
                    .client
                    .list_tags()
                    .resource(&f.arn)
                    .send()
                    .await
                    .map_err(|e| {
                        AwsError::from_sdk("lambda", "ListTags", &format!("function {}", f.name), e)
                    })?;
                let tags = out
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                Ok((f.name, tags))
            },
        )
        .await;
        results.into_iter().collect()
    }

    /// The account's concurrency pool. Not every endpoint serves it (the
    /// emulator does not), so failure means "unknown", not an error.
    pub async fn account(&self) -> Attrs {
        self.pace.wait().await;
        let mut facts = Attrs::new();
        match self.client.get_account_settings().send().await {
            Ok(out) => {
                if let Some(l) = out.account_limit() {
                    if let Some(n) = l.unreserved_concurrent_executions() {
                        facts.insert("unreserved_concurrency".into(), Value::from(n.max(0)));
                    }
                    facts.insert(
                        "concurrency_limit".into(),
                        Value::from(l.concurrent_executions().max(0)),
                    );
                }
            }
            Err(e) => {
                let err = AwsError::from_sdk("lambda", "GetAccountSettings", "the account", e);
                tracing::debug!(error = %err, "account concurrency unknown");
            }
        }
        facts
    }

    pub async fn set_reserved(&self, name: &str, value: Option<u32>) -> Result<(), AwsError> {
        self.pace.wait().await;
        match value {
            Some(n) => self
                .client
                .put_function_concurrency()
                .function_name(name)
                .reserved_concurrent_executions(n as i32)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AwsError::from_sdk(
                        "lambda",
                        "PutFunctionConcurrency",
                        &format!("function {name}"),
                        e,
                    )
                }),
            None => self
                .client
                .delete_function_concurrency()
                .function_name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AwsError::from_sdk(
                        "lambda",
                        "DeleteFunctionConcurrency",
                        &format!("function {name}"),
                        e,
                    )
                }),
        }
    }

    /// Disabling keeps the mapping and its position in the stream, so that
    /// enabling it again resumes where it stopped.
    pub async fn set_mapping(&self, uuid: &str, what: &str, enabled: bool) -> Result<(), AwsError> {
        self.pace.wait().await;
        self.client
            .update_event_source_mapping()
            .uuid(uuid)
            .enabled(enabled)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                AwsError::from_sdk(
                    "lambda",
                    "UpdateEventSourceMapping",
                    &format!("event source {what} ({uuid})"),
                    e,
                )
            })
    }
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> NAME.
pub fn function_name_of(arn: &str) -> String {
    arn.split(':').nth(6).unwrap_or(arn).to_string()
}

impl Functions {
    async fn read_functions(
        &self,
        sels: &[Selector],
        early: &crate::adapter::Early,
    ) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let listed = self.list().await?;
        let cands: Vec<&Listed> = listed
            .iter()
            .filter(|f| sels.iter().any(|s| s.name_may_match(&f.name)))
            .collect();
        let tag_fns: Vec<Listed> = cands
            .iter()
            .filter(|f| sel::need_tags(sels, &f.name))
            .map(|f| (*f).clone())
            .collect();
        let tags = self.function_tags(&tag_fns, listed.len()).await?;
        let chosen: Vec<&Listed> = cands
            .into_iter()
            .filter(|f| sel::selected(sels, &f.name, tags.get(&f.name).unwrap_or(&Tags::new())))
            .collect();
        if chosen.is_empty() {
            return Ok(vec![]);
        }
        // The listing names each function's log group: its usage metrics
        // can be read while the concurrency reads run.
        early.known(
            chosen
                .iter()
                .map(|f| function(&f.name).with("log_group", f.log_group.as_str()))
                .collect(),
        );
        let names: Vec<String> = chosen.iter().map(|f| f.name.clone()).collect();
        let groups: Vec<String> = chosen.iter().map(|f| f.log_group.clone()).collect();
        let (reserved, mappings, stored) = tokio::join!(
            self.reserved(&names),
            self.mappings(),
            self.activity.stored(&groups)
        );
        let reserved: BTreeMap<String, Option<u32>> = reserved?.into_iter().collect();
        let mut by_fn: BTreeMap<String, Vec<Mapping>> = BTreeMap::new();
        for m in mappings? {
            by_fn.entry(m.function.clone()).or_default().push(m);
        }
        let mut out = Vec::new();
        for f in chosen {
            let Some(r) = reserved.get(&f.name) else {
                continue;
            };
            let mut res = described(f, *r);
            res.arn = f.arn.clone();
            res.tags = tags.get(&f.name).cloned().unwrap_or_default();
            out.push(res);
            for m in by_fn.remove(&f.name).unwrap_or_default() {
                out.push(mapping(
                    &f.name,
                    &m.uuid,
                    &m.source_arn,
                    m.enabled,
                    &m.state,
                ));
            }
        }
        super::activity::Activity::attach(&mut out, &stored);
        Ok(out)
    }

    /// Tags of the candidate functions, by the cheaper of two ways: one
    /// ListTags per candidate, or GetResources for every tagged function of
    /// the account (100 a page). Without permission for the tagging API,
    /// the first.
    async fn function_tags(
        &self,
        candidates: &[Listed],
        functions_in_account: usize,
    ) -> Result<BTreeMap<String, Tags>, AwsError> {
        // PARKCTL_TAG_READS=per-resource forces the per-function reads, so
        // that the benchmark can measure both ways.
        let per_resource = std::env::var("PARKCTL_TAG_READS").is_ok_and(|v| v == "per-resource");
        if !per_resource && candidates.len() > functions_in_account.div_ceil(100).max(1) {
            match self.tagging.tags_of("lambda:function").await {
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
                Err(e) => {
                    tracing::warn!("{e}; reading tags one function at a time instead");
                    eprintln!("Warning: {e}; reading tags one function at a time instead");
                }
            }
        }
        Ok(self.tags(candidates).await?.into_iter().collect())
    }

    async fn run(&self, c: &Change) -> Result<(), AwsError> {
        if c.resource.kind == SOURCE {
            let what = c.resource.shown_name();
            self.set_mapping(&c.resource.name, what, c.to.as_bool().unwrap_or(false))
                .await
        } else {
            let to = c.to.as_u64().map(|n| n as u32);
            self.set_reserved(&c.resource.name, to).await
        }
    }
}

/// Functions whose event source could not be disabled: throttling them to
/// 0 now would make Lambda retry the stream's records until they expire.
fn unsafe_to_throttle(done: &[Outcome]) -> BTreeSet<String> {
    done.iter()
        .filter(|o| o.status != Status::Applied)
        .filter(|o| o.change.resource.service == NAME && o.change.resource.kind == SOURCE)
        .filter(|o| o.change.to == Value::Bool(false))
        .filter_map(|o| o.change.resource.label.as_deref())
        .filter_map(|l| l.split(" <- ").next())
        .map(str::to_string)
        .collect()
}

#[async_trait::async_trait(?Send)]
impl Adapter for Functions {
    async fn read(
        &self,
        selectors: &[Selector],
        facts: bool,
        early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        // The account's concurrency pool is read alongside, not after: one
        // round trip less on the critical path.
        let account = async {
            if facts && !selectors.is_empty() {
                self.account().await
            } else {
                Attrs::new()
            }
        };
        let (resources, facts) = tokio::join!(self.read_functions(selectors, early), account);
        Ok(Read {
            resources: resources?,
            facts,
        })
    }

    async fn apply(
        &self,
        changes: &[&Change],
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let unsafe_fns = unsafe_to_throttle(earlier);
        bounded(changes.iter(), self.concurrency, |c| {
            let unsafe_fns = &unsafe_fns;
            async move {
                let throttles = c.resource.kind == FUNCTION && c.to == 0;
                if throttles && unsafe_fns.contains(&c.resource.name) {
                    return skipped(c, "its event source could not be disabled; throttling it now would lose records");
                }
                one(c, interrupt, self.run(c)).await
            }
        })
        .await
    }
}

impl Connect for super::Lambda {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Functions::new(shared))
    }
}

/// A listed function with its reserved concurrency, in the generic model.
fn described(f: &Listed, reserved: Option<u32>) -> Resource {
    let res = function(&f.name)
        .with("reserved_concurrency", reserved)
        .with("memory_mb", f.memory_mb)
        .with("architecture", f.architecture.as_str())
        .with("log_group", f.log_group.as_str());
    // Lambda tells no creation time: a function existed at least since its
    // last change, which is enough to tell "idle" from "too young to judge".
    match f.last_modified.as_deref().and_then(modified_secs) {
        Some(t) => res.with(crate::idle::CREATED, crate::idle::created_value(t)),
        None => res,
    }
}

/// Lambda's `LastModified` (`2024-01-31T12:00:00.000+0000`) in seconds.
fn modified_secs(t: &str) -> Option<i64> {
    DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|t| t.timestamp())
}
