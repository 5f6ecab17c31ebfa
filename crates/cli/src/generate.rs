//! `eventmock generate`: stream events of a virtual dataset as NDJSON or a JSON document.
//! Memory stays flat in `--count`: one event is built, written and dropped at a time.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use eventmock_fake::Span;
use eventmock_fake::time::parse_rfc3339;
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
    /// Time of the last event (RFC 3339); never the wall clock.
    #[arg(long, default_value = eventmock_fake::dataset::DEFAULT_ANCHOR)]
    anchor: String,
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
    let anchor = parse_rfc3339(&args.anchor).map_err(|e| UsageError(format!("--anchor: {e}")))?;
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
    for (n, vendor) in vendors.iter().enumerate() {
        let dataset = AnyDataset::new(*vendor, config).map_err(|e| UsageError(e.to_string()))?;
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
