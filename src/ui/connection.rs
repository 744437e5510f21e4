//! The window's link to an instance: starts the embedded demo instance, or resolves a saved
//! instance (signing in silently), and loads its `$metadata` in the background, so the UI
//! never waits on the network.

use std::path::PathBuf;
use std::sync::Arc;

use poll_promise::Promise;

use serde::{Deserialize, Serialize};

use super::sign_in::{SignInFlow, SignInNeeded};
use crate::auth::{AuthError, AuthMethod, Identity, InstanceAuth, Instances, SecretStore};
pub use crate::connector::DEMO_INSTANCE_NAME;
pub use crate::connector::session::load_metadata;
use crate::connector::{Session, SessionError};
use crate::demo::{DemoConfig, DemoThread};
use crate::odata::client::ODataClient;
use crate::odata::metadata::Model;

/// Which instance the window works with (remembered across restarts).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InstanceChoice {
    /// The embedded demo instance, started in-process.
    #[default]
    Demo,
    /// A saved instance (`flowbench instance add`), by name.
    Saved(String),
}

impl InstanceChoice {
    /// The name shown in the instance dropdown.
    pub fn label(&self) -> &str {
        match self {
            Self::Demo => DEMO_INSTANCE_NAME,
            Self::Saved(name) => name,
        }
    }
}

/// A connected instance: its client and metadata (and the demo server when it is ours).
pub struct Connected {
    /// The instance's name in the dropdown.
    pub name: String,
    /// Service root URL, e.g. `http://127.0.0.1:PORT/data/`.
    pub service_root: String,
    /// The OData client for this instance.
    pub client: ODataClient,
    /// Sign-in of a saved instance that signs in (for sign-out).
    pub auth: Option<Arc<InstanceAuth>>,
    /// Who is signed in, when the token says.
    pub identity: Option<Identity>,
    /// Why the latest request got no answer from the instance (cleared by the next answer).
    pub unreachable: Option<String>,
    /// Keeps the in-process demo server running while connected.
    _demo: Option<DemoThread>,
}

impl Connected {
    /// The window's view of an open session, with who is signed in.
    pub fn from_session(session: Session, identity: Option<Identity>) -> Self {
        Self {
            name: session.name,
            service_root: session.service_root,
            client: session.client,
            auth: session.auth,
            identity,
            unreachable: None,
            _demo: session.demo,
        }
    }
}

/// Why a connection attempt did not finish.
pub enum ConnectError {
    /// A saved instance needs an interactive sign-in first.
    SignIn(Box<SignInNeeded>),
    /// The attempt failed; the message says why.
    Failed(String),
}

impl From<String> for ConnectError {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

/// The result of a connection attempt.
pub type ConnectResult = Result<(Connected, Model), ConnectError>;

/// Where the window is with its instance.
// One value per window, replaced rarely: the pending promise's size does not matter.
pub enum Connection {
    /// Nothing requested yet.
    Idle,
    /// Starting the server or signing in silently, and loading metadata; the text says which.
    Connecting(Box<Promise<ConnectResult>>, String),
    /// A saved instance waits for the user to sign in.
    SignIn(Box<SignInFlow>),
    /// Ready for requests.
    Connected(Box<Connected>),
    /// The last attempt failed; the message says why.
    Failed(String),
}

/// The demo database in the user's data directory, so demo data survives restarts: the
/// one `flowbench … --demo` uses (`FLOWBENCH_DATA_DIR` overrides the directory for both).
pub fn default_demo_db() -> Option<PathBuf> {
    let dir = crate::flow::history::data_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("demo.sqlite"))
}

/// Starts the embedded demo instance with `config` and loads its metadata, off the UI thread.
/// A database that cannot be opened falls back to a fresh temporary one.
pub fn connect_demo(
    runtime: &tokio::runtime::Runtime,
    ctx: egui::Context,
    config: DemoConfig,
) -> Promise<ConnectResult> {
    let _guard = runtime.enter();
    Promise::spawn_async(async move {
        let result = start_and_load(config).await.map_err(ConnectError::from);
        ctx.request_repaint();
        result
    })
}

async fn start_and_load(config: DemoConfig) -> Result<(Connected, Model), String> {
    let fallback = DemoConfig {
        db_path: None,
        reset: false,
        ..config.clone()
    };
    let session = tokio::task::spawn_blocking(move || {
        Session::start_demo(config).or_else(|first| {
            tracing::warn!("demo database unusable ({first}); using a temporary one");
            Session::start_demo(fallback)
        })
    })
    .await
    .map_err(|e| format!("the demo instance did not start: {e}"))?
    .map_err(|e| e.to_string())?;
    // The demo's `$metadata` is read whole, without the on-disk cache (a new port each time).
    let model = session.metadata().await.map_err(|e| e.to_string())?;
    Ok((Connected::from_session(session, None), model))
}

impl Connected {
    /// Whether this instance keeps its `$metadata` in the on-disk cache (saved instances do;
    /// the in-process demo instance, on a new port each launch, does not).
    pub fn uses_metadata_cache(&self) -> bool {
        self._demo.is_none()
    }
}

/// The saved instances' names and service roots, in the order they were added; none when
/// the file is missing. An unreadable or invalid file (named with its line and column) is
/// the error: the dropdown then offers the demo instance only, and the file is left as it is.
pub fn saved_instances() -> Result<(Vec<String>, Vec<url::Url>), String> {
    Instances::load_default()
        .map(|instances| {
            instances
                .list()
                .iter()
                .map(|p| (p.name.clone(), p.url.clone()))
                .unzip()
        })
        .map_err(|e| e.to_string())
}

/// Connects to the saved instance `name`: resolves its profile, signs in silently where it
/// can (client secret, refresh token) and loads `$metadata` through the on-disk cache. When
/// only an interactive sign-in can help, the result is [`ConnectError::SignIn`].
/// `secrets` replaces the OS keyring (tests use a mock store).
pub fn connect_saved(
    runtime: &tokio::runtime::Runtime,
    ctx: egui::Context,
    name: String,
    secrets: Option<Arc<dyn SecretStore>>,
) -> Promise<ConnectResult> {
    let _guard = runtime.enter();
    Promise::spawn_async(async move {
        let result = resolve_and_load(name, secrets).await;
        ctx.request_repaint();
        result
    })
}

async fn resolve_and_load(
    name: String,
    secrets: Option<Arc<dyn SecretStore>>,
) -> Result<(Connected, Model), ConnectError> {
    let lookup = name.clone();
    let session = tokio::task::spawn_blocking(move || Session::saved(&lookup, secrets))
        .await
        .map_err(|e| format!("could not read the instance '{name}': {e}"))?
        .map_err(|e| match e {
            SessionError::NotSaved(_) => format!("the instance '{name}' is no longer saved"),
            other => other.to_string(),
        })?;
    let mut identity = None;
    if let Some(auth) = &session.auth {
        match auth.silent_token(false).await {
            Ok(_) => identity = auth.identity().ok().flatten(),
            Err(error) if needs_user(auth, &error) => {
                let reason = match error {
                    AuthError::NotSignedIn(_) => {
                        "You are not signed in to this instance yet.".to_owned()
                    }
                    AuthError::NoClientSecret(_) => {
                        "No client secret is stored for this instance.".to_owned()
                    }
                    AuthError::Provider(refused)
                        if auth.profile().auth == AuthMethod::ClientSecret =>
                    {
                        format!("The client secret was refused. {refused}")
                    }
                    other => format!("Your sign-in has expired. {other}"),
                };
                return Err(ConnectError::SignIn(Box::new(SignInNeeded {
                    instance: name,
                    service_root: session.service_root.clone(),
                    auth: auth.clone(),
                    reason,
                })));
            }
            Err(error) => return Err(format!("signing in to '{name}' failed: {error}").into()),
        }
    }
    let model = session.metadata().await.map_err(|e| e.to_string())?;
    Ok((Connected::from_session(session, identity), model))
}

/// Whether only the user can fix `error`: a sign-in, or a client secret to type.
fn needs_user(auth: &InstanceAuth, error: &AuthError) -> bool {
    if auth.profile().auth == AuthMethod::ClientSecret {
        error.needs_client_secret()
    } else {
        error.needs_interactive_sign_in()
    }
}

impl Connection {
    /// A one-line status for the status bar.
    pub fn status_text(&self, entity_count: usize) -> String {
        match self {
            Self::Idle => "No instance connected".to_owned(),
            Self::Connecting(_, status) => status.clone(),
            Self::SignIn(flow) => format!("Sign in to {} to continue", flow.instance()),
            Self::Connected(c) => match (&c.unreachable, &c.identity) {
                (Some(why), _) => format!("Cannot reach {}: {why}", c.service_root),
                (None, Some(identity)) => format!(
                    "Connected to {} as {} · {entity_count} entities",
                    c.service_root,
                    identity.label()
                ),
                (None, None) => {
                    format!("Connected to {} · {entity_count} entities", c.service_root)
                }
            },
            Self::Failed(message) => format!("Connection failed: {message}"),
        }
    }

    /// The colour of the instance's status dot.
    pub fn dot_color(&self) -> egui::Color32 {
        match self {
            Self::Idle => super::theme::MUTED,
            Self::Connecting(..) | Self::SignIn(_) => super::theme::WARNING,
            Self::Connected(_) if self.is_unreachable() => super::theme::ERROR,
            Self::Connected(_) => super::theme::SUCCESS,
            Self::Failed(_) => super::theme::ERROR,
        }
    }

    /// Records what the latest request said about the link: an answer clears a failure,
    /// no answer (`Some(why)`) marks the instance unreachable until the next answer.
    pub fn note_link(&mut self, unreachable: Option<String>) {
        if let Self::Connected(connected) = self {
            connected.unreachable = unreachable;
        }
    }

    /// Whether the instance is connected but its latest request got no answer.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Connected(c) if c.unreachable.is_some())
    }

    /// Whether a connection attempt is under way.
    pub fn is_connecting(&self) -> bool {
        matches!(self, Self::Connecting(..))
    }
}
