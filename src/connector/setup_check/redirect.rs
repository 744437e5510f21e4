//! The redirect URI item: an authorization request with the browser sign-in's loopback
//! redirect and PKCE, not followed, and what the provider's answer means.

use url::Url;

use super::explain::{APP_REGISTRATIONS, client};
use super::probes::{self, Answer};
use super::run::{JSON_LIMIT, Run};
use super::{
    CheckItem, CheckResult,
    CheckStatus::{Failed, Passed, Skipped},
};
use crate::auth::{AuthMethod, ProviderEndpoints};

impl Run<'_> {
    pub(super) async fn redirect_uri(&mut self, endpoints: &ProviderEndpoints) {
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
