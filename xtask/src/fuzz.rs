//! `cargo xtask fuzz [--minutes N] [TARGET]...`: coverage-guided fuzzing campaigns with AFL++
//! through cargo-afl, which builds its own AFL++ and instruments with rustc's stable
//! sanitizer-coverage options (no nightly toolchain needed).
//!
//! For each target (every directory of `fuzz/corpus/`, or the ones named): build the harness
//! once (`cargo afl build`, into `target/afl` so the ordinary build keeps its artifacts), run
//! `afl-fuzz` niced for N minutes (default 1) starting from the committed corpus with the
//! target's dictionary, then
//! - merge what it found back into `fuzz/corpus/<target>/`: `afl-cmin` over the corpus and
//!   the new queue, inputs larger than [`MAX_KEPT`] dropped, hand-written `seed-*` files
//!   always kept, the rest named by a hash of their content;
//! - minimize each crash and hang with `afl-tmin` into `fuzz/corpus/<target>/crash-<hash>`
//!   (the corpus replay in `cargo xtask test` then fails until it is fixed) and fail.
//!
//! Campaign state lives in `target/fuzz/<target>/` (stats in `default/fuzzer_stats`).

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::bench::root;

/// Largest corpus input kept in the repository (bytes).
pub const MAX_KEPT: u64 = 8 * 1024;
/// Per-input time limit for afl-fuzz, in milliseconds (an input slower than this is a hang).
const TIMEOUT_MS: &str = "2000";
/// The harness binary's name.
const HARNESS: &str = "eventmock-fuzz-afl";

/// Parses the arguments and runs the campaigns.
pub fn fuzz(args: &[&str]) -> Result<()> {
    let mut minutes = 1.0f64;
    let mut chosen = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--minutes" => {
                let value = rest.next().context("--minutes needs a number")?;
                minutes = value
                    .parse()
                    .ok()
                    .filter(|m: &f64| *m > 0.0 && *m <= 24.0 * 60.0)
                    .with_context(|| format!("--minutes {value}: expected 0 < N <= 1440"))?;
            }
            name if !name.starts_with('-') => chosen.push(name.to_owned()),
            other => {
                bail!("unknown option {other}; usage: cargo xtask fuzz [--minutes N] [TARGET]...")
            }
        }
    }
    let all = targets()?;
    for name in &chosen {
        if !all.contains(name) {
            bail!("unknown fuzz target `{name}`; targets: {}", all.join(", "));
        }
    }
    let chosen = if chosen.is_empty() { all } else { chosen };
    ensure_cargo_afl()?;
    let harness = build_harness()?;
    let mut failures = Vec::new();
    for name in &chosen {
        let found = campaign(&harness, name, minutes)?;
        if found > 0 {
            failures.push(format!("{name}: {found}"));
        }
    }
    if !failures.is_empty() {
        bail!(
            "crashes or hangs found ({}); minimized into fuzz/corpus/<target>/crash-*: fix them \
             (replay: cargo run -p eventmock-fuzz --bin eventmock-fuzz-replay -- <target>)",
            failures.join(", ")
        );
    }
    Ok(())
}

/// Every target: the directories of `fuzz/corpus/`.
fn targets() -> Result<Vec<String>> {
    let dir = root().join("fuzz/corpus");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.path().is_dir() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A `cargo afl ...` command, niced (the machine is shared).
fn cargo_afl(args: &[&str]) -> Command {
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "10", &cargo_bin(), "afl"]).args(args);
    cmd.current_dir(root());
    cmd.env("AFL_SKIP_CPUFREQ", "1")
        .env("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1")
        .env("AFL_NO_AFFINITY", "1");
    cmd
}

/// Installs cargo-afl when missing and builds its AFL++ when not built yet.
fn ensure_cargo_afl() -> Result<()> {
    let present = Command::new(cargo_bin())
        .args(["afl", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        println!("xtask fuzz: installing cargo-afl (builds AFL++ from source; a few minutes)");
        let status = Command::new("nice")
            .args(["-n", "10", &cargo_bin(), "install", "cargo-afl", "--locked"])
            .status()
            .context("running cargo install cargo-afl")?;
        if !status.success() {
            bail!("cargo install cargo-afl failed: {status}");
        }
    }
    let out = cargo_afl(&["config", "--build"])
        .output()
        .context("running cargo afl config --build")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && !stderr.contains("already built") {
        bail!("cargo afl config --build failed:\n{stderr}");
    }
    Ok(())
}

/// Builds the instrumented harness into `target/afl`; its path.
fn build_harness() -> Result<PathBuf> {
    let target_dir = root().join("target/afl");
    let status = cargo_afl(&[
        "build",
        "-p",
        "eventmock-fuzz",
        "--features",
        "afl",
        "--bin",
        HARNESS,
    ])
    .env("CARGO_TARGET_DIR", &target_dir)
    .status()
    .context("running cargo afl build")?;
    if !status.success() {
        bail!("cargo afl build failed: {status}");
    }
    Ok(target_dir.join("debug").join(HARNESS))
}

/// One campaign; the number of crashes and hangs found.
fn campaign(harness: &Path, name: &str, minutes: f64) -> Result<usize> {
    let corpus = root().join("fuzz/corpus").join(name);
    let dict = root().join("fuzz/dict").join(format!("{name}.dict"));
    let work = root().join("target/fuzz").join(name);
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("clearing {}", work.display()))?;
    }
    fs::create_dir_all(&work)?;
    let out = work.join("out");
    let seconds = ((minutes * 60.0).round() as u64).max(1).to_string();
    println!(
        "xtask fuzz: {name} for {seconds} s (AFL++; output in {})",
        out.display()
    );
    let mut cmd = cargo_afl(&["fuzz", "-i"]);
    cmd.arg(&corpus).arg("-o").arg(&out);
    cmd.args(["-V", &seconds, "-t", TIMEOUT_MS]);
    if dict.exists() {
        cmd.arg("-x").arg(&dict);
    }
    cmd.arg("--").arg(harness).arg(name);
    cmd.env("AFL_NO_UI", "1").env("AFL_FAST_CAL", "1");
    let status = cmd.status().context("running cargo afl fuzz")?;
    if !status.success() {
        bail!("afl-fuzz for {name} failed: {status}");
    }
    let found = out.join("default");
    print_stats(name, &found.join("fuzzer_stats"));
    merge(harness, name, &corpus, &found.join("queue"), &work)?;
    let mut bad = 0;
    for kind in ["crashes", "hangs"] {
        for input in inputs(&found.join(kind))? {
            bad += 1;
            minimize_crash(harness, name, &corpus, &input, &work, kind)?;
        }
    }
    Ok(bad)
}

/// Prints the figures of a campaign.
fn print_stats(name: &str, stats: &Path) {
    let Ok(text) = fs::read_to_string(stats) else {
        return;
    };
    let field = |key: &str| {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_owned())
            })
            .unwrap_or_else(|| "?".into())
    };
    println!(
        "xtask fuzz: {name}: {} execs ({} /s), corpus {}, coverage {}, crashes {}, hangs {}",
        field("execs_done"),
        field("execs_per_sec"),
        field("corpus_count"),
        field("bitmap_cvg"),
        field("saved_crashes"),
        field("saved_hangs"),
    );
}

/// The input files of an AFL++ directory (its `README.txt` and dot files left out).
fn inputs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        if path.is_file() && !name.starts_with('.') && name != "README.txt" {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The name of a corpus file holding `data`.
fn hashed(prefix: &str, data: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    format!("{prefix}{:016x}", h.finish())
}

/// Replaces the found inputs of `corpus` by `afl-cmin` of corpus + queue (seeds kept).
fn merge(harness: &Path, name: &str, corpus: &Path, queue: &Path, work: &Path) -> Result<()> {
    let pool = work.join("merge-in");
    let kept = work.join("merge-out");
    fs::create_dir_all(&pool)?;
    let mut n = 0;
    for file in inputs(corpus)?.into_iter().chain(inputs(queue)?) {
        if fs::metadata(&file)?.len() <= MAX_KEPT {
            fs::copy(&file, pool.join(format!("{n:06}")))?;
            n += 1;
        }
    }
    let status = cargo_afl(&["cmin", "-i"])
        .arg(&pool)
        .arg("-o")
        .arg(&kept)
        .args(["-t", TIMEOUT_MS, "--"])
        .arg(harness)
        .arg(name)
        .stdout(Stdio::null())
        .status()
        .context("running cargo afl cmin")?;
    if !status.success() {
        bail!("afl-cmin for {name} failed: {status}");
    }
    let seeds: Vec<Vec<u8>> = inputs(corpus)?
        .iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("seed-"))
        })
        .map(fs::read)
        .collect::<std::io::Result<_>>()?;
    for old in inputs(corpus)? {
        let file = old.file_name().map(|f| f.to_string_lossy().into_owned());
        if file.is_some_and(|f| f.starts_with("in-")) {
            fs::remove_file(&old)?;
        }
    }
    let mut added = 0;
    for file in inputs(&kept)? {
        let data = fs::read(&file)?;
        if !seeds.contains(&data) {
            fs::write(corpus.join(hashed("in-", &data)), &data)?;
            added += 1;
        }
    }
    println!(
        "xtask fuzz: {name}: corpus now {} seeds + {added} found inputs",
        seeds.len()
    );
    Ok(())
}

/// Minimizes a crash or hang into the corpus and shows what it breaks.
fn minimize_crash(
    harness: &Path,
    name: &str,
    corpus: &Path,
    input: &Path,
    work: &Path,
    kind: &str,
) -> Result<()> {
    let small = work.join("minimized");
    let status = cargo_afl(&["tmin", "-i"])
        .arg(input)
        .arg("-o")
        .arg(&small)
        .args(["-t", TIMEOUT_MS, "--"])
        .arg(harness)
        .arg(name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("running cargo afl tmin")?;
    let data = if status.success() {
        fs::read(&small)?
    } else {
        fs::read(input)?
    };
    let dest = corpus.join(hashed(
        if kind == "hangs" { "hang-" } else { "crash-" },
        &data,
    ));
    fs::write(&dest, &data)?;
    println!(
        "xtask fuzz: {name}: {kind} input minimized into {}",
        dest.display()
    );
    let _ = Command::new(cargo_bin())
        .args([
            "run",
            "-q",
            "-p",
            "eventmock-fuzz",
            "--bin",
            "eventmock-fuzz-replay",
            "--",
        ])
        .arg(name)
        .arg(&dest)
        .current_dir(root())
        .status();
    Ok(())
}
