//! A loopback HTTP/1.1 forwarding proxy between parkctl and moto, to add
//! latency and inject faults the way a real AWS endpoint shows them.
//!
//! std + threads only: one thread accepts, one thread serves each client
//! connection (keep-alive: many requests per connection). Each request is
//! read whole (Content-Length or chunked body), delayed, then either answered
//! with a fault or forwarded on a fresh upstream connection with
//! `Connection: close`; the full upstream response is read and re-framed
//! with a Content-Length before it is relayed, so the client's connection
//! stays usable.
//!
//! Faults rotate between: a throttling error (HTTP 400, JSON with
//! `x-amzn-ErrorType`, or the query protocol's XML for form-encoded
//! requests), HTTP 500 `InternalFailure`, and a connection reset (RST, no
//! answer). Which requests fail is decided by `seed` and the request's
//! arrival number, so a run is reproducible up to request ordering.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Largest request or response head accepted.
const MAX_HEAD: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct ProxyOpts {
    /// Added to every request (before it is answered or forwarded).
    pub delay: Duration,
    /// Fraction of requests (0.0..=1.0) answered with a fault.
    pub fault_rate: f64,
    /// Decides which requests fail.
    pub seed: u64,
}

impl Default for ProxyOpts {
    fn default() -> Self {
        ProxyOpts {
            delay: Duration::ZERO,
            fault_rate: 0.0,
            seed: 1,
        }
    }
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    requests: AtomicU64,
    faults: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    /// Open client connections by id, shut down on Drop so their threads
    /// end. A thread removes its own entry when done, so that the socket
    /// really closes then.
    clients: Mutex<HashMap<u64, TcpStream>>,
    next_client: AtomicU64,
    workers: Mutex<Vec<JoinHandle<()>>>,
    /// Request-rate quotas and their token buckets (tokens, last refill).
    quotas: Vec<Quota>,
    buckets: Mutex<Vec<(f64, Instant)>>,
    throttled: AtomicU64,
    /// Requests by (signing name, operation): (let through, throttled).
    operations: Mutex<BTreeMap<(String, String), (u64, u64)>>,
    /// Queries in GetMetricData requests (first pages only: a next page
    /// repeats its call's queries).
    metric_queries: AtomicU64,
}

/// The proxy, listening on 127.0.0.1:`port`; stopped when dropped.
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl Proxy {
    pub fn start(upstream_port: u16, opts: ProxyOpts) -> Proxy {
        Proxy::start_with_quotas(upstream_port, opts, vec![])
    }

    /// Also enforces request-rate quotas the way AWS does: a request over
    /// its quota is answered with the service's throttling error (after the
    /// delay, as a real round trip would be). See [`aws_default_quotas`].
    pub fn start_with_quotas(upstream_port: u16, opts: ProxyOpts, quotas: Vec<Quota>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let now = Instant::now();
        let shared = Arc::new(Shared {
            buckets: Mutex::new(quotas.iter().map(|q| (q.per_second, now)).collect()),
            quotas,
            ..Default::default()
        });
        let s = shared.clone();
        let acceptor = std::thread::Builder::new()
            .name(format!("proxy-{port}"))
            .spawn(move || {
                for conn in listener.incoming() {
                    if s.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let _ = conn.set_nodelay(true);
                    let id = s.next_client.fetch_add(1, Ordering::SeqCst);
                    if let Ok(c) = conn.try_clone() {
                        s.clients.lock().unwrap().insert(id, c);
                    }
                    let s2 = s.clone();
                    let h = std::thread::spawn(move || {
                        serve(conn, upstream_port, opts, &s2);
                        s2.clients.lock().unwrap().remove(&id);
                    });
                    let mut w = s.workers.lock().unwrap();
                    w.retain(|h| !h.is_finished());
                    w.push(h);
                }
            })
            .expect("spawn proxy thread");
        Proxy {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests received (answered, faulted or reset).
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Requests answered with a fault (throttle, 500 or reset).
    pub fn faults(&self) -> u64 {
        self.shared.faults.load(Ordering::SeqCst)
    }

    /// Requests refused for going over a quota (not counted in `faults`).
    pub fn throttled(&self) -> u64 {
        self.shared.throttled.load(Ordering::SeqCst)
    }

    /// The most requests in flight at once so far.
    pub fn max_in_flight(&self) -> u64 {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Requests by (signing name, operation), as (let through, throttled).
    pub fn operations(&self) -> BTreeMap<(String, String), (u64, u64)> {
        self.shared.operations.lock().unwrap().clone()
    }

    /// The queries GetMetricData requests carried (each call's once).
    pub fn metric_queries(&self) -> u64 {
        self.shared.metric_queries.load(Ordering::SeqCst)
    }

    /// The quotas this proxy enforces.
    pub fn quotas(&self) -> &[Quota] {
        &self.shared.quotas
    }

    /// Zeroes the counters (between runs against the same proxy).
    pub fn reset_counters(&self) {
        self.shared.requests.store(0, Ordering::SeqCst);
        self.shared.faults.store(0, Ordering::SeqCst);
        self.shared.throttled.store(0, Ordering::SeqCst);
        self.shared.max_in_flight.store(0, Ordering::SeqCst);
        self.shared.metric_queries.store(0, Ordering::SeqCst);
        self.shared.operations.lock().unwrap().clear();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
        for (_, c) in self.shared.clients.lock().unwrap().drain() {
            let _ = c.shutdown(Shutdown::Both);
        }
        let workers: Vec<_> = self.shared.workers.lock().unwrap().drain(..).collect();
        for h in workers {
            let _ = h.join();
        }
    }
}

/// A request or response head: first line and headers as sent.
struct Head {
    line: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .any(|(_, v)| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }
}

/// Reads a head; `Ok(None)` on a clean end of stream before any byte.
fn read_head(r: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut buf = Vec::new();
        let n = r.read_until(b'\n', &mut buf)?;
        if n == 0 {
            if lines.is_empty() {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "head cut short",
            ));
        }
        total += n;
        if total > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
        let line = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        if line.is_empty() {
            if lines.is_empty() {
                continue; // stray CRLF between requests
            }
            break;
        }
        lines.push(line);
    }
    let line = lines.remove(0);
    let headers = lines
        .into_iter()
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    Ok(Some(Head { line, headers }))
}

/// Reads a chunked body. Returns (raw bytes as received, decoded bytes).
fn read_chunked(r: &mut impl BufRead) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut body = Vec::new();
    loop {
        let mut size_line = Vec::new();
        if r.read_until(b'\n', &mut size_line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "chunk size"));
        }
        raw.extend_from_slice(&size_line);
        let text = String::from_utf8_lossy(&size_line);
        let hex = text.trim().split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(hex, 16).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad chunk size {hex:?}"),
            )
        })?;
        if size == 0 {
            // Trailers, then the final CRLF.
            loop {
                let mut t = Vec::new();
                if r.read_until(b'\n', &mut t)? == 0 {
                    return Ok((raw, body));
                }
                raw.extend_from_slice(&t);
                if t == b"\r\n" || t == b"\n" {
                    return Ok((raw, body));
                }
            }
        }
        let mut chunk = vec![0; size];
        r.read_exact(&mut chunk)?;
        raw.extend_from_slice(&chunk);
        body.extend_from_slice(&chunk);
        let mut crlf = Vec::new();
        r.read_until(b'\n', &mut crlf)?;
        raw.extend_from_slice(&crlf);
    }
}

fn content_length(h: &Head) -> io::Result<usize> {
    match h.get("content-length") {
        None => Ok(0),
        Some(v) => v
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length")),
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Uniform in [0, 1) for the n-th request.
fn draw(seed: u64, n: u64) -> f64 {
    (splitmix64(seed ^ splitmix64(n)) >> 11) as f64 / (1u64 << 53) as f64
}

struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(s: &'a Shared) -> Self {
        let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        s.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(s)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves one client connection until it closes or a reset fault ends it.
fn serve(client: TcpStream, upstream_port: u16, opts: ProxyOpts, s: &Shared) {
    let Ok(mut out) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(client);
    loop {
        let head = match read_head(&mut reader) {
            Ok(Some(h)) => h,
            _ => return,
        };
        let method = head.line.split(' ').next().unwrap_or("").to_string();
        if head
            .get("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
            && out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
        {
            return;
        }
        let body = if head.has_token("transfer-encoding", "chunked") {
            match read_chunked(&mut reader) {
                Ok((raw, _)) => raw,
                Err(_) => return,
            }
        } else {
            let n = match content_length(&head) {
                Ok(n) => n,
                Err(_) => return,
            };
            let mut b = vec![0; n];
            if reader.read_exact(&mut b).is_err() {
                return;
            }
            b
        };
        let n = s.requests.fetch_add(1, Ordering::SeqCst);
        let _guard = InFlight::enter(s);
        let client_close = head.has_token("connection", "close") || head.line.ends_with("HTTP/1.0");
        if !opts.delay.is_zero() {
            std::thread::sleep(opts.delay);
        }
        if s.stop.load(Ordering::SeqCst) {
            return;
        }
        let (service, op) = operation(&head, &body);
        let admitted = s.quotas.is_empty() || admit(s, &service, &op);
        record(s, &service, &op, &body, admitted);
        if !admitted {
            s.throttled.fetch_add(1, Ordering::SeqCst);
            if out.write_all(&throttle(&service, client_close)).is_err() || client_close {
                return;
            }
            continue;
        }
        if opts.fault_rate > 0.0 && draw(opts.seed, n) < opts.fault_rate {
            let k = s.faults.fetch_add(1, Ordering::SeqCst);
            let query = head.get("content-type").is_some_and(|c| {
                c.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
            // EC2's query protocol has its own error shape
            // (`<Response><Errors>`) and throttling code.
            let ec2 = query && body.windows(18).any(|w| w == b"Version=2016-11-15");
            match k % 3 {
                0 => {
                    let resp = if ec2 {
                        fault(
                            503,
                            "Service Unavailable",
                            "text/xml",
                            None,
                            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>parkctl-proxy</RequestID></Response>",
                            client_close,
                        )
                    } else if query {
                        fault(
                            400,
                            "Bad Request",
                            "text/xml",
                            None,
                            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>parkctl-proxy</RequestId></ErrorResponse>",
                            client_close,
                        )
                    } else {
                        fault(
                            400,
                            "Bad Request",
                            "application/x-amz-json-1.1",
                            Some("ThrottlingException"),
                            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                            client_close,
                        )
                    };
                    if out.write_all(&resp).is_err() || client_close {
                        return;
                    }
                }
                1 => {
                    let resp = if ec2 {
                        fault(
                            500,
                            "Internal Server Error",
                            "text/xml",
                            None,
                            "<Response><Errors><Error><Code>InternalError</Code><Message>Internal failure (injected)</Message></Error></Errors><RequestID>parkctl-proxy</RequestID></Response>",
                            client_close,
                        )
                    } else if query {
                        fault(
                            500,
                            "Internal Server Error",
                            "text/xml",
                            None,
                            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>Internal failure (injected)</Message></Error><RequestId>parkctl-proxy</RequestId></ErrorResponse>",
                            client_close,
                        )
                    } else {
                        fault(
                            500,
                            "Internal Server Error",
                            "application/x-amz-json-1.1",
                            Some("InternalFailure"),
                            r#"{"__type":"InternalFailure","message":"Internal failure (injected)"}"#,
                            client_close,
                        )
                    };
                    if out.write_all(&resp).is_err() || client_close {
                        return;
                    }
                }
                _ => {
                    reset(&out);
                    return;
                }
            }
            continue;
        }
        let resp = match forward(upstream_port, &head, &body) {
            Ok(r) => r,
            Err(e) => fault(
                502,
                "Bad Gateway",
                "text/plain",
                None,
                &format!("proxy: upstream failed: {e}"),
                true,
            ),
        };
        let head_only = method.eq_ignore_ascii_case("HEAD");
        let Ok(framed) = reframe(&resp, head_only, client_close) else {
            reset(&out);
            return;
        };
        if out.write_all(&framed).is_err() || client_close {
            let _ = out.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn fault(
    status: u16,
    reason: &str,
    ctype: &str,
    error_type: Option<&str>,
    body: &str,
    close: bool,
) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nx-amzn-RequestId: parkctl-proxy\r\n", body.len());
    if let Some(t) = error_type {
        r.push_str(&format!("x-amzn-ErrorType: {t}\r\n"));
    }
    r.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    r.push_str(body);
    r.into_bytes()
}

/// Closes with RST instead of FIN: SO_LINGER on, zero timeout.
fn reset(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &l as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    // The socket closes (with RST) when its last handle drops, when `serve`
    // returns; shutdown() would send a FIN instead.
}

/// One request on a fresh upstream connection; returns the raw response.
fn forward(port: u16, head: &Head, body: &[u8]) -> io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", port))?;
    up.set_nodelay(true)?;
    up.set_read_timeout(Some(Duration::from_secs(300)))?;
    let mut req = Vec::with_capacity(1024 + body.len());
    req.extend_from_slice(head.line.as_bytes());
    req.extend_from_slice(b"\r\n");
    for (k, v) in &head.headers {
        if k.eq_ignore_ascii_case("connection")
            || k.eq_ignore_ascii_case("keep-alive")
            || k.eq_ignore_ascii_case("expect")
            || k.eq_ignore_ascii_case("proxy-connection")
        {
            continue;
        }
        req.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    req.extend_from_slice(b"Connection: close\r\n\r\n");
    req.extend_from_slice(body);
    up.write_all(&req)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    if resp.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "empty upstream response",
        ));
    }
    Ok(resp)
}

/// Re-frames an upstream response for a keep-alive client: drops hop-by-hop
/// headers, decodes chunked bodies, sets Content-Length. Skips 1xx heads.
fn reframe(resp: &[u8], head_only: bool, close: bool) -> io::Result<Vec<u8>> {
    let mut r = BufReader::new(resp);
    let head = loop {
        let h = read_head(&mut r)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no response"))?;
        let status: u16 = h
            .line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if !(100..200).contains(&status) {
            break h;
        }
    };
    let status: u16 = head
        .line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let no_body = head_only || status == 204 || status == 304;
    let body = if no_body {
        Vec::new()
    } else if head.has_token("transfer-encoding", "chunked") {
        read_chunked(&mut r)?.1
    } else if let Some(n) = head.get("content-length") {
        let n: usize = n
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length"))?;
        let mut b = vec![0; n];
        r.read_exact(&mut b)?;
        b
    } else {
        let mut b = Vec::new();
        r.read_to_end(&mut b)?;
        b
    };
    // Always answer as HTTP/1.1, whatever the upstream spoke.
    let line = match head.line.split_once(' ') {
        Some((_, rest)) => format!("HTTP/1.1 {rest}"),
        None => head.line.clone(),
    };
    let mut out = Vec::with_capacity(512 + body.len());
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (k, v) in &head.headers {
        let hop = [
            "connection",
            "keep-alive",
            "transfer-encoding",
            "proxy-connection",
        ]
        .iter()
        .any(|h| k.eq_ignore_ascii_case(h));
        if hop || (!no_body && k.eq_ignore_ascii_case("content-length")) {
            continue;
        }
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !no_body {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(if close {
        b"Connection: close\r\n\r\n"
    } else {
        b"Connection: keep-alive\r\n\r\n"
    });
    out.extend_from_slice(&body);
    Ok(out)
}

/// A request-rate quota: a token bucket of `per_second` tokens, refilled
/// continuously, shared by the operations it covers.
#[derive(Debug, Clone)]
pub struct Quota {
    /// The SigV4 signing name: `lambda`, `kinesis`, `monitoring`, `sts` …
    pub service: &'static str,
    /// The operations it covers; empty: all but `except`.
    pub operations: &'static [&'static str],
    pub except: &'static [&'static str],
    pub per_second: f64,
}

impl Quota {
    pub fn covers(&self, service: &str, op: &str) -> bool {
        self.service == service
            && (if self.operations.is_empty() {
                !self.except.contains(&op)
            } else {
                self.operations.contains(&op)
            })
    }
}

/// AWS's default per-account, per-Region request quotas for the reads
/// parkctl makes, as AWS documents them (check Service Quotas for an
/// account's own). Each is modelled as a token bucket of one second's
/// tokens, refilled continuously: where AWS allows a larger burst (EC2,
/// RDS) this is stricter than AWS at the start of a run, the same after.
/// - Lambda: GetFunction 100/s; GetPolicy 15/s; every other control-plane
///   call together 15/s (ListFunctions, GetFunctionConcurrency, ListTags,
///   ListEventSourceMappings, GetAccountSettings, the writes).
/// - Kinesis: ListStreams 5/s, DescribeStreamSummary 20/s,
///   ListTagsForStream 5/s.
/// - CloudWatch: DescribeAlarms 9/s, GetMetricData 50/s, GetMetricStatistics
///   400/s.
/// - CloudWatch Logs: DescribeLogGroups 5/s (*unsure*: the Logs quota page
///   lists it among the per-account TPS quotas; 5 is the lower figure seen).
/// - RDS: every API call together 12/s sustained (a 300-request burst; the
///   RDS user guide's "Request throttling for the Amazon RDS API").
/// - EC2: each non-mutating action (Describe*) its own bucket, 20/s refill
///   (100 tokens; the EC2 developer guide's request-token table).
/// - ECS: DescribeServices and ListServices 20/s each (*unsure*: ECS
///   documents sustained and burst rates per action group, not these
///   figures for them).
///
/// Not modelled (no documented default found): DynamoDB's and SageMaker's
/// describes, Redshift, Auto Scaling, EKS, Application Auto Scaling and the
/// tagging API. [`QUOTA_NOTES`] says the same per family for reports.
pub fn aws_default_quotas() -> Vec<Quota> {
    let q = |service, operations, per_second| Quota {
        service,
        operations,
        except: &[],
        per_second,
    };
    let mut out = vec![
        q("lambda", &["GetFunction"], 100.0),
        q("lambda", &["GetPolicy"], 15.0),
        Quota {
            service: "lambda",
            operations: &[],
            except: &["GetFunction", "GetPolicy", "Invoke"],
            per_second: 15.0,
        },
        q("kinesis", &["ListStreams"], 5.0),
        q("kinesis", &["DescribeStreamSummary"], 20.0),
        q("kinesis", &["ListTagsForStream"], 5.0),
        q("monitoring", &["DescribeAlarms"], 9.0),
        q("monitoring", &["GetMetricData"], 50.0),
        q("monitoring", &["GetMetricStatistics"], 400.0),
        q("logs", &["DescribeLogGroups"], 5.0),
        Quota {
            service: "rds",
            operations: &[],
            except: &[],
            per_second: 12.0,
        },
        q("ecs", &["DescribeServices"], 20.0),
        q("ecs", &["ListServices"], 20.0),
    ];
    for op in EC2_DESCRIBES {
        out.push(q("ec2", std::slice::from_ref(op), 20.0));
    }
    out
}

/// The EC2 describes parkctl makes, each throttled on its own.
const EC2_DESCRIBES: &[&str] = &[
    "DescribeInstances",
    "DescribeInstanceAttribute",
    "DescribeVolumes",
    "DescribeSpotInstanceRequests",
    "DescribeLaunchTemplateVersions",
    "DescribeImages",
];

/// How sure each family of [`aws_default_quotas`] is, for reports:
/// (signing name, operation or `*`, note).
pub const QUOTA_NOTES: &[(&str, &str, &str)] = &[
    ("logs", "DescribeLogGroups", "unsure"),
    ("ecs", "*", "unsure"),
    (
        "rds",
        "*",
        "documented: 12/s sustained, 300 burst (modelled with a 12-token bucket)",
    ),
    (
        "ec2",
        "*",
        "documented: 20/s refill, 100 burst (modelled with a 20-token bucket)",
    ),
];

/// Counts a request by operation, and the metric queries it carries.
fn record(s: &Shared, service: &str, op: &str, body: &[u8], admitted: bool) {
    {
        let mut ops = s.operations.lock().unwrap();
        let e = ops
            .entry((service.to_string(), op.to_string()))
            .or_default();
        if admitted {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    if op == "GetMetricData" {
        let form = String::from_utf8_lossy(body);
        if !form.contains("NextToken=") {
            s.metric_queries
                .fetch_add(metric_data_queries(&form), Ordering::SeqCst);
        }
    }
}

/// The queries of a GetMetricData request in the query protocol: its
/// `MetricDataQueries.member.N.Id` fields.
fn metric_data_queries(form: &str) -> u64 {
    form.split('&')
        .filter(|kv| {
            kv.strip_prefix("MetricDataQueries.member.")
                .and_then(|rest| rest.split_once('.'))
                .is_some_and(|(n, field)| {
                    n.bytes().all(|b| b.is_ascii_digit()) && field.starts_with("Id=")
                })
        })
        .count() as u64
}

/// Takes a token from every bucket covering the request, if all have one.
fn admit(s: &Shared, service: &str, op: &str) -> bool {
    let mut buckets = s.buckets.lock().unwrap();
    let now = Instant::now();
    let covering: Vec<usize> = s
        .quotas
        .iter()
        .enumerate()
        .filter(|(_, q)| q.covers(service, op))
        .map(|(i, _)| i)
        .collect();
    for &i in &covering {
        let (tokens, last) = &mut buckets[i];
        let rate = s.quotas[i].per_second;
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate.max(1.0));
        *last = now;
    }
    if covering.iter().any(|&i| buckets[i].0 < 1.0) {
        return false;
    }
    for &i in &covering {
        buckets[i].0 -= 1.0;
    }
    true
}

/// (signing name, operation) of a request: the service from the SigV4
/// credential scope, the operation from X-Amz-Target (JSON protocols),
/// `Action=` (query protocol) or the REST path (Lambda).
fn operation(head: &Head, body: &[u8]) -> (String, String) {
    let service = head
        .get("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split([',', ' ']).next())
        .and_then(|scope| scope.split('/').nth(3))
        .unwrap_or("")
        .to_string();
    if let Some(t) = head.get("x-amz-target") {
        return (service, t.rsplit('.').next().unwrap_or(t).to_string());
    }
    let form = String::from_utf8_lossy(body);
    if let Some(a) = form.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return (service, a.to_string());
    }
    let mut parts = head.line.split(' ');
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("").split('?').next().unwrap_or("");
    let seg: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).skip(1).collect();
    let op = match (method, seg.as_slice()) {
        ("GET", ["functions"]) => "ListFunctions",
        ("GET", ["functions", _]) => "GetFunction",
        ("GET", ["functions", _, "policy"]) => "GetPolicy",
        ("POST", ["functions", _, "invocations"]) => "Invoke",
        ("GET", ["functions", _, "concurrency"]) => "GetFunctionConcurrency",
        ("PUT", ["functions", _, "concurrency"]) => "PutFunctionConcurrency",
        ("DELETE", ["functions", _, "concurrency"]) => "DeleteFunctionConcurrency",
        ("GET", ["tags", ..]) => "ListTags",
        ("GET", ["event-source-mappings"]) => "ListEventSourceMappings",
        ("PUT", ["event-source-mappings", _]) => "UpdateEventSourceMapping",
        ("GET", ["account-settings"]) => "GetAccountSettings",
        _ => "other",
    };
    (service, op.to_string())
}

/// The throttling error each service answers with.
fn throttle(service: &str, close: bool) -> Vec<u8> {
    match service {
        "lambda" => fault(
            429,
            "Too Many Requests",
            "application/json",
            Some("TooManyRequestsException"),
            r#"{"Type":"User","message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}"#,
            close,
        ),
        "kinesis" => fault(
            400,
            "Bad Request",
            "application/x-amz-json-1.1",
            Some("LimitExceededException"),
            r#"{"__type":"LimitExceededException","message":"Rate exceeded for account"}"#,
            close,
        ),
        "ec2" => fault(
            503,
            "Service Unavailable",
            "text/xml",
            None,
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>parkctl-proxy</RequestID></Response>",
            close,
        ),
        "monitoring" | "sts" | "rds" | "redshift" | "autoscaling" => fault(
            400,
            "Bad Request",
            "text/xml",
            None,
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>parkctl-proxy</RequestId></ErrorResponse>",
            close,
        ),
        _ => fault(
            400,
            "Bad Request",
            "application/x-amz-json-1.1",
            Some("ThrottlingException"),
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            close,
        ),
    }
}
