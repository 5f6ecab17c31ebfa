//! `eventmock generate --follow`: after the base region, the events that arrive on a live
//! clock, as NDJSON. The clock is checked every [`TICK`] and each tick's lines are flushed at
//! once, so a line is out within 100 ms of its event's arrival; `--until DURATION` (clock time
//! since the start) or Ctrl-C stops it, after a complete line.

use std::io::Write;
use std::pin::pin;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use eventmock_fake::AnyDataset;
use eventmock_fake::time::{Arrivals, Micros};

/// How often the clock is read.
pub const TICK: Duration = Duration::from_millis(50);

/// What to follow: datasets that grow by the same arrivals, from a live clock's `start`.
pub struct Follow<'a> {
    /// The datasets (one per vendor, each with `arrivals`), written in this order per arrival.
    pub datasets: &'a [AnyDataset],
    /// The arrival process they share.
    pub arrivals: Arrivals,
    /// The clock's start (wall time when the command started).
    pub start: Micros,
    /// Stop after this much clock time, if given.
    pub until: Option<Duration>,
    /// Wrap each line as `{"vendor":…,"event":…}`.
    pub tag_vendor: bool,
}

impl Follow<'_> {
    /// Writes the arrivals as they happen until `until` or Ctrl-C.
    pub fn run(&self, out: &mut dyn Write) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the clock's timer")?;
        runtime.block_on(self.stream(out))
    }

    async fn stream(&self, out: &mut dyn Write) -> Result<()> {
        let started = Instant::now();
        let mut ctrl_c = pin!(tokio::signal::ctrl_c());
        let mut emitted = 0u64;
        let mut buf = Vec::with_capacity(4096);
        loop {
            let elapsed = started.elapsed();
            let done = self.until.is_some_and(|u| elapsed >= u);
            let upto = if done {
                self.until.unwrap_or(elapsed)
            } else {
                elapsed
            };
            let now = self
                .start
                .saturating_add(i64::try_from(upto.as_micros()).unwrap_or(i64::MAX));
            let arrived = self.arrivals.count_at(now);
            for k in emitted..arrived {
                for dataset in self.datasets {
                    buf.clear();
                    self.line(dataset, dataset.len() + k, &mut buf)?;
                    out.write_all(&buf)?;
                }
            }
            emitted = arrived;
            out.flush()?;
            if done {
                return Ok(());
            }
            let wait = self
                .until
                .map_or(TICK, |u| TICK.min(u.saturating_sub(elapsed)));
            tokio::select! {
                _ = &mut ctrl_c => return Ok(()),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Event `index` of `dataset` as one NDJSON line.
    fn line(&self, dataset: &AnyDataset, index: u64, buf: &mut Vec<u8>) -> Result<()> {
        if self.tag_vendor {
            buf.extend_from_slice(b"{\"vendor\":\"");
            buf.extend_from_slice(dataset.vendor().name().as_bytes());
            buf.extend_from_slice(b"\",\"event\":");
        }
        dataset
            .write_event(index, buf)
            .with_context(|| format!("serializing {} event {index}", dataset.vendor()))?;
        if self.tag_vendor {
            buf.push(b'}');
        }
        buf.push(b'\n');
        Ok(())
    }
}
