//! ECS services against the emulator: a Fargate service of 3 with a
//! scalable target 2..10 and a target-tracking policy, and one of 2
//! without scaling, parked to zero (scaling suspended, target and policy
//! kept) and restored to their exact counts, from the snapshot and from
//! the profile on a fresh checkout; a bystander in the same cluster and a
//! same-named service in another cluster never change; a daemon service
//! is refused; the policy covers every call; a crash at every write and
//! 30 % faults converge. moto's rollout never completes (the wait is on
//! the running count) and its running count starts at 0 (the seed updates
//! each service once so that it runs its tasks).

use crate::common::proxy::{Proxy, ProxyOpts};
use crate::common::{rt, Moto, Project};
use aws_sdk_applicationautoscaling::types::*;
use aws_sdk_ecs::types::{
    CpuArchitecture, LaunchType, OsFamily, RuntimePlatform, SchedulingStrategy,
};
use std::time::Duration;

const CLUSTER: &str = "acme-cluster";
const OTHER: &str = "other-cluster";

pub const PARKED: &str = "version: 1
ecs:
  services:
    - cluster: acme-cluster
      prefix: acme-
      desired_count: 0             # no task runs
      autoscaling: suspended       # else its target scales it back to 2
";

pub const RUNNING: &str = "version: 1
ecs:
  services:
    - cluster: acme-cluster
      name: acme-web
      desired_count: 3
      autoscaling: active
    - cluster: acme-cluster
      name: acme-worker
      desired_count: 2
";

pub struct Ecs {
    pub ecs: aws_sdk_ecs::Client,
    pub scaling: aws_sdk_applicationautoscaling::Client,
}

impl Ecs {
    pub async fn new(endpoint: &str) -> Ecs {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(crate::common::REGION))
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await;
        Ecs {
            ecs: aws_sdk_ecs::Client::new(&conf),
            scaling: aws_sdk_applicationautoscaling::Client::new(&conf),
        }
    }

    async fn task_definition(&self) -> String {
        self.ecs
            .register_task_definition()
            .family("acme-web")
            .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
            .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
            .cpu("512")
            .memory("1024")
            .runtime_platform(
                RuntimePlatform::builder()
                    .cpu_architecture(CpuArchitecture::X8664)
                    .operating_system_family(OsFamily::Linux)
                    .build(),
            )
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("app")
                    .image("nginx")
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string()
    }

    /// A Fargate service (no awsvpc configuration: moto would want a real
    /// subnet) of `n` running tasks.
    pub async fn service(&self, cluster: &str, name: &str, td: &str, n: i32) {
        self.ecs
            .create_service()
            .cluster(cluster)
            .service_name(name)
            .task_definition(td)
            .desired_count(n)
            .launch_type(LaunchType::Fargate)
            .tags(
                aws_sdk_ecs::types::Tag::builder()
                    .key("project")
                    .value("acme")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        // moto's running count follows the desired one only after an update.
        self.ecs
            .update_service()
            .cluster(cluster)
            .service(name)
            .desired_count(n)
            .send()
            .await
            .unwrap();
    }

    pub async fn seed(&self) {
        for c in [CLUSTER, OTHER] {
            self.ecs
                .create_cluster()
                .cluster_name(c)
                .send()
                .await
                .unwrap();
        }
        let td = self.task_definition().await;
        self.service(CLUSTER, "acme-web", &td, 3).await;
        self.service(CLUSTER, "acme-worker", &td, 2).await;
        self.service(CLUSTER, "billing-api", &td, 2).await;
        self.service(OTHER, "acme-web", &td, 4).await;
        let id = format!("service/{CLUSTER}/acme-web");
        self.scaling
            .register_scalable_target()
            .service_namespace(ServiceNamespace::Ecs)
            .resource_id(&id)
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .min_capacity(2)
            .max_capacity(10)
            .send()
            .await
            .unwrap();
        self.scaling
            .put_scaling_policy()
            .policy_name("acme-web-cpu")
            .service_namespace(ServiceNamespace::Ecs)
            .resource_id(&id)
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .policy_type(PolicyType::TargetTrackingScaling)
            .target_tracking_scaling_policy_configuration(
                TargetTrackingScalingPolicyConfiguration::builder()
                    .target_value(60.0)
                    .predefined_metric_specification(
                        PredefinedMetricSpecification::builder()
                            .predefined_metric_type(MetricType::EcsServiceAverageCpuUtilization)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Each service of both clusters: counts and scaling.
    pub async fn state(&self) -> String {
        let mut s = String::new();
        for c in [CLUSTER, OTHER] {
            let mut arns = self
                .ecs
                .list_services()
                .cluster(c)
                .send()
                .await
                .unwrap()
                .service_arns()
                .to_vec();
            arns.sort();
            let d = self
                .ecs
                .describe_services()
                .cluster(c)
                .set_services(Some(arns))
                .send()
                .await
                .unwrap();
            for svc in d.services() {
                let name = svc.service_name().unwrap();
                s.push_str(&format!(
                    "service {c}/{name} desired={} running={}{}\n",
                    svc.desired_count(),
                    svc.running_count(),
                    self.scaling_of(&format!("service/{c}/{name}")).await
                ));
            }
        }
        s
    }

    async fn scaling_of(&self, id: &str) -> String {
        let t = self
            .scaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Ecs)
            .resource_ids(id)
            .send()
            .await
            .unwrap();
        let p = self
            .scaling
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Ecs)
            .resource_id(id)
            .send()
            .await
            .unwrap();
        let f = |b: Option<bool>| if b.unwrap_or(false) { "y" } else { "n" };
        t.scalable_targets()
            .iter()
            .map(|t| {
                let st = t.suspended_state();
                format!(
                    " scaling {}..{} suspended={}{}{} policies={}",
                    t.min_capacity(),
                    t.max_capacity(),
                    f(st.and_then(|s| s.dynamic_scaling_in_suspended())),
                    f(st.and_then(|s| s.dynamic_scaling_out_suspended())),
                    f(st.and_then(|s| s.scheduled_scaling_suspended())),
                    p.scaling_policies().len()
                )
            })
            .collect()
    }
}

/// The seeded state once parked: the project's services at 0, the web
/// service's scaling suspended; every other line as it was.
fn parked_of(original: &str) -> String {
    original
        .lines()
        .map(|l| {
            if l.starts_with(&format!("service {CLUSTER}/acme-")) {
                let name = l.split_whitespace().nth(1).unwrap();
                let scaling = l
                    .split_once(" scaling")
                    .map(|(_, s)| format!(" scaling{}", s.replace("nnn", "yyy")))
                    .unwrap_or_default();
                format!("service {name} desired=0 running=0{scaling}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

fn project(moto: &Moto) -> Project {
    let p = Project::new(&moto.url());
    for f in ["running", "parked"] {
        std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
    }
    p.write_profile("parked", PARKED);
    p.write_profile("running", RUNNING);
    p
}

fn seeded() -> (Moto, tokio::runtime::Runtime, Ecs, Project) {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Ecs::new(&moto.url()));
    rt.block_on(sdk.seed());
    let p = project(&moto);
    (moto, rt, sdk, p)
}

#[test]
fn services_park_to_zero_with_scaling_suspended_and_restore_exactly() {
    let (moto, rt, sdk, p) = seeded();
    let original = rt.block_on(sdk.state());
    assert!(original.contains("service acme-cluster/acme-web desired=3 running=3 scaling 2..10 suspended=nnn policies=1"), "{original}");

    let (code, out, err) = p.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("ecs service acme-cluster/acme-web")
            && out.contains("autoscaling: active -> suspended"),
        "{out}"
    );
    assert!(
        out.contains("desired_count: 3 -> 0") && out.contains("desired_count: 2 -> 0"),
        "{out}"
    );
    // 5 tasks x 730 h x (0.5 x $0.04048 + 1 x $0.004445)
    assert!(
        out.contains("cost/month  ecs $90.10 -> $0.00 (saves $90.10)"),
        "{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let parked = parked_of(&original);
    assert_eq!(rt.block_on(sdk.state()), parked);
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");

    // From the snapshot the apply took.
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);

    // And from the profile alone, on a fresh checkout.
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let fresh = project(&moto);
    let (code, out, err) = fresh.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    let (code, out, err) = fresh.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");

    // capture writes what plans back to no change.
    let (code, out, err) = fresh.run(&["capture", "captured", "--like", "running"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = fresh.run(&["plan", "captured", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn lowering_under_active_scaling_and_a_daemon_service_are_refused() {
    let (_moto, rt, sdk, p) = seeded();
    rt.block_on(async {
        let td = sdk.task_definition().await;
        sdk.ecs
            .create_service()
            .cluster(CLUSTER)
            .service_name("acme-agent")
            .task_definition(td)
            .launch_type(LaunchType::Ec2)
            .scheduling_strategy(SchedulingStrategy::Daemon)
            .send()
            .await
            .unwrap();
    });
    let original = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("acme-cluster/acme-agent uses the DAEMON scheduling strategy"),
        "{all}"
    );
    p.write_profile("low", "version: 1\necs:\n  services:\n    - cluster: acme-cluster\n      name: acme-web\n      desired_count: 1\n");
    let (code, out, err) = p.run(&["apply", "low", "--yes"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("acme-cluster/acme-web has active auto scaling"),
        "{all}"
    );
    assert!(all.contains("autoscaling: suspended"), "{all}");
    assert_eq!(
        rt.block_on(sdk.state()),
        original,
        "a refused plan changed AWS"
    );
}

#[test]
fn validate_names_the_line_of_a_rule_without_its_cluster() {
    let p = Project::new("http://127.0.0.1:1");
    p.write_profile("bad", "version: 1\necs:\n  services:\n    - prefix: acme-\n      desired_count: 0\n    - cluster: acme\n      name: web\n      desired_count: 9000\n");
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("`cluster` is required: ECS services are named within a cluster"),
        "{all}"
    );
    assert!(all.contains("bad.yaml:4:"), "{all}");
    assert!(
        all.contains("desired_count must be between 0 and 5000, not 9000"),
        "{all}"
    );
    assert!(all.contains("bad.yaml:8:"), "{all}");
}

#[test]
fn the_policy_covers_every_call_of_every_command() {
    let (moto, _rt, _sdk, _p) = seeded();
    for (profile, text) in [("parked", PARKED), ("running", RUNNING)] {
        // Only this profile: status reads every profile of the project.
        let p = project(&moto);
        for f in ["running", "parked"] {
            std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
        }
        p.write_profile(profile, text);
        crate::iam_coverage::assert_covered(&p, profile);
    }
}

#[test]
fn killed_at_every_write_the_next_run_converges_and_faults_converge() {
    let (moto, rt, sdk, p) = seeded();
    let original = rt.block_on(sdk.state());
    let parked = parked_of(&original);
    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let writes = crate::safety::writes_in_stats(&err);
    assert_eq!(writes, 3, "one suspend and two UpdateService:\n{err}");
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for n in 1..=writes {
        let p = project(&moto);
        let out = p
            .cmd(&["apply", "parked", "--yes"])
            .env("PARKCTL_TEST_KILL_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            None,
            "killed after write {n}: {:?}",
            out.status
        );
        let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
        assert_eq!(code, 0, "re-run after write {n}\n{out}\n{err}");
        assert_eq!(rt.block_on(sdk.state()), parked, "after write {n}");
        // The killed run's snapshot holds the state before it began.
        let mut snaps: Vec<_> = std::fs::read_dir(p.state().join("snapshots"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        snaps.sort();
        let first = snaps[0].to_string_lossy().into_owned();
        let (code, out, err) = p.run(&["restore", &first, "--yes"]);
        assert_eq!(code, 0, "restore after write {n}\n{out}\n{err}");
        assert_eq!(rt.block_on(sdk.state()), original, "after write {n}");
    }
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(2),
            fault_rate: 0.3,
            seed: 24,
        },
    );
    let p = Project::new(&proxy.url());
    p.write_profile("parked", PARKED);
    p.write_profile("running", RUNNING);
    crate::faults::until_converged(&p, &proxy, &["apply", "parked", "--yes"], 4);
    assert_eq!(rt.block_on(sdk.state()), parked);
    crate::faults::until_converged(&p, &proxy, &["apply", "running", "--yes"], 4);
    assert_eq!(rt.block_on(sdk.state()), original);
    assert!(proxy.faults() > 0);
}
