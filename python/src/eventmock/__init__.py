"""eventmock for Python: the bundled mock server of five vendors' event APIs, and a pytest
plugin.

>>> from eventmock import Server
>>> with Server(vendors=["authentik"], seed=7, events=100) as server:  # doctest: +SKIP
...     base = server.vendor_url("authentik")   # http://127.0.0.1:PORT
...     server.count(vendor="authentik")         # requests the journal holds

Layout: :mod:`eventmock.server` (:class:`Server`), :mod:`eventmock.clock` (the clock and
the delivery ledger), :mod:`eventmock.errors`, :mod:`eventmock.pytest_plugin` (the
``eventmock`` fixtures, registered through the ``pytest11`` entry point).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .clock import Clock, ClockState, Delivery
from .errors import AdminError, EventmockError, StartError
from .server import Server, format_journal

try:
    __version__ = version("eventmock")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "AdminError",
    "Clock",
    "ClockState",
    "Delivery",
    "EventmockError",
    "Server",
    "StartError",
    "format_journal",
    "__version__",
]
