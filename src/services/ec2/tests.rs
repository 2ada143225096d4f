//! The instance rules the emulator cannot show: moto stops a one-time
//! Spot instance, an instance-store root and a group member, never shows
//! pending/stopping/shutting-down, and accepts Hibernate for an instance
//! not configured for it. Also the profile checks, the cost, `init`.

use super::*;
use crate::cost::pricing::Pricing;
use crate::model::Live;
use crate::plan::Plan;
use crate::profile::Profile;

const PARKED_YAML: &str = "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: stopped\n      hibernate: true\n";
const RUNNING_YAML: &str =
    "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: running\n";

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

fn vm(id: &str, state: &str) -> Resource {
    let mut r = instance(id, Some("acme-web"))
        .with("state", state)
        .with("instance_type", "t3.micro")
        .with("hibernation_configured", false)
        .with("group", Value::Null)
        .with("spot", Value::Null)
        .with("root_device", "ebs")
        .with("stop_protection", false)
        .with(
            "volumes",
            serde_json::json!([{"id": "vol-1", "type": "gp3", "size_gb": 8}]),
        );
    r.tags.insert("Project".into(), "acme".into());
    r.tags.insert("Name".into(), "acme-web".into());
    r
}

fn plan(p: &Profile, rs: Vec<Resource>) -> Plan {
    let live = Live {
        resources: rs,
        ..Live::default()
    };
    crate::planner::plan(p, &live, &Now::at(chrono::Utc::now()))
}

#[test]
fn parking_stops_and_hibernates_only_what_is_configured_for_it() {
    let hib = vm("i-1", RUNNING).with("hibernation_configured", true);
    let p = plan(&profile(PARKED_YAML), vec![hib, vm("i-2", RUNNING)]);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.changes.len(), 2);
    assert_eq!(
        p.changes[0].describe(),
        "ec2 instance i-1 (acme-web) state: running -> stopped"
    );
    assert_eq!(p.changes[0].args["hibernate"], true);
    assert_eq!(p.changes[1].args["hibernate"], false);
    assert!(p.changes[1]
        .note
        .as_deref()
        .unwrap()
        .contains("not configured for hibernation"));
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("1 EC2 instance(s) will be hibernated")));
    // Parked twice: nothing.
    assert!(plan(&profile(PARKED_YAML), vec![vm("i-1", STOPPED)])
        .changes
        .is_empty());
    let back = plan(&profile(RUNNING_YAML), vec![vm("i-1", STOPPED)]);
    assert_eq!(back.changes.len(), 1);
    assert_eq!(back.changes[0].to, RUNNING);
}

#[test]
fn what_aws_cannot_stop_is_refused_naming_the_instance_and_why() {
    let cases = [
        (vm("i-1", RUNNING).with("spot", "one-time"), "one-time Spot"),
        (
            vm("i-1", RUNNING).with("root_device", "instance-store"),
            "instance store",
        ),
        (
            vm("i-1", RUNNING).with("stop_protection", true),
            "DisableApiStop",
        ),
    ];
    for (r, why) in cases {
        let p = plan(&profile(PARKED_YAML), vec![r]);
        assert!(p.changes.is_empty(), "{:?}", p.changes);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        let e = &p.errors[0].message;
        assert!(
            e.contains("ec2 instance i-1 (acme-web) cannot be stopped") && e.contains(why),
            "{e}"
        );
    }
    // A persistent Spot request's instance may be stopped.
    let p = plan(
        &profile(PARKED_YAML),
        vec![vm("i-1", RUNNING).with("spot", "persistent")],
    );
    assert!(p.errors.is_empty() && p.changes.len() == 1, "{p:?}");
}

#[test]
fn a_group_member_is_refused_when_named_and_left_out_when_a_tag_matches_it() {
    let member = || vm("i-9", RUNNING).with("group", "acme-workers");
    let p = plan(&profile(PARKED_YAML), vec![member(), vm("i-1", RUNNING)]);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.changes.len(),
        1,
        "only the bystander-free instance: {:?}",
        p.changes
    );
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("Auto Scaling group `acme-workers`")
            && w.message.contains("left out")));
    let named = "version: 1\nec2:\n  instances:\n    - name: i-9\n      state: stopped\n";
    let p = plan(&profile(named), vec![member()]);
    assert!(p.changes.is_empty());
    assert!(
        p.errors[0].message.contains("park the group instead"),
        "{:?}",
        p.errors
    );
}

#[test]
fn transitional_states_wait() {
    for s in ["pending", "stopping", "shutting-down"] {
        let p = plan(&profile(PARKED_YAML), vec![vm("i-1", s)]);
        assert!(p.changes.is_empty() && p.errors.is_empty(), "{s}: {p:?}");
        assert!(
            p.warnings
                .iter()
                .any(|w| w.message.contains(&format!("is {s}: nothing is changed"))),
            "{s}"
        );
    }
}

#[test]
fn instances_are_selected_by_id_name_tag_and_its_prefix() {
    for sel in [
        "name: i-1",
        "name: acme-web",
        "prefix: acme-",
        "names: [i-1]",
    ] {
        let text = format!("version: 1\nec2:\n  instances:\n    - {sel}\n      state: stopped\n");
        let p = plan(&profile(&text), vec![vm("i-1", RUNNING)]);
        assert_eq!(p.changes.len(), 1, "{sel}: {p:?}");
    }
    let text = "version: 1\nec2:\n  instances:\n    - name: acme-db\n      state: stopped\n";
    let p = plan(&profile(text), vec![vm("i-1", RUNNING)]);
    assert!(
        p.errors[0].message.contains("`acme-db` named by rule"),
        "{:?}",
        p.errors
    );
}

#[test]
fn profile_errors_are_at_their_key() {
    let e = errors("version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: running\n      hibernate: true\n");
    assert!(
        e[0].contains("`hibernate` is for `state: stopped`"),
        "{e:?}"
    );
    let e = errors("version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n");
    assert!(e[0].contains("this rule changes nothing"), "{e:?}");
    let e = errors(
        "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: parked\n",
    );
    assert!(
        e[0].contains("p.yaml:5:14") && e[0].contains("unknown value `parked`"),
        "{e:?}"
    );
}

fn priced(r: &Resource) -> ResourceCost {
    let pricing = Pricing::parse(
        Pricing::builtin_text(),
        "built-in",
        &crate::cost::estimate::known(),
    )
    .unwrap();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    Ec2.cost(r, &mut lookup).unwrap()
}

#[test]
fn cost_is_compute_and_ebs_running_ebs_stopped_unknown_type_unknown() {
    let running = priced(&vm("i-1", RUNNING));
    // 0.0104 x 730 + 8 x 0.08
    assert_eq!(
        running.month.map(|m| m.exact()),
        Some("$8.232".into()),
        "{running:?}"
    );
    let stopped = priced(&vm("i-1", STOPPED));
    assert_eq!(
        stopped.month.map(|m| m.exact()),
        Some("$0.64".into()),
        "{stopped:?}"
    );
    assert!(
        stopped.basis.starts_with("stopped: 8 GB gp3"),
        "{}",
        stopped.basis
    );
    let odd = priced(&vm("i-1", RUNNING).with("instance_type", "x9.huge"));
    assert_eq!(odd.month, None);
    let sc1 = priced(&vm("i-1", STOPPED).with(
        "volumes",
        serde_json::json!([{"type": "sc1", "size_gb": 500}]),
    ));
    assert_eq!(sc1.month, None);
}

#[test]
fn init_parks_what_can_be_stopped_and_says_why_not_the_rest() {
    let a = vm("i-1", RUNNING).with("hibernation_configured", true);
    let b = vm("i-2", RUNNING).with("group", "acme-workers");
    let c = vm("i-3", RUNNING).with("spot", "one-time");
    let d = vm("i-4", RUNNING).with("root_device", "instance-store");
    let out = Ec2.init_parked(&[&a, &b, &c, &d]);
    assert!(
        out.section
            .starts_with("ec2:\n  instances:\n    - name: \"i-1\""),
        "{}",
        out.section
    );
    assert!(out.section.contains("hibernate: true"));
    assert_eq!(out.left_out.len(), 3);
    assert!(out.left_out[0]
        .why
        .contains("Auto Scaling group acme-workers"));
    assert!(out.left_out[1].why.contains("one-time Spot"));
    assert!(out.left_out[2].why.contains("instance store"));
    // What init writes is a valid profile that parks the instance.
    let p = plan(&profile(&format!("version: 1\n{}", out.section)), vec![a]);
    assert_eq!(p.changes.len(), 1, "{p:?}");
}

#[test]
fn iam_scopes_stops_to_the_rules_tags() {
    let p = profile(PARKED_YAML);
    let rules: Vec<&Rule> = p.rules_of(NAME).collect();
    let scope = Scope {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    };
    let mut st = Statements::default();
    Ec2.iam(&rules, &scope, &mut st);
    let json = serde_json::to_string(&st.into_json()).unwrap();
    assert!(json.contains(r#""Action":["ec2:StopInstances"],"Condition":{"StringEquals":{"aws:ResourceTag/Project":["acme"]}}"#)
        || json.contains(r#""aws:ResourceTag/Project":["acme"]"#), "{json}");
    assert!(
        json.contains("arn:aws:ec2:us-east-1:123456789012:instance/*"),
        "{json}"
    );
    assert!(!json.contains("StartInstances"), "{json}");
}
