# The README's example (test_package.py checks that the README shows the rest of this file).
import json
import urllib.request

import pytest


def test_lists_authentik_events(eventmock):
    request = urllib.request.Request(
        eventmock.vendor_url("authentik") + "/api/v3/events/events/?page_size=5",
        headers={"Authorization": "Bearer any-token"},
    )
    with urllib.request.urlopen(request) as answer:
        page = json.load(answer)
    assert len(page["results"]) == 5
    assert eventmock.count(vendor="authentik", status=200) == 1


# A scenario per test: a path (relative to the test file) or the YAML text itself.
@pytest.mark.eventmock(scenario="name: cf-only\nvendors:\n  cf: {events: 50}\n")
def test_with_a_scenario(eventmock):
    assert [m["vendor"] for m in eventmock.vendors()] == ["cf"]
    eventmock.add_events("cf", {"entity": {"type": "app.crash"}}, partial=True)
    assert eventmock.vendors()[0]["total"] == 51  # the next test starts from 50 again
