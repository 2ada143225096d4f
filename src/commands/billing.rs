//! `parkctl billing`: what AWS billed (Cost Explorer, one request per page,
//! $0.01 each) beside what parkctl did, and the saving both show. The only
//! command that calls Cost Explorer.

use crate::billing::{self, Applied};
use crate::cli::Format;
use crate::context::{fail, fail_help, Error, Exit, Invocation, Res};
use crate::cost::money::Money;
use crate::cost::types::{HOURS_PER_DAY, HOURS_PER_MONTH};
use crate::pipeline::Source;
use chrono::{Days, Utc};

pub async fn run(ctx: &Invocation, days: u32, tag: Option<String>, format: Format) -> Res {
    let tag = tag.or_else(|| ctx.config.cost_tag.clone()).ok_or_else(|| {
        fail_help(
            "no cost-allocation tag to ask Cost Explorer about",
            "pass --tag KEY=VALUE, or set `cost_tag: KEY=VALUE` in parkctl.yaml",
        )
    })?;
    let Some((key, value)) = tag
        .split_once('=')
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
    else {
        return Err(fail(format!("the cost tag must be KEY=VALUE, not `{tag}`")));
    };
    let started = std::time::Instant::now();
    let aws = ctx.connect(None).await?;
    let today = Utc::now().date_naive();
    let start = today - Days::new(u64::from(days));
    let billed = aws
        .billing
        .daily(start, today, (key, value))
        .await
        .map_err(explain)?;
    if billing::is_empty(&billed) {
        return Err(fail_help(
            format!("Cost Explorer shows no cost for resources tagged {key}={value} from {start} to {today}"),
            "the tag may not be activated as a cost-allocation tag: activate it in the Billing console (Cost allocation tags); activation takes up to 24 h and does not cover earlier days. An empty bill is not shown as if the project cost nothing",
        ));
    }
    let account = aws.sts.caller().await?.account;
    let report = billing::report(&tag, &billed, &applied(ctx, &account), estimate(ctx).await);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        _ => print!("{}", crate::render::billing::text(&report)),
    }
    if ctx.global.stats {
        eprint!(
            "{}",
            crate::render::stats::text(&aws.stats, started.elapsed())
        );
    }
    Ok(Exit::Ok)
}

/// Cost Explorer's errors, with what to do about each.
fn explain(e: crate::aws::AwsError) -> Error {
    let help = match e.code.as_str() {
        "DataUnavailableException" => "Cost Explorer has no data for this account: enable it in the Billing console (Cost Explorer); the first data takes up to 24 h",
        c if c.contains("AccessDenied") => "grant the caller `ce:GetCostAndUsage` (`parkctl iam-policy` includes it); in an AWS Organization, the management account may have to enable Cost Explorer access for member accounts",
        "BillExpirationException" => "the requested days are older than Cost Explorer keeps: ask for fewer --days",
        _ => return Error::from(e),
    };
    fail_help(e.to_string(), help)
}

/// When each apply in this account ended and whether it left the project
/// parked: anything but the `running` profile or a restore parks it.
fn applied(ctx: &Invocation, account: &str) -> Vec<Applied> {
    crate::state::operation::readable(&ctx.state())
        .into_iter()
        .filter(|op| op.totals.applied > 0 && op.account == account)
        .map(|op| Applied {
            ended: op.ended,
            parked: op.profile != "running"
                && op.command != "restore"
                && !op.profile.starts_with("restore:"),
        })
        .collect()
}

/// parkctl's saving per parked day: the `running` profile's monthly cost
/// minus the `parked` one's, per 24 of 730 hours, both priced from one
/// read of what either selects. `None` without both profiles or when
/// either cannot be priced.
async fn estimate(ctx: &Invocation) -> Option<Money> {
    let profiles = [
        ctx.load_profile("running").ok()?,
        ctx.load_profile("parked").ok()?,
    ];
    let src = Source::Profile(profiles[0].clone());
    let aws = crate::pipeline::connect(ctx, &src, false).await.ok()?.aws;
    let costs = crate::pipeline::monthly(ctx, &aws, &profiles).await.ok()?;
    let month = [
        costs.get("running").copied()??,
        costs.get("parked").copied()??,
    ];
    let per_month = month[0] - month[1];
    Some(per_month.scale(i128::from(HOURS_PER_DAY), i128::from(HOURS_PER_MONTH)))
}
