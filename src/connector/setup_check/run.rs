//! Running the checklist for one instance: each item in order, later items skipped when an
//! earlier one they need failed.

use std::sync::Arc;

use super::explain::{APP_REGISTRATIONS, token_failure};
use super::{CheckItem, CheckResult, CheckStatus, Checklist, audience};
use crate::auth::{
    AuthMethod, InstanceAuth, InstanceProfile, ProviderEndpoints, SecretKind, SecretStore,
    discover, oauth_client,
};

/// Bytes of a service document, record page or sign-in page read at most.
pub(super) const JSON_LIMIT: usize = 8 * 1024 * 1024;

use CheckStatus::{Failed, Passed, Skipped};

/// Runs every item of the checklist for `profile`, reading its secrets from `secrets`.
/// Never prints and never shows a secret or token in the results.
pub async fn check_instance(profile: &InstanceProfile, secrets: Arc<dyn SecretStore>) -> Checklist {
    let mut results = Vec::new();
    let http = match oauth_client() {
        Ok(http) => http,
        Err(e) => {
            results.push(CheckResult::new(
                CheckItem::Authority,
                Failed,
                format!("no HTTP client: {e}"),
            ));
            return Checklist {
                instance: profile.name.clone(),
                results,
            };
        }
    };
    let mut run = Run {
        profile,
        secrets,
        http,
        results,
    };
    run.all().await;
    Checklist {
        instance: profile.name.clone(),
        results: run.results,
    }
}

/// One run of the checklist: the instance, its secrets, the HTTP client and the results so far.
pub(super) struct Run<'a> {
    pub(super) profile: &'a InstanceProfile,
    pub(super) secrets: Arc<dyn SecretStore>,
    pub(super) http: reqwest::Client,
    pub(super) results: Vec<CheckResult>,
}

impl Run<'_> {
    pub(super) fn push(&mut self, result: CheckResult) {
        self.results.push(result);
    }

    pub(super) fn skip(&mut self, items: &[CheckItem], why: &str) {
        for item in items {
            self.push(CheckResult::new(*item, Skipped, why));
        }
    }

    async fn all(&mut self) {
        let signs_in = self.profile.auth != AuthMethod::None;
        if signs_in {
            self.client_id();
        } else {
            self.skip(
                &[
                    CheckItem::ClientId,
                    CheckItem::Authority,
                    CheckItem::RedirectUri,
                    CheckItem::ClientSecret,
                    CheckItem::Token,
                    CheckItem::Audience,
                ],
                "the instance has no sign-in (auth none)",
            );
            self.service(None, false).await;
            return;
        }
        let Some(endpoints) = self.authority().await else {
            self.skip(
                &CheckItem::ALL[2..],
                "needs the authority, which could not be read",
            );
            return;
        };
        self.redirect_uri(&endpoints).await;
        self.client_secret();
        let Some(token) = self.token().await else {
            self.skip(
                &CheckItem::ALL[5..],
                "needs a token, which could not be obtained",
            );
            return;
        };
        let claims = audience::claims(&token);
        let app_only = claims.as_ref().is_some_and(audience::is_app_only);
        if !self.audience(claims.as_ref(), &token).await {
            self.skip(
                &CheckItem::ALL[6..],
                "needs a token for the instance's audience",
            );
            return;
        }
        self.service(Some(&token), app_only).await;
    }

    fn client_id(&mut self) {
        let result = match &self.profile.client_id {
            Some(id) => CheckResult::new(
                CheckItem::ClientId,
                Passed,
                format!("client ID '{id}' is set"),
            ),
            None => CheckResult::new(CheckItem::ClientId, Failed, "no client ID in the instance")
                .fix(format!(
                    "in the {APP_REGISTRATIONS}, register an app (or open yours) and copy its \
                     Application (client) ID from Overview; then `flowbench instance add {} ... \
                     --client-id ID`",
                    self.profile.name
                )),
        };
        self.push(result);
    }

    async fn authority(&mut self) -> Option<ProviderEndpoints> {
        let authority = match self.profile.authority_url() {
            Ok(url) => url,
            Err(e) => {
                self.push(
                    CheckResult::new(CheckItem::Authority, Failed, e.to_string()).fix(
                        "give the tenant (directory ID or domain, from Entra ID > Overview) with \
                         --tenant, or the issuer with --authority",
                    ),
                );
                return None;
            }
        };
        let discovery = crate::auth::discovery_url(&authority);
        match discover(&self.http, &authority).await {
            Ok(endpoints) => {
                self.push(CheckResult::new(
                    CheckItem::Authority,
                    Passed,
                    format!(
                        "OpenID discovery at {discovery} answered (issuer {})",
                        endpoints.issuer
                    ),
                ));
                Some(endpoints)
            }
            Err(e) => {
                self.push(
                    CheckResult::new(CheckItem::Authority, Failed, e.to_string()).fix(
                        "check the tenant (directory ID or domain, from Entra ID > Overview) or \
                         the authority URL, and that this machine can reach it",
                    ),
                );
                None
            }
        }
    }

    fn client_secret(&mut self) {
        let item = CheckItem::ClientSecret;
        if self.profile.auth != AuthMethod::ClientSecret {
            self.push(CheckResult::new(item, Skipped, format!(
                "the instance signs in as a user ({}); unattended runs need --auth client-secret",
                self.profile.auth.name()
            )).fix(format!(
                "for unattended runs, create a client secret in the {APP_REGISTRATIONS} > (the app) > \
                 Certificates & secrets and add an instance with --client-secret-env VAR \
                 (Flowbench does not sign in with certificates)"
            )));
            return;
        }
        let result = match self.secrets.get(&self.profile.name, SecretKind::ClientSecret) {
            Ok(Some(_)) => CheckResult::new(item, Passed, format!("a client secret is in the {}", self.secrets.describe())),
            Ok(None) => CheckResult::new(item, Failed, format!("no client secret in the {}", self.secrets.describe())).fix(format!(
                "create a secret in the {APP_REGISTRATIONS} > (the app) > Certificates & secrets and \
                 save its Value: `flowbench instance add {} ... --client-secret-env VAR`",
                self.profile.name
            )),
            Err(e) => CheckResult::new(item, Failed, format!("the keyring could not be read: {e}")),
        };
        self.push(result);
    }

    async fn token(&mut self) -> Option<String> {
        let item = CheckItem::Token;
        let auth = match InstanceAuth::new(self.profile.clone(), Arc::clone(&self.secrets)) {
            Ok(auth) => auth,
            Err(e) => {
                self.push(CheckResult::new(item, Failed, e.to_string()));
                return None;
            }
        };
        let scopes = self.profile.effective_scopes();
        let got = if self.profile.auth == AuthMethod::ClientSecret {
            // A new token, so that the secret itself is tested (not a cached token).
            auth.token_for_scopes(&scopes).await.map(Some)
        } else {
            auth.silent_token(false).await
        };
        match got {
            Ok(Some(token)) => {
                let how = if self.profile.auth == AuthMethod::ClientSecret {
                    "client credentials"
                } else {
                    "the stored sign-in"
                };
                self.push(CheckResult::new(
                    item,
                    Passed,
                    format!(
                        "a token was obtained with {how} for scope '{}'",
                        scopes.join(" ")
                    ),
                ));
                Some(token.secret().to_owned())
            }
            Ok(None) => {
                self.push(CheckResult::new(
                    item,
                    Skipped,
                    "the instance has no sign-in",
                ));
                None
            }
            Err(e) => {
                let (found, fix) = token_failure(self.profile, &e);
                self.push(CheckResult::new(item, Failed, found).fix(fix));
                None
            }
        }
    }
}
