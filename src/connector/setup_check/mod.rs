//! The app-registration checklist: each step of the set-up Microsoft documents for an
//! instance (Entra ID app registration, F&O's "Microsoft Entra ID applications", least
//! privilege) tested in order, with what was checked and, on failure, what to fix where.

mod audience;
mod explain;
mod probes;
mod redirect;
mod run;
mod service;

use serde::Serialize;

pub use run::check_instance;

/// How one item of the checklist came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The step is set up.
    Passed,
    /// It works, but something should be changed.
    Warning,
    /// The step is not set up; `fix` says what to do.
    Failed,
    /// Not checked: not needed for the sign-in method, or an earlier step failed.
    Skipped,
}

impl CheckStatus {
    /// A short ASCII mark for plain-text lists: `[ok]`, `[warn]`, `[FAIL]`, `[skip]`.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Passed => "[ok]",
            Self::Warning => "[warn]",
            Self::Failed => "[FAIL]",
            Self::Skipped => "[skip]",
        }
    }
}

/// The items of the checklist, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckItem {
    /// The application (client) ID of the Entra ID app registration is set.
    ClientId,
    /// The authority (tenant) answers OpenID discovery.
    Authority,
    /// The loopback redirect URI of the browser sign-in is registered.
    RedirectUri,
    /// A client secret for unattended runs is in the keyring.
    ClientSecret,
    /// A token was obtained.
    Token,
    /// The token's audience is the instance.
    Audience,
    /// `$metadata` is readable with the token.
    Metadata,
    /// A record was read as the service user (registered in F&O, with roles).
    TestRead,
    /// The service user has no broader roles than it needs.
    LeastPrivilege,
}

impl CheckItem {
    /// Every item, in checking order.
    pub const ALL: [Self; 9] = [
        Self::ClientId,
        Self::Authority,
        Self::RedirectUri,
        Self::ClientSecret,
        Self::Token,
        Self::Audience,
        Self::Metadata,
        Self::TestRead,
        Self::LeastPrivilege,
    ];

    /// The item's title, in sentence case.
    pub fn title(self) -> &'static str {
        match self {
            Self::ClientId => "Application (client) ID",
            Self::Authority => "Tenant and authority",
            Self::RedirectUri => "Redirect URI for the browser sign-in",
            Self::ClientSecret => "Client secret for unattended runs",
            Self::Token => "Token obtained",
            Self::Audience => "Token audience",
            Self::Metadata => "Metadata readable",
            Self::TestRead => "Test read as the service user",
            Self::LeastPrivilege => "Least privilege",
        }
    }
}

/// One item's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Which item.
    pub item: CheckItem,
    /// Its title.
    pub title: &'static str,
    /// How it came out.
    pub status: CheckStatus,
    /// What was checked and what was found (never a secret or a token).
    pub checked: String,
    /// What to fix where (failures and warnings), or what to review by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl CheckResult {
    fn new(item: CheckItem, status: CheckStatus, checked: impl Into<String>) -> Self {
        Self {
            item,
            title: item.title(),
            status,
            checked: checked.into(),
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The checklist of one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// The instance's name.
    pub instance: String,
    /// One result per item, in checking order.
    pub results: Vec<CheckResult>,
}

impl Checklist {
    /// Whether no item failed (warnings and skipped items allowed).
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.status != CheckStatus::Failed)
    }

    /// The result of `item`.
    pub fn result(&self, item: CheckItem) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.item == item)
    }
}
