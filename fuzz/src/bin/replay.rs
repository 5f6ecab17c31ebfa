//! Replays inputs through a target without instrumentation:
//! `eventmock-fuzz-replay <target> [FILE|DIR]...` (default: the target's committed corpus);
//! `eventmock-fuzz-replay all` replays every corpus. Prints each failing file with its panic
//! message; exit status 1 when one fails, 2 on a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use eventmock_fuzz::replay::{files, run_files};
use eventmock_fuzz::{TARGETS, Target, corpus_dir, target};

fn inputs(target: &Target, paths: &[String]) -> std::io::Result<Vec<PathBuf>> {
    if paths.is_empty() {
        return files(&corpus_dir(target.name));
    }
    let mut all = Vec::new();
    for p in paths {
        let path = PathBuf::from(p);
        if path.is_dir() {
            all.extend(files(&path)?);
        } else {
            all.push(path);
        }
    }
    Ok(all)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, paths)) = args.split_first() else {
        eprintln!("usage: eventmock-fuzz-replay (<target> [FILE|DIR]... | all)");
        return ExitCode::from(2);
    };
    let chosen: Vec<&Target> = if name == "all" {
        TARGETS.iter().collect()
    } else if let Some(t) = target(name) {
        vec![t]
    } else {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        eprintln!("unknown target `{name}`; targets: {}", names.join(", "));
        return ExitCode::from(2);
    };
    let mut failed = 0;
    for t in chosen {
        let list = match inputs(t, paths) {
            Ok(list) => list,
            Err(e) => {
                eprintln!("{}: reading the inputs: {e}", t.name);
                return ExitCode::from(2);
            }
        };
        match run_files(t, &list) {
            Ok(failures) => {
                println!(
                    "{}: {} inputs, {} failed",
                    t.name,
                    list.len(),
                    failures.len()
                );
                for f in &failures {
                    println!("  {}: {}", f.file.display(), f.message);
                }
                failed += failures.len();
            }
            Err(e) => {
                eprintln!("{}: reading an input: {e}", t.name);
                return ExitCode::from(2);
            }
        }
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
