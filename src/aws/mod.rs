//! The imperative shell's shared AWS plumbing: one SDK configuration with
//! the SDK's own retry, the call log, pacing, and the loops every service's
//! adapter uses (bounded fan-out, paced pages). Each service builds its own
//! client from [`Shared`] in its module (`crate::services`).

pub mod billing;
pub mod calllog;
pub mod error;
pub mod metrics;
pub mod pace;
pub mod s3;
pub mod scaling;
pub mod sts;
pub mod tagging;
pub mod wait;

pub use calllog::CallStats;
pub use error::AwsError;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
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
    /// Requests per second per rate family, overriding the documented
    /// defaults (0 turns pacing off for that family).
    pub rates: BTreeMap<String, u32>,
    /// A role to assume from the resolved credentials (a target's).
    pub assume: Option<AssumeRole>,
    /// What the state's S3 mirror is reached with when it is not these
    /// settings: in a target's run, the caller's own, so that one bucket
    /// in the caller's account holds every target's prefix and no
    /// target's role needs access to it.
    pub state_from: Option<Box<StateFrom>>,
    /// Take the named profile's credentials even when the environment
    /// has others (which the SDK's chain would prefer): a target's
    /// `aws_profile` must be what its calls use.
    pub profile_credentials: bool,
}

/// The settings the state's S3 mirror is reached with, and the region
/// they fall back on (the config's `region:`, as a run without targets).
#[derive(Debug, Clone)]
pub struct StateFrom {
    pub settings: Settings,
    pub fallback_region: Option<String>,
}

/// A role assumed with the SDK's assume-role provider, which caches the
/// session and refreshes it before it expires (a long apply outlives one).
#[derive(Debug, Clone)]
pub struct AssumeRole {
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: String,
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
            rates: BTreeMap::new(),
            assume: None,
            state_from: None,
            profile_credentials: false,
        }
    }
}

/// What every service's client is built from: one SDK configuration, one
/// call log, one pacer per rate family, and the tagging API for services
/// that read many resources' tags at once.
pub struct Shared {
    pub conf: aws_types::SdkConfig,
    pub stats: CallStats,
    pub concurrency: usize,
    pub paces: BTreeMap<String, pace::Pace>,
    pub tagging: Arc<tagging::Tagging>,
    /// Path-style S3 addressing (an emulator, a VPC endpoint).
    pub path_style: bool,
}

impl Shared {
    /// The pacer of a rate family (off when the family is unknown).
    pub fn pace(&self, family: &str) -> pace::Pace {
        self.paces.get(family).cloned().unwrap_or_default()
    }

    /// The call-log interceptor every client carries.
    pub fn log(&self) -> calllog::CallLog {
        calllog::CallLog::new(self.stats.clone())
    }
}

/// Resolves credentials and region through the SDK's standard chain
/// (environment, shared config, SSO, instance roles), flags first.
pub async fn sdk_config(
    settings: &Settings,
    fallback_region: Option<&str>,
) -> Result<aws_types::SdkConfig, String> {
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
        if settings.profile_credentials {
            let creds = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name(p)
                .build();
            loader = loader.credentials_provider(creds);
        }
    }
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &settings.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let conf = loader.load().await;
    let conf = match (conf.region().is_some(), fallback_region) {
        (true, _) => conf,
        (false, Some(r)) => conf.into_builder().region(Region::new(r.to_string())).build(),
        (false, None) => return Err("no AWS region: pass --region, set AWS_REGION, or set `region` in parkctl.yaml or the profile's target".into()),
    };
    match &settings.assume {
        None => Ok(conf),
        Some(role) => Ok(assumed(conf, role).await),
    }
}

/// The configuration with the role's credentials: STS is called with the
/// resolved credentials, in the configuration's region and endpoint.
async fn assumed(conf: aws_types::SdkConfig, role: &AssumeRole) -> aws_types::SdkConfig {
    let mut b = aws_config::sts::AssumeRoleProvider::builder(&role.role_arn)
        .session_name(&role.session_name)
        .configure(&conf);
    if let Some(id) = &role.external_id {
        b = b.external_id(id);
    }
    let provider = b.build().await;
    conf.into_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build()
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
                "svc",
                "Describe",
                "thing s",
                "ResourceNotFoundException",
                "gone",
            )
        };
        let denied =
            || AwsError::other("svc", "Describe", "thing s", "AccessDeniedException", "no");
        assert_eq!(existing(vec![Ok(1), Err(nf()), Ok(3)]).unwrap(), vec![1, 3]);
        assert_eq!(
            existing(vec![Ok(1), Err(denied())]).unwrap_err().code,
            "AccessDeniedException"
        );
    }
}
