//! AWS failures as an operator needs them at 2 a.m.: which resource, which
//! call, the error code, and what to do next. Never a Debug dump.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsError {
    pub service: String,
    pub operation: String,
    pub resource: String,
    pub code: String,
    pub message: String,
}

impl AwsError {
    pub fn from_sdk<E>(
        service: &str,
        operation: &str,
        resource: &str,
        e: SdkError<E, HttpResponse>,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let raw = match &e {
            SdkError::ResponseError(r) => Some(r.raw()),
            SdkError::ServiceError(se) if se.err().code().is_none() => Some(se.raw()),
            _ => None,
        };
        if let Some(message) = raw.and_then(not_aws) {
            return AwsError::other(service, operation, resource, NOT_AWS, message);
        }
        let (code, message) = match &e {
            SdkError::ServiceError(se) => (
                se.err().code().unwrap_or("ServiceError").to_string(),
                se.err()
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| causes(se.err())),
            ),
            SdkError::TimeoutError(_) => ("Timeout".into(), "the request timed out".into()),
            SdkError::DispatchFailure(_) => ("DispatchFailure".into(), causes(&e)),
            SdkError::ResponseError(_) => ("ResponseError".into(), causes(&e)),
            _ => ("ClientError".into(), causes(&e)),
        };
        AwsError {
            service: service.into(),
            operation: operation.into(),
            resource: resource.into(),
            code,
            message,
        }
    }

    pub fn other(
        service: &str,
        operation: &str,
        resource: &str,
        code: &str,
        message: impl Into<String>,
    ) -> AwsError {
        AwsError {
            service: service.into(),
            operation: operation.into(),
            resource: resource.into(),
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.code.contains("NotFound")
    }

    /// What the operator should do about it.
    pub fn hint(&self) -> String {
        let c = self.code.as_str();
        if c.contains("AccessDenied") || c.contains("Unauthorized") || c == "AuthorizationError" {
            format!(
                "grant the caller `{}:{}` (`parkctl iam-policy` prints the policy parkctl needs)",
                self.service, self.operation
            )
        } else if c.contains("NotFound") {
            "the resource was deleted or renamed since it was read; run `parkctl plan` again".into()
        } else if c.contains("Throttl")
            || c == "TooManyRequestsException"
            || c == "LimitExceededException"
        {
            "AWS kept throttling beyond the retry budget; re-run (the apply converges), or raise --retries / lower --concurrency".into()
        } else if c == NOT_AWS {
            "the endpoint is not answering as AWS: check --endpoint-url / AWS_ENDPOINT_URL and any proxy between parkctl and AWS (HTTPS_PROXY)".into()
        } else if c == "DispatchFailure" || c == "Timeout" {
            "could not reach AWS: check the network, the region and --endpoint-url".into()
        } else if c.contains("Token")
            || c.contains("Credential")
            || c == "InvalidClientTokenId"
            || self.message.contains("credentials")
        {
            "check the credentials: AWS_PROFILE, `aws sso login`, or the instance role".into()
        } else if c == "ResourceInUseException" || c == "ResourceConflictException" {
            "the resource is busy with another change; wait a minute and re-run".into()
        } else {
            "re-run to retry; the apply converges from wherever it stopped".into()
        }
    }
}

/// The code of an answer that did not come from AWS (a proxy's HTML page).
pub const NOT_AWS: &str = "NotAnAwsResponse";

/// What an answer that no AWS protocol can read was: its HTTP status,
/// content type and first bytes. `None` for answers that look like AWS's
/// (JSON, XML, CBOR), whose errors the SDK reports itself.
fn not_aws(raw: &HttpResponse) -> Option<String> {
    let body = raw.body().bytes().unwrap_or_default();
    let head = String::from_utf8_lossy(&body[..body.len().min(120)]);
    let start = head.trim_start().to_ascii_lowercase();
    let kind = raw
        .headers()
        .get("content-type")
        .unwrap_or("no content type")
        .to_string();
    let aws_like = start.starts_with('{')
        || (start.starts_with("<?xml") && !start.contains("<html"))
        || start.starts_with("<error")
        || kind.contains("cbor");
    if aws_like || (start.is_empty() && raw.status().is_success()) {
        return None;
    }
    Some(format!(
        "the endpoint answered HTTP {} ({kind}), not an AWS response: {}",
        raw.status().as_u16(),
        one_line(&head)
    ))
}

/// An error and its causes, `a: b: c`, on one line. Unlike the SDK's
/// `DisplayErrorContext`, no Debug dump of the error is appended.
pub fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = c.source();
    }
    one_line(&parts.join(": "))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} {} failed for {}: {}: {}",
            self.service, self.operation, self.resource, self.code, self.message
        )
    }
}

impl std::error::Error for AwsError {}
