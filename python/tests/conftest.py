"""The package's own tests, run by `cargo xtask wheel test` against the installed wheel (never
the source tree). `pytester` runs pytest sessions in subprocesses for the plugin's tests."""

pytest_plugins = ["pytester"]
