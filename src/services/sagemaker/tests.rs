//! The endpoint rules the emulator cannot show (moto's endpoints are
//! InService at once and never Failed): states, the recreate guard, the
//! profile checks, the cost.

use super::*;
use crate::model::Live;
use crate::plan::Plan;
use crate::profile::Profile;

const PARKED: &str =
    "version: 1\nsagemaker:\n  endpoints:\n    - prefix: uja-\n      state: deleted\n";
const RUNNING: &str = "version: 1\nsagemaker:\n  endpoints:\n    - name: uja-exit-risk\n      state: in_service\n      endpoint_config: uja-exit-risk-config\n";

fn profile(text: &str) -> Profile {
    Profile::parse("p.yaml", "p", text).unwrap_or_else(|e| {
        panic!(
            "{:?}",
            e.errors
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        )
    })
}

fn errors(text: &str) -> Vec<String> {
    Profile::parse("p.yaml", "p", text)
        .unwrap_err()
        .errors
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

fn live_endpoint(state: &str) -> Resource {
    let mut tags = crate::model::Tags::new();
    tags.insert("team".into(), "growth".into());
    let mut r = endpoint("uja-exit-risk")
        .with("state", state)
        .with("endpoint_config", "uja-exit-risk-config")
        .with("failure_reason", "the model container exited")
        .with(
            "variants",
            serde_json::json!([{"name": "AllTraffic", "instance_type": "ml.m5.large", "instances": 2, "serverless": false}]),
        )
        .with("models_missing", serde_json::json!([]))
        .with("tags", serde_json::to_value(&tags).unwrap());
    r.tags = tags;
    r
}

fn plan(p: &Profile, r: Resource) -> Plan {
    let live = Live {
        resources: vec![r],
        ..Live::default()
    };
    crate::planner::plan(p, &live, &Now::at(chrono::Utc::now()))
}

#[test]
fn parking_deletes_with_what_it_takes_to_come_back() {
    let p = plan(&profile(PARKED), live_endpoint("in_service"));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.changes.len(), 1);
    let c = &p.changes[0];
    assert_eq!(
        c.describe(),
        "sagemaker endpoint uja-exit-risk state: in_service -> deleted"
    );
    assert_eq!(c.phase, crate::plan::Phase::Capacity);
    assert_eq!(c.args["endpoint_config"], "uja-exit-risk-config");
    assert_eq!(c.args["tags"]["team"], "growth");
}

#[test]
fn restoring_recreates_from_the_profiles_config() {
    let p = plan(
        &profile(RUNNING),
        endpoint("uja-exit-risk").with("state", DELETED),
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.changes.len(), 1, "{:?}", p.changes);
    let c = &p.changes[0];
    assert_eq!(c.to, IN_SERVICE);
    assert_eq!(c.args["endpoint_config"], "uja-exit-risk-config");
    assert_eq!(c.args["wait_minutes"], 30);
    assert!(
        !c.args.contains_key("tags"),
        "tags come from the config's store"
    );
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("takes minutes")));
    // In service already: nothing to do.
    assert!(plan(&profile(RUNNING), live_endpoint("in_service"))
        .changes
        .is_empty());
}

#[test]
fn a_snapshot_restores_the_recorded_tags() {
    let recorded = Live {
        resources: vec![live_endpoint("in_service")],
        ..Live::default()
    };
    let desired = crate::planner::desired_from_live(&recorded, "snapshot s");
    let now = Live {
        resources: vec![endpoint("uja-exit-risk").with("state", DELETED)],
        ..Live::default()
    };
    let p = crate::planner::diff(&desired, &now, &Now::at(chrono::Utc::now()), "restore", "");
    assert_eq!(p.changes.len(), 1, "{:?}", p);
    assert_eq!(p.changes[0].args["tags"]["team"], "growth");
}

#[test]
fn busy_endpoints_wait() {
    for state in [
        "creating",
        "updating",
        "system_updating",
        "rolling_back",
        "deleting",
    ] {
        for text in [PARKED, RUNNING] {
            let mut r = live_endpoint(state);
            if text == RUNNING {
                r = endpoint("uja-exit-risk").with("state", state);
            }
            let p = plan(&profile(text), r);
            assert!(
                p.changes.is_empty() && p.errors.is_empty(),
                "{state}: {p:?}"
            );
            assert!(
                p.warnings
                    .iter()
                    .any(|w| w.message.contains(&format!("is {state}"))),
                "{state}: {:?}",
                p.warnings
            );
        }
    }
}

#[test]
fn a_failed_endpoint_is_deleted_but_not_recreated_unless_asked() {
    let p = plan(&profile(PARKED), live_endpoint(FAILED));
    assert_eq!(p.changes.len(), 1, "{p:?}");
    let p = plan(&profile(RUNNING), live_endpoint(FAILED));
    assert!(p.changes.is_empty());
    assert!(
        p.errors[0]
            .message
            .contains("is Failed (the model container exited)"),
        "{:?}",
        p.errors
    );
    assert!(p.errors[0].message.contains("replace_failed: true"));
    let replace = format!("{RUNNING}      replace_failed: true\n");
    let p = plan(&profile(&replace), live_endpoint(FAILED));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.changes[0].args["replace"], true);
}

#[test]
fn never_deletes_what_could_not_come_back() {
    let gone_config = live_endpoint("in_service").with("config_missing", true);
    let p = plan(&profile(PARKED), gone_config);
    assert!(p.changes.is_empty());
    assert!(
        p.errors[0]
            .message
            .contains("endpoint config `uja-exit-risk-config` no longer exists"),
        "{:?}",
        p.errors
    );
    let gone_model =
        live_endpoint("in_service").with("models_missing", serde_json::json!(["uja-model"]));
    let p = plan(&profile(PARKED), gone_model);
    assert!(p.changes.is_empty());
    assert!(
        p.errors[0].message.contains("(uja-model)"),
        "{:?}",
        p.errors
    );
}

#[test]
fn another_config_is_left_alone_with_a_warning() {
    let other = RUNNING.replace("uja-exit-risk-config", "uja-v2-config");
    let p = plan(&profile(&other), live_endpoint("in_service"));
    assert!(p.changes.is_empty() && p.errors.is_empty());
    assert!(
        p.warnings[0].message.contains("does not switch"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn in_service_rules_must_name_endpoints_and_their_config() {
    let by_prefix = "version: 1\nsagemaker:\n  endpoints:\n    - prefix: uja-\n      state: in_service\n      endpoint_config: c\n";
    let e = errors(by_prefix);
    assert!(e[0].starts_with("p.yaml:5:14:"), "{e:?}");
    assert!(e[0].contains("must name its endpoints"), "{e:?}");
    let no_config =
        "version: 1\nsagemaker:\n  endpoints:\n    - name: e\n      state: in_service\n";
    assert!(errors(no_config)[0].contains("needs `endpoint_config`"));
    let config_when_deleted = format!("{PARKED}      endpoint_config: c\n");
    assert!(
        errors(&config_when_deleted)[0].contains("`endpoint_config` is for `state: in_service`")
    );
    let bad_state = "version: 1\nsagemaker:\n  endpoints:\n    - name: e\n      state: stopped\n";
    assert!(
        errors(bad_state)[0].contains("unknown value `stopped`"),
        "{:?}",
        errors(bad_state)
    );
}

#[test]
fn two_large_instances_cost_and_save_167_90_a_month() {
    let pricing = crate::cost::builtin();
    let before = Live {
        resources: vec![live_endpoint("in_service")],
        ..Live::default()
    };
    let e = crate::cost::estimate(&pricing, "us-east-1", &before);
    assert_eq!(
        e.resources[0].basis,
        "2 x ml.m5.large x $0.115/instance-hour"
    );
    assert_eq!(e.total.month.unwrap().to_string(), "$167.90");
    let p = plan(&profile(PARKED), live_endpoint("in_service"));
    let c = crate::cost::compare(
        &pricing,
        "us-east-1",
        &before,
        &crate::planner::after(&before, &p),
    );
    assert_eq!(c.total.saving.unwrap().to_string(), "$167.90");
    // An instance type without a price is unknown, never $0.
    let odd = live_endpoint("in_service").with(
        "variants",
        serde_json::json!([{"name": "A", "instance_type": "ml.p5.48xlarge", "instances": 1, "serverless": false}]),
    );
    let e = crate::cost::estimate(
        &pricing,
        "us-east-1",
        &Live {
            resources: vec![odd],
            ..Live::default()
        },
    );
    assert_eq!(e.total.month, None);
}

// ------------------------------------------------------------ notebooks

const NOTEBOOKS_PARKED: &str =
    "version: 1\nsagemaker:\n  notebooks:\n    - prefix: uja-\n      state: stopped\n";

fn live_notebook(state: &str) -> Resource {
    notebook("uja-lab")
        .with("state", state)
        .with("instance_type", "ml.t3.medium")
        .with("volume_gb", 20)
        .with("failure_reason", "the lifecycle script failed")
}

#[test]
fn a_notebook_is_stopped_and_started_and_an_endpoint_rule_beside_it_is_kept_apart() {
    let both =
        format!("{NOTEBOOKS_PARKED}  endpoints:\n    - prefix: uja-\n      state: deleted\n");
    let live = Live {
        resources: vec![live_notebook("in_service"), live_endpoint("in_service")],
        ..Live::default()
    };
    let p = crate::planner::plan(&profile(&both), &live, &Now::at(chrono::Utc::now()));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let shown: Vec<String> = p.changes.iter().map(|c| c.describe()).collect();
    assert_eq!(
        shown,
        [
            "sagemaker endpoint uja-exit-risk state: in_service -> deleted",
            "sagemaker notebook uja-lab state: in_service -> stopped"
        ]
    );
    let running =
        "version: 1\nsagemaker:\n  notebooks:\n    - name: uja-lab\n      state: in_service\n";
    let p = plan(&profile(running), live_notebook("stopped"));
    assert_eq!(
        p.changes[0].describe(),
        "sagemaker notebook uja-lab state: stopped -> in_service"
    );
    assert!(p.changes[0]
        .note
        .as_deref()
        .unwrap()
        .starts_with("StartNotebookInstance"));
}

#[test]
fn a_notebook_on_its_way_waits_and_a_failed_one_is_reported() {
    for state in ["pending", "stopping", "updating"] {
        let p = plan(&profile(NOTEBOOKS_PARKED), live_notebook(state));
        assert!(p.changes.is_empty() && p.errors.is_empty(), "{state}");
        assert!(
            p.warnings.iter().any(|w| w.message.contains(&format!(
                "uja-lab is {state}: SageMaker takes no start or stop"
            ))),
            "{state}: {:?}",
            p.warnings
        );
    }
    let p = plan(&profile(NOTEBOOKS_PARKED), live_notebook("failed"));
    assert!(
        p.errors.iter().any(|e| e
            .message
            .contains("uja-lab is Failed (the lifecycle script failed)")),
        "{:?}",
        p.errors
    );
}

#[test]
fn a_notebook_costs_its_instance_while_in_service_and_its_storage_always() {
    let text = format!(
        "{}    sagemaker:\n      notebook.ml.t3.medium: {{usd: \"0.05\", unit: instance-hour, taken: 2026-12-05, source: \"https://aws.amazon.com/sagemaker-ai/pricing/\"}}\n      notebook_storage_gb_month: {{usd: \"0.14\", unit: GB-month, taken: 2026-12-05, source: \"https://aws.amazon.com/sagemaker-ai/pricing/\"}}\n",
        "regions:\n  us-east-1:\n"
    );
    let pricing =
        crate::cost::Pricing::parse(&text, "p.yaml", &crate::cost::estimate::known()).unwrap();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    // 730 h x $0.05 + 20 GB x $0.14
    let on = SageMaker
        .cost(&live_notebook("in_service"), &mut lookup)
        .unwrap();
    assert_eq!(
        on.month.map(|m| m.usd(2)),
        Some("$39.30".into()),
        "{}",
        on.basis
    );
    let off = SageMaker
        .cost(&live_notebook("stopped"), &mut lookup)
        .unwrap();
    assert_eq!(
        off.month.map(|m| m.usd(2)),
        Some("$2.80".into()),
        "{}",
        off.basis
    );
    // The built-in table has no notebook figure: unknown, never $0.
    let builtin = crate::cost::builtin();
    let mut lookup = Lookup::new(&builtin, "us-east-1");
    assert_eq!(
        SageMaker
            .cost(&live_notebook("stopped"), &mut lookup)
            .unwrap()
            .month,
        None
    );
}

#[test]
fn capture_and_init_write_notebooks_beside_endpoints() {
    let (n, e) = (live_notebook("in_service"), live_endpoint("in_service"));
    let text = format!("version: 1\n{}", SageMaker.capture(&[&n, &e]));
    assert!(
        text.contains("  notebooks:\n    - name: \"uja-lab\"\n      state: in_service"),
        "{text}"
    );
    assert!(text.contains("  endpoints:\n"), "{text}");
    let live = Live {
        resources: vec![n.clone(), e.clone()],
        ..Live::default()
    };
    let p = crate::planner::plan(&profile(&text), &live, &Now::at(chrono::Utc::now()));
    assert!(
        p.changes.is_empty() && p.errors.is_empty(),
        "{text}\n{:?}",
        p.errors
    );
    let init = SageMaker.init_parked(&[&n, &e]);
    assert!(
        init.section
            .contains("notebooks:\n    - name: \"uja-lab\"\n      state: stopped"),
        "{}",
        init.section
    );
    // The endpoint can be recreated (its config and model are there): it
    // is parked as deleted, not left out.
    assert!(
        init.section.contains("endpoints:\n    - name: ")
            && init.section.contains("state: deleted"),
        "{}",
        init.section
    );
    assert!(init.left_out.is_empty(), "{:?}", init.left_out);
    assert!(errors(
        "version: 1\nsagemaker:\n  notebooks:\n    - prefix: uja-\n      state: asleep\n"
    )[0]
    .contains(":5:"));
}
