//! The one run path for the commands that work in an account and region
//! (`plan`, `apply`, `restore`, `apply --scheduled`, `status`, `history`,
//! `capture`, `unlock`, `iam-policy`): a run is a [`Fleet`] of jobs, one
//! per target `--targets` names, each with its own context
//! (`crate::fleet`), or, without `--targets`, a fleet of one: the run's
//! own context. Each command is written once over the jobs; what only a
//! fleet shows (a heading per target, the summary table, a target's error
//! as its line while the others go on) follows from the jobs having
//! targets, so that a run without `--targets` prints what it always has.

mod converge;
mod each;
mod status;

use crate::context::{fail, Error, Invocation, Res};
use crate::fleet::{self, Target};
use crate::render::fleet::heading;

/// One job: the context a command runs in, and the target of `targets:`
/// it is for (none: the run's own context, without `--targets`).
pub struct Member {
    target: Option<Target>,
    ctx: Invocation,
}

impl Member {
    /// The target's name, for progress labels and summary lines.
    fn name(&self) -> Option<String> {
        self.target.as_ref().map(|t| t.name.clone())
    }

    /// The target's name, account and region, for its summary line
    /// (empty for the run's own context, which has none).
    fn place(&self) -> [String; 3] {
        self.target.as_ref().map_or_else(Default::default, |t| {
            [t.name.clone(), t.account.clone(), t.region.clone()]
        })
    }

    /// The heading above this job's output, when it is a target's.
    fn print_heading(&self) {
        if let Some(t) = &self.target {
            print!("{}", heading(&t.name, &t.account, &t.region));
        }
    }
}

/// The jobs of one run and how many of them run at once.
pub struct Fleet {
    members: Vec<Member>,
    n: usize,
}

impl Fleet {
    /// Every target `--targets` names, each with its context; without
    /// `--targets`, the run's own context alone.
    pub fn of(ctx: &Invocation) -> Result<Fleet, Error> {
        let Some(wanted) = &ctx.global.targets else {
            let alone = Member {
                target: None,
                ctx: ctx.clone(),
            };
            return Ok(Fleet {
                members: vec![alone],
                n: 1,
            });
        };
        let members = members(ctx, wanted)?;
        let n = parallel(ctx)?;
        Ok(Fleet { members, n })
    }

    /// Whether the run names targets (`--targets`): then each target's
    /// output is under its heading, a summary follows, and a target's
    /// error is printed as its own and stops no other. A run without
    /// targets ends with its error instead (printed once, in `main`).
    pub fn named(&self) -> bool {
        self.alone().is_none()
    }

    /// The one job of a run without `--targets`.
    fn alone(&self) -> Option<&Member> {
        match &self.members[..] {
            [m] if m.target.is_none() => Some(m),
            _ => None,
        }
    }

    /// Runs `f` for every job, at most `n` at once, a target's under its
    /// label; results in the jobs' order.
    async fn each<'a, T, F, Fut>(&'a self, f: F) -> Vec<T>
    where
        F: Fn(&'a Member) -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        fleet::each(&self.members, self.n, |m| m.name(), f).await
    }

    /// A job's end: in a fleet, its error printed in full and its exit
    /// status kept, so that the other targets go on; alone, the run's.
    fn settle(&self, r: Res) -> Res {
        match r {
            Err(e) if self.named() => {
                let code = e.exit();
                crate::render::error::eprint(e);
                Ok(code)
            }
            r => r,
        }
    }
}

/// The targets a run names, each with its context.
fn members(ctx: &Invocation, wanted: &str) -> Result<Vec<Member>, Error> {
    let targets = fleet::select(fleet::configured(ctx)?, wanted)?;
    Ok(targets
        .into_iter()
        .map(|t| Member {
            ctx: fleet::context_for(ctx, &t),
            target: Some(t),
        })
        .collect())
}

/// How many targets run at once: `--parallel-targets`, default 8.
fn parallel(ctx: &Invocation) -> Result<usize, Error> {
    match ctx.global.parallel_targets {
        None => Ok(8),
        Some(n @ 1..=64) => Ok(n),
        Some(n) => Err(fail(format!(
            "--parallel-targets must be between 1 and 64, not {n}"
        ))),
    }
}
