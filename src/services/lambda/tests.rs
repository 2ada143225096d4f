//! Lambda planning rules: the account's unreserved floor, and the order of
//! reservation changes (shrinks first, so that grows find room).

use crate::planner::testkit::*;
use crate::services::kinesis;

/// A function as a read returns it; `None`: unreserved.
fn function(name: &str, reserved: Option<u32>) -> Resource {
    super::function(name)
        .with("reserved_concurrency", reserved)
        .at(format!(
            "arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
        ))
}

/// Functions `a` (unreserved), `b` (60) and `c` (10) in an account of
/// 1000 whose unreserved concurrency is `unreserved` (`None`: not read).
fn reserve_live(unreserved: Option<u32>) -> Live {
    let mut live = live_of([
        function("a", None),
        function("b", Some(60)),
        function("c", Some(10)),
    ]);
    let mut facts = crate::model::Attrs::new();
    if let Some(n) = unreserved {
        facts.insert("unreserved_concurrency".into(), value(n));
    }
    facts.insert("concurrency_limit".into(), value(1000));
    live.facts.insert(super::NAME.into(), facts);
    live
}

#[test]
fn reserving_below_the_unreserved_floor_is_an_error() {
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: a\n    reserved_concurrency: 100\n"),
        &reserve_live(Some(150)),
        &ctx(),
    );
    let e = text(&p.errors);
    assert_eq!(p.errors.len(), 1, "{e}");
    assert!(
        e.contains("reserves 100 more concurrency, leaving 50 unreserved"),
        "{e}"
    );
    assert!(e.contains("at least 100 unreserved (now 150)"), "{e}");

    // Exactly at the floor is allowed.
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: a\n    reserved_concurrency: 50\n"),
        &reserve_live(Some(150)),
        &ctx(),
    );
    assert_clean(&p);
}

#[test]
fn unknown_unreserved_concurrency_is_a_warning() {
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: a\n    reserved_concurrency: 100\n"),
        &reserve_live(None),
        &ctx(),
    );
    assert_clean(&p);
    let w = text(&p.warnings);
    assert!(
        w.contains("could not read the account's unreserved concurrency"),
        "{w}"
    );
    assert!(w.contains("reserves 100 more"), "{w}");
}

#[test]
fn lowering_reservations_checks_nothing() {
    for unreserved in [None, Some(0), Some(150)] {
        let p = plan(
            &profile("version: 1\nlambda:\n  - name: b\n    reserved_concurrency: 0\n  - name: c\n    reserved_concurrency: none\n"),
            &reserve_live(unreserved),
            &ctx(),
        );
        assert_clean(&p);
        assert!(p.warnings.is_empty(), "{}", text(&p.warnings));
        assert_eq!(p.changes.len(), 2);
    }
    // A net decrease with one increase inside it is fine too: the
    // decreases run first.
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: a\n    reserved_concurrency: 40\n  - name: b\n    reserved_concurrency: 0\n"),
        &reserve_live(Some(100)),
        &ctx(),
    );
    assert_clean(&p);
}

#[test]
fn capacity_puts_reservation_decreases_before_increases_then_shards() {
    let mut live = reserve_live(Some(900));
    live.resources.push(function("d", Some(5)));
    live.resources.push(
        kinesis::stream("s")
            .with("shards", 1)
            .with("retention_hours", 168)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(kinesis_arn("s")),
    );
    let p = plan(
        &profile(
            "version: 1
kinesis:
  - name: s
    shards: 2
lambda:
  - name: a
    reserved_concurrency: 30
  - name: b
    reserved_concurrency: 0
  - name: c
    reserved_concurrency: none
  - name: d
    reserved_concurrency: 50
",
        ),
        &live,
        &ctx(),
    );
    assert_clean(&p);
    assert_eq!(
        lines(&p),
        vec![
            "Capacity lambda function b: 60 -> 0",
            "Capacity lambda function c: 10 -> none",
            "Capacity lambda function a: none -> 30",
            "Capacity lambda function d: 5 -> 50",
            "Capacity kinesis stream s: 1 -> 2",
        ]
    );
}
