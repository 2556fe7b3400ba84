//! A private moto server per test: the real AWS SDK clients (and the `rolesmith` binary) talk to
//! it over loopback with fake credentials, never to AWS.
//!
//! moto (PyPI `moto[server]`, pinned in `tests/moto-requirements.txt`) is installed on first use
//! into `<target dir>/moto-venv` by [`crate::support::venv`] (once, under a file lock). A test
//! that cannot get its server panics with the steps to fix it: it never skips.
//!
//! Overrides: `ROLESMITH_MOTO_SERVER=/path/to/moto_server` uses an existing install;
//! `ROLESMITH_PYTHON` names the interpreter that creates the venv (default `python3`).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::venv::MOTO;

/// How long a server may take to listen and answer.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// The account moto reports (STS GetCallerIdentity) and uses in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";
/// The region every client is pinned to.
pub const REGION: &str = "us-east-1";

/// The empty AWS config file, in the server's temp dir, that `AWS_CONFIG_FILE` names.
const AWS_CONFIG: &str = "aws-config";
/// The empty AWS credentials file, in the server's temp dir, that
/// `AWS_SHARED_CREDENTIALS_FILE` names.
const AWS_CREDENTIALS: &str = "aws-credentials";

/// Environment variables that could send a client elsewhere or bring real credentials along;
/// [`crate::support::rolesmith`] removes them from the child's environment.
pub const UNSET_ENV: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
];

/// A running moto server, killed when dropped.
pub struct Moto {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    child: Child,
    /// The watchdog's stdin: when this process dies, however abruptly, the pipe closes and the
    /// server exits, so no server outlives its test run.
    _lifeline: Option<ChildStdin>,
    log: PathBuf,
    /// The server's own temp dir: its log, and the empty AWS config files of [`Moto::env`].
    dir: tempfile::TempDir,
}

/// Runs moto's server behind a watchdog thread that exits when stdin closes.
const WATCHDOG: &str = "\
import os, sys, threading
def watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
";

impl Moto {
    /// Installs moto if needed, starts a server on a free loopback port and waits until it
    /// answers. Panics with an actionable message when it cannot.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// [`Moto::start`] with extra environment for the server, e.g.
    /// `INITIAL_NO_AUTH_ACTION_COUNT` to switch its authentication on.
    pub fn start_with(server_env: &[(&str, &str)]) -> Moto {
        let (program, prefix, watchdog) = match std::env::var_os("ROLESMITH_MOTO_SERVER") {
            Some(server) => (PathBuf::from(server), vec![], false),
            None => (
                MOTO.ensure().join("bin/python3"),
                vec!["-c", WATCHDOG],
                true,
            ),
        };
        let dir = tempfile::Builder::new()
            .prefix("rolesmith-moto-")
            .tempdir()
            .expect("create a temp dir for the moto log");
        let log = dir.path().join("moto.log");
        for file in [AWS_CONFIG, AWS_CREDENTIALS] {
            File::create(dir.path().join(file)).expect("create an empty AWS config file");
        }
        let out = File::create(&log).expect("create the moto log");
        let err = out.try_clone().expect("clone the moto log handle");
        // `-p 0`: the kernel picks a free port and moto logs it, so parallel tests never race
        // for a port.
        let mut child = Command::new(&program)
            .args(prefix)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env("PYTHONUNBUFFERED", "1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", REGION)
            .envs(server_env.iter().copied())
            .stdin(if watchdog {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}\n{}", program.display(), MOTO.help()));
        let lifeline = child.stdin.take();
        let mut moto = Moto {
            endpoint: String::new(),
            child,
            _lifeline: lifeline,
            log,
            dir,
        };
        let deadline = Instant::now() + START_DEADLINE;
        let port = moto.wait_for_port(deadline);
        moto.endpoint = format!("http://127.0.0.1:{port}");
        moto.wait_ready(port, deadline);
        moto
    }

    /// An SDK configuration pinned to this server: fake credentials, `us-east-1`, explicit
    /// endpoint.
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        let credentials = aws_sdk_iam::config::Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "rolesmith-tests",
        );
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
                credentials,
            ))
            .build()
    }

    /// An IAM client on this server, for out-of-band changes and read-backs.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config())
    }

    /// Points `cmd` at this server: removes [`UNSET_ENV`] and sets [`Moto::env`].
    pub fn configure(&self, cmd: &mut std::process::Command) {
        for key in UNSET_ENV {
            cmd.env_remove(key);
        }
        cmd.envs(self.env());
    }

    /// The environment for running `rolesmith` against this server. Remove [`UNSET_ENV`] too
    /// ([`Moto::configure`] does both).
    pub fn env(&self) -> Vec<(String, String)> {
        let file = |name: &str| self.dir.path().join(name).display().to_string();
        let pairs = [
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_DEFAULT_REGION", REGION.to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            // Keep a developer's ~/.aws files out of the run. The files exist (empty): the SDK
            // warns on stderr about each one that is missing.
            ("AWS_CONFIG_FILE", file(AWS_CONFIG)),
            ("AWS_SHARED_CREDENTIALS_FILE", file(AWS_CREDENTIALS)),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// Resets every service's state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let port = self.port();
        let (status, body) = http(port, "POST", "/moto-api/reset")
            .unwrap_or_else(|e| panic!("moto reset: {e}\n{}", self.log_tail()));
        assert_eq!(status, 200, "moto reset answered {status}: {body}");
    }

    /// The last lines of the server's output (for failure messages).
    pub fn log_tail(&self) -> String {
        tail(&self.log, 40)
    }

    fn port(&self) -> u16 {
        self.endpoint
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("endpoint has a port")
    }

    /// Waits for moto's "Running on http://127.0.0.1:PORT" line.
    fn wait_for_port(&mut self, deadline: Instant) -> u16 {
        loop {
            let text = fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(port) = parse_port(&text) {
                return port;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "moto_server exited ({status}) before listening.\n--- moto output ---\n{}\n{}",
                    self.log_tail(),
                    MOTO.help()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "moto_server did not report its port within {}s.\n--- moto output ---\n{}",
                    START_DEADLINE.as_secs(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls `GET /moto-api/` until it answers 200.
    fn wait_ready(&mut self, port: u16, deadline: Instant) {
        loop {
            let last = match http(port, "GET", "/moto-api/") {
                Ok((200, _)) => return,
                Ok((status, _)) => format!("GET /moto-api/ answered {status}"),
                Err(e) => e.to_string(),
            };
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "moto_server exited ({status}) while starting.\n--- moto output ---\n{}",
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "moto_server on port {port} not ready within {}s ({last}).\n--- moto output ---\n{}",
                    START_DEADLINE.as_secs(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse_port(log: &str) -> Option<u16> {
    let marker = "Running on http://127.0.0.1:";
    let at = log.find(marker)? + marker.len();
    let digits: String = log[at..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// One HTTP/1.0 request on loopback; returns the status and body.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let response = String::from_utf8_lossy(&bytes);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:.200}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
