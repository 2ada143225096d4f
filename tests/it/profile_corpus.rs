//! Every file under tests/bad_profiles/ is a profile that must be refused
//! with a clear message. Its first line says what the message contains
//! (`# expect: <substring>`), optionally followed by `# expect-line: N`, the
//! line that message must point at. Inputs that are large, binary or
//! hostile are generated here instead of being committed.

use parkctl::profile::{Profile, ProfileErrors, MAX_PROFILE_BYTES};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("bad_profiles")
}

struct Expect {
    substring: String,
    line: Option<usize>,
}

fn expectations(path: &Path) -> Expect {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = text.lines();
    let substring = lines
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{} does not start with `# expect: `", path.display()))
        .to_string();
    let line = lines
        .next()
        .and_then(|l| l.strip_prefix("# expect-line: "))
        .map(|n| {
            n.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{}: bad expect-line", path.display()))
        });
    Expect { substring, line }
}

/// Every message, and the full miette rendering (which must not panic).
fn rendered(err: &ProfileErrors) -> (Vec<String>, String) {
    let messages = err.errors.iter().map(|d| d.message.clone()).collect();
    let report = format!("{:?}", miette::Report::new(err.clone()));
    (messages, report)
}

/// The line of a `file:LINE:COL: message`.
fn line_of(message: &str, file: &str) -> Option<usize> {
    message
        .strip_prefix(file)?
        .strip_prefix(':')?
        .split(':')
        .next()?
        .parse()
        .ok()
}

/// Loads `path`, which must fail; returns the messages.
fn refused(path: &Path) -> Vec<String> {
    match Profile::load(path) {
        Ok(p) => panic!("{} was accepted: {p:#?}", path.display()),
        Err(e) => {
            assert!(
                !e.errors.is_empty(),
                "{}: an error without messages",
                path.display()
            );
            let (messages, report) = rendered(&e);
            assert!(!report.is_empty());
            let file = path.display().to_string();
            for m in &messages {
                assert!(
                    m.starts_with(&format!("{file}:")),
                    "message lacks the file name: {m}"
                );
            }
            messages
        }
    }
}

fn check(path: &Path, expect: &Expect) -> Result<(), String> {
    let messages = refused(path);
    let file = path.display().to_string();
    let hits: Vec<&String> = messages
        .iter()
        .filter(|m| m.contains(&expect.substring))
        .collect();
    if hits.is_empty() {
        return Err(format!(
            "{}: no message contains {:?}; got:\n  {}",
            path.display(),
            expect.substring,
            messages.join("\n  ")
        ));
    }
    if let Some(line) = expect.line {
        if !hits.iter().any(|m| line_of(m, &file) == Some(line)) {
            return Err(format!(
                "{}: expected line {line}; got:\n  {}",
                path.display(),
                hits.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    Ok(())
}

#[test]
fn every_bad_profile_is_refused_with_its_message() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 45,
        "only {} files in the corpus",
        paths.len()
    );
    let mut failures = Vec::new();
    for path in &paths {
        let size = std::fs::metadata(path).unwrap().len();
        assert!(
            size <= 10 * 1024,
            "{} is {size} bytes: generate big inputs in code",
            path.display()
        );
        let expect = expectations(path);
        if let Err(e) = check(path, &expect) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_names_are_numbered_and_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(corpus_dir()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let (nn, rest) = name
            .split_once('-')
            .unwrap_or_else(|| panic!("{name}: not NN-short-name.yaml"));
        assert!(
            nn.len() == 2 && nn.chars().all(|c| c.is_ascii_digit()),
            "{name}: not NN-short-name.yaml"
        );
        assert!(rest.ends_with(".yaml"), "{name}");
        assert!(
            seen.insert(nn.to_string()),
            "{name}: number {nn} used twice"
        );
    }
}

// ------------------------------------------------------ generated inputs

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn assert_refused_with(path: &Path, substring: &str, within: Duration) -> Vec<String> {
    let started = Instant::now();
    let messages = refused(path);
    let took = started.elapsed();
    assert!(took < within, "{} took {took:?}", path.display());
    assert!(
        messages.iter().any(|m| m.contains(substring)),
        "{}: no message contains {substring:?}; got {messages:#?}",
        path.display()
    );
    messages
}

/// Runs `f` on a thread with a small stack, so that unbounded recursion
/// shows up as a failure here, not only with bigger inputs in production.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("panicked or overflowed its stack")
}

const VALID: &str = "\
version: 1
kinesis:
  - name: user-journey-analytics-events
    shards: 1
lambda:
  - names: [user-journey-analytics-event-processor, user-journey-analytics-intervention-executor]
    reserved_concurrency: 0
    event_sources: disabled
cloudwatch:
  alarms:
    - prefix: user-journey-analytics-
      actions: disabled
";

#[test]
fn a_valid_profile_loads_with_and_without_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let plain = Profile::load(&write(&dir, "parked.yaml", VALID.as_bytes())).unwrap();
    assert_eq!(plain.name, "parked");
    let with_bom = Profile::load(&write(
        &dir,
        "bom.yaml",
        format!("\u{feff}{VALID}").as_bytes(),
    ))
    .unwrap();
    assert_eq!(with_bom.rules, plain.rules);
    // A BOM before a comment used to make the YAML scanner read the comment as text.
    let commented = format!("\u{feff}# parked profile\n{VALID}");
    Profile::load(&write(&dir, "bom-comment.yaml", commented.as_bytes())).unwrap();
    Profile::parse("bom-comment.yaml", "x", &commented).unwrap();
    let crlf = VALID.replace('\n', "\r\n");
    Profile::load(&write(&dir, "crlf.yaml", crlf.as_bytes())).unwrap();
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_refused_with(
        &write(&dir, "empty.yaml", b""),
        "the profile is empty",
        Duration::from_secs(10),
    );
    assert_refused_with(
        &write(&dir, "blank.yaml", b"\n  \n\n"),
        "the profile is empty",
        Duration::from_secs(10),
    );
}

#[test]
fn a_missing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = assert_refused_with(
        &dir.path().join("nope.yaml"),
        "no such file or directory",
        Duration::from_secs(10),
    );
    assert_eq!(m.len(), 1);
}

#[test]
fn non_utf8_bytes_are_refused_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"version: 1\nkinesis:\n  - name: caf".to_vec();
    bytes.extend_from_slice(&[0xe9, 0xff]); // Latin-1 `é`, then garbage
    bytes.extend_from_slice(b"\n    shards: 1\n");
    let path = write(&dir, "latin1.yaml", &bytes);
    let m = assert_refused_with(
        &path,
        "the profile is not valid UTF-8 (byte 33)",
        Duration::from_secs(10),
    );
    assert_eq!(
        line_of(&m[0], &path.display().to_string()),
        Some(3),
        "{m:?}"
    );
    assert!(m[0].contains(":3:14:"), "{m:?}");

    // UTF-16, as some editors save it.
    let utf16: Vec<u8> = std::iter::once(0xfeff_u16)
        .chain(VALID.encode_utf16())
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_refused_with(
        &write(&dir, "utf16.yaml", &utf16),
        "not valid UTF-8 (byte 0)",
        Duration::from_secs(10),
    );
    // A NUL byte is valid UTF-8 but not YAML.
    let nul = write(&dir, "nul.yaml", b"version: 1\n\0\n");
    assert!(Profile::load(&nul).is_err());
}

#[test]
fn a_file_over_the_size_cap_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::from("version: 1\ndescription: ");
    big.push_str(&"x".repeat(2 * 1024 * 1024));
    big.push('\n');
    let m = assert_refused_with(
        &write(&dir, "big.yaml", big.as_bytes()),
        "larger than 1024 KiB",
        Duration::from_secs(10),
    );
    assert_eq!(m.len(), 1);
    assert_eq!(MAX_PROFILE_BYTES, 1024 * 1024);
    // Just under the cap is parsed (and here found valid).
    let mut under = String::from("version: 1\ndescription: ");
    under.push_str(&"x".repeat(MAX_PROFILE_BYTES as usize - 100));
    under.push('\n');
    assert!(Profile::load(&write(&dir, "under.yaml", under.as_bytes())).is_ok());
}

#[test]
fn deep_nesting_is_refused_quickly_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let seq = format!(
        "version: 1\nkinesis: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let map = format!(
        "version: 1\nkinesis: {}1{}\n",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    );
    let mut block = String::from("version: 1\nkinesis:\n");
    for i in 0..1_400 {
        block.push_str(&" ".repeat(i + 1));
        block.push_str("a:\n");
    }
    let mut block_seq = String::from("version: 1\nkinesis:\n");
    for i in 0..5_000 {
        block_seq.push_str(&" ".repeat(i % 100));
        block_seq.push_str("- a: \n");
    }
    for (name, text) in [
        ("seq.yaml", seq),
        ("map.yaml", map),
        ("block.yaml", block),
        ("block-seq.yaml", block_seq),
    ] {
        assert!(
            text.len() < MAX_PROFILE_BYTES as usize,
            "{name} must get past the size cap"
        );
        let path = write(&dir, name, text.as_bytes());
        let m = on_small_stack(move || refused(&path));
        assert!(!m.is_empty());
    }
    // The nesting message itself, for the bracket and brace forms.
    let path = write(
        &dir,
        "seq2.yaml",
        format!(
            "version: 1\nkinesis: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        )
        .as_bytes(),
    );
    assert_refused_with(
        &path,
        "nested more than 32 levels deep",
        Duration::from_secs(10),
    );
    let path = write(
        &dir,
        "map2.yaml",
        format!("{}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000)).as_bytes(),
    );
    assert_refused_with(
        &path,
        "nested more than 32 levels deep",
        Duration::from_secs(10),
    );
    let mut block = String::from("version: 1\n");
    for i in 0..1_400 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    let path = write(&dir, "block2.yaml", block.as_bytes());
    let m = on_small_stack(move || {
        assert_refused_with(
            &path,
            "nested more than 32 levels deep",
            Duration::from_secs(10),
        )
    });
    assert!(m[0].contains(":34:"), "{m:?}");
}

#[test]
fn a_billion_laughs_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    // The classic: ten levels of nine-fold aliases, 9^10 expansions.
    let mut laughs =
        String::from("version: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=10 {
        let refs = vec![format!("*lol{}", i - 1); 9].join(", ");
        let _ = writeln!(laughs, "lol{i}: &lol{i} [{refs}]");
    }
    // The same, where serde reads it: in a list of names, as the last key.
    let mut names = String::from(
        "version: 1\nkinesis:\n  - shards: 1\n    names: &n0 [a, a, a, a, a, a, a, a, a]\n",
    );
    for i in 1..=10 {
        let refs = vec![format!("*n{}", i - 1); 9].join(", ");
        let _ = write!(names, "  - shards: 1\n    names: &n{i} [{refs}]\n");
    }
    // Quadratic: one long list aliased from many rules, all types valid.
    let mut shared = String::from("version: 1\nkinesis:\n  - shards: 1\n    names: &all [");
    for i in 0..50_000 {
        let _ = write!(shared, "s{i},");
    }
    shared.push_str("]\n");
    for _ in 0..20_000 {
        shared.push_str("  - {names: *all, shards: 1}\n");
    }
    assert!(shared.len() < MAX_PROFILE_BYTES as usize);
    let path = write(&dir, "shared.yaml", shared.as_bytes());
    assert_refused_with(
        &path,
        "YAML aliases expand this document",
        Duration::from_secs(10),
    );
    // Aliases of whole rules: linear, but many of them.
    let mut rules = String::from("version: 1\nkinesis:\n  - &r {name: s, shards: 1}\n");
    for _ in 0..50_000 {
        rules.push_str("  - *r\n");
    }
    rules.push_str("bogus: 1\n");
    for (name, text) in [
        ("laughs.yaml", laughs),
        ("names.yaml", names),
        ("rules.yaml", rules),
    ] {
        let path = write(&dir, name, text.as_bytes());
        let started = Instant::now();
        let m = refused(&path);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} took {:?}",
            started.elapsed()
        );
        assert!(!m.is_empty());
    }
}

#[test]
fn a_hundred_thousand_keys() {
    let dir = tempfile::tempdir().unwrap();
    // 100k tags on one rule: valid, and parsed in reasonable time.
    let mut tags = String::from("version: 1\nkinesis:\n  - prefix: p-\n    shards: 1\n    tags: {");
    for i in 0..100_000 {
        let _ = write!(tags, "k{i:x}: v,");
    }
    tags.push_str("}\n");
    assert!(tags.len() < MAX_PROFILE_BYTES as usize);
    let started = Instant::now();
    let p = Profile::load(&write(&dir, "tags.yaml", tags.as_bytes())).unwrap();
    assert_eq!(p.rules[0].selector.tags.len(), 100_000);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    // 100k unknown top-level keys: one clear error for the first.
    let mut keys = String::from("version: 1\n");
    for i in 0..100_000 {
        let _ = writeln!(keys, "k{i:x}: 1");
    }
    assert!(keys.len() < MAX_PROFILE_BYTES as usize);
    let m = assert_refused_with(
        &write(&dir, "keys.yaml", keys.as_bytes()),
        "unknown key `k0`",
        Duration::from_secs(20),
    );
    assert_eq!(m.len(), 1);

    // And 100k keys with a duplicate at the end.
    keys.push_str("k0: 2\n");
    let m = assert_refused_with(
        &write(&dir, "dup.yaml", keys.as_bytes()),
        "duplicate key `k0`",
        Duration::from_secs(20),
    );
    assert!(m[0].contains(":100002:1:"), "{m:?}");
}

#[test]
fn the_shipped_profiles_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the shipped profiles {} cannot be read: {e}", dir.display()));
    let mut loaded = 0;
    for e in entries {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "yaml") {
            loaded += 1;
            if let Err(e) = Profile::load(&path) {
                let (messages, _) = rendered(&e);
                panic!("{}: {messages:#?}", path.display());
            }
        }
    }
    assert!(
        loaded >= 2,
        "expected the running and parked profiles in {}",
        dir.display()
    );
}
