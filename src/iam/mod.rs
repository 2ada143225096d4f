//! Least-privilege IAM policy for a set of profiles: the read actions
//! parkctl needs, plus exactly the write actions those profiles' changes
//! can use, scoped to resource ARNs wherever the API supports it. Each
//! service names its own actions (`Service::iam`).

pub mod statements;

use crate::profile::{Profile, Rule};
use crate::services::SERVICES;
use serde_json::{json, Value};
use statements::{any, Scope, Statements};

/// The policy for every command (plan, apply, status, capture) run with
/// `profiles`.
pub fn policy(
    profiles: &[&Profile],
    region: Option<&str>,
    account: Option<&str>,
    with_s3: Option<(&str, &str)>,
) -> Value {
    let mut st = Statements::default();
    st.add(&["sts:GetCallerIdentity"], &any());
    // `parkctl billing` (Cost Explorer takes no resource-level scoping).
    st.add(&[crate::aws::billing::IAM_READ], &any());
    for p in profiles {
        let scope = Scope {
            region: region.or(p.guard.region.as_deref()).unwrap_or("*").into(),
            account: account.or(p.guard.account.as_deref()).unwrap_or("*").into(),
        };
        for s in SERVICES {
            let rules: Vec<&Rule> = p.rules_of(s.name()).collect();
            if rules.is_empty() {
                continue;
            }
            s.iam(&rules, &scope, &mut st);
            // `status` reads every managed resource's idle metric.
            st.add(&[crate::aws::metrics::IAM_READ], &any());
        }
    }
    let mut statements = st.into_json();
    if let Some((bucket, prefix)) = with_s3 {
        statements.push(json!({
            "Sid": "ParkctlStateMirror",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            "Resource": [format!("arn:aws:s3:::{bucket}/{prefix}*")],
        }));
        // The mirror's operation records are listed for AWS's per-day
        // limits (a runner without local state counts them there).
        statements.push(json!({
            "Sid": "ParkctlStateMirrorList",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [format!("arn:aws:s3:::{bucket}")],
            "Condition": {"StringLike": {"s3:prefix": [format!("{prefix}*")]}},
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests;
