//! Serving HTTP/1.1 connections with the limits a public server needs ([`Caps`]): the request
//! line and headers — and the next request on a kept-alive connection — within a time, each
//! request body within a time, and at most so many connections from one address and in all.
//! A connection over a cap is closed at once, before any TLS handshake, so one client cannot
//! exhaust the server's file handles and everyone else, health checks included, still gets in.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a stop waits for requests in progress.
const DRAIN: Duration = Duration::from_secs(10);

/// The limits, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// The request line and headers must arrive within this; so must the next request on an
    /// idle kept-alive connection.
    pub header_timeout: Duration,
    /// A request's body must arrive within this once its headers have.
    pub body_timeout: Duration,
    /// Open connections in all (the default stays below the usual 1,024 file handles, leaving
    /// room for the database and the log).
    pub total: usize,
    /// Open connections from one address.
    pub per_address: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
            total: 768,
            per_address: 128,
        }
    }
}

/// Counts open connections, in all and per address.
#[derive(Debug)]
pub struct Limits {
    caps: Caps,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One admitted connection; dropping it gives its place back.
#[derive(Debug)]
pub struct Admitted {
    limits: Arc<Limits>,
    ip: IpAddr,
}

impl Limits {
    pub fn new(caps: Caps) -> Arc<Self> {
        Arc::new(Limits { caps, open: Mutex::default() })
    }

    /// A place for a connection from `ip`, or `None` when it is over a cap.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let (total, by_address) = &mut *open;
        if *total >= self.caps.total || by_address.get(&ip).is_some_and(|n| *n >= self.caps.per_address) {
            return None;
        }
        let from_here = by_address.entry(ip).or_default();
        *from_here += 1;
        *total += 1;
        Some(Admitted { limits: Arc::clone(self), ip })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().unwrap_or_else(PoisonError::into_inner);
        let (total, by_address) = &mut *open;
        *total -= 1;
        if let Some(n) = by_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                by_address.remove(&self.ip);
            }
        }
    }
}

/// Where admitted connections come from (plain TCP or finished TLS handshakes).
pub trait Accept {
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn accept(&mut self) -> impl Future<Output = (Self::Io, SocketAddr, Admitted)> + Send;
}

/// Plain TCP connections (perhaps from a TLS-terminating proxy), admitted under the caps.
#[derive(Debug)]
pub struct Plain {
    pub tcp: tokio::net::TcpListener,
    pub limits: Arc<Limits>,
}

impl Accept for Plain {
    type Io = tokio::net::TcpStream;

    async fn accept(&mut self) -> (Self::Io, SocketAddr, Admitted) {
        loop {
            match self.tcp.accept().await {
                Ok((stream, peer)) => match self.limits.admit(peer.ip()) {
                    Some(admitted) => return (stream, peer, admitted),
                    None => tracing::debug!(%peer, "connection refused: too many open"),
                },
                Err(e) => {
                    // Out of file handles, most often: wait for some to close.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// Serves `app` on every connection `listener` yields until `shutdown` resolves, then lets the
/// requests in progress finish (up to ten seconds).
pub async fn serve(mut listener: impl Accept, app: Router, caps: Caps, shutdown: impl Future<Output = ()>) {
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (io, peer, admitted) = tokio::select! {
            next = listener.accept() => next,
            () = &mut shutdown => break,
        };
        tokio::spawn(connection(io, peer, admitted, app.clone(), caps, stopping.clone()));
    }
    let _ = stop.send(true);
    // Every connection holds a receiver; all are gone once the last one closed.
    drop(stopping);
    let _ = tokio::time::timeout(DRAIN, stop.closed()).await;
}

async fn connection<Io>(
    io: Io,
    peer: SocketAddr,
    admitted: Admitted,
    app: Router,
    caps: Caps,
    mut stopping: watch::Receiver<bool>,
) where
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(|body| Body::new(Deadline::new(body, caps.body_timeout)));
        // Handlers read the peer's address as axum's `ConnectInfo`.
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.oneshot(request).await.unwrap_or_else(|never| match never {})) }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(caps.header_timeout).max_buf_size(64 * 1024);
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let finished = tokio::select! {
        result = conn.as_mut() => Some(result),
        () = async { drop(stopping.wait_for(|stop| *stop).await) } => None,
    };
    // Stopping: the request in progress (if any) is answered, then the connection closes.
    let result = match finished {
        Some(result) => result,
        None => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
    drop(admitted);
}

/// A request body that fails once its time has passed without it ending.
struct Deadline {
    body: Incoming,
    expires: Pin<Box<tokio::time::Sleep>>,
}

impl Deadline {
    fn new(body: Incoming, within: Duration) -> Self {
        Deadline { body, expires: Box::pin(tokio::time::sleep(within)) }
    }
}

impl hyper::body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(axum::Error::new)));
        }
        match self.expires.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new("the request body did not arrive in time")))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_address_and_in_all_and_give_places_back() {
        let caps = Caps::default();
        let limits = Limits::new(caps);
        let one: IpAddr = [192, 0, 2, 1].into();
        let held: Vec<Admitted> = (0..caps.per_address * 2).filter_map(|_| limits.admit(one)).collect();
        assert_eq!(held.len(), caps.per_address);
        assert!(limits.admit(one).is_none(), "over the cap for one address");
        let other: IpAddr = [192, 0, 2, 2].into();
        let second = limits.admit(other);
        assert!(second.is_some(), "another address still gets in");
        drop(held);
        assert!(limits.admit(one).is_some(), "places come back when connections close");
        let many: Vec<Admitted> =
            (0..caps.total * 2).filter_map(|i| limits.admit(IpAddr::from([10, 0, (i / 256) as u8, i as u8]))).collect();
        assert_eq!(many.len(), caps.total - 1, "the total cap counts everyone");
    }
}
