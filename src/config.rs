//! `parkctl.yaml`, the optional project config. Precedence: flags, then
//! environment variables (handled by clap and the AWS SDK), then this file,
//! then defaults.

use crate::cli::Global;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub region: Option<String>,
    pub account: Option<String>,
    pub profiles_dir: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub aws_profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call, the first included.
    pub retries: Option<u32>,
    /// `standard` or `adaptive` (client-side rate limiting as well).
    pub retry_mode: Option<RetryMode>,
    pub concurrency: Option<usize>,
    /// `false` applies without asking, as `--yes` does (for cron hosts).
    pub confirm: Option<bool>,
    pub state_s3: Option<String>,
    pub pricing: Option<PathBuf>,
    /// Requests per second per service; 0 turns pacing off for a service
    /// (an account whose quotas were raised, or an emulator).
    pub rate_limits: Option<RateLimits>,
    /// The project's cost-allocation tag, `KEY=VALUE` (`parkctl billing`).
    pub cost_tag: Option<String>,
    /// Which profile is due when (`parkctl schedule`, `apply --scheduled`).
    pub schedule: Option<crate::schedule::RawSchedule>,
    /// The accounts and regions `--targets` runs in.
    pub targets: Option<crate::fleet::parse::RawTargets>,
    /// The file's text, kept for the schedule's positions in errors.
    #[serde(skip)]
    pub text: String,
}

/// Requests per second by rate family (a service's name, `tagging` or
/// `logs`);
/// an unknown family is refused, as a misspelt key would be.
#[derive(Debug, Default)]
pub struct RateLimits(pub BTreeMap<String, u32>);

impl<'de> Deserialize<'de> for RateLimits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = BTreeMap::<String, u32>::deserialize(d)?;
        let known = crate::session::rates(&BTreeMap::new());
        if let Some(bad) = m.keys().find(|k| !known.contains_key(*k)) {
            let names: Vec<&str> = known.keys().map(String::as_str).collect();
            return Err(serde::de::Error::custom(format!(
                "unknown rate limit `{bad}`, expected one of {}",
                names.join(", ")
            )));
        }
        Ok(RateLimits(m))
    }
}

impl RateLimits {
    /// Every family's rate, the documented default where none is set.
    pub fn resolve(&self) -> BTreeMap<String, u32> {
        crate::session::rates(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryMode {
    Standard,
    Adaptive,
}

/// The settings of a run, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub profiles_dir: PathBuf,
    pub state_dir: PathBuf,
    /// The project's state directory (a target's run has its own
    /// `state_dir` under it, `targets/NAME/`).
    pub state_root: PathBuf,
    pub aws: crate::aws::Settings,
    pub account: Option<String>,
    pub confirm: bool,
    pub state_s3: Option<String>,
    pub pricing: Option<PathBuf>,
    pub region_fallback: Option<String>,
    pub cost_tag: Option<String>,
    pub schedule: Option<ScheduleConfig>,
    pub targets: Option<TargetsConfig>,
}

/// The `targets:` section as read, checked when `--targets` is used.
#[derive(Debug, Clone)]
pub struct TargetsConfig {
    pub file: String,
    pub text: String,
    pub raw: crate::fleet::parse::RawTargets,
}

/// The `schedule:` section as read, checked only when a command needs it
/// (the check reads the profiles directory).
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    pub file: String,
    pub text: String,
    pub raw: crate::schedule::RawSchedule,
}

impl ScheduleConfig {
    fn of(file: String, text: String, raw: Option<crate::schedule::RawSchedule>) -> Option<Self> {
        raw.map(|raw| ScheduleConfig { file, text, raw })
    }
}

pub const DEFAULT_FILE: &str = "parkctl.yaml";

pub fn load_file(path: &Path) -> Result<FileConfig, String> {
    let bytes = crate::fsutil::read_capped(path, 256 * 1024)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    if let Err((line, col)) = check_depth(&text) {
        return Err(format!(
            "{}:{line}:{col}: nested more than {MAX_DEPTH} levels deep; parkctl.yaml is settings and a schedule, a few levels at most",
            path.display()
        ));
    }
    let parsed: Result<FileConfig, _> = serde_yaml::from_str(&text);
    parsed.map(|f| FileConfig { text, ..f }).map_err(|e| {
        let pos = e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        let msg = e.to_string();
        let msg = msg
            .find(" at line ")
            .map_or(msg.clone(), |i| msg[..i].to_string());
        format!(
            "{}{pos}: {}",
            path.display(),
            msg.replace("unknown field", "unknown key")
        )
    })
}

/// A config is a shallow mapping (the schedule is its deepest part, five
/// levels): anything nested deeper is refused before
/// serde_yaml sees it, since its parser slows down quadratically on deep
/// flow nesting (250 KB of `{a: ` took a minute). yaml-rust2 pulls events
/// one at a time with a capped flow level, so this pass is bounded.
const MAX_DEPTH: usize = 8;

fn check_depth(text: &str) -> Result<(), (usize, usize)> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return Ok(()),
            Ok((Event::SequenceStart(..) | Event::MappingStart(..), m)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err((m.line(), m.col() + 1));
                }
            }
            Ok((Event::SequenceEnd | Event::MappingEnd, _)) => depth = depth.saturating_sub(1),
            Ok(_) => {}
            Err(e) if e.info().contains("recursion limit") => {
                return Err((e.marker().line(), e.marker().col() + 1))
            }
            // Syntax errors are left to serde_yaml, which reports them.
            Err(_) => return Ok(()),
        }
    }
}

impl Config {
    pub fn resolve(g: &Global) -> Result<Config, String> {
        let (file, path) = match &g.config {
            Some(p) => (load_file(p)?, p.display().to_string()),
            None if Path::new(DEFAULT_FILE).exists() => (
                load_file(Path::new(DEFAULT_FILE))?,
                DEFAULT_FILE.to_string(),
            ),
            None => (FileConfig::default(), DEFAULT_FILE.to_string()),
        };
        // Say where a bad value came from: the flag, or the file.
        let from = |flag: bool, key: &str| {
            if flag {
                format!("--{key}")
            } else {
                format!("{path}: {key}")
            }
        };
        if let Some(c) = g.concurrency.or(file.concurrency) {
            if c == 0 || c > 256 {
                return Err(format!(
                    "{} must be between 1 and 256, not {c}",
                    from(g.concurrency.is_some(), "concurrency")
                ));
            }
        }
        if let Some(r) = g.retries.or(file.retries) {
            if r == 0 || r > 20 {
                return Err(format!(
                    "{} (attempts per call) must be between 1 and 20, not {r}",
                    from(g.retries.is_some(), "retries")
                ));
            }
        }
        let state_dir: PathBuf = g
            .state_dir
            .clone()
            .or(file.state_dir)
            .unwrap_or_else(|| "state".into());
        Ok(Config {
            profiles_dir: g
                .profiles_dir
                .clone()
                .or(file.profiles_dir)
                .unwrap_or_else(|| "profiles".into()),
            state_dir: state_dir.clone(),
            state_root: state_dir,
            aws: crate::aws::Settings {
                region: g.region.clone(),
                profile: g.aws_profile.clone().or(file.aws_profile),
                endpoint_url: g.endpoint_url.clone().or(file.endpoint_url),
                max_attempts: g.retries.or(file.retries).unwrap_or(5),
                adaptive_retry: file.retry_mode == Some(RetryMode::Adaptive),
                concurrency: g.concurrency.or(file.concurrency).unwrap_or(16),
                rates: file.rate_limits.map(|r| r.0).unwrap_or_default(),
                assume: None,
                state_from: None,
                profile_credentials: false,
            },
            region_fallback: file.region,
            account: file.account,
            confirm: file.confirm.unwrap_or(true),
            state_s3: g.state_s3.clone().or(file.state_s3),
            pricing: g.pricing.clone().or(file.pricing),
            cost_tag: file.cost_tag,
            targets: file.targets.map(|raw| TargetsConfig {
                file: path.clone(),
                text: file.text.clone(),
                raw,
            }),
            schedule: ScheduleConfig::of(path, file.text, file.schedule),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_default_per_service() {
        let first = crate::services::SERVICES[0];
        let (family, default) = first.pace();
        let f: FileConfig =
            serde_yaml::from_str(&format!("rate_limits: {{{family}: 0}}\n")).unwrap();
        let r = f.rate_limits.unwrap().resolve();
        assert_eq!(r[family], 0);
        assert!(default > 0);
        assert!(crate::services::SERVICES[1..]
            .iter()
            .all(|s| r[s.pace().0] == s.pace().1));
        assert!(serde_yaml::from_str::<FileConfig>("rate_limits: {sqs: 1}\n").is_err());
    }
}
