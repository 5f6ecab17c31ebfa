""":class:`Server`: the bundled ``eventmock`` binary as a child process on a free loopback port,
with thin wrappers over its admin API."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
import weakref
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Dict, Iterable, List, Optional, Sequence, Union

from ._admin import AdminClient
from ._binary import find_binary
from .clock import Clock, Delivery, delivery_path
from .errors import AdminError, StartError

#: A scenario: a file or directory path, or the YAML text itself (a ``str`` with a newline).
Scenario = Union[str, "os.PathLike[str]"]

_BANNER = re.compile(r"listening on (http://\S+)")
#: How long :meth:`Server.stop` waits for a graceful exit before killing the process.
_STOP_GRACE = 5.0


class _Process:
    """The child process and what must go with it; kept apart from :class:`Server` so that the
    finalizer that stops it holds no reference to the server."""

    def __init__(self, popen: "subprocess.Popen[bytes]", stderr: IO[bytes], workdir: Optional[str]):
        self.popen = popen
        self.stderr = stderr
        self.workdir = workdir
        self.banner: List[str] = []

    def stderr_text(self) -> str:
        try:
            self.stderr.seek(0)
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def stop(self) -> None:
        """Stops the process (stdin closed + SIGTERM: a graceful stop; killed after a grace
        period) and removes its files. Safe to call twice."""
        popen = self.popen
        if popen.stdin is not None and not popen.stdin.closed:
            try:
                popen.stdin.close()
            except OSError:
                pass
        if popen.poll() is None:
            try:
                popen.terminate()
                popen.wait(_STOP_GRACE)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
            except OSError:
                pass
        if popen.stdout is not None:
            popen.stdout.close()
        self.stderr.close()
        if self.workdir is not None:
            _remove_tree(self.workdir)
            self.workdir = None


def _remove_tree(path: str) -> None:
    for root, dirs, files in os.walk(path, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(root, name))
            except OSError:
                pass
        for name in dirs:
            try:
                os.rmdir(os.path.join(root, name))
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass


class Server:
    """An ``eventmock serve`` on ``127.0.0.1`` and a free port, started by :meth:`start` (or
    ``with Server(...) as server:``) and stopped by :meth:`stop` or when the block ends.

    What it serves: ``scenario`` (a path to a scenario file or directory, the YAML text itself,
    or a list of those), or without one the five vendors (or only ``vendors``) with datasets of
    ``seed`` and ``events``. ``clock`` (``frozen`` | ``live`` | ``manual``), ``clock_start``
    (RFC 3339 or ``now``) and ``arrivals`` (``"5/s"``) set the world's clock. ``journal`` is the journal's capacity; ``args`` are extra
    ``eventmock serve`` flags.

    The process never outlives the Python process: it is started with
    ``--stop-on-stdin-close`` and holds the read end of a pipe whose write end only this
    process has, so it stops when the interpreter exits or dies (even by SIGKILL); a finalizer
    and :meth:`stop` stop it earlier.
    """

    def __init__(
        self,
        scenario: Union[Scenario, Sequence[Scenario], None] = None,
        *,
        vendors: Optional[Iterable[str]] = None,
        seed: Optional[int] = None,
        events: Optional[int] = None,
        clock: Optional[str] = None,
        clock_start: Optional[str] = None,
        arrivals: Optional[str] = None,
        journal: Optional[int] = None,
        args: Sequence[str] = (),
        binary: Optional[str] = None,
        startup_timeout: float = 10.0,
    ):
        if scenario is not None and (vendors is not None or seed is not None or events is not None):
            raise ValueError("vendors, seed and events are set in the scenario when one is given")
        self._scenarios: List[Scenario] = _as_list(scenario)
        self._vendors = None if vendors is None else [str(v) for v in vendors]
        if self._vendors is not None and not self._vendors:
            raise ValueError("vendors: expected at least one vendor")
        self._seed = seed
        self._events = events
        self._clock_mode = clock
        self._clock_start = clock_start
        self._arrivals = arrivals
        self._journal = journal
        self._args = list(args)
        self._binary = binary
        self._startup_timeout = startup_timeout
        self._process: Optional[_Process] = None
        self._finalizer: "Optional[weakref.finalize[[], Server]]" = None
        self._admin: Optional[AdminClient] = None
        self._mounts: List[Dict[str, Any]] = []
        #: True once :meth:`load_scenario` replaced the world the server started with.
        self.world_replaced = False

    def __repr__(self) -> str:
        if self._process is None or self._admin is None:
            return "<eventmock.Server (not started)>"
        return f"<eventmock.Server {self._admin.base_url} pid {self._process.popen.pid}>"

    # -- life cycle -------------------------------------------------------------------------

    def command(self, workdir: str) -> List[str]:
        """The command line :meth:`start` runs (scenario texts written under ``workdir``)."""
        cmd = [self._binary or find_binary(), "serve", "--bind", "127.0.0.1", "--port", "0"]
        cmd.append("--stop-on-stdin-close")
        for index, scenario in enumerate(self._scenarios):
            cmd += ["--scenario", _scenario_path(scenario, workdir, index)]
        if self._vendors is not None:
            text = _vendors_scenario(self._vendors, self._seed, self._events)
            cmd += ["--scenario", _scenario_path(text, workdir, len(self._scenarios))]
        else:
            if self._seed is not None:
                cmd += ["--seed", str(self._seed)]
            if self._events is not None:
                cmd += ["--events", str(self._events)]
        if self._clock_mode is not None:
            cmd += ["--clock", self._clock_mode]
        if self._clock_start is not None:
            cmd += ["--start", self._clock_start]
        if self._arrivals is not None:
            cmd += ["--arrivals", self._arrivals]
        if self._journal is not None:
            cmd += ["--journal", str(self._journal)]
        return cmd + self._args

    def start(self) -> "Server":
        """Starts the server and waits until its admin API answers; raises :class:`StartError`
        (with the server's stderr) when it exits or stays silent for ``startup_timeout`` s."""
        if self._process is not None:
            raise RuntimeError("the server is already started")
        workdir = tempfile.mkdtemp(prefix="eventmock-")
        try:
            cmd = self.command(workdir)
            stderr = tempfile.TemporaryFile(dir=workdir)
            popen = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        except BaseException:
            _remove_tree(workdir)
            raise
        process = _Process(popen, stderr, workdir)
        self._process = process
        self._finalizer = weakref.finalize(self, process.stop)
        try:
            url = self._await_banner(process)
            self._admin = AdminClient(url)
            self._await_ready(process)
        except BaseException:
            self.stop()
            raise
        return self

    def _await_banner(self, process: _Process) -> str:
        lines: "queue.Queue[Optional[str]]" = queue.Queue()
        stdout = process.popen.stdout
        assert stdout is not None

        def drain() -> None:
            # Reads stdout to its end so the server never blocks on a full pipe.
            for raw in stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
            lines.put(None)

        threading.Thread(target=drain, name="eventmock-stdout", daemon=True).start()
        deadline = time.monotonic() + self._startup_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StartError(
                    f"eventmock printed no banner within {self._startup_timeout} s",
                    stderr=process.stderr_text(),
                )
            try:
                line = lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if line is None:
                code = process.popen.wait(_STOP_GRACE)
                raise StartError(
                    f"eventmock exited with status {code} before serving",
                    stderr=process.stderr_text(),
                    returncode=code,
                )
            process.banner.append(line)
            match = _BANNER.search(line)
            if match:
                return match.group(1)

    def _await_ready(self, process: _Process) -> None:
        deadline = time.monotonic() + self._startup_timeout
        assert self._admin is not None
        while True:
            try:
                body = self._admin.call("GET", "/vendors", timeout=1.0)
                self._mounts = list(body.get("vendors", []))
                return
            except (OSError, AdminError) as error:
                code = process.popen.poll()
                if code is not None:
                    raise StartError(
                        f"eventmock exited with status {code} before serving",
                        stderr=process.stderr_text(),
                        returncode=code,
                    ) from None
                if time.monotonic() > deadline:
                    raise StartError(
                        f"eventmock did not answer within {self._startup_timeout} s: {error}",
                        stderr=process.stderr_text(),
                    ) from None
                time.sleep(0.01)

    def stop(self) -> None:
        """Stops the server (graceful, then killed after 5 s) and removes its temporary
        files. Safe to call twice."""
        if self._finalizer is not None:
            self._finalizer()
        self._finalizer = None
        self._process = None
        self._admin = None

    def __enter__(self) -> "Server":
        return self.start() if self._process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while the process is alive."""
        return self._process is not None and self._process.popen.poll() is None

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self._started().popen.pid

    @property
    def stderr(self) -> str:
        """What the server wrote on standard error so far (its logs)."""
        return self._started().stderr_text()

    @property
    def banner(self) -> List[str]:
        """The lines the server printed on start (address, example commands)."""
        return list(self._started().banner)

    def _started(self) -> _Process:
        if self._process is None:
            raise RuntimeError("the server is not started (use start() or a with block)")
        return self._process

    def _client(self) -> AdminClient:
        self._started()
        assert self._admin is not None
        return self._admin

    # -- addresses --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the server's main address."""
        return self._client().base_url

    @property
    def port(self) -> int:
        """The main port."""
        return int(self.url.rsplit(":", 1)[1])

    def vendor_url(self, vendor: str) -> str:
        """The base URL of ``vendor``'s mount (its prefix, or its own port), without a trailing
        slash: what a vendor's client takes as its host."""
        for mount in self.vendors():
            if mount.get("vendor") == vendor:
                base = self.url
                if mount.get("port"):
                    base = f"http://127.0.0.1:{mount['port']}"
                return base + str(mount.get("prefix") or "/").rstrip("/")
        raise KeyError(f"{vendor} is not mounted (mounted: {[m.get('vendor') for m in self.vendors()]})")

    # -- admin API --------------------------------------------------------------------------

    def vendors(self) -> List[Dict[str, Any]]:
        """The mounted vendors: ``vendor``, ``prefix``, ``port``, ``total``, ``seed``, ``size``."""
        body = self._client().call("GET", "/vendors")
        self._mounts = list(body.get("vendors", []))
        return list(self._mounts)

    def scenarios(self) -> List[str]:
        """The names of the loaded scenarios."""
        return list(self._client().call("GET", "/scenarios").get("scenarios", []))

    def reset(self) -> None:
        """``POST /reset``: drops every added and deleted event and resets counters (and, on a
        manual clock, rewinds it to its start and clears the delivery ledger)."""
        self._client().call("POST", "/reset")

    def add_events(
        self, vendor: str, events: Union[Dict[str, Any], Sequence[Dict[str, Any]]], *, partial: bool = False
    ) -> List[str]:
        """Adds one event or a list (all or nothing); answers their ids. ``partial=True`` fills
        the fields not given from a generated event."""
        path = f"/vendors/{_segment(vendor)}/events" + ("?partial=true" if partial else "")
        return list(self._client().call("POST", path, events)["ids"])

    def delete_event(self, vendor: str, event_id: str) -> None:
        """Deletes an event (generated or added); :class:`AdminError` 404 when unknown."""
        self._client().call("DELETE", f"/vendors/{_segment(vendor)}/events/{_segment(event_id)}")

    def load_scenario(self, yaml_text: str) -> List[str]:
        """``PUT /scenario``: replaces the world with this scenario; answers its names.
        :class:`AdminError` carries every diagnostic, one per line."""
        body = self._client().call("PUT", "/scenario", raw=yaml_text.encode(), content_type="application/yaml")
        self.world_replaced = True
        return list(body.get("scenarios", []))

    def requests(
        self,
        *,
        vendor: Optional[str] = None,
        method: Optional[str] = None,
        path: Optional[str] = None,
        status: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Journaled requests, newest first; ``path`` is a template (``{name}`` one segment,
        a final ``*`` the rest)."""
        query = {
            k: str(v)
            for k, v in (("vendor", vendor), ("method", method), ("path", path), ("status", status), ("limit", limit))
            if v is not None
        }
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return list(self._client().call("GET", "/requests" + suffix).get("requests", []))

    def clear_requests(self) -> None:
        """Empties the journal."""
        self._client().call("DELETE", "/requests")

    def count(self, **pattern: Any) -> int:
        """How many journaled requests match: ``method``, ``path`` (template), ``vendor``,
        ``status``, ``query`` and ``headers`` (dicts)."""
        return int(self._client().call("POST", "/requests/count", pattern)["count"])

    def metrics(self) -> str:
        """The Prometheus metrics text."""
        return str(self._client().call("GET", "/metrics"))

    @property
    def clock(self) -> Clock:
        """The world's clock (``advance``, ``now``, ``set``, ``state``)."""
        return Clock(self._client())

    def delivery(
        self, vendor: str, client: Optional[str] = None, *, since: Union[datetime, str, None] = None
    ) -> Delivery:
        """The delivery ledger of ``vendor`` (one client's, or the union over clients)."""
        return Delivery.from_json(self._client().call("GET", delivery_path(vendor, client, since)))

    def clear_delivery(self, vendor: str, client: Optional[str] = None) -> None:
        """Clears the delivery ledger of ``vendor`` (one client's, or all)."""
        self._client().call("DELETE", delivery_path(vendor, client, None))

    def journal_tail(self, limit: int = 20) -> str:
        """The last ``limit`` journaled requests, oldest first, one line each."""
        return format_journal(self.requests(limit=limit))


def format_journal(entries: Sequence[Dict[str, Any]]) -> str:
    """Journal entries (as ``requests()`` answers them, newest first) as lines, oldest first."""
    if not entries:
        return "(no requests)"
    lines = []
    for entry in reversed(entries):
        target = str(entry.get("path", ""))
        if entry.get("raw_query"):
            target += f"?{entry['raw_query']}"
        lines.append(
            f"#{entry.get('ordinal')} {entry.get('method')} {target} -> {entry.get('status')}"
            f" [{entry.get('vendor') or '-'} {entry.get('route') or '-'}] {entry.get('latency_us')} us"
        )
    return "\n".join(lines)


def _as_list(scenario: Union[Scenario, Sequence[Scenario], None]) -> List[Scenario]:
    if scenario is None:
        return []
    if isinstance(scenario, (str, os.PathLike)):
        return [scenario]
    return list(scenario)


def _scenario_path(scenario: Scenario, workdir: str, index: int) -> str:
    """A path to pass as ``--scenario``: the path itself, or YAML text written to a file."""
    if isinstance(scenario, str) and "\n" in scenario:
        path = Path(workdir) / f"scenario-{index}.yaml"
        path.write_text(scenario, encoding="utf-8")
        return str(path)
    path = Path(scenario)
    if not path.exists():
        raise StartError(f"scenario {str(path)!r}: no such file or directory (YAML text needs a newline)")
    return str(path.resolve())


def _vendors_scenario(vendors: Sequence[str], seed: Optional[int], events: Optional[int]) -> str:
    """A scenario mounting ``vendors`` at ``/``, each with the given seed and size."""
    settings: Dict[str, int] = {}
    if events is not None:
        settings["events"] = events
    lines = ["name: python-vendors"]
    if seed is not None:
        lines.append(f"seed: {seed}")
    lines.append("vendors:")
    for vendor in vendors:
        lines.append(f"  {json.dumps(vendor)}: {json.dumps(settings)}")
    return "\n".join(lines) + "\n"


def _segment(text: str) -> str:
    return urllib.parse.quote(text, safe="")
