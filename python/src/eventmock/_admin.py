"""A small JSON client for the admin API (``/__eventmock/``), on the standard library only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Optional

from .errors import AdminError

#: Proxies never apply: the server is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

PREFIX = "/__eventmock"


class AdminClient:
    """Sends admin requests to one server and decodes the answers."""

    def __init__(self, base_url: str, token: Optional[str] = None, timeout: float = 30.0):
        #: ``http://127.0.0.1:PORT``
        self.base_url = base_url
        self._token = token
        self._timeout = timeout

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: Optional[bytes] = None,
        content_type: str = "application/json",
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends ``method PREFIX+path`` with a JSON ``body`` (or ``raw`` bytes).

        Returns the decoded JSON answer (the text for a non-JSON one, None for an empty one);
        raises :class:`AdminError` carrying the server's message for any status >= 400.
        """
        data = raw
        if data is None and body is not None:
            data = json.dumps(body).encode()
        url = self.base_url + PREFIX + path
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self._token is not None:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with _OPENER.open(request, timeout=timeout or self._timeout) as answer:
                return _decode(answer.read(), answer.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as error:
            payload = _decode(error.read(), error.headers.get("Content-Type", ""))
            raise AdminError(method, PREFIX + path, error.code, _message(payload), payload) from None


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    if content_type.startswith("application/json"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _message(payload: Any) -> str:
    """The server's message from an error body: ``error``, or ``errors`` one per line."""
    if isinstance(payload, dict):
        if isinstance(payload.get("error"), str):
            return str(payload["error"])
        errors = payload.get("errors")
        if isinstance(errors, list):
            return "\n".join(str(e) for e in errors)
        return json.dumps(payload)
    if payload is None:
        return "(empty answer)"
    return str(payload)
