//! Running the checklist for one instance: each item in order, later items skipped when an
//! earlier one they need failed.

use std::sync::Arc;

use url::Url;

use super::explain::{
    APP_REGISTRATIONS, FNO_USERS, client, forbidden_fix, token_failure, unauthorized_fix,
};
use super::probes::{self, Answer};
use super::{CheckItem, CheckResult, CheckStatus, Checklist, audience};
use crate::auth::{
    AuthMethod, InstanceAuth, InstanceProfile, ProviderEndpoints, SecretKind, SecretStore,
    discover, oauth_client,
};

/// Bytes of `$metadata` read to see that it is a CSDL document (the rest is not downloaded).
const METADATA_PEEK: usize = 64 * 1024;
/// Bytes of a service document or record page read at most.
const JSON_LIMIT: usize = 8 * 1024 * 1024;
/// F&O's System administrator role, as the demo names it.
const SYSTEM_ADMINISTRATOR: &str = "-SYSADMIN-";

use CheckStatus::{Failed, Passed, Skipped, Warning};

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

struct Run<'a> {
    profile: &'a InstanceProfile,
    secrets: Arc<dyn SecretStore>,
    http: reqwest::Client,
    results: Vec<CheckResult>,
}

impl Run<'_> {
    fn push(&mut self, result: CheckResult) {
        self.results.push(result);
    }

    fn skip(&mut self, items: &[CheckItem], why: &str) {
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

    async fn redirect_uri(&mut self, endpoints: &ProviderEndpoints) {
        let item = CheckItem::RedirectUri;
        match self.profile.auth {
            AuthMethod::Browser => {}
            AuthMethod::DeviceCode => {
                let result = if endpoints.device_authorization_endpoint.is_some() {
                    CheckResult::new(item, Passed, "no redirect URI is needed for the device code; the provider offers a device authorization endpoint")
                        .fix(format!("in the {APP_REGISTRATIONS} > (the app) > Authentication, \"Allow public client flows\" must be on"))
                } else {
                    CheckResult::new(
                        item,
                        Failed,
                        "the provider has no device authorization endpoint",
                    )
                    .fix("use --auth browser, or a provider that supports the device code")
                };
                self.push(result);
                return;
            }
            _ => {
                self.push(CheckResult::new(
                    item,
                    Skipped,
                    "unattended runs (client secret) use no redirect URI",
                ));
                return;
            }
        }
        let redirect = "http://127.0.0.1:49152/";
        let mut url = endpoints.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("client_id", client(self.profile))
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", &self.profile.effective_scopes().join(" "))
            .append_pair("state", "flowbench-setup-check")
            .append_pair(
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            )
            .append_pair("code_challenge_method", "S256");
        let fix = format!(
            "in the {APP_REGISTRATIONS} > (the app) > Authentication, add the platform \"Mobile \
             and desktop applications\" with the redirect URIs http://localhost and \
             http://127.0.0.1 (any port is accepted on loopback)"
        );
        let result = match probes::get(&self.http, &url, None, "text/html", JSON_LIMIT).await {
            Err(e) => CheckResult::new(
                item,
                Failed,
                format!("the authorization endpoint could not be reached: {e}"),
            ),
            Ok(answer) => judge_authorize(&answer, redirect, client(self.profile), &fix),
        };
        self.push(result);
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

    /// Checks the audience: against the scope's resource when it names one, else by the
    /// service's answer to the token. Returns whether later items can go on.
    async fn audience(&mut self, claims: Option<&serde_json::Value>, token: &str) -> bool {
        let item = CheckItem::Audience;
        let scope_fix = "request a token for the instance: for F&O the scope is the \
             environment URL without a trailing slash plus /.default (https://HOST/.default, \
             --scope); with another provider, the resource (audience) the service accepts";
        let Some(claims) = claims else {
            self.push(CheckResult::new(
                item,
                Warning,
                "the token is not a JWT: its audience cannot be read",
            ));
            return true;
        };
        let auds = audience::audiences(claims);
        let shown = if auds.is_empty() {
            "(none)".to_owned()
        } else {
            auds.join(", ")
        };
        if let Some(expected) = audience::expected(self.profile) {
            if !audience::matches(self.profile, &expected, &auds) {
                self.push(
                    CheckResult::new(
                        item,
                        Failed,
                        format!("the token's audience (aud) is '{shown}'; expected '{expected}'"),
                    )
                    .fix(scope_fix),
                );
                return false;
            }
            self.push(CheckResult::new(
                item,
                Passed,
                format!("the token's audience (aud) is '{shown}', the instance's resource"),
            ));
            return true;
        }
        let answer = match self.metadata_url() {
            Some(url) => probes::get(
                &self.http,
                &url,
                Some(token),
                "application/xml",
                METADATA_PEEK,
            )
            .await
            .ok(),
            None => None,
        };
        let refused_audience = answer.as_ref().is_some_and(|a| {
            a.status == 401
                && a.challenge_description()
                    .is_some_and(|d| d.contains("audience"))
        });
        if refused_audience {
            let said = answer.and_then(|a| a.reason()).unwrap_or_default();
            self.push(
                CheckResult::new(
                    item,
                    Failed,
                    format!(
                        "the token's audience (aud) is '{shown}'; the service refused it: {said}"
                    ),
                )
                .fix(scope_fix),
            );
            return false;
        }
        self.push(CheckResult::new(
            item,
            Passed,
            format!("the token's audience (aud) is '{shown}'; the service accepted it"),
        ));
        true
    }

    fn metadata_url(&self) -> Option<Url> {
        self.profile.url.join("$metadata").ok()
    }

    async fn service(&mut self, token: Option<&str>, app_only: bool) {
        let Some(url) = self.metadata_url() else {
            self.skip(
                &CheckItem::ALL[6..],
                "the service URL cannot name $metadata",
            );
            return;
        };
        let metadata = probes::get(&self.http, &url, token, "application/xml", METADATA_PEEK).await;
        let item = CheckItem::Metadata;
        let ok = match metadata {
            Err(e) => {
                self.push(
                    CheckResult::new(item, Failed, format!("{url} could not be read: {e}"))
                        .fix("check the instance URL and that this machine can reach it"),
                );
                false
            }
            Ok(answer) if answer.status == 200 && answer.body.contains("edmx") => {
                self.push(CheckResult::new(
                    item,
                    Passed,
                    format!("{url} answered a CSDL document"),
                ));
                true
            }
            Ok(answer) => {
                let result = self.refusal(item, &url, &answer, app_only, "$metadata");
                self.push(result);
                false
            }
        };
        if !ok {
            self.skip(
                &CheckItem::ALL[7..],
                "needs $metadata, which could not be read",
            );
            return;
        }
        self.test_read(token, app_only).await;
    }

    /// A failed result for a refused request, translated by status.
    fn refusal(
        &self,
        item: CheckItem,
        url: &Url,
        answer: &Answer,
        app_only: bool,
        what: &str,
    ) -> CheckResult {
        let said = answer
            .reason()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let found = format!("GET {url} answered HTTP {}{said}", answer.status);
        match answer.status {
            401 => {
                CheckResult::new(item, Failed, found).fix(unauthorized_fix(self.profile, app_only))
            }
            403 => CheckResult::new(item, Failed, found).fix(forbidden_fix(self.profile, what)),
            _ => CheckResult::new(item, Failed, found)
                .fix("check the instance URL and the service's state"),
        }
    }

    async fn test_read(&mut self, token: Option<&str>, app_only: bool) {
        let item = CheckItem::TestRead;
        let root = self.profile.url.clone();
        let entity = match probes::get(&self.http, &root, token, "application/json", JSON_LIMIT)
            .await
        {
            Ok(answer) if answer.status == 200 => {
                probes::test_entity(&probes::entity_sets(&answer.body))
            }
            Ok(answer) => {
                let result = self.refusal(item, &root, &answer, app_only, "the service document");
                self.push(result);
                self.skip(&[CheckItem::LeastPrivilege], "needs a test read");
                return;
            }
            Err(_) => None,
        };
        let Some(entity) = entity else {
            self.push(CheckResult::new(
                item,
                Skipped,
                "the service document lists no entity set to read",
            ));
            self.skip(&[CheckItem::LeastPrivilege], "needs a test read");
            return;
        };
        let Ok(mut url) = root.join(&entity) else {
            self.skip(
                &[item, CheckItem::LeastPrivilege],
                "the entity's URL cannot be built",
            );
            return;
        };
        url.query_pairs_mut().append_pair("$top", "1");
        let who = if app_only {
            "the service user"
        } else {
            "the signed-in user"
        };
        let answer =
            match probes::get(&self.http, &url, token, "application/json", JSON_LIMIT).await {
                Ok(answer) if answer.status == 200 => answer,
                Ok(answer) => {
                    let result = self.refusal(item, &url, &answer, app_only, &entity);
                    self.push(result);
                    self.skip(&[CheckItem::LeastPrivilege], "needs a test read");
                    return;
                }
                Err(e) => {
                    self.push(CheckResult::new(
                        item,
                        Failed,
                        format!("{url} could not be read: {e}"),
                    ));
                    self.skip(&[CheckItem::LeastPrivilege], "needs a test read");
                    return;
                }
            };
        let count = serde_json::from_str::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|j| {
                j.get("value")
                    .and_then(serde_json::Value::as_array)
                    .map(Vec::len)
            })
            .unwrap_or(0);
        self.push(CheckResult::new(
            item,
            Passed,
            format!("read {count} record(s) of {entity} as {who} (GET {url})"),
        ));
        self.least_privilege(&answer);
    }

    fn least_privilege(&mut self, answer: &Answer) {
        let item = CheckItem::LeastPrivilege;
        let review = format!(
            "in {FNO_USERS} > (the service user) > Assign roles, keep only the roles for the \
             entities the integration uses; never System administrator"
        );
        let result = match &answer.roles {
            None => CheckResult::new(
                item,
                Skipped,
                "F&O does not report a user's roles over OData: review them by hand",
            )
            .fix(review),
            Some(roles)
                if roles
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(SYSTEM_ADMINISTRATOR)) =>
            {
                CheckResult::new(
                    item,
                    Warning,
                    format!(
                        "the user has the roles {} (System administrator)",
                        roles.join(", ")
                    ),
                )
                .fix(review)
            }
            Some(roles) => CheckResult::new(
                item,
                Passed,
                format!(
                    "the user has the roles {}, not System administrator",
                    roles.join(", ")
                ),
            ),
        };
        self.push(result);
    }
}

/// The authorization endpoint's answer to a probe with the loopback redirect.
fn judge_authorize(answer: &Answer, redirect: &str, client_id: &str, fix: &str) -> CheckResult {
    let item = CheckItem::RedirectUri;
    let body = answer.body.as_str();
    if body.contains("AADSTS50011")
        || body.contains("invalid_redirect_uri")
        || body.contains("redirect_uri_mismatch")
    {
        return CheckResult::new(
            item,
            Failed,
            format!("the provider refused the redirect URI {redirect}"),
        )
        .fix(fix);
    }
    if body.contains("AADSTS700016") || body.contains("invalid_client") {
        return CheckResult::new(
            item,
            Failed,
            format!("the provider does not know the client ID '{client_id}'"),
        )
        .fix(format!(
            "in the {APP_REGISTRATIONS}, copy the Application (client) ID from the app's Overview"
        ));
    }
    if let Some(location) = &answer.location {
        if location.starts_with(redirect) && location.contains("error=") {
            let error = Url::parse(location).ok().and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "error")
                    .map(|(_, v)| v.into_owned())
            });
            let error = error.unwrap_or_default();
            return CheckResult::new(item, Failed, format!("the provider accepted the redirect URI but answered {error}"))
                .fix(format!("in the {APP_REGISTRATIONS} > (the app) > Authentication, allow the authorization code flow for this client"));
        }
        return CheckResult::new(
            item,
            Passed,
            format!(
                "the provider accepted client ID '{client_id}' with the redirect URI {redirect} and went on to sign in"
            ),
        );
    }
    if answer.status == 200 {
        return CheckResult::new(
            item,
            Passed,
            format!(
                "the provider showed its sign-in page for client ID '{client_id}' and the redirect URI {redirect}"
            ),
        );
    }
    CheckResult::new(
        item,
        Failed,
        format!("the authorization endpoint answered HTTP {}", answer.status),
    )
    .fix(fix)
}
