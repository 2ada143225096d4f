//! Damaged, foreign, hostile or newer files where parkctl expects its own:
//! snapshots (`restore FILE`), saved plans (`apply FILE`), operation
//! records (`history`), the lock, and `parkctl.yaml`. Each must be refused
//! with a message that names the file, a non-zero exit and no panic, and
//! must be left as it was. Valid files to damage come from real runs
//! against moto; large and deep inputs are generated here, never committed.

use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const MIB: usize = 1024 * 1024;

/// One bad input: `file` (relative to the project) gets `bytes`, then
/// `parkctl args` must fail mentioning the file and `expect`.
struct Case {
    name: String,
    file: String,
    bytes: Vec<u8>,
    args: Vec<String>,
    expect: &'static str,
}

fn case(
    name: &str,
    file: &str,
    bytes: impl Into<Vec<u8>>,
    args: &[&str],
    expect: &'static str,
) -> Case {
    Case {
        name: name.into(),
        file: file.into(),
        bytes: bytes.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        expect,
    }
}

/// Runs every case in `p`, returning one line per failed expectation.
fn run_cases(p: &Project, cases: &[Case]) -> Vec<String> {
    let mut failed = Vec::new();
    for c in cases {
        let path = p.path().join(&c.file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &c.bytes).unwrap();
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let t = Instant::now();
        let (code, out, err) = p.run(&args);
        let took = t.elapsed();
        let both = format!("{out}{err}");
        let mut bad = |why: String| {
            failed.push(format!(
                "[{}] parkctl {}: {why}\n--- stdout\n{out}--- stderr\n{err}",
                c.name,
                c.args.join(" ")
            ))
        };
        if code == 0 {
            bad("exit 0 on a bad input".into());
        }
        if both.contains("panicked") || both.contains("RUST_BACKTRACE") {
            bad("it panicked".into());
        }
        // The file must be named by the error itself, not only by a hint.
        let named = both
            .lines()
            .filter(|l| !l.trim_start().starts_with("help:"))
            .any(|l| l.contains(c.file.as_str()));
        if !named {
            bad(format!("the message does not name {}", c.file));
        }
        if !both.to_lowercase().contains(&c.expect.to_lowercase()) {
            bad(format!("the message does not say `{}`", c.expect));
        }
        if took > Duration::from_secs(10) {
            bad(format!("took {took:?}"));
        }
        // Nothing is overwritten (compared by length for the big ones).
        let now = std::fs::read(&path).unwrap_or_default();
        if now.len() != c.bytes.len() || (c.bytes.len() < MIB && now != c.bytes) {
            bad("the file was changed".into());
        }
        eprintln!(
            "[{}] exit {code} in {:.0?}: {}",
            c.name,
            took,
            err.lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
        );
        if c.bytes.len() > MIB {
            let _ = std::fs::remove_file(&path);
        }
    }
    failed
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

/// `v` with `edit` applied.
fn edited(v: &Value, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = v.clone();
    edit(&mut v);
    to_bytes(&v)
}

/// A JSON document of about `size` bytes that starts like a parkctl file.
fn huge_doc(kind: &str, size: usize) -> Vec<u8> {
    let mut b = format!("{{\"kind\": \"{kind}\", \"schema\": 1, \"pad\": \"").into_bytes();
    b.resize(size, b'a');
    b.extend_from_slice(b"\"}\n");
    b
}

fn deep(n: usize) -> Vec<u8> {
    vec![b'['; n]
}

const NOT_UTF8: &[u8] =
    b"{\"kind\": \"snapshot\", \"schema\": 1, \"region\": \"us-east-1\xff\xfe\"}";
const PLAN_NOT_UTF8: &[u8] =
    b"{\"kind\": \"plan\", \"schema\": 1, \"region\": \"us-east-1\xff\xfe\"}";

/// A real saved plan, snapshot and operation record, from moto.
struct Real {
    plan: Value,
    snapshot: Value,
    snapshot_text: Vec<u8>,
    operation_text: Vec<u8>,
    operation_id: String,
}

fn real(p: &Project) -> Real {
    let (code, out, err) = p.run(&["plan", "parked", "--out", "real-plan.json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let one = |dir: &str| {
        let d = p.state().join(dir);
        let v: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        assert_eq!(v.len(), 1, "{v:?}");
        std::fs::read(&v[0]).unwrap()
    };
    let snapshot_text = one("snapshots");
    let operation_text = one("operations");
    let op: Value = serde_json::from_slice(&operation_text).unwrap();
    Real {
        plan: serde_json::from_slice(&std::fs::read(p.path().join("real-plan.json")).unwrap())
            .unwrap(),
        snapshot: serde_json::from_slice(&snapshot_text).unwrap(),
        snapshot_text,
        operation_text,
        operation_id: op["id"].as_str().unwrap().to_string(),
    }
}

fn report(what: &str, tried: usize, failed: Vec<String>) {
    eprintln!(
        "{what}: {tried} bad inputs tried, {} refused as expected",
        tried - failed.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {tried} cases failed:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}

#[test]
fn damaged_snapshots_and_saved_plans_are_refused_clearly() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    let r = real(&p);
    let parked = rt.block_on(sdk.state());

    let snap = &r.snapshot;
    let plan = &r.plan;
    let half = r.snapshot_text.len() / 2;
    let restore = |f: &str| vec!["restore".to_string(), f.to_string(), "--yes".to_string()];
    let mut cases = vec![
        // Snapshots, through `restore FILE`.
        case(
            "snapshot truncated",
            "bad/truncated.json",
            r.snapshot_text[..half].to_vec(),
            &[],
            "truncated",
        ),
        case("snapshot empty", "bad/empty.json", Vec::new(), &[], "empty"),
        case(
            "snapshot not JSON",
            "bad/notjson.json",
            "this is not json at all\n",
            &[],
            "not valid JSON",
        ),
        case(
            "snapshot a JSON array",
            "bad/array.json",
            "[1, 2, 3]\n",
            &[],
            "not a parkctl snapshot",
        ),
        case(
            "snapshot JSON null",
            "bad/null.json",
            "null\n",
            &[],
            "not a parkctl snapshot",
        ),
        case(
            "snapshot of another kind (an operation record)",
            "bad/operation.json",
            r.operation_text.clone(),
            &[],
            "is a parkctl operation, not a snapshot",
        ),
        case(
            "snapshot of another kind (a saved plan)",
            "bad/plan.json",
            to_bytes(plan),
            &[],
            "is a parkctl plan, not a snapshot",
        ),
        case(
            "snapshot from a newer parkctl",
            "bad/newer.json",
            edited(snap, |v| v["schema"] = json!(99)),
            &[],
            "newer parkctl",
        ),
        case(
            "snapshot without schema",
            "bad/noschema.json",
            edited(snap, |v| drop(v.as_object_mut().unwrap().remove("schema"))),
            &[],
            "no schema",
        ),
        case(
            "snapshot schema is a string",
            "bad/schema-string.json",
            edited(snap, |v| v["schema"] = json!("1")),
            &[],
            "schema",
        ),
        case(
            "snapshot missing `live`",
            "bad/nolive.json",
            edited(snap, |v| drop(v.as_object_mut().unwrap().remove("live"))),
            &[],
            "missing field `live`",
        ),
        case(
            "snapshot missing a stream's shard count",
            "bad/noshards.json",
            edited(snap, |v| {
                drop(
                    v["live"]["resources"][0]["attrs"]
                        .as_object_mut()
                        .unwrap()
                        .remove("shards"),
                )
            }),
            &[],
            "shards",
        ),
        case(
            "snapshot shards is a string",
            "bad/shards-string.json",
            edited(snap, |v| {
                v["live"]["resources"][0]["attrs"]["shards"] = json!("two")
            }),
            &[],
            "invalid type",
        ),
        case(
            "snapshot shards negative",
            "bad/shards-negative.json",
            edited(snap, |v| {
                v["live"]["resources"][0]["attrs"]["shards"] = json!(-2)
            }),
            &[],
            "damaged snapshot",
        ),
        case(
            "snapshot created is not a time",
            "bad/created.json",
            edited(snap, |v| v["created"] = json!("yesterday")),
            &[],
            "damaged snapshot",
        ),
        case(
            "snapshot resources is an object",
            "bad/functions.json",
            edited(snap, |v| v["live"]["resources"] = json!({"a": 1})),
            &[],
            "invalid type",
        ),
        case(
            "snapshot not UTF-8",
            "bad/latin1.json",
            NOT_UTF8,
            &[],
            "not UTF-8",
        ),
        case(
            "snapshot 100k nested [",
            "bad/deep.json",
            deep(100_000),
            &[],
            "not valid JSON",
        ),
        case(
            "snapshot 100k nested {\"a\":",
            "bad/deep-objects.json",
            "{\"a\":".repeat(100_000),
            &[],
            "not valid JSON",
        ),
        case(
            "snapshot 70 MiB",
            "bad/huge.json",
            huge_doc("snapshot", 70 * MIB),
            &[],
            "larger than",
        ),
        // Saved plans, through `apply FILE`.
        case(
            "saved plan truncated",
            "bad/plan-truncated.json",
            {
                let b = to_bytes(plan);
                b[..b.len() * 2 / 3].to_vec()
            },
            &["apply", "bad/plan-truncated.json", "--yes"],
            "truncated",
        ),
        case(
            "saved plan from a newer parkctl",
            "bad/plan-newer.json",
            edited(plan, |v| v["schema"] = json!(3)),
            &["apply", "bad/plan-newer.json", "--yes"],
            "newer parkctl",
        ),
        case(
            "saved plan of another kind (a snapshot)",
            "bad/plan-snapshot.json",
            r.snapshot_text.clone(),
            &["apply", "bad/plan-snapshot.json", "--yes"],
            "is a parkctl snapshot, not a plan",
        ),
        case(
            "saved plan missing `plan`",
            "bad/plan-noplan.json",
            edited(plan, |v| drop(v.as_object_mut().unwrap().remove("plan"))),
            &["apply", "bad/plan-noplan.json", "--yes"],
            "missing field `plan`",
        ),
        case(
            "saved plan missing `live`",
            "bad/plan-nolive.json",
            edited(plan, |v| drop(v.as_object_mut().unwrap().remove("live"))),
            &["apply", "bad/plan-nolive.json", "--yes"],
            "missing field `live`",
        ),
        case(
            "saved plan changes is a string",
            "bad/plan-changes.json",
            edited(plan, |v| v["plan"]["changes"] = json!("all of them")),
            &["apply", "bad/plan-changes.json", "--yes"],
            "invalid type",
        ),
        case(
            "saved plan region is a number",
            "bad/plan-region.json",
            edited(plan, |v| v["region"] = json!(1)),
            &["apply", "bad/plan-region.json", "--yes"],
            "invalid type",
        ),
        case(
            "saved plan not UTF-8",
            "bad/plan-latin1.json",
            PLAN_NOT_UTF8,
            &["apply", "bad/plan-latin1.json", "--yes"],
            "UTF-8",
        ),
        case(
            "saved plan 70 MiB",
            "bad/plan-huge.json",
            huge_doc("plan", 70 * MIB),
            &["apply", "bad/plan-huge.json", "--yes"],
            "larger than",
        ),
        // Files that do not even look like a saved plan are read as profiles.
        case(
            "apply an empty .json",
            "bad/apply-empty.json",
            Vec::new(),
            &["apply", "bad/apply-empty.json", "--yes"],
            "apply-empty.json",
        ),
        case(
            "apply a JSON array",
            "bad/apply-array.json",
            "[1, 2, 3]\n",
            &["apply", "bad/apply-array.json", "--yes"],
            "apply-array.json",
        ),
        case(
            "apply 100k nested [",
            "bad/apply-deep.json",
            deep(100_000),
            &["apply", "bad/apply-deep.json", "--yes"],
            "apply-deep.json",
        ),
        case(
            "apply 70 MiB of not JSON",
            "bad/apply-huge.json",
            vec![b'x'; 70 * MIB],
            &["apply", "bad/apply-huge.json", "--yes"],
            "larger than",
        ),
    ];
    for c in cases.iter_mut().filter(|c| c.args.is_empty()) {
        c.args = restore(&c.file);
    }
    let tried = cases.len();
    let failed = run_cases(&p, &cases);
    assert_eq!(
        rt.block_on(sdk.state()),
        parked,
        "a refused input changed AWS"
    );
    assert!(
        !p.state().join("lock").exists(),
        "a refused input left the lock"
    );
    report("snapshots and saved plans", tried, failed);
}

/// An alias bomb: nine levels of nine references, 9^9 strings if expanded.
fn alias_bomb(key: &str) -> String {
    let mut s = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        s.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    format!("{key}:\n  {}", s.replace('\n', "\n  ").trim_end())
}

#[test]
fn damaged_parkctl_yaml_is_refused_clearly() {
    // No AWS call is made before the config is read: any endpoint will do.
    let p = Project::new("http://127.0.0.1:9");
    let v = &["validate"];
    let cases = vec![
        case(
            "config unknown key",
            "parkctl.yaml",
            "region: us-east-1\nretires: 3\n",
            v,
            "unknown key `retires`",
        ),
        case(
            "config unknown retry mode",
            "parkctl.yaml",
            "retry_mode: sometimes\n",
            v,
            "retry_mode",
        ),
        case(
            "config retries is a string",
            "parkctl.yaml",
            "retries: lots\n",
            v,
            "invalid type",
        ),
        case(
            "config concurrency negative",
            "parkctl.yaml",
            "concurrency: -1\n",
            v,
            "concurrency",
        ),
        case(
            "config confirm is a list",
            "parkctl.yaml",
            "confirm: [yes, no]\n",
            v,
            "confirm",
        ),
        case(
            "config YAML syntax error",
            "parkctl.yaml",
            "region: us-east-1\n  retries: [3\n",
            v,
            "parkctl.yaml:",
        ),
        case(
            "config tab indentation",
            "parkctl.yaml",
            "region:\n\t- us-east-1\n",
            v,
            "parkctl.yaml:",
        ),
        case(
            "config duplicate key",
            "parkctl.yaml",
            "region: us-east-1\nregion: eu-west-1\n",
            v,
            "duplicate",
        ),
        case(
            "config is a list",
            "parkctl.yaml",
            "- region: us-east-1\n",
            v,
            "invalid type",
        ),
        case(
            "config is a JSON array",
            "parkctl.yaml",
            "[1, 2]\n",
            v,
            "invalid type",
        ),
        case(
            "config alias bomb (unknown key)",
            "parkctl.yaml",
            alias_bomb("bomb"),
            v,
            "parkctl.yaml",
        ),
        case(
            "config alias bomb (known key)",
            "parkctl.yaml",
            alias_bomb("region"),
            v,
            "parkctl.yaml",
        ),
        case(
            "config not UTF-8",
            "parkctl.yaml",
            b"region: us-east-1\xff\n".to_vec(),
            v,
            "not UTF-8",
        ),
        case(
            "config 100k nested [",
            "parkctl.yaml",
            deep(100_000),
            v,
            "nested more than",
        ),
        // 250 KB (under the cap): serde_yaml alone took about a minute on it.
        case(
            "config 62k nested {a:",
            "parkctl.yaml",
            "{a: ".repeat(62_500),
            v,
            "nested more than",
        ),
        case(
            "config nested block sequences",
            "parkctl.yaml",
            "region:\n".to_string() + &"- ".repeat(100_000),
            v,
            "parkctl.yaml",
        ),
        case(
            "config 70 MiB",
            "parkctl.yaml",
            {
                let mut b = b"region: ".to_vec();
                b.resize(70 * MIB, b'a');
                b
            },
            v,
            "larger than",
        ),
        case(
            "config retries out of range",
            "parkctl.yaml",
            "retries: 0\n",
            v,
            "parkctl.yaml: retries",
        ),
        case(
            "config concurrency out of range",
            "parkctl.yaml",
            "concurrency: 1000\n",
            v,
            "parkctl.yaml: concurrency",
        ),
        case(
            "--config given, damaged",
            "other.yaml",
            "profiles_dir: [a\n",
            &["--config", "other.yaml", "validate"],
            "other.yaml",
        ),
    ];
    let tried = cases.len();
    let failed = run_cases(&p, &cases);
    // A missing --config file is named too.
    let (code, out, err) = p.run(&["--config", "missing.yaml", "validate"]);
    let mut failed = failed;
    if code == 0 || !err.contains("missing.yaml") || err.contains("panicked") {
        failed.push(format!("--config missing.yaml: exit {code}\n{out}\n{err}"));
    }
    // The same bad value from a flag names the flag, not the file.
    std::fs::write(p.path().join("parkctl.yaml"), "region: us-east-1\n").unwrap();
    let (code, out, err) = p.run(&["--retries", "0", "validate"]);
    if code == 0 || !err.contains("--retries") || err.contains("parkctl.yaml: retries") {
        failed.push(format!("--retries 0: exit {code}\n{out}\n{err}"));
    }
    report("parkctl.yaml", tried + 2, failed);
}

#[test]
fn damaged_records_do_not_hide_the_good_ones() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    let r = real(&p);
    let ops = p.state().join("operations");
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        (
            "20200101T000000000Z-truncated.json",
            r.operation_text[..r.operation_text.len() / 3].to_vec(),
        ),
        ("20200102T000000000Z-empty.json", Vec::new()),
        (
            "20200103T000000000Z-garbage.json",
            b"\x00\x01garbage\xff".to_vec(),
        ),
        (
            "20200104T000000000Z-newer.json",
            edited(&serde_json::from_slice(&r.operation_text).unwrap(), |v| {
                v["schema"] = json!(7)
            }),
        ),
        ("20200105T000000000Z-snapshot.json", r.snapshot_text.clone()),
        ("20200106T000000000Z-deep.json", deep(100_000)),
    ];
    for (name, bytes) in &damaged {
        std::fs::write(ops.join(name), bytes).unwrap();
    }

    let (code, out, err) = p.run(&["history"]);
    assert!(!format!("{out}{err}").contains("panicked"), "{out}\n{err}");
    assert!(code == 0 || code == 1, "history: exit {code}\n{out}\n{err}");
    assert!(
        out.contains(&r.operation_id),
        "history does not list the good record:\n{out}\n{err}"
    );
    for (name, _) in &damaged {
        assert!(
            err.contains(name),
            "history does not name the damaged {name}:\n{err}"
        );
        assert!(
            !out.contains(&name[..19]),
            "a damaged record is listed as if good: {name}\n{out}"
        );
    }
    eprintln!(
        "history with {} damaged records: exit {code}\n{err}",
        damaged.len()
    );

    let (code, out, err) = p.run(&["history", "--format", "json"]);
    assert!(code == 0 || code == 1, "{out}\n{err}");
    let listed: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("history --format json is not JSON ({e}):\n{out}"));
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed:#}");

    // Showing one damaged record names it; showing the good one works.
    let (code, out, err) = p.run(&["history", "20200101T"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(err.contains("20200101T000000000Z-truncated.json"), "{err}");
    let (code, out, err) = p.run(&["history", &r.operation_id]);
    assert_eq!(code, 0, "{out}\n{err}");

    // The newest snapshot is damaged: `restore` (latest) names it, and
    // leaves it and AWS as they were.
    let newest = p
        .state()
        .join("snapshots")
        .join("29991231T235959999Z-parked.json");
    std::fs::write(&newest, &r.snapshot_text[..100]).unwrap();
    let before = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(err.contains("29991231T235959999Z-parked.json"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read(&newest).unwrap(), &r.snapshot_text[..100]);
    assert_eq!(rt.block_on(sdk.state()), before);
    let (code, out, err) = p.run(&["plan", "--snapshot", "latest"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(err.contains("29991231T235959999Z-parked.json"), "{err}");

    // A lock file that is not a lock: apply refuses (exit 4) naming it,
    // unlock removes it.
    let lock = p.state().join("lock");
    std::fs::write(&lock, b"\xff\xfe not a lock").unwrap();
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(
        err.contains("lock") && err.contains("cannot be read"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        rt.block_on(sdk.state()),
        before,
        "an apply over a damaged lock changed AWS"
    );
    let (code, out, err) = p.run(&["unlock", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!lock.exists());
}
