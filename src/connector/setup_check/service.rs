//! The service-side items: the token's audience, `$metadata`, a test read as the service
//! user and least privilege, with 401 and 403 translated into what to fix in F&O.

use url::Url;

use super::explain::{FNO_USERS, forbidden_fix, unauthorized_fix};
use super::probes::{self, Answer};
use super::run::{JSON_LIMIT, Run};
use super::{
    CheckItem, CheckResult,
    CheckStatus::{Failed, Passed, Skipped, Warning},
    audience,
};

/// Bytes of `$metadata` read to see that it is a CSDL document (the rest is not downloaded).
const METADATA_PEEK: usize = 64 * 1024;
/// F&O's System administrator role, as the demo names it.
const SYSTEM_ADMINISTRATOR: &str = "-SYSADMIN-";

impl Run<'_> {
    /// Checks the audience: against the scope's resource when it names one, else by the
    /// service's answer to the token. Returns whether later items can go on.
    pub(super) async fn audience(
        &mut self,
        claims: Option<&serde_json::Value>,
        token: &str,
    ) -> bool {
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

    pub(super) async fn service(&mut self, token: Option<&str>, app_only: bool) {
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
