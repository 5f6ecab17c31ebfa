//! Benchmarks. Speed targets are checked here, never by timed unit tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cargo;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `cargo xtask bench generate`.
pub fn generate() -> Result<()> {
    cargo(&["bench", "-q", "-p", "eventmock-fake", "--bench", "generate"])?;
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
