//! The command line: clap definitions with examples in every help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  parkctl validate                      check every profile in profiles/
  parkctl plan parked                   what parking would change, and what it saves
  parkctl apply parked                  show the plan, ask, apply, verify, record
  parkctl apply running --yes           restore from cron or CI, no prompt
  parkctl status                        live cost, matching profile, idle resources
  parkctl restore                       back to the state before the last apply
  parkctl schedule                      what the schedule makes due, the days ahead, the month's cost
  parkctl apply --scheduled --yes       apply what is due (from cron every 10 minutes)

Exit codes:
  0  success (plan: no changes)      1  error (bad input, plan errors, AWS error)
  2  plan --detailed-exitcode: changes present
  3  apply finished but some changes failed or did not verify (re-run converges)
  4  another apply holds the lock     130  interrupted (Ctrl-C)
  With --targets, the worst of the targets' codes: 130, then 1, 3, 4, 2, 0.

Many accounts and regions (`targets:` in parkctl.yaml):
  parkctl plan parked --targets all     every target's plan, then one summary table
  parkctl apply parked --targets dev,stage --yes
  parkctl status --targets all          live cost and matching profile per target";

#[derive(Debug, Parser)]
#[command(name = "parkctl", version, about = "Park an idle AWS project to cut its bill, and bring it back in minutes", after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// AWS region (default: AWS_REGION, the shared config, parkctl.yaml, the profile's target)
    #[arg(long, global = true, env = "AWS_REGION", hide_env_values = true)]
    pub region: Option<String>,
    /// Named AWS profile from the shared config files
    #[arg(
        long = "profile",
        global = true,
        env = "AWS_PROFILE",
        hide_env_values = true,
        value_name = "AWS_PROFILE"
    )]
    pub aws_profile: Option<String>,
    /// Send AWS calls to this endpoint (an emulator, a VPC endpoint)
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", hide_env_values = true)]
    pub endpoint_url: Option<String>,
    /// Project config file [default: ./parkctl.yaml when present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory of profiles [default: profiles]
    #[arg(long, global = true, value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,
    /// Directory for snapshots, operation records, the lock and logs [default: state]
    #[arg(long, global = true, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Attempts per AWS call, the first included (SDK standard retry) [default: 5]
    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<u32>,
    /// AWS requests in flight at once, per service [default: 16]
    #[arg(long, global = true, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Price list to use instead of the built-in one
    #[arg(long, global = true, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Also mirror snapshots and records to S3 and take the lock there (s3://bucket/prefix)
    #[arg(long, global = true, value_name = "S3_URL")]
    pub state_s3: Option<String>,
    /// After the run, print AWS calls per service and operation and the time spent in them
    #[arg(long, global = true)]
    pub stats: bool,
    /// Log lines on stderr too (-v: info, -vv: debug); they always go to state/logs/
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Less output: no progress lines (warnings and errors only)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Run in these targets of parkctl.yaml's `targets:` (`all` or NAME[,NAME...]), each with its own credentials, lock and state; for plan, apply, restore, status, history, capture, unlock and iam-policy
    #[arg(long, global = true, value_name = "all|NAME,...")]
    pub targets: Option<String>,
    /// With --targets: how many targets run at once [default: 8]
    #[arg(long, global = true, value_name = "N")]
    pub parallel_targets: Option<usize>,
    /// Debug input: read live state from a JSON file instead of AWS (benchmarks)
    #[arg(long, global = true, hide = true, value_name = "FILE")]
    pub live_from: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    /// A unified diff of live and desired state
    Diff,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check profiles for errors without touching AWS
    #[command(
        after_help = "Examples:\n  parkctl validate                  every profile in profiles/\n  parkctl validate parked ./x.yaml  these profiles only\n\nExit codes: 0 all valid, 1 some invalid"
    )]
    Validate {
        /// Profile names (in the profiles directory) or paths [default: all]
        profiles: Vec<String>,
    },
    /// Show what applying a profile would change, in order, and its cost effect
    #[command(
        after_help = "Examples:\n  parkctl plan parked\n  parkctl plan parked --format json\n  parkctl plan parked --format diff\n  parkctl plan parked --out parked.plan.json   then: parkctl apply parked.plan.json\n  parkctl plan --snapshot latest               preview a restore\n\nExit codes: 0 no changes (or changes without --detailed-exitcode), 1 error, 2 changes present with --detailed-exitcode"
    )]
    Plan {
        /// Profile name in the profiles directory, or a path to a profile
        #[arg(required_unless_present = "snapshot")]
        profile: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Save the plan with the live state it was computed from, for `apply FILE`
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Exit 2 when there are changes, 0 when there are none
        #[arg(long)]
        detailed_exitcode: bool,
        /// Plan a restore to this snapshot (`latest` for the newest)
        #[arg(long, value_name = "SNAPSHOT", conflicts_with = "profile")]
        snapshot: Option<String>,
    },
    /// Apply a profile or a saved plan: plan, confirm, snapshot, apply, verify, record
    #[command(
        after_help = "Examples:\n  parkctl apply parked                 asks before changing anything\n  parkctl apply running --yes          no prompt (cron, CI)\n  parkctl apply --scheduled --yes      what the schedule makes due now (a timer every 10 minutes)\n  parkctl apply --scheduled --at \"2026-12-01 20:00\" --yes   replay a missed tick\n  parkctl apply parked.plan.json       exactly the saved plan, refused if live state moved\n  parkctl apply parked --dry-run       same as plan\n\nExit codes: 0 applied and verified (or nothing to do), 1 error or refused, 3 some changes failed (re-run converges), 4 lock held, 130 interrupted"
    )]
    Apply {
        /// Profile name or path, or a saved plan file from `plan --out`
        #[arg(required_unless_present = "scheduled")]
        target: Option<String>,
        #[command(flatten)]
        confirm: Confirm,
        /// Only show the plan
        #[arg(long)]
        dry_run: bool,
        /// Apply the profile the schedule in parkctl.yaml makes due (quiet when nothing is to do)
        #[arg(long, conflicts_with = "target")]
        scheduled: bool,
        /// With --scheduled: apply what was due at this time (RFC 3339, or local `YYYY-MM-DD HH:MM`)
        #[arg(long, requires = "scheduled", value_name = "TIME")]
        at: Option<String>,
    },
    /// Which profile the schedule makes due, since and until when, the days ahead and the month's cost
    #[command(
        after_help = "Examples:\n  parkctl schedule                              now, and the next 7 days\n  parkctl schedule --at \"2026-03-29 02:30\"      a local time in the schedule's zone\n  parkctl schedule --at 2026-03-29T01:30:00Z --days 2\n  parkctl schedule --format json | jq -r .due\n\nThe schedule is the `schedule:` section of parkctl.yaml (docs/profiles.md).\nExit codes: 0 shown, 1 error (a bad schedule is reported at its line)"
    )]
    Schedule {
        /// The instant to look at (RFC 3339, or local `YYYY-MM-DD HH:MM`) [default: now]
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Days to show, from the day of --at
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=62))]
        days: u32,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Keep a profile in force over the schedule until a time, show the hold, or clear it
    #[command(
        after_help = "Examples:\n  parkctl hold running --until \"2026-12-01 23:00\" --reason \"late demo\"\n  parkctl hold running --until 2026-12-02T06:00:00Z\n  parkctl hold                   show the hold (an expired one is shown as expired)\n  parkctl hold --clear           back to the schedule\n\nWith --state-s3 the hold is kept in the S3 mirror too, where scheduled runners read it."
    )]
    Hold {
        /// The profile to keep in force
        #[arg(requires = "until")]
        profile: Option<String>,
        /// Until when (RFC 3339, or local `YYYY-MM-DD HH:MM` in the schedule's zone)
        #[arg(long, value_name = "TIME", requires = "profile")]
        until: Option<String>,
        /// Why, for the record and for whoever looks next
        #[arg(long, value_name = "TEXT", requires = "profile")]
        reason: Option<String>,
        /// Remove the hold: the schedule decides again
        #[arg(long, conflicts_with_all = ["profile", "until", "reason"])]
        clear: bool,
    },
    /// Bring resources back to a snapshot taken before an apply
    #[command(
        after_help = "Examples:\n  parkctl restore                          the newest snapshot\n  parkctl restore 20261125T220000000Z-parked.json --yes\n  parkctl plan --snapshot latest           preview first"
    )]
    Restore {
        /// Snapshot file name in state/snapshots or a path [default: the newest]
        snapshot: Option<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// First run on a project: find what it runs, write running.yaml, parked.yaml and parkctl.yaml to review
    #[command(
        after_help = "Selects the project's resources by tag, by name prefix, or both (both must match).\nReads only; nothing in AWS is changed. Existing files are kept unless --force.\n\nExamples:\n  parkctl init --tag Project=acme\n  parkctl init --prefix acme-\n  parkctl init --tag Project=acme --services rds,ecs,lambda\n  parkctl init --prefix acme- --dry-run      print the files instead of writing them\n\nThen: parkctl validate && parkctl plan parked"
    )]
    Init(InitArgs),
    /// Write the live state of a profile's resources as a new profile
    #[command(
        after_help = "Examples:\n  parkctl capture running --like parked        live values of what `parked` selects\n  parkctl capture today --prefix my-project-   everything with this prefix\n  parkctl capture running --like parked --force   overwrite"
    )]
    Capture {
        /// Name of the new profile (written to the profiles directory)
        name: String,
        /// Capture the resources this profile selects
        #[arg(long, value_name = "PROFILE", required_unless_present = "prefix")]
        like: Option<String>,
        /// Capture every managed resource whose name starts with this
        #[arg(long, conflicts_with = "like")]
        prefix: Option<String>,
        /// Overwrite an existing profile
        #[arg(long)]
        force: bool,
    },
    /// Live state and cost of everything the profiles select, and what sits idle
    #[command(
        after_help = "Examples:\n  parkctl status\n  parkctl status --idle-window 72h --format json"
    )]
    Status {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Window for idle detection (e.g. 24h, 3d)
        #[arg(long, default_value = "24h")]
        idle_window: String,
    },
    /// What AWS billed per day (Cost Explorer) beside what parkctl parked, and the saving both show
    #[command(
        after_help = "Cost Explorer charges $0.01 per request: this makes one (and one per further page of results); no other parkctl command calls Cost Explorer.\n\nThe tag must be activated as a cost-allocation tag in the Billing console (it takes up to 24 h, and does not apply to earlier days).\n\nExamples:\n  parkctl billing --tag Project=user-journey-analytics\n  parkctl billing --days 30 --format json"
    )]
    Billing {
        /// Days back from today (UTC), today excluded
        #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=365))]
        days: u32,
        /// The project's cost-allocation tag, KEY=VALUE [default: `cost_tag` in parkctl.yaml]
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List past applies and restores, newest first, or show one
    #[command(
        after_help = "Examples:\n  parkctl history\n  parkctl history 20261125T220000123Z\n  parkctl history --format json"
    )]
    History {
        /// Operation id (or a unique prefix of it)
        id: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Break the apply lock left by a process that died
    #[command(
        after_help = "Examples:\n  parkctl unlock         asks first\n  parkctl unlock --yes"
    )]
    Unlock {
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Print the least-privilege IAM policy the given profiles need
    #[command(
        name = "iam-policy",
        after_help = "Examples:\n  parkctl iam-policy                  for every profile\n  parkctl iam-policy parked running > policy.json"
    )]
    IamPolicy { profiles: Vec<String> },
    /// Print the Terraform `lifecycle { ignore_changes }` blocks that keep `terraform apply` from undoing what the profiles park
    #[command(
        name = "terraform-hints",
        after_help = "Examples:\n  parkctl terraform-hints               for every profile\n  parkctl terraform-hints parked        for the attributes `parked` changes\n\nSee docs/terraform.md for why parking creates drift."
    )]
    TerraformHints {
        /// Profile names or paths [default: all]
        profiles: Vec<String>,
    },
    /// Print the man page (roff)
    #[command(
        after_help = "Examples:\n  parkctl man | man -l -\n  parkctl man > ~/.local/share/man/man1/parkctl.1"
    )]
    Man,
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  parkctl completions bash > /etc/bash_completion.d/parkctl\n  parkctl completions zsh > ~/.zfunc/_parkctl"
    )]
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Args, Clone, Copy, Default)]
pub struct Confirm {
    /// Do not ask for confirmation
    #[arg(long, short = 'y', visible_alias = "auto-approve", alias = "force")]
    pub yes: bool,
}

/// `parkctl init`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// Select resources carrying this tag (KEY=VALUE); it becomes the cost tag
    #[arg(long, value_name = "KEY=VALUE", required_unless_present = "prefix")]
    pub tag: Option<String>,
    /// Select resources whose name starts with this
    #[arg(long)]
    pub prefix: Option<String>,
    /// Only these services (comma-separated registry names) [default: every service]
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub services: Vec<String>,
    /// Overwrite existing profiles and parkctl.yaml
    #[arg(long)]
    pub force: bool,
    /// Print the files instead of writing them
    #[arg(long)]
    pub dry_run: bool,
}
