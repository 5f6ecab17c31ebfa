//! Scenario files end to end: the broken corpus (snapshotted diagnostics), good files (values
//! round-trip), directory loading, and the committed JSON Schema.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use eventmock_model::Vendor;
use eventmock_scenario::{
    Action, Auth, Body, Latency, Matcher, PathMatcher, RequestParts, json_schema, load, load_all,
    parse,
};

/// The crate directory.
fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a test corpus, sorted.
fn corpus(name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir().join("tests").join(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn broken_scenarios_report_exact_diagnostics() {
    let files = corpus("broken");
    assert!(files.len() >= 12, "the broken corpus shrank");
    for path in files {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = format!("tests/broken/{stem}.yaml");
        let diags = parse(&name, &text).expect_err(&name);
        for d in &diags {
            assert_eq!(d.file, name);
            assert!(d.line > 0 && d.column > 0, "{d}");
            assert!(d.found.is_some() && d.expected.is_some(), "{d}");
        }
        let rendered: Vec<String> = diags.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!(format!("broken__{stem}"), rendered.join("\n"));
    }
}

#[test]
fn several_errors_are_collected_in_one_run() {
    let text = std::fs::read_to_string(dir().join("tests/broken/several_errors.yaml")).unwrap();
    let diags = parse("several_errors.yaml", &text).unwrap_err();
    assert!(diags.len() >= 10, "{diags:#?}");
}

#[test]
fn good_scenarios_parse() {
    let (ok, diags) = load_all(&[dir().join("tests/good")]);
    assert!(diags.is_empty(), "{diags:#?}");
    let names: Vec<&str> = ok.iter().map(|(_, s)| s.name.as_str()).collect();
    assert_eq!(names, ["authentik-errors", "minimal"]);
}

#[test]
fn full_scenario_values_round_trip() {
    let s = load(&dir().join("tests/good/full.yaml")).unwrap();
    assert_eq!(s.seed, Some(42));
    let order: Vec<Vendor> = s.vendors.iter().map(|m| m.vendor).collect();
    assert_eq!(order, Vendor::ALL);

    let a = s.vendor(Vendor::Authentik).unwrap();
    assert_eq!(a.port, Some(9001));
    assert_eq!(a.dataset.seed, 7);
    assert_eq!(a.dataset.len, 5000);
    assert_eq!(a.dataset.window, 30 * 86_400 * 1_000_000);
    assert_eq!(a.auth, Auth::Tokens(vec!["good-token".into()]));
    assert_eq!(a.fixtures.len(), 2);
    assert_eq!(a.fixtures[0].event["context"]["geo"]["country"], "DE");
    assert_eq!(a.fixtures[1].at, a.dataset.anchor);
    assert!(a.fixtures[0].at < a.dataset.anchor);

    let cf = s.vendor(Vendor::CloudFoundry).unwrap();
    assert_eq!((cf.prefix.as_str(), cf.dataset.seed), ("/cf", 42));
    assert_eq!(cf.auth, Auth::Off);
    assert_eq!(s.vendor(Vendor::Halo).unwrap().dataset.len, 1 << 40);
    assert_eq!(s.vendor(Vendor::Instavm).unwrap().port, Some(0));

    let o = &s.overrides[0];
    assert_eq!(o.name.as_deref(), Some("force-403"));
    assert!(
        matches!(o.action, Action::Respond(ref r) if r.body == Body::Error(eventmock_scenario::file::ErrorName::Forbidden))
    );
    let body = serde_json::json!({"user": {"name": "alice"}});
    let mut req = RequestParts {
        method: "GET",
        path: "/api/v3/events/events/3fa85f64-x/",
        query: &[("page", "2")],
        headers: &[("x-test", "1"), ("X-Trace", "00ff")],
        body: Some(&body),
    };
    assert!(o.matcher.matches(&req));
    req.method = "POST";
    assert!(!o.matcher.matches(&req));
    req.method = "GET";
    req.query = &[("page", "3")];
    assert!(!o.matcher.matches(&req));
    req.query = &[("page", "2")];
    req.path = "/api/v3/events/events/zzz/";
    assert!(!o.matcher.matches(&req));

    match &s.overrides[1].action {
        Action::Sequence { steps, then } => {
            assert_eq!(*then, eventmock_scenario::file::Then::Cycle);
            assert_eq!(steps.len(), 3);
            assert_eq!(
                steps[0].as_ref().unwrap().body,
                Body::Json(r#"{"detail":"boom"}"#.into())
            );
            assert!(steps[1].is_none());
            assert_eq!(steps[2].as_ref().unwrap().body, Body::Text("raw".into()));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.overrides[1].matcher.path,
        Some(PathMatcher::Regex(_))
    ));
    assert!(matches!(
        s.overrides[0].matcher.headers[1].1,
        Matcher::Regex(_)
    ));

    assert_eq!(s.faults[0].latency, Some(Latency::Fixed(100)));
    assert_eq!(s.faults[0].status.unwrap().probability, 0.1);
    assert!(
        s.faults[0]
            .route
            .as_ref()
            .unwrap()
            .is_match("/v2/events/abc")
    );
    assert_eq!(
        s.faults[1].latency,
        Some(Latency::Uniform { min: 10, max: 200 })
    );
    assert_eq!(s.faults[1].truncate, Some(0.0));

    assert_eq!(s.checks[0].method, "GET");
    assert_eq!(s.checks[0].path, "/api/v3/events/events/{id:0}/");
    assert_eq!(s.checks[0].expect.status, Some(200));
}

#[test]
fn unreadable_file_is_a_diagnostic() {
    let missing = Path::new("/nonexistent/scenario.yaml");
    let d = load(missing).unwrap_err();
    assert_eq!(d.len(), 1);
    assert!(d[0].message.starts_with("cannot read"), "{}", d[0]);
}

#[test]
fn committed_schema_is_current() {
    let path = dir().join("scenario.schema.json");
    let generated = serde_json::to_string_pretty(&json_schema()).unwrap() + "\n";
    if std::env::var_os("EVENTMOCK_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/scenario/scenario.schema.json is stale; regenerate it with `{}` \
         (or `EVENTMOCK_WRITE_SCHEMA=1 cargo test -p eventmock-scenario --test scenarios committed_schema`)",
        eventmock_scenario::SCHEMA_COMMAND
    );
}

/// `users:` sets the dataset's user population; the default is 200.
#[test]
fn users_set_the_population() {
    let s = parse(
        "users.yaml",
        "name: users\nvendors:\n  authentik:\n    users: 500\n  cf: {}\n",
    )
    .unwrap();
    let users: Vec<u32> = s.vendors.iter().map(|m| m.dataset.users).collect();
    assert_eq!(users, [500, eventmock_fake::pools::DEFAULT_USERS]);
}
