"""The error a landing-file reader raises for one thing it quarantines or rejects.

reason_code is the code audit.quarantine stores (docs/reliability.md), the message the reason a reader sees; each
reader subclasses it so its callers catch only its own errors.
"""

from __future__ import annotations


class ReasonError(ValueError):
    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code
