"""The installed wheel: the package, its binary, its version."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import eventmock
from eventmock._binary import find_binary
from helpers import REPO


def crate_version() -> str:
    text = (REPO / "Cargo.toml").read_text(encoding="utf-8")
    section = text.split("[workspace.package]", 1)[1]
    match = re.search(r'^version\s*=\s*"([^"]+)"', section, re.MULTILINE)
    assert match, "workspace.package.version in Cargo.toml"
    return match.group(1)


def test_the_installed_package_is_under_test_not_the_source_tree():
    installed = Path(eventmock.__file__).resolve()
    assert REPO / "python" / "src" not in installed.parents
    assert Path(sys.prefix).resolve() in installed.parents
    assert (installed.parent / "py.typed").is_file()


def test_version_is_the_crates():
    assert eventmock.__version__ == crate_version()


def test_the_wheel_puts_the_binary_in_the_environments_scripts():
    binary = Path(find_binary())
    assert binary == Path(sys.prefix) / "bin" / "eventmock"
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"eventmock {crate_version()}"


def test_the_readme_shows_the_example_test():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- python-example:start -->\n```python\n", "```\n<!-- python-example:end -->"
    assert start in readme and end in readme, "the README's python-example markers"
    shown = readme.split(start, 1)[1].split(end, 1)[0]
    example = (REPO / "python" / "tests" / "test_readme_example.py").read_text(encoding="utf-8")
    assert shown == example.split("\n", 1)[1], "README.md shows python/tests/test_readme_example.py"
