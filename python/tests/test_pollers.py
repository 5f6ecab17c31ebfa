"""Connectors written with the vendors' official Python clients, tested through the
`eventmock` fixture: full walks, events added at run time, a fresh world per test, and (with
the living datasets of issue #11) clock advances and the delivery ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventmock import AdminError, Server
from pollers import AuthentikPoller, CloudFoundryPoller

AUTHENTIK_120 = pytest.mark.eventmock(vendors=["authentik"], seed=5, events=120)
CF_120 = pytest.mark.eventmock(vendors=["cf"], seed=5, events=120)


def total(server: Server, vendor: str) -> int:
    return next(m["total"] for m in server.vendors() if m["vendor"] == vendor)


@pytest.fixture
def authentik(eventmock: Server) -> AuthentikPoller:
    return AuthentikPoller(eventmock.vendor_url("authentik"), token="collector-token")


@AUTHENTIK_120
def test_authentik_poller_reads_every_event_once(eventmock: Server, authentik: AuthentikPoller):
    seen = authentik.poll(page_size=50)
    assert len(seen) == 120 == len(set(seen))
    assert eventmock.count(vendor="authentik", path="/api/v3/events/events/", status=200) == 3
    (added,) = eventmock.add_events("authentik", {"action": "login_failed"}, partial=True)
    again = authentik.poll(page_size=50)
    assert len(again) == 121 and added in again
    assert authentik.action_of(added) == "login_failed"


@AUTHENTIK_120
def test_the_next_test_gets_the_world_without_the_added_event(eventmock: Server, authentik: AuthentikPoller):
    # Runs after the test above in the same process: reset and an empty journal in between.
    assert eventmock.requests() == []
    assert total(eventmock, "authentik") == 120
    assert len(authentik.poll(page_size=100)) == 120


@CF_120
def test_cloud_foundry_poller_logs_in_and_walks_every_page(eventmock: Server):
    events = CloudFoundryPoller(eventmock.vendor_url("cf")).poll(page_size=50)
    assert len(events) == 120 == len({e["guid"] for e in events})
    timestamps = [e["timestamp"] for e in events]
    assert timestamps == sorted(timestamps), "CF lists oldest first"
    assert eventmock.count(vendor="cf", method="POST", path="/oauth/token", status=200) == 1
    assert eventmock.count(vendor="cf", path="/v2/events", status=200) == 3


MANUAL_5_PER_S = pytest.mark.eventmock(
    vendors=["authentik"], seed=5, events=120, clock="manual", clock_start="2026-01-01T00:00:00Z", arrivals="5/s"
)


@MANUAL_5_PER_S
def test_clock_advance_brings_the_arrivals(eventmock: Server, authentik: AuthentikPoller):
    before = eventmock.clock.state()
    assert before.mode == "manual"
    assert before.arrivals == {"authentik": "5/s"}
    after = eventmock.clock.advance("60s")
    assert after.now - before.now == timedelta(seconds=60)
    assert eventmock.clock.now == after.now
    assert len(authentik.poll(page_size=100)) == 120 + 300
    with pytest.raises(AdminError) as refused:
        eventmock.clock.set(before.now)
    assert refused.value.status == 400 and refused.value.message
    assert eventmock.clock.now == after.now, "a refused move changes nothing"


@MANUAL_5_PER_S
def test_the_delivery_ledger_counts_what_the_poller_saw(eventmock: Server):
    poller = AuthentikPoller(eventmock.vendor_url("authentik"), "collector-token", client_name="collector-1")
    assert len(poller.poll(page_size=50)) == 120
    ledger = eventmock.delivery("authentik", client="collector-1")
    assert (ledger.available, ledger.never_served, ledger.served_again, ledger.gaps) == (120, 0, 0, 0)
    eventmock.clock.advance(timedelta(seconds=10))  # 50 arrivals, newest first: page 1
    ledger = eventmock.delivery("authentik", client="collector-1")
    assert (ledger.available, ledger.never_served) == (170, 50)
    assert len(ledger.missed) == 50
    poller.poll(page_size=50, pages=2)
    ledger = eventmock.delivery("authentik")
    assert ledger.never_served == 0 and ledger.served_again == 50
    eventmock.clear_delivery("authentik")
    assert eventmock.delivery("authentik").served_once == 0
