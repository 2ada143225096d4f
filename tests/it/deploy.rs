//! The files under deploy/ parse as what they claim to be: the workflow
//! and the example config as YAML (the schedule checked against the
//! shipped profiles), the scheduler template as JSON, the systemd units by
//! their sections, the cron line by its fields, the Dockerfile by its
//! stages.

use std::path::{Path, PathBuf};

fn deploy(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(deploy(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Section names of an INI-style unit file, in order.
fn sections(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l[1..l.len() - 1].to_string())
        .collect()
}

#[test]
fn cron_line_has_five_fields_and_a_command() {
    let text = read("cron/parkctl.cron");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let fields: Vec<&str> = lines[0].split_whitespace().collect();
    // /etc/cron.d lines: 5 time fields, a user, the command.
    assert!(fields.len() > 6, "{fields:?}");
    assert_eq!(fields[0], "*/10");
    assert!(fields[..5]
        .iter()
        .all(|f| f.chars().all(|c| c.is_ascii_digit() || "*/,-".contains(c))));
    assert!(
        lines[0].contains("parkctl apply --scheduled --yes"),
        "{}",
        lines[0]
    );
}

#[test]
fn systemd_units_have_their_sections() {
    let service = read("systemd/parkctl-schedule.service");
    assert_eq!(sections(&service), ["Unit", "Service"]);
    assert!(service.contains("ExecStart=/usr/local/bin/parkctl apply --scheduled --yes"));
    assert!(service.contains("Type=oneshot"));
    let timer = read("systemd/parkctl-schedule.timer");
    assert_eq!(sections(&timer), ["Unit", "Timer", "Install"]);
    assert!(timer.contains("OnCalendar="));
}

#[test]
fn github_workflow_runs_on_a_schedule_with_oidc() {
    let v: serde_yaml::Value = serde_yaml::from_str(&read("github/parkctl-schedule.yml")).unwrap();
    let cron = v["on"]["schedule"][0]["cron"].as_str().unwrap();
    assert_eq!(cron.split_whitespace().count(), 5, "{cron}");
    assert_eq!(v["permissions"]["id-token"].as_str(), Some("write"));
    let steps = v["jobs"]["apply"]["steps"].as_sequence().unwrap();
    let creds = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials"))
        })
        .expect("a role assumption step");
    assert!(creds["with"]["role-to-assume"].as_str().is_some());
    let run: String = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        run.contains("--scheduled") && run.contains("--state-s3"),
        "{run}"
    );
}

#[test]
fn eventbridge_scheduler_runs_a_fargate_task_with_the_s3_mirror() {
    let v: serde_json::Value =
        serde_json::from_str(&read("aws/eventbridge-scheduler.json")).unwrap();
    let r = &v["Resources"];
    assert_eq!(r["Schedule"]["Type"], "AWS::Scheduler::Schedule");
    let ecs = &r["Schedule"]["Properties"]["Target"]["EcsParameters"];
    assert_eq!(ecs["LaunchType"], "FARGATE");
    assert_eq!(
        r["Task"]["Properties"]["RequiresCompatibilities"][0],
        "FARGATE"
    );
    let command = &r["Task"]["Properties"]["ContainerDefinitions"][0]["Command"];
    assert_eq!(command[0], "--state-s3");
    assert!(command
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "--scheduled"));
}

#[test]
fn dockerfile_builds_in_one_stage_and_ships_a_slim_one() {
    let text = read("docker/Dockerfile");
    let from: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(from.len(), 2, "{from:?}");
    assert!(from[1].contains("distroless"), "{from:?}");
    assert!(text.contains("cargo build --release --locked"));
    assert!(text.lines().any(|l| l.starts_with("ENTRYPOINT [")));
}

#[test]
fn example_config_has_a_schedule_that_checks_against_the_profiles() {
    let path = deploy("parkctl.example.yaml");
    let file = parkctl::config::load_file(&path).unwrap();
    assert!(
        file.state_s3.is_some(),
        "a cloud runner's config uses the mirror"
    );
    let raw = file.schedule.clone().expect("a schedule");
    let known = vec!["parked".to_string(), "running".to_string()];
    let s = parkctl::schedule::parse::build("parkctl.example.yaml", &file.text, &raw, &known)
        .unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)));
    assert_eq!(s.timezone.name(), "Europe/Berlin");
    for p in s.profiles() {
        assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles")
            .join(format!("{p}.yaml"))
            .exists());
    }
}
