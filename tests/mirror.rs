//! The S3 state mirror and S3 lock, against moto's S3.

mod common;
use common::seed::Sdk;
use common::{rt, Moto, Project};

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
