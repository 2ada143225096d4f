//! Schedules against moto: `apply --scheduled` parks at a parked instant,
//! does nothing (quietly) on the next tick, restores at a running instant;
//! a hold wins over the schedule and reaches other runners through the S3
//! mirror; a held lock ends a tick at once with exit 4; a bad schedule is
//! reported at its line and column.

use crate::common::seed::{Sdk, STREAM};
use crate::common::{rt, Moto, Project};

const CONFIG: &str = "region: us-east-1
schedule:
  timezone: Europe/Berlin
  default: parked
  periods:
    - profile: running
      days: [mon, tue, wed, thu, fri]
      from: \"07:00\"
      to: \"20:00\"
  dates:
    - date: 2026-12-24
      profile: parked
";

/// Saturday noon in Berlin: parked. Monday 09:00 CET: running.
const SATURDAY: &str = "2026-12-05 12:00";
const MONDAY: &str = "2026-12-07T08:00:00Z";

fn project(moto: &Moto) -> (tokio::runtime::Runtime, Sdk, Project) {
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    std::fs::write(p.path().join("parkctl.yaml"), CONFIG).unwrap();
    (rt, sdk, p)
}

fn records(p: &Project) -> Vec<serde_json::Value> {
    let dir = p.state().join("operations");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|x: &std::path::PathBuf| x.extension().is_some_and(|e| e == "json"));
    v.sort();
    v.iter()
        .map(|x| serde_json::from_slice(&std::fs::read(x).unwrap()).unwrap())
        .collect()
}

#[test]
fn scheduled_ticks_park_then_do_nothing_then_restore() {
    let moto = Moto::start();
    let (rt, sdk, p) = project(&moto);
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 2);

    let (code, out, err) = p.run(&["apply", "--scheduled", "--at", SATURDAY, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("live state verified against `parked`"),
        "{out}"
    );
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);
    let recs = records(&p);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["command"], "apply --scheduled");
    assert_eq!(recs[0]["scheduled"]["why"], "default");
    assert_eq!(recs[0]["scheduled"]["at"], "2026-12-05T11:00:00Z");

    // The next tick: nothing to do, one quiet line, no record.
    let (code, out, err) = p.run(&["apply", "--scheduled", "--at", SATURDAY, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("`parked` is due (default)") && out.contains("nothing to do"),
        "{out}"
    );
    assert!(err.trim().is_empty(), "{err}");
    assert_eq!(records(&p).len(), 1);

    // Monday morning: running again, by the period.
    let (code, out, err) = p.run(&["apply", "--scheduled", "--at", MONDAY, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 2);
    let recs = records(&p);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["scheduled"]["why"], "period");
    assert!(
        recs[1]["scheduled"]["detail"]
            .as_str()
            .unwrap()
            .contains("mon-fri 07:00-20:00 (line 6)"),
        "{}",
        recs[1]
    );
    let text = std::fs::read_to_string(
        std::fs::read_dir(p.state().join("operations"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|x| x.extension().is_some_and(|e| e == "txt"))
            .max()
            .unwrap(),
    )
    .unwrap();
    assert!(
        text.contains("scheduled at 2026-12-07 08:00:00 UTC: period"),
        "{text}"
    );

    // Without --yes and without a terminal: refused, like any apply.
    let (code, _, err) = p.run(&["apply", "--scheduled", "--at", SATURDAY]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("pass --yes"), "{err}");
}

#[test]
fn schedule_shows_due_transitions_days_and_the_months_cost() {
    let moto = Moto::start();
    let (_rt, _sdk, p) = project(&moto);
    let (code, out, err) = p.run(&["schedule", "--at", SATURDAY, "--days", "3"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Due: `parked` (default)"), "{out}");
    assert!(
        out.contains("until Mon 2026-12-07 07:00 CET (06:00 UTC)"),
        "{out}"
    );
    assert!(
        out.contains("Mon 2026-12-07 07:00 CET (2026-12-07 06:00 UTC)  -> running"),
        "{out}"
    );
    assert!(
        out.contains("Sat 2026-12-05 ························  parked 24 h"),
        "{out}"
    );
    assert!(out.contains("with the schedule"), "{out}");
    assert!(
        out.contains("always running") && out.contains("always parked"),
        "{out}"
    );
    let (code, out, err) = p.run(&["schedule", "--at", MONDAY, "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["due"], "running");
    assert_eq!(v["reason"]["kind"], "period");
    assert_eq!(v["days"].as_array().unwrap().len(), 7);
    let shares = v["cost"]["profiles"].as_array().unwrap();
    assert_eq!(shares[0]["profile"], "parked");
    assert_eq!(shares[0]["hours_per_week"], 103.0);
    assert_eq!(shares[1]["hours_per_week"], 65.0);
    // Each profile's month on the sample (now $122.41 running, $13.56
    // parked), weighted 65 and 103 of 168 hours: $55.67.
    let running = shares[1]["always"].as_f64().unwrap();
    let parked = shares[0]["always"].as_f64().unwrap();
    assert!(running > parked && parked > 0.0, "{}", v["cost"]);
    let month = v["cost"]["month"].as_f64().unwrap();
    let want = (running * 65.0 + parked * 103.0) / 168.0;
    assert!((month - want).abs() < 1e-9, "{month} {want}");
    let (_, out, _) = p.run(&["schedule", "--at", MONDAY]);
    let line = out
        .lines()
        .find(|l| l.contains("with the schedule"))
        .unwrap();
    let shown = format!("${want:.2}  parked 103 h/week, running 65 h/week");
    assert!(line.contains(&shown), "{out}");
}

#[test]
fn a_hold_wins_over_the_schedule_until_cleared_and_reaches_other_runners() {
    let moto = Moto::start();
    let (rt, sdk, p) = project(&moto);
    rt.block_on(async {
        sdk.s3
            .create_bucket()
            .bucket("team-state")
            .send()
            .await
            .unwrap()
    });
    let s3 = ["--state-s3", "s3://team-state/parkctl"];
    let run = |args: &[&str]| p.run(&[&s3[..], args].concat());
    let (code, out, err) = run(&["apply", "--scheduled", "--at", SATURDAY, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);

    let (code, out, err) = run(&[
        "hold",
        "running",
        "--until",
        "2099-01-01 00:00",
        "--reason",
        "late demo",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Hold set: `running` until Thu 2099-01-01 00:00 CET"),
        "{out}"
    );
    assert!(p.state().join("hold.json").exists());
    // Another runner, with a state directory of its own, sees the hold.
    let other = tempfile::tempdir().unwrap();
    let dir = other.path().to_str().unwrap();
    let (code, out, err) = run(&["--state-dir", dir, "schedule", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["due"], "running", "{v}");
    assert_eq!(v["reason"]["kind"], "hold");
    assert_eq!(v["hold"]["reason"], "late demo");
    // The tick applies the hold and records why.
    let (code, out, err) = run(&["--state-dir", dir, "apply", "--scheduled", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 2);
    let (code, out, _) = run(&["hold"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Hold: `running`") && out.contains("(in force): late demo"),
        "{out}"
    );
    // status shows the due profile and the hold.
    let (code, out, err) = run(&["status"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Schedule: `running` due (hold by"), "{out}");

    let (code, out, err) = run(&["hold", "--clear"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Hold cleared (was `running`"), "{out}");
    assert!(!p.state().join("hold.json").exists());
    let (code, out, _) = run(&["--state-dir", dir, "hold"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Hold: none"), "{out}");
    // A hold in the past is refused.
    let (code, _, err) = run(&["hold", "running", "--until", "2020-01-01T00:00:00Z"]);
    assert_eq!(code, 1);
    assert!(err.contains("is not in the future"), "{err}");
}

#[test]
fn a_tick_while_another_apply_holds_the_lock_exits_4_at_once() {
    let moto = Moto::start();
    let (rt, sdk, p) = project(&moto);
    std::fs::create_dir_all(p.state()).unwrap();
    let lock = serde_json::json!({
        "pid": 1, "host": "another-host", "user": "ana",
        "since": "2026-12-05T10:00:00Z", "operation_id": "20261205T100000000Z", "command": "apply",
    });
    std::fs::write(p.state().join("lock"), lock.to_string()).unwrap();
    let (code, out, err) = p.run(&["apply", "--scheduled", "--at", SATURDAY, "--yes"]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 2);
}

#[test]
fn a_bad_schedule_is_reported_at_its_lines() {
    let p = Project::new("http://127.0.0.1:9");
    let bad = CONFIG
        .replace("Europe/Berlin", "Europe/Berlinn")
        .replace("profile: running", "profile: runing")
        .replace("\"20:00\"", "\"25:00\"");
    std::fs::write(p.path().join("parkctl.yaml"), bad).unwrap();
    let (code, out, err) = p.run(&["schedule"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("parkctl.yaml: 3 problems in this config"),
        "{err}"
    );
    assert!(
        err.contains("parkctl.yaml:3:13: unknown time zone `Europe/Berlinn`"),
        "{err}"
    );
    assert!(
        err.contains("parkctl.yaml:6:16: unknown profile `runing`"),
        "{err}"
    );
    assert!(
        err.contains("parkctl.yaml:9:11: `25:00` is not a time of day"),
        "{err}"
    );
    let (code, out, _) = p.run(&["validate"]);
    assert_eq!(code, 1);
    assert!(out.contains("invalid  parkctl.yaml schedule"), "{out}");
    // The same for a tick: nothing is applied on a schedule that does not check.
    let (code, _, err) = p.run(&["apply", "--scheduled", "--yes"]);
    assert_eq!(code, 1, "{err}");
    // An unknown key, at its position.
    std::fs::write(
        p.path().join("parkctl.yaml"),
        "schedule:\n  timezone: UTC\n  default: parked\n  weekends: parked\n",
    )
    .unwrap();
    let (code, _, err) = p.run(&["schedule"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("parkctl.yaml:4:3: schedule: unknown key `weekends`"),
        "{err}"
    );
}
