//! Databases against the emulator: RDS instances and Aurora clusters
//! stopped and started, Redshift clusters paused and resumed, bystanders
//! untouched; the planner's refusals of what AWS would refuse half-way
//! (moto lets them through); AWS's 7-day restart undone by the schedule.

use crate::common::proxy::{Proxy, ProxyOpts};
use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};
use aws_sdk_rds::types::Tag;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

const INSTANCE: &str = "acme-db";
const CLUSTER: &str = "acme-aurora";
const MEMBERS: [&str; 2] = ["acme-aurora-1", "acme-aurora-2"];
const WAREHOUSE: &str = "acme-dw";

const PARKED: &str = "version: 1
rds:
  instances:
    - name: acme-db
      state: stopped
  clusters:
    - prefix: acme-
      state: stopped
redshift:
  clusters:
    - tags: {Project: acme}
      state: paused
";

const RUNNING: &str = "version: 1
rds:
  instances:
    - name: acme-db
      state: available
      wait_minutes: 10
  clusters:
    - name: acme-aurora
      state: available
redshift:
  clusters:
    - tags: {Project: acme}
      state: available
";

/// The SDK clients of the two services.
pub struct Dbs {
    pub rds: aws_sdk_rds::Client,
    pub redshift: aws_sdk_redshift::Client,
}

impl Dbs {
    pub async fn new(endpoint: &str) -> Dbs {
        let conf = Sdk::conf(endpoint, crate::common::REGION).await;
        Dbs {
            rds: aws_sdk_rds::Client::new(&conf),
            redshift: aws_sdk_redshift::Client::new(&conf),
        }
    }

    pub async fn instance(&self, name: &str, engine: &str, class: &str, project: &str) {
        self.rds
            .create_db_instance()
            .db_instance_identifier(name)
            .engine(engine)
            .db_instance_class(class)
            .allocated_storage(20)
            .storage_type("gp2")
            .master_username("admin")
            .master_user_password("password123")
            .tags(Tag::builder().key("Project").value(project).build())
            .send()
            .await
            .unwrap();
    }

    /// An Aurora PostgreSQL cluster with its member instances.
    pub async fn cluster(&self, name: &str, members: &[&str], project: &str) {
        self.rds
            .create_db_cluster()
            .db_cluster_identifier(name)
            .engine("aurora-postgresql")
            .master_username("admin")
            .master_user_password("password123")
            .tags(Tag::builder().key("Project").value(project).build())
            .send()
            .await
            .unwrap();
        for m in members {
            self.rds
                .create_db_instance()
                .db_instance_identifier(*m)
                .engine("aurora-postgresql")
                .db_instance_class("db.r6g.large")
                .db_cluster_identifier(name)
                .send()
                .await
                .unwrap();
        }
    }

    pub async fn warehouse(&self, name: &str, nodes: i32, project: &str) {
        self.redshift
            .create_cluster()
            .cluster_identifier(name)
            .node_type("dc2.large")
            .cluster_type("multi-node")
            .number_of_nodes(nodes)
            .master_username("admin")
            .master_user_password("Password123")
            .tags(
                aws_sdk_redshift::types::Tag::builder()
                    .key("Project")
                    .value(project)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// The project and a bystander of each kind.
    pub async fn sample(&self) {
        self.instance(INSTANCE, "postgres", "db.t3.micro", "acme")
            .await;
        self.instance("other-db", "postgres", "db.t3.micro", "other")
            .await;
        self.cluster(CLUSTER, &MEMBERS, "acme").await;
        self.cluster("other-aurora", &["other-aurora-1"], "other")
            .await;
        self.warehouse(WAREHOUSE, 2, "acme").await;
        self.warehouse("other-dw", 2, "other").await;
    }

    /// One line per database, sorted: what a round trip must bring back.
    pub async fn state(&self) -> String {
        let mut lines = Vec::new();
        let dbs = self.rds.describe_db_instances().send().await.unwrap();
        for d in dbs.db_instances() {
            lines.push(format!(
                "rds instance {} {} {}",
                d.db_instance_identifier().unwrap(),
                d.db_instance_status().unwrap(),
                d.db_instance_class().unwrap()
            ));
        }
        let cs = self.rds.describe_db_clusters().send().await.unwrap();
        for c in cs.db_clusters() {
            lines.push(format!(
                "rds cluster {} {} members={}",
                c.db_cluster_identifier().unwrap(),
                c.status().unwrap(),
                c.db_cluster_members().len()
            ));
        }
        let rs = self.redshift.describe_clusters().send().await.unwrap();
        for c in rs.clusters() {
            lines.push(format!(
                "redshift cluster {} {} nodes={}",
                c.cluster_identifier().unwrap(),
                c.cluster_status().unwrap(),
                c.number_of_nodes().unwrap()
            ));
        }
        lines.sort();
        lines.join("\n") + "\n"
    }
}

/// The sample's state once parked: the project's databases stopped or
/// paused (moto leaves a stopped cluster's members `available`), the
/// bystanders as they were.
fn parked_of(original: &str) -> String {
    original
        .lines()
        .map(|l| {
            let name = l.split_whitespace().nth(2).unwrap_or("");
            if name == INSTANCE || name == CLUSTER {
                l.replace(" available", " stopped")
            } else if name == WAREHOUSE {
                l.replace(" available", " paused")
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect()
}

fn project(url: &str) -> Project {
    let p = Project::new(url);
    p.write_profile("dbparked", PARKED);
    p.write_profile("dbrunning", RUNNING);
    p
}

fn sample() -> (Moto, tokio::runtime::Runtime, Dbs, Project) {
    let moto = Moto::start();
    let rt = rt();
    let dbs = rt.block_on(Dbs::new(&moto.url()));
    rt.block_on(dbs.sample());
    let p = project(&moto.url());
    (moto, rt, dbs, p)
}

fn stopped_record(p: &Project) -> String {
    let dir = p.state().join("operations");
    let mut texts: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|x| x.extension().is_some_and(|e| e == "txt"))
        .collect();
    texts.sort();
    std::fs::read_to_string(texts.last().unwrap()).unwrap()
}

#[test]
fn park_and_restore_leave_bystanders_alone() {
    let (_moto, rt, dbs, p) = sample();
    let original = rt.block_on(dbs.state());
    let parked = parked_of(&original);
    assert_ne!(parked, original);

    let (code, out, err) = p.run(&["plan", "dbparked", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eprintln!("plan dbparked --stats:\n{err}");
    for line in [
        "rds cluster acme-aurora   state: available -> stopped  (StopDBCluster, then wait until stopped (up to 30 min))",
        "rds instance acme-db      state: available -> stopped",
        "redshift cluster acme-dw  state: available -> paused",
        "AWS starts a stopped RDS database again after 7 days",
        // db.t3.micro and 20 GB gp2; two db.r6g.large members; 2 x dc2.large.
        "cost/month  rds $395.04 -> $2.30 (saves $392.74)",
        "cost/month  redshift $365.00 -> $0.00 (saves $365.00)",
        "still bills its storage: that is its parked cost",
    ] {
        assert!(out.contains(line), "missing `{line}`:\n{out}");
    }

    let (code, out, err) = p.run(&["apply", "dbparked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eprintln!("apply dbparked --stats:\n{err}");
    assert!(
        out.contains("live state verified against `dbparked`"),
        "{out}"
    );
    assert_eq!(rt.block_on(dbs.state()), parked);
    let (code, out, err) = p.run(&["plan", "dbparked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}\n{err}");
    assert!(out.contains("No changes."), "{out}");

    let (code, out, err) = p.run(&["status"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("rds instance acme-db"), "{out}");
    // moto writes no RDS event for a stop: parkctl's record of the apply
    // says since when it is stopped, and when AWS starts it again.
    assert!(
        out.contains("(parkctl's record); AWS starts it again at"),
        "{out}"
    );

    let (code, out, err) = p.run(&["plan", "dbrunning"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("StartDBInstance, then wait until available (up to 10 min)"),
        "{out}"
    );
    let (code, out, err) = p.run(&["apply", "dbrunning", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eprintln!("apply dbrunning --stats:\n{err}");
    assert_eq!(rt.block_on(dbs.state()), original);
    let (code, out, err) = p.run(&["plan", "dbrunning", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn a_snapshot_and_a_fresh_checkout_restore_what_was_there() {
    let (moto, rt, dbs, p) = sample();
    let original = rt.block_on(dbs.state());
    let (code, out, err) = p.run(&["apply", "dbparked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(dbs.state()), original);

    let (code, out, err) = p.run(&["apply", "dbparked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // A fresh checkout: the profiles, no state directory.
    let fresh = project(&moto.url());
    assert!(!fresh.state().exists());
    let (code, out, err) = fresh.run(&["apply", "dbrunning", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(dbs.state()), original);
}

#[test]
fn capture_writes_the_sections_back() {
    let (_moto, rt, _dbs, p) = sample();
    let (code, out, err) = p.run(&["apply", "dbparked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["capture", "now", "--like", "dbparked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let text = std::fs::read_to_string(p.path().join("profiles/now.yaml")).unwrap();
    for part in [
        "rds:\n  instances:\n    - name: \"acme-db\"\n      state: stopped\n",
        "  clusters:\n    - name: \"acme-aurora\"\n      state: stopped\n",
        "redshift:\n  clusters:\n    - name: \"acme-dw\"\n      state: paused\n",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
    let (code, out, err) = p.run(&["plan", "now", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    drop(rt);
}

/// Each refusal changes nothing and names the database and why.
#[test]
fn what_aws_would_refuse_is_refused_at_plan_time() {
    let (_moto, rt, dbs, p) = sample();
    rt.block_on(async {
        dbs.rds
            .create_db_instance_read_replica()
            .db_instance_identifier("acme-db-replica")
            .source_db_instance_identifier(INSTANCE)
            .send()
            .await
            .unwrap();
        dbs.rds
            .create_db_instance()
            .db_instance_identifier("acme-mssql")
            .engine("sqlserver-se")
            .db_instance_class("db.m5.large")
            .allocated_storage(20)
            .multi_az(true)
            .master_username("admin")
            .master_user_password("password123")
            .send()
            .await
            .unwrap();
        dbs.rds
            .create_db_cluster()
            .db_cluster_identifier("acme-v1")
            .engine("aurora-mysql")
            .engine_mode("serverless")
            .master_username("admin")
            .master_user_password("password123")
            .send()
            .await
            .unwrap();
        dbs.rds
            .create_global_cluster()
            .global_cluster_identifier("acme-world")
            .engine("aurora-postgresql")
            .send()
            .await
            .unwrap();
        dbs.rds
            .create_db_cluster()
            .db_cluster_identifier("acme-global")
            .engine("aurora-postgresql")
            .global_cluster_identifier("acme-world")
            .master_username("admin")
            .master_user_password("password123")
            .send()
            .await
            .unwrap();
    });
    let before = rt.block_on(dbs.state());
    let cases = [
        (
            "member",
            "instances",
            "acme-aurora-1",
            "is a member of the cluster `acme-aurora`: park the cluster",
        ),
        (
            "source",
            "instances",
            INSTANCE,
            "it has read replicas (acme-db-replica)",
        ),
        (
            "replica",
            "instances",
            "acme-db-replica",
            "it is a read replica of `acme-db`",
        ),
        ("mssql", "instances", "acme-mssql", "SQL Server Multi-AZ"),
        ("v1", "clusters", "acme-v1", "Aurora Serverless v1"),
        (
            "global",
            "clusters",
            "acme-global",
            "global database `acme-world`",
        ),
    ];
    for (name, list, db, why) in cases {
        p.write_profile(
            name,
            &format!("version: 1\nrds:\n  {list}:\n    - name: {db}\n      state: stopped\n"),
        );
        for args in [&["plan", name][..], &["apply", name, "--yes"][..]] {
            let (code, out, err) = p.run(args);
            assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
            let said = format!("rds {} {db} cannot be stopped", &list[..list.len() - 1]);
            assert!(
                out.contains(&said) && out.contains(why),
                "{args:?}: {said} / {why}\n{out}\n{err}"
            );
        }
        assert_eq!(rt.block_on(dbs.state()), before, "{name}");
    }
}

#[test]
fn an_instance_aws_started_after_7_days_is_stopped_again_and_the_record_says_why() {
    let (_moto, rt, dbs, p) = sample();
    std::fs::write(
        p.path().join("parkctl.yaml"),
        "schedule:\n  timezone: UTC\n  default: dbparked\n",
    )
    .unwrap();
    let (code, out, err) = p.run(&["apply", "--scheduled", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let parked = rt.block_on(dbs.state());
    // AWS starts it again (moto never does: it is started here).
    rt.block_on(
        dbs.rds
            .start_db_instance()
            .db_instance_identifier(INSTANCE)
            .send(),
    )
    .unwrap();
    assert_ne!(rt.block_on(dbs.state()), parked);

    let (code, out, err) = p.run(&["plan", "dbparked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("has no record of starting it"), "{out}");
    let (code, out, err) = p.run(&["apply", "--scheduled", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(dbs.state()), parked);
    let record = stopped_record(&p);
    assert!(record.contains("command   apply --scheduled"), "{record}");
    assert!(
        record.contains("rds instance acme-db state: available -> stopped")
            && record.contains("parkctl stopped it at")
            && record.contains("has no record of starting it"),
        "{record}"
    );
}

#[test]
fn bad_values_and_keys_are_refused_at_their_line() {
    let p = Project::new("http://127.0.0.1:9");
    p.write_profile(
        "bad",
        "version: 1\nrds:\n  instances:\n    - prefix: acme-\n      state: parked\n",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:5:14"), "{err}");
    p.write_profile(
        "bad",
        "version: 1\nrds:\n  clusters:\n    - name: a\n      state: stopped\n      wait_minutes: 0\n",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:6:21"), "{err}");
    assert!(
        err.contains("wait_minutes must be between 1 and 720"),
        "{err}"
    );
    p.write_profile(
        "bad",
        "version: 1\nredshift:\n  clusters:\n    - name: a\n      state: paused\n      nodes: 1\n",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:6:7"), "{err}");
    assert!(err.contains("nodes"), "{err}");
}

#[test]
fn killed_after_each_write_the_next_runs_converge() {
    let (moto, rt, dbs, p) = sample();
    let original = rt.block_on(dbs.state());
    let (code, out, err) = p.run(&["apply", "dbparked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let writes = crate::safety::writes_in_stats(&err);
    assert_eq!(
        writes, 3,
        "StopDBInstance, StopDBCluster, PauseCluster:\n{err}"
    );
    let parked = rt.block_on(dbs.state());
    let (code, out, err) = p.run(&["apply", "dbrunning", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for n in 1..=writes {
        let what = format!("killed after write {n} of {writes}");
        let p = project(&moto.url());
        let out = p
            .cmd(&["apply", "dbparked", "--yes"])
            .env("PARKCTL_TEST_KILL_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGKILL),
            "{what}: {:?}",
            out.status
        );
        crate::safety::assert_no_partial_files(&p.state(), &what);
        // The three calls run side by side: the others may have been
        // sent before the kill.
        assert_ne!(
            rt.block_on(dbs.state()),
            original,
            "{what}: nothing changed"
        );
        let mut snaps: Vec<String> = std::fs::read_dir(p.state().join("snapshots"))
            .unwrap()
            .flatten()
            .map(|e| e.path().display().to_string())
            .filter(|f| f.ends_with(".json"))
            .collect();
        snaps.sort();
        assert!(!snaps.is_empty(), "{what}: no restore point");
        // The killed run's restore point (the first): the re-run's holds
        // only what was still to change, since the others ran side by side.
        let crash = snaps[0].clone();
        let (code, out, err) = p.run(&["apply", "dbparked", "--yes"]);
        assert_eq!(code, 0, "{what}: re-run\n{out}\n{err}");
        assert!(err.contains("Took over the lock"), "{what}: {err}");
        assert_eq!(rt.block_on(dbs.state()), parked, "{what}");
        // Back through the crash snapshot, or through the profile.
        let args: &[&str] = if n % 2 == 1 {
            &["restore", &crash, "--yes"]
        } else {
            &["apply", "dbrunning", "--yes"]
        };
        let (code, out, err) = p.run(args);
        assert_eq!(code, 0, "{what}: {args:?}\n{out}\n{err}");
        assert_eq!(rt.block_on(dbs.state()), original, "{what}: {args:?}");
    }
}

#[test]
fn thirty_percent_faults_converge_to_parked_and_back() {
    let moto = Moto::start();
    let rt = rt();
    let dbs = rt.block_on(Dbs::new(&moto.url()));
    rt.block_on(dbs.sample());
    let original = rt.block_on(dbs.state());
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(2),
            fault_rate: 0.3,
            seed: 20261205,
        },
    );
    let p = project(&proxy.url());
    let codes = crate::faults::until_converged(&p, &proxy, &["apply", "dbparked", "--yes"], 3);
    assert_eq!(rt.block_on(dbs.state()), parked_of(&original), "{codes:?}");
    let codes = crate::faults::until_converged(&p, &proxy, &["apply", "dbrunning", "--yes"], 3);
    assert_eq!(rt.block_on(dbs.state()), original, "{codes:?}");
    assert!(proxy.faults() * 5 >= proxy.requests(), "too few faults");
}

/// Every call each command makes for a database profile is in that
/// profile's policy.
#[test]
fn the_policy_covers_every_call() {
    let (moto, _rt, _dbs, _p) = sample();
    let instances = "version: 1\nrds:\n  instances:\n    - name: acme-db\n      state: stopped\n";
    let warehouse =
        "version: 1\nredshift:\n  clusters:\n    - prefix: acme-\n      state: paused\n";
    for (name, text) in [
        ("dbparked", PARKED),
        ("dbrunning", RUNNING),
        ("instances", instances),
        ("warehouse", warehouse),
    ] {
        let p = Project::new(&moto.url());
        for f in ["running", "parked"] {
            std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
        }
        p.write_profile(name, text);
        crate::iam_coverage::assert_covered(&p, name);
    }
}

/// `parkctl init` over the databases: it parks the instance, the cluster
/// and the warehouse, and leaves the cluster's instances out, saying why.
#[test]
fn init_parks_the_databases_and_leaves_the_cluster_members_out() {
    let (moto, rt, dbs, _p) = sample();
    let original = rt.block_on(dbs.state());
    let p = Project::new(&moto.url());
    for f in ["running.yaml", "parked.yaml"] {
        std::fs::remove_file(p.path().join("profiles").join(f)).unwrap();
    }
    let (code, out, err) = p.run(&["init", "--prefix", "acme-"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for member in MEMBERS {
        assert!(
            out.contains(&format!("rds instance {member}")) && out.contains("park the cluster"),
            "{member} is not said to be left out:\n{out}"
        );
    }
    let parked = std::fs::read_to_string(p.path().join("profiles/parked.yaml")).unwrap();
    for part in [
        "\"acme-db\"",
        "\"acme-aurora\"",
        "\"acme-dw\"",
        "state: paused",
    ] {
        assert!(parked.contains(part), "{part} missing:\n{parked}");
    }
    assert!(!parked.contains("other-"), "a bystander:\n{parked}");
    let (code, out, err) = p.run(&["validate"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(dbs.state()), parked_of(&original));
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(dbs.state()), original);
}
