//! Generation throughput per vendor, against the ceiling of serializing prebuilt events (both
//! with the compact writer `eventmock generate` uses).
//! Run with `cargo xtask bench generate [--rounds N] [--baseline BENCH]` (or
//! `cargo bench -p eventmock-fake --bench generate -- [--vendor V]… [--rounds N] [--tsv]`).
//!
//! Both rates are measured in this one process, single-threaded, writing NDJSON into a reused
//! buffer that is flushed to `/dev/null`, as `eventmock generate` does. The two are
//! interleaved in chunks of [`CHUNK`] events (a chunk generated, then a chunk serialized from
//! prebuilt events), so a change in the machine's load hits both alike and their ratio holds.
//!
//! Arguments (after `--`): `--vendor V` (repeatable; default all five), `--rounds N` (default
//! 1; each round measures every vendor once), `--tsv` (one line per vendor and round:
//! `round vendor generate ceiling bytes`, read by `cargo xtask bench generate`). The count per
//! vendor and round is `$EVENTMOCK_BENCH_COUNT` (default 1,000,000).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use eventmock_fake::dataset::{Dataset, DatasetConfig, Generator};
use eventmock_fake::vendors::{AuthentikGen, CfGen, HaloGen, InstavmGen, ProbelyGen};

/// Events per chunk: generation and serialization alternate every this many events.
const CHUNK: u64 = 20_000;
/// Prebuilt events the ceiling cycles through.
const PREBUILT: u64 = 10_000;

fn count(smoke: bool) -> u64 {
    std::env::var("EVENTMOCK_BENCH_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 2_000 } else { 1_000_000 })
}

/// One vendor's measurement: events/s generating (and serializing), events/s serializing
/// prebuilt events, bytes per event.
struct Row {
    generate: f64,
    ceiling: f64,
    bytes: usize,
}

fn flush(sink: &mut File, buf: &mut Vec<u8>) {
    sink.write_all(buf).unwrap();
    buf.clear();
}

fn bench<G: Generator>(sink: &mut File, n: u64) -> Row {
    let d = Dataset::<G>::new(DatasetConfig {
        seed: 7,
        len: n,
        ..DatasetConfig::default()
    })
    .unwrap();
    let prebuilt: Vec<G::Event> = (0..PREBUILT.min(n)).map(|i| d.event(i)).collect();
    let mut buf = Vec::with_capacity(1 << 16);
    let (mut generating, mut serializing) = (Duration::ZERO, Duration::ZERO);
    let mut bytes = 0usize;
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        // Generation + serialization, as `eventmock generate` does it
        // (`AnyDataset::write_event`: into the thread's reused event when the generator keeps
        // one).
        let t = Instant::now();
        for i in start..end {
            d.with_event(i, |event| {
                eventmock_model::json::write_compact(&mut buf, event)
            })
            .unwrap();
            buf.push(b'\n');
            if buf.len() > 60_000 {
                flush(sink, &mut buf);
            }
        }
        flush(sink, &mut buf);
        generating += t.elapsed();
        // Ceiling: serialization only, of the prebuilt events cycled.
        let t = Instant::now();
        for i in start..end {
            let event = &prebuilt[(i % prebuilt.len() as u64) as usize];
            eventmock_model::json::write_compact(&mut buf, black_box(event)).unwrap();
            buf.push(b'\n');
            if buf.len() > 60_000 {
                bytes += buf.len();
                flush(sink, &mut buf);
            }
        }
        bytes += buf.len();
        flush(sink, &mut buf);
        serializing += t.elapsed();
        start = end;
    }
    Row {
        generate: n as f64 / generating.as_secs_f64(),
        ceiling: n as f64 / serializing.as_secs_f64(),
        bytes: bytes / n.max(1) as usize,
    }
}

const VENDORS: [&str; 5] = ["probely", "authentik", "halo", "instavm", "cf"];

fn run(vendor: &str, sink: &mut File, n: u64) -> Row {
    match vendor {
        "probely" => bench::<ProbelyGen>(sink, n),
        "authentik" => bench::<AuthentikGen>(sink, n),
        "halo" => bench::<HaloGen>(sink, n),
        "instavm" => bench::<InstavmGen>(sink, n),
        _ => bench::<CfGen>(sink, n),
    }
}

fn main() {
    // `cargo test --all-targets` runs this file without `--bench`: a quick smoke run then.
    let mut smoke = true;
    let mut tsv = false;
    let mut rounds = 1u32;
    let mut vendors: Vec<&str> = Vec::new();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--bench" => smoke = false,
            "--tsv" => tsv = true,
            "--rounds" => {
                rounds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r > 0)
                    .expect("--rounds needs a positive number");
            }
            "--vendor" => {
                let v = it.next().expect("--vendor needs a vendor");
                let known = VENDORS.iter().find(|k| **k == v.as_str());
                vendors.push(known.unwrap_or_else(|| panic!("unknown vendor {v}: {VENDORS:?}")));
            }
            // Flags cargo's test runner passes to a bench it runs as a test.
            _ => {}
        }
    }
    if vendors.is_empty() {
        vendors = VENDORS.to_vec();
    }
    let mut sink = File::create("/dev/null").unwrap();
    let n = count(smoke);
    if !tsv {
        println!(
            "generation benchmark: {n} events per vendor and round, one thread, NDJSON to \
             /dev/null, generation and serialization interleaved every {CHUNK} events"
        );
        println!(
            "{:<6} {:<10} {:>14} {:>14} {:>8} {:>10}",
            "round", "vendor", "generate ev/s", "ceiling ev/s", "ratio", "bytes/ev"
        );
    }
    for round in 1..=rounds {
        for vendor in &vendors {
            let r = run(vendor, &mut sink, n);
            if tsv {
                println!(
                    "{round}\t{vendor}\t{:.0}\t{:.0}\t{}",
                    r.generate, r.ceiling, r.bytes
                );
            } else {
                println!(
                    "{round:<6} {vendor:<10} {:>14.0} {:>14.0} {:>8.3} {:>10}",
                    r.generate,
                    r.ceiling,
                    r.generate / r.ceiling,
                    r.bytes
                );
            }
        }
    }
}
