"""Entry point: ``flask --app app run`` or ``gunicorn app:app``."""

import gc

from readiness import create_app

app = create_app()
# What start-up loaded (libraries, content, rules) lives as long as the process: out of the
# collector's sight, a full collection walks a request's objects only, not 170,000 more.
gc.freeze()
