//! A connected run: the shared SDK configuration and one adapter per
//! registered service, each with its own client.

use crate::adapter::Adapter;
use crate::aws::{
    self, metrics::Metrics, pace::Pace, s3, sts, tagging, CallStats, Settings, Shared,
};
use crate::services::SERVICES;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The Resource Groups Tagging API's documented rate (GetResources).
const TAGGING_RATE: u32 = 5;

/// CloudWatch Logs' DescribeLogGroups rate (5 requests/s per account and
/// region, the Logs quota table's figure): the log groups' stored bytes a
/// function's cost reads are paced at it, not at CloudWatch's.
pub const LOGS_RATE: u32 = 5;

pub struct Aws {
    pub region: String,
    pub sts: sts::Sts,
    pub s3: aws_sdk_s3::Client,
    pub metrics: Metrics,
    pub billing: aws::billing::CostExplorer,
    pub stats: CallStats,
    adapters: BTreeMap<&'static str, Box<dyn Adapter>>,
}

/// The documented rate of every family, with the overrides applied.
pub fn rates(overrides: &BTreeMap<String, u32>) -> BTreeMap<String, u32> {
    let mut rates: BTreeMap<String, u32> = SERVICES
        .iter()
        .map(|s| (s.pace().0.to_string(), s.pace().1))
        .collect();
    rates.insert("tagging".into(), TAGGING_RATE);
    rates.insert("logs".into(), LOGS_RATE);
    for (k, v) in overrides {
        rates.insert(k.clone(), *v);
    }
    rates
}

fn region_of(conf: &aws_types::SdkConfig) -> String {
    conf.region().map(|r| r.to_string()).unwrap_or_default()
}

impl Aws {
    pub async fn connect(
        settings: &Settings,
        fallback_region: Option<&str>,
    ) -> Result<Aws, String> {
        let conf = aws::sdk_config(settings, fallback_region).await?;
        let state_conf = match &settings.state_from {
            Some(s) => {
                let here = region_of(&conf);
                let fallback = s.fallback_region.as_deref().unwrap_or(&here);
                Some(aws::sdk_config(&s.settings, Some(fallback)).await?)
            }
            None => None,
        };
        let region = region_of(&conf);
        let keys = SERVICES
            .iter()
            .flat_map(|s| s.request_keys())
            .copied()
            .collect();
        let stats = CallStats::new(crate::services::writes(), keys);
        let paces: BTreeMap<String, Pace> = rates(&settings.rates)
            .into_iter()
            .map(|(k, v)| (k, Pace::per_second(v)))
            .collect();
        let tagging = tagging::Tagging::new(
            &conf,
            aws::calllog::CallLog::new(stats.clone()),
            paces.get("tagging").cloned().unwrap_or_default(),
        );
        let shared = Shared {
            conf,
            stats: stats.clone(),
            concurrency: settings.concurrency.max(1),
            paces,
            tagging: Arc::new(tagging),
            path_style: settings.endpoint_url.is_some()
                || std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        };
        let adapters = SERVICES
            .iter()
            .zip(crate::services::CONNECTORS)
            .map(|(s, c)| (s.name(), c.connect(&shared)))
            .collect();
        Ok(Aws {
            region,
            sts: sts::Sts::new(&shared),
            s3: s3::client(&shared, state_conf.as_ref()),
            metrics: Metrics::new(&shared),
            billing: aws::billing::CostExplorer::new(&shared),
            stats,
            adapters,
        })
    }

    /// The adapter of a registered service.
    pub fn adapter(&self, service: &str) -> &dyn Adapter {
        self.adapters
            .get(service)
            .map(|a| a.as_ref())
            .unwrap_or_else(|| panic!("service {service} is registered but not connected"))
    }
}
