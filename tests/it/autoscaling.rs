//! Auto Scaling groups against the emulator: parked to 0 with their
//! ScheduledActions process suspended, restored to the exact sizes (from
//! the profile, a snapshot, a fresh checkout) and the process resumed; a
//! bystander group untouched; the group's instances are the group's (an
//! EC2 rule leaves them out, or is refused when it names one).

use crate::common::{rt, Moto};
use crate::ec2::{count, project, Compute};
use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, Tag};
use aws_sdk_ec2::types::RequestLaunchTemplateData;

const PARKED: &str = "version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 0\n      desired_capacity: 0\n      scheduled_actions: suspended\n";
const RUNNING: &str = "version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 2\n      desired_capacity: 3\n      scheduled_actions: active\n";

impl Compute {
    /// A launch template of t3.small on an image moto ships.
    async fn template(&self) {
        let data = RequestLaunchTemplateData::builder()
            .image_id(self.ami().await)
            .instance_type(aws_sdk_ec2::types::InstanceType::T3Small)
            .build();
        self.ec2
            .create_launch_template()
            .launch_template_name("acme-lt")
            .launch_template_data(data)
            .send()
            .await
            .unwrap();
    }

    /// A group of min/max/desired from the template, in a default subnet,
    /// tagged (propagated to its instances), with a scheduled action.
    async fn group(&self, name: &str, (min, max, desired): (i32, i32, i32)) {
        let subnets = self.ec2.describe_subnets().send().await.unwrap();
        let subnet = subnets.subnets()[0].subnet_id().unwrap().to_string();
        let project = name.split('-').next().unwrap();
        self.asg
            .create_auto_scaling_group()
            .auto_scaling_group_name(name)
            .launch_template(
                LaunchTemplateSpecification::builder()
                    .launch_template_name("acme-lt")
                    .version("$Latest")
                    .build(),
            )
            .min_size(min)
            .max_size(max)
            .desired_capacity(desired)
            .vpc_zone_identifier(subnet)
            .tags(
                Tag::builder()
                    .key("Project")
                    .value(project)
                    .propagate_at_launch(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        self.asg
            .put_scheduled_update_group_action()
            .auto_scaling_group_name(name)
            .scheduled_action_name("morning")
            .recurrence("0 7 * * 1-5")
            .desired_capacity(desired)
            .send()
            .await
            .unwrap();
    }

    /// `NAME min/max/desired instances=N suspended=[..]` of every group.
    async fn groups(&self) -> Vec<String> {
        let out = self
            .asg
            .describe_auto_scaling_groups()
            .send()
            .await
            .unwrap();
        out.auto_scaling_groups()
            .iter()
            .map(|g| {
                let live = g
                    .instances()
                    .iter()
                    .filter(|i| {
                        !i.lifecycle_state()
                            .is_some_and(|s| s.as_str().starts_with("Terminat"))
                    })
                    .count();
                let mut procs: Vec<&str> = g
                    .suspended_processes()
                    .iter()
                    .filter_map(|p| p.process_name())
                    .collect();
                procs.sort();
                format!(
                    "{} {}/{}/{} instances={live} suspended={procs:?}",
                    g.auto_scaling_group_name().unwrap(),
                    g.min_size().unwrap(),
                    g.max_size().unwrap(),
                    g.desired_capacity().unwrap()
                )
            })
            .collect()
    }

    /// The ids of a group's instances.
    async fn members(&self, name: &str) -> Vec<String> {
        let out = self
            .asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send()
            .await
            .unwrap();
        out.auto_scaling_groups()[0]
            .instances()
            .iter()
            .map(|i| i.instance_id().unwrap().to_string())
            .collect()
    }
}

fn seeded() -> (Moto, tokio::runtime::Runtime, Compute) {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Compute::new(&moto.url()));
    rt.block_on(async {
        sdk.template().await;
        sdk.group("acme-workers", (2, 6, 3)).await;
        sdk.group("other-workers", (1, 2, 1)).await;
    });
    (moto, rt, sdk)
}

#[test]
fn park_and_restore_set_exact_sizes_and_the_scheduled_actions_process() {
    let (moto, rt, sdk) = seeded();
    let original = rt.block_on(sdk.groups());
    assert!(
        original[0].starts_with("acme-workers 2/6/3 instances=3 suspended=[]"),
        "{original:?}"
    );
    let p = project(&moto, &[("parked", PARKED), ("running", RUNNING)]);

    let (code, out, err) = p.run(&["plan", "parked", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("scheduled_actions: active -> suspended"),
        "{out}"
    );
    assert!(out.contains("terminates 3 of its instances"), "{out}");
    assert!(
        out.contains("cost/month  autoscaling $45.55 -> $0.00"),
        "{out}"
    );
    assert_eq!(
        count(&err, "autoscaling:DescribeAutoScalingGroups"),
        1,
        "{err}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        count(&err, "autoscaling:UpdateAutoScalingGroup"),
        1,
        "one call: {err}"
    );
    let parked = rt.block_on(sdk.groups());
    assert_eq!(
        parked[0],
        "acme-workers 0/6/0 instances=0 suspended=[\"ScheduledActions\"]"
    );
    assert_eq!(parked[1], original[1], "the bystander group changed");
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");

    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let both = format!("{out}{err}");
    let sizes = both.find("desired_capacity 0 -> 3 done").unwrap();
    let resumed = both
        .find("scheduled_actions suspended -> active done")
        .unwrap();
    assert!(sizes < resumed, "sizes first, then resume:\n{both}");
    assert_eq!(rt.block_on(sdk.groups()), original);
}

#[test]
fn a_snapshot_and_a_fresh_checkout_restore_the_sizes() {
    let (moto, rt, sdk) = seeded();
    // Someone suspended the process before: a snapshot restore keeps it so.
    rt.block_on(
        sdk.asg
            .suspend_processes()
            .auto_scaling_group_name("acme-workers")
            .scaling_processes("ScheduledActions")
            .send(),
    )
    .unwrap();
    let original = rt.block_on(sdk.groups());
    let p = project(&moto, &[("parked", PARKED), ("running", RUNNING)]);
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.groups()), original);

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let fresh = project(&moto, &[("running", RUNNING)]);
    let (code, out, err) = fresh.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let groups = rt.block_on(sdk.groups());
    assert_eq!(groups[0], "acme-workers 2/6/3 instances=3 suspended=[]");
}

#[test]
fn a_group_member_is_the_groups_to_park() {
    let (moto, rt, sdk) = seeded();
    let member = rt.block_on(sdk.members("acme-workers"))[0].clone();
    let before = rt.block_on(sdk.instances());
    let by_tag =
        "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: stopped\n";
    let named =
        format!("version: 1\nec2:\n  instances:\n    - name: {member}\n      state: stopped\n");
    let p = project(&moto, &[("bytag", by_tag), ("named", &named)]);
    let (code, out, err) = p.run(&["apply", "bytag", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("belongs to Auto Scaling group `acme-workers`") && out.contains("left out"),
        "{out}\n{err}"
    );
    // moto would stop it: the planner refuses.
    for args in [&["plan", "named"][..], &["apply", "named", "--yes"][..]] {
        let (code, out, err) = p.run(args);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert!(out.contains("park the group instead"), "{out}\n{err}");
    }
    assert_eq!(rt.block_on(sdk.instances()), before);
}

#[test]
fn validate_points_at_the_line() {
    let p = crate::common::Project::new("http://127.0.0.1:9");
    p.write_profile(
        "bad",
        "version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 3\n      desired_capacity: 1\n",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:6:25"), "{err}");
    assert!(
        err.contains("desired_capacity 1 is below min_size 3"),
        "{err}"
    );
}

/// Both services: the tagged instances and the acme group.
const BOTH_PARKED: &str = "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: stopped\n      hibernate: true\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 0\n      desired_capacity: 0\n      scheduled_actions: suspended\n";
const BOTH_RUNNING: &str = "version: 1\nec2:\n  instances:\n    - tags: {Project: acme}\n      state: running\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 2\n      desired_capacity: 3\n      scheduled_actions: active\n";

/// Two tagged instances (one configured for hibernation), a bystander,
/// the two groups; the standalone instances' ids.
fn both() -> (Moto, tokio::runtime::Runtime, Compute, Vec<String>) {
    let (moto, rt, sdk) = seeded();
    let ids = rt.block_on(async {
        vec![
            sdk.instance(&[("Project", "acme"), ("Name", "acme-web")], true)
                .await,
            sdk.instance(&[("Project", "acme"), ("Name", "acme-api")], false)
                .await,
            sdk.instance(&[("Project", "other")], false).await,
        ]
    });
    (moto, rt, sdk, ids)
}

/// The groups' lines and the standalone instances' states (a group's
/// instances get new ids on restore: they are counted, not named).
fn state(rt: &tokio::runtime::Runtime, sdk: &Compute, ids: &[String]) -> String {
    let mut out = rt.block_on(sdk.groups()).join("\n");
    for id in ids {
        out.push_str(&format!("\n{id} {}", rt.block_on(sdk.state_of(id))));
    }
    out
}

fn writes(stderr: &str) -> u64 {
    [
        "ec2:StopInstances",
        "autoscaling:SuspendProcesses",
        "autoscaling:UpdateAutoScalingGroup",
    ]
    .iter()
    .map(|op| count(stderr, op))
    .sum()
}

#[test]
fn killed_at_every_write_the_next_run_converges() {
    let (moto, rt, sdk, ids) = both();
    let original = state(&rt, &sdk, &ids);
    let p = project(&moto, &[("parked", BOTH_PARKED), ("running", BOTH_RUNNING)]);
    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let parked = state(&rt, &sdk, &ids);
    let n_writes = writes(&err);
    assert_eq!(
        n_writes, 4,
        "two stops (hibernated apart), a suspend, an update: {err}"
    );
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(state(&rt, &sdk, &ids), original);
    for n in 1..=n_writes {
        let ctx = format!("killed after write {n} of {n_writes}");
        let p = project(&moto, &[("parked", BOTH_PARKED), ("running", BOTH_RUNNING)]);
        let out = p
            .cmd(&["apply", "parked", "--yes"])
            .env("PARKCTL_TEST_KILL_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "{ctx}: not killed: {out:?}");
        assert_ne!(state(&rt, &sdk, &ids), original, "{ctx}: nothing changed");
        let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
        assert_eq!(code, 0, "{ctx}\n{out}\n{err}");
        assert_eq!(state(&rt, &sdk, &ids), parked, "{ctx}");
        let (code, out, err) = p.run(&["apply", "running", "--yes"]);
        assert_eq!(code, 0, "{ctx}\n{out}\n{err}");
        assert_eq!(state(&rt, &sdk, &ids), original, "{ctx}");
    }
}

#[test]
fn thirty_percent_faults_converge_to_parked_and_back() {
    use crate::common::proxy::{Proxy, ProxyOpts};
    let (moto, rt, sdk, ids) = both();
    let original = state(&rt, &sdk, &ids);
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: std::time::Duration::from_millis(2),
            fault_rate: 0.3,
            seed: 20261205,
        },
    );
    let p = crate::common::Project::new(&proxy.url());
    for f in ["running", "parked"] {
        std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
    }
    p.write_profile("parked", BOTH_PARKED);
    p.write_profile("running", BOTH_RUNNING);
    let mut parked = None;
    for profile in ["parked", "running"] {
        let mut codes = Vec::new();
        for _ in 0..3 {
            let (code, out, err) = p.run(&["apply", profile, "--yes"]);
            assert!(!format!("{out}{err}").contains("panicked"), "{out}\n{err}");
            assert!(matches!(code, 0 | 1 | 3), "{code}\n{out}\n{err}");
            codes.push(code);
            if code == 0 {
                break;
            }
            assert!(
                err.contains(" failed"),
                "no readable failure:\n{out}\n{err}"
            );
            eprintln!(
                "{profile}: exit {code}: {}",
                err.lines()
                    .filter(|l| l.contains(" failed"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        assert_eq!(
            codes.last(),
            Some(&0),
            "{profile}: did not converge: {codes:?}"
        );
        if profile == "parked" {
            parked = Some(state(&rt, &sdk, &ids));
        }
    }
    let parked = parked.unwrap();
    assert!(
        parked.contains("acme-workers 0/6/0 instances=0"),
        "{parked}"
    );
    assert!(parked.contains(&format!("{} stopped", ids[0])), "{parked}");
    assert!(
        parked.contains(&format!("{} running", ids[2])),
        "the bystander: {parked}"
    );
    assert_eq!(state(&rt, &sdk, &ids), original);
    assert!(proxy.faults() * 5 >= proxy.requests(), "too few faults");
}
