//! EC2 instances against the emulator: parked by stopping them (the one
//! configured for hibernation hibernated), restored by starting them, from
//! the profile, a snapshot and a fresh checkout; bystanders untouched;
//! what AWS cannot stop is refused and nothing changes.
//!
//! The seed helpers (`Compute`) are shared with `tests/autoscaling.rs`.

use crate::common::{rt, Moto, Project};
use aws_sdk_ec2::types::{
    AttributeBooleanValue, HibernationOptionsRequest, InstanceType, ResourceType, Tag,
    TagSpecification,
};
use std::collections::BTreeSet;

pub const PARKED: &str = "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: stopped\n      hibernate: true\n";
pub const RUNNING: &str =
    "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: running\n";

/// EC2 and Auto Scaling clients on the emulator.
pub struct Compute {
    pub ec2: aws_sdk_ec2::Client,
    pub asg: aws_sdk_autoscaling::Client,
}

impl Compute {
    pub async fn new(endpoint: &str) -> Compute {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(crate::common::REGION))
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await;
        Compute {
            ec2: aws_sdk_ec2::Client::new(&conf),
            asg: aws_sdk_autoscaling::Client::new(&conf),
        }
    }

    /// An image moto ships.
    pub async fn ami(&self) -> String {
        let out = self.ec2.describe_images().send().await.unwrap();
        out.images()[0].image_id().unwrap().to_string()
    }

    /// A running t3.micro with these tags; its id.
    pub async fn instance(&self, tags: &[(&str, &str)], hibernation: bool) -> String {
        let tags: Vec<Tag> = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
            .collect();
        let mut req = self
            .ec2
            .run_instances()
            .image_id(self.ami().await)
            .instance_type(InstanceType::T3Micro)
            .min_count(1)
            .max_count(1)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Instance)
                    .set_tags(Some(tags))
                    .build(),
            );
        if hibernation {
            req = req.hibernation_options(
                HibernationOptionsRequest::builder()
                    .configured(true)
                    .build(),
            );
        }
        let out = req.send().await.unwrap();
        out.instances()[0].instance_id().unwrap().to_string()
    }

    pub async fn protect(&self, id: &str) {
        self.ec2
            .modify_instance_attribute()
            .instance_id(id)
            .disable_api_stop(AttributeBooleanValue::builder().value(true).build())
            .send()
            .await
            .unwrap();
    }

    /// `ID STATE TYPE` of every instance not terminated, sorted.
    pub async fn instances(&self) -> BTreeSet<String> {
        let out = self.ec2.describe_instances().send().await.unwrap();
        out.reservations()
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| {
                let state = i.state().and_then(|s| s.name()).unwrap().as_str();
                format!("{} {state}", i.instance_id().unwrap())
            })
            .filter(|l| !l.ends_with(" terminated"))
            .collect()
    }

    pub async fn state_of(&self, id: &str) -> String {
        self.instances()
            .await
            .into_iter()
            .find_map(|l| l.strip_prefix(&format!("{id} ")).map(str::to_string))
            .unwrap_or_default()
    }
}

/// `service:Operation` of every call in a `--stats` table, and the calls
/// of one operation.
pub fn calls(stderr: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut table = false;
    for line in stderr.lines() {
        if line.starts_with("AWS calls") {
            table = true;
            continue;
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        if !table || w.len() < 3 || w[0] == "total" {
            continue;
        }
        out.push((
            format!("{}:{}", w[0].to_lowercase(), w[1]),
            w[2].parse().unwrap_or(0),
        ));
    }
    out
}

pub fn count(stderr: &str, op: &str) -> u64 {
    calls(stderr)
        .iter()
        .filter(|(c, _)| c == op)
        .map(|(_, n)| n)
        .sum()
}

/// A project with only these profiles (the shipped ones name the sample
/// project's resources).
pub fn project(moto: &Moto, profiles: &[(&str, &str)]) -> Project {
    let p = Project::new(&moto.url());
    for f in ["running", "parked"] {
        std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
    }
    for (name, text) in profiles {
        p.write_profile(name, text);
    }
    p
}

struct Seeded {
    moto: Moto,
    rt: tokio::runtime::Runtime,
    sdk: Compute,
    ids: Vec<String>,
    bystander: String,
}

fn seeded() -> Seeded {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Compute::new(&moto.url()));
    let ids = rt.block_on(async {
        vec![
            sdk.instance(&[("Project", "acme"), ("Name", "acme-web")], true)
                .await,
            sdk.instance(&[("Project", "acme"), ("Name", "acme-api")], false)
                .await,
            sdk.instance(&[("Project", "acme"), ("Name", "acme-jobs")], false)
                .await,
        ]
    });
    let bystander =
        rt.block_on(sdk.instance(&[("Project", "other"), ("Name", "other-web")], false));
    Seeded {
        moto,
        rt,
        sdk,
        ids,
        bystander,
    }
}

#[test]
fn park_and_restore_stop_and_start_the_tagged_instances_only() {
    let s = seeded();
    let original = s.rt.block_on(s.sdk.instances());
    let p = project(&s.moto, &[("parked", PARKED), ("running", RUNNING)]);

    let (code, out, err) = p.run(&["plan", "parked", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("ec2 instance {} (acme-web)", s.ids[0])),
        "{out}"
    );
    assert!(out.contains("state: running -> stopped"), "{out}");
    assert!(out.contains("StopInstances with Hibernate"), "{out}");
    assert!(!out.contains(&s.bystander), "{out}");
    // One filtered DescribeInstances page for all of them.
    assert_eq!(count(&err, "ec2:DescribeInstances"), 1, "{err}");

    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // Batched: one call for the hibernated one, one for the rest.
    assert_eq!(count(&err, "ec2:StopInstances"), 2, "{err}");
    for id in &s.ids {
        assert_eq!(s.rt.block_on(s.sdk.state_of(id)), "stopped");
    }
    assert_eq!(s.rt.block_on(s.sdk.state_of(&s.bystander)), "running");
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");
    assert!(out.contains("No changes."), "{out}");

    let (code, out, err) = p.run(&["apply", "running", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(count(&err, "ec2:StartInstances"), 1, "{err}");
    assert_eq!(s.rt.block_on(s.sdk.instances()), original);
    let (code, out, _) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_snapshot_and_a_fresh_checkout_restore_what_ran() {
    let s = seeded();
    let original = s.rt.block_on(s.sdk.instances());
    let p = project(&s.moto, &[("parked", PARKED), ("running", RUNNING)]);
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(s.rt.block_on(s.sdk.instances()), original);

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let fresh = project(&s.moto, &[("running", RUNNING)]);
    let (code, out, err) = fresh.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(s.rt.block_on(s.sdk.instances()), original);
}

#[test]
fn a_protected_instance_is_refused_and_nothing_changes() {
    let s = seeded();
    s.rt.block_on(s.sdk.protect(&s.ids[1]));
    let before = s.rt.block_on(s.sdk.instances());
    let p = project(&s.moto, &[("parked", PARKED)]);
    for args in [&["plan", "parked"][..], &["apply", "parked", "--yes"][..]] {
        let (code, out, err) = p.run(args);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert!(
            out.contains(&format!(
                "ec2 instance {} (acme-api) cannot be stopped",
                s.ids[1]
            )) && out.contains("DisableApiStop"),
            "{out}\n{err}"
        );
    }
    assert_eq!(s.rt.block_on(s.sdk.instances()), before);
}

#[test]
fn capture_and_iam_policy_cover_what_the_commands_call() {
    let s = seeded();
    let p = project(&s.moto, &[("parked", PARKED)]);
    let (code, out, err) = p.run(&["iam-policy", "parked"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let granted: BTreeSet<String> = v["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(out.contains("\"aws:ResourceTag/Project\""), "{out}");
    for args in [
        &["plan", "parked"][..],
        &["status"][..],
        &["capture", "captured", "--like", "parked"][..],
        &["apply", "parked", "--yes"][..],
    ] {
        let mut args = args.to_vec();
        args.push("--stats");
        let (code, out, err) = p.run(&args);
        assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
        let missing: Vec<String> = calls(&err)
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| c != "sts:GetCallerIdentity" && !granted.contains(c))
            .collect();
        assert!(
            missing.is_empty(),
            "{args:?} calls {missing:?}, not in the policy"
        );
    }
    let captured = std::fs::read_to_string(p.path().join("profiles/captured.yaml")).unwrap();
    assert!(
        captured.contains(&format!("- name: \"{}\"   # acme-web", s.ids[0])),
        "{captured}"
    );
    assert!(captured.contains("state: running"), "{captured}");
}

#[test]
fn validate_points_at_the_line() {
    let p = Project::new("http://127.0.0.1:9");
    p.write_profile(
        "bad",
        "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: running\n      hibernate: true\n",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:6:18"), "{err}");
    assert!(err.contains("`hibernate` is for `state: stopped`"), "{err}");
}

/// `parkctl init --tag` over EC2: the tagged instances are parked (the one
/// configured for it hibernated), the bystander is not selected, the
/// config carries the tag as the cost tag, and the files round-trip.
#[test]
fn init_by_tag_parks_the_tagged_instances_and_round_trips() {
    let s = seeded();
    let original = s.rt.block_on(s.sdk.instances());
    let p = Project::new(&s.moto.url());
    for f in ["running.yaml", "parked.yaml"] {
        std::fs::remove_file(p.path().join("profiles").join(f)).unwrap();
    }
    let (code, out, err) = p.run(&["init", "--tag", "Project=acme", "--services", "ec2"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("ec2") && out.contains("3 instances"), "{out}");
    let parked = std::fs::read_to_string(p.path().join("profiles/parked.yaml")).unwrap();
    assert!(!parked.contains(&s.bystander), "{parked}");
    let config = std::fs::read_to_string(p.path().join("parkctl.yaml")).unwrap();
    assert!(config.contains("cost_tag: \"Project=acme\""), "{config}");
    let (code, out, err) = p.run(&["validate"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for id in &s.ids {
        assert_eq!(s.rt.block_on(s.sdk.state_of(id)), "stopped");
    }
    assert_eq!(s.rt.block_on(s.sdk.state_of(&s.bystander)), "running");
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(s.rt.block_on(s.sdk.instances()), original);
}

/// `status` judges an instance by its CPU averaged over the window against
/// the stated threshold: busy above it, idle at or under it.
#[test]
fn status_judges_instances_by_average_cpu_against_the_threshold() {
    let s = seeded();
    let cw = s.rt.block_on(crate::common::seed::Sdk::new(&s.moto.url()));
    s.rt.block_on(async {
        cw.activity("AWS/EC2", "CPUUtilization", "InstanceId", &s.ids[0], 37.0)
            .await;
        cw.activity("AWS/EC2", "CPUUtilization", "InstanceId", &s.ids[1], 1.5)
            .await;
    });
    let p = project(&s.moto, &[("parked", PARKED), ("running", RUNNING)]);
    let (code, out, err) = p.run(&["status"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let line = |id: &str| {
        out.lines()
            .find(|l| l.contains("ec2 instance") && l.contains(id) && l.contains('%'))
            .unwrap_or_else(|| panic!("no activity line for {id}:\n{out}"))
            .to_string()
    };
    assert!(
        line(&s.ids[0]).contains("active (CPUUtilization 37.0% on average, above 5%)"),
        "{out}"
    );
    assert!(
        line(&s.ids[1]).contains("IDLE (CPUUtilization 1.5% on average, at most 5%)"),
        "{out}"
    );
    let (code, out, _) = p.run(&["status", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let busy = v["activity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"].as_str().is_some_and(|n| n.contains(&s.ids[0])))
        .unwrap();
    assert_eq!(busy["busy_above"], 5.0, "{busy}");
    assert_eq!(busy["value"], 37.0, "{busy}");
}
