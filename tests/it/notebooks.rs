//! SageMaker notebook instances against the emulator: two notebooks
//! stopped and started again, from the snapshot and from the profile on a
//! fresh checkout, beside the project's endpoint rules; a bystander
//! notebook never changes; the policy covers every call. moto's notebooks
//! change state at once (Pending, Stopping, Updating and Failed are
//! unit-tested in the planner).

use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};

const PARKED: &str = "version: 1
sagemaker:
  notebooks:
    - prefix: acme-
      state: stopped             # its storage volume is kept
";

const RUNNING: &str = "version: 1
sagemaker:
  notebooks:
    - names: [acme-lab, acme-etl]
      state: in_service
";

async fn notebook(sdk: &Sdk, name: &str) {
    sdk.sagemaker
        .create_notebook_instance()
        .notebook_instance_name(name)
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn("arn:aws:iam::123456789012:role/notebooks")
        .volume_size_in_gb(20)
        .send()
        .await
        .unwrap();
}

async fn state(sdk: &Sdk) -> String {
    let out = sdk
        .sagemaker
        .list_notebook_instances()
        .send()
        .await
        .unwrap();
    let mut lines: Vec<String> = out
        .notebook_instances()
        .iter()
        .map(|n| {
            format!(
                "notebook {} {}\n",
                n.notebook_instance_name().unwrap(),
                n.notebook_instance_status().unwrap().as_str()
            )
        })
        .collect();
    lines.sort();
    lines.concat()
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
fn notebooks_stop_and_start_again_exactly() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(async {
        for n in ["acme-lab", "acme-etl", "billing-notebook"] {
            notebook(&sdk, n).await;
        }
    });
    let original = rt.block_on(state(&sdk));
    assert_eq!(original, "notebook acme-etl InService\nnotebook acme-lab InService\nnotebook billing-notebook InService\n");
    let p = project(&moto, &[("parked", PARKED), ("running", RUNNING)]);

    let (code, out, err) = p.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("sagemaker notebook acme-lab") && out.contains("state: in_service -> stopped"),
        "{out}"
    );
    // No notebook price is known: unknown, never $0; the storage is said.
    assert!(
        out.contains("storage volume bills while it is stopped too"),
        "{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let parked = "notebook acme-etl Stopped\nnotebook acme-lab Stopped\nnotebook billing-notebook InService\n";
    assert_eq!(rt.block_on(state(&sdk)), parked);
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");

    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(state(&sdk)), original);

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let fresh = project(&moto, &[("running", RUNNING)]);
    let (code, out, err) = fresh.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(state(&sdk)), original);

    // The policy of each profile covers what each command calls.
    for (profile, text) in [("parked", PARKED), ("running", RUNNING)] {
        let p = project(&moto, &[(profile, text)]);
        crate::iam_coverage::assert_covered(&p, profile);
    }
    // The last apply was `running`'s.
    assert_eq!(rt.block_on(state(&sdk)), original);
}

#[test]
fn killed_at_every_write_and_thirty_percent_faults_converge() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(async {
        for n in ["acme-lab", "acme-etl", "billing-notebook"] {
            notebook(&sdk, n).await;
        }
    });
    let project = |url: &str| {
        let p = Project::new(url);
        p.write_profile("parked", PARKED);
        p.write_profile("running", RUNNING);
        p
    };
    crate::safety::crash_and_faults_converge(&moto, &project, &|| rt.block_on(state(&sdk)));
}
