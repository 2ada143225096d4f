//! EKS managed node groups against the emulator: a node group of 2/3/5
//! parked to 0/0/5 and restored exactly, from the snapshot and from the
//! profile on a fresh checkout; a bystander group never changes; the
//! policy covers every call. moto has no DescribeUpdate and its node
//! groups are ACTIVE at once (UPDATING is unit-tested in the planner).

use crate::common::{rt, Moto, Project};
use aws_sdk_eks::types::{NodegroupScalingConfig, VpcConfigRequest};

const PARKED: &str = "version: 1
eks:
  nodegroups:
    - cluster: acme-eks
      name: acme-workers
      min_size: 0
      desired_size: 0            # max_size stays: AWS requires at least 1
";

const RUNNING: &str = "version: 1
eks:
  nodegroups:
    - cluster: acme-eks
      name: acme-workers
      min_size: 2
      desired_size: 3
";

struct Eks(aws_sdk_eks::Client);

impl Eks {
    async fn new(endpoint: &str) -> Eks {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(crate::common::REGION))
            .credentials_provider(aws_sdk_eks::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await;
        Eks(aws_sdk_eks::Client::new(&conf))
    }

    async fn group(&self, cluster: &str, name: &str, (min, desired, max): (i32, i32, i32)) {
        self.0
            .create_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .scaling_config(
                NodegroupScalingConfig::builder()
                    .min_size(min)
                    .desired_size(desired)
                    .max_size(max)
                    .build(),
            )
            .subnets("subnet-1")
            .node_role("arn:aws:iam::123456789012:role/nodes")
            .instance_types("t3.medium")
            .send()
            .await
            .unwrap();
    }

    async fn seed(&self) {
        self.0
            .create_cluster()
            .name("acme-eks")
            .role_arn("arn:aws:iam::123456789012:role/eks")
            .resources_vpc_config(VpcConfigRequest::builder().subnet_ids("subnet-1").build())
            .send()
            .await
            .unwrap();
        self.group("acme-eks", "acme-workers", (2, 3, 5)).await;
        self.group("acme-eks", "billing-workers", (1, 2, 4)).await;
    }

    async fn state(&self) -> String {
        let mut names = self
            .0
            .list_nodegroups()
            .cluster_name("acme-eks")
            .send()
            .await
            .unwrap()
            .nodegroups()
            .to_vec();
        names.sort();
        let mut s = String::new();
        for n in names {
            let g = self
                .0
                .describe_nodegroup()
                .cluster_name("acme-eks")
                .nodegroup_name(&n)
                .send()
                .await
                .unwrap();
            let sc = g.nodegroup().unwrap().scaling_config().unwrap();
            s.push_str(&format!(
                "nodegroup {n} {}/{}/{}\n",
                sc.min_size().unwrap(),
                sc.desired_size().unwrap(),
                sc.max_size().unwrap()
            ));
        }
        s
    }
}

fn project(moto: &Moto, profiles: &[(&str, &str)]) -> Project {
    let p = Project::new(&moto.url());
    for f in ["running", "parked"] {
        std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
    }
    for (name, text) in profiles {
        p.write_profile(name, text);
    }
    p
}

#[test]
fn a_node_group_parks_to_zero_keeping_max_and_restores_exactly() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Eks::new(&moto.url()));
    rt.block_on(sdk.seed());
    let original = rt.block_on(sdk.state());
    assert_eq!(
        original,
        "nodegroup acme-workers 2/3/5\nnodegroup billing-workers 1/2/4\n"
    );
    let p = project(&moto, &[("parked", PARKED), ("running", RUNNING)]);

    let (code, out, err) = p.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("eks nodegroup acme-eks/acme-workers") && out.contains("desired_size: 3 -> 0"),
        "{out}"
    );
    // 3 x t3.medium x 730 h x $0.0416 + the control plane's 730 h x $0.10.
    assert!(
        out.contains("cost/month  eks $164.10 -> $73.00 (saves $91.10)"),
        "{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let parked = "nodegroup acme-workers 0/0/5\nnodegroup billing-workers 1/2/4\n";
    assert_eq!(rt.block_on(sdk.state()), parked);
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");

    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let fresh = project(&moto, &[("running", RUNNING)]);
    let (code, out, err) = fresh.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    let (code, out, err) = fresh.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn the_policy_covers_every_call_and_validate_names_the_line() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Eks::new(&moto.url()));
    rt.block_on(sdk.seed());
    for (profile, text) in [("parked", PARKED), ("running", RUNNING)] {
        let p = project(&moto, &[(profile, text)]);
        crate::iam_coverage::assert_covered(&p, profile);
    }
    let p = Project::new("http://127.0.0.1:1");
    p.write_profile("bad", "version: 1\neks:\n  nodegroups:\n    - cluster: acme-eks\n      name: acme-workers\n      max_size: 0\n");
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(format!("{out}{err}").contains("bad.yaml:6:"), "{out}{err}");
}

#[test]
fn killed_at_every_write_and_thirty_percent_faults_converge() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Eks::new(&moto.url()));
    rt.block_on(sdk.seed());
    let project = |url: &str| {
        let p = Project::new(url);
        p.write_profile("parked", PARKED);
        p.write_profile("running", RUNNING);
        p
    };
    crate::safety::crash_and_faults_converge(&moto, &project, &|| rt.block_on(sdk.state()));
}
