//! The HTTP server behind Flowbench's loopback listeners (business-event webhooks and
//! `flowbench serve`), bounded against clients that hold resources: a connection must send
//! a request's headers within [`Limits::header_read`] (also the longest a kept-alive
//! connection may sit idle), a request's body within [`Limits::body_read`], and at most
//! [`Limits::connections`] connections are open at once (others are closed at once rather
//! than left waiting). Stopping closes idle connections and lets requests under way finish.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt;

use crate::odata::client::CancelToken;

/// What a loopback server allows a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a request's headers, counted from the connection's start or the end of
    /// the previous answer (so an idle kept-alive connection is closed after it too).
    pub header_read: Duration,
    /// Time to send a request's whole body, counted from its headers.
    pub body_read: Duration,
    /// Connections open at once.
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(30),
            body_read: Duration::from_secs(60),
            connections: 256,
        }
    }
}

/// A request body that was not received within [`Limits::body_read`].
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received within {0:?}")]
pub struct BodyTimedOut(pub Duration);

/// Whether reading a body failed because it came too slowly (see [`BodyTimedOut`]).
pub fn is_body_timeout(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = source {
        if err.is::<BodyTimedOut>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Serves `app` on `listener` in the background within `limits` until the token returned
/// is cancelled (`what` names the server in warnings).
pub fn serve_until_stopped(
    listener: tokio::net::TcpListener,
    app: Router,
    what: &'static str,
    limits: Limits,
) -> CancelToken {
    let stop = CancelToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        let graceful = GracefulShutdown::new();
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.connections));
        let mut refused_told = false;
        loop {
            let stream = tokio::select! {
                () = stopped.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors, most often: wait for some to close.
                        tracing::warn!("{what}: cannot accept a connection: {err}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                if !refused_told {
                    tracing::warn!(
                        "{what}: {} connections are open; new ones are closed until some end",
                        limits.connections
                    );
                    refused_told = true;
                }
                drop(stream);
                continue;
            };
            refused_told = false;
            let app = app.clone();
            let body_read = limits.body_read;
            let service =
                TowerToHyperService::new(tower::service_fn(move |request: Request<Incoming>| {
                    let (parts, body) = request.into_parts();
                    let body = Body::new(Deadline::new(body, body_read));
                    app.clone().oneshot(Request::from_parts(parts, body))
                }));
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                // A client that went away or sent garbage is no news.
                let _ = connection.await;
                drop(slot);
            });
        }
        drop(listener);
        graceful.shutdown().await;
    });
    stop
}

/// A body that fails once its deadline has passed.
struct Deadline<B> {
    inner: B,
    limit: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl<B> Deadline<B> {
    fn new(inner: B, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            sleep: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl<B> HttpBody for Deadline<B>
where
    B: HttpBody + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = B::Data;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut(this.limit)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::post;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    async fn echo(body: axum::body::Body) -> String {
        match axum::body::to_bytes(body, 1 << 20).await {
            Ok(bytes) => format!("got {}", bytes.len()),
            Err(err) if is_body_timeout(&err) => "timed out".to_owned(),
            Err(err) => format!("failed: {err}"),
        }
    }

    async fn start(limits: Limits) -> (std::net::SocketAddr, CancelToken) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new().route("/", post(echo));
        (address, serve_until_stopped(listener, app, "test", limits))
    }

    /// Reads until the server closes the connection (bounded), returning what it sent.
    async fn read_to_close(stream: &mut TcpStream) -> Option<String> {
        let mut got = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut got));
        match read.await {
            Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
            Err(_) => None,
        }
    }

    fn short() -> Limits {
        Limits {
            header_read: Duration::from_millis(300),
            body_read: Duration::from_millis(300),
            connections: 4,
        }
    }

    #[tokio::test]
    async fn a_request_is_served_and_an_idle_kept_alive_connection_closed() {
        let (address, stop) = start(short()).await;
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            .await
            .unwrap();
        let answer = read_to_close(&mut stream).await.expect("closed when idle");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("got 3"), "{answer}");
        stop.cancel();
    }

    #[tokio::test]
    async fn a_connection_that_sends_nothing_or_half_a_head_is_closed() {
        let (address, stop) = start(short()).await;
        let mut silent = TcpStream::connect(address).await.unwrap();
        let mut slow = TcpStream::connect(address).await.unwrap();
        slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        assert!(read_to_close(&mut silent).await.is_some());
        assert!(read_to_close(&mut slow).await.is_some());
        stop.cancel();
    }

    #[tokio::test]
    async fn a_body_sent_too_slowly_fails_its_request() {
        let (address, stop) = start(short()).await;
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            .await
            .unwrap();
        let mut got = vec![0; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut got))
            .await
            .expect("answered")
            .unwrap();
        let answer = String::from_utf8_lossy(&got[..n]);
        assert!(answer.ends_with("timed out"), "{answer}");
        stop.cancel();
    }

    #[tokio::test]
    async fn connections_past_the_limit_are_closed_and_the_others_served() {
        let limits = Limits {
            header_read: Duration::from_secs(10),
            ..short()
        };
        let (address, stop) = start(limits).await;
        let mut held = Vec::new();
        for _ in 0..limits.connections {
            held.push(TcpStream::connect(address).await.unwrap());
        }
        // Let the server take them all.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut extra = TcpStream::connect(address).await.unwrap();
        assert_eq!(read_to_close(&mut extra).await.as_deref(), Some(""));
        drop(held);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\na",
            )
            .await
            .unwrap();
        let answer = read_to_close(&mut stream).await.unwrap();
        assert!(answer.ends_with("got 1"), "{answer}");
        stop.cancel();
    }

    #[tokio::test]
    async fn stopping_closes_idle_connections() {
        let limits = Limits {
            header_read: Duration::from_secs(30),
            ..short()
        };
        let (address, stop) = start(limits).await;
        let mut idle = TcpStream::connect(address).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.cancel();
        assert!(read_to_close(&mut idle).await.is_some());
    }
}
