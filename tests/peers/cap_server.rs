//! Test harness for the SAP CAP peer server in `tests/peers/cap`: one `node` process per
//! [`CapServer`], bound to 127.0.0.1 on a free port with a fresh in-memory database seeded
//! from the CSV files, stopped by PID when dropped. Reusable by any test binary:
//! `#[path = "peers/cap_server.rs"] mod cap_server;`.
//!
//! There is no silent skip: a missing `node`, missing `node_modules` (run
//! `npm ci --ignore-scripts` in `tests/peers/cap`, as `.ci/test` does) or a server that does
//! not get ready in time fails the test with the server's output.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long the server may take to start (it takes about a second on a quiet machine).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// The line `server.js` prints once it accepts requests, followed by the service root.
const READY_PREFIX: &str = "FLOWBENCH_CAP_READY ";

/// The folder of the CAP project.
pub fn peer_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/cap"))
}

/// The seed data of one entity (`Customers`, `SalesOrders`, `SalesOrderLines`) as rows of
/// `(column, value)` pairs, read straight from the CSV file the server loads.
pub fn seed_rows(entity: &str) -> Vec<Vec<(String, String)>> {
    let path = peer_dir().join(format!("db/data/flowbench.erp-{entity}.csv"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .expect("the CSV has a header")
        .split(';')
        .map(str::to_owned)
        .collect();
    lines
        .map(|line| {
            header
                .iter()
                .cloned()
                .zip(line.split(';').map(str::to_owned))
                .collect()
        })
        .collect()
}

/// A running CAP server; killed (by PID) and reaped on drop.
pub struct CapServer {
    child: Child,
    root: String,
    output: Arc<Mutex<String>>,
}

impl CapServer {
    /// Starts a server and waits until it accepts requests. Panics (failing the test) when
    /// it cannot be started.
    pub fn start() -> Self {
        let dir = peer_dir();
        assert!(
            dir.join("node_modules/@sap/cds").is_dir(),
            "the CAP peer is not installed: run `npm ci --ignore-scripts` in {} \
             (.ci/test does this before cargo test)",
            dir.display()
        );
        let mut child = Command::new("node")
            .arg("server.js")
            .arg("0")
            .current_dir(&dir)
            .env("FLOWBENCH_CAP_MAX_SECONDS", "900")
            .env("NODE_ENV", "development")
            .stdin(Stdio::piped()) // the server exits when this closes
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run `node` for the CAP peer server: {e}"));
        let output = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("stdout is piped");
        let log = Arc::clone(&output);
        std::thread::Builder::new()
            .name("cap-output".into())
            .spawn(move || {
                let mut ready_tx = Some(ready_tx);
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(root) = line.strip_prefix(READY_PREFIX)
                        && let Some(tx) = ready_tx.take()
                    {
                        let _ = tx.send(root.trim().to_owned());
                    }
                    push_line(&log, &line);
                }
            })
            .expect("thread starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::clone(&output);
        std::thread::Builder::new()
            .name("cap-output".into())
            .spawn(move || {
                let mut text = String::new();
                let mut reader = BufReader::new(stderr);
                let mut buffer = [0u8; 4096];
                while let Ok(n) = reader.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    text.push_str(&String::from_utf8_lossy(&buffer[..n]));
                    while let Some(end) = text.find('\n') {
                        push_line(&log, &text[..end]);
                        text.drain(..=end);
                    }
                }
                if !text.is_empty() {
                    push_line(&log, &text);
                }
            })
            .expect("thread starts");
        let root = match ready_rx.recv_timeout(READY_TIMEOUT) {
            Ok(root) => root,
            Err(why) => {
                let _ = child.kill();
                let status = child.wait().ok();
                // Give the reader threads a moment to collect the last output (bounded).
                std::thread::sleep(Duration::from_millis(200));
                let log = output.lock().map(|l| l.clone()).unwrap_or_default();
                panic!(
                    "the CAP peer server did not get ready ({why:?}, exit status {status:?}); \
                     its output:\n{log}"
                );
            }
        };
        assert!(
            root.starts_with("http://127.0.0.1:"),
            "the CAP peer must listen on loopback only, got {root}"
        );
        Self {
            child,
            root,
            output,
        }
    }

    /// The service root, `http://127.0.0.1:{port}/odata/v4/erp/`.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// An absolute URL for a path relative to the service root.
    pub fn url(&self, relative: &str) -> String {
        format!("{}{}", self.root, relative.trim_start_matches('/'))
    }

    /// The process id of the server.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server printed so far (for failure messages).
    pub fn output(&self) -> String {
        self.output.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// `GET` over plain HTTP (independent of the engine): status and JSON body (`Null`
    /// when the body is empty or not JSON).
    pub async fn get(&self, relative: &str) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .get(self.url(relative))
            .header("Accept", "application/json")
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {relative}: {e}\n{}", self.output()));
        let status = response.status().as_u16();
        let body = response.bytes().await.expect("response body");
        (
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Every record of a collection over plain HTTP, following `@odata.nextLink` (resolved
    /// against the request URL, at most 100 pages).
    pub async fn get_all(&self, relative: &str) -> Vec<serde_json::Value> {
        let mut records = Vec::new();
        let mut next = Some(url::Url::parse(&self.url(relative)).expect("valid URL"));
        let client = reqwest::Client::new();
        for _ in 0..100 {
            let Some(url) = next.take() else {
                return records;
            };
            let body: serde_json::Value = client
                .get(url.clone())
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .unwrap_or_else(|e| panic!("GET {url}: {e}\n{}", self.output()))
                .json()
                .await
                .expect("a JSON collection");
            records.extend(body["value"].as_array().expect("a value array").clone());
            next = body["@odata.nextLink"]
                .as_str()
                .map(|link| url.join(link).expect("a valid nextLink"));
        }
        panic!("more than 100 pages at {relative}");
    }

    /// [`CapServer::get`] for synchronous tests (runs its own small runtime).
    pub fn get_blocking(&self, relative: &str) -> (u16, serde_json::Value) {
        block_on(self.get(relative))
    }

    /// [`CapServer::get_all`] for synchronous tests.
    pub fn get_all_blocking(&self, relative: &str) -> Vec<serde_json::Value> {
        block_on(self.get_all(relative))
    }
}

impl Drop for CapServer {
    fn drop(&mut self) {
        // Child::kill signals exactly this PID; wait() reaps it so no zombie is left.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn push_line(log: &Arc<Mutex<String>>, line: &str) {
    if let Ok(mut log) = log.lock() {
        // Bounded: keep the last ~256 KiB.
        if log.len() > 256 * 1024 {
            let cut = log.len() - 128 * 1024;
            let cut = (cut..log.len())
                .find(|i| log.is_char_boundary(*i))
                .unwrap_or(0);
            log.drain(..cut);
        }
        log.push_str(line);
        log.push('\n');
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}
