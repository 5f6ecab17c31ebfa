//! End-to-end tests of `eventmock generate`: determinism, formats and one-line errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn eventmock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventmock"))
        .args(args)
        .output()
        .expect("run eventmock")
}

fn stdout(args: &[&str]) -> String {
    let out = eventmock(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn all_vendors_print_the_same_25_events_every_time() {
    let args = ["generate", "--vendor", "all", "--count", "5", "--seed", "7"];
    let first = stdout(&args);
    assert_eq!(first, stdout(&args));
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 25);
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
    }
    // Vendors come in a fixed order, five each.
    assert!(lines[0].starts_with("{\"id\":"), "probely first");
    assert!(lines[5].starts_with("{\"pk\":"), "then authentik");
    assert!(lines[10].starts_with("{\"event_id\":"), "then halo");
    assert!(lines[20].starts_with("{\"metadata\":"), "cf last");
    assert_ne!(
        first,
        stdout(&["generate", "--vendor", "all", "--count", "5", "--seed", "8"])
    );
}

#[test]
fn json_format_is_one_document() {
    let one: serde_json::Value = serde_json::from_str(&stdout(&[
        "generate", "--vendor", "halo", "--count", "3", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(one.as_array().map(Vec::len), Some(3));
    let all: serde_json::Value = serde_json::from_str(&stdout(&[
        "generate", "--vendor", "all", "--count", "2", "--format", "json",
    ]))
    .unwrap();
    let keys: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["probely", "authentik", "halo", "instavm", "cf"]);
}

#[test]
fn out_file_matches_stdout() {
    let dir = std::env::temp_dir().join(format!("eventmock-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cf.ndjson");
    let p = path.to_str().unwrap();
    stdout(&["generate", "--vendor", "cf", "--count", "10", "--out", p]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        stdout(&["generate", "--vendor", "cf", "--count", "10"])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["generate", "--vendor", "okta", "--count", "5"],
            "unknown vendor `okta`",
        ),
        (
            &["generate", "--vendor", "halo", "--count", "0"],
            "--count 0: zero events",
        ),
        (
            &["generate", "--vendor", "halo", "--count", "99999999999999"],
            "too large",
        ),
        (
            &[
                "generate",
                "--vendor",
                "halo",
                "--count",
                "3",
                "--out",
                "/nonexistent-dir/x.json",
            ],
            "cannot write `/nonexistent-dir/x.json`",
        ),
        (
            &[
                "generate",
                "--vendor",
                "halo",
                "--count",
                "3",
                "--anchor",
                "yesterday",
            ],
            "--anchor",
        ),
    ];
    for (args, needle) in cases {
        let out = eventmock(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(out.stdout.is_empty());
    }
}

/// Issue #13 item 8: `--window 30` (no unit) was accepted and `--window 1000000d` printed
/// year 0215; both are now one-line usage errors from the one duration grammar.
#[test]
fn windows_need_a_unit_and_stay_in_range() {
    for (window, needle) in [
        ("30", "--window: invalid duration `30`: a unit is required"),
        ("1000000d", "--window: duration `1000000d` is out of range"),
        ("0s", "--window: must be longer than zero"),
        ("2w", "--window: invalid duration `2w`"),
    ] {
        let args = [
            "generate", "--vendor", "cf", "--count", "2", "--window", window,
        ];
        let out = eventmock(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    let ok = stdout(&[
        "generate", "--vendor", "cf", "--count", "2", "--window", "90s",
    ]);
    assert_eq!(ok.lines().count(), 2);
}

#[test]
fn tag_vendor_wraps_each_line_and_leaves_the_event_as_it_was() {
    let plain = stdout(&["generate", "--vendor", "all", "--count", "3", "--seed", "7"]);
    let tagged = stdout(&[
        "generate",
        "--vendor",
        "all",
        "--count",
        "3",
        "--seed",
        "7",
        "--tag-vendor",
    ]);
    let names = ["probely", "authentik", "halo", "instavm", "cf"];
    let plain: Vec<&str> = plain.lines().collect();
    let tagged: Vec<&str> = tagged.lines().collect();
    assert_eq!(tagged.len(), 15);
    for (n, (line, event)) in tagged.iter().zip(&plain).enumerate() {
        let vendor = names[n / 3];
        assert_eq!(
            *line,
            format!("{{\"vendor\":\"{vendor}\",\"event\":{event}}}"),
            "line {n}"
        );
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["vendor"], vendor);
    }
    // Single-vendor output without the flag is the vendor's own shape, unchanged.
    let one = stdout(&["generate", "--vendor", "cf", "--count", "3", "--seed", "7"]);
    assert_eq!(one.lines().collect::<Vec<_>>(), plain[12..]);
    let out = eventmock(&[
        "generate",
        "--vendor",
        "all",
        "--count",
        "3",
        "--format",
        "json",
        "--tag-vendor",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tag-vendor is for NDJSON"));
}

#[test]
fn counts_that_are_not_whole_positive_numbers_get_clear_messages() {
    for (count, says) in [
        ("-5", "a count cannot be negative"),
        ("1e6", "write the number in digits (1e6 is 1000000)"),
        ("0", "zero events"),
    ] {
        let out = eventmock(&["generate", "--vendor", "cf", "--count", count]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{count}: {err}");
        assert!(
            err.contains(&format!("--count {count}: ")) && err.contains(says),
            "{count}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
}

/// `--follow`: the base events, then the arrivals of a live clock as they happen, exactly
/// `rate × until` of them, stamped between the start and the end; each line is out while the
/// command still runs (streamed, not buffered to the end).
#[test]
fn follow_streams_arrivals_until_the_given_time() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let before = std::time::SystemTime::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventmock"))
        .args([
            "generate",
            "--vendor",
            "cf",
            "--count",
            "2",
            "--follow",
            "--arrivals",
            "4/s",
            "--until",
            "3s",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut read = Vec::new();
    for _ in 0..3 {
        read.push(lines.next().unwrap().unwrap());
    }
    // The first arrival (at 0.25 s) has been read while the command runs until 3 s.
    assert!(child.try_wait().unwrap().is_none(), "still following");
    read.extend(lines.map(Result::unwrap));
    assert!(child.wait().unwrap().success());
    assert_eq!(read.len(), 2 + 12, "{read:#?}");
    let start = before
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut guids = std::collections::HashSet::new();
    for line in &read[2..] {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let t = eventmock_fake::time::parse_rfc3339(v["entity"]["timestamp"].as_str().unwrap())
            .unwrap()
            / 1_000_000;
        assert!((start as i64..=start as i64 + 5).contains(&t), "{line}");
        assert!(guids.insert(v["metadata"]["guid"].as_str().unwrap().to_owned()));
    }
}

/// Ctrl-C (SIGINT) stops `--follow` cleanly: exit 0, every line complete.
#[test]
fn follow_stops_cleanly_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventmock"))
        .args([
            "generate",
            "--vendor",
            "all",
            "--count",
            "1",
            "--follow",
            "--arrivals",
            "10/s",
            "--tag-vendor",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The five base events and the first arrival of each vendor.
    let mut read: Vec<String> = (0..10).map(|_| lines.next().unwrap().unwrap()).collect();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    read.extend(lines.map(Result::unwrap));
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    for line in &read {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["vendor"].is_string() && v["event"].is_object(), "{line}");
    }
    assert_eq!(read.len() % 5, 0, "every arrival in all five vendors");
}

#[test]
fn follow_flags_are_checked() {
    for (args, says) in [
        (vec!["--follow"], "--follow needs --arrivals RATE"),
        (vec!["--arrivals", "5/s"], "go with --follow"),
        (vec!["--follow", "--arrivals", "5"], "--arrivals:"),
        (
            vec!["--follow", "--arrivals", "5/s", "--until", "10"],
            "--until: invalid duration",
        ),
        (
            vec!["--follow", "--arrivals", "5/s", "--format", "json"],
            "--follow streams NDJSON",
        ),
    ] {
        let mut all = vec!["generate", "--vendor", "cf", "--count", "1"];
        all.extend(args.iter());
        let out = eventmock(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{all:?}: {err}");
    }
}
