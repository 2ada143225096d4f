//! SageMaker endpoints against the emulator: parked by deleting the
//! endpoint (config and model kept), restored by recreating it with its
//! tags, from a snapshot or from the profile alone; never deleted when it
//! could not come back.

use crate::common::seed::{Sdk, ENDPOINT, ENDPOINT_CONFIG, MODEL};
use crate::common::{rt, Moto, Project};

fn sample() -> (Moto, tokio::runtime::Runtime, Sdk, Project) {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    (moto, rt, sdk, p)
}

fn endpoint_line(rt: &tokio::runtime::Runtime, sdk: &Sdk, name: &str) -> Option<String> {
    rt.block_on(sdk.endpoints())
        .into_iter()
        .find(|l| l.starts_with(&format!("endpoint {name} ")))
}

#[test]
fn park_and_restore_keep_config_model_and_tags() {
    let (_moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    let bystander = endpoint_line(&rt, &sdk, "billing-scorer");
    assert!(
        original.contains("tags=project=user-journey-analytics,team=growth"),
        "{original}"
    );

    let (code, out, err) = p.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("sagemaker endpoint user-journey-analytics-exit-risk-endpoint"),
        "{out}"
    );
    assert!(out.contains("state: in_service -> deleted"), "{out}");
    assert!(
        out.contains("cost/month  sagemaker $83.95 -> $0.00 (saves $83.95)"),
        "{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        endpoint_line(&rt, &sdk, ENDPOINT),
        None,
        "the endpoint is still there"
    );
    let config = rt.block_on(
        sdk.sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(ENDPOINT_CONFIG)
            .send(),
    );
    assert!(config.is_ok(), "the endpoint config was deleted");
    assert!(rt
        .block_on(sdk.sagemaker.describe_model().model_name(MODEL).send())
        .is_ok());
    assert_eq!(endpoint_line(&rt, &sdk, "billing-scorer"), bystander);
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");

    // The restore prices what it recreates, from the config it reads.
    let (code, out, err) = p.run(&["plan", "running"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("sagemaker $0.00 -> $83.95"),
        "the recreated endpoint is not priced:\n{out}"
    );
    assert!(!out.contains("-> unknown"), "{out}");

    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("No changes."), "{out}");
}

#[test]
fn a_teammate_without_local_state_restores_it_with_its_tags() {
    let (moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // A fresh checkout: the shipped profiles, no state directory.
    let fresh = Project::new(&moto.url());
    assert!(!fresh.state().exists());
    let (code, out, err) = fresh.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
}

#[test]
fn a_snapshot_restore_recreates_the_endpoint() {
    let (_moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
}

#[test]
fn an_endpoint_whose_config_is_gone_is_not_deleted() {
    let (_moto, rt, sdk, p) = sample();
    // AWS (and moto) let a config be deleted while an endpoint uses it.
    rt.block_on(
        sdk.sagemaker
            .delete_endpoint_config()
            .endpoint_config_name(ENDPOINT_CONFIG)
            .send(),
    )
    .unwrap();
    let before = rt.block_on(sdk.state());
    for args in [&["plan", "parked"][..], &["apply", "parked", "--yes"][..]] {
        let (code, out, err) = p.run(args);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert!(
            out.contains(&format!("sagemaker endpoint {ENDPOINT} cannot be deleted"))
                && out.contains(&format!("`{ENDPOINT_CONFIG}` no longer exists")),
            "{out}\n{err}"
        );
    }
    assert_eq!(rt.block_on(sdk.state()), before);
}

#[test]
fn an_in_service_rule_by_prefix_is_refused_at_its_line() {
    let p = Project::new("http://127.0.0.1:9");
    p.write_profile(
        "bad",
        "version: 1\nsagemaker:\n  endpoints:\n    - prefix: user-journey-analytics-\n      state: in_service\n      endpoint_config: c\n",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:5:14"), "{err}");
    assert!(err.contains("must name its endpoints"), "{err}");
}

#[test]
fn plan_json_carries_the_endpoint_cost() {
    let (_moto, _rt, _sdk, p) = sample();
    let (code, out, err) = p.run(&["plan", "parked", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cost"]["sagemaker"]["before"], serde_json::json!(83.95));
    assert_eq!(v["cost"]["sagemaker"]["saving"], serde_json::json!(83.95));
    let (code, out, err) = p.run(&["status"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("sagemaker endpoint user-journey-analytics-exit-risk-endpoint"),
        "{out}"
    );
    assert!(out.contains("in_service, 1 x ml.m5.large"), "{out}");
}
