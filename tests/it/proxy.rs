//! The test proxy itself: requests pass through it unchanged, and the
//! faults it injects are ones the SDK recognises and retries.

use crate::common::proxy::{Proxy, ProxyOpts};
use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};
use std::time::Duration;

#[test]
fn plan_through_the_proxy_matches_plan_direct() {
    let moto = Moto::start();
    let rt = rt();
    rt.block_on(async { Sdk::new(&moto.url()).await.sample().await });
    let proxy = Proxy::start(moto.port, ProxyOpts::default());

    let direct = Project::new(&moto.url());
    let (code, want, err) = direct.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{want}\n{err}");

    let via = Project::new(&proxy.url());
    let (code, got, err) = via.run(&["plan", "parked", "--stats"]);
    assert_eq!(code, 0, "{got}\n{err}");
    assert_eq!(got, want);
    assert!(
        proxy.requests() >= 5,
        "only {} requests reached the proxy",
        proxy.requests()
    );
    assert_eq!(proxy.faults(), 0);
    // Every call is one attempt: nothing was lost or retried on the way.
    let total = err
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .expect(&err);
    let n: Vec<u64> = total
        .split_whitespace()
        .skip(1)
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(n[0], n[1], "{err}");
    assert_eq!(n[1], proxy.requests(), "{err}");
}

#[test]
fn injected_faults_are_retried_by_the_sdk() {
    let moto = Moto::start();
    let rt = rt();
    rt.block_on(async { Sdk::new(&moto.url()).await.sample().await });
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(5),
            fault_rate: 0.3,
            seed: 7,
        },
    );
    let direct = Project::new(&moto.url());
    let (_, want, _) = direct.run(&["plan", "parked"]);

    let via = Project::new(&proxy.url());
    // 0.3^12: no call runs out of attempts.
    let (code, got, err) = via.run(&["plan", "parked", "--stats", "--retries", "12"]);
    assert_eq!(code, 0, "{got}\n{err}");
    assert_eq!(got, want);
    assert!(
        proxy.faults() > 0,
        "no fault in {} requests",
        proxy.requests()
    );
    let total = err
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .expect(&err);
    let n: Vec<u64> = total
        .split_whitespace()
        .skip(1)
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    eprintln!(
        "{} requests, {} faults\n{err}",
        proxy.requests(),
        proxy.faults()
    );
    assert!(n[1] > n[0], "faults were not retried:\n{err}");
    assert_eq!(n[1], proxy.requests(), "{err}");
}

/// Each fault, one at a time, as the SDK sees it with retries off: JSON and
/// query (XML) throttling, a 500, and a reset connection.
#[test]
fn faults_have_the_shapes_aws_uses() {
    use aws_config::retry::RetryConfig;
    use aws_config::BehaviorVersion;
    use aws_smithy_runtime_api::client::result::SdkError;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;

    let moto = Moto::start();
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            fault_rate: 1.0,
            ..Default::default()
        },
    );
    let rt = rt();
    rt.block_on(async {
        let conf = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(proxy.url())
            .region(aws_config::Region::new(crate::common::REGION))
            .credentials_provider(aws_sdk_kinesis::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .retry_config(RetryConfig::disabled())
            .load()
            .await;
        let lambda = aws_sdk_lambda::Client::new(&conf);
        let cloudwatch = aws_sdk_cloudwatch::Client::new(&conf);

        // Fault 0: throttling, JSON for a REST-JSON service.
        let e = lambda.list_functions().send().await.unwrap_err();
        assert_eq!(e.code(), Some("ThrottlingException"), "{e:?}");
        assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(400));
        // Fault 1: 500 InternalFailure.
        let e = lambda.list_functions().send().await.unwrap_err();
        assert_eq!(e.code(), Some("InternalFailure"), "{e:?}");
        assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(500));
        // Fault 2: connection reset, no response at all.
        let e = lambda.list_functions().send().await.unwrap_err();
        assert!(matches!(e, SdkError::DispatchFailure(_)), "{e:?}");
        // Fault 3: throttling again, XML for the query protocol.
        let e = cloudwatch.describe_alarms().send().await.unwrap_err();
        assert_eq!(e.code(), Some("Throttling"), "{e:?}");
        assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(400));
        let e = cloudwatch.describe_alarms().send().await.unwrap_err();
        assert_eq!(e.code(), Some("InternalFailure"), "{e:?}");
    });
    assert_eq!(proxy.requests(), 5);
    assert_eq!(proxy.faults(), 5);
}

/// A quota refuses what goes over it with the service's own throttling
/// error, and leaves the operations it does not cover alone.
#[test]
fn quotas_throttle_like_aws() {
    use crate::common::proxy::Quota;
    use aws_config::retry::RetryConfig;
    use aws_config::BehaviorVersion;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;

    let moto = Moto::start();
    let proxy = Proxy::start_with_quotas(
        moto.port,
        ProxyOpts::default(),
        vec![Quota {
            service: "lambda",
            operations: &["ListFunctions"],
            except: &[],
            per_second: 2.0,
        }],
    );
    let rt = rt();
    let (ok, throttled) = rt.block_on(async {
        let conf = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(proxy.url())
            .region(aws_config::Region::new(crate::common::REGION))
            .credentials_provider(aws_sdk_kinesis::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .retry_config(RetryConfig::disabled())
            .load()
            .await;
        let lambda = aws_sdk_lambda::Client::new(&conf);
        let (mut ok, mut throttled) = (0, 0);
        for _ in 0..8 {
            match lambda.list_functions().send().await {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert_eq!(e.code(), Some("TooManyRequestsException"), "{e:?}");
                    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(429));
                    throttled += 1;
                }
            }
        }
        // Not covered by the quota.
        for _ in 0..4 {
            lambda.list_event_source_mappings().send().await.unwrap();
        }
        (ok, throttled)
    });
    assert!(
        ok >= 2 && throttled >= 3,
        "{ok} passed, {throttled} throttled"
    );
    assert_eq!(proxy.throttled(), throttled);
    assert_eq!(proxy.requests(), 12);
}
