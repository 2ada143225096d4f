//! RDS DB instances and Aurora, DocumentDB and Neptune clusters (one API):
//! parked by StopDBInstance / StopDBCluster, restored by StartDBInstance /
//! StartDBCluster, each waited for. Nothing else of a database is touched.
//!
//! A stopped database bills its storage only, so it is most of an idle
//! environment's saving; AWS starts it again after 7 days, and the
//! schedule's next `apply --scheduled` stops it again (`plan::restarted`
//! says so in the change's note, and so in the operation record).

mod aws;
mod plan;
mod raw;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Live, Resource};
use crate::plan::{Change, Notice, Notices, Now, Want};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::{
    Attr, Facts, IdleMetric, InitParked, Kind, LeftOut, Planned, PriceKey, Service, TerraformHint,
    Ty, Wants,
};
use std::fmt::Write;

pub const NAME: &str = "rds";
pub const INSTANCE: &str = "instance";
pub const CLUSTER: &str = "cluster";
pub const AVAILABLE: &str = "available";
pub const STOPPED: &str = "stopped";
/// How long an apply waits for a database unless the rule says otherwise.
pub const DEFAULT_WAIT_MINUTES: u32 = 30;

/// An instance's attributes as read: `state` (AWS's status: `available`,
/// `stopped`, `stopping`, `backing-up`, ...), `engine`, `class`,
/// `multi_az`, `cluster` (the cluster it belongs to, or null),
/// `replica_of`, `replicas`, `storage_gb`, `storage_type`, and for a
/// stopped one `stopped_since` (from the RDS event of its stop, where
/// AWS still has it). A cluster's:
/// `state`, `engine`, `engine_mode`, `multi_az`, `global` (its global
/// database, or null) and `members` (name and class of each instance).
pub struct Rds;

impl super::Section for Rds {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw::rules(raw, cx)
    }
}

const KINDS: &[Kind] = &[
    Kind {
        name: INSTANCE,
        selectable: true,
        observed: &["state"],
        managed: &["state"],
    },
    Kind {
        name: CLUSTER,
        selectable: true,
        observed: &["state"],
        managed: &["state"],
    },
];

const ATTRS: &[Attr] = &[
    Attr {
        key: "state",
        kind: INSTANCE,
        attr: "state",
    },
    Attr {
        key: "wait_minutes",
        kind: INSTANCE,
        attr: "wait_minutes",
    },
    Attr {
        key: "state",
        kind: CLUSTER,
        attr: "state",
    },
    Attr {
        key: "wait_minutes",
        kind: CLUSTER,
        attr: "wait_minutes",
    },
];

/// The price keys, instance-hours and storage, each with its one unit.
macro_rules! prices {
    (hours: [$($h:literal),* $(,)?], storage: [$($s:literal),* $(,)?]) => {
        &[
            $(PriceKey {
                key: $h,
                unit: "instance-hour",
                label: "RDS instance-hour",
                everywhere: false,
            },)*
            $(PriceKey {
                key: $s,
                unit: "GB-month",
                label: "RDS storage GB-month",
                everywhere: false,
            },)*
        ]
    };
}

/// Instance-hours by engine and class (`ENGINE.CLASS`, Multi-AZ at its
/// own price: `ENGINE.multi_az.CLASS`), and allocated storage per
/// GB-month (`storage.TYPE`, Single-AZ: Multi-AZ bills it twice). A class
/// missing here or in the price table is priced "unknown", never $0.
const PRICES: &[PriceKey] = prices!(
    hours: [
    "postgres.db.t3.micro", "postgres.db.t3.small", "postgres.db.t3.medium", "postgres.db.t3.large",
    "postgres.db.t4g.micro", "postgres.db.t4g.small", "postgres.db.t4g.medium", "postgres.db.t4g.large",
    "postgres.db.m5.large", "postgres.db.m5.xlarge", "postgres.db.m5.2xlarge",
    "postgres.db.m6g.large", "postgres.db.m6g.xlarge", "postgres.db.m6g.2xlarge",
    "postgres.db.r5.large", "postgres.db.r5.xlarge",
    "postgres.db.r6g.large", "postgres.db.r6g.xlarge", "postgres.db.r6g.2xlarge",
    "postgres.multi_az.db.t3.micro", "postgres.multi_az.db.t3.small", "postgres.multi_az.db.t3.medium", "postgres.multi_az.db.t3.large",
    "postgres.multi_az.db.t4g.micro", "postgres.multi_az.db.t4g.small", "postgres.multi_az.db.t4g.medium", "postgres.multi_az.db.t4g.large",
    "postgres.multi_az.db.m5.large", "postgres.multi_az.db.m5.xlarge", "postgres.multi_az.db.m5.2xlarge",
    "postgres.multi_az.db.m6g.large", "postgres.multi_az.db.m6g.xlarge", "postgres.multi_az.db.m6g.2xlarge",
    "postgres.multi_az.db.r5.large", "postgres.multi_az.db.r5.xlarge",
    "postgres.multi_az.db.r6g.large", "postgres.multi_az.db.r6g.xlarge", "postgres.multi_az.db.r6g.2xlarge",
    "mysql.db.t3.micro", "mysql.db.t3.small", "mysql.db.t3.medium", "mysql.db.t3.large",
    "mysql.db.t4g.micro", "mysql.db.t4g.small", "mysql.db.t4g.medium", "mysql.db.t4g.large",
    "mysql.db.m5.large", "mysql.db.m5.xlarge", "mysql.db.m5.2xlarge",
    "mysql.db.m6g.large", "mysql.db.m6g.xlarge", "mysql.db.m6g.2xlarge",
    "mysql.db.r5.large", "mysql.db.r5.xlarge",
    "mysql.db.r6g.large", "mysql.db.r6g.xlarge", "mysql.db.r6g.2xlarge",
    "mysql.multi_az.db.t3.micro", "mysql.multi_az.db.t3.small", "mysql.multi_az.db.t3.medium", "mysql.multi_az.db.t3.large",
    "mysql.multi_az.db.t4g.micro", "mysql.multi_az.db.t4g.small", "mysql.multi_az.db.t4g.medium", "mysql.multi_az.db.t4g.large",
    "mysql.multi_az.db.m5.large", "mysql.multi_az.db.m5.xlarge", "mysql.multi_az.db.m5.2xlarge",
    "mysql.multi_az.db.m6g.large", "mysql.multi_az.db.m6g.xlarge", "mysql.multi_az.db.m6g.2xlarge",
    "mysql.multi_az.db.r5.large", "mysql.multi_az.db.r5.xlarge",
    "mysql.multi_az.db.r6g.large", "mysql.multi_az.db.r6g.xlarge", "mysql.multi_az.db.r6g.2xlarge",
    "aurora-postgresql.db.t4g.medium", "aurora-postgresql.db.r6g.large", "aurora-postgresql.db.r6g.xlarge",
    "aurora-mysql.db.t3.small", "aurora-mysql.db.t3.medium", "aurora-mysql.db.t3.large",
    "aurora-mysql.db.t4g.medium", "aurora-mysql.db.r6g.large", "aurora-mysql.db.r6g.xlarge",
],
    storage: ["storage.gp2", "storage.gp3"]
);

const STOPPED_NOTE: &str = "a stopped RDS database still bills its storage: that is its parked cost, not a saving; AWS starts it again after 7 days (the schedule's next apply stops it again)";
const CLUSTER_STORAGE_NOTE: &str = "Aurora, DocumentDB and Neptune clusters bill their storage by use, running or stopped ($0.10/GB-month for Aurora Standard): it is not read, and not in these figures";
const MEMBER_NOTE: &str = "a cluster's instances are priced with their cluster";

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[
        ("state", Ty::TextOrNone),
        ("engine", Ty::TextOrNone),
        ("class", Ty::TextOrNone),
        ("cluster", Ty::TextOrNone),
        ("multi_az", Ty::Flag),
    ],
    prices: PRICES,
    writes: &[
        "StopDBInstance",
        "StartDBInstance",
        "StopDBCluster",
        "StartDBCluster",
    ],
    request_keys: &["DBInstanceIdentifier=", "DBClusterIdentifier="],
    // RDS's control plane: Describe* calls share one per-account rate.
    pace: (NAME, 10),
};

impl Service for Rds {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        plan::plan(live, attr, want, wants, ctx)
    }

    /// A plan that stops a database says what AWS does 7 days later.
    fn check(
        &self,
        _live: &Live,
        _found: &dyn crate::service::Found,
        changes: &[Change],
        out: &mut Notices,
    ) {
        let stopped: Vec<String> = changes
            .iter()
            .filter(|c| c.resource.service == NAME && c.to == STOPPED)
            .map(|c| c.resource.to_string())
            .collect();
        if !stopped.is_empty() {
            out.warnings.push(Notice::new(format!(
                "AWS starts a stopped RDS database again after {} days ({}): the schedule's timer (`apply --scheduled`) stops it again at its next tick; without a schedule it runs, and bills, until the next apply",
                plan::RESTART_DAYS,
                stopped.join(", ")
            )));
        }
    }

    fn cost(&self, r: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if r.id.kind == CLUSTER {
            return Some(cluster_cost(r, lookup));
        }
        if !r.get("cluster").is_null() {
            lookup.note(MEMBER_NOTE);
            return None;
        }
        let (storage_basis, storage) = storage_cost(r, lookup);
        if r.text("state") == STOPPED {
            lookup.note(STOPPED_NOTE);
            return Some(ResourceCost::new(
                &r.id,
                format!("stopped: {storage_basis}"),
                storage,
            ));
        }
        let class = r.text("class");
        let key = price_key(r.text("engine"), r.flag("multi_az"), class);
        let (hours_basis, hours) = hours_cost(&key, 1, lookup);
        let month = hours.zip(storage).map(|(a, b)| a + b);
        Some(ResourceCost::new(
            &r.id,
            format!("{hours_basis} + {storage_basis}"),
            month,
        ))
    }

    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        if r.text("state") != AVAILABLE {
            return None;
        }
        let dimension = if r.id.kind == CLUSTER {
            "DBClusterIdentifier"
        } else {
            "DBInstanceIdentifier"
        };
        Some(IdleMetric {
            queries: vec![MetricQuery {
                namespace: "AWS/RDS",
                metric: "DatabaseConnections",
                dimensions: vec![(dimension, r.name().to_string())],
            }],
            quiet: "no connections",
            free_when_idle: None,
            busy_above: None,
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources.iter().map(|r| summary(r)).collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = format!("{NAME}:\n");
        for (kind, list) in [(INSTANCE, "instances"), (CLUSTER, "clusters")] {
            let of: Vec<&&Resource> = resources.iter().filter(|r| r.id.kind == kind).collect();
            if of.is_empty() {
                continue;
            }
            let _ = writeln!(s, "  {list}:");
            for r in of {
                capture_one(&mut s, r);
            }
        }
        s
    }

    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let (mut parked, mut left_out) = (Vec::new(), Vec::new());
        for r in resources {
            match plan::refusal(r, STOPPED) {
                Some(why) => left_out.push(LeftOut {
                    resource: r.id.to_string(),
                    why,
                }),
                None => parked.push(*r),
            }
        }
        let mut section = String::new();
        if !parked.is_empty() {
            section = format!("{NAME}:\n");
            for (kind, list) in [(INSTANCE, "instances"), (CLUSTER, "clusters")] {
                let names: Vec<String> = parked
                    .iter()
                    .filter(|r| r.id.kind == kind)
                    .map(|r| quoted(r.name()))
                    .collect();
                if !names.is_empty() {
                    let _ = writeln!(
                        section,
                        "  {list}:\n    # Stopped: storage still bills; AWS starts it again after 7 days,\n    # the schedule's next apply stops it again.\n    - names: [{}]\n      state: stopped",
                        names.join(", ")
                    );
                }
            }
        }
        InitParked { section, left_out }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        // Listing needs `*`; the tags come with the listing (TagList).
        // DescribeEvents: when a stopped database was stopped.
        st.add(&["rds:DescribeDBInstances", "rds:DescribeEvents"], &any());
        let base = scope.arn(NAME);
        for rule in rules {
            let cluster = rule.selector.is_of(CLUSTER, INSTANCE);
            if cluster {
                st.add(&["rds:DescribeDBClusters"], &any());
            }
            let (resource, stop, start) = if cluster {
                ("cluster:", "rds:StopDBCluster", "rds:StartDBCluster")
            } else {
                ("db:", "rds:StopDBInstance", "rds:StartDBInstance")
            };
            let targets = arns(&rule.selector, &format!("{base}{resource}"));
            match rule.get("state").and_then(|v| v.as_str()) {
                Some(STOPPED) => st.add(&[stop], &targets),
                Some(_) => st.add(&[start], &targets),
                None => {}
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        let kinds = [
            (INSTANCE, "aws_db_instance"),
            (
                CLUSTER,
                "aws_rds_cluster (and aws_docdb_cluster, aws_neptune_cluster)",
            ),
        ];
        kinds
            .into_iter()
            .filter(|(kind, _)| rules.iter().any(|r| r.selector.is_of(kind, INSTANCE)))
            .map(|(_, resource)| TerraformHint {
                resource,
                attributes: &[],
                note: "Terraform keeps no running or stopped state for a database: nothing to ignore, and a terraform apply leaves a stopped one stopped. AWS refuses to modify a stopped database (InvalidDBInstanceState / InvalidDBClusterStateFault): run `parkctl apply running` before a terraform apply that changes it",
            })
            .collect()
    }
}

/// `postgres.db.t3.micro`, `mysql.multi_az.db.m5.large`.
fn price_key(engine: &str, multi_az: bool, class: &str) -> String {
    if multi_az {
        format!("{engine}.multi_az.{class}")
    } else {
        format!("{engine}.{class}")
    }
}

/// `n` instances of a price key, a month.
fn hours_cost(key: &str, n: u64, lookup: &mut Lookup) -> (String, Option<Money>) {
    match lookup.price(NAME, key, &format!("RDS {key} instance-hour")) {
        Some(p) => (
            format!("{n} x {key} x {}/instance-hour", p.usd.exact()),
            Some(p.usd.times(n * u64::from(HOURS_PER_MONTH))),
        ),
        None => (format!("{n} x {key}, no price"), None),
    }
}

/// Allocated storage, running or stopped (twice under Multi-AZ).
fn storage_cost(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    let gb = r.get("storage_gb").as_u64().unwrap_or(0);
    let ty = r.text("storage_type");
    let copies = if r.flag("multi_az") { 2 } else { 1 };
    let key = format!("storage.{ty}");
    match lookup.price(NAME, &key, &format!("RDS {ty} storage GB-month")) {
        Some(p) => (
            format!(
                "{gb} GB {ty}{} x {}/GB-month",
                if copies == 2 { " x 2 (Multi-AZ)" } else { "" },
                p.usd.exact()
            ),
            Some(p.usd.times(gb * copies)),
        ),
        None => (format!("{gb} GB {ty} storage, no price"), None),
    }
}

/// A cluster's instance-hours (its members, by class) while available;
/// its storage bills by use and is not read.
fn cluster_cost(r: &Resource, lookup: &mut Lookup) -> ResourceCost {
    lookup.note(CLUSTER_STORAGE_NOTE);
    if r.text("state") == STOPPED {
        lookup.note(STOPPED_NOTE);
        return ResourceCost::new(&r.id, "stopped: storage only".into(), Some(Money::ZERO));
    }
    let engine = r.text("engine");
    let (mut parts, mut month) = (Vec::new(), Some(Money::ZERO));
    for m in r.get("members").as_array().into_iter().flatten() {
        let class = m["class"].as_str().unwrap_or("unknown class");
        let (basis, cost) = hours_cost(&price_key(engine, false, class), 1, lookup);
        parts.push(basis);
        month = month.zip(cost).map(|(a, b)| a + b);
    }
    if parts.is_empty() {
        parts.push("no instances".into());
    }
    ResourceCost::new(&r.id, parts.join(" + "), month)
}

fn summary(r: &Resource) -> String {
    let state = r.text("state");
    let mut what = vec![r.text("engine").to_string()];
    if r.id.kind == CLUSTER {
        let members = plan::names(r.get("members"));
        what.push(format!("{} instance(s)", members.len()));
    } else {
        what.push(r.text("class").to_string());
        if r.flag("multi_az") {
            what.push("Multi-AZ".into());
        }
        if let Some(c) = r.get("cluster").as_str() {
            what.push(format!("member of {c}"));
        }
    }
    let mut line = format!(
        "rds {:<8} {:<47} {state}, {}",
        r.id.kind,
        r.name(),
        what.join(", ")
    );
    if state == STOPPED {
        line.push_str(&restart(r));
    }
    line
}

/// Since when a stopped database is stopped and when AWS starts it again:
/// from the RDS event of its stop (`stopped_since`), or else from
/// parkctl's record of the apply that stopped it (`applied_at`, which
/// `status` marks).
fn restart(r: &Resource) -> String {
    let days = plan::RESTART_DAYS;
    let event = r.get("stopped_since").as_str().map(|t| (t, "RDS event"));
    let record = r
        .get(crate::idle::APPLIED_AT)
        .get("state")
        .and_then(serde_json::Value::as_str)
        .map(|t| (t, "parkctl's record"));
    match event
        .or(record)
        .and_then(|(t, from)| Some((chrono::DateTime::parse_from_rfc3339(t).ok()?, from)))
    {
        Some((t, from)) => format!(
            "\n    stopped since {} ({from}); AWS starts it again at {} (the schedule's next apply stops it again)",
            t.format("%Y-%m-%d %H:%M UTC"),
            (t + chrono::Duration::days(days)).format("%Y-%m-%d %H:%M UTC")
        ),
        None => format!(
            "\n    stopped (no RDS event of its stop in the last 14 days, no parkctl record of it); AWS starts it again {days} days after it was stopped (the schedule's next apply stops it again)"
        ),
    }
}

/// One resource as a `capture` rule at its live state; a passing state is
/// captured as the state it is passing to.
fn capture_one(s: &mut String, r: &Resource) {
    if let Some(c) = r.get("cluster").as_str() {
        let _ = writeln!(
            s,
            "    # {} is a member of cluster {c}: captured with its cluster",
            r.name()
        );
        return;
    }
    let state = r.text("state");
    let captured = if state == STOPPED || state == "stopping" {
        STOPPED
    } else {
        AVAILABLE
    };
    if state != captured {
        let _ = writeln!(s, "    # {} is {state}: captured as {captured}", r.name());
    }
    let _ = writeln!(
        s,
        "    - name: {}\n      state: {captured}",
        quoted(r.name())
    );
}

/// A resource of `kind` without attributes.
pub fn resource(kind: &str, name: &str) -> Resource {
    Resource::new(NAME, kind, name)
}

#[cfg(test)]
mod tests;
