//! Connection faults a handler can ask for (scenario `faults:`): close the connection without
//! answering, or send part of the body and then close. The handler marks its response with a
//! [`ConnectionFault`] extension; the dispatch layer carries it out.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};

/// A response extension asking the network layer to break the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionFault {
    /// Close the connection without sending a response.
    Reset,
    /// Send the status, headers (with the full `Content-Length`) and the first half of this
    /// body, then close the connection.
    Truncate(Bytes),
}

/// The body type the server sends: whole, or cut short by a fault.
#[derive(Debug)]
pub enum ResponseBody {
    /// The normal, complete body.
    Full(Full<Bytes>),
    /// A prefix of the body followed by an error, which makes hyper close the connection.
    Truncated(Truncation),
}

/// The state of a truncated body: the part to send, then a short pause (so the part is
/// flushed to the socket), then the error.
#[derive(Debug)]
pub struct Truncation {
    /// The part still to send.
    part: Option<Bytes>,
    /// The pause before failing.
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl Truncation {
    /// Sends `part`, then breaks the connection.
    pub fn new(part: Bytes) -> Self {
        Self {
            part: Some(part),
            pause: Box::pin(tokio::time::sleep(std::time::Duration::from_millis(50))),
        }
    }
}

/// The error that ends a truncated body.
#[derive(Debug, thiserror::Error)]
#[error("eventmock fault: body truncated")]
pub struct Truncated;

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ResponseBody::Full(full) => Pin::new(full)
                .poll_frame(cx)
                .map(|f| f.map(|r| r.map_err(|never| match never {}))),
            ResponseBody::Truncated(t) => match t.part.take() {
                Some(bytes) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                None => match t.pause.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(Truncated)))),
                    Poll::Pending => Poll::Pending,
                },
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(full) => full.is_end_stream(),
            ResponseBody::Truncated(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(full) => full.size_hint(),
            ResponseBody::Truncated(_) => SizeHint::default(),
        }
    }
}
