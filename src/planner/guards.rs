//! Checks that span services: each keeps a plan from losing data where one
//! service's change meets another's resource. They turn into plan errors
//! (apply refuses) or warnings. The core names no service here either:
//! what a service knows of the others' resources is its own
//! (`Service::guard`, `Service::parks`, `Service::parked`); this file runs
//! those over the registry. Checks within one service are its `check`.

use super::{Desired, Index};
use crate::model::Resource;
use crate::plan::{Change, Notices, Now};
use crate::service::{Across, Found};
use crate::services::{self, SERVICES};
use std::collections::BTreeMap;

pub(crate) fn check(
    desired: &Desired,
    idx: &Index,
    ctx: &Now,
    changes: &[Change],
    out: &mut Notices,
) {
    let plan = Across {
        desired: &desired.resources,
        live: idx,
        changes,
        ctx,
    };
    for s in SERVICES {
        s.guard(&plan, out);
    }
    short_retention(idx, ctx, changes, out);
}

/// Parking what holds data (fewer shards, or its consumers stopped) where
/// the data expires before a parked period ends: records not read before
/// they expire are deleted. One warning per resource, in name order.
fn short_retention(idx: &Index, ctx: &Now, changes: &[Change], out: &mut Notices) {
    let mut parked: BTreeMap<(&str, &str, &str), &Resource> = BTreeMap::new();
    for c in changes {
        let Some(r) = services::get(c.resource.service).and_then(|s| s.parks(c, idx)) else {
            continue;
        };
        parked.insert((r.name(), r.id.service, r.id.kind), r);
    }
    for r in parked.into_values() {
        if let Some(n) = services::get(r.id.service).and_then(|s| s.parked(r, ctx)) {
            out.warnings.push(n);
        }
    }
}

/// The planner's index is what the services' guards look things up in.
impl Found for Index<'_> {
    fn find(&self, service: &str, kind: &str, name: &str) -> Option<&Resource> {
        Index::find(self, service, kind, name)
    }

    fn by_arn(&self, arn: &str) -> Option<&Resource> {
        Index::by_arn(self, arn)
    }

    fn children<'s>(&'s self, service: &'s str, parent: &'s str) -> &'s [&'s Resource] {
        let me: &'s Index<'s> = self;
        Index::children(me, service, parent)
    }
}
