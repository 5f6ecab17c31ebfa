//! Generation throughput per vendor, against the ceiling of serializing prebuilt events (both
//! with the compact writer `eventmock generate` uses).
//! Run with `cargo xtask bench generate` (or `cargo bench -p eventmock-fake --bench generate`).
//!
//! Both rates are measured in this one process, side by side, single-threaded, writing NDJSON
//! into a reused buffer that is flushed to `/dev/null`, as `eventmock generate` does.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use eventmock_fake::dataset::{Dataset, DatasetConfig, Generator};
use eventmock_fake::vendors::{AuthentikGen, CfGen, HaloGen, InstavmGen, ProbelyGen};

fn count() -> u64 {
    // `cargo test --all-targets` runs this file without `--bench`: a quick smoke run then.
    let smoke = !std::env::args().any(|a| a == "--bench");
    std::env::var("EVENTMOCK_BENCH_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 2_000 } else { 1_000_000 })
}

fn bench<G: Generator>(sink: &mut File) -> (f64, f64, usize) {
    let n = count();
    let d = Dataset::<G>::new(DatasetConfig {
        seed: 7,
        len: n,
        ..DatasetConfig::default()
    })
    .unwrap();
    let mut buf = Vec::with_capacity(1 << 16);
    // Generation + serialization, as `eventmock generate` does it (`AnyDataset::write_event`:
    // into the thread's reused event when the generator keeps one).
    let start = Instant::now();
    for i in 0..n {
        d.with_event(i, |event| {
            eventmock_model::json::write_compact(&mut buf, event)
        })
        .unwrap();
        buf.push(b'\n');
        if buf.len() > 60_000 {
            sink.write_all(&buf).unwrap();
            buf.clear();
        }
    }
    sink.write_all(&buf).unwrap();
    buf.clear();
    let generate = n as f64 / start.elapsed().as_secs_f64();
    // Ceiling: serialization only, of 10,000 prebuilt events cycled n times.
    let prebuilt: Vec<G::Event> = (0..10_000.min(n)).map(|i| d.event(i)).collect();
    let mut bytes = 0usize;
    let start = Instant::now();
    for i in 0..n as usize {
        eventmock_model::json::write_compact(&mut buf, black_box(&prebuilt[i % prebuilt.len()]))
            .unwrap();
        buf.push(b'\n');
        if buf.len() > 60_000 {
            bytes += buf.len();
            sink.write_all(&buf).unwrap();
            buf.clear();
        }
    }
    sink.write_all(&buf).unwrap();
    let ceiling = n as f64 / start.elapsed().as_secs_f64();
    (generate, ceiling, bytes / n as usize)
}

fn main() {
    let mut sink = File::create("/dev/null").unwrap();
    let n = count();
    println!("generation benchmark: {n} events per vendor, one thread, NDJSON to /dev/null");
    println!(
        "{:<10} {:>14} {:>14} {:>8} {:>10}",
        "vendor", "generate ev/s", "ceiling ev/s", "ratio", "bytes/ev"
    );
    let rows = [
        ("probely", bench::<ProbelyGen>(&mut sink)),
        ("authentik", bench::<AuthentikGen>(&mut sink)),
        ("halo", bench::<HaloGen>(&mut sink)),
        ("instavm", bench::<InstavmGen>(&mut sink)),
        ("cf", bench::<CfGen>(&mut sink)),
    ];
    for (name, (g, c, b)) in rows {
        println!("{name:<10} {g:>14.0} {c:>14.0} {:>8.2} {b:>10}", g / c);
    }
}
