//! Least-privilege IAM policy for a set of profiles: the read actions
//! parkctl needs, plus exactly the write actions those profiles' changes
//! can use, scoped to resource ARNs wherever the API supports it.

use crate::profile::{Profile, Reserved, Selector, Toggle};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// ARN patterns for what a selector can match: exact names, a prefix
/// wildcard, or every resource of the kind for tag selectors (tags are not
/// part of the ARN).
fn arns(sel: &Selector, base: &str) -> Vec<String> {
    if !sel.names.is_empty() {
        sel.names.iter().map(|n| format!("{base}{n}")).collect()
    } else if let Some(p) = &sel.prefix {
        vec![format!("{base}{p}*")]
    } else {
        vec![format!("{base}*")]
    }
}

#[derive(Default)]
struct Statements(BTreeMap<BTreeSet<String>, BTreeSet<String>>);

impl Statements {
    /// Groups actions by identical resource sets, for a short policy.
    fn add(&mut self, actions: &[&str], resources: &[String]) {
        let mut by_res: BTreeMap<BTreeSet<String>, BTreeSet<String>> = BTreeMap::new();
        for (res, acts) in std::mem::take(&mut self.0) {
            by_res.insert(res, acts);
        }
        // Each action keeps the union of every resource it was given.
        let mut per_action: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (res, acts) in by_res {
            for a in acts {
                per_action.entry(a).or_default().extend(res.iter().cloned());
            }
        }
        for a in actions {
            per_action
                .entry(a.to_string())
                .or_default()
                .extend(resources.iter().cloned());
        }
        for (a, res) in per_action {
            self.0.entry(res).or_default().insert(a);
        }
    }
}

pub fn policy(
    profiles: &[&Profile],
    region: Option<&str>,
    account: Option<&str>,
    with_s3: Option<(&str, &str)>,
) -> Value {
    let mut st = Statements::default();
    let any = ["*".to_string()];
    st.add(&["sts:GetCallerIdentity"], &any);
    let mut mapping_fns: BTreeSet<String> = BTreeSet::new();
    for p in profiles {
        let r = region.or(p.target.region.as_deref()).unwrap_or("*");
        let a = account.or(p.target.account.as_deref()).unwrap_or("*");
        let stream_base = format!("arn:aws:kinesis:{r}:{a}:stream/");
        let fn_base = format!("arn:aws:lambda:{r}:{a}:function:");
        let alarm_base = format!("arn:aws:cloudwatch:{r}:{a}:alarm:");
        if !p.kinesis.is_empty() {
            st.add(&["kinesis:ListStreams"], &any);
        }
        for rule in &p.kinesis {
            let res = arns(&rule.selector, &stream_base);
            st.add(
                &["kinesis:DescribeStreamSummary", "kinesis:DescribeStream"],
                &res,
            );
            if rule.selector.needs_tags() {
                st.add(&["kinesis:ListTagsForStream"], &res);
            }
            if rule.spec.shards.is_some() {
                st.add(&["kinesis:UpdateShardCount"], &res);
            }
        }
        if !p.lambda.is_empty() {
            st.add(
                &[
                    "lambda:ListFunctions",
                    "lambda:ListEventSourceMappings",
                    "lambda:GetAccountSettings",
                ],
                &any,
            );
        }
        for rule in &p.lambda {
            let res = arns(&rule.selector, &fn_base);
            st.add(&["lambda:GetFunctionConcurrency"], &res);
            if rule.selector.needs_tags() {
                st.add(&["lambda:ListTags"], &res);
                // Tags of many functions at once; GetResources takes no
                // resource-level scoping.
                st.add(&["tag:GetResources"], &any);
            }
            match rule.spec.reserved_concurrency {
                Some(Reserved::Limit(_)) => st.add(&["lambda:PutFunctionConcurrency"], &res),
                Some(Reserved::Unreserved) => st.add(&["lambda:DeleteFunctionConcurrency"], &res),
                None => {}
            }
            if rule.spec.event_sources.is_some() {
                mapping_fns.extend(res);
            }
        }
        if !p.alarms.is_empty() {
            st.add(
                &["cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData"],
                &any,
            );
        }
        for rule in &p.alarms {
            let res = arns(&rule.selector, &alarm_base);
            if rule.selector.needs_tags() {
                st.add(&["cloudwatch:ListTagsForResource"], &res);
            }
            match rule.spec.actions {
                Some(Toggle::Enabled) => st.add(&["cloudwatch:EnableAlarmActions"], &res),
                Some(Toggle::Disabled) => st.add(&["cloudwatch:DisableAlarmActions"], &res),
                None => {}
            }
        }
    }
    let mut statements: Vec<Value> =
        st.0.into_iter()
            .enumerate()
            .map(|(i, (res, acts))| {
                json!({
                    "Sid": format!("Parkctl{}", i + 1),
                    "Effect": "Allow",
                    "Action": acts.into_iter().collect::<Vec<_>>(),
                    "Resource": res.into_iter().collect::<Vec<_>>(),
                })
            })
            .collect();
    if !mapping_fns.is_empty() {
        // UpdateEventSourceMapping is authorized on the mapping, whose ARN
        // holds a UUID; the condition key ties it to the functions instead.
        statements.push(json!({
            "Sid": "ParkctlEventSources",
            "Effect": "Allow",
            "Action": ["lambda:UpdateEventSourceMapping"],
            "Resource": ["*"],
            "Condition": {"ArnLike": {"lambda:FunctionArn": mapping_fns.into_iter().collect::<Vec<_>>()}},
        }));
    }
    if let Some((bucket, prefix)) = with_s3 {
        statements.push(json!({
            "Sid": "ParkctlStateMirror",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            "Resource": [format!("arn:aws:s3:::{bucket}/{prefix}*")],
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Profile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles")
            .join(format!("{name}.yaml"));
        Profile::load(&path).unwrap()
    }

    fn actions(v: &Value) -> BTreeSet<String> {
        v["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| {
                s["Action"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
            })
            .collect()
    }

    #[test]
    fn parked_alone_cannot_restore() {
        let v = policy(&[&load("parked")], None, Some("123456789012"), None);
        let a = actions(&v);
        assert!(a.contains("lambda:PutFunctionConcurrency"));
        assert!(a.contains("cloudwatch:DisableAlarmActions"));
        assert!(!a.contains("lambda:DeleteFunctionConcurrency"));
        assert!(!a.contains("cloudwatch:EnableAlarmActions"));
        let text = v.to_string();
        assert!(text.contains(
            "arn:aws:kinesis:us-east-1:123456789012:stream/user-journey-analytics-events"
        ));
        assert!(text
            .contains("arn:aws:cloudwatch:us-east-1:123456789012:alarm:user-journey-analytics-*"));
        assert!(!text.contains("\"kinesis:UpdateShardCount\",\"kinesis:ListStreams\""));
    }

    /// Every AWS call the adapters make is in the policy for profiles that
    /// use every feature, so the policy cannot fall behind the code.
    #[test]
    fn policy_covers_every_adapter_call() {
        let all = Profile::parse(
            "all.yaml",
            "all",
            "version: 1\nkinesis:\n  - tags: {a: b}\n    shards: 1\nlambda:\n  - tags: {a: b}\n    reserved_concurrency: 0\n    event_sources: disabled\n  - name: f\n    reserved_concurrency: none\ncloudwatch:\n  alarms:\n    - tags: {a: b}\n      actions: disabled\n    - name: x\n      actions: enabled\n",
        )
        .unwrap();
        let a = actions(&policy(&[&all], None, None, None));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
        let mut seen = 0;
        for (file, svc) in [
            ("kinesis", "kinesis"),
            ("lambda", "lambda"),
            ("cloudwatch", "cloudwatch"),
            ("sts", "sts"),
            ("tagging", "tag"),
        ] {
            // The adapter names its service as the file does; IAM's prefix
            // may differ (the tagging API is `tag:`).
            let src = std::fs::read_to_string(dir.join(format!("{file}.rs"))).unwrap();
            // Calls may be formatted over several lines.
            let src = src.split_whitespace().collect::<Vec<_>>().join(" ");
            for part in src.split(&format!("\"{file}\", \"")).skip(1) {
                let op = part.split('"').next().unwrap();
                let op = op.split(' ').next().unwrap();
                seen += 1;
                assert!(
                    a.contains(&format!("{svc}:{op}")),
                    "{svc}:{op} is called but not in the policy"
                );
            }
        }
        assert!(seen >= 15, "found only {seen} calls");
    }
}
