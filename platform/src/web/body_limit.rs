//! A limit on the size of every request's body, so that nobody can make the server hold
//! more than a form's worth of bytes (issue 15: four 100 MB bodies to an anonymous JSON
//! call once took the process near 1 GB).
//!
//! poem's own `SizeLimit` only compares `Content-Length` (and refuses a chunked body for
//! lacking one), and its extractors read a body in full. So the body itself is wrapped:
//! a body that announces more than the limit fails on its first read, before a byte of it
//! is taken from the socket (nor a `100 Continue` sent); a chunked one fails as soon as
//! the bytes read pass the limit — at most one socket read (hyper's buffer, ~400 KiB)
//! beyond it, dropped at once. The read error makes the handler fail; the middleware that
//! wrapped the body sees that the limit was hit and answers 413 instead of whatever the
//! extractor made of a broken body (poem calls it a 400). Nothing reads the rest: hyper
//! closes the connection after the answer.
//!
//! The site's default (`BodyLimit::forms`) wraps every route; a route that takes files sets
//! its own (`BodyLimit::uploads`, or [`upload_body`] as a poem-openapi `transform`), which
//! replaces the default before the body is read.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use poem::{Body, Endpoint, EndpointExt, IntoResponse, Middleware, Request, Response, Result};

use crate::State;

use super::WebError;

/// The body limit of the routes it wraps.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(Size);

#[derive(Debug, Clone, Copy)]
enum Size {
    /// `settings.limits.body`: forms and JSON.
    Forms,
    /// `settings.limits.upload_body`: routes that take files.
    Uploads,
    Fixed(usize),
}

impl BodyLimit {
    /// Forms and JSON: the default of every route.
    pub fn forms() -> Self {
        Self(Size::Forms)
    }

    /// A route that takes files (imports, photos): the larger configured limit.
    pub fn uploads() -> Self {
        Self(Size::Uploads)
    }

    /// A limit of its own, in bytes.
    pub fn bytes(limit: usize) -> Self {
        Self(Size::Fixed(limit))
    }

    fn resolve(self, req: &Request) -> usize {
        let limits = || {
            req.data::<State>()
                .expect("state is attached to every route")
                .settings
                .limits
        };
        match self.0 {
            Size::Forms => limits().body,
            Size::Uploads => limits().upload_body,
            Size::Fixed(n) => n,
        }
    }
}

/// For `#[oai(transform = "upload_body")]`: an API operation that takes files.
pub fn upload_body<E: Endpoint>(ep: E) -> impl Endpoint {
    ep.with(BodyLimit::uploads())
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint(ep, *self)
    }
}

pub struct BodyLimitEndpoint<E>(E, BodyLimit);

/// The limit of one request's body, shared by the wrapped body (which reads it and says
/// when it was passed) and the middlewares (the outermost wraps, an inner one may change
/// the limit until the body is first read).
struct Shared {
    limit: AtomicUsize,
    exceeded: AtomicBool,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let limit = self.1.resolve(&req);
        if let Some(shared) = req.extensions().get::<Arc<Shared>>() {
            // An outer limit already wraps the body: this route's own replaces it.
            shared.limit.store(limit, Ordering::Relaxed);
            return self.0.call(req).await.map(IntoResponse::into_response);
        }
        let shared = Arc::new(Shared {
            limit: AtomicUsize::new(limit),
            exceeded: AtomicBool::new(false),
        });
        let inner: BoxBody<Bytes, io::Error> = req.take_body().into();
        // hyper's size hint is the `Content-Length`, exact, when there is one.
        let announced = inner.size_hint().lower();
        req.set_body(Body::from(BoxBody::new(Limited {
            inner,
            announced,
            read: 0,
            shared: shared.clone(),
        })));
        req.extensions_mut().insert(shared.clone());
        let result = self.0.call(req).await;
        if shared.exceeded.load(Ordering::Relaxed) {
            let limit = shared.limit.load(Ordering::Relaxed);
            return Err(WebError::PayloadTooLarge(limit).into());
        }
        result.map(IntoResponse::into_response)
    }
}

/// A request body that fails once it is, or says it will be, longer than the limit.
struct Limited {
    inner: BoxBody<Bytes, io::Error>,
    announced: u64,
    read: usize,
    shared: Arc<Shared>,
}

impl Limited {
    fn refuse(&self) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.shared.exceeded.store(true, Ordering::Relaxed);
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "request body over the limit",
        ))))
    }
}

impl HttpBody for Limited {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        // Read at the first poll, not when wrapped: a route's own limit is set by then.
        let limit = this.shared.limit.load(Ordering::Relaxed);
        if this.announced > limit as u64 {
            return this.refuse();
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.read = this.read.saturating_add(data.len());
                    if this.read > limit {
                        return this.refuse();
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// «64 КБ», «16 МБ», «1000 байт»: a limit as the refusal names it.
pub fn size_in_words(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match bytes {
        n if n >= MIB && n % MIB == 0 => format!("{} МБ", n / MIB),
        n if n >= KIB && n % KIB == 0 => format!("{} КБ", n / KIB),
        n => format!("{n} байт"),
    }
}

#[cfg(test)]
mod tests {
    use poem::http::StatusCode;
    use poem::{handler, post, Route};

    use super::*;

    #[handler]
    async fn length(body: Body) -> Result<String> {
        Ok(body.into_bytes().await?.len().to_string())
    }

    /// The site's default around two routes, one of which takes more.
    fn app() -> impl Endpoint {
        Route::new()
            .at("/form", post(length))
            .at("/upload", post(length.with(BodyLimit::bytes(100))))
            .with(BodyLimit::bytes(10))
    }

    async fn send(path: &str, body: Body) -> (StatusCode, String) {
        let req = Request::builder()
            .method(poem::http::Method::POST)
            .uri(path.parse().unwrap())
            .body(body);
        let mut resp = app().get_response(req).await;
        (resp.status(), resp.take_body().into_string().await.unwrap())
    }

    /// A body of `n` bytes whose length is not known ahead (as a chunked one).
    fn chunked(n: usize) -> Body {
        Body::from_async_read(std::io::Cursor::new(vec![b'x'; n]))
    }

    #[tokio::test]
    async fn a_body_up_to_the_limit_is_read_and_one_byte_more_is_413() {
        assert_eq!(
            send("/form", Body::from(vec![b'x'; 10])).await,
            (StatusCode::OK, "10".into())
        );
        assert_eq!(send("/form", chunked(10)).await.1, "10");
        assert_eq!(
            send("/form", Body::from(vec![b'x'; 11])).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            send("/form", chunked(11)).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[tokio::test]
    async fn a_route_with_a_limit_of_its_own_replaces_the_default() {
        // Announced longer than the default: refused only if the route's own limit is not
        // in place by the time the body is read.
        assert_eq!(
            send("/upload", Body::from(vec![b'x'; 100])).await,
            (StatusCode::OK, "100".into())
        );
        assert_eq!(send("/upload", chunked(100)).await.1, "100");
        assert_eq!(
            send("/upload", chunked(101)).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn limits_are_named_in_the_largest_whole_unit() {
        assert_eq!(size_in_words(64 * 1024), "64 КБ");
        assert_eq!(size_in_words(10 * 1024 * 1024), "10 МБ");
        assert_eq!(size_in_words(1000), "1000 байт");
    }
}
