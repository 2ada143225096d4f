//! The SDK half of a service: what reads and changes AWS. A service's
//! `aws.rs` implements [`Connect`] for its registry type and [`Adapter`]
//! for the client it builds; the pure half (`crate::service`) knows none
//! of this, so the planner does not depend on the AWS layer.

use crate::aws::error::AwsError;
use crate::aws::Shared;
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::Selector;

/// Builds a service's adapter from the one shared SDK configuration.
pub trait Connect: Sync {
    fn connect(&self, shared: &Shared) -> Box<dyn Adapter>;
}

/// What a read found: resources and account facts.
#[derive(Debug, Default)]
pub struct Read {
    pub resources: Vec<crate::model::Resource>,
    pub facts: crate::model::Attrs,
}

impl Read {
    /// Resources without account facts.
    pub fn of(resources: Vec<crate::model::Resource>) -> Read {
        Read {
            resources,
            facts: Default::default(),
        }
    }
}

/// Where a read tells, as soon as it knows them, which resources it will
/// return, with what it knows of them so far (names, and what its listing
/// gave): the read's one metrics pass (`crate::measure`) starts from them
/// beside the describes still to come. Telling is optional: a read that
/// does not tell is told for when it ends. Only the first telling counts.
pub struct Early {
    tx: std::sync::Mutex<Option<futures::channel::oneshot::Sender<Vec<crate::model::Resource>>>>,
}

/// What a read told early (nothing, if it failed).
pub type Told = futures::channel::oneshot::Receiver<Vec<crate::model::Resource>>;

impl Early {
    pub fn new() -> (Early, Told) {
        let (tx, rx) = futures::channel::oneshot::channel();
        let early = Early {
            tx: std::sync::Mutex::new(Some(tx)),
        };
        (early, rx)
    }

    /// Tells the resources the read will return.
    pub fn known(&self, resources: Vec<crate::model::Resource>) {
        if let Some(tx) = self.tx.lock().ok().and_then(|mut t| t.take()) {
            let _ = tx.send(resources);
        }
    }

    /// Whether the read has told already.
    pub fn told(&self) -> bool {
        self.tx.lock().map_or(true, |t| t.is_none())
    }
}

/// The SDK half of a service, built from the one shared SDK configuration.
#[async_trait::async_trait(?Send)]
pub trait Adapter: Send + Sync {
    /// The resources any of `selectors` can match, with the fewest calls;
    /// `early` is told which they are as soon as that is known.
    async fn read(
        &self,
        selectors: &[Selector],
        facts: bool,
        early: &Early,
    ) -> Result<Read, AwsError>;
    /// Runs this service's changes of one wave; `earlier` holds the
    /// outcomes of the waves before (a change may be unsafe after a failure).
    async fn apply(
        &self,
        changes: &[&Change],
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome>;

    /// Completes a plan's after-state (every service's resources: each
    /// completes only its own) where a change brings back a resource that
    /// does not exist now (an endpoint recreated from its config), by
    /// reading what it is recreated from, so that the plan prices what it
    /// recreates instead of calling it unknown. Only a restore's plan has
    /// such resources; the default has none.
    async fn recreated(&self, _after: &mut [crate::model::Resource]) -> Result<(), AwsError> {
        Ok(())
    }
}
