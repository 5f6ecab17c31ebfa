"""A test that fails on purpose (run by test_plugin.py in a subprocess pytest): its report must
show the eventmock journal, i.e. the requests the code under test made."""

import urllib.error
import urllib.request


def test_fails_after_two_requests(eventmock):
    base = eventmock.vendor_url("authentik") + "/api/v3/events/events/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(urllib.request.Request(base + "?page_size=2", headers={"Authorization": "Bearer t"}))
    try:
        opener.open(base + "not-a-uuid/")  # no credentials: authentik's 403
    except urllib.error.HTTPError:
        pass
    assert eventmock.count(vendor="authentik", status=200) == 5, "deliberately wrong"
