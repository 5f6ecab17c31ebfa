//! `eventmock seed`: generate events with eventmock-fake and add them to a running eventmock
//! through its admin API (`POST /__eventmock/vendors/{vendor}/events`), as NDJSON requests of
//! `--batch` events (the server applies each in all-or-nothing batches of 1,000 lines).
//!
//! The events come from a dataset of another seed than the server's, so their ids are not ids
//! of the server's dataset: they become added events with their own ids (a seed equal to the
//! server's would replace generated events instead, and is refused). A generator thread builds
//! the next request while the current one is sent. The HTTP client is a minimal HTTP/1.1 one
//! over `std::net::TcpStream` (`http://` only, one connection per request). When the server
//! refuses a request (a bad event, a full overlay: `serve --max-added`), seed stops, prints the
//! server's message and how many events were accepted, and exits 1.

use std::io::{self, IsTerminal, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use eventmock_fake::codec::MAX_INDEX;
use eventmock_fake::{AnyDataset, DatasetConfig};
use eventmock_model::Vendor;
use indicatif::{ProgressBar, ProgressStyle};

use crate::UsageError;

/// Flags of `eventmock seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Base URL of the running eventmock (`http://127.0.0.1:8080`).
    #[arg(long)]
    target: String,
    /// Vendor: probely, authentik, halo, instavm, cf, or all (every mounted one, in turn).
    #[arg(long)]
    vendor: String,
    /// How many events to add (per vendor).
    #[arg(long)]
    count: u64,
    /// Seed of the generated events; must differ from the server's dataset seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Events per request (at most 8 MiB of NDJSON: ~5,000 events of the largest vendor).
    #[arg(long, default_value_t = 5000)]
    batch: u64,
    /// Admin token, when the server requires one (`serve --admin-token`).
    #[arg(long, value_name = "T")]
    admin_token: Option<String>,
}

/// `http://host:port/base` split up.
struct Target {
    /// `host:port` to connect to and send as `Host`.
    authority: String,
    /// Path prefix (no trailing slash).
    base: String,
}

fn parse_target(url: &str) -> Result<Target> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| UsageError(format!("--target `{url}`: only http:// URLs are supported")))?;
    let (authority, base) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.is_empty() {
        return Err(UsageError(format!("--target `{url}`: no host")).into());
    }
    let authority = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Ok(Target {
        authority,
        base: format!("/{}", base.trim_end_matches('/'))
            .trim_end_matches('/')
            .to_owned(),
    })
}

/// One request over a new connection; (status, body).
fn exchange(
    target: &Target,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(&target.authority)
        .with_context(|| format!("connecting to {}", target.authority))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!(
        "{method} {}{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        target.base,
        target.authority,
        body.len()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("{} sent an incomplete HTTP response", target.authority))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("{} sent a malformed status line", target.authority))?;
    let chunked = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case("transfer-encoding") && v.trim() == "chunked"
        })
    });
    let mut body = raw[end + 4..].to_vec();
    if chunked {
        body = dechunk(&body).unwrap_or(body);
    }
    Ok((status, body))
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = body.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line]).ok()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(line + 2..line + 2 + size)?);
        body = body.get(line + 2 + size + 2..)?;
    }
}

/// The server's error message from a JSON body (or the body itself).
fn server_error(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let e = v.get("error")?.as_str()?.to_owned();
            Some(match (v.get("index").or(v.get("line")), v.get("field")) {
                (Some(i), Some(f)) => format!("{e} (event {i}, field {f})"),
                _ => e,
            })
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

/// The vendors mounted on the target.
fn mounted_vendors(target: &Target, token: Option<&str>) -> Result<Vec<Vendor>> {
    let all = vendors_json(target, token)?;
    let names: Vec<&str> = all["vendors"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["vendor"].as_str()).collect())
        .unwrap_or_default();
    let vendors: Vec<Vendor> = Vendor::ALL
        .into_iter()
        .filter(|v| names.contains(&v.name()))
        .collect();
    if vendors.is_empty() {
        bail!("no vendor is mounted on the target");
    }
    Ok(vendors)
}

/// The vendor's mount as the server describes it (`GET /__eventmock/vendors`).
fn mounted(target: &Target, vendor: Vendor, token: Option<&str>) -> Result<serde_json::Value> {
    let v = vendors_json(target, token)?;
    v["vendors"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["vendor"] == vendor.name()).cloned())
        .ok_or_else(|| anyhow!("{} is not mounted on the target", vendor.name()))
}

/// `GET /__eventmock/vendors`.
fn vendors_json(target: &Target, token: Option<&str>) -> Result<serde_json::Value> {
    let (status, body) = exchange(
        target,
        "GET",
        "/__eventmock/vendors",
        token,
        "application/json",
        b"",
    )?;
    if status != 200 {
        bail!(
            "GET /__eventmock/vendors answered {status}: {}",
            server_error(&body)
        );
    }
    serde_json::from_slice(&body).context("GET /__eventmock/vendors: not JSON")
}

/// Runs `seed`.
pub fn run(args: SeedArgs) -> Result<()> {
    let target = parse_target(&args.target)?;
    let token = args.admin_token.as_deref();
    let vendors: Vec<Vendor> = if args.vendor == "all" {
        let all = mounted_vendors(&target, token)?;
        Vendor::ALL
            .into_iter()
            .filter(|v| all.contains(v))
            .collect()
    } else {
        vec![
            args.vendor
                .parse()
                .map_err(|e| UsageError(format!("--vendor: {e}")))?,
        ]
    };
    if args.count == 0 || args.count > MAX_INDEX {
        return Err(UsageError(format!(
            "--count {} is out of range: expected 1 ..= {MAX_INDEX}",
            args.count
        ))
        .into());
    }
    if args.batch == 0 {
        return Err(UsageError("--batch must be at least 1".into()).into());
    }
    for vendor in vendors {
        let mount = mounted(&target, vendor, token)?;
        if mount["seed"].as_u64() == Some(args.seed) {
            return Err(UsageError(format!(
                "--seed {} is the seed of the server's {} dataset: its ids would replace generated events; pick another seed",
                args.seed,
                vendor.name()
            ))
            .into());
        }
        seed_vendor(&args, &target, vendor)?;
    }
    Ok(())
}

/// Seeds one vendor: a thread generates NDJSON requests, this one sends them.
fn seed_vendor(args: &SeedArgs, target: &Target, vendor: Vendor) -> Result<()> {
    let token = args.admin_token.as_deref();
    let config = DatasetConfig {
        seed: args.seed,
        len: args.count,
        ..DatasetConfig::default()
    };
    let dataset = AnyDataset::new(vendor, config).map_err(|e| UsageError(e.to_string()))?;
    let path = format!("/__eventmock/vendors/{}/events", vendor.name());
    let progress = progress_bar(args.count);
    let (count, batch) = (args.count, args.batch);
    // Two requests in flight at most: one being sent, one being built.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(u64, u64, Vec<u8>)>>(1);
    let generator = std::thread::spawn(move || {
        let mut start = 0;
        while start < count {
            let end = (start + batch).min(count);
            let mut body = Vec::with_capacity(((end - start) * 1024) as usize);
            let mut built = Ok(());
            for i in start..end {
                built = dataset
                    .write_event(i, &mut body)
                    .with_context(|| format!("serializing {vendor} event {i}"));
                if built.is_err() {
                    break;
                }
                body.push(b'\n');
            }
            if tx.send(built.map(|()| (start, end, body))).is_err() {
                return;
            }
            start = end;
        }
    });
    let mut accepted = 0u64;
    let sent = (|| {
        for request in &rx {
            let (start, end, body) = request?;
            let (status, reply) =
                exchange(target, "POST", &path, token, "application/x-ndjson", &body)?;
            let ids = serde_json::from_slice::<serde_json::Value>(&reply)
                .ok()
                .and_then(|v| v["ids"].as_array().map(Vec::len))
                .unwrap_or(0) as u64;
            accepted += ids;
            if status != 201 {
                bail!(
                    "the server refused {} events {start}..{end} ({status}): {}; {accepted} accepted in all",
                    vendor.name(),
                    server_error(&reply)
                );
            }
            progress.inc(end - start);
        }
        Ok(())
    })();
    drop(rx);
    let _ = generator.join();
    progress.finish_and_clear();
    sent?;
    let total = mounted(target, vendor, token)
        .ok()
        .and_then(|m| m["total"].as_u64());
    let mut out = io::stdout().lock();
    match total {
        Some(t) => writeln!(
            out,
            "seeded {accepted} {} events into {} ({t} events now)",
            vendor.name(),
            args.target
        )?,
        None => writeln!(
            out,
            "seeded {accepted} {} events into {}",
            vendor.name(),
            args.target
        )?,
    }
    if accepted != args.count {
        bail!("the server accepted {accepted} of {} events", args.count);
    }
    Ok(())
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar(total: u64) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} events ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = parse_target("http://127.0.0.1:9000").map_err(|e| e.to_string());
        assert!(
            t.as_ref()
                .is_ok_and(|t| t.authority == "127.0.0.1:9000" && t.base.is_empty())
        );
        let t = parse_target("http://localhost/mock/").map_err(|e| e.to_string());
        assert!(t.is_ok_and(|t| t.authority == "localhost:80" && t.base == "/mock"));
        assert!(parse_target("https://x").is_err());
    }

    #[test]
    fn errors_name_the_field() {
        let e = server_error(br#"{"error":"action: bad","index":3,"field":"action"}"#);
        assert_eq!(e, "action: bad (event 3, field \"action\")");
    }
}
