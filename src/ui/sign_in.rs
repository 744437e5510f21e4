//! The sign-in screen of a saved instance: browser (PKCE) or device code, run in the
//! background with the prompt (link to open, code to enter) shown in the window, cancellable;
//! for a service principal, a masked field for a new client secret.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use poll_promise::Promise;
use tokio_util::sync::CancellationToken;

use crate::auth::{AuthError, InstanceAuth, InteractiveOptions, Secret, SignInPrompt};

mod card;

pub use card::sign_in_ui;

/// A saved instance that needs an interactive sign-in before it can be used.
pub struct SignInNeeded {
    /// The instance's name.
    pub instance: String,
    /// Its service root.
    pub service_root: String,
    /// Its sign-in.
    pub auth: Arc<InstanceAuth>,
    /// Why (not signed in yet, sign-in expired, signed out).
    pub reason: String,
}

/// The sign-in screen's state for one instance.
pub struct SignInFlow {
    needed: SignInNeeded,
    phase: Phase,
    /// A client secret being typed (masked; kept only once the provider accepts it).
    secret_input: String,
    /// Where tokens are kept (said on the card, so users know whether they persist).
    keyring: String,
}

enum Phase {
    /// Waiting for the user to choose; `problem` says why the last attempt failed.
    Ready { problem: Option<String> },
    /// A sign-in runs in the background.
    Waiting(Waiting),
}

struct Waiting {
    /// What is shown until the provider answers.
    starting: &'static str,
    prompt: Option<(SignInPrompt, Instant)>,
    /// The link or code to show (none for a client secret, which needs no prompt).
    prompts: Option<mpsc::Receiver<SignInPrompt>>,
    cancel: CancellationToken,
    promise: Promise<Result<(), AuthError>>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        // Leaving the screen (another instance picked) stops the listener or the polling.
        self.cancel.cancel();
    }
}

/// What happened on the sign-in screen this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    /// Nothing to do.
    Pending,
    /// The tokens are in the keyring: connect.
    SignedIn,
}

impl SignInFlow {
    /// The screen for `needed`, waiting for the user to start.
    pub fn new(needed: SignInNeeded) -> Self {
        Self {
            keyring: needed.auth.keyring_description(),
            needed,
            phase: Phase::Ready { problem: None },
            secret_input: String::new(),
        }
    }

    /// The instance's name.
    pub fn instance(&self) -> &str {
        &self.needed.instance
    }

    /// Whether a sign-in runs.
    pub fn is_waiting(&self) -> bool {
        matches!(self.phase, Phase::Waiting(_))
    }

    /// What the user is asked to do (the link or the code), while a sign-in runs.
    pub fn prompt(&self) -> Option<&SignInPrompt> {
        match &self.phase {
            Phase::Waiting(waiting) => waiting.prompt.as_ref().map(|(p, _)| p),
            Phase::Ready { .. } => None,
        }
    }

    /// Why the last attempt failed.
    pub fn problem(&self) -> Option<&str> {
        match &self.phase {
            Phase::Ready { problem } => problem.as_deref(),
            Phase::Waiting(_) => None,
        }
    }

    /// Starts signing in, with the device code flow or the profile's browser flow.
    pub fn start(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        device_code: bool,
        open_browser: bool,
    ) {
        let (sender, prompts) = mpsc::channel();
        let repaint = ctx.clone();
        let mut options = InteractiveOptions::new(Arc::new(move |prompt| {
            let _ = sender.send(prompt);
            repaint.request_repaint();
        }));
        options.device_code = device_code;
        options.open_browser = open_browser;
        let cancel = options.cancel.clone();
        let auth = self.needed.auth.clone();
        let ctx = ctx.clone();
        let _guard = runtime.enter();
        let promise = Promise::spawn_async(async move {
            let result = auth.sign_in(&options).await;
            ctx.request_repaint();
            result
        });
        self.phase = Phase::Waiting(Waiting {
            starting: if device_code {
                "Asking for a device code…"
            } else {
                "Preparing the sign-in page…"
            },
            prompt: None,
            prompts: Some(prompts),
            cancel,
            promise,
        });
    }

    /// Signs a service principal in with `secret`, kept in the keyring once accepted.
    pub fn start_with_secret(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        secret: Secret,
    ) {
        let cancel = CancellationToken::new();
        let cancelled = cancel.clone();
        let auth = self.needed.auth.clone();
        let ctx = ctx.clone();
        let _guard = runtime.enter();
        let promise = Promise::spawn_async(async move {
            let result = tokio::select! {
                result = auth.sign_in_with_client_secret(&secret) => result,
                () = cancelled.cancelled() => Err(AuthError::Cancelled),
            };
            ctx.request_repaint();
            result
        });
        self.phase = Phase::Waiting(Waiting {
            starting: "Checking the client secret…",
            prompt: None,
            prompts: None,
            cancel,
            promise,
        });
    }

    /// Cancels a running sign-in.
    pub fn cancel(&mut self) {
        if let Phase::Waiting(waiting) = &self.phase {
            waiting.cancel.cancel();
        }
    }

    /// Takes the sign-in's prompts and result; `SignedIn` once the tokens are stored.
    pub fn poll(&mut self) -> SignInOutcome {
        let Phase::Waiting(waiting) = &mut self.phase else {
            return SignInOutcome::Pending;
        };
        if let Some(prompts) = &waiting.prompts {
            while let Ok(prompt) = prompts.try_recv() {
                waiting.prompt = Some((prompt, Instant::now()));
            }
        }
        let Some(result) = waiting.promise.ready() else {
            return SignInOutcome::Pending;
        };
        let problem = match result {
            Ok(()) => return SignInOutcome::SignedIn,
            Err(AuthError::Cancelled) => "The sign-in was cancelled.".to_owned(),
            Err(error) => error.to_string(),
        };
        self.phase = Phase::Ready {
            problem: Some(problem),
        };
        SignInOutcome::Pending
    }
}
