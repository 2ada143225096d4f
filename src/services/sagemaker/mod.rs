//! SageMaker real-time inference endpoints and notebook instances (a
//! notebook is parked by stopping it: `notebook.rs`). Endpoints: parked by deleting the endpoint
//! (its endpoint config and model are kept), restored by recreating it from
//! that config with the tags it had.
//!
//! An endpoint bills its instances every hour whether it serves requests or
//! not, so it is most of an idle project's bill. Deleting is only safe when
//! it can come back: the planner refuses to delete an endpoint whose config
//! or model is gone. Before deleting, the adapter keeps the endpoint's tags
//! on its endpoint config (`parkctl:endpoint-tags`), so that a teammate with
//! no local state can restore it from the profile alone.

mod aws;
mod notebook;
mod notebooks_aws;
mod plan;
mod raw;
mod tags;

pub use notebook::{notebook, NOTEBOOK, STOPPED};

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Resource, Value};
use crate::plan::{Change, Now, Want};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::{
    Attr, Facts, IdleMetric, InitParked, Kind, LeftOut, Planned, PriceKey, Service, TerraformHint,
    Ty, Wants,
};
use std::fmt::Write;

pub const NAME: &str = "sagemaker";
pub const ENDPOINT: &str = "endpoint";
pub const IN_SERVICE: &str = "in_service";
pub const DELETED: &str = "deleted";
pub const FAILED: &str = "failed";
/// How long a restore waits for InService unless the rule says otherwise.
pub const DEFAULT_WAIT_MINUTES: u32 = 30;

/// An endpoint's attributes as read: `state` (`in_service`, `deleted`,
/// `failed`, `creating`, ...), `endpoint_config`, `variants` (name,
/// instance type, current instance count, serverless), `tags`,
/// `failure_reason`, and what its restore would miss (`config_missing`,
/// `models_missing`).
pub struct SageMaker;

impl super::Section for SageMaker {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        let endpoints = raw
            .endpoints
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r));
        let endpoints: Vec<Rule> = endpoints.collect();
        let notebooks = raw
            .notebooks
            .into_iter()
            .enumerate()
            .map(|(i, r)| notebook::rule(cx, i, r));
        endpoints.into_iter().chain(notebooks).collect()
    }
}

const KINDS: &[Kind] = &[
    Kind {
        name: ENDPOINT,
        selectable: true,
        observed: &["state", "endpoint_config"],
        managed: &["state", "endpoint_config", "tags"],
    },
    Kind {
        name: NOTEBOOK,
        selectable: true,
        observed: &["state"],
        managed: &["state"],
    },
];

const ATTRS: &[Attr] = &[
    Attr {
        key: "state",
        kind: ENDPOINT,
        attr: "state",
    },
    Attr {
        key: "endpoint_config",
        kind: ENDPOINT,
        attr: "endpoint_config",
    },
    Attr {
        key: "replace_failed",
        kind: ENDPOINT,
        attr: "replace_failed",
    },
    Attr {
        key: "wait_minutes",
        kind: ENDPOINT,
        attr: "wait_minutes",
    },
    Attr {
        key: "state",
        kind: NOTEBOOK,
        attr: "state",
    },
];

/// Real-time inference instances, per instance-hour. A type missing here
/// or in the price table is priced "unknown", never $0.
const PRICES: &[PriceKey] = &[
    price("ml.t2.medium"),
    price("ml.t2.large"),
    price("ml.m5.large"),
    price("ml.m5.xlarge"),
    price("ml.m5.2xlarge"),
    price("ml.c5.large"),
    price("ml.c5.xlarge"),
    price("ml.g4dn.xlarge"),
    notebook_price("notebook.ml.t2.medium"),
    notebook_price("notebook.ml.t3.medium"),
    notebook_price("notebook.ml.t3.large"),
    notebook_price("notebook.ml.t3.xlarge"),
    notebook_price("notebook.ml.m5.large"),
    notebook_price("notebook.ml.m5.xlarge"),
    PriceKey {
        key: notebook::STORAGE,
        unit: "GB-month",
        label: "SageMaker notebook ML storage GB-month",
        everywhere: false,
    },
];

const fn notebook_price(key: &'static str) -> PriceKey {
    PriceKey {
        key,
        unit: "instance-hour",
        label: "SageMaker notebook instance-hour",
        everywhere: false,
    }
}

const fn price(key: &'static str) -> PriceKey {
    PriceKey {
        key,
        unit: "instance-hour",
        label: "SageMaker real-time inference instance-hour",
        everywhere: false,
    }
}

const DELETED_NOTE: &str =
    "a deleted SageMaker endpoint bills nothing; its endpoint config and model are kept (and free)";
const RECREATED_NOTE: &str =
    "a SageMaker endpoint being recreated costs what its config's instances cost: unknown until it is read again";
const SERVERLESS_NOTE: &str = "serverless SageMaker variants bill per request only: $0 while idle";

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[("endpoint_config", Ty::TextOrNone), ("tags", Ty::MapOrNone)],
    prices: PRICES,
    writes: &[
        "DeleteEndpoint",
        "CreateEndpoint",
        "AddTags",
        "StopNotebookInstance",
        "StartNotebookInstance",
    ],
    request_keys: &[
        "\"EndpointName\":\"",
        "\"NotebookInstanceName\":\"",
        "\"EndpointConfigName\":\"",
        "\"ResourceArn\":\"",
    ],
    // The SageMaker control plane's Describe/List calls.
    pace: (NAME, 10),
};

impl Service for SageMaker {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        if live.id.kind == NOTEBOOK {
            return notebook::plan(live, attr, want);
        }
        plan::plan(live, attr, want, wants, ctx)
    }

    fn check(
        &self,
        _live: &crate::model::Live,
        _found: &dyn crate::service::Found,
        changes: &[Change],
        out: &mut crate::plan::Notices,
    ) {
        if changes.iter().any(|c| {
            c.resource.service == NAME && c.resource.kind == ENDPOINT && c.to == IN_SERVICE
        }) {
            out.warnings.push(crate::plan::Notice::new(
                "recreating a SageMaker endpoint takes minutes (often 5 to 10): apply waits until it is InService",
            ));
        }
    }

    /// A recreated endpoint comes back on the config its change names, from
    /// which the read prices it (`Adapter::recreated`).
    fn after(&self, resources: &mut [Resource], at: usize, c: &Change) {
        let r = &mut resources[at];
        r.attrs.set(c.attr, c.to.clone());
        if let Some(config) = c.args.get("endpoint_config") {
            r.attrs.insert("endpoint_config".into(), config.clone());
        }
    }

    fn cost(&self, e: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if e.id.kind == NOTEBOOK {
            let (basis, month) = notebook::cost(e, lookup);
            return Some(ResourceCost::new(&e.id, basis, month));
        }
        if e.text("state") == DELETED {
            lookup.note(DELETED_NOTE);
            return Some(ResourceCost::new(
                &e.id,
                "deleted".into(),
                Some(Money::ZERO),
            ));
        }
        let mut parts = Vec::new();
        let mut month = Some(Money::ZERO);
        for v in e.get("variants").as_array().into_iter().flatten() {
            let (basis, cost) = variant_cost(v, lookup);
            parts.push(basis);
            month = month.zip(cost).map(|(a, b)| a + b);
        }
        if parts.is_empty() {
            // Recreated from its config, whose instances are read only once
            // it exists again: unknown, never $0.
            lookup.note(RECREATED_NOTE);
            return Some(ResourceCost::new(
                &e.id,
                "recreated from its config".into(),
                None,
            ));
        }
        Some(ResourceCost::new(&e.id, parts.join(" + "), month))
    }

    fn idle(&self, e: &Resource) -> Option<IdleMetric> {
        // A notebook has no usable metric: its summary says so.
        if e.text("state") == DELETED || e.id.kind == NOTEBOOK {
            return None;
        }
        let queries = e
            .get("variants")
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| MetricQuery {
                namespace: "AWS/SageMaker",
                metric: "Invocations",
                dimensions: vec![
                    ("EndpointName", e.name().to_string()),
                    (
                        "VariantName",
                        v["name"].as_str().unwrap_or_default().to_string(),
                    ),
                ],
            })
            .collect();
        Some(IdleMetric {
            queries,
            quiet: "no invocations",
            free_when_idle: None,
            busy_above: None,
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources
            .iter()
            .map(|e| {
                if e.id.kind == NOTEBOOK {
                    notebook::summary(e)
                } else {
                    summary(e)
                }
            })
            .collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let (notebooks, endpoints): (Vec<&&Resource>, Vec<&&Resource>) =
            resources.iter().partition(|r| r.id.kind == NOTEBOOK);
        let mut s = String::from("sagemaker:\n");
        if !notebooks.is_empty() {
            s.push_str(&notebook::capture(&notebooks));
        }
        if endpoints.is_empty() {
            return s;
        }
        s.push_str("  endpoints:\n");
        for e in endpoints {
            if e.text("state") == DELETED {
                continue;
            }
            if e.text("state") != IN_SERVICE {
                let _ = writeln!(
                    s,
                    "    # {} is {}: captured as in_service",
                    e.name(),
                    e.text("state")
                );
            }
            let _ = writeln!(
                s,
                "    - name: {}\n      state: in_service\n      endpoint_config: {}",
                quoted(e.name()),
                quoted(e.text("endpoint_config"))
            );
        }
        s
    }

    /// Parked: an endpoint deleted, but only one that can be recreated (in
    /// service, its endpoint config and every model it names still there);
    /// a notebook stopped (its storage volume is kept).
    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let (mut endpoints, mut notebooks) = (String::new(), String::new());
        let mut left_out = Vec::new();
        for r in resources {
            let why = if r.id.kind == ENDPOINT {
                endpoint_not_parkable(r)
            } else if matches!(r.text("state"), "failed" | "deleting") {
                Some(format!("it is {}", r.text("state")))
            } else {
                None
            };
            if let Some(why) = why {
                left_out.push(LeftOut {
                    resource: r.id.to_string(),
                    why,
                });
            } else if r.id.kind == ENDPOINT {
                let _ = writeln!(
                    endpoints,
                    "    - name: {}\n      state: deleted                     # its endpoint config and model are kept",
                    quoted(r.name())
                );
            } else {
                let _ = writeln!(
                    notebooks,
                    "    - name: {}\n      state: stopped               # its storage volume is kept (and billed)",
                    quoted(r.name())
                );
            }
        }
        let mut section = String::new();
        if !endpoints.is_empty() {
            section.push_str(&format!("  endpoints:\n{endpoints}"));
        }
        if !notebooks.is_empty() {
            section.push_str(&format!("  notebooks:\n{notebooks}"));
        }
        if !section.is_empty() {
            section.insert_str(0, "sagemaker:\n");
        }
        InitParked { section, left_out }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        let base = scope.arn(NAME);
        let (notebooks, rules): (Vec<&Rule>, Vec<&Rule>) = rules
            .iter()
            .partition(|r| r.selector.kind.as_deref() == Some(NOTEBOOK));
        notebook_iam(&notebooks, &base, st);
        if rules.is_empty() {
            return;
        }
        st.add(&["sagemaker:ListEndpoints"], &any());
        let models = vec![format!("{base}model/*")];
        st.add(&["sagemaker:DescribeModel"], &models);
        for rule in rules {
            // SageMaker ARNs carry names in lower case.
            let lower = lowercase(&rule.selector);
            let endpoints = arns(&lower, &format!("{base}endpoint/"));
            let configs = match rule.get("endpoint_config").and_then(Value::as_str) {
                Some(c) => vec![format!("{base}endpoint-config/{}", c.to_lowercase())],
                None => vec![format!("{base}endpoint-config/*")],
            };
            st.add(
                &["sagemaker:DescribeEndpoint", "sagemaker:ListTags"],
                &endpoints,
            );
            st.add(
                &["sagemaker:DescribeEndpointConfig", "sagemaker:ListTags"],
                &configs,
            );
            let wants_in_service = rule.get("state") == Some(&Value::from(IN_SERVICE));
            if !wants_in_service || rule.get("replace_failed") == Some(&Value::Bool(true)) {
                st.add(&["sagemaker:DeleteEndpoint"], &endpoints);
                st.add(&["sagemaker:AddTags"], &configs);
            }
            if wants_in_service {
                let both: Vec<String> = endpoints.iter().chain(&configs).cloned().collect();
                st.add(&["sagemaker:CreateEndpoint", "sagemaker:AddTags"], &both);
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        let rules: Vec<&&Rule> = rules
            .iter()
            .filter(|r| r.selector.kind.as_deref() != Some(NOTEBOOK))
            .collect();
        if rules.is_empty() {
            return vec![];
        }
        vec![TerraformHint {
            resource: "aws_sagemaker_endpoint",
            attributes: &[],
            note: "parking deletes the endpoint, which no ignore_changes can hide: a terraform apply while parked recreates it (and its bill). Run `parkctl apply running` before terraform apply, or keep the endpoint out of Terraform's state and let the profiles own it; its endpoint config and model stay in Terraform",
        }]
    }
}

/// The notebook rules' actions, on their ARNs (names in lower case).
fn notebook_iam(rules: &[&Rule], base: &str, st: &mut Statements) {
    for rule in rules {
        let notebooks = arns(
            &lowercase(&rule.selector),
            &format!("{base}notebook-instance/"),
        );
        st.add(&["sagemaker:DescribeNotebookInstance"], &notebooks);
        if crate::profile::rule::sel::names_only(std::slice::from_ref(&rule.selector)).is_none() {
            st.add(&["sagemaker:ListNotebookInstances"], &any());
        }
        if rule.selector.needs_tags() {
            st.add(&["sagemaker:ListTags"], &notebooks);
        }
        match rule.get("state").and_then(Value::as_str) {
            Some(STOPPED) => st.add(&["sagemaker:StopNotebookInstance"], &notebooks),
            Some(_) => st.add(&["sagemaker:StartNotebookInstance"], &notebooks),
            None => {}
        }
    }
}

/// The selector with its names and prefix in lower case, for ARNs.
fn lowercase(sel: &crate::profile::rule::Selector) -> crate::profile::rule::Selector {
    crate::profile::rule::Selector {
        kind: sel.kind.clone(),
        names: sel.names.iter().map(|n| n.to_lowercase()).collect(),
        prefix: sel.prefix.as_ref().map(|p| p.to_lowercase()),
        tags: sel.tags.clone(),
    }
}

/// One variant's monthly cost and how it was reached.
fn variant_cost(v: &Value, lookup: &mut Lookup) -> (String, Option<Money>) {
    if v["serverless"] == Value::Bool(true) {
        lookup.note(SERVERLESS_NOTE);
        return ("serverless, $0 while idle".into(), Some(Money::ZERO));
    }
    let n = v["instances"].as_u64().unwrap_or(0);
    let ty = v["instance_type"].as_str().unwrap_or("unknown type");
    match lookup.price(NAME, ty, &format!("SageMaker {ty} instance-hour")) {
        Some(p) => (
            format!("{n} x {ty} x {}/instance-hour", p.usd.exact()),
            Some(p.usd.times(n * u64::from(HOURS_PER_MONTH))),
        ),
        None => (format!("{n} x {ty}, no price"), None),
    }
}

fn summary(e: &Resource) -> String {
    let variants: Vec<String> = e
        .get("variants")
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            if v["serverless"] == Value::Bool(true) {
                "serverless".to_string()
            } else {
                format!(
                    "{} x {}",
                    v["instances"].as_u64().unwrap_or(0),
                    v["instance_type"].as_str().unwrap_or("?")
                )
            }
        })
        .collect();
    let state = e.text("state");
    if state == DELETED {
        return format!(
            "sagemaker endpoint {:<47} deleted (nothing billed; its config and model are kept)",
            e.name()
        );
    }
    let mut line = format!(
        "sagemaker endpoint {:<47} {state}, {} (config {})",
        e.name(),
        if variants.is_empty() {
            "no instances".to_string()
        } else {
            variants.join(", ")
        },
        e.text("endpoint_config")
    );
    if state == FAILED {
        let _ = write!(line, "\n    FAILED: {}", e.text("failure_reason"));
    }
    line
}

/// An endpoint resource without attributes.
pub fn endpoint(name: &str) -> Resource {
    Resource::new(NAME, ENDPOINT, name)
}

#[cfg(test)]
mod tests;

/// Why `init` would not delete this endpoint: it could not be recreated.
fn endpoint_not_parkable(e: &Resource) -> Option<String> {
    if e.text("state") != IN_SERVICE {
        Some(format!("it is {}, not in service", e.text("state")))
    } else if e.flag("config_missing") {
        Some("its endpoint config is gone: it could not be recreated".to_string())
    } else if e
        .get("models_missing")
        .as_array()
        .is_some_and(|m| !m.is_empty())
    {
        Some("a model of its endpoint config is gone: it could not be recreated".to_string())
    } else {
        None
    }
}

/// `InService` -> `in_service`, as profiles and plans write states.
pub(super) fn snake(status: &str) -> String {
    let mut out = String::new();
    for (i, c) in status.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
