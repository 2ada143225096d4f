//! `parkctl status`: the live state of everything any profile selects,
//! which profile it matches, what it costs, and what sat idle. Read-only:
//! recommendations are previews.

use super::{aws_fail, fail, Ctx, Res, EXIT_OK};
use crate::aws::cloudwatch::MetricQuery;
use crate::cli::Format;
use crate::cost::{self, Money};
use crate::idle::{classify, parse_window, Activity};
use crate::model::Live;
use crate::planner::{self, Context};
use crate::profile::Profile;
use crate::read::Wanted;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Status {
    pub region: String,
    pub window_hours: f64,
    pub live: cost::Estimate,
    pub profiles: Vec<ProfileStatus>,
    /// Profiles the live state matches exactly; empty: drifted from all.
    pub matches: Vec<String>,
    pub activity: Vec<ResourceActivity>,
    pub recommendations: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub pending_changes: usize,
    pub errors: Vec<String>,
    pub month: Option<Money>,
}

#[derive(Debug, Serialize)]
pub struct ResourceActivity {
    pub kind: String,
    pub name: String,
    pub metric: String,
    #[serde(flatten)]
    pub activity: Activity,
}

pub async fn run(ctx: &Ctx, format: Format, window: &str) -> Res {
    let window_secs = parse_window(window).map_err(fail)?;
    let names = ctx.profile_names();
    if names.is_empty() {
        return Err(fail(format!(
            "no profiles in {}",
            ctx.config.profiles_dir.display()
        )));
    }
    let profiles: Vec<Profile> = names
        .iter()
        .map(|n| ctx.load_profile(n))
        .collect::<Result<_, _>>()?;
    let wanted = profiles
        .iter()
        .fold(Wanted::default(), |w, p| w.merge(Wanted::of(p)));
    let region_hint = profiles.iter().find_map(|p| p.target.region.clone());
    let aws = ctx.connect(region_hint.as_deref()).await?;
    let live = crate::read::read(&aws, &wanted).await.map_err(aws_fail)?;
    let pricing = super::plan::pricing(ctx).map_err(fail)?;
    let now = Utc::now();
    let start = now - Duration::seconds(window_secs);
    let activity = activity(&aws, &live, start, now).await.map_err(aws_fail)?;
    let status = build(
        &pricing,
        &aws.region,
        &profiles,
        &live,
        activity,
        now,
        window_secs,
    );
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        ),
        _ => print!("{}", crate::render::status::text(&status, &live)),
    }
    Ok(EXIT_OK)
}

async fn activity(
    aws: &crate::aws::Aws,
    live: &Live,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<ResourceActivity>, crate::aws::AwsError> {
    let mut queries = Vec::new();
    for s in &live.streams {
        queries.push(MetricQuery {
            namespace: "AWS/Kinesis",
            metric: "IncomingRecords",
            dimension: "StreamName",
            value: s.name.clone(),
        });
    }
    for f in &live.functions {
        queries.push(MetricQuery {
            namespace: "AWS/Lambda",
            metric: "Invocations",
            dimension: "FunctionName",
            value: f.name.clone(),
        });
    }
    if queries.is_empty() {
        return Ok(vec![]);
    }
    let sums = aws.cloudwatch.sums(&queries, start, now).await?;
    // Ages only matter where there is no datapoint at all.
    let quiet_streams: Vec<String> = live
        .streams
        .iter()
        .zip(&sums)
        .filter(|(_, s)| s.is_none())
        .map(|(st, _)| st.name.clone())
        .collect();
    let created: BTreeMap<String, DateTime<Utc>> = aws
        .kinesis
        .created(&quiet_streams)
        .await?
        .into_iter()
        .collect();
    let modified: BTreeMap<String, DateTime<Utc>> = if sums[live.streams.len()..]
        .iter()
        .any(Option::is_none)
    {
        aws.lambda
            .list()
            .await?
            .into_iter()
            .filter_map(|f| {
                Some((
                    f.name,
                    f.last_modified
                        .and_then(|t| DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f%z").ok())?
                        .with_timezone(&Utc),
                ))
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut out = Vec::new();
    for (q, sum) in queries.iter().zip(sums) {
        let born = if q.namespace == "AWS/Kinesis" {
            created.get(&q.value)
        } else {
            modified.get(&q.value)
        };
        let older = born.is_some_and(|t| *t <= start);
        out.push(ResourceActivity {
            kind: if q.namespace == "AWS/Kinesis" {
                "kinesis stream"
            } else {
                "lambda function"
            }
            .into(),
            name: q.value.clone(),
            metric: q.metric.into(),
            activity: classify(sum, older),
        });
    }
    Ok(out)
}

/// Everything status shows, computed without I/O.
pub fn build(
    pricing: &cost::Pricing,
    region: &str,
    profiles: &[Profile],
    live: &Live,
    activity: Vec<ResourceActivity>,
    now: DateTime<Utc>,
    window_secs: i64,
) -> Status {
    let estimate = cost::estimate(pricing, region, live);
    let mut statuses = Vec::new();
    let mut matches = Vec::new();
    // Per profile: the monthly cost of each resource once it is applied.
    let mut per_resource: Vec<(String, BTreeMap<String, Option<Money>>)> = Vec::new();
    for p in profiles {
        let plan = planner::plan(p, live, &Context::at(now));
        let after = cost::estimate(pricing, region, &cost::after(live, &plan));
        if plan.changes.is_empty() && plan.errors.is_empty() {
            matches.push(p.name.clone());
        }
        if plan.errors.is_empty() {
            per_resource.push((
                p.name.clone(),
                after
                    .resources
                    .iter()
                    .map(|r| (r.name.clone(), r.month))
                    .collect(),
            ));
        }
        statuses.push(ProfileStatus {
            name: p.name.clone(),
            pending_changes: plan.changes.len(),
            errors: plan.errors.iter().map(|e| e.message.clone()).collect(),
            month: after.total.month,
        });
    }
    let hours = window_secs as f64 / 3600.0;
    let mut recommendations = Vec::new();
    for a in activity.iter().filter(|a| a.activity == Activity::Idle) {
        let what = if a.kind == "kinesis stream" {
            "no incoming records"
        } else {
            "no invocations"
        };
        // Only a saving on this very resource is offered: parking an idle
        // function saves nothing, and saying otherwise would be a lie.
        let now_cost = estimate
            .resources
            .iter()
            .find(|r| r.name == a.name)
            .and_then(|r| r.month);
        let best = per_resource
            .iter()
            .filter_map(|(name, costs)| {
                let after = costs.get(&a.name).copied().flatten()?;
                let saving = now_cost?.picos() - after.picos();
                (saving > 0).then(|| (name.clone(), Money::from_picos(saving)))
            })
            .max_by_key(|(_, m)| m.picos());
        recommendations.push(match best {
            Some((name, saving)) => format!("{} {} had {what} in {hours:.0} h: `parkctl apply {name}` would save {saving}/month on it", a.kind, a.name),
            None if a.kind == "lambda function" => format!("{} {} had {what} in {hours:.0} h; it costs nothing while idle (Lambda bills per invocation)", a.kind, a.name),
            None => format!("{} {} had {what} in {hours:.0} h, and no profile lowers its cost", a.kind, a.name),
        });
    }
    Status {
        region: region.to_string(),
        window_hours: hours,
        live: estimate,
        profiles: statuses,
        matches,
        activity,
        recommendations,
    }
}
