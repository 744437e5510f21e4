//! What an interactive sign-in asks the user to do, reported to the caller (CLI or GUI).

use std::sync::Arc;
use std::time::Duration;

use url::Url;

/// Something the user must do to finish signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInPrompt {
    /// Browser sign-in: the page to visit. `opened` is false when no browser could be
    /// started (or opening was not asked for): show the URL so the user can copy it.
    OpenBrowser {
        /// The authorization URL.
        url: Url,
        /// Whether the system browser was started.
        opened: bool,
    },
    /// Device code: enter `user_code` at `verification_uri`.
    DeviceCode {
        /// The code to type.
        user_code: String,
        /// Where to type it.
        verification_uri: String,
        /// A URL with the code filled in, when the provider gives one.
        verification_uri_complete: Option<String>,
        /// How long the code is valid.
        expires_in: Duration,
    },
}

/// Receives [`SignInPrompt`]s (e.g. prints them, or sends them to the GUI over a channel).
pub type PromptSink = Arc<dyn Fn(SignInPrompt) + Send + Sync>;
