"""Two small collectors written the way connectors poll these APIs, each with the vendor's
official Python client: they are the code under test in test_pollers.py."""

from __future__ import annotations

from typing import Dict, List, Optional

import authentik_client
from authentik_client.api.events_api import EventsApi
from cloudfoundry_client.client import CloudFoundryClient


class AuthentikPoller:
    """Walks authentik's event list page by page (newest first, the API's default order)."""

    def __init__(self, base_url: str, token: str, client_name: Optional[str] = None):
        config = authentik_client.Configuration(host=f"{base_url}/api/v3", access_token=token)
        self._api = authentik_client.ApiClient(config)
        if client_name is not None:
            self._api.set_default_header("X-Eventmock-Client", client_name)
        self._events = EventsApi(self._api)

    def poll(self, page_size: int = 50, pages: Optional[int] = None) -> List[str]:
        """The pks of every event (or of the first `pages` pages), in list order."""
        seen: List[str] = []
        page = 1
        while page and (pages is None or page <= pages):
            answer = self._events.events_events_list(page=page, page_size=page_size)
            seen += [str(event.pk) for event in answer.results]
            page = answer.pagination.next
        return seen

    def action_of(self, pk: str) -> str:
        """One event's action, read back through the retrieve endpoint."""
        return self._events.events_events_retrieve(pk).action.value


class CloudFoundryPoller:
    """Logs in through UAA (password grant) and walks `/v2/events` with the client's paging."""

    def __init__(self, base_url: str, user: str = "admin", password: str = "admin"):
        self._client = CloudFoundryClient(base_url)
        self._client.init_with_user_credentials(user, password)

    def poll(self, page_size: int = 50) -> List[Dict[str, str]]:
        """`{guid, type, timestamp}` of every event, oldest first (CF's default order)."""
        return [
            {
                "guid": event["metadata"]["guid"],
                "type": event["entity"]["type"],
                "timestamp": event["entity"]["timestamp"],
            }
            for event in self._client.v2.event.list(**{"results-per-page": page_size})
        ]
