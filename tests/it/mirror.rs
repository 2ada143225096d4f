//! The S3 state mirror and S3 lock, against moto's S3.

use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};

#[test]
fn apply_mirrors_snapshot_and_record_to_s3() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    rt.block_on(async {
        sdk.s3
            .create_bucket()
            .bucket("team-state")
            .send()
            .await
            .unwrap()
    });
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&[
        "--state-s3",
        "s3://team-state/parkctl",
        "apply",
        "parked",
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let keys: Vec<String> = rt.block_on(async {
        let out = sdk
            .s3
            .list_objects_v2()
            .bucket("team-state")
            .send()
            .await
            .unwrap();
        out.contents()
            .iter()
            .map(|o| o.key().unwrap().to_string())
            .collect()
    });
    assert!(
        keys.iter()
            .any(|k| k.starts_with("parkctl/snapshots/") && k.ends_with("-parked.json")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with("parkctl/operations/") && k.ends_with(".json")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with("parkctl/operations/") && k.ends_with(".txt")),
        "{keys:?}"
    );
    assert!(
        !keys.iter().any(|k| k == "parkctl/lock"),
        "the S3 lock was not released: {keys:?}"
    );
    // The run that waited for no lock planned from a read made after it
    // held the lease: in the call log, the lock's PutObject comes before
    // the first call to any managed service.
    let log: String = std::fs::read_dir(p.state().join("logs"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let calls: Vec<&str> = log.lines().filter(|l| l.contains("aws call")).collect();
    let lock = calls
        .iter()
        .position(|l| l.contains("operation=PutObject") && l.contains("/parkctl/lock"))
        .expect("the lease's PutObject in the log");
    let first_read = calls
        .iter()
        .position(|l| !l.contains("service=STS") && !l.contains("service=S3"))
        .expect("a managed service read");
    assert!(
        lock < first_read,
        "read before the lock:\n{}",
        calls.join("\n")
    );
}

#[test]
fn s3_lock_held_elsewhere_refuses_the_second_operator() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let before = rt.block_on(sdk.state());
    rt.block_on(async {
        sdk.s3
            .create_bucket()
            .bucket("team-state")
            .send()
            .await
            .unwrap();
        sdk.s3
            .put_object()
            .bucket("team-state")
            .key("parkctl/lock")
            .body(aws_sdk_s3::primitives::ByteStream::from_static(
                b"{\"user\": \"alice\", \"host\": \"laptop-7\"}",
            ))
            .send()
            .await
            .unwrap();
    });
    // A second machine: its own state directory, the same S3 prefix.
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&[
        "--state-s3",
        "s3://team-state/parkctl",
        "apply",
        "parked",
        "--yes",
    ]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(
        err.contains("S3 lock") && err.contains("alice") && err.contains("laptop-7"),
        "{err}"
    );
    assert_eq!(
        rt.block_on(sdk.state()),
        before,
        "changed something without the lock"
    );
    // The operator breaks it deliberately, then the apply goes through.
    let (code, _, err) = p.run(&["--state-s3", "s3://team-state/parkctl", "unlock", "--yes"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = p.run(&[
        "--state-s3",
        "s3://team-state/parkctl",
        "apply",
        "parked",
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
}

/// Puts a lease document in `team-state/parkctl/lock` as a runner on
/// another machine would, renewed `ago` seconds ago, every `lease` seconds.
fn put_lease(rt: &tokio::runtime::Runtime, sdk: &Sdk, lease: u64, ago: i64) {
    let renewed = chrono::Utc::now() - chrono::Duration::seconds(ago);
    let doc = serde_json::json!({
        "pid": 4242, "host": "runner-9", "user": "ci", "since": renewed,
        "operation_id": "20261205T000000Z", "command": "apply",
        "lease_seconds": lease, "renewed": renewed,
    });
    rt.block_on(async {
        let _ = sdk.s3.create_bucket().bucket("team-state").send().await;
        sdk.s3
            .put_object()
            .bucket("team-state")
            .key("parkctl/lock")
            .body(aws_sdk_s3::primitives::ByteStream::from(
                serde_json::to_vec(&doc).unwrap(),
            ))
            .send()
            .await
            .unwrap();
    });
}

/// The services named by the AWS calls in the project's call log.
fn logged_services(p: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p.state().join("logs")).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        for l in text.lines().filter(|l| l.contains("aws call")) {
            let s = l.split("service=").nth(1).unwrap_or("");
            out.push(s.split_whitespace().next().unwrap_or("").to_lowercase());
        }
    }
    out
}

#[test]
fn a_live_lease_refuses_before_any_managed_service_is_read() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let before = rt.block_on(sdk.state());
    put_lease(&rt, &sdk, 30, 0);
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&[
        "--state-s3",
        "s3://team-state/parkctl",
        "apply",
        "parked",
        "--yes",
    ]);
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(err.contains("ci@runner-9"), "{err}");
    let services = logged_services(&p);
    assert!(services.iter().any(|s| s == "s3"), "{services:?}");
    assert!(
        services.iter().all(|s| s == "s3" || s == "sts"),
        "read a managed service before holding the S3 lock: {services:?}"
    );
    assert_eq!(rt.block_on(sdk.state()), before);
    assert!(!p.state().join("lock").exists(), "the local lock was left");
}

#[test]
fn an_expired_lease_is_taken_over_and_recorded() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    // A runner renewing every second, killed: after 4 missed periods
    // (S3's own time of the last write counts) its lease is free.
    put_lease(&rt, &sdk, 1, 0);
    std::thread::sleep(std::time::Duration::from_secs(5));
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&[
        "--state-s3",
        "s3://team-state/parkctl",
        "apply",
        "parked",
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("Took over the S3 lock"), "{err}");
    let records: Vec<_> = std::fs::read_dir(p.state().join("operations"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(records.len(), 1);
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&records[0]).unwrap()).unwrap();
    let took = rec["took_over"].to_string();
    assert!(took.contains("ci@runner-9"), "{rec}");
    let keys: Vec<String> = rt.block_on(async {
        let out = sdk
            .s3
            .list_objects_v2()
            .bucket("team-state")
            .send()
            .await
            .unwrap();
        out.contents()
            .iter()
            .filter_map(|o| o.key().map(String::from))
            .collect()
    });
    assert!(
        !keys.iter().any(|k| k == "parkctl/lock"),
        "lease not released: {keys:?}"
    );
}

#[test]
fn a_lease_is_renewed_while_its_holder_runs_and_a_second_runner_waits() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    rt.block_on(async {
        sdk.s3
            .create_bucket()
            .bucket("team-state")
            .send()
            .await
            .unwrap()
    });
    // Two runners at once, renewing every second: exactly one applies.
    let a = Project::new(&moto.url());
    let b = Project::new(&moto.url());
    let args = [
        "--state-s3",
        "s3://team-state/parkctl",
        "apply",
        "parked",
        "--yes",
    ];
    let spawn = |p: &Project| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("parkctl"));
        c.current_dir(p.path()).args(args).env_remove("AWS_PROFILE");
        for (k, v) in crate::common::env(&moto.url()) {
            c.env(k, v);
        }
        c.env("PARKCTL_LEASE_SECONDS", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (ca, cb) = (spawn(&a), spawn(&b));
    let (oa, ob) = (
        ca.wait_with_output().unwrap(),
        cb.wait_with_output().unwrap(),
    );
    let mut codes = [oa.status.code(), ob.status.code()];
    codes.sort();
    let errs = format!(
        "{}\n---\n{}",
        String::from_utf8_lossy(&oa.stderr),
        String::from_utf8_lossy(&ob.stderr)
    );
    // Either one held the lease while the other asked (0 and 4), or the
    // second came after the first had finished (0 and 0, nothing to do).
    assert!(
        codes == [Some(0), Some(4)] || codes == [Some(0), Some(0)],
        "{codes:?}\n{errs}"
    );
    assert!(
        !errs.contains("Took over"),
        "a live lease was taken over:\n{errs}"
    );
}
