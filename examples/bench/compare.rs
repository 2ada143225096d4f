//! The report's comparisons: the sequential reader and the critical path,
//! GetMetricData per command, the tag selector, AWS's quotas, the targets.

use super::report::{ms, parkctl_service, real_aws, Measured, METRIC_QUERIES_PER_CALL};
use super::run::Stats;
use super::{Opts, DEFAULT_CONCURRENCY};
use std::fmt::Write as _;

/// Operations that page over an account (or read it whole), not one
/// resource: the list pages of the critical path.
const LIST_OPS: &[&str] = &[
    "DescribeAlarms",
    "DescribeDBInstances",
    "DescribeDBClusters",
    "DescribeClusters",
    "DescribeInstances",
    "DescribeAutoScalingGroups",
    "DescribeLogGroups",
    "DescribeScalableTargets",
    "DescribeScalingPolicies",
    "DescribeEvents",
    "GetResources",
    "GetAccountSettings",
];

fn is_list(op: &str) -> bool {
    (op.starts_with("List") && !op.starts_with("ListTags")) || LIST_OPS.contains(&op)
}

/// The plan's critical path in round trips: per API service, its longest
/// list (pages follow each other), then its describes `concurrency` at a
/// time; the metrics pass beside them once the names are known. (rounds,
/// the service that sets them)
pub fn critical_rounds(st: &Stats, concurrency: u64) -> (u64, String) {
    let mut per: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for ((svc, op), v) in &st.ops {
        if op == "GetMetricData" {
            continue;
        }
        let e = per.entry(svc.as_str()).or_default();
        if is_list(op) {
            e.0 = e.0.max(v.0);
        } else {
            e.1 += v.0;
        }
    }
    let metrics = (
        1 + st.calls("GetMetricData"),
        "the metrics pass".to_string(),
    );
    per.into_iter()
        .map(|(svc, (lists, describes))| {
            (
                lists + describes.div_ceil(concurrency),
                format!("{svc} ({lists} list round(s), then {describes} describes)"),
            )
        })
        .chain(std::iter::once(metrics))
        .max_by_key(|(r, _)| *r)
        .unwrap_or_default()
}

pub fn sequential(w: &mut String, o: &Opts, m: &Measured) {
    let p = m.proxied();
    let (st, wall) = (p.stats(), p.median().as_secs_f64());
    let d = o.delay.as_secs_f64();
    writeln!(
        w,
        "## Against a sequential reader, and where the time goes\n"
    )
    .unwrap();
    let Some(b) = m.baseline else {
        let why = m.baseline_error.unwrap_or("not run");
        writeln!(w, "The sequential reader failed: {}\n", why.trim()).unwrap();
        return;
    };
    writeln!(
        w,
        "The baseline is what a straightforward tool does (scripts/sequential_reader.py, boto3, run with the emulator's `.venv/bin/python`): one request at a time through the same {} ms proxy, each service's list calls, one describe per selected resource, and a day of each usage metric per resource with one GetMetricStatistics each ({} of them). Its time is measured inside the script, after Python's and boto3's start-up ({:.1} s with it); parkctl's around its process, start-up included.\n",
        o.delay.as_millis(),
        b.metrics,
        b.process_seconds
    )
    .unwrap();
    writeln!(
        w,
        "| reader | calls | wall time | emulator CPU | |\n|---|---:|---:|---:|---|"
    )
    .unwrap();
    writeln!(
        w,
        "| sequential (boto3) | {} | {:.0} ms | {:.0} ms | 1.0x |",
        b.total,
        b.seconds * 1000.0,
        b.moto_cpu * 1000.0
    )
    .unwrap();
    writeln!(
        w,
        "| `parkctl plan`, concurrency {DEFAULT_CONCURRENCY} | {} | {:.0} ms | {:.0} ms | **{:.1}x** |\n",
        st.calls,
        wall * 1000.0,
        p.around().moto_cpu * 1000.0,
        b.seconds / wall
    )
    .unwrap();
    let mut ops: Vec<String> = b.calls.iter().map(|(k, n)| format!("{k} {n}")).collect();
    ops.sort();
    writeln!(w, "The sequential reader's calls: {}.\n", ops.join(", ")).unwrap();
    let (rounds, sets) = critical_rounds(st, DEFAULT_CONCURRENCY as u64);
    let path = rounds as f64 * d;
    let cpu = p.around().moto_cpu;
    writeln!(
        w,
        "**Critical path.** At concurrency {DEFAULT_CONCURRENCY} the longest chain of round trips is {rounds} (set by {sets}; estimated from `--stats`: per AWS service its longest list, then ⌈describes / {DEFAULT_CONCURRENCY}⌉ rounds, the metrics pass beside them), {:.0} ms at {} ms each: the plan's {:.0} ms wall time is {:.1}x that. The emulator spent {:.0} ms of CPU meanwhile ({:.0} % of the wall time; one Python process serving requests mostly one after another, where AWS serves them side by side){}.\n",
        path * 1000.0,
        o.delay.as_millis(),
        wall * 1000.0,
        wall / path.max(1e-9),
        cpu * 1000.0,
        cpu / wall * 100.0,
        if cpu > path {
            ": more than the critical path, so here the emulator's CPU, not the round trips, bounds the plan"
        } else {
            ""
        }
    )
    .unwrap();
}

/// (GetMetricData calls, queries carried, ⌈queries / 500⌉)
fn metric_figures(st: &Stats, queries: u64) -> (u64, u64, u64) {
    (
        st.calls("GetMetricData"),
        queries,
        queries.div_ceil(METRIC_QUERIES_PER_CALL),
    )
}

pub fn metric_calls(w: &mut String, m: &Measured) {
    writeln!(w, "## GetMetricData per command\n").unwrap();
    writeln!(
        w,
        "Calls from `--stats`; queries counted by the proxy in the requests (`MetricDataQueries.member.N`, a call's next pages not counted again). GetMetricData takes up to {METRIC_QUERIES_PER_CALL} queries a call, so one pass for all services needs ⌈queries / {METRIC_QUERIES_PER_CALL}⌉ calls.\n"
    )
    .unwrap();
    writeln!(w, "| command | GetMetricData calls | queries | ⌈queries / {METRIC_QUERIES_PER_CALL}⌉ | wall time |\n|---|---:|---:|---:|---:|").unwrap();
    let p = m.proxied();
    let (c, q, e) = metric_figures(p.stats(), p.around().metric_queries);
    writeln!(
        w,
        "| `parkctl plan bench --stats` | {c} | {q} | {e} | {} |",
        ms(p.median())
    )
    .unwrap();
    match &m.status.stats {
        Ok(st) => {
            let (c, q, e) = metric_figures(st, m.status.metric_queries);
            writeln!(
                w,
                "| `parkctl status --stats` | {c} | {q} | {e} | {} |",
                ms(m.status.took)
            )
            .unwrap();
        }
        Err(e) => {
            let why = e.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed");
            writeln!(
                w,
                "| `parkctl status --stats` | failed: {} | | | |",
                why.replace('|', "/")
            )
            .unwrap();
        }
    }
    writeln!(w).unwrap();
}

/// Lambda calls but the list pages.
fn lambda_calls(s: &Stats) -> u64 {
    s.ops
        .iter()
        .filter(|((svc, op), _)| svc == "Lambda" && op != "ListFunctions")
        .map(|(_, v)| v.0)
        .sum()
}

fn lambda_list_tags(s: &Stats) -> u64 {
    s.ops
        .get(&("Lambda".to_string(), "ListTags".to_string()))
        .map_or(0, |v| v.0)
}

pub fn tag_selector(w: &mut String, o: &Opts, m: &Measured) {
    let nf = o.sizes.selected_functions();
    writeln!(w, "## Tag selector vs prefix selector\n").unwrap();
    writeln!(
        w,
        "Profile `bench-tags`: the same, but functions selected by `tags: {{park: \"yes\"}}` (the same {nf} functions). The rule has no name or prefix, so every function is a candidate: parkctl reads their tags with the Resource Groups Tagging API (GetResources, every tagged function of the account, 100 a page) when that takes fewer calls than one ListTags per candidate, as here; the last row forces one ListTags per function (`PARKCTL_TAG_READS=per-resource`, a benchmark switch) to measure the other way. Concurrency {DEFAULT_CONCURRENCY}; one run each of the tag selector.\n"
    )
    .unwrap();
    writeln!(w, "| lambda selector | tag reads | calls (moto) | calls (real AWS) | Lambda calls / selected function (excl. list pages) | wall direct | wall proxy +{} ms |", o.delay.as_millis()).unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|").unwrap();
    let rows = [
        (
            format!("`prefix: {}`", super::account::PARK_FN),
            m.by("direct", DEFAULT_CONCURRENCY),
            m.proxied(),
        ),
        (
            "`tags: {park: \"yes\"}` (GetResources)".into(),
            &m.tags[0],
            &m.tags[1],
        ),
        (
            "`tags: {park: \"yes\"}` (ListTags each)".into(),
            &m.tags[2],
            &m.tags[3],
        ),
    ];
    for (label, d, p) in rows {
        let s = d.stats();
        writeln!(
            w,
            "| {label} | {} GetResources + {} ListTags | {} | {} | {:.2} | {} | {} |",
            s.calls("GetResources"),
            lambda_list_tags(s),
            d.calls_range(),
            real_aws(s, o).0,
            lambda_calls(s) as f64 / nf as f64,
            ms(d.median()),
            ms(p.median())
        )
        .unwrap();
    }
    writeln!(
        w,
        "\nOn real AWS GetResources returns 100 functions a page: about {} calls for this account's tagged functions, against {} ListTags. Without the `tag:GetResources` permission parkctl falls back to ListTags.\n",
        (o.sizes.functions as u64).div_ceil(100),
        lambda_list_tags(m.tags[2].stats())
    )
    .unwrap();
}

pub fn under_quotas(w: &mut String, o: &Opts, m: &Measured) {
    writeln!(w, "## Through the proxy with AWS's request quotas\n").unwrap();
    writeln!(
        w,
        "The {} ms proxy also enforcing AWS's default per-account request quotas (`Proxy::start_with_quotas` with `aws_default_quotas()` in tests/common/proxy.rs: token buckets of one second's tokens, answered with each service's throttling error); one run each, concurrency {DEFAULT_CONCURRENCY}. parkctl paces its requests by default (`rate_limits` in parkctl.yaml); `unpaced` sets every family to 0. The **floor** is the least time the run's own calls allow: over the quota families, the most of (calls − the bucket's first second of tokens) / rate.\n",
        o.delay.as_millis()
    )
    .unwrap();
    writeln!(w, "| pacing | outcome | wall time | floor (family) | wall / floor | calls | requests | throttled | emulator CPU |").unwrap();
    writeln!(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|").unwrap();
    for q in m.quotas {
        let (outcome, calls) = match &q.result {
            Ok(s) => ("ok".to_string(), s.calls.to_string()),
            Err(e) => {
                let why = e
                    .lines()
                    .find(|l| l.contains("rror") || l.contains('×'))
                    .unwrap_or("failed")
                    .trim()
                    .replace('|', "/");
                (format!("**failed**: {why}"), "–".to_string())
            }
        };
        let (floor, bound) = q
            .bound()
            .map_or((0.0, String::new()), |f| (f.floor(), f.label.clone()));
        writeln!(
            w,
            "| {} | {outcome} | {} | {:.0} ms ({bound}) | {} | {calls} | {} | {} | {:.0} ms |",
            q.mode,
            ms(q.took),
            floor * 1000.0,
            q.over_floor()
                .map_or("–".to_string(), |x| format!("**{x:.2}x**")),
            q.requests,
            q.throttled,
            q.moto_cpu * 1000.0
        )
        .unwrap();
    }
    quota_families(w, m);
}

fn quota_families(w: &mut String, m: &Measured) {
    let Some(paced) = m.quotas.first() else {
        return;
    };
    writeln!(w, "\nQuota families the paced run's requests fell in (rates as modelled; *unsure* where AWS documents no figure that fits):\n").unwrap();
    writeln!(w, "| family | rate | calls | throttled | floor | rate source |\n|---|---:|---:|---:|---:|---|").unwrap();
    let mut fams: Vec<_> = paced.families.iter().collect();
    fams.sort_by(|a, b| b.floor().total_cmp(&a.floor()));
    for f in fams {
        writeln!(
            w,
            "| {} | {}/s | {} | {} | {:.0} ms | {} |",
            f.label,
            f.per_second,
            f.calls,
            f.throttled,
            f.floor() * 1000.0,
            f.note
        )
        .unwrap();
    }
    let unmodelled: Vec<String> = paced
        .result
        .as_ref()
        .map(|s| {
            let mut v: Vec<String> = s
                .by_service()
                .keys()
                .filter(|svc| {
                    ![
                        "Lambda",
                        "Kinesis",
                        "CloudWatch",
                        "CloudWatchLogs",
                        "RDS",
                        "EC2",
                        "ECS",
                    ]
                    .contains(&svc.as_str())
                })
                .cloned()
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    writeln!(
        w,
        "\nNot modelled (no documented default found): {}.\n",
        unmodelled.join(", ")
    )
    .unwrap();
}

pub fn targets(w: &mut String, o: &Opts, m: &Measured) {
    let ok = |b: bool| if b { "met" } else { "**missed**" };
    writeln!(
        w,
        "## Targets (issue 21)\n\n| target | measured | |\n|---|---|---|"
    )
    .unwrap();
    let p = m.proxied();
    if let Some(b) = m.baseline {
        let x = b.seconds / p.median().as_secs_f64();
        writeln!(
            w,
            "| latency only ({} ms proxy, pacing off): ≥ 30x a sequential reader doing the same reads | {x:.1}x ({:.0} ms → {}) | {} |",
            o.delay.as_millis(),
            b.seconds * 1000.0,
            ms(p.median()),
            ok(x >= 30.0)
        )
        .unwrap();
    }
    if let Some(q) = m.quotas.first() {
        let x = q.over_floor().unwrap_or(f64::INFINITY);
        writeln!(
            w,
            "| under AWS's quotas, default settings: ≤ 1.05x the floor its calls allow | {x:.2}x ({}, floor {:.0} ms) | {} |",
            ms(q.took),
            q.bound().map_or(0.0, |f| f.floor() * 1000.0),
            ok(q.result.is_ok() && x <= 1.05)
        )
        .unwrap();
    }
    let (c, q, e) = metric_figures(p.stats(), p.around().metric_queries);
    writeln!(
        w,
        "| GetMetricData calls of `plan` = ⌈queries / 500⌉ | {c} for {q} queries (⌈⌉ = {e}) | {} |",
        ok(c == e)
    )
    .unwrap();
    if let Ok(st) = &m.status.stats {
        let (c, q, e) = metric_figures(st, m.status.metric_queries);
        writeln!(w, "| GetMetricData calls of `status` = ⌈queries / 500⌉ | {c} for {q} queries (⌈⌉ = {e}) | {} |", ok(c == e)).unwrap();
    }
    let unshared = p
        .stats()
        .by_service()
        .keys()
        .filter(|s| parkctl_service(s).is_none())
        .count();
    writeln!(
        w,
        "\nThis run of `make bench` took {:.0} s up to the planner's measures (load average {} when it started; the machine is shared, {unshared} AWS API(s) serve several services).\n",
        m.elapsed.as_secs_f64(),
        m.load
    )
    .unwrap();
}
