//! The core loop end to end: plan, apply, verify, against moto.

mod common;
use common::seed::{Sdk, ALARMS, FUNCTIONS, STREAM};
use common::{rt, Moto, Project};

#[test]
fn parked_round_trip_restores_exactly() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let original = rt.block_on(sdk.state());
    let p = Project::new(&moto.url());

    let (code, out, err) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
    // Order: alarms off, event sources off, capacity.
    let a = out.find("1. disable alarm actions").expect(&out);
    let b = out.find("2. disable event sources").expect(&out);
    let c = out.find("3. change capacity").expect(&out);
    assert!(a < b && b < c, "{out}");
    assert!(out.contains("kinesis stream user-journey-analytics-events  shards: 2 -> 1") || out.contains("shards: 2 -> 1"), "{out}");
    assert!(out.contains("reserved_concurrency: none -> 0"), "{out}");
    assert!(out.contains("Plan: 14 to change (kinesis 1, lambda 4, cloudwatch 9)."), "{out}");
    assert!(!out.contains("billing"), "resources outside the profile appear in the plan:\n{out}");

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);
    for f in FUNCTIONS {
        assert_eq!(rt.block_on(sdk.reserved(f)), Some(0));
        assert_eq!(rt.block_on(sdk.mappings(f)), vec![false]);
    }
    let alarms = rt.block_on(sdk.alarm_actions());
    for a in ALARMS {
        assert!(!alarms[a], "{a} still enabled");
    }
    assert!(alarms["billing-errors"], "an alarm outside the profile was touched");

    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No changes."), "{out}");

    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
}
