//! Kinesis planning rules: reshard steps, the call limit, on-demand
//! streams, recorded streams the planner must refuse.

use crate::planner::testkit::*;

/// A provisioned, active stream as a read returns it.
fn stream(name: &str, shards: u32, retention_hours: u32) -> Resource {
    super::stream(name)
        .with("shards", shards)
        .with("retention_hours", retention_hours)
        .with("mode", "provisioned")
        .with("status", "ACTIVE")
        .at(kinesis_arn(name))
}

/// Stream `s` alone.
fn one_stream(shards: u32, retention_hours: u32) -> Live {
    live_of([stream("s", shards, retention_hours)])
}

fn shards_profile(n: u32) -> crate::profile::Profile {
    profile(&format!(
        "version: 1\nkinesis:\n  - name: s\n    shards: {n}\n"
    ))
}

#[test]
fn eight_to_one_shards_is_three_steps() {
    let p = plan(&shards_profile(1), &one_stream(8, 168), &ctx());
    assert_clean(&p);
    assert_eq!(p.changes.len(), 1);
    let c = &p.changes[0];
    assert_eq!(
        (&c.from, &c.to, &c.steps),
        (&value(8), &value(1), &vec![value(4), value(2), value(1)])
    );
    assert_eq!(
        c.note.as_deref(),
        Some("3 UpdateShardCount calls, via 4, 2")
    );
    let up = plan(&shards_profile(8), &one_stream(1, 168), &ctx());
    let c = &up.changes[0];
    assert_eq!(
        (&c.from, &c.to, &c.steps),
        (&value(1), &value(8), &vec![value(2), value(4), value(8)])
    );
}

#[test]
fn a_jump_needing_more_than_ten_calls_is_an_error() {
    // 1 -> 1024 is exactly ten doublings: allowed.
    let ok = plan(&shards_profile(1024), &one_stream(1, 168), &ctx());
    assert_clean(&ok);
    assert_eq!(ok.changes.len(), 1);

    // 1 -> 2000 needs eleven calls.
    let p = plan(&shards_profile(2000), &one_stream(1, 168), &ctx());
    assert!(p.is_empty());
    let e = text(&p.errors);
    assert!(
        e.contains("1 -> 2000 shards needs 11 UpdateShardCount calls"),
        "{e}"
    );
    assert!(e.contains("allows 10 per stream per rolling 24 h"), "{e}");
    assert_eq!(p.errors[0].resource.as_deref(), Some("kinesis stream s"));

    let down = plan(&shards_profile(1), &one_stream(10_000, 168), &ctx());
    assert!(
        text(&down.errors).contains("needs 14 UpdateShardCount calls"),
        "{}",
        text(&down.errors)
    );
}

#[test]
fn on_demand_stream_with_a_shard_count_is_an_error() {
    let mut live = one_stream(4, 168);
    set(&mut live, "stream", "s", "mode", "on_demand");
    let p = plan(&shards_profile(1), &live, &ctx());
    assert!(p.is_empty());
    let e = text(&p.errors);
    assert!(e.contains("kinesis stream s is in on-demand mode"), "{e}");
    assert!(e.contains("kinesis[0] (line 3)"), "{e}");
}

#[test]
fn shard_changes_warn_about_the_daily_call_limit() {
    let p = plan(&shards_profile(2), &one_stream(4, 168), &ctx());
    assert_clean(&p);
    assert_eq!(p.warnings.len(), 1, "{}", text(&p.warnings));
    assert!(text(&p.warnings)
        .contains("AWS allows 10 UpdateShardCount calls per stream per rolling 24 h"));
}

#[test]
fn a_recorded_stream_with_zero_shards_is_refused_not_looped_on() {
    // A snapshot taken while a stream was being created can record 0 open
    // shards; restoring it must not plan (or loop on) a scale to zero.
    let recorded = one_stream(0, 24);
    let live = one_stream(2, 24);
    let p = diff(
        &desired_from_live(&recorded, "snapshot"),
        &live,
        &ctx(),
        "restore",
        "",
    );
    assert!(p.is_empty(), "{:#?}", lines(&p));
    assert!(text(&p.errors).contains("0 shards"), "{}", text(&p.errors));
    assert!(crate::services::kinesis::reshard::steps(1, 0).len() <= 1);
}
