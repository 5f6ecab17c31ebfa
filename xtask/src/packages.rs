//! Debian packages the test suite runs as real services (`redis-server` for the shared-state
//! tests; `haproxy` too for `cargo xtask cluster`), installed with apt-get when missing, so a
//! fresh clone's `cargo xtask test` has them.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Programs the tests start, and the Debian package of each.
const SERVICES: &[(&str, &str)] = &[("redis-server", "redis-server")];

/// Whether `program` is on the PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Installs the packages of [`SERVICES`] whose program is missing.
pub fn ensure_services() -> Result<()> {
    ensure(SERVICES)
}

/// Installs the Debian package of each `(program, package)` whose program is missing.
pub fn ensure(wanted: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(program, _)| !on_path(program))
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing {} with apt-get", missing.join(", "));
    let apt = |args: &[&str]| -> Result<()> {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| {
                format!(
                    "running apt-get to install {} (root and Debian; or install it yourself)",
                    missing.join(", ")
                )
            })?;
        if !status.success() {
            bail!("apt-get {} failed: {status}", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(missing.iter().copied());
    apt(&install)
}
