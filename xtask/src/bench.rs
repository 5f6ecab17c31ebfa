//! Benchmarks. Speed targets are checked here, never by timed unit tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench_pinned::spread;
use crate::bench_serve::median;
use crate::cargo;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `cargo xtask bench generate [--rounds N] [--baseline BENCH] [--vendor V]…`: the
/// generation bench (`crates/fake/benches/generate.rs`) run in `N` processes (default 5), each
/// measuring every vendor once; per vendor the medians of generation and ceiling rates and of
/// their ratio, with the ratio's spread over the rounds. With `--baseline`, the bench binary of
/// an older build (e.g. `target/release/deps/generate-*` of a worktree at that commit, built
/// with `cargo bench -p eventmock-fake --bench generate --no-run`) runs in the same rounds,
/// back to back in alternating order, and each vendor's ratio is compared with the
/// baseline's. Without a baseline, the CLI's peak memory follows.
pub fn generate(args: &[&str]) -> Result<()> {
    let mut rounds = 5usize;
    let mut baseline = None;
    let mut vendors = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--rounds" => {
                rounds = rest
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .context("--rounds needs a positive number")?;
            }
            "--baseline" => {
                let path = rest.next().context("--baseline needs a bench binary")?;
                baseline = Some(PathBuf::from(path));
            }
            "--vendor" => vendors.push(*rest.next().context("--vendor needs a vendor")?),
            other => bail!(
                "bench generate: unknown argument `{other}` (--rounds N, --baseline BENCH, --vendor V)"
            ),
        }
    }
    let bench = build_generate_bench()?;
    let count = std::env::var("EVENTMOCK_BENCH_COUNT").unwrap_or_else(|_| "1000000".into());
    println!(
        "generation benchmark: {count} events per vendor, one thread, NDJSON to /dev/null; \
         {rounds} rounds (one process each{}), generation and serialization interleaved",
        if baseline.is_some() {
            ", this build and the baseline back to back in alternating order"
        } else {
            ""
        }
    );
    let mut head = Samples::default();
    let mut base = Samples::default();
    for round in 0..rounds {
        match &baseline {
            Some(old) if round % 2 == 1 => {
                base.add(run_generate_bench(old, &vendors)?);
                head.add(run_generate_bench(&bench, &vendors)?);
            }
            Some(old) => {
                head.add(run_generate_bench(&bench, &vendors)?);
                base.add(run_generate_bench(old, &vendors)?);
            }
            None => head.add(run_generate_bench(&bench, &vendors)?),
        }
    }
    print_samples("this build", &head);
    if baseline.is_some() {
        print_samples("baseline", &base);
        println!();
        println!("ratio to the ceiling, this build ÷ baseline (per round, median and spread):");
        for (vendor, rows) in &head.rows {
            let Some(old) = base.rows.iter().find(|(v, _)| v == vendor) else {
                continue;
            };
            let change: Vec<f64> = rows
                .iter()
                .zip(&old.1)
                .map(|(h, b)| h.ratio() / b.ratio())
                .collect();
            println!(
                "  {vendor:<10} {:>6.3}  ({})",
                median(change.clone()),
                spread(&change)
            );
        }
        return Ok(());
    }
    cargo(&["build", "-q", "--release", "-p", "eventmock"])?;
    let bin = root().join("target/release/eventmock");
    println!();
    println!("memory of `eventmock generate --vendor authentik --out /dev/null` (peak RSS):");
    for count in [100_000u64, 1_000_000, 4_000_000] {
        let (rss, secs) = peak_rss(&bin, count)?;
        println!(
            "  --count {count:>9}: {:>6.1} MiB peak RSS, {:>5.2} s, {:>9.0} events/s end to end",
            rss as f64 / 1024.0,
            secs,
            count as f64 / secs
        );
    }
    Ok(())
}

/// One vendor's measurement in one round.
#[derive(Debug, Clone, Copy)]
struct Measure {
    generate: f64,
    ceiling: f64,
    bytes: u64,
}

impl Measure {
    fn ratio(&self) -> f64 {
        self.generate / self.ceiling
    }
}

/// Every round's measurements, per vendor in the bench's order.
#[derive(Default)]
struct Samples {
    rows: Vec<(String, Vec<Measure>)>,
}

impl Samples {
    fn add(&mut self, round: Vec<(String, Measure)>) {
        for (vendor, m) in round {
            match self.rows.iter_mut().find(|(v, _)| *v == vendor) {
                Some((_, ms)) => ms.push(m),
                None => self.rows.push((vendor, vec![m])),
            }
        }
    }
}

fn print_samples(title: &str, samples: &Samples) {
    println!();
    println!("{title}: medians over the rounds; the ratio's spread");
    println!(
        "  {:<10} {:>14} {:>14} {:>7} {:>9}  spread of the ratio",
        "vendor", "generate ev/s", "ceiling ev/s", "ratio", "bytes/ev"
    );
    for (vendor, ms) in &samples.rows {
        let ratios: Vec<f64> = ms.iter().map(Measure::ratio).collect();
        println!(
            "  {vendor:<10} {:>14.0} {:>14.0} {:>7.3} {:>9}  {}",
            median(ms.iter().map(|m| m.generate).collect()),
            median(ms.iter().map(|m| m.ceiling).collect()),
            median(ratios.clone()),
            ms.first().map_or(0, |m| m.bytes),
            spread(&ratios)
        );
    }
}

/// Builds the generation bench and returns its executable.
fn build_generate_bench() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "bench",
            "-q",
            "-p",
            "eventmock-fake",
            "--bench",
            "generate",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("building the generation bench")?;
    if !out.status.success() {
        bail!("building the generation bench failed: {}", out.status);
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["target"]["name"] == "generate")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo named no executable for the generation bench")
}

/// Runs a generation bench binary once (`--tsv`) and reads its rows.
fn run_generate_bench(bench: &Path, vendors: &[&str]) -> Result<Vec<(String, Measure)>> {
    let mut cmd = Command::new(bench);
    cmd.args(["--bench", "--tsv"]);
    for v in vendors {
        cmd.args(["--vendor", v]);
    }
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", bench.display()))?;
    if !out.status.success() {
        bail!("{} failed: {}", bench.display(), out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let num = |i: usize| -> Result<f64> {
            f.get(i).and_then(|v| v.parse().ok()).with_context(|| {
                format!(
                    "{} output line {}: field {i} is not a number: {line}",
                    bench.display(),
                    n + 1
                )
            })
        };
        let vendor = f.get(1).with_context(|| {
            format!(
                "{} output line {}: no vendor: {line}",
                bench.display(),
                n + 1
            )
        })?;
        rows.push((
            (*vendor).to_owned(),
            Measure {
                generate: num(2)?,
                ceiling: num(3)?,
                bytes: num(4)? as u64,
            },
        ));
    }
    if rows.is_empty() {
        bail!("{} printed no rows", bench.display());
    }
    Ok(rows)
}

/// Runs the CLI and samples `/proc/PID/status` for its peak resident set (VmHWM, KiB).
fn peak_rss(bin: &Path, count: u64) -> Result<(u64, f64)> {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(["generate", "--vendor", "authentik", "--count"])
        .arg(count.to_string())
        .args(["--out", "/dev/null"])
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kib) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("eventmock generate failed: {status}");
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok((peak, start.elapsed().as_secs_f64()))
}
