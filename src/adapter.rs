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

/// The SDK half of a service, built from the one shared SDK configuration.
#[async_trait::async_trait(?Send)]
pub trait Adapter: Send + Sync {
    /// The resources any of `selectors` can match, with the fewest calls.
    async fn read(&self, selectors: &[Selector], facts: bool) -> Result<Read, AwsError>;
    /// Runs this service's changes of one wave; `earlier` holds the
    /// outcomes of the waves before (a change may be unsafe after a failure).
    async fn apply(
        &self,
        changes: &[&Change],
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome>;

    /// Completes a plan's after-state where a change brings back a resource
    /// that does not exist now (an endpoint recreated from its config), by
    /// reading what it is recreated from, so that the plan prices what it
    /// recreates instead of calling it unknown. Only a restore's plan has
    /// such resources; the default has none.
    async fn recreated(&self, _after: &mut [crate::model::Resource]) -> Result<(), AwsError> {
        Ok(())
    }
}
