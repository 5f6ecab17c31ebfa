//! The Dockerfile's base image, `debian:bookworm-slim`, made locally: no registry can be
//! reached here. `debootstrap --variant=minbase bookworm` (from the Debian mirror apt already
//! uses) builds a root file system, trimmed of package caches and documentation, which is
//! kept as a tarball in the cache directory and `docker import`ed under that tag. The
//! daemon's data root is kept too, so later runs find the image and skip both steps.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::daemon::Daemon;

/// The tag the Dockerfile starts `FROM`.
pub const BASE_TAG: &str = "debian:bookworm-slim";
/// The Debian release of the base.
const SUITE: &str = "bookworm";

/// Makes [`BASE_TAG`] available to `daemon`, from the cached tarball or a new debootstrap.
pub fn ensure(daemon: &Daemon, cache: &Path) -> Result<()> {
    if daemon
        .docker(&["image", "inspect", BASE_TAG])?
        .status
        .success()
    {
        println!("xtask image: base image {BASE_TAG} already present");
        return Ok(());
    }
    let tarball = cache.join(format!("debian-{SUITE}-minbase.tar"));
    if !tarball.exists() {
        debootstrap(&tarball)?;
    }
    println!("xtask image: importing {} as {BASE_TAG}", tarball.display());
    daemon.docker_ok(&[
        "import",
        "--change",
        r#"CMD ["bash"]"#,
        &tarball.to_string_lossy(),
        BASE_TAG,
    ])?;
    Ok(())
}

/// The Debian mirror apt is configured with (`EVENTMOCK_DEBIAN_MIRROR` overrides it).
fn mirror() -> Result<String> {
    if let Ok(m) = std::env::var("EVENTMOCK_DEBIAN_MIRROR") {
        return Ok(m);
    }
    let mut texts: Vec<String> = std::fs::read_to_string("/etc/apt/sources.list")
        .into_iter()
        .collect();
    if let Ok(entries) = std::fs::read_dir("/etc/apt/sources.list.d") {
        for e in entries.flatten() {
            texts.extend(std::fs::read_to_string(e.path()).ok());
        }
    }
    // deb822 (`URIs: …`) and one-line (`deb URI suite …`) entries; the main archive, not
    // the security one.
    for text in &texts {
        for line in text.lines() {
            let line = line.trim();
            let uri = line.strip_prefix("URIs:").map(str::trim).or_else(|| {
                line.strip_prefix("deb ")
                    .and_then(|r| r.split_whitespace().next())
            });
            if let Some(uri) = uri.and_then(|u| u.split_whitespace().next())
                && uri.trim_end_matches('/').ends_with("/debian")
            {
                return Ok(uri.to_owned());
            }
        }
    }
    bail!("no Debian mirror found in /etc/apt/sources.list(.d); set EVENTMOCK_DEBIAN_MIRROR to one")
}

/// Builds the trimmed minbase root file system into `tarball` (written atomically).
fn debootstrap(tarball: &Path) -> Result<()> {
    let mirror = mirror()?;
    let dir = tarball.with_extension("rootfs");
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "xtask image: debootstrap --variant=minbase {SUITE} from {mirror} (cached afterwards)"
    );
    let status = Command::new("debootstrap")
        .args(["--variant=minbase", SUITE])
        .arg(&dir)
        .arg(&mirror)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running debootstrap")?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&dir);
        bail!("debootstrap failed: {status}");
    }
    // What debian:bookworm-slim also leaves out: downloaded packages, lists, docs, man pages,
    // locales.
    for sub in [
        "var/cache/apt/archives",
        "var/lib/apt/lists",
        "usr/share/doc",
        "usr/share/man",
        "usr/share/info",
        "usr/share/locale",
    ] {
        let path: PathBuf = dir.join(sub);
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::create_dir_all(&path);
    }
    let partial = tarball.with_extension("tar.partial");
    let status = Command::new("tar")
        .arg("-C")
        .arg(&dir)
        .args(["--numeric-owner", "-cf"])
        .arg(&partial)
        .arg(".")
        .status()
        .context("running tar")?;
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() {
        bail!("tar of the root file system failed: {status}");
    }
    std::fs::rename(&partial, tarball)
        .with_context(|| format!("renaming {} to {}", partial.display(), tarball.display()))?;
    Ok(())
}
