//! `eventmock serve`'s banner: every `curl` line it prints works as pasted — with the
//! zero-config server, with a scenario's token lists (the listed token, not `demo`), with
//! `auth: off` (no credential), and CF's token flow (a token from `/oauth/token`, then the
//! bearer). The lines are taken apart as a POSIX shell would and sent over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Served;
use eventmock_contract::transport::{Http, Request, Transport};

/// A shell line split into words: single quotes, double quotes (with `$VAR` from `vars`) and
/// backslash escapes, as `sh` reads them.
fn words(line: &str, vars: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {
                if let Some(w) = word.take() {
                    out.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    w.push(c);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        '$' => {
                            let mut name = String::new();
                            while let Some(c) = chars.peek().filter(|c| c.is_alphanumeric()) {
                                name.push(*c);
                                chars.next();
                            }
                            let value = vars.iter().find(|(n, _)| *n == name);
                            w.push_str(value.expect("an unset shell variable").1);
                        }
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// A `curl` command line as a request: `-H` headers, `-d` form fields (a POST), the URL.
fn curl_request(words: &[String]) -> (String, Request) {
    assert_eq!(words[0], "curl", "{words:?}");
    let mut headers = Vec::new();
    let mut form = Vec::new();
    let mut url = None;
    let mut rest = words[1..].iter();
    while let Some(w) = rest.next() {
        match w.as_str() {
            "-s" => {}
            "-H" => {
                let (k, v) = rest.next().unwrap().split_once(": ").unwrap();
                headers.push((k.to_owned(), v.to_owned()));
            }
            "-d" => form.push(rest.next().unwrap().clone()),
            u if u.starts_with("http://") => url = Some(u.to_owned()),
            other => panic!("unexpected curl argument {other:?} in {words:?}"),
        }
    }
    let url = url.expect("a URL");
    let after_scheme = &url["http://".len()..];
    let at = after_scheme.find('/').unwrap();
    let base = format!("http://{}", &after_scheme[..at]);
    let method = if form.is_empty() { "GET" } else { "POST" };
    if !form.is_empty() {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    let request = Request {
        method: method.into(),
        target: after_scheme[at..].to_owned(),
        headers,
        port: None,
        body: form.join("&").into_bytes(),
    };
    (base, request)
}

fn send(base: &str, request: &Request) -> (u16, String) {
    let answer = Http::new(base, Duration::from_secs(10))
        .unwrap()
        .send(request)
        .unwrap();
    (
        answer.status,
        String::from_utf8_lossy(&answer.body).into_owned(),
    )
}

/// Runs `script` through `sed` (an essential tool of every POSIX system) on `input`.
fn sed(script: &str, input: &str) -> String {
    let mut child = Command::new("sed")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Runs one vendor's banner lines; returns the final answer's status and body and the
/// credential header sent (if any).
fn run_example(lines: &[&str]) -> (u16, String, Option<String>) {
    let mut vars: Vec<(&str, String)> = Vec::new();
    let mut last = None;
    for line in lines {
        if let Some(inner) = line
            .strip_prefix("TOKEN=$(")
            .and_then(|l| l.strip_suffix(')'))
        {
            // CF's token flow: `TOKEN=$(curl … | sed '…')`.
            let (curl, sed_part) = inner.split_once(" | ").unwrap();
            let (base, request) = curl_request(&words(curl, &[]));
            let (status, body) = send(&base, &request);
            assert_eq!(status, 200, "{curl}: {body}");
            let script = words(sed_part, &[]);
            assert_eq!(script[0], "sed");
            let token = sed(&script[1], &body);
            let want: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(token, want["access_token"].as_str().unwrap(), "{sed_part}");
            vars.push(("TOKEN", token));
            continue;
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (base, request) = curl_request(&words(line, &vars));
        let (status, body) = send(&base, &request);
        let credential = request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization") || k == "x-apikey")
            .map(|(_, v)| v.clone());
        last = Some((status, body, credential));
    }
    last.expect("a curl line")
}

/// The banner of a server, grouped per vendor: `(vendor, lines)`.
fn examples(banner: &[String]) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for line in &banner[1..] {
        let label = line[2..12].trim();
        let command = &line[13..];
        if label.is_empty() {
            out.last_mut().unwrap().1.push(command);
        } else {
            out.push((label.to_owned(), vec![command]));
        }
    }
    out
}

fn scenario_file(name: &str, yaml: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("eventmock-banner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, yaml).unwrap();
    file
}

/// Checks that every vendor's example answers 200 with an event, and returns per vendor the
/// credential header its last line sent.
fn every_example_works(server: &Served, vendors: usize) -> Vec<(String, Option<String>)> {
    let groups = examples(&server.banner);
    assert_eq!(groups.len(), vendors, "{:#?}", server.banner);
    groups
        .iter()
        .map(|(vendor, lines)| {
            let (status, body, credential) = run_example(lines);
            assert_eq!(status, 200, "{vendor}: {lines:?}\n{body}");
            (vendor.clone(), credential)
        })
        .collect()
}

#[test]
fn zero_config_examples_work_and_cf_uses_its_token_flow() {
    // Header, five vendors, CF's second line.
    let server = Served::start_with_banner(&[], 7);
    let sent = every_example_works(&server, 5);
    let cf = &sent.iter().find(|(v, _)| v == "cf").unwrap().1;
    let cf = cf.as_deref().unwrap();
    assert!(
        cf.starts_with("bearer ey") && cf.len() > 100,
        "CF's bearer comes from /oauth/token: {cf}"
    );
}

#[test]
fn examples_use_a_token_the_scenario_lists() {
    let yaml = "name: tokens\nvendors:\n\
        \x20 probely: {auth: {tokens: [p-key, other]}}\n\
        \x20 authentik: {auth: {tokens: [ak-token]}}\n\
        \x20 halo: {auth: {tokens: [\"it's-halo\"]}}\n\
        \x20 instavm: {auth: {tokens: [vm-key]}}\n\
        \x20 cf: {auth: {tokens: [cf-token]}}\n";
    let file = scenario_file("tokens", yaml);
    let server = Served::start_with_banner(&["--scenario", file.to_str().unwrap()], 6);
    let sent = every_example_works(&server, 5);
    let want = [
        ("probely", "JWT p-key"),
        ("authentik", "Bearer ak-token"),
        ("halo", "it's-halo"),
        ("instavm", "Bearer vm-key"),
        ("cf", "bearer cf-token"),
    ];
    for (vendor, credential) in want {
        let got = &sent.iter().find(|(v, _)| v == vendor).unwrap().1;
        assert_eq!(got.as_deref(), Some(credential), "{vendor}");
    }
}

#[test]
fn examples_send_no_credential_with_auth_off_on_prefixes_and_ports() {
    let yaml = "name: open\nvendors:\n\
        \x20 probely: {prefix: /p, auth: {off: true}}\n\
        \x20 authentik: {prefix: /ak, auth: {off: true}}\n\
        \x20 halo: {auth: {off: true}}\n\
        \x20 instavm: {prefix: /vm, auth: {off: true}}\n\
        \x20 cf: {port: 0, auth: {off: true}}\n";
    let file = scenario_file("open", yaml);
    let server = Served::start_with_banner(&["--scenario", file.to_str().unwrap()], 6);
    let sent = every_example_works(&server, 5);
    for (vendor, credential) in &sent {
        assert_eq!(credential, &None, "{vendor} needs no credential");
    }
    let cf = server
        .banner
        .iter()
        .find(|l| l.contains("/v2/events/"))
        .unwrap();
    assert!(
        !cf.contains(&server.addr),
        "CF is on a port of its own: {cf}"
    );
}
