"""The pytest plugin (entry point ``pytest11``: active once the wheel is installed).

Fixtures:

- ``eventmock`` (function scope): a :class:`~eventmock.Server` whose world is fresh for each
  test. One process per distinct configuration serves the whole session; before each test the
  fixture resets it (``POST /reset``) and empties its journal, and a test that replaced the
  world (:meth:`~eventmock.Server.load_scenario`) gets its process stopped afterwards.
- ``eventmock_session`` (session scope): one server shared by every test that asks for it,
  never reset by the plugin (the fast choice for tests that only read).

Configuration: the command-line options ``--eventmock-scenario PATH`` (repeatable),
``--eventmock-seed``, ``--eventmock-events``, ``--eventmock-clock``,
``--eventmock-clock-start``, ``--eventmock-arrivals`` apply to both; the marker
``@pytest.mark.eventmock(scenario=..., vendors=..., seed=..., events=..., clock=...,
clock_start=..., arrivals=...)`` overrides them for one test's ``eventmock`` (a relative
scenario path is taken from the test file's directory).

When a test that used a fixture fails, the report gets a section with the last
``--eventmock-journal-tail`` (default 20) requests the server saw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Generator, Iterator, List, Optional, Tuple

import pytest

from .errors import EventmockError
from .server import Server

_OPTION_KEYS = ("scenario", "vendors", "seed", "events", "clock", "clock_start", "arrivals")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("eventmock", "eventmock mock server")
    group.addoption(
        "--eventmock-scenario",
        action="append",
        default=[],
        metavar="PATH",
        help="scenario file or directory of the eventmock fixtures (repeatable)",
    )
    group.addoption("--eventmock-seed", type=int, default=None, help="dataset seed (no scenario)")
    group.addoption("--eventmock-events", type=int, default=None, help="events per vendor (no scenario)")
    group.addoption("--eventmock-clock", default=None, help="clock mode: frozen, live or manual")
    group.addoption("--eventmock-clock-start", default=None, help="clock start: RFC 3339 or now")
    group.addoption("--eventmock-arrivals", default=None, help="arrival rate, e.g. 5/s")
    group.addoption(
        "--eventmock-journal-tail",
        type=int,
        default=20,
        metavar="N",
        help="requests of the journal shown in a failed test's report (0: none)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "eventmock(scenario=None, vendors=None, seed=None, events=None, clock=None, clock_start=None, "
        "arrivals=None): "
        "the world of this test's eventmock fixture",
    )


def _command_line_options(config: pytest.Config) -> Dict[str, Any]:
    scenarios = [str(Path(p).resolve()) for p in config.getoption("eventmock_scenario")]
    return {
        "scenario": tuple(scenarios) or None,
        "vendors": None,
        "seed": config.getoption("eventmock_seed"),
        "events": config.getoption("eventmock_events"),
        "clock": config.getoption("eventmock_clock"),
        "clock_start": config.getoption("eventmock_clock_start"),
        "arrivals": config.getoption("eventmock_arrivals"),
    }


def _check_marker(item: pytest.Item) -> None:
    """A usage error for an ``eventmock`` marker with positional or unknown arguments."""
    marker = item.get_closest_marker("eventmock")
    if marker is None:
        return
    if marker.args:
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.eventmock takes keyword arguments only")
    unknown = sorted(set(marker.kwargs) - set(_OPTION_KEYS))
    if unknown:
        raise pytest.UsageError(
            f"{item.nodeid}: @pytest.mark.eventmock: unknown argument(s) {unknown}; expected {list(_OPTION_KEYS)}"
        )


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    for item in items:
        _check_marker(item)


def _marker_options(item: pytest.Item, base: Dict[str, Any]) -> Dict[str, Any]:
    marker = item.get_closest_marker("eventmock")
    if marker is None:
        return base
    options = dict(base)
    if {"scenario", "vendors", "seed", "events"} & set(marker.kwargs):
        # The marker describes the world: command-line world options do not mix into it.
        options.update(scenario=None, vendors=None, seed=None, events=None)
    options.update(marker.kwargs)
    scenario = options["scenario"]
    if scenario is not None:
        here = Path(str(item.fspath)).parent
        items = [scenario] if isinstance(scenario, (str, Path)) else list(scenario)
        options["scenario"] = tuple(_resolve(s, here) for s in items)
    if options["vendors"] is not None:
        options["vendors"] = tuple(options["vendors"])
    return options


def _resolve(scenario: Any, here: Path) -> str:
    if isinstance(scenario, str) and "\n" in scenario:
        return scenario
    path = Path(scenario)
    return str(path if path.is_absolute() else (here / path).resolve())


def _key(options: Dict[str, Any]) -> Tuple[Any, ...]:
    return tuple(options[k] for k in _OPTION_KEYS)


def _start(options: Dict[str, Any]) -> Server:
    try:
        return Server(
            options["scenario"],
            vendors=options["vendors"],
            seed=options["seed"],
            events=options["events"],
            clock=options["clock"],
            clock_start=options["clock_start"],
            arrivals=options["arrivals"],
        ).start()
    except (EventmockError, ValueError) as error:
        pytest.fail(f"eventmock fixture: {error}", pytrace=False)


class _Pool:
    """The function fixture's servers, one per configuration, kept for the session."""

    def __init__(self) -> None:
        self._servers: Dict[Tuple[Any, ...], Server] = {}

    def get(self, options: Dict[str, Any]) -> Server:
        key = _key(options)
        server = self._servers.get(key)
        if server is not None and not server.running:
            server.stop()
            server = None
        if server is None:
            server = _start(options)
            self._servers[key] = server
        return server

    def discard(self, server: Server) -> None:
        for key, held in list(self._servers.items()):
            if held is server:
                del self._servers[key]
        server.stop()

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def _eventmock_pool() -> Iterator[_Pool]:
    pool = _Pool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def eventmock(request: pytest.FixtureRequest, _eventmock_pool: _Pool) -> Generator[Server, None, None]:
    """A server with a fresh world for this test (reset, journal emptied)."""
    options = _marker_options(request.node, _command_line_options(request.config))
    server = _eventmock_pool.get(options)
    server.reset()
    server.clear_requests()
    yield server
    if server.world_replaced or not server.running:
        _eventmock_pool.discard(server)


@pytest.fixture(scope="session")
def eventmock_session(request: pytest.FixtureRequest) -> Iterator[Server]:
    """One server for the whole session, configured from the command line; never reset."""
    server = _start(_command_line_options(request.config))
    try:
        yield server
    finally:
        server.stop()


def _servers_of(item: pytest.Item) -> List[Server]:
    """The servers among the fixture values the test holds (the plugin's or its own)."""
    values = getattr(item, "funcargs", {}).values()
    return list({id(v): v for v in values if isinstance(v, Server)}.values())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed or report.when == "teardown":
        return
    limit = item.config.getoption("eventmock_journal_tail")
    servers = _servers_of(item)
    if limit <= 0 or not servers:
        return
    for server in servers:
        if not server.running:
            report.sections.append(("eventmock journal", "(the server is not running)"))
            continue
        try:
            tail = server.journal_tail(limit)
        except (EventmockError, OSError) as error:
            tail = f"(could not read the journal: {error})"
        report.sections.append((f"eventmock journal: last {limit} requests to {server.url}", tail))
