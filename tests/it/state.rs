//! State files end to end: snapshots, restore, capture, saved plans, the
//! lock, damaged files and the audit trail, against moto.

use crate::common::seed::{Sdk, ALARMS, FUNCTIONS, STREAM};
use crate::common::{rt, Moto, Project};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn sample() -> (Moto, tokio::runtime::Runtime, Sdk, Project) {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    (moto, rt, sdk, p)
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn apply_parked(p: &Project) {
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length.
    assert_eq!(
        unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) },
        0
    );
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

#[test]
fn snapshot_is_the_pre_apply_live_state_written_before_the_first_change() {
    let (_moto, rt, sdk, p) = sample();
    let mut mapping_uuids = Vec::new();
    for f in FUNCTIONS {
        let out = rt
            .block_on(
                sdk.lambda
                    .list_event_source_mappings()
                    .function_name(f)
                    .send(),
            )
            .unwrap();
        mapping_uuids.extend(
            out.event_source_mappings()
                .iter()
                .map(|m| m.uuid().unwrap().to_string()),
        );
    }
    apply_parked(&p);

    let snaps = files(&p.state().join("snapshots"), "json");
    assert_eq!(snaps.len(), 1, "{snaps:?}");
    let s = json(&snaps[0]);
    assert_eq!(s["kind"], "snapshot");
    assert_eq!(s["schema"], 2);
    assert_eq!(s["profile"], "parked");
    assert_eq!(s["account"], "123456789012");
    assert_eq!(s["region"], "us-east-1");

    // The seeded (running) values, not the parked ones.
    let resources = s["live"]["resources"].as_array().unwrap();
    let of =
        |kind: &str| -> Vec<&Value> { resources.iter().filter(|r| r["kind"] == kind).collect() };
    let streams = of("stream");
    assert_eq!(streams.len(), 1, "{resources:#?}");
    assert_eq!(streams[0]["name"], STREAM);
    assert_eq!(streams[0]["attrs"]["shards"], 2);
    let functions = of("function");
    let mut names: Vec<&str> = functions
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, FUNCTIONS.to_vec());
    let mut uuids = Vec::new();
    for f in &functions {
        assert!(f["attrs"]["reserved_concurrency"].is_null(), "{f:#}");
        let maps: Vec<&Value> = of("event source")
            .into_iter()
            .filter(|m| m["parent"] == f["name"])
            .collect();
        assert_eq!(maps.len(), 1, "{f:#}");
        assert_eq!(maps[0]["attrs"]["enabled"], true, "{f:#}");
        uuids.push(maps[0]["name"].as_str().unwrap().to_string());
    }
    uuids.sort();
    mapping_uuids.sort();
    assert_eq!(uuids, mapping_uuids);
    let alarms = of("alarm");
    let mut anames: Vec<&str> = alarms.iter().map(|a| a["name"].as_str().unwrap()).collect();
    anames.sort();
    let mut want = ALARMS.to_vec();
    want.sort();
    assert_eq!(anames, want, "only the alarms the plan touches");
    assert!(
        alarms.iter().all(|a| a["attrs"]["actions"] == true),
        "{alarms:#?}"
    );
    assert!(
        !s.to_string().contains("billing-"),
        "a resource outside the plan is in the snapshot"
    );

    // Written before the first change: no change started before it.
    let ops = files(&p.state().join("operations"), "json");
    assert_eq!(ops.len(), 1);
    let op = json(&ops[0]);
    assert!(
        op["snapshot"]
            .as_str()
            .unwrap()
            .ends_with(snaps[0].file_name().unwrap().to_str().unwrap()),
        "{op:#}"
    );
    let created = chrono_ts(&s["created"]);
    for c in op["changes"].as_array().unwrap() {
        assert!(
            chrono_ts(&c["started"]) >= created,
            "a change started before the snapshot: {c:#}"
        );
    }
}

/// RFC 3339 timestamps as written by chrono (UTC, `Z`) compare as text
/// only with the same precision; parse to nanoseconds instead.
fn chrono_ts(v: &Value) -> i128 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}"));
    // 2026-01-02T03:04:05.123456789Z
    let (date, time) = s.trim_end_matches('Z').split_once('T').unwrap();
    let d: Vec<i128> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i128> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    let frac: i128 = format!("{frac:0<9}")[..9].parse().unwrap();
    // Days are approximate (31 per month) but monotonic, which is all we need.
    ((((d[0] * 12 + d[1]) * 31 + d[2]) * 24 + t[0]) * 60 + t[1]) * 60 * 1_000_000_000
        + t[2] * 1_000_000_000
        + frac
}

#[test]
fn restore_brings_back_the_original_state() {
    let (_moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    apply_parked(&p);
    assert_ne!(rt.block_on(sdk.state()), original);

    // Preview first: the restore changes, nothing applied.
    let (code, out, err) = p.run(&["plan", "--snapshot", "latest", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.contains("shards: 1 -> 2"), "{out}");
    assert!(out.contains("reserved_concurrency: 0 -> none"), "{out}");
    assert!(out.contains("enabled: disabled -> enabled"), "{out}");
    assert!(out.contains("actions: disabled -> enabled"), "{out}");
    assert!(out.contains("Plan: 22 to change"), "{out}");
    assert!(!out.contains("billing-"), "{out}");
    // Enable order: capacity, then sources, then alarms last.
    let c = out.find("change capacity").expect(&out);
    let s = out.find("enable event sources").expect(&out);
    let a = out.find("enable alarm actions").expect(&out);
    assert!(c < s && s < a, "{out}");
    assert_ne!(
        rt.block_on(sdk.state()),
        original,
        "plan --snapshot changed something"
    );

    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // The restore wrote its own restore point (the parked state) first.
    let snaps = files(&p.state().join("snapshots"), "json");
    assert_eq!(snaps.len(), 2, "{snaps:?}");
    assert_eq!(
        json(&snaps[1])["live"]["resources"][0]["attrs"]["shards"],
        1
    );

    let (code, out, err) = p.run(&["history", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let h: Value = serde_json::from_str(&out).unwrap();
    let commands: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["restore", "apply"], "newest first");
}

#[test]
fn capture_writes_a_profile_that_matches_and_does_not_overwrite() {
    let (_moto, _rt, _sdk, p) = sample();
    let (code, out, err) = p.run(&["capture", "running2", "--like", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let path = p.path().join("profiles/running2.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(STREAM) && text.contains("shards: 2"),
        "{text}"
    );
    assert!(!text.contains("billing-"), "{text}");

    let (code, out, err) = p.run(&["validate", "running2"]);
    assert_eq!(code, 0, "{text}\n{out}\n{err}");
    let (code, out, err) = p.run(&["plan", "running2", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{text}\n{out}\n{err}");
    assert!(out.contains("No changes."), "{out}");

    std::fs::write(&path, "# mine\n").unwrap();
    let (code, out, err) = p.run(&["capture", "running2", "--like", "parked"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# mine\n",
        "overwritten without --force"
    );
    let (code, out, err) = p.run(&["capture", "running2", "--like", "parked", "--force"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(std::fs::read_to_string(&path).unwrap().contains(STREAM));
}

#[test]
fn a_stale_saved_plan_is_refused_and_a_fresh_one_applies() {
    let (_moto, rt, sdk, p) = sample();
    let (code, out, err) = p.run(&["plan", "parked", "--out", "p.json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(p.path().join("p.json").is_file());
    assert_eq!(json(&p.path().join("p.json"))["kind"], "plan");

    rt.block_on(sdk.set_reserved(FUNCTIONS[0], 10));
    let moved = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["apply", "p.json", "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("the live state changed since this plan was made"),
        "{err}"
    );
    assert!(
        err.contains(FUNCTIONS[0]) && err.contains("was none") && err.contains("is now 10"),
        "{err}"
    );
    assert_eq!(
        rt.block_on(sdk.state()),
        moved,
        "a stale plan changed something"
    );
    assert!(files(&p.state().join("snapshots"), "json").is_empty());
    assert!(!p.state().join("lock").exists(), "the lock was left behind");

    let (code, out, err) = p.run(&["plan", "parked", "--out", "p2.json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("reserved_concurrency: 10 -> 0"), "{out}");
    let (code, out, err) = p.run(&["apply", "p2.json", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);
    for f in FUNCTIONS {
        assert_eq!(rt.block_on(sdk.reserved(f)), Some(0));
        assert_eq!(rt.block_on(sdk.mappings(f)), vec![false]);
    }
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    // Applying the same saved plan again: the world it was made from is gone.
    let (code, out, err) = p.run(&["apply", "p2.json", "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("the live state changed since this plan was made"),
        "{err}"
    );
}

fn write_lock(p: &Project, pid: u32) -> String {
    let body = serde_json::json!({
        "pid": pid,
        "host": hostname(),
        "user": "other-engineer",
        "since": "2026-01-05T08:00:00Z",
        "operation_id": "20260105T080000000Z",
        "command": "apply",
    });
    std::fs::create_dir_all(p.state()).unwrap();
    let text = serde_json::to_string_pretty(&body).unwrap();
    std::fs::write(p.state().join("lock"), &text).unwrap();
    text
}

#[test]
fn a_held_lock_refuses_a_second_apply() {
    let (_moto, rt, sdk, p) = sample();
    let before = rt.block_on(sdk.state());
    let pid = std::process::id();
    let lock = write_lock(&p, pid);
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(err.contains("another apply is running"), "{err}");
    assert!(
        err.contains(&format!("pid {pid}"))
            && err.contains(&format!("other-engineer@{}", hostname())),
        "{err}"
    );
    assert_eq!(rt.block_on(sdk.state()), before);
    assert_eq!(
        std::fs::read_to_string(p.state().join("lock")).unwrap(),
        lock,
        "the lock was touched"
    );
    assert!(files(&p.state().join("snapshots"), "json").is_empty());
    // restore takes the same lock.
    let (code, _, err) = p.run(&["restore", "--yes"]);
    assert_ne!(code, 0, "{err}");
    // A plan does not need the lock.
    let (code, out, err) = p.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn a_dead_holders_lock_is_taken_over_said_and_recorded() {
    let (_moto, rt, sdk, p) = sample();
    write_lock(&p, 999_999);
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("Took over the lock") && err.contains("pid 999999"),
        "{err}"
    );
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);
    assert!(
        !p.state().join("lock").exists(),
        "apply did not release its lock"
    );
    let record = files(&p.state().join("operations"), "json").pop().unwrap();
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(
        text.contains("\"took_over\"") && text.contains("other-engineer"),
        "{text}"
    );
    let (code, out, _) = p.run(&["history", &file_stem(&record)]);
    assert_eq!(code, 0);
    assert!(out.contains("took over the lock"), "{out}");
}

/// An operation record's id, from its file name (`ID-PROFILE.json`).
fn file_stem(path: &std::path::Path) -> String {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    name.split('-').next().unwrap().to_string()
}

#[test]
fn unlock_breaks_a_dead_holders_lock_too() {
    let (_moto, _rt, _sdk, p) = sample();
    write_lock(&p, 999_999);
    let (code, out, err) = p.run(&["unlock", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Lock removed"), "{out}");
    assert!(!p.state().join("lock").exists());
}

#[test]
fn damaged_snapshots_are_refused_with_the_file_named() {
    let (_moto, rt, sdk, p) = sample();
    apply_parked(&p);
    let parked = rt.block_on(sdk.state());
    let real_path = files(&p.state().join("snapshots"), "json").pop().unwrap();
    let real = std::fs::read(&real_path).unwrap();
    let text = String::from_utf8(real.clone()).unwrap();
    assert!(text.contains("\"schema\": 2"), "{text}");

    let mut non_utf8 = real.clone();
    non_utf8.splice(10..10, [0xff, 0xfe, 0x80]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", real[..real.len() / 2].to_vec(), "truncated"),
        ("empty", Vec::new(), "empty"),
        (
            "wrong-kind",
            text.replace("\"kind\": \"snapshot\"", "\"kind\": \"operation\"")
                .into_bytes(),
            "not a snapshot",
        ),
        ("no-kind", b"{\"hello\": 1}".to_vec(), "no `kind`"),
        (
            "newer",
            text.replace("\"schema\": 2", "\"schema\": 99").into_bytes(),
            "newer parkctl",
        ),
        ("non-utf8", non_utf8, "not UTF-8"),
        ("not-json", b"streams: [a, b]\n".to_vec(), "not valid JSON"),
        (
            "damaged",
            text.replace("\"live\"", "\"alive\"").into_bytes(),
            "damaged snapshot",
        ),
    ];
    for (name, bytes, says) in cases {
        // Named so that it sorts as the newest: `latest` picks it.
        let file = format!("99990101T000000000Z-{name}.json");
        let path = p.state().join("snapshots").join(&file);
        std::fs::write(&path, &bytes).unwrap();
        for args in [
            vec!["restore", "--yes"],
            vec!["restore", file.as_str(), "--yes"],
            vec!["plan", "--snapshot", "latest"],
        ] {
            let (code, out, err) = p.run(&args);
            assert_ne!(code, 0, "{name} {args:?}\n{out}\n{err}");
            assert!(
                code != 101 && !err.contains("panicked"),
                "{name} {args:?} panicked:\n{err}"
            );
            assert!(
                err.contains(&file),
                "{name} {args:?}: the file is not named:\n{err}"
            );
            assert!(
                err.contains(says),
                "{name} {args:?}: expected `{says}` in:\n{err}"
            );
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{name}: the damaged file was rewritten"
        );
        std::fs::remove_file(&path).unwrap();
    }
    assert_eq!(
        rt.block_on(sdk.state()),
        parked,
        "a refused restore changed something"
    );
    assert!(!p.state().join("lock").exists());
    assert_eq!(std::fs::read(&real_path).unwrap(), real);
}

#[test]
fn every_apply_leaves_an_audit_record() {
    let (_moto, _rt, _sdk, p) = sample();
    let (code, out, err) = p.run(&["history"]);
    assert_eq!(code, 0, "{out}\n{err}");
    apply_parked(&p);

    let dir = p.state().join("operations");
    let ops = files(&dir, "json");
    assert_eq!(ops.len(), 1, "{ops:?}");
    let txt = ops[0].with_extension("txt");
    assert!(txt.is_file(), "no {} beside the record", txt.display());
    let op = json(&ops[0]);
    assert_eq!(op["kind"], "operation");
    assert_eq!(op["schema"], 2);
    assert_eq!(op["command"], "apply");
    assert_eq!(op["profile"], "parked");
    assert_eq!(op["result"], "succeeded");
    assert_eq!(op["account"], "123456789012");
    assert!(
        op["caller_arn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:")),
        "{op:#}"
    );
    let changes = op["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 22, "{op:#}");
    for c in changes {
        assert_eq!(c["status"], "applied", "{c:#}");
        assert!(
            c.get("from").is_some() && c.get("to").is_some(),
            "no before/after: {c:#}"
        );
        assert_ne!(c["from"], c["to"], "{c:#}");
        assert!(
            c["resource"]["name"].is_string() || c["resource"]["function"].is_string(),
            "{c:#}"
        );
        assert!(c["duration_ms"].is_u64(), "{c:#}");
    }
    assert_eq!(op["totals"]["applied"], 22);
    let id = op["id"].as_str().unwrap().to_string();

    let text = std::fs::read_to_string(&txt).unwrap();
    assert!(text.contains(&id), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("applied ")).count(),
        22,
        "{text}"
    );
    assert!(
        text.contains("shards: 2 -> 1") && text.contains("reserved_concurrency: none -> 0"),
        "{text}"
    );

    let (code, out, err) = p.run(&["history"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{id} not listed:\n{out}"));
    assert!(
        line.contains("apply") && line.contains("parked") && line.contains("succeeded"),
        "{line}"
    );

    let (code, out, err) = p.run(&["history", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let h: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}:\n{out}"));
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["id"], id.as_str());
    assert_eq!(h[0]["changes"].as_array().unwrap().len(), 22);

    let (code, out, err) = p.run(&["history", &id]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("operation {id}")) && out.contains("shards: 2 -> 1"),
        "{out}"
    );
    let (code, out, err) = p.run(&["history", &id[..10]]);
    assert_eq!(code, 0, "a unique prefix should do: {out}\n{err}");
    let (code, out, err) = p.run(&["history", "nonexistent"]);
    assert_eq!(code, 1, "{out}\n{err}");
}

#[test]
fn an_unreadable_lock_is_reported_and_unlock_breaks_it() {
    let (_moto, rt, sdk, p) = sample();
    let before = rt.block_on(sdk.state());
    std::fs::create_dir_all(p.state()).unwrap();
    std::fs::write(p.state().join("lock"), b"\xff\x00 not a lock").unwrap();
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(
        err.contains("cannot be read") && err.contains("parkctl unlock"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(rt.block_on(sdk.state()), before);
    // Without --yes and without a terminal, unlock refuses too.
    let (code, _, err) = p.run(&["unlock"]);
    assert_eq!(code, 1, "{err}");
    assert!(p.state().join("lock").exists());
    let (code, out, err) = p.run(&["unlock", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!p.state().join("lock").exists());
    let (code, out, err) = p.run(&["unlock", "--yes"]);
    assert_eq!(code, 0, "unlock with no lock: {out}\n{err}");
}

#[test]
fn damaged_saved_plans_and_records_are_refused_with_the_file_named() {
    let (_moto, rt, sdk, p) = sample();
    let (code, out, err) = p.run(&["plan", "parked", "--out", "p.json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let real = std::fs::read(p.path().join("p.json")).unwrap();
    let text = String::from_utf8(real.clone()).unwrap();
    let before = rt.block_on(sdk.state());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.json",
            real[..real.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "newer.json",
            text.replace("\"schema\": 2", "\"schema\": 7").into_bytes(),
            "newer parkctl",
        ),
        (
            "snapshot.json",
            text.replace("\"kind\": \"plan\"", "\"kind\": \"snapshot\"")
                .into_bytes(),
            "not a plan",
        ),
    ];
    for (name, bytes, says) in cases {
        std::fs::write(p.path().join(name), &bytes).unwrap();
        let (code, out, err) = p.run(&["apply", name, "--yes"]);
        assert_eq!(code, 1, "{name}\n{out}\n{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            err.contains(name) && err.contains(says),
            "{name}: expected `{says}`:\n{err}"
        );
        assert_eq!(
            std::fs::read(p.path().join(name)).unwrap(),
            bytes,
            "{name} was rewritten"
        );
    }
    assert_eq!(rt.block_on(sdk.state()), before);
    assert!(!p.state().join("lock").exists());

    // A damaged operation record: history names it and still lists the rest.
    apply_parked(&p);
    let ops = p.state().join("operations");
    let bad = ops.join("99990101T000000000Z-parked.json");
    std::fs::write(&bad, b"{\"kind\": \"operation\", \"schema\": 1, \"id\": 5").unwrap();
    let (code, out, err) = p.run(&["history"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("99990101T000000000Z-parked.json") && !err.contains("panicked"),
        "{err}"
    );
    assert!(
        out.contains("apply") && out.contains("parked"),
        "the good record is not listed:\n{out}"
    );
    let (code, out, err) = p.run(&["history", "99990101"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("99990101T000000000Z-parked.json") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn a_snapshot_or_saved_plan_from_another_account_or_region_is_refused() {
    let (_moto, rt, sdk, p) = sample();
    let (code, out, err) = p.run(&["plan", "parked", "--out", "p.json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    apply_parked(&p);
    let parked = rt.block_on(sdk.state());
    let snap = json(&files(&p.state().join("snapshots"), "json").pop().unwrap());
    let plan = json(&p.path().join("p.json"));
    assert_eq!(
        plan["account"], "123456789012",
        "the saved plan does not record the account"
    );
    assert_eq!(plan["region"], "us-east-1");

    for (key, value) in [("account", "999999999999"), ("region", "eu-west-1")] {
        let file = format!("99990101T000000000Z-{key}.json");
        let path = p.state().join("snapshots").join(&file);
        let mut doc = snap.clone();
        doc[key] = value.into();
        std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        for args in [
            vec!["restore", file.as_str(), "--yes"],
            vec!["plan", "--snapshot", file.as_str()],
        ] {
            let (code, out, err) = p.run(&args);
            assert_eq!(code, 1, "{key} {args:?}\n{out}\n{err}");
            assert!(
                err.contains(value) && err.contains("refusing"),
                "{key} {args:?}: {err}"
            );
        }
        std::fs::remove_file(&path).unwrap();

        let saved = format!("{key}-plan.json");
        let mut doc = plan.clone();
        doc[key] = value.into();
        std::fs::write(
            p.path().join(&saved),
            serde_json::to_vec_pretty(&doc).unwrap(),
        )
        .unwrap();
        let (code, out, err) = p.run(&["apply", &saved, "--yes"]);
        assert_eq!(code, 1, "{key}\n{out}\n{err}");
        assert!(
            err.contains(value) && err.contains("refusing"),
            "{key}: {err}"
        );
    }
    assert_eq!(rt.block_on(sdk.state()), parked);
    assert!(!p.state().join("lock").exists());
}
