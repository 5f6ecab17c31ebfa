"""eventmock.Server: start, stop, options, the admin wrappers and their errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from eventmock import AdminError, Server, StartError
from helpers import REPO, alive, gone_within

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, token: str = "demo", scheme: str = "Bearer") -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"{scheme} {token}"})
    try:
        with NO_PROXY.open(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_context_manager_serves_on_loopback_and_leaves_no_process():
    with Server(events=50) as server:
        pid = server.pid
        assert server.url.startswith("http://127.0.0.1:")
        assert server.running
        status, page = get(server.vendor_url("authentik") + "/api/v3/events/events/?page_size=5")
        assert status == 200
        assert page["pagination"]["count"] == 50
    assert not server.running
    assert gone_within(pid, 10)


def test_two_servers_get_two_free_ports():
    with Server(events=10) as a, Server(events=10) as b:
        assert a.port != b.port
        assert a.pid != b.pid


def test_vendors_seed_and_events_pick_the_world():
    with Server(vendors=["authentik", "cf"], seed=7, events=100) as server:
        mounts = {m["vendor"]: m for m in server.vendors()}
        assert sorted(mounts) == ["authentik", "cf"]
        assert mounts["authentik"]["total"] == 100
        assert mounts["authentik"]["seed"] == 7
        with pytest.raises(KeyError, match="halo is not mounted"):
            server.vendor_url("halo")


def test_scenario_from_a_path_and_from_yaml_text():
    with Server(REPO / "scenarios" / "authentik.yaml") as server:
        assert server.scenarios() == ["authentik"]
        status, _ = get(server.vendor_url("authentik") + "/api/v3/events/events/", token="ak-token")
        assert status == 200
        status, _ = get(server.vendor_url("authentik") + "/api/v3/events/events/", token="other")
        assert status == 403
    text = "name: inline\nvendors:\n  cf:\n    prefix: /cf\n    events: 3\n"
    with Server(text) as server:
        assert server.scenarios() == ["inline"]
        assert server.vendor_url("cf") == server.url + "/cf"
        assert server.vendors()[0]["total"] == 3


def test_a_bad_scenario_raises_start_error_with_the_diagnostics():
    with pytest.raises(StartError) as caught:
        Server("name: broken\nvendors:\n  authentik:\n    evnets: 3\n").start()
    assert caught.value.returncode == 2
    assert "evnets" in caught.value.stderr
    assert ":4:" in caught.value.stderr, caught.value.stderr  # line of the unknown key
    assert "evnets" in str(caught.value)


def test_a_missing_scenario_file_is_a_start_error():
    with pytest.raises(StartError, match="no such file"):
        Server("does/not/exist.yaml").start()


def test_world_options_do_not_mix_with_a_scenario():
    with pytest.raises(ValueError, match="in the scenario"):
        Server("x.yaml", seed=3)


def test_using_a_server_before_start_is_a_clear_error():
    server = Server()
    with pytest.raises(RuntimeError, match="not started"):
        server.url
    server.stop()  # harmless


def test_add_events_requests_and_count():
    with Server(vendors=["authentik"], events=10) as server:
        (event_id,) = server.add_events("authentik", {"action": "login"}, partial=True)
        status, event = get(f"{server.vendor_url('authentik')}/api/v3/events/events/{event_id}/")
        assert (status, event["action"]) == (200, "login")
        get(f"{server.vendor_url('authentik')}/api/v3/events/events/", scheme="Basic")
        assert server.count(vendor="authentik", status=200) == 1
        assert server.count(path="/api/v3/events/events/{id}/", method="GET") == 1
        newest = server.requests(vendor="authentik", limit=1)
        assert newest[0]["path"] == "/api/v3/events/events/"
        assert newest[0]["status"] == 403
        assert "-> 403" in server.journal_tail()
        server.clear_requests()
        assert server.requests() == []


def test_admin_errors_carry_the_servers_message():
    with Server(vendors=["authentik"], events=10) as server:
        with pytest.raises(AdminError) as caught:
            server.add_events("authentik", {"action": "no-such-action"}, partial=True)
        assert caught.value.status == 400
        assert caught.value.message.startswith("action:")
        assert caught.value.body["field"] == "action"
        with pytest.raises(AdminError, match="has no event") as caught:
            server.delete_event("authentik", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
        assert caught.value.status == 404
        with pytest.raises(AdminError) as caught:
            server.load_scenario("name: x\nvendors:\n  authentik: {bogus: 1}\n")
        assert caught.value.status == 400 and "bogus" in caught.value.message
        with pytest.raises(AdminError, match="pattern"):
            server.count(colour="red")


def test_reset_drops_added_events_and_load_scenario_replaces_the_world():
    with Server(vendors=["cf"], events=10) as server:
        server.add_events("cf", [{}, {}], partial=True)
        assert server.vendors()[0]["total"] == 12
        server.reset()
        assert server.vendors()[0]["total"] == 10
        assert not server.world_replaced
        assert server.load_scenario("name: other\nvendors:\n  halo: {events: 4}\n") == ["other"]
        assert server.world_replaced
        assert [m["vendor"] for m in server.vendors()] == ["halo"]


def run_child(code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
    )


def test_the_server_dies_with_a_killed_interpreter():
    child = run_child(
        """
        import os, signal
        from eventmock import Server
        server = Server(events=10).start()
        print(server.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no finalizer, no stop()
        """
    )
    pid = int(child.stdout.readline())
    child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert gone_within(pid, 10), "the watchdog (stdin closed) stopped the server"


def test_the_server_stops_when_the_interpreter_exits_without_stop():
    child = run_child(
        """
        from eventmock import Server
        server = Server(events=10).start()
        print(server.pid, flush=True)
        """
    )
    pid = int(child.stdout.readline())
    child.wait(10)
    assert gone_within(pid, 10)


def test_stop_kills_a_server_that_ignores_the_graceful_stop(monkeypatch):
    monkeypatch.setattr("eventmock.server._STOP_GRACE", 0.3)
    server = Server(events=10).start()
    pid = server.pid
    os.kill(pid, signal.SIGSTOP)  # a stopped process answers neither stdin nor SIGTERM
    try:
        server.stop()
        assert gone_within(pid, 1)
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
