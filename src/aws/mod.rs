//! The imperative shell's AWS side: one adapter per service (read live
//! state into the model, execute that service's changes), built from one
//! SDK configuration with the SDK's own retry, paginators and waiters.

pub mod calllog;
pub mod cloudwatch;
pub mod error;
pub mod kinesis;
pub mod lambda;
pub mod pace;
pub mod s3;
pub mod sts;
pub mod tagging;

pub use calllog::CallStats;
pub use error::AwsError;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Total attempts per call, the first one included.
    pub max_attempts: u32,
    pub adaptive_retry: bool,
    /// Requests in flight at once, per service.
    pub concurrency: usize,
    /// Requests per second per service (client-side pacing).
    pub rates: pace::Rates,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: None,
            profile: None,
            endpoint_url: None,
            max_attempts: 5,
            adaptive_retry: false,
            concurrency: 16,
            rates: pace::Rates::default(),
        }
    }
}

pub struct Aws {
    pub region: String,
    pub kinesis: kinesis::Kinesis,
    pub lambda: lambda::Lambda,
    pub cloudwatch: cloudwatch::CloudWatch,
    pub sts: sts::Sts,
    pub tagging: tagging::Tagging,
    pub s3: aws_sdk_s3::Client,
    pub stats: CallStats,
    pub concurrency: usize,
}

impl Aws {
    /// Resolves credentials and region through the SDK's standard chain
    /// (environment, shared config, SSO, instance roles), flags first.
    pub async fn connect(
        settings: &Settings,
        fallback_region: Option<&str>,
    ) -> Result<Aws, String> {
        let retry = if settings.adaptive_retry {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        }
        .with_max_attempts(settings.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(100));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(p) = &settings.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &settings.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(u) = &settings.endpoint_url {
            loader = loader.endpoint_url(u);
        }
        let mut conf = loader.load().await;
        if conf.region().is_none() {
            match fallback_region {
                Some(r) => conf = conf.into_builder().region(Region::new(r.to_string())).build(),
                None => {
                    return Err("no AWS region: pass --region, set AWS_REGION, or set `region` in parkctl.yaml or the profile's target".into())
                }
            }
        }
        let region = conf.region().map(|r| r.to_string()).unwrap_or_default();
        let stats = CallStats::new();
        let log = || calllog::CallLog::new(stats.clone());
        let n = settings.concurrency.max(1);
        Ok(Aws {
            kinesis: kinesis::Kinesis::new(
                aws_sdk_kinesis::config::Builder::from(&conf)
                    .interceptor(log())
                    .build(),
                n,
                pace::Pace::per_second(settings.rates.kinesis),
            ),
            lambda: lambda::Lambda::new(
                aws_sdk_lambda::config::Builder::from(&conf)
                    .interceptor(log())
                    .build(),
                n,
                pace::Pace::per_second(settings.rates.lambda),
            ),
            cloudwatch: cloudwatch::CloudWatch::new(
                aws_sdk_cloudwatch::config::Builder::from(&conf)
                    .interceptor(log())
                    .build(),
                n,
                pace::Pace::per_second(settings.rates.cloudwatch),
            ),
            tagging: tagging::Tagging::new(
                aws_sdk_resourcegroupstagging::config::Builder::from(&conf)
                    .interceptor(log())
                    .build(),
                pace::Pace::per_second(settings.rates.tagging),
            ),
            sts: sts::Sts::new(
                aws_sdk_sts::config::Builder::from(&conf)
                    .interceptor(log())
                    .build(),
            ),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&conf)
                    .interceptor(log())
                    .force_path_style(
                        settings.endpoint_url.is_some()
                            || std::env::var_os("AWS_ENDPOINT_URL").is_some(),
                    )
                    .build(),
            ),
            region,
            stats,
            concurrency: n,
        })
    }
}

/// Runs `f` over `items` with at most `n` in flight: the one place reads
/// and writes fan out, so the bound cannot be forgotten.
pub async fn bounded<I, T, F, Fut>(items: I, n: usize, f: F) -> Vec<T>
where
    I: IntoIterator,
    F: Fn(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    stream::iter(items)
        .map(f)
        .buffered(n.max(1))
        .collect()
        .await
}

/// Every page of a paginated call, each one paced: the one loop over the
/// SDK's paginators, so that no list call can skip the pacing. Errors name
/// the service, the call and what was being listed.
pub async fn each_page<T, E>(
    pace: &pace::Pace,
    mut pages: aws_smithy_async::future::pagination_stream::PaginationStream<
        Result<
            T,
            aws_smithy_runtime_api::client::result::SdkError<
                E,
                aws_smithy_runtime_api::client::orchestrator::HttpResponse,
            >,
        >,
    >,
    (service, operation, what): (&str, &str, &str),
    mut each: impl FnMut(T),
) -> Result<(), AwsError>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    loop {
        pace.wait().await;
        match pages.next().await {
            None => return Ok(()),
            Some(page) => each(page.map_err(|e| AwsError::from_sdk(service, operation, what, e))?),
        }
    }
}

/// Per-resource reads where "not found" means the resource is gone (it
/// vanished since listing, or a named one never existed): those are left
/// out; any other error fails the whole read.
pub fn existing<T>(results: Vec<Result<T, AwsError>>) -> Result<Vec<T>, AwsError> {
    let mut out = Vec::new();
    for r in results {
        match r {
            Ok(v) => out.push(v),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{existing, AwsError};

    #[test]
    fn not_found_is_absence_other_errors_fail() {
        let nf = || {
            AwsError::other(
                "kinesis",
                "DescribeStreamSummary",
                "stream s",
                "ResourceNotFoundException",
                "gone",
            )
        };
        let denied = || {
            AwsError::other(
                "kinesis",
                "DescribeStreamSummary",
                "stream s",
                "AccessDeniedException",
                "no",
            )
        };
        assert_eq!(existing(vec![Ok(1), Err(nf()), Ok(3)]).unwrap(), vec![1, 3]);
        assert_eq!(
            existing(vec![Ok(1), Err(denied())]).unwrap_err().code,
            "AccessDeniedException"
        );
    }
}
