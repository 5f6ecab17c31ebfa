//! The timer behind HTTP/1's header-read timeout, made cheap for keep-alive traffic.
//!
//! hyper arms the header-read timeout for every request of a connection (a new sleep each
//! time). With tokio's timer that is a timer-wheel insertion and removal under the driver's
//! lock per request (~0.2 µs here). [`CoarseTimer`]'s sleeps only compare the clock when
//! polled and register nothing; instead every connection is driven by [`Ticked`], which wakes
//! it once per tick (a quarter of the timeout, 10 ms to 1 s), so an expired sleep is noticed at
//! the next tick: the timeout fires between `timeout` and `timeout + tick` after it was armed.
//!
//! The two only make sense together: a coarse sleep polled by a task nobody wakes would never
//! fire. `serve_connection` is the one place that uses them.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use tokio::time::{Interval, MissedTickBehavior};

/// A hyper timer whose sleeps are checked at the connection's ticks (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CoarseTimer;

/// A sleep that is ready once its deadline has passed, noticed when it is polled.
struct CoarseSleep {
    deadline: Instant,
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Sleep for CoarseSleep {}

impl Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoarseSleep { deadline })
    }
}

/// The tick for a timeout: a quarter of it, between 10 ms and 1 s.
pub(crate) fn tick_for(timeout: Duration) -> Duration {
    (timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// A connection future woken at every tick, so the coarse sleeps inside it are checked.
pub(crate) struct Ticked<F> {
    inner: Pin<Box<F>>,
    tick: Interval,
}

impl<F: Future> Ticked<F> {
    /// Drives `inner`, waking it every `tick` (the first tick one period from now).
    pub(crate) fn new(inner: F, tick: Duration) -> Self {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            inner: Box::pin(inner),
            tick,
        }
    }
}

impl<F: Future> Future for Ticked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // Consume the ticks that are due; the last poll registers the wake-up for the next.
        while self.tick.poll_tick(cx).is_ready() {}
        self.inner.as_mut().poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_a_quarter_of_the_timeout_within_bounds() {
        assert_eq!(tick_for(Duration::from_secs(10)), Duration::from_secs(1));
        assert_eq!(
            tick_for(Duration::from_millis(300)),
            Duration::from_millis(75)
        );
        assert_eq!(
            tick_for(Duration::from_millis(1)),
            Duration::from_millis(10)
        );
    }

    #[tokio::test]
    async fn a_coarse_sleep_fires_at_the_first_tick_after_its_deadline() {
        let started = Instant::now();
        let sleep = CoarseTimer.sleep(Duration::from_millis(50));
        Ticked::new(sleep, Duration::from_millis(20)).await;
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }
}
