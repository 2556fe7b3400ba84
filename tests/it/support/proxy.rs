//! A recording, fault-injecting HTTP proxy in front of a moto server.
//!
//! `rolesmith --endpoint-url <proxy>` sends every IAM, STS and EC2 request here. The proxy
//! records each request's `Action` (the query protocol puts it in the form body, or the query
//! string), in arrival order, then either forwards the request to moto unchanged or — for the
//! first K requests of a chosen action — answers with a scripted status and body instead. That
//! lets tests assert the *order* of API calls an apply made and inject errors moto never
//! produces (EC2 not yet knowing a new instance profile).
//!
//! [`Proxy::chaos`] adds random faults on top: a seeded share of all requests is answered with
//! `Throttling` (400), 500, 503, a closed connection (before or after moto saw the request) or a
//! slow answer, so convergence tests can run an apply through a flaky network.
//!
//! [`Proxy::rate_limit`] puts a token bucket in front of moto, as IAM's per-account request rate
//! is: a request that finds the bucket empty is answered `Throttling` (IAM's 400 XML error; EC2's
//! `RequestLimitExceeded`) and never reaches moto. That is the physical ceiling of an apply: no
//! client can go faster than the bucket's rate.
//!
//! Plain `std` TCP, HTTP/1.1, one request per connection: every answer carries
//! `Connection: close`, so the SDK's connection pool never reuses a connection the proxy closed.
//! Threads are detached; the listener thread ends with the process.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// [`Fault::status`] meaning "never answer".
const HANG: u16 = 0;

/// A scripted answer for the first `times` requests of an action.
#[derive(Debug, Clone)]
pub struct Fault {
    /// HTTP status, e.g. 400 (0: no answer, see [`Fault::hang`]).
    pub status: u16,
    /// Response body (an AWS XML error document).
    pub body: String,
    /// How many requests of the action get this answer before requests pass through again.
    pub times: usize,
}

impl Fault {
    /// EC2's refusal of an instance profile it does not see yet (IAM → EC2 propagation).
    pub fn ec2_invalid_instance_profile(times: usize) -> Fault {
        Fault {
            status: 400,
            body: ec2_error(
                "InvalidParameterValue",
                "Value (cloudwatch-agent) for parameter iamInstanceProfile.name is invalid. \
                 Invalid IAM Instance Profile name",
            ),
            times,
        }
    }

    /// No answer at all: the proxy holds the connection open until the client gives up (or two
    /// minutes pass), as a server that accepted a request and then stalled.
    pub fn hang(times: usize) -> Fault {
        Fault {
            status: HANG,
            body: String::new(),
            times,
        }
    }

    /// IAM's refusal of a trust policy naming a principal it does not see yet (IAM's own
    /// eventual consistency, e.g. a role created a moment ago).
    pub fn iam_invalid_principal(times: usize) -> Fault {
        Fault {
            status: 400,
            body: iam_error(
                "MalformedPolicyDocument",
                "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/just-created\"",
            ),
            times,
        }
    }
}

/// An EC2 query-protocol error document.
pub fn ec2_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
         <Message>{message}</Message></Error></Errors>\
         <RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    )
}

/// An IAM / STS query-protocol error document.
pub fn iam_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>Sender</Type>\
         <Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
}

/// A kind of random fault ([`Chaos`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChaosKind {
    /// 400 `Throttling` (EC2: `RequestLimitExceeded`); moto never sees the request.
    Throttling,
    /// 500 `InternalFailure`; moto never sees the request.
    ServerError,
    /// 503 `ServiceUnavailable`; moto never sees the request.
    Unavailable,
    /// The connection is closed without an answer; moto never sees the request.
    Reset,
    /// moto handles the request, then the connection is closed without an answer (the write
    /// happened but the client cannot know: the retry must be idempotent).
    LostAnswer,
    /// moto's answer, delivered after [`Chaos::slow`].
    Slow,
}

impl ChaosKind {
    /// Every kind, in the order [`Chaos`] picks among them.
    pub const ALL: [ChaosKind; 6] = [
        ChaosKind::Throttling,
        ChaosKind::ServerError,
        ChaosKind::Unavailable,
        ChaosKind::Reset,
        ChaosKind::LostAnswer,
        ChaosKind::Slow,
    ];
}

/// Random faults for a share of every request (scripted [`Fault`]s take precedence).
#[derive(Debug, Clone)]
pub struct Chaos {
    /// Seed of the proxy's random number generator.
    pub seed: u64,
    /// Share of requests that get a fault, 0.0–1.0.
    pub rate: f64,
    /// The kinds to pick from, uniformly.
    pub kinds: Vec<ChaosKind>,
    /// Delay of a [`ChaosKind::Slow`] answer.
    pub slow: Duration,
}

impl Chaos {
    /// `rate` of requests faulted, every kind equally likely, slow answers 200 ms late.
    pub fn new(seed: u64, rate: f64) -> Chaos {
        Chaos {
            seed,
            rate,
            kinds: ChaosKind::ALL.to_vec(),
            slow: Duration::from_millis(200),
        }
    }
}

/// One request the proxy saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The `Action` parameter (`""` when the request had none, e.g. moto's own API).
    pub action: String,
    /// Whether the proxy answered with a scripted fault instead of forwarding.
    pub injected: bool,
    /// Whether the rate limit answered `Throttling` (the bucket was empty).
    pub rate_limited: bool,
    /// The random fault this request got, if any.
    pub chaos: Option<ChaosKind>,
    /// When it arrived, since the proxy started.
    pub at: Duration,
}

struct Shared {
    started: std::time::Instant,
    log: Vec<Recorded>,
    faults: HashMap<String, Fault>,
    chaos: Option<(Chaos, Rng)>,
    bucket: Option<Bucket>,
}

/// A token bucket: `rate` tokens a second, at most `burst` saved up; a request takes one.
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: std::time::Instant,
}

impl Bucket {
    /// Takes a token if there is one.
    fn take(&mut self) -> bool {
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// splitmix64: small, seedable, good enough to pick faults.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The running proxy.
pub struct Proxy {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    shared: Arc<Mutex<Shared>>,
}

impl Proxy {
    /// Starts a proxy that forwards to `upstream` (`http://127.0.0.1:<port>`).
    pub fn start(upstream: &str) -> Proxy {
        let upstream = upstream
            .strip_prefix("http://")
            .unwrap_or(upstream)
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Mutex::new(Shared {
            started: std::time::Instant::now(),
            log: Vec::new(),
            faults: HashMap::new(),
            chaos: None,
            bucket: None,
        }));
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&state);
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    if let Err(e) = serve(stream, &upstream, &state) {
                        eprintln!("proxy: {e}");
                    }
                });
            }
        });
        Proxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            shared,
        }
    }

    /// Answers the next `fault.times` requests of `action` with `fault`.
    pub fn inject(&self, action: &str, fault: Fault) {
        self.lock().faults.insert(action.to_owned(), fault);
    }

    /// Turns random faults on (`Some`) or off (`None`); the generator restarts from the seed.
    pub fn chaos(&self, chaos: Option<Chaos>) {
        self.lock().chaos = chaos.map(|c| {
            let rng = Rng(c.seed);
            (c, rng)
        });
    }

    /// Limits the requests that reach moto to `rate` a second with bursts of `burst` (the bucket
    /// starts full); `None` lifts the limit. Requests over it are answered `Throttling`.
    pub fn rate_limit(&self, limit: Option<(f64, u32)>) {
        self.lock().bucket = limit.map(|(rate, burst)| Bucket {
            rate,
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: std::time::Instant::now(),
        });
    }

    /// Requests the rate limit answered `Throttling` so far.
    pub fn rate_limited(&self) -> usize {
        self.lock().log.iter().filter(|r| r.rate_limited).count()
    }

    /// Random faults so far, by kind.
    pub fn chaos_counts(&self) -> std::collections::BTreeMap<ChaosKind, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for kind in self.lock().log.iter().filter_map(|r| r.chaos) {
            *counts.entry(kind).or_default() += 1;
        }
        counts
    }

    /// Every request so far, in arrival order.
    pub fn log(&self) -> Vec<Recorded> {
        self.lock().log.clone()
    }

    /// The actions so far, in arrival order.
    pub fn actions(&self) -> Vec<String> {
        self.lock().log.iter().map(|r| r.action.clone()).collect()
    }

    /// Requests of `action` so far (injected answers included).
    pub fn count(&self, action: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter(|r| r.action == action)
            .count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One parsed request: head lines and body.
struct Request {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn serve(client: TcpStream, upstream: &str, state: &Mutex<Shared>) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let Some(request) = read_request(&mut reader)? else {
        return Ok(());
    };
    let action = action_of(&request);
    let (fault, chaos) = {
        let mut shared = state.lock().unwrap_or_else(|e| e.into_inner());
        let fault = match shared.faults.get_mut(&action) {
            Some(f) if f.times > 0 => {
                f.times -= 1;
                Some(f.clone())
            }
            _ => None,
        };
        let rate_limited = fault.is_none() && shared.bucket.as_mut().is_some_and(|b| !b.take());
        let fault = fault.or_else(|| rate_limited.then(|| throttling(is_ec2(&request))));
        let chaos = match (&fault, shared.chaos.as_mut()) {
            (None, Some((c, rng))) if !c.kinds.is_empty() => {
                let hit = rng.unit() < c.rate;
                let i = (rng.next_u64() % c.kinds.len() as u64) as usize;
                hit.then(|| (c.kinds[i], c.slow))
            }
            _ => None,
        };
        let at = shared.started.elapsed();
        shared.log.push(Recorded {
            action: action.clone(),
            injected: fault.is_some() && !rate_limited,
            rate_limited,
            chaos: chaos.map(|(k, _)| k),
            at,
        });
        (fault, chaos)
    };
    let mut client = client;
    let ec2 = is_ec2(&request);
    let fault = fault.or_else(|| match chaos? {
        (ChaosKind::Throttling, _) => Some(throttling(ec2)),
        (ChaosKind::ServerError, _) => Some(Fault {
            status: 500,
            body: if ec2 {
                ec2_error("InternalError", "An internal error has occurred")
            } else {
                iam_error("InternalFailure", "An internal error has occurred")
            },
            times: 1,
        }),
        (ChaosKind::Unavailable, _) => Some(Fault {
            status: 503,
            body: if ec2 {
                ec2_error("Unavailable", "The server is overloaded")
            } else {
                iam_error("ServiceUnavailable", "Service is unavailable")
            },
            times: 1,
        }),
        _ => None,
    });
    match chaos {
        Some((ChaosKind::Reset, _)) => {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some((ChaosKind::LostAnswer, _)) => {
            forward(&request, upstream)?;
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some((ChaosKind::Slow, delay)) => std::thread::sleep(delay),
        _ => {}
    }
    if fault.as_ref().is_some_and(|f| f.status == HANG) {
        // Blocks until the client closes the connection (read returns 0) or the timeout.
        client.set_read_timeout(Some(Duration::from_secs(120)))?;
        let _ = client.read(&mut [0u8; 1]);
        return Ok(());
    }
    let response = match fault {
        Some(f) => {
            let reason = match f.status {
                503 => "Service Unavailable",
                s if s >= 500 => "Server Error",
                _ => "Bad Request",
            };
            let mut head = format!(
                "HTTP/1.1 {} {reason}\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                f.status,
                f.body.len()
            )
            .into_bytes();
            head.extend_from_slice(f.body.as_bytes());
            head
        }
        None => forward(&request, upstream)?,
    };
    client.write_all(&response)?;
    client.flush()?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// The throttling answer of IAM (or EC2).
fn throttling(ec2: bool) -> Fault {
    Fault {
        status: 400,
        body: if ec2 {
            ec2_error("RequestLimitExceeded", "Request limit exceeded.")
        } else {
            iam_error("Throttling", "Rate exceeded")
        },
        times: 1,
    }
}

/// Reads one request (head and `Content-Length` body); `None` when the client closed first.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("connection closed inside the head"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        return Err(std::io::Error::other(
            "chunked request bodies are not supported by the test proxy",
        ));
    }
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body,
    }))
}

/// The `Action` parameter from the form body, else from the query string.
fn action_of(request: &Request) -> String {
    let from = |params: &str| {
        params
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .map(|v| v.to_owned())
    };
    let body = String::from_utf8_lossy(&request.body);
    let query = request
        .request_line
        .split_whitespace()
        .nth(1)
        .and_then(|target| target.split_once('?'))
        .map(|(_, q)| q.to_owned())
        .unwrap_or_default();
    from(&body).or_else(|| from(&query)).unwrap_or_default()
}

/// Whether the request is for EC2 (its query API version), whose error documents differ.
fn is_ec2(request: &Request) -> bool {
    String::from_utf8_lossy(&request.body).contains("Version=2016-11-15")
        || request.request_line.contains("Version=2016-11-15")
}

/// Sends the request to moto on a fresh connection and returns its whole answer, marked
/// `Connection: close`.
fn forward(request: &Request, upstream: &str) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream)?;
    server.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!("{}\r\n", request.request_line);
    for (k, v) in &request.headers {
        if !k.eq_ignore_ascii_case("connection") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    server.write_all(head.as_bytes())?;
    server.write_all(&request.body)?;
    server.flush()?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    Ok(mark_close(response))
}

/// Replaces the response's `Connection` header with `Connection: close`.
fn mark_close(response: Vec<u8>) -> Vec<u8> {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return response;
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        let is_connection = line
            .split_once(':')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection"));
        if !is_connection {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&response[end + 4..]);
    bytes
}
