"""The world's clock and the delivery ledger (``/__eventmock/clock``,
``/__eventmock/vendors/{vendor}/delivery``)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Union

from ._admin import AdminClient

#: A duration as the admin API spells it (``"250ms"``, ``"90s"``, ``"5m"``, ``"1h"``, ``"7d"``)
#: or a :class:`datetime.timedelta`.
Duration = Union[str, timedelta]


def duration_text(value: Duration) -> str:
    """``value`` in the server's duration grammar (a unit is required)."""
    if isinstance(value, str):
        return value
    millis = value // timedelta(milliseconds=1)
    if millis < 0 or value != timedelta(milliseconds=millis):
        raise ValueError(f"duration {value!r}: expected a whole, non-negative number of milliseconds")
    if millis % 1000:
        return f"{millis}ms"
    return f"{millis // 1000}s"


def parse_time(text: str) -> datetime:
    """An RFC 3339 timestamp (``Z`` or an offset, any fraction) as an aware datetime."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    head, sep, rest = value.partition(".")
    if sep:
        # fromisoformat before 3.11 takes 3 or 6 fraction digits only.
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction = (rest[:digits] + "000000")[:6]
        value = f"{head}.{fraction}{rest[digits:]}"
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class ClockState:
    """What ``GET /__eventmock/clock`` answers."""

    #: ``frozen``, ``live`` or ``manual``.
    mode: str
    #: The world's current time.
    now: datetime
    #: The resolved start of the clock.
    start: datetime
    #: Arrival rate per vendor (``{"authentik": "5/s"}``).
    arrivals: Dict[str, Any]
    #: The whole answer, for fields added later.
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "ClockState":
        """Decodes the admin API's answer."""
        return cls(
            mode=str(body.get("mode")),
            now=parse_time(str(body["now"])),
            start=parse_time(str(body["start"])),
            arrivals=dict(body.get("arrivals") or {}),
            raw=body,
        )


class Clock:
    """The world's clock: ``server.clock.advance("60s")``, ``server.clock.now``.

    Only a ``manual`` clock moves when told; the server answers 400 (raised as
    :class:`~eventmock.AdminError` with its message) for any move of another clock and for
    moving backwards, and changes nothing then.
    """

    def __init__(self, admin: AdminClient):
        self._admin = admin

    def state(self) -> ClockState:
        """The clock's mode, time, start and arrival rates."""
        return ClockState.from_json(self._admin.call("GET", "/clock"))

    @property
    def now(self) -> datetime:
        """The world's current time."""
        return self.state().now

    def advance(self, by: Duration) -> ClockState:
        """Moves a manual clock forward by ``by``; answers the new state."""
        return ClockState.from_json(
            self._admin.call("POST", "/clock", {"advance": duration_text(by)})
        )

    def set(self, now: Union[datetime, str]) -> ClockState:
        """Moves a manual clock forward to ``now`` (an aware datetime or RFC 3339 text)."""
        text = now if isinstance(now, str) else _rfc3339(now)
        return ClockState.from_json(self._admin.call("POST", "/clock", {"now": text}))


def _rfc3339(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"{value!r}: expected an aware datetime (with a time zone)")
    return value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Delivery:
    """The delivery ledger's answer for one vendor (and one client, or all of them)."""

    #: Events that exist now (at or after ``since``, when given).
    available: int
    #: Available events served exactly once.
    served_once: int
    #: Events served more than once.
    served_again: int
    #: Available events never served.
    never_served: int
    #: Never-served events older than the newest event the client was served.
    gaps: int
    #: The first 100 never-served ids, oldest first.
    missed: List[str]
    #: The first 100 ids served more than once.
    repeated: List[str]
    #: True when the ledger reached its cap and stopped recording.
    truncated: bool
    #: The whole answer, for fields added later.
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "Delivery":
        """Decodes the admin API's answer."""
        return cls(
            available=int(body.get("available", 0)),
            served_once=int(body.get("served_once", 0)),
            served_again=int(body.get("served_again", 0)),
            never_served=int(body.get("never_served", 0)),
            gaps=int(body.get("gaps", 0)),
            missed=[str(i) for i in body.get("missed", [])],
            repeated=[str(i) for i in body.get("repeated", [])],
            truncated=bool(body.get("truncated", False)),
            raw=body,
        )


def delivery_path(vendor: str, client: Optional[str], since: Optional[Union[datetime, str]]) -> str:
    """``/vendors/{vendor}/delivery`` with its query."""
    query: Dict[str, str] = {}
    if client is not None:
        query["client"] = client
    if since is not None:
        query["since"] = since if isinstance(since, str) else _rfc3339(since)
    path = f"/vendors/{urllib.parse.quote(vendor, safe='')}/delivery"
    return f"{path}?{urllib.parse.urlencode(query)}" if query else path
