"""The pytest plugin, each case a pytest session of its own (pytester, in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_each_test_gets_a_fresh_world_from_one_process(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        PIDS = []

        def total(server):
            return server.vendors()[0]["total"]

        def test_adds(eventmock):
            PIDS.append(eventmock.pid)
            eventmock.add_events("authentik", {}, partial=True)
            assert total(eventmock) == 6

        def test_sees_the_scenarios_world(eventmock):
            PIDS.append(eventmock.pid)
            assert total(eventmock) == 5
            assert eventmock.requests() == []

        def test_one_process_served_both():
            assert len(set(PIDS)) == 1
        """
    )
    run(pytester, "--eventmock-scenario", str(write_scenario(pytester))).assert_outcomes(passed=3)


def write_scenario(pytester: pytest.Pytester, name: str = "five", events: int = 5) -> Path:
    return pytester.makefile(
        ".yaml", **{name: f"name: {name}\nvendors:\n  authentik: {{events: {events}}}\n"}
    )


def test_a_marker_picks_the_world_of_one_test(pytester: pytest.Pytester):
    write_scenario(pytester, "seven", 7)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.eventmock(scenario="seven.yaml")
        def test_marked(eventmock):
            assert eventmock.scenarios() == ["seven"]

        @pytest.mark.eventmock(vendors=["halo"], seed=3, events=4)
        def test_vendors(eventmock):
            assert [(m["vendor"], m["total"], m["seed"]) for m in eventmock.vendors()] == [("halo", 4, 3)]

        def test_unmarked(eventmock):
            assert eventmock.scenarios() == []
            assert len(eventmock.vendors()) == 5
        """
    )
    run(pytester).assert_outcomes(passed=3)


def test_the_session_fixture_is_shared_and_never_reset(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_first(eventmock_session):
            eventmock_session.add_events("cf", {}, partial=True)

        def test_second(eventmock_session):
            cf = [m for m in eventmock_session.vendors() if m["vendor"] == "cf"][0]
            assert cf["total"] == 11
        """
    )
    run(pytester, "--eventmock-events", "10").assert_outcomes(passed=2)


def test_a_replaced_world_gets_a_new_process(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        PIDS = []

        def test_replaces(eventmock):
            PIDS.append(eventmock.pid)
            eventmock.load_scenario("name: other\\nvendors:\\n  halo: {events: 2}\\n")

        def test_after(eventmock):
            PIDS.append(eventmock.pid)
            assert eventmock.scenarios() == []
            assert PIDS[0] != PIDS[1]
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_bad_marker_arguments_are_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.eventmock(scenarios="x.yaml")
        def test_typo(eventmock):
            pass
        """
    )
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "@pytest.mark.eventmock: unknown argument(s) ['scenarios']" in result.stderr.str()


def test_a_bad_scenario_option_names_the_problem(pytester: pytest.Pytester):
    bad = pytester.makefile(".yaml", bad="name: bad\nvendors: {nope: {}}\n")
    pytester.makepyfile("def test_x(eventmock):\n    pass\n")
    result = run(pytester, "--eventmock-scenario", str(bad))
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*eventmock fixture: eventmock exited with status 2 before serving*", "*nope*"])


def test_a_failing_tests_report_shows_the_journal():
    example = HERE / "examples" / "fails_on_purpose.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(example), "-p", "no:cacheprovider", "-rN"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "deliberately wrong" in out
    section = out.split("eventmock journal: last 20 requests to http://127.0.0.1:", 1)
    assert len(section) == 2, out
    lines = [line for line in section[1].splitlines() if line.startswith("#")]
    assert "GET /api/v3/events/events/?page_size=2 -> 200 [authentik" in lines[0]
    assert "GET /api/v3/events/events/not-a-uuid/ -> 403 [authentik" in lines[1]
    assert len(lines) == 2


def test_a_passing_tests_report_has_no_journal(pytester: pytest.Pytester):
    pytester.makepyfile("def test_ok(eventmock):\n    eventmock.vendors()\n")
    result = run(pytester, "-rA")
    result.assert_outcomes(passed=1)
    assert "eventmock journal" not in result.stdout.str()
