//! The contract run (`cargo xtask contract`): every `checks:` entry of every shipped scenario,
//! against the mock in-process. Each answer must meet the check's expectations, validate
//! against the vendor's OpenAPI document, and equal its reviewed snapshot in `snapshots/`.
//! Snapshots nobody references fail the run. The README's coverage table must be current.
//!
//! `cargo xtask contract --review` (`EVENTMOCK_CONTRACT_REVIEW=1` with `INSTA_UPDATE=always`)
//! accepts new snapshots, deletes unreferenced ones and rewrites the coverage table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use eventmock_contract::Validator;
use eventmock_contract::checks::{Runner, Target, snapshot};
use eventmock_contract::transport::InProcess;
use eventmock_model::Vendor;
use eventmock_server::World;

const COVERAGE_START: &str =
    "<!-- contract-coverage:start (cargo xtask contract --review rewrites this) -->";
const COVERAGE_END: &str = "<!-- contract-coverage:end -->";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn review() -> bool {
    std::env::var("EVENTMOCK_CONTRACT_REVIEW").is_ok_and(|v| v == "1")
}

#[test]
fn contract() {
    let root = repo();
    let snapshot_dir = root.join("snapshots");
    let (scenarios, diagnostics) = eventmock_scenario::load_all(&[root.join("scenarios")]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let mut failures: Vec<String> = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    // vendor → "METHOD /template" → statuses seen
    let mut coverage: BTreeMap<Vendor, BTreeMap<String, BTreeSet<u16>>> = BTreeMap::new();
    let mut checks_run = 0;
    for (path, scenario) in &scenarios {
        if scenario.checks.is_empty() {
            continue;
        }
        let world = World::from_scenarios(std::slice::from_ref(scenario)).unwrap();
        let transport = InProcess::new(world).unwrap();
        for vendor in Vendor::ALL {
            let checks: Vec<_> = scenario
                .checks
                .iter()
                .filter(|c| c.vendor == vendor)
                .collect();
            if checks.is_empty() {
                continue;
            }
            let validator = Validator::new(vendor).unwrap();
            let target = Target::of(scenario, vendor).unwrap();
            let prefix = target.prefix.clone();
            let mut runner = Runner::new(&transport, &validator, target);
            for check in checks {
                checks_run += 1;
                let outcome = runner.run(check, false);
                for f in &outcome.failures {
                    failures.push(format!(
                        "{} / {}: [{}] {}",
                        path.display(),
                        check.name,
                        f.kind.as_str(),
                        f.message
                    ));
                }
                if let Some(answer) = &outcome.answer {
                    let p = outcome.request.target.split('?').next().unwrap_or_default();
                    let p = p.strip_prefix(prefix.as_str()).unwrap_or(p);
                    let op = match validator.operation_path(&outcome.request.method, p) {
                        Some(t) => t.to_owned(),
                        None => match validator.operation_path("GET", p) {
                            Some(t) => format!("{t} (method not allowed)"),
                            None => "(unknown route)".to_owned(),
                        },
                    };
                    coverage
                        .entry(vendor)
                        .or_default()
                        .entry(format!("{} {op}", outcome.request.method))
                        .or_default()
                        .insert(answer.status);
                }
                let name = format!("{}__{}", scenario.name, check.name);
                used.insert(format!("{name}.snap"));
                let text = snapshot(&outcome);
                let result = std::panic::catch_unwind(|| {
                    insta::with_settings!({
                        snapshot_path => &snapshot_dir,
                        prepend_module_to_snapshot => false,
                        omit_expression => true,
                        description => format!("{} {}", check.method, check.path),
                    }, {
                        insta::assert_snapshot!(name.as_str(), text);
                    });
                });
                if result.is_err() {
                    failures.push(format!("{} / {}: the answer differs from snapshots/{name}.snap (see the diff above)", path.display(), check.name));
                }
            }
        }
    }
    assert!(checks_run >= 40, "only {checks_run} checks ran");
    // Unreferenced snapshots.
    for entry in std::fs::read_dir(&snapshot_dir).unwrap().flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.ends_with(".snap") && !used.contains(&file) {
            if review() {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                failures.push(format!("snapshots/{file} is not referenced by any check (cargo xtask contract --review deletes it)"));
            }
        }
    }
    // The README's coverage table.
    let table = coverage_table(&coverage);
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (Some(start), Some(end)) = (readme.find(COVERAGE_START), readme.find(COVERAGE_END)) else {
        panic!("README.md lacks the coverage markers");
    };
    let current = &readme[start + COVERAGE_START.len()..end];
    if current != table {
        if review() {
            let updated = format!(
                "{}{COVERAGE_START}{table}{}",
                &readme[..start],
                &readme[end..]
            );
            std::fs::write(&readme_path, updated).unwrap();
        } else {
            failures.push("README.md's contract coverage table is stale (cargo xtask contract --review rewrites it)".into());
        }
    }
    assert!(
        failures.is_empty(),
        "{} contract failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn coverage_table(coverage: &BTreeMap<Vendor, BTreeMap<String, BTreeSet<u16>>>) -> String {
    let mut out = String::from("\n| vendor | endpoint | statuses covered |\n|---|---|---|\n");
    for (vendor, ops) in coverage {
        for (op, statuses) in ops {
            let s: Vec<String> = statuses.iter().map(u16::to_string).collect();
            out.push_str(&format!("| {vendor} | `{op}` | {} |\n", s.join(", ")));
        }
    }
    out.push('\n');
    out
}

/// Names of the checks of `scenario` that pass against the mock serving it.
fn passing_checks(scenario: &eventmock_scenario::Scenario) -> BTreeSet<String> {
    let world = World::from_scenarios(std::slice::from_ref(scenario)).unwrap();
    let transport = InProcess::new(world).unwrap();
    let mut passed = BTreeSet::new();
    for vendor in Vendor::ALL {
        let Some(target) = Target::of(scenario, vendor) else {
            continue;
        };
        let validator = Validator::new(vendor).unwrap();
        let mut runner = Runner::new(&transport, &validator, target);
        for check in scenario.checks.iter().filter(|c| c.vendor == vendor) {
            if runner.run(check, false).failures.is_empty() {
                passed.insert(check.name.clone());
            }
        }
    }
    passed
}

/// Every override of a shipped scenario that has checks is proven by one: some check passes
/// with the override and fails without it (an override aimed at an id the dataset never
/// produced would pass either way and prove nothing).
#[test]
fn shipped_overrides_are_proven_by_a_check() {
    let (scenarios, diagnostics) = eventmock_scenario::load_all(&[repo().join("scenarios")]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let mut unproven = Vec::new();
    let mut proven = 0;
    for (path, scenario) in &scenarios {
        if scenario.checks.is_empty() {
            continue;
        }
        let with = passing_checks(scenario);
        for n in 0..scenario.overrides.len() {
            let mut without = scenario.clone();
            let removed = without.overrides.remove(n);
            let still = passing_checks(&without);
            if with.difference(&still).next().is_some() {
                proven += 1;
            } else {
                unproven.push(format!(
                    "{}: override `{}`",
                    path.display(),
                    removed.name.as_deref().unwrap_or("(unnamed)")
                ));
            }
        }
    }
    assert!(proven >= 3, "only {proven} overrides proven");
    assert!(
        unproven.is_empty(),
        "no check fails without these overrides:\n{}",
        unproven.join("\n")
    );
}
