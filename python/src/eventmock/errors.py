"""The exceptions of the eventmock package."""

from __future__ import annotations

from typing import Any, Optional


class EventmockError(Exception):
    """Base class of every error this package raises."""


class StartError(EventmockError):
    """The server did not start, or did not answer in time.

    ``stderr`` holds what the server printed (for a bad scenario: one
    ``file:line:col: message`` diagnostic per line), ``returncode`` its exit status if it
    exited (2 for a usage error such as an invalid scenario).
    """

    def __init__(self, message: str, *, stderr: str = "", returncode: Optional[int] = None):
        detail = f"{message}\n{stderr.rstrip()}" if stderr.strip() else message
        super().__init__(detail)
        #: What the server wrote on standard error.
        self.stderr = stderr
        #: The exit status, when the process has exited.
        self.returncode = returncode


class AdminError(EventmockError):
    """The admin API (``/__eventmock/``) answered with an error status.

    ``message`` is the server's own message (``error``, or the ``errors`` of a scenario upload
    joined by newlines); ``body`` the decoded JSON answer when there is one.
    """

    def __init__(self, method: str, path: str, status: int, message: str, body: Any = None):
        super().__init__(f"{method} {path} -> {status}: {message}")
        #: The request's method.
        self.method = method
        #: The request's path (with its query).
        self.path = path
        #: The HTTP status of the answer.
        self.status = status
        #: The server's message.
        self.message = message
        #: The decoded JSON body, or None.
        self.body = body
