//! Many accounts and regions (`targets:` and `--targets`) against one moto
//! server, which keeps what a role's assumed credentials create in the
//! role's account: two accounts and three regions hold the sample project
//! under the same names, and so does the caller's own account, which no
//! target is and which must never change.

use crate::common::proxy::{Proxy, ProxyOpts};
use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const DEV: (&str, &str) = ("111111111111", "us-east-1");
const STAGE: (&str, &str) = ("222222222222", "eu-west-1");
const WEST: (&str, &str) = ("222222222222", "us-west-2");

/// The shipped profiles without their `target:` (a profile used with
/// several targets leaves region and account to them).
fn untargeted(p: &Project) {
    for name in ["running", "parked"] {
        let path = p.path().join("profiles").join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace("target:\n  region: us-east-1\n", "");
        assert!(!text.contains("target:"), "{text}");
        std::fs::write(path, text).unwrap();
    }
}

/// dev, stage and west by role; `wrong` claims account 333333333333 but
/// its profile's credentials are the caller's own account.
fn config(p: &Project) {
    let text = format!(
        "targets:
  dev:
    account: \"{}\"
    region: {}
    role_arn: arn:aws:iam::{}:role/parkctl
  stage:
    account: \"{}\"
    region: {}
    role_arn: arn:aws:iam::{}:role/parkctl
    external_id: parkctl-stage
  west:
    account: \"{}\"
    region: {}
    role_arn: arn:aws:iam::{}:role/parkctl
  wrong:
    account: \"333333333333\"
    region: us-east-1
    aws_profile: sandbox-admin
",
        DEV.0, DEV.1, DEV.0, STAGE.0, STAGE.1, STAGE.0, WEST.0, WEST.1, WEST.0
    );
    std::fs::write(p.path().join("parkctl.yaml"), text).unwrap();
    std::fs::write(
        p.path().join("credentials"),
        "[sandbox-admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
}

fn run(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p
        .cmd(args)
        .env("AWS_SHARED_CREDENTIALS_FILE", p.path().join("credentials"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct World {
    own: Sdk,
    dev: Sdk,
    stage: Sdk,
    west: Sdk,
}

async fn world(url: &str) -> World {
    let w = World {
        own: Sdk::new(url).await,
        dev: Sdk::in_account(url, DEV.0, DEV.1).await,
        stage: Sdk::in_account(url, STAGE.0, STAGE.1).await,
        west: Sdk::in_account(url, WEST.0, WEST.1).await,
    };
    for s in [&w.own, &w.dev, &w.stage, &w.west] {
        s.sample().await;
    }
    w
}

/// A state without the alarms auto scaling made (their names hold ids).
fn mine(state: &str) -> String {
    state
        .lines()
        .filter(|l| !l.starts_with("alarm TargetTracking-"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn records(state: &Path, target: &str) -> Vec<serde_json::Value> {
    let dir = state.join("targets").join(target).join("operations");
    let mut out: Vec<serde_json::Value> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
        .collect();
    out.sort_by_key(|v| v["id"].as_str().unwrap_or_default().to_string());
    out
}

#[test]
fn targets_park_side_by_side_each_guarded_locked_and_recorded() {
    let moto = Moto::start();
    let rt = rt();
    let w = rt.block_on(world(&moto.url()));
    let p = Project::new(&moto.url());
    untargeted(&p);
    config(&p);
    let (own0, dev0, stage0, west0) = rt.block_on(async {
        (
            w.own.state().await,
            w.dev.state().await,
            w.stage.state().await,
            w.west.state().await,
        )
    });
    assert_eq!(
        mine(&dev0),
        mine(&stage0),
        "the same project in every target"
    );

    // Every target's plan under its heading, one summary; `wrong` refused
    // before anything is read, naming both accounts.
    let (code, out, err) = run(&p, &["plan", "parked", "--targets", "all"]);
    assert_eq!(code, 1, "{out}\n{err}");
    for t in ["dev", "stage", "west", "wrong"] {
        assert!(out.contains(&format!("=== target {t} (account")), "{out}");
    }
    assert!(
        err.contains("target `wrong` is account 333333333333, but its credentials are for account 123456789012"),
        "{err}"
    );
    let summary = &out[out.find("Plan by target:").expect("summary")..];
    assert!(
        summary
            .lines()
            .any(|l| l.starts_with("dev ") && l.contains("111111111111  us-east-1  22")),
        "{summary}"
    );
    assert!(summary.contains("not planned: target `wrong`"), "{summary}");
    assert!(summary.lines().any(|l| l.starts_with("total")), "{summary}");

    // Apply to two targets: they converge, the others are left alone.
    let (code, out, err) = run(&p, &["apply", "parked", "--targets", "dev,stage", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Result by target:"), "{out}");
    assert_eq!(out.matches("applied, verified").count(), 2, "{out}");
    assert!(err.contains("[dev] ") && err.contains("[stage] "), "{err}");
    let (own1, dev1, stage1, west1) = rt.block_on(async {
        (
            w.own.state().await,
            w.dev.state().await,
            w.stage.state().await,
            w.west.state().await,
        )
    });
    assert_eq!(own1, own0, "the caller's own account is no target");
    assert_eq!(west1, west0, "west was not named");
    assert_ne!(dev1, dev0);
    assert_eq!(mine(&dev1), mine(&stage1), "both parked alike");
    assert!(
        dev1.contains("stream user-journey-analytics-events shards=1"),
        "{dev1}"
    );

    // Each target's own records, in its own account and region.
    let state = p.state();
    let (dev_ops, stage_ops) = (records(&state, "dev"), records(&state, "stage"));
    assert_eq!(dev_ops.len(), 1);
    assert_eq!(dev_ops[0]["account"], DEV.0);
    assert_eq!(stage_ops[0]["region"], STAGE.1);
    assert!(records(&state, "west").is_empty());
    assert!(
        !state.join("operations").exists(),
        "nothing in the single-account state"
    );
    assert!(stage_ops[0]["caller_arn"]
        .as_str()
        .unwrap()
        .contains("parkctl-"));

    // Status: one line per target, the total, then the details.
    let (code, out, err) = run(&p, &["status", "--targets", "dev,stage,west"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let table: Vec<&str> = out.lines().take(5).collect();
    assert!(
        table[1].starts_with("dev") && table[1].ends_with("parked"),
        "{out}"
    );
    assert!(
        table[3].starts_with("west") && table[3].ends_with("running"),
        "{out}"
    );
    assert!(table[4].starts_with("total"), "{out}");

    // Capture: one profile per target, with its account; the policies:
    // each target role's in its account, the caller's to assume them.
    let (code, out, err) = run(
        &p,
        &["capture", "snap", "--like", "running", "--targets", "dev"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let snap = std::fs::read_to_string(p.path().join("profiles/snap-dev.yaml")).unwrap();
    assert!(snap.contains("111111111111"), "{snap}");
    let (code, out, _) = run(&p, &["iam-policy", "--targets", "dev,stage"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let caller = doc["caller"].to_string();
    assert!(caller.contains("sts:AssumeRole"), "{caller}");
    assert!(
        caller.contains("arn:aws:iam::222222222222:role/parkctl"),
        "{caller}"
    );
    let stage = doc["targets"][1]["policy"].to_string();
    assert!(
        stage.contains("arn:aws:kinesis:eu-west-1:222222222222:stream/"),
        "{stage}"
    );

    // History: both targets' operations, newest first, each named.
    let (code, out, _) = run(&p, &["history", "--targets", "all", "--format", "json"]);
    assert_eq!(code, 0);
    let ops: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let mut named: Vec<&str> = ops.iter().map(|o| o["target"].as_str().unwrap()).collect();
    named.sort();
    assert_eq!(named, ["dev", "stage"]);

    // Back, exactly: dev from its own snapshot, stage by its profile.
    let (code, out, err) = run(&p, &["restore", "--targets", "dev", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("restore:"), "{out}");
    let (code, out, err) = run(&p, &["apply", "running", "--targets", "stage", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (own2, dev2, stage2) = rt.block_on(async {
        (
            w.own.state().await,
            w.dev.state().await,
            w.stage.state().await,
        )
    });
    assert_eq!((&own2, &dev2, &stage2), (&own0, &dev0, &stage0));

    // The schedule applies to every target named: parked on a Saturday,
    // running on a Monday morning, each target's record saying why.
    let mut config = std::fs::read_to_string(p.path().join("parkctl.yaml")).unwrap();
    config.push_str("schedule:\n  timezone: Europe/Berlin\n  default: parked\n  periods:\n    - profile: running\n      days: [mon, tue, wed, thu, fri]\n      from: \"07:00\"\n      to: \"20:00\"\n");
    std::fs::write(p.path().join("parkctl.yaml"), config).unwrap();
    let sched = |at: &str| {
        let args = [
            "apply",
            "--scheduled",
            "--at",
            at,
            "--targets",
            "dev,stage",
            "--yes",
        ];
        run(&p, &args)
    };
    let (code, out, err) = sched("2026-12-05 12:00");
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out.matches("applied, verified").count(), 2, "{out}");
    let last = records(&state, "stage").pop().unwrap();
    assert_eq!(last["scheduled"]["why"], "default", "{last:#}");
    assert!(rt.block_on(w.dev.state()).contains("events shards=1"));
    let (code, out, err) = sched("2026-12-07T08:00:00Z");
    assert_eq!(code, 0, "{out}\n{err}");
    let (own2, dev2, stage2) = rt.block_on(async {
        (
            w.own.state().await,
            w.dev.state().await,
            w.stage.state().await,
        )
    });
    assert_eq!((own2, dev2, stage2), (own0, dev0, stage0));
}

#[test]
fn a_held_lock_or_a_profile_for_another_region_stops_only_its_target() {
    let moto = Moto::start();
    let rt = rt();
    let w = rt.block_on(world(&moto.url()));
    let p = Project::new(&moto.url());
    config(&p);
    let stage0 = rt.block_on(w.stage.state());

    // The shipped profiles say `region: us-east-1`: stage and west are
    // refused for them, dev is planned.
    let (code, out, err) = run(&p, &["plan", "parked", "--targets", "dev,stage"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("is for region us-east-1, but the resolved region is eu-west-1"),
        "{err}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("dev") && l.ends_with("changes")),
        "{out}"
    );

    // Another process holds stage's lock: dev and west converge, stage is
    // untouched and the exit code says locked.
    untargeted(&p);
    let lock_dir = p.state().join("targets").join("stage");
    std::fs::create_dir_all(&lock_dir).unwrap();
    let held = parkctl::state::lock::Lock::acquire(
        &lock_dir.join("lock"),
        &parkctl::state::lock::LockInfo::mine("test", "apply"),
    )
    .unwrap();
    // With an S3 mirror: one bucket in the caller's account, a prefix per
    // target, reached with the caller's credentials (no target's role
    // needs the bucket).
    rt.block_on(w.own.s3.create_bucket().bucket("parkctl-state").send())
        .unwrap();
    let (code, out, err) = run(
        &p,
        &[
            "apply",
            "parked",
            "--targets",
            "dev,stage,west",
            "--yes",
            "--state-s3",
            "s3://parkctl-state/uja",
        ],
    );
    assert_eq!(code, 4, "{out}\n{err}");
    let keys: Vec<String> = rt
        .block_on(w.own.s3.list_objects_v2().bucket("parkctl-state").send())
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    for t in ["dev", "west"] {
        let ops = format!("uja/targets/{t}/operations/");
        assert!(keys.iter().any(|k| k.starts_with(&ops)), "{t}: {keys:?}");
    }
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("/stage/") || k.ends_with("lock")),
        "{keys:?}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("stage") && l.contains("locked")),
        "{out}"
    );
    assert_eq!(out.matches("applied, verified").count(), 2, "{out}");
    assert_eq!(rt.block_on(w.stage.state()), stage0);
    assert!(rt
        .block_on(w.west.state())
        .contains("stream user-journey-analytics-events shards=1"));
    // `unlock --targets stage` breaks that target's lock only.
    let (code, out, err) = run(&p, &["unlock", "--targets", "stage", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!lock_dir.join("lock").exists());
    drop(held);

    // A target of bad shape is refused at its line, before any call.
    std::fs::write(
        p.path().join("parkctl.yaml"),
        "targets:\n  dev:\n    account: \"1111\"\n    region: us-east-1\n",
    )
    .unwrap();
    let (code, _, err) = run(&p, &["plan", "parked", "--targets", "all"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("parkctl.yaml:3:") && err.contains("not an AWS account id"),
        "{err}"
    );
    // A run without --targets in an account and region that is a target
    // takes that target's lock too: held, it exits 4 and changes nothing.
    std::fs::write(
        p.path().join("parkctl.yaml"),
        "targets:\n  home:\n    account: \"123456789012\"\n    region: us-east-1\n",
    )
    .unwrap();
    let home = p.state().join("targets").join("home");
    std::fs::create_dir_all(&home).unwrap();
    let held = parkctl::state::lock::Lock::acquire(
        &home.join("lock"),
        &parkctl::state::lock::LockInfo::mine("test", "apply"),
    )
    .unwrap();
    let own0 = rt.block_on(w.own.state());
    let (code, out, err) = run(&p, &["apply", "parked", "--yes"]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(err.contains("targets/home/lock"), "{err}");
    assert_eq!(rt.block_on(w.own.state()), own0);
    assert!(
        !p.state().join("lock").exists(),
        "the run's own lock is released"
    );
    drop(held);
    let (code, _, err) = run(&p, &["plan", "parked", "--targets", "prod"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no target `prod`") || err.contains("not an AWS account id"),
        "{err}"
    );
}

/// `apply parked --targets dev,stage --yes` as a child, its output in
/// files of the project.
fn spawn_apply(p: &Project, url: &str) -> std::process::Child {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("parkctl"));
    c.current_dir(p.path())
        .args(["apply", "parked", "--targets", "dev,stage", "--yes"])
        .env_remove("AWS_PROFILE");
    for (k, v) in crate::common::env(url) {
        c.env(k, v);
    }
    let log = |n: &str| std::fs::File::create(p.path().join(n)).unwrap();
    c.stdin(Stdio::null())
        .stdout(log("child.out"))
        .stderr(log("child.err"))
        .spawn()
        .unwrap()
}

fn output_of(p: &Project) -> String {
    let read = |n: &str| std::fs::read_to_string(p.path().join(n)).unwrap_or_default();
    format!("{}\n{}", read("child.out"), read("child.err"))
}

fn until(child: &mut std::process::Child, p: &Project, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !cond() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended early:\n{}",
            output_of(p)
        );
        assert!(Instant::now() < deadline, "timed out:\n{}", output_of(p));
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn sigint(child: &std::process::Child) {
    // SAFETY: kill(2) on a child we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
}

/// Ctrl-C while two targets plan (before any change): every lock is
/// released, nothing recorded, nothing changed. Ctrl-C while they apply:
/// each stops after its calls in flight, records itself `interrupted` and
/// releases its lock; a re-run converges.
#[test]
fn ctrl_c_stops_every_target_and_each_records_interrupted() {
    let moto = Moto::start();
    let rt = rt();
    let w = rt.block_on(world(&moto.url()));
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(100),
            ..Default::default()
        },
    );
    let p = Project::new(&proxy.url());
    untargeted(&p);
    config(&p);
    let lock = |t: &str| p.state().join("targets").join(t).join("lock");
    let dev0 = rt.block_on(w.dev.state());

    let mut child = spawn_apply(&p, &proxy.url());
    until(&mut child, &p, || {
        lock("dev").exists() && lock("stage").exists()
    });
    sigint(&child);
    let status = child.wait().unwrap();
    let out = output_of(&p);
    assert_eq!(status.code(), Some(130), "{out}");
    assert!(out.contains("nothing was changed"), "{out}");
    for t in ["dev", "stage"] {
        assert!(!lock(t).exists(), "{t}: lock left behind\n{out}");
        assert!(records(&p.state(), t).is_empty(), "{t}");
    }
    assert_eq!(rt.block_on(w.dev.state()), dev0);

    let mut child = spawn_apply(&p, &proxy.url());
    until(&mut child, &p, || {
        rt.block_on(w.dev.alarm_actions()).values().any(|on| !on)
    });
    sigint(&child);
    let status = child.wait().unwrap();
    let out = output_of(&p);
    assert_eq!(status.code(), Some(130), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    for t in ["dev", "stage"] {
        let recs = records(&p.state(), t);
        assert_eq!(recs.len(), 1, "{t}: {out}");
        assert_eq!(recs[0]["result"], "interrupted", "{t}: {:#}", recs[0]);
        assert!(!lock(t).exists(), "{t}");
    }
    let (code, o, e) = run(&p, &["apply", "parked", "--targets", "dev,stage", "--yes"]);
    assert_eq!(code, 0, "re-run:\n{o}\n{e}");
    let parked = rt.block_on(w.dev.state());
    assert!(
        parked.contains("stream user-journey-analytics-events shards=1"),
        "{parked}"
    );
}
