//! Prints the diagnostics of scenario files given on the command line (a debugging aid).

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let (ok, diags) = eventmock_scenario::load_all(&paths);
    for (p, _) in &ok {
        println!("ok: {}", p.display());
    }
    for d in &diags {
        println!("{d}");
    }
}
