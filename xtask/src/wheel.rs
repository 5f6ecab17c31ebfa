//! `cargo xtask wheel [test | bench]`: the Python wheel (`python/`), its tests and its
//! start-up figures.
//!
//! - `wheel`: builds `target/wheels/eventmock-<version>-….whl` with maturin (pinned, installed
//!   into a cached virtualenv under `target/py/`). maturin runs `cargo build --release` of the
//!   `eventmock` binary with the same flags and environment as a plain `cargo build --release -p
//!   eventmock` (see [`without_cargo_run_env`]), so after that build (CI runs it once, for the
//!   image step too) cargo finds it fresh and only the wheel is packed.
//! - `wheel test`: installs that wheel into a fresh virtualenv with `python/tests/requirements.txt`
//!   (every package pinned) and runs `python/tests` with pytest.
//! - `wheel bench`: the wheel's size, a server's start-up time and the `eventmock` fixture's
//!   cost per test (`python/tests/bench_startup.py`), in the venv `wheel test` made.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// The maturin release that builds the wheel (also `python/pyproject.toml`'s build requirement).
const MATURIN: &str = "maturin==1.16.0";

/// The repository root (xtask lives one level below it).
fn root() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest directory has no parent")
}

/// The Python interpreter that makes the virtualenvs: `$PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs a command, failing with its command line if it does not succeed.
fn run(cmd: &mut Command) -> Result<()> {
    let line = format!("{cmd:?}");
    let status = cmd.status().with_context(|| format!("starting {line}"))?;
    if !status.success() {
        bail!("{line} failed: {status}");
    }
    Ok(())
}

/// A new virtualenv at `dir` (its `bin/python`), replacing whatever was there.
fn fresh_venv(dir: &Path) -> Result<PathBuf> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    run(Command::new(python()).args(["-m", "venv"]).arg(dir))?;
    Ok(dir.join("bin/python"))
}

/// The cached virtualenv holding maturin; made (or remade) when its stamp is not `MATURIN`.
fn build_venv(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target/py/build-venv");
    let stamp = dir.join("eventmock-stamp");
    let maturin = dir.join("bin/maturin");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == MATURIN) && maturin.is_file() {
        return Ok(maturin);
    }
    let py = fresh_venv(&dir)?;
    run(Command::new(&py).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        MATURIN,
    ]))?;
    std::fs::write(&stamp, MATURIN).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(maturin)
}

/// The wheels in `target/wheels` named `eventmock-*.whl`.
fn wheels(dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("eventmock-") && name.ends_with(".whl") {
            found.push(path);
        }
    }
    Ok(found)
}

/// The one wheel `cargo xtask wheel` left in `target/wheels`.
fn built_wheel(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target/wheels");
    match wheels(&dir)?.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(
            "no eventmock wheel in {}: run `cargo xtask wheel` first",
            dir.display()
        ),
        many => bail!("several eventmock wheels in {}: {many:?}", dir.display()),
    }
}

/// Removes the variables `cargo run` sets for xtask itself (`CARGO_MANIFEST_DIR`,
/// `CARGO_PKG_*`, …) from a command's environment. Build scripts watch some of them (ring's
/// reruns when `CARGO_MANIFEST_DIR` changes), so maturin's `cargo build` would otherwise see
/// them changed against a plain `cargo build --release -p eventmock` and rebuild everything
/// that depends on ring: the release build CI already made would not be reused.
fn without_cargo_run_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let set_by_cargo_run = name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_RUSTC_CURRENT_DIR"
            );
        if set_by_cargo_run {
            cmd.env_remove(name);
        }
    }
}

/// `cargo xtask wheel`: builds the wheel into `target/wheels` (older ones removed).
pub fn build() -> Result<()> {
    let root = root()?;
    let maturin = build_venv(&root)?;
    let out = root.join("target/wheels");
    for old in wheels(&out)? {
        std::fs::remove_file(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    let started = Instant::now();
    let mut maturin = Command::new(&maturin);
    maturin
        .current_dir(root.join("python"))
        .args(["build", "--release", "--out"])
        .arg(&out);
    without_cargo_run_env(&mut maturin);
    run(&mut maturin)?;
    let wheel = built_wheel(&root)?;
    let size = std::fs::metadata(&wheel)
        .with_context(|| format!("reading {}", wheel.display()))?
        .len();
    println!(
        "wheel: {} ({:.1} MiB, built in {:.1} s)",
        wheel.display(),
        size as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The virtualenv `wheel test` makes and `wheel bench` reuses.
fn test_venv(root: &Path) -> PathBuf {
    root.join("target/py/test-venv")
}

/// `cargo xtask wheel test`: the wheel in a fresh virtualenv with pinned test dependencies,
/// then `pytest python/tests`.
pub fn test() -> Result<()> {
    let root = root()?;
    let wheel = built_wheel(&root)?;
    let venv = test_venv(&root);
    let py = fresh_venv(&venv)?;
    run(Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(root.join("python/tests/requirements.txt"))
        .arg(&wheel))?;
    run(Command::new(&py)
        .current_dir(root.join("python"))
        // The installed package is under test, never the source tree; the binary is the
        // wheel's, not one named by the caller's environment.
        .env_remove("EVENTMOCK_BIN")
        .env_remove("PYTHONPATH")
        .args(["-m", "pytest", "tests", "-p", "no:cacheprovider", "-q"]))
}

/// `cargo xtask wheel bench`: start-up figures of the installed wheel (after `wheel test`).
pub fn bench() -> Result<()> {
    let root = root()?;
    let wheel = built_wheel(&root)?;
    let size = std::fs::metadata(&wheel)
        .with_context(|| format!("reading {}", wheel.display()))?
        .len();
    println!(
        "wheel: {} ({size} bytes, {:.1} MiB)",
        wheel.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    let py = test_venv(&root).join("bin/python");
    if !py.is_file() {
        bail!(
            "no test virtualenv at {}: run `cargo xtask wheel test` first",
            py.display()
        );
    }
    run(Command::new(&py)
        .current_dir(root.join("python"))
        .env_remove("EVENTMOCK_BIN")
        .arg("tests/bench_startup.py"))
}
