//! `cargo xtask ui [--release] [--screenshot]`: the dashboard's browser test (`ui-tests/`).
//!
//! 1. Installs Debian's `chromium` with apt-get when it is missing (and `nodejs`/`npm` when
//!    `node` is): a fresh machine has neither.
//! 2. Installs the test's npm packages (`playwright-core`, `axe-core`, pinned by
//!    `ui-tests/package-lock.json`) with `npm ci` into a cache keyed by the lockfile's hash,
//!    `$XDG_CACHE_HOME/eventmock/ui-tests/<hash>/` (default `~/.cache/eventmock`), and links
//!    `ui-tests/node_modules` to it: the second run installs nothing.
//! 3. Runs `node ui-tests/dashboard.test.mjs` against the debug binary `cargo xtask test`
//!    built (`target/debug/eventmock`), or with `--release` the release build `.ci/run` makes
//!    once: it never builds one itself. Chromium runs headless with `--no-sandbox` (CI runs as
//!    root). The test writes `target/ui-tests/dashboard.png` and `figures.json` (first render,
//!    axe-core results); `--screenshot` copies the picture to `docs/dashboard.png`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::bench::root;
use crate::image::{cache_dir, on_path};

/// Runs `apt-get install` of `packages` (after an update), as the project's scripts do.
fn apt_install(packages: &[&str]) -> Result<()> {
    println!("xtask ui: installing {} with apt-get", packages.join(", "));
    for args in [
        vec!["update", "-qq"],
        [
            vec!["install", "-y", "-qq", "--no-install-recommends"],
            packages.to_vec(),
        ]
        .concat(),
    ] {
        let status = Command::new("apt-get")
            .args(&args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get (the browser test needs root and Debian, or chromium and node installed)")?;
        if !status.success() {
            bail!("apt-get {} failed: {status}", args.join(" "));
        }
    }
    Ok(())
}

/// The Chromium to drive: `$CHROMIUM`, else Debian's `chromium` (installed when missing).
fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    if !on_path("chromium") {
        apt_install(&["chromium", "fonts-dejavu-core"])?;
    }
    Ok(PathBuf::from("/usr/bin/chromium"))
}

/// FNV-1a of `bytes`: the cache key of a lockfile (stable across Rust releases).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `npm ci` into the cache (once per lockfile), then `ui-tests/node_modules` → it.
fn node_modules(tests: &Path) -> Result<()> {
    if !on_path("node") || !on_path("npm") {
        apt_install(&["nodejs", "npm"])?;
    }
    let lock = tests.join("package-lock.json");
    let lock_bytes = std::fs::read(&lock).with_context(|| format!("reading {}", lock.display()))?;
    let dir = cache_dir()?
        .join("ui-tests")
        .join(format!("{:016x}", fnv(&lock_bytes)));
    let modules = dir.join("node_modules");
    if !modules.join(".package-lock.json").is_file() {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(tests.join(file), dir.join(file))
                .with_context(|| format!("copying ui-tests/{file} to {}", dir.display()))?;
        }
        println!("xtask ui: npm ci into {}", dir.display());
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .context("running npm ci")?;
        if !status.success() {
            bail!("npm ci in {} failed: {status}", dir.display());
        }
    }
    let link = tests.join("node_modules");
    match std::fs::symlink_metadata(&link) {
        Ok(m) if m.file_type().is_symlink() => {
            if std::fs::read_link(&link).ok().as_deref() == Some(modules.as_path()) {
                return Ok(());
            }
            std::fs::remove_file(&link)
        }
        // A directory from a hand-run `npm install`: the cache replaces it.
        Ok(_) => std::fs::remove_dir_all(&link),
        Err(_) => Ok(()),
    }
    .with_context(|| format!("removing {}", link.display()))?;
    std::os::unix::fs::symlink(&modules, &link)
        .with_context(|| format!("linking {} to {}", link.display(), modules.display()))
}

/// `cargo xtask ui [--release] [--screenshot]`.
pub fn ui(args: &[&str]) -> Result<()> {
    let mut release = false;
    let mut screenshot = false;
    for arg in args {
        match *arg {
            "--release" => release = true,
            "--screenshot" => screenshot = true,
            other => {
                bail!("xtask ui: unknown argument `{other}` (expected --release, --screenshot)")
            }
        }
    }
    let root = root();
    let profile = if release { "release" } else { "debug" };
    let bin = root.join("target").join(profile).join("eventmock");
    if !bin.is_file() {
        bail!(
            "{} is missing: the browser test uses the binary of `cargo xtask test` (debug) or of \
             `cargo build --release -p eventmock` (--release); it builds none itself",
            bin.display()
        );
    }
    let chromium = chromium()?;
    let tests = root.join("ui-tests");
    node_modules(&tests)?;
    let out = root.join("target/ui-tests");
    let status = Command::new("node")
        .arg(tests.join("dashboard.test.mjs"))
        .env("EVENTMOCK_BIN", &bin)
        .env("CHROMIUM", &chromium)
        .env("UI_OUT", &out)
        .current_dir(&root)
        .status()
        .context("running node ui-tests/dashboard.test.mjs")?;
    if !status.success() {
        bail!("the dashboard's browser test failed ({status}); see its output above");
    }
    if screenshot {
        let to = root.join("docs/dashboard.png");
        std::fs::copy(out.join("dashboard.png"), &to)
            .with_context(|| format!("copying the screenshot to {}", to.display()))?;
        println!("xtask ui: screenshot written to {}", to.display());
    }
    Ok(())
}
