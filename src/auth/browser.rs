//! Interactive browser sign-in: authorization code + PKCE with a loopback redirect (RFC 8252).

use std::time::Duration;

use oauth2::{AuthUrl, AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::{AuthError, ProviderError};
use super::flows::{OAuthApp, stored_tokens, token_error};
use super::http::OAuthHttp;
use super::prompt::{PromptSink, SignInPrompt};
use super::secrets::StoredTokens;

/// How the browser sign-in behaves.
#[derive(Clone)]
pub struct BrowserOptions {
    /// Start the system browser (`open`); when false the caller shows the URL.
    pub open_browser: bool,
    /// Where the authorization URL is reported.
    pub prompt: PromptSink,
    /// Give up after this long.
    pub timeout: Duration,
    /// Cancels the wait for the browser.
    pub cancel: CancellationToken,
}

/// What came back on the loopback redirect.
enum Callback {
    Code(String),
    Error(ProviderError),
}

/// Runs the whole browser flow and returns the tokens.
pub async fn sign_in_with_browser(
    app: &OAuthApp,
    options: &BrowserOptions,
) -> Result<StoredTokens, AuthError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| AuthError::Callback(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| AuthError::Callback(e.to_string()))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/");
    let redirect_url =
        RedirectUrl::new(redirect).map_err(|e| AuthError::Callback(e.to_string()))?;
    let client = app
        .token_client()
        .set_auth_uri(AuthUrl::from_url(
            app.endpoints.authorization_endpoint.clone(),
        ))
        .set_redirect_uri(redirect_url);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(app.scope_list())
        .set_pkce_challenge(challenge)
        .url();

    let opened = options.open_browser && open::that_detached(url.as_str()).is_ok();
    (options.prompt)(SignInPrompt::OpenBrowser {
        url: url.clone(),
        opened,
    });

    let wait = wait_for_callback(&listener, state.secret());
    let callback = tokio::select! {
        result = wait => result?,
        () = options.cancel.cancelled() => return Err(AuthError::Cancelled),
        () = tokio::time::sleep(options.timeout) => {
            return Err(AuthError::TimedOut("no answer from the browser".into()))
        }
    };
    let code = match callback {
        Callback::Code(code) => code,
        Callback::Error(error) => return Err(AuthError::Provider(error)),
    };
    let http = OAuthHttp(app.http.clone());
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(token_error)?;
    Ok(stored_tokens(&response, None))
}

/// Serves the loopback listener until a request with the expected `state` and a `code` or
/// `error` arrives; other requests (favicon, wrong state) get an error page and are ignored.
async fn wait_for_callback(
    listener: &TcpListener,
    expected_state: &str,
) -> Result<Callback, AuthError> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| AuthError::Callback(e.to_string()))?;
        let Some(target) = read_request_target(&mut stream).await else {
            continue;
        };
        let Ok(url) = Url::parse(&format!("http://127.0.0.1{target}")) else {
            respond(
                &mut stream,
                400,
                "Bad request",
                "The request was not understood.",
            )
            .await;
            continue;
        };
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let (code, error) = (param("code"), param("error"));
        if code.is_none() && error.is_none() {
            respond(
                &mut stream,
                404,
                "Not found",
                "This is Flowbench's sign-in listener.",
            )
            .await;
            continue;
        }
        if param("state").as_deref() != Some(expected_state) {
            respond(
                &mut stream,
                400,
                "Sign-in refused",
                "The answer did not match the sign-in Flowbench started (state mismatch). Start the sign-in again.",
            )
            .await;
            continue;
        }
        if let Some(error) = error {
            let error = ProviderError {
                error,
                description: param("error_description"),
            };
            respond(&mut stream, 200, "Sign-in failed", &error.to_string()).await;
            return Ok(Callback::Error(error));
        }
        respond(
            &mut stream,
            200,
            "Signed in",
            "Flowbench is signed in. You can close this tab and return to Flowbench.",
        )
        .await;
        if let Some(code) = code {
            return Ok(Callback::Code(code));
        }
    }
}

/// Reads the request head (bounded in size and time) and returns the request target.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let text = String::from_utf8_lossy(&head);
    let mut parts = text.lines().next()?.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    (method == "GET" && target.starts_with('/')).then(|| target.to_owned())
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, message: &str) {
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Flowbench: {title}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{}</p></body></html>",
        html_escape(message).replace('\n', "<br>")
    );
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{page}",
        page.len()
    );
    // The browser may already have gone; nothing to do about a failed write.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
