//! End to end: `eventmock check` on the shipped and broken scenarios, `eventmock schema`, and
//! `eventmock serve --scenario … --watch` reloading a changed file (and surviving a broken one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Served, bin, repo};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn shipped_scenarios_pass_check() {
    let out = bin()
        .arg("check")
        .arg(repo().join("scenarios"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.lines().count() >= 9, "{stdout}");
}

#[test]
fn broken_scenarios_fail_check_with_located_errors() {
    let dir = repo().join("crates/scenario/tests/broken");
    let out = bin().arg("check").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown_vendor.yaml:"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("tab_indentation.yaml:") && l.contains(':')),
        "{err}"
    );
}

#[test]
fn schema_is_the_committed_one() {
    let out = bin().args(["schema", "scenario"]).output().unwrap();
    let committed =
        std::fs::read_to_string(repo().join("crates/scenario/scenario.schema.json")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

fn get_count(addr: &str) -> Option<u64> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET /api/v3/events/events/?page_size=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let body = raw.split_once("\r\n\r\n")?.1;
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v["pagination"]["count"].as_u64()
}

fn wait_for(addr: &str, want: u64) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if get_count(addr) == Some(want) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn watch_reloads_and_keeps_the_last_good_world() {
    let dir = std::env::temp_dir().join(format!("eventmock-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.yaml");
    std::fs::write(&file, "name: w\nvendors:\n  authentik: {events: 5}\n").unwrap();
    let server = Served::start(&["--watch", "--scenario", file.to_str().unwrap()]);
    let addr = server.addr.clone();
    let ok = (|| {
        if !wait_for(&addr, 5) {
            return Err("initial world");
        }
        std::thread::sleep(Duration::from_millis(1100)); // a different mtime second
        std::fs::write(&file, "name: w\nvendors:\n  authentik: {events: 7}\n").unwrap();
        if !wait_for(&addr, 7) {
            return Err("reload");
        }
        std::thread::sleep(Duration::from_millis(1100));
        std::fs::write(
            &file,
            "name: w\nvendors:\n  authentik: {events: 0}\n\tbroken: [\n",
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        if get_count(&addr) != Some(7) {
            return Err("last good world kept");
        }
        Ok(())
    })();
    let stderr = server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
    ok.unwrap_or_else(|step| panic!("{step} failed; server said:\n{stderr}"));
    assert!(stderr.contains("scenario reload failed"), "{stderr}");
    assert!(
        stderr.contains("s.yaml:"),
        "the broken file is named with its position: {stderr}"
    );
}

fn admin_post(addr: &str, path: &str, body: &str) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    raw.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_watch_reload_warns_that_it_drops_events_added_at_run_time() {
    let dir = std::env::temp_dir().join(format!("eventmock-watch-drop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.yaml");
    std::fs::write(&file, "name: w\nvendors:\n  authentik: {events: 5}\n").unwrap();
    let server = Served::start(&["--watch", "--scenario", file.to_str().unwrap()]);
    let addr = server.addr.clone();
    let ok = (|| {
        if !wait_for(&addr, 5) {
            return Err("initial world");
        }
        let added = admin_post(
            &addr,
            "/__eventmock/vendors/authentik/events?partial=true",
            r#"[{"action":"login"},{"action":"logout"}]"#,
        );
        if added != 201 || !wait_for(&addr, 7) {
            return Err("adding two events");
        }
        std::thread::sleep(Duration::from_millis(1100)); // a different mtime second
        std::fs::write(&file, "name: w\nvendors:\n  authentik: {events: 6}\n").unwrap();
        if !wait_for(&addr, 6) {
            return Err("reload");
        }
        Ok(())
    })();
    let stderr = server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
    ok.unwrap_or_else(|step| panic!("{step} failed; server said:\n{stderr}"));
    let warning = stderr
        .lines()
        .find(|l| l.contains("WARN") && l.contains("DROPS"))
        .unwrap_or_else(|| panic!("no warning:\n{stderr}"));
    assert!(
        warning.contains("authentik at /: 7 events, 5 when loaded"),
        "{warning}"
    );
}

#[test]
fn seed_and_events_flags_replace_what_the_scenario_files_set() {
    let cf = repo().join("scenarios/cf.yaml");
    let plain = Served::start(&["--scenario", cf.to_str().unwrap()]);
    let flagged = Served::start_with_banner(
        &[
            "--scenario",
            cf.to_str().unwrap(),
            "--seed",
            "5",
            "--events",
            "77",
        ],
        1,
    );
    let vendors = |addr: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /__eventmock/vendors HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap();
        v["vendors"][0].clone()
    };
    let file = vendors(&plain.addr);
    assert_eq!(
        (file["seed"].as_u64(), file["size"].as_u64()),
        (Some(9), Some(5000))
    );
    let flags = vendors(&flagged.addr);
    assert_eq!(
        (flags["seed"].as_u64(), flags["size"].as_u64()),
        (Some(5), Some(77))
    );
    // The scenario's fixture is still served beside the 77 generated events.
    assert_eq!(flags["total"].as_u64(), Some(78));
    assert!(
        flagged.banner[0].contains("--seed 5 for every vendor; --events 77 for every vendor"),
        "{}",
        flagged.banner[0]
    );
}

#[test]
fn check_lists_the_errors_of_every_file_in_one_run() {
    let dir = repo().join("crates/scenario/tests/broken");
    let good = repo().join("scenarios/cf.yaml");
    let out = bin().arg("check").arg(&dir).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() >= 12);
    for file in &files {
        assert!(err.contains(&format!("{file}:")), "{file} missing:\n{err}");
    }
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok: "),
        "the good file is checked too"
    );
}
