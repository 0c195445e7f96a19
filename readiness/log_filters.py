"""Private tokens masked in every log line: the app's own and the access logs.

``install`` puts the filter on the app's and werkzeug's loggers. For gunicorn, start it
with ``--logger-class readiness.log_filters.GunicornLogger``: its access log then shows
``/d/…`` instead of ``/d/<token>`` (README, Production).
"""

import logging
import re

from flask import Flask

# A private token (32 URL-safe characters) after /d/ or /diagnostics/ or /assessments/.
TOKEN_IN_PATH = re.compile(r"(/(?:d|diagnostics|assessments)/)[A-Za-z0-9_-]{16,}")
MASK = r"\1…"


def mask(text: str) -> str:
    return TOKEN_IN_PATH.sub(MASK, text)


class MaskTokens(logging.Filter):
    """Rewrites a record's message so no private token is written anywhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(app: Flask) -> None:
    token_filter = MaskTokens()
    for logger in (app.logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(token_filter)


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with the request line, path, referer (every atom) masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask(v) if isinstance(v, str) else v for k, v in atoms.items()}
