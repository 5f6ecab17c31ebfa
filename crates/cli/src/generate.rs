//! `eventmock generate`: stream events of a virtual dataset as NDJSON or a JSON document.
//! Memory stays flat in `--count`: one event is built, written and dropped at a time. With
//! `--follow`, the events that arrive afterwards on a live clock follow (see [`crate::follow`]).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use eventmock_fake::Rate;
use eventmock_fake::Span;
use eventmock_fake::time::{Arrivals, parse_rfc3339};
use eventmock_fake::{AnyDataset, DatasetConfig};
use eventmock_model::Vendor;
use indicatif::{ProgressBar, ProgressStyle};

use crate::UsageError;

/// Below this many events no progress bar is drawn.
const PROGRESS_THRESHOLD: u64 = 200_000;
/// How often (in events) the progress bar is advanced.
const PROGRESS_STEP: u64 = 65_536;

/// Output format of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One compact JSON event per line.
    Ndjson,
    /// One JSON document: an array, or for `--vendor all` an object of arrays keyed by vendor.
    Json,
}

/// Flags of `eventmock generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Vendor: probely, authentik, halo, instavm, cf, or all.
    #[arg(long)]
    vendor: String,
    /// How many events per vendor (1 ..= 2^40), in digits.
    #[arg(long, allow_hyphen_values = true)]
    count: String,
    /// Seed of the dataset: the same seed prints the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Ndjson)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Time of the last event (RFC 3339). Default 2026-01-01T00:00:00Z (never the wall
    /// clock), or with --follow the clock's start.
    #[arg(long)]
    anchor: Option<String>,
    /// How far back the first event lies: a duration with its unit (ms, s, m, h, d), e.g. 30d.
    #[arg(long, default_value = "30d")]
    window: String,
    /// How many people act in the events (1 ..= 100000); a few of them cause most events.
    #[arg(long, default_value_t = eventmock_fake::pools::DEFAULT_USERS)]
    users: u32,
    /// NDJSON only: wrap each line as `{"vendor":"<name>","event":{…}}`, so the lines of
    /// `--vendor all` say which vendor they are. Without it each line is the vendor's own event.
    #[arg(long)]
    tag_vendor: bool,
    /// After the --count events, keep writing the events that arrive on a live clock started
    /// now (NDJSON, flushed within 100 ms), until --until or Ctrl-C. Needs --arrivals.
    #[arg(long)]
    follow: bool,
    /// With --follow: how fast events arrive, N/s, N/min or N/h (steady).
    #[arg(long)]
    arrivals: Option<String>,
    /// With --follow: stop after this much time, a duration with its unit such as 30s.
    #[arg(long)]
    until: Option<String>,
}

/// The checked `--follow`, `--arrivals` and `--until`: the rate and the stop, if following.
fn follow_flags(args: &GenerateArgs) -> Result<Option<(Rate, Option<Span>)>> {
    let usage = |m: &str| -> anyhow::Error { UsageError(m.to_owned()).into() };
    if !args.follow {
        if args.arrivals.is_some() || args.until.is_some() {
            return Err(usage("--arrivals and --until go with --follow"));
        }
        return Ok(None);
    }
    if args.format == Format::Json {
        return Err(usage(
            "--follow streams NDJSON: a JSON document cannot grow after it is written",
        ));
    }
    let Some(rate) = args.arrivals.as_deref() else {
        return Err(usage("--follow needs --arrivals RATE, such as 5/s"));
    };
    let rate: Rate = rate
        .parse()
        .map_err(|e| UsageError(format!("--arrivals: {e}")))?;
    let until = match args.until.as_deref() {
        None => None,
        Some(text) => {
            let span: Span = text
                .parse()
                .map_err(|e| UsageError(format!("--until: {e}")))?;
            if span.is_zero() {
                return Err(usage("--until: must be longer than zero, such as 30s"));
            }
            Some(span)
        }
    };
    Ok(Some((rate, until)))
}

fn vendors(name: &str) -> Result<Vec<Vendor>> {
    if name.eq_ignore_ascii_case("all") {
        return Ok(Vendor::ALL.to_vec());
    }
    name.parse::<Vendor>()
        .map(|v| vec![v])
        .map_err(|e| UsageError(format!("--vendor: {e}, or all")).into())
}

/// Runs `generate`.
pub fn run(args: GenerateArgs) -> Result<()> {
    let vendors = vendors(&args.vendor)?;
    let count = crate::count::parse_count(&args.count)
        .map_err(|e| UsageError(format!("--count {}: {e}", args.count)))?;
    if args.tag_vendor && args.format == Format::Json {
        return Err(UsageError(
            "--tag-vendor is for NDJSON: with --format json, `--vendor all` is already an \
             object keyed by vendor"
                .into(),
        )
        .into());
    }
    let follow = follow_flags(&args)?;
    // A live clock starts now: the one place `generate` reads the wall clock.
    let start = eventmock_scenario::process_now();
    let anchor = match args.anchor.as_deref() {
        Some(text) => parse_rfc3339(text).map_err(|e| UsageError(format!("--anchor: {e}")))?,
        None if follow.is_some() => start,
        None => parse_rfc3339(eventmock_fake::dataset::DEFAULT_ANCHOR)
            .map_err(|e| UsageError(format!("--anchor: {e}")))?,
    };
    let window: Span = args
        .window
        .parse()
        .map_err(|e| UsageError(format!("--window: {e}")))?;
    if window.is_zero() {
        return Err(UsageError("--window: must be longer than zero, such as 30d".into()).into());
    }
    let config = DatasetConfig {
        seed: args.seed,
        len: count,
        anchor,
        window: window.micros(),
        users: args.users,
    };
    let sink: Box<dyn Write> =
        match &args.out {
            Some(path) => Box::new(File::create(path).map_err(|e| {
                UsageError(format!("--out: cannot write `{}`: {e}", path.display()))
            })?),
            None => Box::new(io::stdout().lock()),
        };
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    let total = count * vendors.len() as u64;
    let progress = progress_bar(total, args.out.is_some());
    let mut buf = Vec::with_capacity(4096);
    let all = vendors.len() > 1;
    if args.format == Format::Json && all {
        out.write_all(b"{")?;
    }
    let arrivals = follow.map(|(rate, _)| Arrivals::steady(start.max(anchor), rate));
    let datasets = vendors
        .iter()
        .map(|v| AnyDataset::new(*v, config).map(|d| d.with_arrivals(arrivals)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| UsageError(e.to_string()))?;
    for (n, (vendor, dataset)) in vendors.iter().zip(&datasets).enumerate() {
        if args.format == Format::Json {
            if all {
                if n > 0 {
                    out.write_all(b",")?;
                }
                write!(out, "\"{}\":", vendor.name())?;
            }
            out.write_all(b"[")?;
        }
        let tag = format!("{{\"vendor\":\"{}\",\"event\":", vendor.name());
        for i in 0..count {
            buf.clear();
            if args.format == Format::Json && i > 0 {
                buf.push(b',');
            }
            if args.tag_vendor {
                buf.extend_from_slice(tag.as_bytes());
            }
            dataset
                .write_event(i, &mut buf)
                .with_context(|| format!("serializing {vendor} event {i}"))?;
            if args.tag_vendor {
                buf.push(b'}');
            }
            if args.format == Format::Ndjson {
                buf.push(b'\n');
            }
            out.write_all(&buf)?;
            if i % PROGRESS_STEP == PROGRESS_STEP - 1 {
                progress.inc(PROGRESS_STEP);
            }
        }
        if args.format == Format::Json {
            out.write_all(b"]")?;
        }
    }
    if args.format == Format::Json {
        if all {
            out.write_all(b"}")?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    progress.finish_and_clear();
    if let (Some((_, until)), Some(arrivals)) = (follow, arrivals) {
        crate::follow::Follow {
            datasets: &datasets,
            arrivals,
            start,
            until: until.map(Span::to_duration),
            tag_vendor: args.tag_vendor,
        }
        .run(&mut out)?;
    }
    Ok(())
}

/// A progress bar on stderr for long runs on a terminal; hidden when piped or short.
fn progress_bar(total: u64, to_file: bool) -> ProgressBar {
    let interactive = io::stderr().is_terminal() && (to_file || !io::stdout().is_terminal());
    if !interactive || total < PROGRESS_THRESHOLD {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} events ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
