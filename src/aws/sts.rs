//! Who we are: the account guard and the audit trail need the caller.

use super::AwsError;

#[derive(Debug, Clone)]
pub struct Caller {
    pub account: String,
    pub arn: String,
}

pub struct Sts {
    client: aws_sdk_sts::Client,
}

impl Sts {
    pub fn new(shared: &super::Shared) -> Self {
        let conf = aws_sdk_sts::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Sts {
            client: aws_sdk_sts::Client::from_conf(conf),
        }
    }

    pub async fn caller(&self) -> Result<Caller, AwsError> {
        let out = self
            .client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("sts", "GetCallerIdentity", "the caller", e))?;
        Ok(Caller {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
        })
    }
}
