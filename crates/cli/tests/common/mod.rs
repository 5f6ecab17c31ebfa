//! Shared helpers of the CLI's end-to-end tests: the binary, the repository root, and a real
//! `eventmock serve` on port 0 that is killed when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The `eventmock` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eventmock"))
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `eventmock serve --port 0 …`; killed on drop.
pub struct Served {
    /// The server process (stderr piped: read it with [`Served::stop`]).
    child: Option<Child>,
    /// `host:port` from the banner.
    pub addr: String,
    /// The banner's lines (as many as asked for with [`Served::start_with_banner`]).
    pub banner: Vec<String>,
}

impl Served {
    /// Starts `eventmock serve --port 0` with `args` and waits for its banner.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_banner(args, 1)
    }

    /// [`Served::start`], keeping the first `lines` lines of the banner.
    pub fn start_with_banner(args: &[&str], lines: usize) -> Self {
        let mut child = bin()
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let addr = line
            .split_whitespace()
            .find_map(|w| {
                w.strip_prefix("http://")
                    .or_else(|| w.strip_prefix("https://"))
            })
            .expect("address in the banner")
            .to_owned();
        let mut banner = vec![line.trim_end().to_owned()];
        while banner.len() < lines {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            banner.push(line.trim_end().to_owned());
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        Self {
            child: Some(child),
            addr,
            banner,
        }
    }

    /// `http://host:port`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Kills the server and returns what it wrote on stderr.
    pub fn stop(mut self) -> String {
        let Some(mut child) = self.child.take() else {
            return String::new();
        };
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
