"""The one exception the core raises."""

from __future__ import annotations

from typing import Optional


class ByodError(Exception):
    """An error from the core, with what went wrong and what to try.

    ``kind`` names the class of problem (``Malformed``, ``LimitExceeded``,
    ``InvalidDocument``, ``Empty``...), as the CLI's and the REST API's errors do.
    """

    def __init__(self, message: str, kind: str = "Malformed", hint: Optional[str] = None):
        super().__init__(message, kind, hint)
        self.message = message
        self.kind = kind
        self.hint = hint

    def __str__(self) -> str:
        # The core's message already ends with the hint in parentheses.
        return self.message
