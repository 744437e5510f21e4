//! A real OpenID provider (oidc-provider on Node, installed by `npm ci` in tests/peers/oidc)
//! started per test on 127.0.0.1, and a small cookie-keeping "browser" that signs in through
//! its HTML pages.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use url::Url;

/// The audience (resource) of the JWT access tokens the provider issues.
pub const AUDIENCE: &str = "api://flowbench-demo";
/// The confidential client's ID.
pub const SERVICE_CLIENT: &str = "flowbench-service";
/// The public native client's ID (browser + PKCE, device code, refresh tokens).
pub const NATIVE_CLIENT: &str = "flowbench-native";

/// A running provider; dropping it kills the node process by PID.
pub struct OidcPeer {
    child: Child,
    /// The issuer, `http://127.0.0.1:PORT`.
    pub issuer: String,
    /// The confidential client's secret.
    pub service_secret: String,
}

/// Settings of a provider run.
pub struct PeerSettings {
    /// Access token lifetime.
    pub access_ttl_secs: u64,
    /// Audience of the access tokens.
    pub audience: String,
}

impl Default for PeerSettings {
    fn default() -> Self {
        Self {
            access_ttl_secs: 300,
            audience: AUDIENCE.to_owned(),
        }
    }
}

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/oidc")
}

impl OidcPeer {
    /// Starts the provider with default settings.
    pub fn start() -> Self {
        Self::start_with(&PeerSettings::default())
    }

    /// Starts the provider and waits (bounded) until it prints its issuer.
    pub fn start_with(settings: &PeerSettings) -> Self {
        let dir = peer_dir();
        assert!(
            dir.join("node_modules/oidc-provider/package.json")
                .is_file(),
            "oidc-provider is not installed: run `npm ci --no-audit --no-fund` in {}",
            dir.display()
        );
        let service_secret = format!("secret-{}", uuid::Uuid::new_v4());
        let log = std::env::var_os("FLOWBENCH_TEST_OIDC_LOG").is_some();
        let mut child = Command::new("node")
            .arg("server.js")
            .current_dir(&dir)
            .env("OIDC_AUDIENCE", &settings.audience)
            .env("OIDC_SERVICE_SECRET", &service_secret)
            .env("OIDC_ACCESS_TTL", settings.access_ttl_secs.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(if log { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .expect("node must be installed to run the sign-in tests");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("oidc-output".into())
            .spawn(move || {
                // Keep draining stdout for the provider's whole life (a closed pipe kills it).
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let _ = tx.send(line);
                }
            })
            .expect("thread starts");
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                panic!("the OpenID provider did not start: {e}");
            }
        };
        let issuer = line
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("unexpected provider output: {line}"))
            .to_owned();
        Self {
            child,
            issuer,
            service_secret,
        }
    }

    /// The device code page.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

impl Drop for OidcPeer {
    fn drop(&mut self) {
        // `Child::kill` signals exactly this process (by its PID).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page the browser got.
#[derive(Debug)]
pub struct Page {
    /// Where it came from.
    pub url: Url,
    /// HTTP status.
    pub status: u16,
    /// `Location` for redirects.
    pub location: Option<Url>,
    /// The body text.
    pub body: String,
}

/// A scripted browser: no automatic redirects, cookies kept by name, forms submitted with
/// their hidden fields plus `login`/`password` when asked.
pub struct TestBrowser {
    http: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl Default for TestBrowser {
    fn default() -> Self {
        Self::new()
    }
}

impl TestBrowser {
    /// A browser with an empty cookie jar.
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("reqwest client"),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    async fn finish(&self, url: Url, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        {
            let mut jar = self.cookies.lock().expect("cookie jar");
            for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
                let text = value.to_str().unwrap_or_default();
                let pair = text.split(';').next().unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    let expired = text
                        .to_ascii_lowercase()
                        .contains("expires=thu, 01 jan 1970");
                    if expired || value.is_empty() {
                        jar.remove(name.trim());
                    } else {
                        jar.insert(name.trim().to_owned(), value.trim().to_owned());
                    }
                }
            }
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let body = response.text().await.unwrap_or_default();
        Page {
            url,
            status,
            location,
            body,
        }
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().expect("cookie jar");
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GET with the cookies.
    pub async fn get(&self, url: &Url) -> Page {
        let response = self
            .http
            .get(url.clone())
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e:?}"));
        self.finish(url.clone(), response).await
    }

    /// POST a form with the cookies.
    pub async fn post_form(&self, url: &Url, fields: &[(String, String)]) -> Page {
        let response = self
            .http
            .post(url.clone())
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form_body(fields))
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        self.finish(url.clone(), response).await
    }

    /// Follows redirects and submits each page's first form (filling `login` and `password`)
    /// until a page without a form; returns that page and every URL visited.
    pub async fn sign_in_through(&self, start: &Url, login: &str) -> (Page, Vec<Url>) {
        let mut visited = Vec::new();
        let mut page = self.get(start).await;
        for _ in 0..30 {
            visited.push(page.url.clone());
            if let Some(next) = page.location.clone() {
                page = self.get(&next).await;
                continue;
            }
            let Some(form) = first_form(&page.body) else {
                return (page, visited);
            };
            let action = page.url.join(&form.action).expect("form action URL");
            let fields: Vec<(String, String)> = form
                .fields
                .into_iter()
                .map(|(name, value)| match name.as_str() {
                    "login" => (name, login.to_owned()),
                    "password" => (name, "any-password".to_owned()),
                    _ => (name, value),
                })
                .collect();
            page = self.post_form(&action, &fields).await;
        }
        panic!("the sign-in pages did not finish within 30 steps: {visited:?}");
    }
}

/// `application/x-www-form-urlencoded` text of `fields`.
pub fn form_body<K: AsRef<str>, V: AsRef<str>>(fields: &[(K, V)]) -> String {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        body.append_pair(name.as_ref(), value.as_ref());
    }
    body.finish()
}

/// A form: its action and named inputs.
pub struct Form {
    /// The `action` attribute.
    pub action: String,
    /// `(name, value)` of each named `<input>`.
    pub fields: Vec<(String, String)>,
}

/// The first `<form>` of an HTML page (a plain scan: these pages are simple).
pub fn first_form(html: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form_html = &html[start..end];
    let tag_end = form_html.find('>')?;
    let action = attribute(&form_html[..tag_end], "action").unwrap_or_default();
    let mut fields = Vec::new();
    let mut rest = &form_html[tag_end..];
    while let Some(at) = rest.find("<input") {
        let tag_len = rest[at..].find('>').unwrap_or(rest.len() - at);
        let tag = &rest[at..at + tag_len];
        if let Some(name) = attribute(tag, "name") {
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
        rest = &rest[at + tag_len..];
    }
    Some(Form { action, fields })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let at = tag.find(&needle)? + needle.len();
    let len = tag[at..].find('"')?;
    Some(
        tag[at..at + len]
            .replace("&amp;", "&")
            .replace("&#x2F;", "/")
            .replace("&#47;", "/"),
    )
}

/// The JSON claims of a JWT (no signature check: the demo instance does that).
pub fn jwt_claims(token: &str) -> serde_json::Value {
    try_jwt_claims(token).expect("a JWT with a base64url JSON payload")
}

/// The JSON claims of a JWT, or `None` when `token` is not one (for test servers).
pub fn try_jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&base64url_decode(payload)?).ok()
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'-' | b'+' => Some(62),
            b'_' | b'/' => Some(63),
            _ => None,
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = acc.to_be_bytes();
        out.push(a);
        if chunk.len() > 2 {
            out.push(b);
        }
        if chunk.len() > 3 {
            out.push(c);
        }
    }
    Some(out)
}
