//! Reads the live state of exactly the resources some selector can match,
//! every service side by side. Each service reads its own with the fewest
//! calls (`Adapter::read`): names-only selectors skip listing, tags are
//! read only for resources whose name can match a tag rule.

use crate::adapter::Early;
use crate::aws::AwsError;
use crate::measure::{IdleFigure, Measure};
use crate::model::Live;
use crate::profile::{Profile, Selector};
use crate::services::SERVICES;
use crate::session::Aws;
use std::collections::BTreeMap;

/// Which resources a read selects, per service: the selectors of a
/// profile's rules, a snapshot's names, or `init`'s tag or prefix.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub selectors: BTreeMap<String, Vec<Selector>>,
    /// Services whose account facts are needed (a rule sets a value the
    /// account pool bounds).
    pub facts: BTreeMap<String, bool>,
}

impl Selection {
    pub fn of(profile: &Profile) -> Self {
        let mut w = Selection::default();
        for s in SERVICES {
            for rule in profile.rules_of(s.name()) {
                // The kind the rule selects, so that a service with several
                // reads only that one for it.
                let mut sel = rule.selector.clone();
                if sel.kind.is_none() {
                    sel.kind = s
                        .kinds()
                        .iter()
                        .find(|k| k.selectable)
                        .map(|k| k.name.into());
                }
                w.add(s.name(), sel, s.needs_facts(rule));
            }
        }
        w
    }

    /// Exactly the resources recorded in `live` (a snapshot or saved plan).
    pub fn named(live: &Live) -> Self {
        let mut w = Selection::default();
        for s in SERVICES {
            for kind in s.kinds().iter().filter(|k| k.selectable) {
                let names: Vec<String> = live
                    .of_service(s.name())
                    .filter(|r| r.id.kind == kind.name)
                    .map(|r| r.name().to_string())
                    .collect();
                if !names.is_empty() {
                    let sel = Selector {
                        kind: Some(kind.name.to_string()),
                        names,
                        ..Default::default()
                    };
                    w.add(s.name(), sel, true);
                }
            }
        }
        w
    }

    /// Every resource whose name starts with `prefix`, in every service.
    pub fn prefixed(prefix: &str) -> Self {
        let mut w = Selection::default();
        for s in SERVICES {
            for kind in s.kinds().iter().filter(|k| k.selectable) {
                let sel = Selector {
                    prefix: Some(prefix.to_string()),
                    ..Default::default()
                };
                w.add(s.name(), sel.of_kind(kind.name), false);
            }
        }
        w
    }

    /// What `sel` matches in each of `services` (`parkctl init`), every
    /// selectable kind of each.
    pub fn selecting(services: &[&str], sel: &Selector) -> Self {
        let mut w = Selection::default();
        for s in SERVICES.iter().filter(|s| services.contains(&s.name())) {
            for kind in s.kinds().iter().filter(|k| k.selectable) {
                w.add(s.name(), sel.clone().of_kind(kind.name), false);
            }
        }
        w
    }

    fn add(&mut self, service: &str, sel: Selector, facts: bool) {
        self.selectors
            .entry(service.to_string())
            .or_default()
            .push(sel);
        *self.facts.entry(service.to_string()).or_default() |= facts;
    }

    pub fn merge(mut self, other: Selection) -> Self {
        for (s, sels) in other.selectors {
            self.selectors.entry(s).or_default().extend(sels);
        }
        for (s, f) in other.facts {
            *self.facts.entry(s).or_default() |= f;
        }
        self
    }
}

/// Reads the resources `selection` names and what `measure` asks of them.
pub async fn read(aws: &Aws, selection: &Selection, measure: Measure) -> Result<Live, AwsError> {
    Ok(read_measured(aws, selection, measure).await?.0)
}

/// [`read`], with the idle figures of `measure.idle_secs` (`status`). The
/// metrics pass starts when every service has told its resources
/// (`Early`), beside the describes, and is settled once they end.
pub async fn read_measured(
    aws: &Aws,
    selection: &Selection,
    measure: Measure,
) -> Result<(Live, Vec<IdleFigure>), AwsError> {
    let mut told = Vec::new();
    let reads = SERVICES.iter().filter_map(|s| {
        let sels = selection.selectors.get(s.name())?;
        let facts = selection.facts.get(s.name()).copied().unwrap_or(false);
        let (early, rx) = Early::new();
        // The pass waits only for the services it has queries for: a plan
        // reads usage alone, which most services declare none of.
        let waited = measure.idle_secs.is_some() || (measure.usage && s.has_usage());
        if waited {
            told.push(rx);
        }
        Some(async move {
            let r = aws.adapter(s.name()).read(sels, facts, &early).await;
            if !early.told() {
                early.known(r.as_ref().map_or(vec![], |r| r.resources.clone()));
            }
            (s.name(), r)
        })
    });
    let reads = futures::future::join_all(reads);
    let metrics = async {
        let known: Vec<_> = futures::future::join_all(told)
            .await
            .into_iter()
            .flat_map(Result::unwrap_or_default)
            .collect();
        crate::measure::early(&aws.metrics, &known, measure).await
    };
    let (reads, answers) = futures::join!(reads, metrics);
    let mut live = Live::default();
    for (name, r) in reads {
        let r = r?;
        live.resources.extend(r.resources);
        if !r.facts.is_empty() {
            live.facts.insert(name.to_string(), r.facts);
        }
    }
    let idle = crate::measure::settle(&aws.metrics, &mut live, answers, measure).await?;
    Ok((live, idle))
}
