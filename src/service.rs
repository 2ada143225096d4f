//! The service interface: what parkctl needs to know about an AWS service
//! to manage it, and nothing the core has to know instead.
//!
//! A service module (`src/services/NAME/`) implements [`Service`] (pure:
//! profile schema, planning rules, prices, IAM actions, capture) here, and
//! `crate::adapter::{Connect, Adapter}` (the SDK side: read, apply,
//! activity) in its `aws.rs`, and adds one line to the registry in
//! `src/services/mod.rs`. The pure half imports nothing of the AWS layer
//! or of rendering, so the planner does not either. The core iterates the registry and
//! never names a service; it sees resources only through the generic model
//! in `crate::model`, so SDK types never leave a service's module.

use crate::cost::types::{Lookup, ResourceCost};
use crate::iam::statements::{Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Live, Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Want};
use crate::profile::rule::Rule;

/// A kind of resource a service manages.
pub struct Kind {
    pub name: &'static str,
    /// Rules select resources of this kind; the other kinds come with the
    /// resources they belong to (a function's event source mappings).
    pub selectable: bool,
    /// The attributes a saved plan compares to tell whether the world moved.
    pub observed: &'static [&'static str],
    /// The attributes parkctl changes: a snapshot restores exactly these.
    pub managed: &'static [&'static str],
}

/// A profile rule key and the live attribute it sets. `kind` is the
/// selected kind, or a kind whose resources belong to the selected ones
/// (then every one of them gets the value).
pub struct Attr {
    pub key: &'static str,
    pub kind: &'static str,
    pub attr: &'static str,
}

/// A price a service reads from the price table, with the one unit it
/// computes with (a file with another unit is refused, never converted).
pub struct PriceKey {
    pub key: &'static str,
    pub unit: &'static str,
    pub label: &'static str,
    /// The built-in table has it for every region it lists (a flat rate);
    /// per-type prices (instance types) may be there for some regions only.
    pub everywhere: bool,
}

/// The metric that tells whether a resource did any work in a window.
#[derive(Debug)]
pub struct IdleMetric {
    /// Summed together (an endpoint's variants each have their own).
    pub queries: Vec<MetricQuery>,
    /// How status words a window without any (`no incoming records`).
    pub quiet: &'static str,
    /// Said of an idle resource that costs nothing idle, instead of
    /// offering a saving that does not exist.
    pub free_when_idle: Option<&'static str>,
    /// `None`: the queries count work (records, invocations), summed, and
    /// any is work. `Some(p)`: they measure a utilisation in percent (CPU),
    /// averaged over the window, and the resource is busy only above `p`:
    /// a host idles at a few percent, never at zero.
    pub busy_above: Option<f64>,
}

/// Every wanted attribute of one resource: defined beside `Want`, here
/// too because every service's `plan` takes it.
pub use crate::plan::Wants;

/// A parked period worth planning for: a weekend plus a holiday Monday.
/// Data a parked resource keeps for less may expire before it is read.
pub const PARKED_PERIOD_HOURS: u32 = 7 * 24;

/// The live state as the planner indexed it, for the checks where one
/// service's change meets another's resource ([`Service::guard`],
/// [`Service::parks`]): found by key, by ARN, and by what they belong to.
pub trait Found {
    fn find(&self, service: &str, kind: &str, name: &str) -> Option<&Resource>;
    /// The live resource `id` names (a change's).
    fn named(&self, id: &crate::model::ResourceId) -> Option<&Resource> {
        self.find(id.service, id.kind, &id.name)
    }
    fn by_arn(&self, arn: &str) -> Option<&Resource>;
    /// The resources of `service` that belong to `parent`.
    fn children<'s>(&'s self, service: &'s str, parent: &'s str) -> &'s [&'s Resource];
}

/// What a plan's guards see ([`Service::guard`]): every selected
/// resource's wanted attributes by (service, kind, name), the live state,
/// the changes planned and the planning context.
pub struct Across<'a> {
    pub desired: &'a crate::plan::ByKey<'a>,
    pub live: &'a dyn Found,
    pub changes: &'a [Change],
    pub ctx: &'a Now,
}

/// What the planner is to do about one attribute that differs.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    Change(Box<Change>),
    /// Nothing of its own: another attribute's change makes it (the config
    /// an endpoint is recreated from).
    Covered,
    /// Not now, and why (a warning): the resource is busy.
    Wait(Notice),
    /// The change cannot be made, and why (a plan error).
    Refuse(Notice),
}

/// A Terraform resource type and the attributes parkctl changes on it,
/// for `lifecycle { ignore_changes = [...] }`.
pub struct TerraformHint {
    pub resource: &'static str,
    pub attributes: &'static [&'static str],
    /// What to know besides (an attribute no `ignore_changes` can cover).
    pub note: &'static str,
}

/// A service's static facts, one value per service: what the core reads
/// of it without asking it to decide anything.
pub struct Facts {
    /// The registry name: the profile section, the first word of its
    /// resources' titles, its key in prices and rate limits.
    pub name: &'static str,
    pub kinds: &'static [Kind],
    pub attrs: &'static [Attr],
    /// The type of each managed attribute, checked in recorded state.
    pub types: &'static [(&'static str, Ty)],
    pub prices: &'static [PriceKey],
    /// The operations that change AWS (the crash-test hook counts them).
    pub writes: &'static [&'static str],
    /// Request body keys that name the resource of a call, for the log.
    pub request_keys: &'static [&'static str],
    /// The request-rate family the service's calls share, and its
    /// documented per-account rate (requests per second).
    pub pace: (&'static str, u32),
}

/// What `init` writes into `parked.yaml` for one service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InitParked {
    /// The service's profile section (`SERVICE:\n  KINDs: ...`), empty when
    /// it parks none of the resources.
    pub section: String,
    pub left_out: Vec<LeftOut>,
}

/// A resource `init` found but does not park, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeftOut {
    /// As plans name it (`SERVICE KIND NAME`).
    pub resource: String,
    pub why: String,
}

/// The pure half of a service.
pub trait Service: Sync {
    fn facts(&self) -> &'static Facts;

    fn name(&self) -> &'static str {
        self.facts().name
    }
    fn kinds(&self) -> &'static [Kind] {
        self.facts().kinds
    }
    fn attrs(&self) -> &'static [Attr] {
        self.facts().attrs
    }

    /// What takes `attr` of `live` to `want` (called only when they
    /// differ). `wants` holds every wanted attribute of the resource, for a
    /// change that needs several (recreating a resource from its config).
    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned;

    /// The value a rule's `attr` key wants of `target` (the selected
    /// resource, or one that belongs to it), from the value the rule gives;
    /// `None`: nothing of it. Most keys give every target the same value; a
    /// key with a value per child (capacities by index name) picks one.
    fn child_value(&self, _attr: &Attr, _target: &Resource, value: &Value) -> Option<Value> {
        Some(value.clone())
    }

    /// The after-state of one change (what a plan is priced on): `attr` of
    /// `resources[at]` takes the new value. A service whose change carries
    /// others with it overrides this (a table's billing mode is its
    /// indexes').
    fn after(&self, resources: &mut [Resource], at: usize, c: &Change) {
        resources[at].attrs.set(c.attr, c.to.clone());
    }

    /// Checks on this service's changes as a whole (account pools, call
    /// quotas). `found` is the live state indexed: a change's resource is
    /// looked up there, not searched for along `live`, which made the
    /// checks quadratic in the account.
    fn check(&self, _live: &Live, _found: &dyn Found, _changes: &[Change], _out: &mut Notices) {}

    /// Checks where this service's wants meet another service's resources
    /// and would lose data (a consumer throttled while its source keeps
    /// delivering): errors or warnings into `out`, once per plan. The
    /// planner's guards call every service's; none by default.
    fn guard(&self, _plan: &Across, _out: &mut Notices) {}

    /// The resource, of any service, whose data `c` (one of this service's
    /// changes) leaves waiting unread while parked (a stream with fewer
    /// shards, the source of a consumer stopped); `None` by default.
    fn parks<'a>(&self, _c: &Change, _live: &'a dyn Found) -> Option<&'a Resource> {
        None
    }

    /// A warning when `r`, one of this service's resources left unread
    /// while parked, keeps its data for less than a parked period
    /// ([`PARKED_PERIOD_HOURS`]); `None` by default.
    fn parked(&self, _r: &Resource, _ctx: &Now) -> Option<Notice> {
        None
    }

    /// Other names a rule's `name`, `names` and `prefix` select `r` by,
    /// besides its own: a resource named by a generated id (stable, unique)
    /// may be selected by the name its owners gave it (a `Name` tag) too.
    fn aliases<'a>(&self, _r: &'a Resource) -> Vec<&'a str> {
        vec![]
    }

    /// Whether reading for this rule needs the service's account facts.
    fn needs_facts(&self, _rule: &Rule) -> bool {
        false
    }

    fn prices(&self) -> &'static [PriceKey] {
        self.facts().prices
    }
    /// What the resource costs a month while idle; `None`: not billed on
    /// its own (it belongs to another resource).
    fn cost(&self, r: &Resource, prices: &mut Lookup) -> Option<ResourceCost>;

    fn idle(&self, _r: &Resource) -> Option<IdleMetric> {
        None
    }

    /// The metrics a resource's cost is computed from (requests a stream
    /// or a function bills by), each under the key its `usage` attribute
    /// carries: declared here, read for every service together in one
    /// metrics pass (`crate::measure`), so that a service makes no
    /// GetMetricData call of its own.
    fn usage(&self, _r: &Resource) -> Vec<(&'static str, MetricQuery)> {
        vec![]
    }

    /// Whether `usage` declares any metric for this service's resources.
    /// The read's metrics pass waits for the services that do (and, for
    /// `status`, for every service, since each may have an idle metric):
    /// a service with none, told last, held a plan's pass back for as
    /// long as its describes took.
    fn has_usage(&self) -> bool {
        false
    }

    /// The lines `status` shows for this service's resources.
    fn summary(&self, resources: &[&Resource]) -> Vec<String>;
    /// The profile section that selects `resources` by name and sets them
    /// to their live values (`capture`).
    fn capture(&self, resources: &[&Resource]) -> String;
    /// `parkctl init`: the profile section that parks `resources` (this
    /// service's safe parked values, each resource by name, with comments
    /// that say what a line does), and the resources it leaves out of it
    /// with why (a read replica, a member of a group, a daemon service).
    /// The default parks nothing and says so, so that a service without
    /// a safe parked value is still listed by `init`.
    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        InitParked {
            section: String::new(),
            left_out: resources
                .iter()
                .map(|r| LeftOut {
                    resource: r.id.to_string(),
                    why: format!("{} has no safe parked value in parkctl yet", self.name()),
                })
                .collect(),
        }
    }

    /// The IAM actions the rules need, for reading, changing and status.
    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements);

    /// What Terraform must ignore so that `terraform apply` does not undo
    /// what these rules park.
    fn terraform(&self, _rules: &[&Rule]) -> Vec<TerraformHint> {
        vec![]
    }

    fn writes(&self) -> &'static [&'static str] {
        self.facts().writes
    }
    fn request_keys(&self) -> &'static [&'static str] {
        self.facts().request_keys
    }
    fn pace(&self) -> (&'static str, u32) {
        self.facts().pace
    }

    /// Whether a recorded resource (a snapshot's) is whole: every managed
    /// attribute present, of the type it has. A damaged snapshot must be
    /// refused, not restore half of what it recorded.
    fn valid(&self, r: &Resource) -> Result<(), String> {
        let kind = self
            .kinds()
            .iter()
            .find(|k| k.name == r.id.kind)
            .ok_or_else(|| format!("{} has no kind `{}`", self.name(), r.id.kind))?;
        for attr in kind.managed {
            if !r.attrs.contains_key(*attr) {
                return Err(format!("{} is missing `{attr}`", r.id));
            }
        }
        typed(r, self.types())
    }

    fn types(&self) -> &'static [(&'static str, Ty)] {
        self.facts().types
    }

    /// This service's resources from a schema-1 snapshot's `live`. A
    /// service added after schema 1 has none (the default).
    fn upgrade_v1(&self, _live: &serde_json::Value) -> Vec<Resource> {
        vec![]
    }
    /// A schema-1 change of this service, in today's shape (none for a
    /// service added after schema 1).
    fn upgrade_v1_change(&self, _change: &serde_json::Value) -> Option<Change> {
        None
    }
}

/// The type a recorded attribute must have.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// A whole number, not negative.
    Count,
    /// A whole number or `null` (not set).
    CountOrNone,
    Flag,
    /// A text or `null`.
    TextOrNone,
    /// A mapping of keys to texts or `null` (tags).
    MapOrNone,
}

/// Checks the types of a recorded resource's attributes.
pub fn typed(r: &Resource, types: &[(&str, Ty)]) -> Result<(), String> {
    for (attr, ty) in types {
        // Presence is the kind's business (`managed`); here only types.
        let Some(v) = r.attrs.get(*attr) else {
            continue;
        };
        let ok = match ty {
            Ty::Count => v.is_u64(),
            Ty::CountOrNone => v.is_u64() || v.is_null(),
            Ty::Flag => v.is_boolean(),
            Ty::TextOrNone => v.is_string() || v.is_null(),
            Ty::MapOrNone => v.is_object() || v.is_null(),
        };
        if !ok {
            let want = match ty {
                Ty::Count => "a whole number",
                Ty::CountOrNone => "a whole number or null",
                Ty::Flag => "true or false",
                Ty::TextOrNone => "a text or null",
                Ty::MapOrNone => "a mapping or null",
            };
            return Err(format!(
                "invalid type of `{attr}` of {}: {v}, expected {want}",
                r.id
            ));
        }
    }
    Ok(())
}
