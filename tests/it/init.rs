//! `parkctl init`: a new team's first run over the sample project, with
//! bystanders of every kind it manages outside the selector.

use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};

/// A project without profiles or config: what a new team starts from.
fn fresh(moto: &Moto) -> Project {
    let p = Project::new(&moto.url());
    for f in ["running.yaml", "parked.yaml"] {
        std::fs::remove_file(p.path().join("profiles").join(f)).unwrap();
    }
    p
}

/// Bystanders: one of each kind the sample has, outside its prefix.
async fn bystanders(sdk: &Sdk) {
    sdk.stream("other-team-events", 2).await;
    let role = sdk.role().await;
    sdk.function("other-team-worker", &role).await;
    sdk.alarm("other-team-alarm").await;
    sdk.table("other-team-table", (5, 5), &[]).await;
}

#[test]
fn init_writes_profiles_that_validate_match_and_round_trip() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    rt.block_on(bystanders(&sdk));
    let original = rt.block_on(sdk.state());
    let p = fresh(&moto);

    let (code, out, err) = p.run(&["init", "--prefix", "user-journey-analytics-"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for line in [
        "kinesis",
        "lambda",
        "cloudwatch",
        "sagemaker",
        "dynamodb",
        "saves",
        "parkctl plan parked",
    ] {
        assert!(out.contains(line), "`{line}` missing:\n{out}");
    }
    assert_eq!(rt.block_on(sdk.state()), original, "init changed AWS");
    let parked = std::fs::read_to_string(p.path().join("profiles/parked.yaml")).unwrap();
    assert!(
        !parked.contains("other-team"),
        "a bystander in parked.yaml:\n{parked}"
    );
    assert!(p.path().join("parkctl.yaml").exists());

    let (code, out, err) = p.run(&["validate"]);
    assert_eq!(code, 0, "validate\n{out}\n{err}");
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "plan running right after init has changes\n{out}\n{err}"
    );
    let (code, out, err) = p.run(&["plan", "parked", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["errors"].as_array().map(Vec::len), Some(0), "{out}");
    assert!(
        !out.contains("other-team"),
        "plan parked selects a bystander:\n{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "apply parked\n{out}\n{err}");
    assert_ne!(rt.block_on(sdk.state()), original);
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "apply running\n{out}\n{err}");
    assert_eq!(
        rt.block_on(sdk.state()),
        original,
        "not back to the original state"
    );
}

#[test]
fn init_keeps_existing_files_and_refuses_bad_selectors() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = fresh(&moto);
    let (code, out, err) = p.run(&["init", "--prefix", "user-journey-analytics-"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let before = std::fs::read_to_string(p.path().join("profiles/parked.yaml")).unwrap();
    std::fs::write(p.path().join("profiles/parked.yaml"), "# edited\n").unwrap();

    let (code, _, err) = p.run(&["init", "--prefix", "user-journey-analytics-"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("already exist") && err.contains("--force"),
        "{err}"
    );
    let now = std::fs::read_to_string(p.path().join("profiles/parked.yaml")).unwrap();
    assert_eq!(now, "# edited\n", "a refused init changed a file");

    let (code, out, err) = p.run(&["init", "--prefix", "user-journey-analytics-", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("not written: --dry-run"), "{out}");
    let (code, _, err) = p.run(&["init", "--prefix", "user-journey-analytics-", "--force"]);
    assert_eq!(code, 0, "{err}");
    let again = std::fs::read_to_string(p.path().join("profiles/parked.yaml")).unwrap();
    let body = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&again), body(&before));

    let q = fresh(&moto);
    let (code, out, err) = q.run(&["init", "--tag", "Project=nobody"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("Nothing in account") && err.contains("wrote nothing"),
        "{err}"
    );
    assert!(!q.path().join("profiles/parked.yaml").exists());
    assert!(!q.path().join("parkctl.yaml").exists());

    for (args, want) in [
        (vec!["init"], "--tag"),
        (vec!["init", "--tag", "Project"], "KEY=VALUE"),
        (vec!["init", "--tag", "=x"], "KEY=VALUE"),
        (
            vec!["init", "--prefix", "x", "--services", "nosuch"],
            "no service `nosuch`",
        ),
    ] {
        let (code, _, err) = q.run(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
