//! `parkctl init`: a new team's first run. It reads what the project runs
//! (by tag, name prefix, or both), and writes `running.yaml` (the live
//! values, as `capture` writes them), `parked.yaml` (each service's safe
//! parked values, decided by the service: `Service::init_parked`) and
//! `parkctl.yaml`, for review in git. It reads only; nothing in AWS is
//! changed, and no file is overwritten without `--force`.

use crate::context::{fail, fail_help, Error, Exit, Invocation, Res};
use crate::model::{Live, Resource};
use crate::profile::rule::{quoted, Selector};
use crate::profile::Profile;
use crate::read::Selection;
use crate::service::{LeftOut, Service};
use crate::services::SERVICES;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// What `init` looks for: a selector, and the services to read.
pub struct Ask {
    tag: Option<(String, String)>,
    prefix: Option<String>,
    services: Vec<&'static dyn Service>,
}

impl Ask {
    /// Checks the flags: at least one of `--tag` and `--prefix`, a tag of
    /// the form KEY=VALUE, and registered service names.
    pub fn new(tag: Option<&str>, prefix: Option<&str>, services: &[String]) -> Result<Ask, Error> {
        let tag = tag.map(parse_tag).transpose()?;
        let prefix = prefix.map(str::to_string);
        if tag.is_none() && prefix.as_deref().is_none_or(str::is_empty) {
            return Err(fail_help(
                "init needs a selector: --tag KEY=VALUE, --prefix PREFIX, or both",
                "for example: parkctl init --tag Project=acme",
            ));
        }
        Ok(Ask {
            tag,
            prefix: prefix.filter(|p| !p.is_empty()),
            services: chosen(services)?,
        })
    }

    fn selector(&self) -> Selector {
        Selector {
            prefix: self.prefix.clone(),
            tags: self
                .tag
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ..Default::default()
        }
    }

    /// `tag Project=acme and prefix acme-`, for headers and messages.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some((k, v)) = &self.tag {
            parts.push(format!("tag {k}={v}"));
        }
        if let Some(p) = &self.prefix {
            parts.push(format!("prefix {p}"));
        }
        parts.join(" and ")
    }
}

fn parse_tag(t: &str) -> Result<(String, String), Error> {
    match t.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && k.trim() == k && !v.is_empty() => {
            Ok((k.to_string(), v.to_string()))
        }
        _ => Err(fail_help(
            format!("`{t}` is not a tag: use KEY=VALUE, with a key and a value"),
            "for example: --tag Project=acme",
        )),
    }
}

/// The services named with `--services` (every one when none is).
fn chosen(names: &[String]) -> Result<Vec<&'static dyn Service>, Error> {
    if names.is_empty() {
        return Ok(SERVICES.to_vec());
    }
    names
        .iter()
        .map(|n| {
            crate::services::get(n.trim()).ok_or_else(|| {
                fail_help(
                    format!("no service `{n}` in parkctl"),
                    format!("services: {}", crate::services::section_list()),
                )
            })
        })
        .collect()
}

/// The three files, by path, with their text.
struct Files {
    running: (PathBuf, String),
    parked: (PathBuf, String),
    config: (PathBuf, String),
}

impl Files {
    fn all(&self) -> [&(PathBuf, String); 3] {
        [&self.running, &self.parked, &self.config]
    }
}

pub async fn run(ctx: &Invocation, args: &crate::cli::InitArgs) -> Res {
    let ask = Ask::new(args.tag.as_deref(), args.prefix.as_deref(), &args.services)?;
    let (force, dry_run) = (args.force, args.dry_run);
    let paths = paths(ctx);
    refuse_overwrite(&paths, force || dry_run)?;
    let aws = ctx.connect(None).await?;
    ctx.guard(&aws, &Default::default(), "init").await?;
    let caller = aws.sts.caller().await?;
    let selection = selection(&ask);
    let live = crate::read::read(&aws, &selection, crate::measure::Measure::USAGE).await?;
    if !live.resources.iter().any(selectable) {
        eprintln!(
            "Nothing in account {} ({}) matches {}: wrote nothing. Check the tag or prefix, the region (--region) and the credentials.",
            caller.account,
            aws.region,
            ask.describe()
        );
        return Ok(Exit::Error);
    }
    let (parked_text, left_out) = parked(&ask, &live, &caller.account, &aws.region);
    let files = Files {
        running: (
            paths[0].clone(),
            running(&ask, &live, &caller.account, &aws.region),
        ),
        parked: (paths[1].clone(), parked_text),
        config: (paths[2].clone(), config(&ask, &caller.account, &aws.region)),
    };
    let parked_profile = check(&files)?;
    report(ctx, &ask, &live, &parked_profile, &aws.region, &left_out)?;
    if dry_run {
        for (path, text) in files.all() {
            println!("--- {} (not written: --dry-run)\n{text}", path.display());
        }
        return Ok(Exit::Ok);
    }
    for (path, text) in files.all() {
        crate::fsutil::write_atomic(path, text.as_bytes())?;
        println!("Wrote {}", path.display());
    }
    println!("\nNext: review the files, then\n  parkctl validate\n  parkctl plan parked");
    Ok(Exit::Ok)
}

/// `profiles/running.yaml`, `profiles/parked.yaml`, and the config file
/// (`--config`, else `parkctl.yaml`).
fn paths(ctx: &Invocation) -> [PathBuf; 3] {
    let dir = &ctx.config.profiles_dir;
    let config = ctx
        .global
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::config::DEFAULT_FILE));
    [dir.join("running.yaml"), dir.join("parked.yaml"), config]
}

/// Files that exist are kept: `init` never overwrites without `--force`.
fn refuse_overwrite(paths: &[PathBuf; 3], allowed: bool) -> Result<(), Error> {
    let existing: Vec<String> = paths
        .iter()
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if allowed || existing.is_empty() {
        return Ok(());
    }
    Err(fail_help(
        format!(
            "{} already exist(s): init wrote nothing",
            existing.join(", ")
        ),
        "review or move them; pass --force to overwrite, or --dry-run to see what init would write",
    ))
}

fn selection(ask: &Ask) -> Selection {
    let sel = ask.selector();
    let names: Vec<&str> = ask.services.iter().map(|s| s.name()).collect();
    Selection::selecting(&names, &sel)
}

/// A resource rules select (not one that comes with another, such as an
/// event source mapping with its function).
fn selectable(r: &Resource) -> bool {
    crate::services::get(r.id.service)
        .and_then(|s| s.kinds().iter().find(|k| k.name == r.id.kind))
        .is_some_and(|k| k.selectable)
}

fn header(kind: &str, ask: &Ask, account: &str, region: &str, what: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {kind}: written by `parkctl init` ({}) on {}.\n# {what}\n# Review it, then commit it.",
        ask.describe(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(s, "version: 1");
    let _ = writeln!(
        s,
        "description: {}",
        quoted(&format!(
            "{kind}, as parkctl init wrote it for {}",
            ask.describe()
        ))
    );
    let _ = writeln!(
        s,
        "target:                              # parkctl refuses any other account or region"
    );
    let _ = writeln!(s, "  region: {region}");
    if !account.is_empty() {
        let _ = writeln!(s, "  account: \"{account}\"");
    }
    s
}

fn running(ask: &Ask, live: &Live, account: &str, region: &str) -> String {
    let mut s = header(
        "Running",
        ask,
        account,
        region,
        "The live values init found: `parkctl apply running` brings the project back to them.",
    );
    for svc in &ask.services {
        let mine: Vec<&Resource> = live.of_service(svc.name()).collect();
        if !mine.is_empty() {
            s.push_str(&svc.capture(&mine));
        }
    }
    s
}

/// `parked.yaml` from each service's parked values, and what the services
/// left out.
fn parked(ask: &Ask, live: &Live, account: &str, region: &str) -> (String, Vec<LeftOut>) {
    let mut s = header(
        "Parked",
        ask,
        account,
        region,
        "Each service's safe parked values: `parkctl apply parked` parks the project, nothing is deleted that cannot be recreated.",
    );
    let mut left_out = Vec::new();
    for svc in &ask.services {
        let mine: Vec<&Resource> = live.of_service(svc.name()).collect();
        if mine.is_empty() {
            continue;
        }
        let p = svc.init_parked(&mine);
        s.push_str(&p.section);
        left_out.extend(p.left_out);
    }
    (s, left_out)
}

fn config(ask: &Ask, account: &str, region: &str) -> String {
    let mut s = format!(
        "# parkctl's project config, written by `parkctl init` on {}.\n# The region parkctl works in:\nregion: {region}\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(
        s,
        "# The account parkctl refuses to leave (every command checks it first):\naccount: \"{account}\""
    );
    if let Some((k, v)) = &ask.tag {
        let _ = writeln!(
            s,
            "# The cost-allocation tag `parkctl billing` reads AWS's bill by\n# (activate it in the Billing console):\ncost_tag: {}",
            quoted(&format!("{k}={v}"))
        );
    }
    s
}

/// Both profiles must load as `validate` loads them: a file init writes
/// and then refuses would be a bug, said as one.
fn check(files: &Files) -> Result<Profile, Error> {
    let load = |(path, text): &(PathBuf, String), name: &str| {
        Profile::parse(&path.display().to_string(), name, text).map_err(|e| {
            fail(format!(
                "parkctl init wrote a profile it cannot read back (a bug, please report it): {e}"
            ))
        })
    };
    load(&files.running, "running")?;
    load(&files.parked, "parked")
}

/// What was found per service, what parking saves (as `plan parked` will
/// say), and what was left out and why.
fn report(
    ctx: &Invocation,
    ask: &Ask,
    live: &Live,
    parked: &Profile,
    region: &str,
    left_out: &[LeftOut],
) -> Result<(), Error> {
    println!("Found ({}):", ask.describe());
    for (service, count) in found(live) {
        println!("  {service:<14} {count}");
    }
    let plan = crate::planner::plan(parked, live, &crate::plan::Now::at(chrono::Utc::now()));
    match crate::pipeline::pricing(ctx) {
        Ok(prices) => {
            let cmp =
                crate::cost::compare(&prices, region, live, &crate::planner::after(live, &plan));
            println!("\nWhat parking saves (the same figures as `parkctl plan parked`):");
            for line in crate::render::cost::lines(&cmp) {
                println!("  {line}");
            }
        }
        Err(e) => eprintln!("Warning: no cost estimate: {e}"),
    }
    for n in plan.errors.iter().chain(&plan.warnings) {
        println!("  note: {}", n.message);
    }
    if !left_out.is_empty() {
        println!("\nFound but left out of parked.yaml:");
        for l in left_out {
            println!("  {}: {}", l.resource, l.why);
        }
    }
    println!();
    Ok(())
}

/// `SERVICE  N KINDs` lines, per service in registry order.
fn found(live: &Live) -> Vec<(String, String)> {
    let mut counts: BTreeMap<(usize, String), BTreeMap<String, usize>> = BTreeMap::new();
    for r in live.resources.iter().filter(|r| selectable(r)) {
        let at = SERVICES
            .iter()
            .position(|s| s.name() == r.id.service)
            .unwrap_or(usize::MAX);
        *counts
            .entry((at, r.id.service.to_string()))
            .or_default()
            .entry(r.id.kind.to_string())
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((_, service), kinds)| {
            let text: Vec<String> = kinds
                .into_iter()
                .map(|(k, n)| format!("{n} {k}{}", if n == 1 { "" } else { "s" }))
                .collect();
            (service, text.join(", "))
        })
        .collect()
}
