//! Profile parsing: what a valid profile becomes, and where each kind of
//! mistake is reported (`test.yaml:LINE:COL: message`).

use super::*;
use crate::model::Value;
use miette::Diagnostic;
use std::panic::{catch_unwind, AssertUnwindSafe};

const SAMPLE: &str = "\
# Nights and weekends.
version: 1
description: Nights and weekends — lowest cost, nothing lost.
target:
  region: us-east-1
  account: \"123456789012\"        # optional guard
kinesis:
  - name: user-journey-analytics-events
    shards: 1
lambda:
  - names: [user-journey-analytics-event-processor, user-journey-analytics-intervention-executor]
    reserved_concurrency: 0       # 0 throttles; `none` removes the limit
    event_sources: disabled
cloudwatch:
  alarms:
    - prefix: user-journey-analytics-
      actions: disabled
";

/// The rules of one section, as the typed sections of old read.
trait Sections {
    fn kinesis(&self) -> Vec<&Rule>;
    fn lambda(&self) -> Vec<&Rule>;
    fn alarms(&self) -> Vec<&Rule>;
}

impl Sections for Profile {
    fn kinesis(&self) -> Vec<&Rule> {
        self.rules_of("kinesis").collect()
    }
    fn lambda(&self) -> Vec<&Rule> {
        self.rules_of("lambda").collect()
    }
    fn alarms(&self) -> Vec<&Rule> {
        self.rules_of("cloudwatch").collect()
    }
}

fn parse(src: &str) -> Result<Profile, ProfileErrors> {
    Profile::parse("test.yaml", "parked", src)
}

fn messages(src: &str) -> Vec<String> {
    match parse(src) {
        Ok(p) => panic!("expected an error, got {p:#?}\n--- input:\n{src}"),
        Err(e) => e.errors.iter().map(|d| d.message.clone()).collect(),
    }
}

/// `test.yaml:L:C: text` split into its parts.
fn split(message: &str) -> (usize, usize, &str) {
    let rest = message
        .strip_prefix("test.yaml:")
        .unwrap_or_else(|| panic!("no file prefix: {message}"));
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|l| l.parse().ok());
    let col = parts.next().and_then(|c| c.parse().ok());
    match (line, col, parts.next()) {
        (Some(l), Some(c), Some(text)) => (l, c, text.trim_start()),
        _ => panic!("not `test.yaml:LINE:COL: message`: {message}"),
    }
}

/// Asserts that the first error is at `line:col` and contains `needle`.
#[track_caller]
fn assert_error(src: &str, line: usize, col: usize, needle: &str) {
    let all = messages(src);
    let (l, c, text) = split(&all[0]);
    assert!(
        text.contains(needle),
        "message {:?} lacks {needle:?}\n--- input:\n{src}",
        all[0]
    );
    assert_eq!(
        (l, c),
        (line, col),
        "wrong position for {:?}\n--- input:\n{src}",
        all[0]
    );
}

// ------------------------------------------------------------------ valid

#[test]
fn the_sample_profile_parses() {
    let p = parse(SAMPLE).unwrap();
    assert_eq!(p.name, "parked");
    assert_eq!(p.sha256, sha256_hex(SAMPLE.as_bytes()));
    assert_eq!(
        p.description.as_deref(),
        Some("Nights and weekends — lowest cost, nothing lost.")
    );
    assert_eq!(
        p.guard,
        Guard {
            region: Some("us-east-1".into()),
            account: Some("123456789012".into())
        }
    );
    assert_eq!(
        p.kinesis(),
        vec![&Rule {
            id: "kinesis[0] (line 8)".into(),
            service: "kinesis".into(),
            path: "kinesis[0]".into(),
            selector: Selector::named("user-journey-analytics-events"),
            attrs: [("shards".to_string(), Value::from(1))].into(),
        }]
    );
    assert_eq!(p.lambda().len(), 1);
    assert_eq!(p.lambda()[0].id, "lambda[0] (line 11)");
    assert_eq!(
        p.lambda()[0].selector.names,
        vec![
            "user-journey-analytics-event-processor",
            "user-journey-analytics-intervention-executor"
        ]
    );
    assert_eq!(
        p.lambda()[0].attrs,
        [
            ("reserved_concurrency".to_string(), Value::from(0)),
            ("event_sources".to_string(), Value::Bool(false))
        ]
        .into()
    );
    assert_eq!(p.alarms().len(), 1);
    assert_eq!(p.alarms()[0].id, "cloudwatch.alarms[0] (line 16)");
    assert_eq!(
        p.alarms()[0].selector.prefix.as_deref(),
        Some("user-journey-analytics-")
    );
    assert_eq!(p.alarms()[0].get("actions"), Some(&Value::Bool(false)));
    assert!(!p.is_empty());
}

#[test]
fn every_selector_form_and_value_parses() {
    let src = "\
---
version: 1
kinesis:
  - names:
      - a
      - b
    shards: 10000
  - prefix: \"proj-\"
    tags: {team: data, cost-center: \"42\"}
    shards: 3
lambda:
  - name: f
    reserved_concurrency: none
  - tags:
      park: \"yes\"
    reserved_concurrency: 100000
  - name: g
    event_sources: enabled
cloudwatch:
  alarms:
    - name: 'quoted alarm'
      actions: enabled
...
";
    let p = parse(src).unwrap();
    assert_eq!(p.guard, Guard::default());
    assert_eq!(p.kinesis()[0].selector.names, vec!["a", "b"]);
    assert_eq!(p.kinesis()[0].get("shards"), Some(&Value::from(10_000)));
    assert_eq!(p.kinesis()[1].selector.prefix.as_deref(), Some("proj-"));
    assert_eq!(
        p.kinesis()[1]
            .selector
            .tags
            .get("cost-center")
            .map(String::as_str),
        Some("42")
    );
    assert_eq!(
        p.kinesis()[1].selector.describe(),
        "prefix proj- and tags {cost-center=42, team=data}"
    );
    assert_eq!(
        p.lambda()[0].get("reserved_concurrency"),
        Some(&Value::Null)
    );
    assert_eq!(p.lambda()[0].get("event_sources"), None);
    assert_eq!(
        p.lambda()[1].selector.tags.get("park").map(String::as_str),
        Some("yes")
    );
    assert_eq!(
        p.lambda()[1].get("reserved_concurrency"),
        Some(&Value::from(100_000))
    );
    assert_eq!(p.lambda()[2].get("event_sources"), Some(&Value::Bool(true)));
    assert_eq!(p.alarms()[0].selector.names, vec!["quoted alarm"]);
    assert_eq!(p.kinesis()[1].id, "kinesis[1] (line 8)");
}

#[test]
fn a_profile_with_only_a_version_is_valid_and_empty() {
    let p = parse("version: 1\n").unwrap();
    assert!(p.is_empty());
    let p = parse("version: 1\nkinesis: []\nlambda: []\ncloudwatch: {alarms: []}\n").unwrap();
    assert!(p.is_empty());
}

#[test]
fn crlf_line_endings_and_a_bom_parse() {
    let crlf = SAMPLE.replace('\n', "\r\n");
    let p = parse(&crlf).unwrap();
    assert_eq!(p.lambda()[0].id, "lambda[0] (line 11)");
    let bom = format!("\u{feff}{SAMPLE}");
    assert_eq!(parse(&bom).unwrap().rules, parse(SAMPLE).unwrap().rules);
    // Positions stay right with CRLF.
    assert_error(
        "version: 1\r\nkinesis:\r\n  - name: s\r\n    shards: 0\r\n",
        4,
        13,
        "shards must be between 1 and 10000, not 0",
    );
}

#[test]
fn unicode_names_parse_and_positions_count_characters() {
    let p = parse("version: 1\nkinesis:\n  - name: flüsse-événements-流\n    shards: 1\n").unwrap();
    assert_eq!(p.kinesis()[0].selector.names, vec!["flüsse-événements-流"]);
    // Column counts characters, not bytes: `ü` and `é` are one column each.
    assert_error(
        "description: ü é\nversion: 1\nkinesis:\n  - name: é\n    shards: ü\n",
        5,
        13,
        "expected a whole number",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: é\n    shards: 1\n    bogus: é\n",
        5,
        5,
        "unknown key `bogus`",
    );
    assert_error(
        "version: 1\nkinesis: [{name: ééé, shards: 0}]\n",
        2,
        31,
        "shards must be between 1 and 10000",
    );
}

#[test]
fn the_same_named_rule_twice_with_the_same_value_is_fine() {
    parse("version: 1\nkinesis:\n  - name: s\n    shards: 1\n  - names: [s, t]\n    shards: 1\n")
        .unwrap();
}

// ------------------------------------------------------------------ errors

#[test]
fn unknown_keys_at_every_level() {
    assert_error("version: 1\nbogus: 1\n", 2, 1, "unknown key `bogus`");
    assert_error(
        "version: 1\ntarget:\n  region: us-east-1\n  acount: \"123456789012\"\n",
        4,
        3,
        "target: unknown key `acount`",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shardz: 1\n",
        4,
        5,
        "kinesis[0]: unknown key `shardz`",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved: 0\n",
        4,
        5,
        "lambda[0]: unknown key `reserved`",
    );
    assert_error(
        "version: 1\ncloudwatch:\n  alarm: []\n",
        3,
        3,
        "cloudwatch: unknown key `alarm`, expected `alarms`",
    );
    assert_error(
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: p-\n      action: disabled\n",
        5,
        7,
        "cloudwatch.alarms[0]: unknown key `action`",
    );
    // The help says where the keys are listed.
    let e = parse("version: 1\nbogus: 1\n").unwrap_err();
    let help = e.errors[0]
        .help()
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(help.contains("spelling"), "{help}");
}

#[test]
fn wrong_types() {
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: x\n",
        4,
        13,
        "invalid type: string \"x\", expected a whole number",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: \"2\"\n",
        4,
        13,
        "\"2\" is a quoted string: write the number without quotes",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: 1.5\n",
        4,
        13,
        "floating point `1.5`, expected a whole number",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: [a, b]\n    shards: 1\n",
        3,
        11,
        "kinesis[0].name: invalid type: sequence, expected a string",
    );
    assert_error(
        "version: 1\nkinesis:\n  name: s\n",
        3,
        3,
        "kinesis: invalid type: map, expected a list",
    );
    assert_error(
        "version: 1\nkinesis: ~\n",
        2,
        10,
        "invalid type: null (an empty value), expected a list",
    );
    assert_error(
        "version: 1\ntarget: us-east-1\n",
        2,
        9,
        "expected a mapping with `region` and/or `account`",
    );
    assert_error("version: 1\nkinesis:\n  - s\n", 3, 5, "expected a rule");
    assert_error("version: \"1\"\n", 1, 10, "write the number without quotes");
    assert_error(
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: p-\n      actions: true\n",
        5,
        16,
        "unknown value `true`, expected `enabled` or `disabled`",
    );
}

#[test]
fn account_ids() {
    assert_error(
        "version: 1\ntarget:\n  account: 123456789012\n",
        3,
        12,
        "account 123456789012 must be quoted (\"123456789012\")",
    );
    assert_error(
        "version: 1\ntarget:\n  account: 12345678901\n",
        3,
        12,
        "must be quoted (\"012345678901\")",
    );
    assert_error(
        "version: 1\ntarget:\n  account: \"12345678901\"\n",
        3,
        12,
        "`12345678901` is not a 12-digit AWS account ID",
    );
    assert_error(
        "version: 1\ntarget:\n  account: 1234567890123\n",
        3,
        12,
        "an AWS account ID has 12 digits",
    );
    assert_error(
        "version: 1\ntarget:\n  account: \"12345678901a\"\n",
        3,
        12,
        "not a 12-digit AWS account ID",
    );
    assert_error(
        "version: 1\ntarget:\n  account: -5\n",
        3,
        12,
        "account -5 is not an account ID",
    );
}

#[test]
fn regions() {
    assert_error(
        "version: 1\ntarget:\n  region: useast1\n",
        3,
        11,
        "`useast1` is not an AWS region name",
    );
    assert_error(
        "version: 1\ntarget:\n  region: US-EAST-1\n",
        3,
        11,
        "not an AWS region name",
    );
    for ok in [
        "us-east-1",
        "eu-central-2",
        "us-gov-west-1",
        "ap-southeast-5",
    ] {
        parse(&format!("version: 1\ntarget:\n  region: {ok}\n")).unwrap();
    }
}

#[test]
fn numbers_out_of_range() {
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: 0\n",
        4,
        13,
        "shards must be between 1 and 10000, not 0",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: -3\n",
        4,
        13,
        "not -3",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: 10001\n",
        4,
        13,
        "not 10001",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: 99999999999999999999999\n",
        4,
        13,
        "99999999999999999999999 is far too large",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: 18446744073709551615\n",
        4,
        13,
        "is far too large",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved_concurrency: -1\n",
        4,
        27,
        "between 0 and 100000 or `none`, not -1",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved_concurrency: 100001\n",
        4,
        27,
        "not 100001",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved_concurrency: unlimited\n",
        4,
        27,
        "write `none` to remove the reservation",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved_concurrency: lots\n",
        4,
        27,
        "expected a whole number (0 throttles) or `none`",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved_concurrency: 1e30\n",
        4,
        27,
        "far too large",
    );
}

#[test]
fn toggles_want_enabled_or_disabled() {
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    event_sources: off\n",
        4,
        20,
        "unknown value `off`, expected `enabled` or `disabled`",
    );
    assert_error(
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: a-\n      actions: yes\n",
        5,
        16,
        "unknown value `yes`",
    );
}

#[test]
fn selectors() {
    assert_error(
        "version: 1\nkinesis:\n  - shards: 1\n",
        3,
        5,
        "this rule selects nothing",
    );
    assert_error(
        "version: 1\nkinesis:\n  - names: []\n    shards: 1\n",
        3,
        12,
        "`names` is an empty list",
    );
    assert_error(
        "version: 1\nkinesis:\n  - names: [a, \"\"]\n    shards: 1\n",
        3,
        16,
        "a name in `names` is empty",
    );
    assert_error(
        "version: 1\nkinesis:\n  - names: [a, b, a]\n    shards: 1\n",
        3,
        19,
        "`a` is listed twice",
    );
    assert_error(
        "version: 1\nkinesis:\n  - prefix: \"\"\n    shards: 1\n",
        3,
        13,
        "`prefix` is empty",
    );
    assert_error(
        "version: 1\nkinesis:\n  - tags: {}\n    shards: 1\n",
        3,
        11,
        "`tags` is empty",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: \"\"\n    shards: 1\n",
        3,
        11,
        "`name` is empty",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: \"  \"\n    shards: 1\n",
        3,
        11,
        "`name` is empty",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    prefix: p\n    shards: 1\n",
        3,
        5,
        "a rule selects by one of `name`, `names` or `prefix`, not several",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    names: [t]\n    shards: 1\n",
        3,
        5,
        "not several",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: ~\n    shards: 1\n",
        3,
        5,
        "this rule selects nothing",
    );
}

#[test]
fn rules_that_change_nothing() {
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n",
        3,
        5,
        "this rule changes nothing: set `shards`",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n",
        3,
        5,
        "this rule changes nothing: set `reserved_concurrency` or `event_sources`",
    );
    assert_error(
        "version: 1\ncloudwatch:\n  alarms:\n    - name: a\n",
        4,
        7,
        "set `actions`",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: ~\n",
        3,
        5,
        "changes nothing",
    );
    assert_error(
        "version: 1\nlambda:\n  - name: f\n    reserved_concurrency: null\n",
        3,
        5,
        "changes nothing",
    );
}

#[test]
fn versions() {
    assert_error("kinesis: []\n", 1, 1, "`version` is missing");
    assert_error("# a comment\n\nkinesis: []\n", 3, 1, "`version` is missing");
    assert_error("version: 2\n", 1, 10, "unsupported profile version 2");
    assert_error("version: 0\n", 1, 10, "unsupported profile version 0");
    assert_error("version: ~\n", 1, 1, "`version` is empty");
    assert_error("version:\nkinesis: []\n", 1, 1, "`version` is empty");
}

#[test]
fn empty_and_non_mapping_documents() {
    assert_error("", 1, 1, "the profile is empty");
    assert_error("\n\n", 1, 1, "the profile is empty");
    assert_error("# only\n# comments\n", 1, 1, "the profile is empty");
    assert_error(
        "~\n",
        1,
        1,
        "invalid type: null (an empty value), expected a profile",
    );
    assert_error(
        "hello\n",
        1,
        1,
        "invalid type: string \"hello\", expected a profile",
    );
    assert_error(
        "- a\n- b\n",
        1,
        1,
        "invalid type: sequence, expected a profile",
    );
    assert_error("42\n", 1, 1, "expected a profile");
}

#[test]
fn conflicting_named_rules_name_both_rules() {
    let all =
        messages("version: 1\nkinesis:\n  - name: s\n    shards: 1\n  - name: s\n    shards: 2\n");
    assert_eq!(all.len(), 1, "{all:#?}");
    let (l, c, text) = split(&all[0]);
    assert_eq!((l, c), (5, 5));
    assert_eq!(
        text,
        "rules kinesis[0] (line 3) and kinesis[1] (line 5) both set `shards` of `s`, to different values (1 and 2)"
    );
    assert_error(
        "version: 1\nlambda:\n  - names: [f, g]\n    reserved_concurrency: 0\n  - name: g\n    reserved_concurrency: none\n",
        5,
        5,
        "rules lambda[0] (line 3) and lambda[1] (line 5) both set `reserved_concurrency` of `g`, to different values (0 and none)",
    );
    assert_error(
        "version: 1\ncloudwatch:\n  alarms:\n    - name: a\n      actions: enabled\n    - name: a\n      actions: disabled\n",
        6,
        7,
        "(enabled and disabled)",
    );
    // The diagnostic points at both rules.
    let e = parse("version: 1\nkinesis:\n  - name: s\n    shards: 1\n  - name: s\n    shards: 2\n")
        .unwrap_err();
    assert_eq!(e.errors[0].labels().map(|l| l.count()), Some(2));
}

#[test]
fn duplicate_keys() {
    assert_error("version: 1\nversion: 1\n", 2, 1, "duplicate key `version`");
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n    shards: 1\n    shards: 2\n",
        5,
        5,
        "duplicate key `shards`",
    );
    assert_error(
        "version: 1\ntarget: {region: us-east-1, region: eu-west-1}\n",
        2,
        29,
        "duplicate key `region`",
    );
}

#[test]
fn yaml_syntax_errors() {
    assert_error(
        "version: 1\nkinesis:\n  - name: s\n     shards: 1\n",
        4,
        12,
        "YAML syntax error: mapping values are not allowed",
    );
    assert_error(
        "version: 1\ndescription: \"open\n",
        2,
        14,
        "YAML syntax error: while scanning a quoted scalar",
    );
    assert_error(
        "version: 1\nkinesis:\n\t- name: s\n",
        3,
        2,
        "YAML syntax error: tabs disallowed",
    );
    assert_error(
        "version: 1\nkinesis: [ {name: s, shards: 1}\n",
        3,
        1,
        "YAML syntax error: while parsing a flow sequence",
    );
    assert_error(
        "version: 1\nkinesis:\n  - name: *nowhere\n    shards: 1\n",
        3,
        11,
        "YAML syntax error",
    );
}

#[test]
fn several_documents_are_refused_at_the_second() {
    assert_error(
        "version: 1\n---\nversion: 1\n",
        2,
        1,
        "exactly one YAML document",
    );
    assert_error("---\nversion: 1\n---\n", 3, 1, "exactly one YAML document");
}

#[test]
fn anchors_aliases_and_merge_keys() {
    // Plain aliases resolve (and conflicts through them are still found).
    assert_error(
        "version: 1\nkinesis:\n  - name: &n s\n    shards: 1\n  - name: *n\n    shards: 2\n",
        5,
        5,
        "rules kinesis[0] (line 3) and kinesis[1] (line 5)",
    );
    let p = parse(
        "version: 1\nkinesis:\n  - name: &n s\n    shards: 1\n  - names: [*n, t]\n    shards: 1\n",
    )
    .unwrap();
    assert_eq!(p.kinesis()[1].selector.names, vec!["s", "t"]);
    // Merge keys are not a profile feature.
    assert_error(
        "version: 1\nkinesis:\n  - &r {name: a, shards: 1}\n  - <<: *r\n    name: b\n",
        4,
        5,
        "merge keys (`<<`) are not supported",
    );
    // A key that is itself a collection.
    assert_error("version: 1\n? [a]\n: 1\n", 2, 3, "expected a key name");
}

#[test]
fn semantic_errors_are_reported_together() {
    let all = messages(
        "version: 3\ntarget:\n  region: nowhere\nkinesis:\n  - name: s\n    shards: 0\nlambda:\n  - prefix: \"\"\n    reserved_concurrency: -2\n",
    );
    let positions: Vec<(usize, usize)> = all
        .iter()
        .map(|m| {
            let (l, c, _) = split(m);
            (l, c)
        })
        .collect();
    assert_eq!(
        positions,
        vec![(1, 10), (3, 11), (6, 13), (8, 13), (9, 27)],
        "{all:#?}"
    );
}

#[test]
fn every_message_names_the_file_line_and_column() {
    for src in [
        "",
        "x",
        "version: 1\nbogus: 1\n",
        "version: 1\nkinesis:\n  - shards: 1\n",
        "[",
        "{a: 1, a: 2}",
    ] {
        let found = messages(src);
        assert!(!found.is_empty(), "no message for {src:?}");
        for m in found {
            split(&m);
        }
    }
}

// ------------------------------------------------------- hostile input

fn deep(open: &str, close: &str, depth: usize) -> String {
    format!(
        "version: 1\nkinesis: {}1{}\n",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let cases = [
        deep("[", "]", 10_000),
        deep("{a: ", "}", 10_000),
        deep("[", "]", 40),
        // Block nesting: yaml-rust2's `load` would recurse once per level.
        {
            let mut s = String::from("version: 1\nkinesis:\n");
            for i in 0..1_400 {
                s.push_str(&" ".repeat(i + 1));
                s.push_str("a:\n");
            }
            s
        },
        {
            let mut s = String::from("version: 1\nkinesis:\n");
            for i in 0..3_000 {
                s.push_str(&" ".repeat(i % 64));
                s.push_str("- \n");
            }
            s
        },
    ];
    for src in &cases {
        // A small stack makes an overflow show here rather than only on the
        // main thread's 8 MiB.
        let src = src.clone();
        let started = std::time::Instant::now();
        let all = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || messages(&src))
            .unwrap()
            .join()
            .expect("parsing deep input panicked or overflowed");
        assert!(started.elapsed().as_secs() < 10);
        let (_, _, text) = split(&all[0]);
        assert!(
            text.contains("nested")
                || text.contains("YAML syntax error")
                || text.contains("invalid type"),
            "{text}"
        );
    }
    // Nesting within the cap is still an ordinary type error.
    let all = messages(&deep("[", "]", 20));
    assert!(split(&all[0]).2.contains("expected a rule"), "{all:?}");
    let all = messages(&deep("[", "]", 40));
    assert!(
        split(&all[0]).2.contains("nested more than 32 levels deep"),
        "{all:?}"
    );
}

#[test]
fn alias_bombs_fail_fast() {
    let mut laughs =
        String::from("version: 1\nkinesis:\n  - name: s\n    shards: 1\n    tags: &a0 {k: v}\n");
    laughs.push_str("lambda: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut bombs = vec![];
    let mut top = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        top.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    bombs.push(format!("{top}version: 1\n"));
    bombs.push(format!(
        "version: 1\ndescription: &d [{}]\n",
        "x, ".repeat(9)
    ));
    // Inside a field serde reads.
    let mut inner = String::from(
        "version: 1\nkinesis:\n  - names: &a0 [x, x, x, x, x, x, x, x, x]\n    shards: 1\n",
    );
    for i in 1..12 {
        inner.push_str(&format!(
            "  - names: &a{i} [{}]\n    shards: 1\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    bombs.push(inner);
    for src in bombs {
        let started = std::time::Instant::now();
        let all = messages(&src);
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
        split(&all[0]);
    }
}

#[test]
fn a_long_list_aliased_from_many_rules_is_refused_before_expansion() {
    // serde_yaml caps alias jumps, not what each replays: 2,000 rules each
    // aliasing a 10,000-name list made it build 20 million names (minutes,
    // and memory in proportion). The span walk now bounds the expansion.
    let mut src = String::from("version: 1\nkinesis:\n  - names: &b [");
    for i in 0..10_000 {
        src.push_str(&format!("n{i}, "));
    }
    src.push_str("]\n    shards: 1\n");
    for _ in 0..2_000 {
        src.push_str("  - {names: *b, shards: 1}\n");
    }
    let started = std::time::Instant::now();
    let all = messages(&src);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    let (line, col, text) = split(&all[0]);
    assert!(
        text.contains("YAML aliases expand this document by more than 100000 values"),
        "{text}"
    );
    // The tenth alias passes 100,000 names.
    assert_eq!((line, col), (14, 13));

    // Sharing a list between a few rules is fine.
    let shared = "version: 1\nkinesis:\n  - names: &b [a, b, c]\n    shards: 1\nlambda:\n  - names: *b\n    event_sources: disabled\n";
    let p = parse(shared).unwrap();
    assert_eq!(p.lambda()[0].selector.names, vec!["a", "b", "c"]);
}

#[test]
fn a_rule_with_two_hundred_thousand_names_checks_in_linear_time() {
    let mut src = String::from("version: 1\nkinesis:\n  - shards: 1\n    names: [");
    for i in 0..200_000 {
        src.push_str(&format!("s{i},"));
    }
    src.push_str("s7]\n");
    // Loose bound: the quadratic version took minutes at this size.
    let started = std::time::Instant::now();
    let all = messages(&src);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].contains("`s7` is listed twice"), "{all:?}");
}

/// Bounds are loose (debug builds, a busy machine); they are there to catch
/// quadratic work, which at these sizes takes minutes.
#[test]
fn many_keys_and_many_rules_stay_fast() {
    let mut keys = String::from("version: 1\ntarget:\n");
    for i in 0..100_000 {
        keys.push_str(&format!("  k{i}: 1\n"));
    }
    let started = std::time::Instant::now();
    assert_eq!(split(&messages(&keys)[0]).0, 3);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());

    // 40,000 rules: the rule ids' line numbers used to be found by scanning
    // the text from the start for each rule (11 s for 20,000 here).
    let mut rules = String::from("version: 1\nkinesis:\n");
    for i in 0..40_000 {
        rules.push_str(&format!("  - name: s{i}\n    shards: 1\n"));
    }
    let started = std::time::Instant::now();
    let p = parse(&rules).unwrap();
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert_eq!(p.kinesis().len(), 40_000);
    assert_eq!(p.kinesis()[39_999].id, "kinesis[39999] (line 80001)");
    let mut conflicts = rules.clone();
    conflicts.push_str("  - name: s5\n    shards: 2\n");
    assert!(
        messages(&conflicts)[0].contains("kinesis[5] (line 13) and kinesis[40000] (line 80003)")
    );
}

#[test]
fn very_long_strings() {
    let long = "x".repeat(200_000);
    let p = parse(&format!(
        "version: 1\nkinesis:\n  - name: {long}\n    shards: 1\n"
    ))
    .unwrap();
    assert_eq!(p.kinesis()[0].selector.names[0].len(), 200_000);
    assert_error(
        &format!("version: 1\ndescription: {long}\nbogus: 1\n"),
        3,
        1,
        "unknown key `bogus`",
    );
    // YAML caps implicit keys at 1024 characters.
    assert_error(
        &format!("version: 1\n{long}: 1\n"),
        2,
        200_001,
        "expected `:` after this key",
    );
}

/// No input panics, every error carries a position inside the text, and
/// miette can render every diagnostic.
#[test]
fn mutated_profiles_never_panic() {
    let specials = [
        ":", "-", "[", "]", "{", "}", "\"", "'", "\t", "&", "*", "!", "#", "\n", "?", "|", ">",
        "%", "@", "`", ",", " ", "é", "\u{feff}", "\r", "\0", "<<: ", "0", "~",
    ];
    let mut inputs: Vec<String> = Vec::new();
    let chars: Vec<(usize, char)> = SAMPLE.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        inputs.push(SAMPLE[..i].to_string());
        let after = &SAMPLE[i + c.len_utf8()..];
        inputs.push(format!("{}{after}", &SAMPLE[..i]));
        // Each position gets a rotating third of the specials: every special
        // still lands in every region of the file, at a third of the cost.
        for s in specials.iter().skip(k % 3).step_by(3) {
            inputs.push(format!("{}{s}{after}", &SAMPLE[..i]));
        }
    }
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    for (n, src) in inputs.iter().enumerate() {
        let result = catch_unwind(AssertUnwindSafe(|| parse(src)));
        let Ok(result) = result else {
            panic!("parse panicked on:\n{src:?}");
        };
        let Err(e) = result else { continue };
        assert!(!e.errors.is_empty());
        let lines = src.split('\n').count();
        for d in &e.errors {
            let (line, col, _) = split(&d.message);
            assert!(
                line >= 1 && line <= lines && col >= 1,
                "{} for {src:?}",
                d.message
            );
        }
        // Rendering is slower than parsing: render a sample of them.
        if n % 7 == 0 {
            let mut out = String::new();
            let rendered = catch_unwind(AssertUnwindSafe(|| handler.render_report(&mut out, &e)));
            assert!(
                matches!(rendered, Ok(Ok(()))),
                "rendering failed for {src:?}"
            );
        }
    }
}
