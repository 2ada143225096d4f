//! Test harness: a real moto server per test on a free port, a scratch
//! project directory, the real parkctl binary, and the real AWS SDK to seed
//! and inspect resources. No fake of any AWS service.
#![allow(dead_code)]

pub mod proxy;
pub mod seed;

use assert_cmd::Command;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub const REGION: &str = "us-east-1";

pub fn moto_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("PARKCTL_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        p.exists(),
        "{} is missing: run `make test`, which installs the pinned moto into .venv",
        p.display()
    );
    p
}

/// A moto server of our own, killed when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let m = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        m
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// CPU seconds the server has used (user + system), from /proc: how
    /// much of a run's time the emulator spent computing.
    pub fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the command name, which is in parentheses.
        let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
        let f: Vec<f64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        let ticks = f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0);
        // SAFETY: sysconf has no preconditions.
        ticks / (unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch project: profiles/ (the shipped ones unless replaced), state/.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub endpoint: String,
}

impl Project {
    pub fn new(endpoint: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let profiles = dir.path().join("profiles");
        std::fs::create_dir_all(&profiles).unwrap();
        for name in ["running.yaml", "parked.yaml"] {
            std::fs::copy(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("profiles")
                    .join(name),
                profiles.join(name),
            )
            .unwrap();
        }
        Project {
            dir,
            endpoint: endpoint.to_string(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write_profile(&self, name: &str, text: &str) {
        std::fs::write(
            self.path().join("profiles").join(format!("{name}.yaml")),
            text,
        )
        .unwrap();
    }

    pub fn state(&self) -> PathBuf {
        self.path().join("state")
    }

    /// The real binary, in this project, against this server.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("parkctl").unwrap();
        c.current_dir(self.path()).args(args);
        for (k, v) in env(&self.endpoint) {
            c.env(k, v);
        }
        c.env_remove("AWS_PROFILE");
        c.timeout(Duration::from_secs(300));
        c
    }

    /// Runs and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

pub fn env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", REGION.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".into()),
        ("NO_COLOR", "1".into()),
    ]
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
