//! Replays every committed corpus file through its target, uninstrumented (part of
//! `cargo xtask test`): each input AFL++ found interesting, and each crash it found once fixed,
//! must keep passing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use eventmock_fuzz::replay::{files, run_files};
use eventmock_fuzz::{TARGETS, corpus_dir, target};

fn replay(name: &str) {
    let target = target(name).expect("a registered target");
    let list = files(&corpus_dir(name)).unwrap();
    assert!(!list.is_empty(), "fuzz/corpus/{name} is empty: seed it");
    let failures = run_files(target, &list).unwrap();
    let report: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}", f.file.display(), f.message))
        .collect();
    assert!(report.is_empty(), "{name}:\n{}", report.join("\n"));
}

macro_rules! corpus_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name));
            }
        )*

        #[test]
        fn every_target_has_a_corpus_test() {
            let tested = [$(stringify!($name)),*];
            for t in TARGETS {
                assert!(tested.contains(&t.name), "no corpus test for {}", t.name);
            }
        }
    };
}

corpus_tests!(
    query_probely,
    query_authentik,
    query_halo,
    query_instavm,
    query_cf,
    id_codec,
    scenario,
    json_writer,
    admin_pattern,
    admin_events,
);
