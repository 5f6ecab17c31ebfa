//! Allocation-free panic catching for futures (no `futures` crate, no unsafe).

use std::any::Any;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind as catch};
use std::pin::Pin;
use std::task::Poll;

/// Drives `fut` to completion, converting a panic raised while polling it
/// into `Err(payload)`.
///
/// The caller pins the future where it already lives (inside the enclosing async state
/// machine), so it is neither boxed nor moved into this one: no extra task, allocation or
/// copy of a large future per request.
pub(crate) async fn catch_unwind<F: Future>(
    mut fut: Pin<&mut F>,
) -> Result<F::Output, Box<dyn Any + Send>> {
    poll_fn(
        move |cx| match catch(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        },
    )
    .await
}

/// Best-effort human-readable message from a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.as_str()
    } else {
        "<non-string panic payload>"
    }
}
