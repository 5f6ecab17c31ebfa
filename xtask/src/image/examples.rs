//! The README's docker-compose and GitHub Actions examples, checked against their schemas
//! (`check-jsonschema --builtin-schema vendor.compose-spec` and `vendor.github-workflows`,
//! from PyPI, installed pinned into a cached virtualenv), and a broken copy of each that must
//! be refused, so the check itself is known to bite.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The pinned validator.
const CHECK_JSONSCHEMA: &str = "check-jsonschema==0.39.0";

/// A README example: the marker before its fenced block and the schema it must pass.
struct Example {
    marker: &'static str,
    schema: &'static str,
    file: &'static str,
}

const EXAMPLES: [Example; 2] = [
    Example {
        marker: "<!-- example: docker-compose -->",
        schema: "vendor.compose-spec",
        file: "compose.yaml",
    },
    Example {
        marker: "<!-- example: github-actions -->",
        schema: "vendor.github-workflows",
        file: "workflow.yaml",
    },
];

/// The fenced block right after `marker` in `readme`.
fn block_after<'a>(readme: &'a str, marker: &str) -> Result<&'a str> {
    let (_, rest) = readme
        .split_once(marker)
        .with_context(|| format!("README.md: no `{marker}`"))?;
    let (_, rest) = rest
        .split_once("```yaml\n")
        .with_context(|| format!("README.md: no ```yaml block after `{marker}`"))?;
    let (block, _) = rest
        .split_once("\n```")
        .with_context(|| format!("README.md: unterminated block after `{marker}`"))?;
    Ok(block)
}

/// The validator, installed into `cache/venv-check-jsonschema` when missing.
fn validator(cache: &Path) -> Result<PathBuf> {
    let venv = cache.join("venv-check-jsonschema");
    let bin = venv.join("bin/check-jsonschema");
    let stamp = venv.join("installed");
    if bin.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == CHECK_JSONSCHEMA) {
        return Ok(bin);
    }
    println!(
        "xtask image: installing {CHECK_JSONSCHEMA} into {}",
        venv.display()
    );
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args(["install", "-q", CHECK_JSONSCHEMA]))?;
    std::fs::write(&stamp, CHECK_JSONSCHEMA).context("writing the venv's stamp")?;
    Ok(bin)
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

/// Whether `file` passes `schema`; the validator's output when it does not.
fn validate(bin: &Path, schema: &str, file: &Path) -> Result<Result<(), String>> {
    let out = Command::new(bin)
        .args(["--builtin-schema", schema])
        .arg(file)
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    Ok(if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    })
}

/// Checks the README's examples (and that a broken copy of each is refused).
pub fn check(readme_path: &Path, cache: &Path) -> Result<()> {
    let readme = std::fs::read_to_string(readme_path)
        .with_context(|| format!("reading {}", readme_path.display()))?;
    let bin = validator(cache)?;
    let dir = std::env::temp_dir().join(format!("eventmock-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let result = (|| -> Result<()> {
        for ex in &EXAMPLES {
            let block = block_after(&readme, ex.marker)?;
            if !block.contains("eventmock") || !block.contains("/__eventmock/health") {
                bail!(
                    "README.md: the {} example lost its image or health probe",
                    ex.file
                );
            }
            let file = dir.join(ex.file);
            std::fs::write(&file, block)?;
            if let Err(out) = validate(&bin, ex.schema, &file)? {
                bail!(
                    "README.md's {} example fails {}:\n{out}",
                    ex.file,
                    ex.schema
                );
            }
            // Both schemas refuse an unknown top-level key.
            let broken = format!("{block}\nnot_a_key: 1\n");
            let broken_file = dir.join(format!("broken-{}", ex.file));
            std::fs::write(&broken_file, broken)?;
            if validate(&bin, ex.schema, &broken_file)?.is_ok() {
                bail!("{} accepted a broken {} example", ex.schema, ex.file);
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    println!("xtask image: README's docker-compose and GitHub Actions examples pass their schemas");
    Ok(())
}
