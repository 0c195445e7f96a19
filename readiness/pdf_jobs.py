"""PDF plans rendered off the request path, then served from the database cache.

When a diagnostic's last step is saved (or its answers change), the client's plan is queued
for rendering. A download serves the stored bytes; on a cold miss it queues the render, waits
at most PDF_WAIT_SECONDS, then answers « Votre plan est en préparation » (refreshing itself).

Where renders run:
- REDIS_URL set: an RQ queue (PDF_QUEUE, « pdf » by default) served by render workers,
  ``flask --app app pdf worker``, on this machine or others sharing the database and Redis;
- otherwise: a small thread pool inside each web worker (a laptop needs nothing more).
  The thread only waits: WeasyPrint itself runs in a forked child (``pdf_render``).
  With REDIS_URL set but Redis unreachable, a render falls back to this pool (a warning
  is logged): a download still gets its plan.

Nothing lost: when the database refuses to store a rendered plan (disk full, lock…), its
bytes are kept a few minutes (UNSTORED_SECONDS), keyed by diagnostic and cache key, in Redis
(render workers) or in the web worker's memory (thread pool), and downloads serve them.
"""

import contextlib
import hashlib
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

from readiness import assessments, pdf, pdf_cache, results
from readiness.extensions import db

# Re-entrant: a render already finished when _submit adds its done-callback runs _finished
# at once, in the thread that holds the lock.
_lock = threading.RLock()
_executor: tuple[int, ThreadPoolExecutor] | None = None
_pending: dict[str, Future] = {}  # job name → render queued or under way in this process
_again: dict[str, tuple] = {}  # renders to start once more when the running one ends
# Renders that failed with no download waiting for them: the next download says so (once).
_failed_here: dict[str, Future] = {}
# Plans rendered here that the database refused to store: hash → (expiry, bytes).
_unstored: dict[str, tuple[float, bytes]] = {}
UNSTORED_SECONDS = 300  # how long a plan the database refused stays downloadable
UNSTORED_MAX = 16  # plans kept in one process's memory at most (a few MB)
REDIS_CONNECT_TIMEOUT = 2  # seconds: an unreachable Redis must not hang a download
REDIS_RETRY_SECONDS = 10  # after a Redis failure, renders stay in this process this long
_redis_down_until: dict[str, float] = {}  # REDIS_URL → when to try it again
_OVER = ("failed", "stopped", "canceled")  # RQ statuses of a render that will not store a plan


class RenderFailed(Exception):
    """The render worker's last attempt at this plan failed; the next download queues anew."""


def cached(report: dict[str, Any]) -> bytes | None:
    """The PDF of exactly this report if it was rendered: the database cache, else a copy
    kept because the database refused to store it."""
    key = pdf.cache_key(report)
    if key is None:
        return None
    document = pdf_cache.load(report["token"], key)
    return document if document is not None else _kept(report["token"], key)


def fetch(report: dict[str, Any], look_in_cache: bool = True) -> bytes | None:
    """The report's PDF without rendering here: the cache, else a queued render awaited for
    at most PDF_WAIT_SECONDS; None when it is still in preparation.

    ``look_in_cache=False``: the caller just found the cache empty; it is not read again.
    """
    if look_in_cache:
        document = cached(report)
        if document is not None:
            return document
    stale = None
    if report.get("community_key"):
        # Same plan, older community figures: served now, the fresh one is queued below.
        stale = pdf_cache.load_latest(report["token"], pdf.cache_key(report)[: pdf.STABLE_PART])
    if stale is None:
        _raise_if_failed(report)  # with a stale copy to serve, a failed refresh is just retried
    ticket = schedule(report["token"], bool(report.get("internal")))
    if stale is not None:
        return stale
    if not _next_in_line(ticket, report):
        return None  # other plans render first: no web worker waits that long
    db.session.close()  # no connection held while waiting
    deadline = time.monotonic() + float(current_app.config.get("PDF_WAIT_SECONDS", 2))
    if ticket is not None:
        try:
            rendered = ticket.result(timeout=max(deadline - time.monotonic(), 0))
        except TimeoutError:
            return None
        except Exception as error:
            ticket.reported = True  # this download says it failed: the next one renders again
            if isinstance(error, pdf.PdfTimeout | pdf.PdfRenderError):
                raise  # the caller's error page says which
            raise RenderFailed(last_line(error)) from None  # a template or font error…
        if rendered is not None and rendered[0] == pdf.cache_key(report):
            return rendered[1]  # stored or not, these bytes are exactly this plan
        return cached(report)  # rendered from older answers: the next one is queued
    while True:  # a render worker elsewhere: look for its result in the shared cache
        document = cached(report)
        db.session.close()
        if document is not None or time.monotonic() >= deadline:
            return document
        _raise_if_failed(report)
        time.sleep(float(current_app.config.get("PDF_POLL_SECONDS", 0.2)))


def _next_in_line(ticket: Future | None, report: dict[str, Any]) -> bool:
    """Whether this plan renders now or next (worth waiting a little for)."""
    if ticket is not None:
        with _lock:
            return len(_pending) <= int(current_app.config.get("PDF_THREADS", 1))
    from redis.exceptions import RedisError

    app = current_app._get_current_object()
    try:
        position = _queue(app).get_job_position(
            _job_name(report["token"], bool(report.get("internal")))
        )
    except RedisError as error:  # Redis died since the job was queued: no waiting on it
        _redis_down(app, error)
        return False
    return position is None or position == 0  # running (or done), or first in the queue


def under_way(report: dict[str, Any]) -> bool:
    """Whether a render of this diagnostic's plan is queued or running."""
    name = _job_name(report["token"], bool(report.get("internal")))
    app = current_app._get_current_object()
    if _redis_usable(app):
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(name, connection=_queue(app).connection)
            return job.get_status(refresh=False) not in _OVER
        except NoSuchJobError:
            return False
        except RedisError as error:
            _redis_down(app, error)
    with _lock:
        return name in _pending and not _pending[name].done()


def _raise_if_failed(report: dict[str, Any]) -> None:
    """RenderFailed when the render worker's last attempt at this plan failed (it is then
    forgotten: asking again queues a new render)."""
    app = current_app._get_current_object()
    name = _job_name(report["token"], bool(report.get("internal")))
    with _lock:
        failed_here = _failed_here.pop(name, None)
    if failed_here is not None and not getattr(failed_here, "reported", False):
        raise RenderFailed("this process's last render of the plan failed")
    if not _redis_usable(app):
        return
    from redis.exceptions import RedisError

    try:
        failed = _take_failure(app, name)
    except RedisError as error:
        _redis_down(app, error)
        return
    if failed:
        raise RenderFailed("the render worker's last attempt failed")


def _take_failure(app: Flask, name: str) -> bool:
    """Delete the record of a render job that ended without a plan; whether there was one."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(name, connection=_queue(app).connection)
    except NoSuchJobError:
        return False
    if job.get_status(refresh=False) not in _OVER:
        return False
    job.delete()
    return True


def _job_name(token: str, internal: bool) -> str:
    """The render's job id: RQ logs it and names Redis keys after it, so no token in it."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"pdf-{digest}-{'interne' if internal else 'client'}"


def schedule(token: str, internal: bool = False) -> Future | None:
    """Queue the render of a diagnostic's plan, unless one is already queued or under way.

    The job reads the answers when it runs, so a queued render always makes the latest plan.
    Returns the local Future (thread pool, or Redis unreachable), or None with RQ.
    """
    app = current_app._get_current_object()
    name = _job_name(token, internal)
    if _redis_usable(app):
        from redis.exceptions import RedisError
        from rq.exceptions import DuplicateJobError

        try:
            _take_failure(app, name)  # a failed render must not stop a new one for 60 s
            with contextlib.suppress(DuplicateJobError):  # already queued or running
                # The job holds the diagnostic's id, not its private token (kept in Redis).
                _queue(app).enqueue_call(
                    render_diagnostic,
                    args=(assessments.id_of(token), internal),
                    job_id=name,
                    unique=True,
                    timeout=int(app.config.get("PDF_RENDER_TIMEOUT", 20)) + 30,
                    result_ttl=0,  # the job disappears once done: the next change queues anew
                    failure_ttl=60,
                )
            return None
        except RedisError as error:  # no queue: this process renders it, as without Redis
            _redis_down(app, error)
    with _lock:
        _failed_here.pop(name, None)  # a new render is asked for: the old failure is moot
        running = _pending.get(name)
        if running is not None and not running.done():
            if running.running():  # it may have read the answers before this change
                _again[name] = (app, token, internal)
            return running
        return _submit(name, app, token, internal)


def _submit(name: str, app: Flask, token: str, internal: bool) -> Future:
    future = _pool().submit(_render_in_app, app, token, internal)
    _pending[name] = future
    future.add_done_callback(lambda done, name=name: _finished(name, done))
    return future


def render_diagnostic(assessment_id: int | None, internal: bool = False) -> bool:
    """The RQ job: render and store the plan of a completed diagnostic (needs an app context).

    False when there is nothing to render (unknown, erased or unfinished diagnostic).
    A failure raises RenderFailed with the last line of its traceback only: RQ logs the
    exception and keeps it in Redis, and a render child's traceback may quote the plan.
    """
    try:
        return _render(None, internal, assessment_id) is not None
    except pdf.PdfTimeout:
        raise
    except Exception as error:  # noqa: BLE001  (PdfRenderError, template, database…)
        raise RenderFailed(last_line(error)) from None


def last_line(error: BaseException) -> str:
    """The last line of an error's message (a render child's is its whole traceback)."""
    lines = str(error).strip().splitlines()
    return lines[-1][:300] if lines else type(error).__name__


def render(token: str, internal: bool = False) -> bool:
    """``render_diagnostic`` by private token (jobs queued before jobs held ids, tests)."""
    return _render(token, internal) is not None


def _render(
    token: str | None, internal: bool, assessment_id: int | None = None
) -> tuple[str | None, bytes] | None:
    """Render and store the plan: (its cache key, its bytes), None when there is no plan.

    When the database refuses to store it, the bytes are kept a few minutes (``_keep``)
    and a warning is logged (never the token): downloads serve them meanwhile.
    """
    try:
        if token is None:
            assessment = assessments.find_by_id(assessment_id)
            token = assessment.token if assessment is not None else None
        else:
            assessment = assessments.find(token)
        answers = None if assessment is None else results.completed_answers(assessment)
        if answers is None:
            return None
        report = results.build_report(assessment, answers, internal=internal)
        key = pdf.cache_key(report)
        number = assessment.id
        document = pdf.plan_pdf(report)  # the cache, or a render (stored if the base lets it)
        if key is not None and not _stored(token, key) and _not_erased(number):
            _keep(token, key, document)
        return key, document
    finally:
        db.session.remove()


def _not_erased(assessment_id: int) -> bool:
    """Whether the diagnostic is still there: one erased during its render leaves no copy."""
    try:
        return assessments.find_by_id(assessment_id) is not None
    except Exception:  # noqa: BLE001  (the database is down: keep the bytes, as above)
        db.session.rollback()
        return True


def _stored(token: str, key: str) -> bool:
    try:
        return pdf_cache.exists(token, key)
    except Exception as error:  # noqa: BLE001  (the database is down: keep the bytes)
        current_app.logger.warning("PDF cache unreadable: %s", type(error).__name__)
        db.session.rollback()
        return False


def _unstored_name(token: str, key: str) -> str:
    """Where a plan the database refused is kept: no token in a Redis key or a log."""
    return "pdf-unstored:" + hashlib.sha256(f"{token}|{key}".encode()).hexdigest()


def _keep(token: str, key: str, document: bytes) -> None:
    """Keep a plan the database refused: in Redis (every web worker sees it), else here."""
    app = current_app._get_current_object()
    name = _unstored_name(token, key)
    if _redis_usable(app):
        from redis.exceptions import RedisError

        try:
            _queue(app).connection.set(name, document, ex=UNSTORED_SECONDS)
            app.logger.warning("PDF not stored: kept %d s in Redis", UNSTORED_SECONDS)
            return
        except RedisError as error:
            _redis_down(app, error)
    now = time.monotonic()
    with _lock:
        for old in [n for n, (expiry, _) in _unstored.items() if expiry <= now]:
            del _unstored[old]
        while len(_unstored) >= UNSTORED_MAX:
            del _unstored[next(iter(_unstored))]  # the oldest first
        _unstored[name] = (now + UNSTORED_SECONDS, document)
    app.logger.warning("PDF not stored: kept %d s in this process", UNSTORED_SECONDS)


def _kept(token: str, key: str) -> bytes | None:
    """A plan kept by ``_keep``, if it has not expired."""
    name = _unstored_name(token, key)
    with _lock:
        expiry, document = _unstored.get(name, (0.0, None))
    if document is not None and expiry > time.monotonic():
        return document
    app = current_app._get_current_object()
    if _redis_usable(app):
        from redis.exceptions import RedisError

        try:
            return _queue(app).connection.get(name)
        except RedisError as error:
            _redis_down(app, error)
    return None


def _redis_usable(app: Flask) -> bool:
    """REDIS_URL is set, and Redis did not fail in this process in the last few seconds."""
    url = app.config.get("REDIS_URL")
    return bool(url) and _redis_down_until.get(url, 0.0) <= time.monotonic()


def _redis_down(app: Flask, error: Exception) -> None:
    """Redis failed: this process renders plans itself, and leaves Redis alone for
    REDIS_RETRY_SECONDS (one warning, not one connection attempt per call)."""
    _redis_down_until[app.config["REDIS_URL"]] = time.monotonic() + REDIS_RETRY_SECONDS
    app.logger.warning(
        "Redis unreachable (%s): PDF rendered in this web worker for %d s",
        type(error).__name__,
        REDIS_RETRY_SECONDS,
    )


def after_result_stored(token: str) -> None:
    """A new result was stored: prepare the client's plan before anyone asks for it."""
    if current_app.config.get("PDF_PRERENDER", True):
        try:
            schedule(token)
        except Exception as error:  # noqa: BLE001  (no queue: the download will render it)
            current_app.logger.warning("PDF not queued: %s", type(error).__name__)


def _render_in_app(app: Flask, token: str, internal: bool):
    with app.app_context():
        return _render(token, internal)


def _finished(name: str, future: Future) -> None:
    """Forget a finished render, or start it again when the answers changed meanwhile;
    remember a failure that no waiting download has reported."""
    with _lock:
        if _pending.get(name) is not future:
            return
        del _pending[name]
        if name in _again:
            _submit(name, *_again.pop(name))
        elif _unreported_failure(future):
            while len(_failed_here) >= UNSTORED_MAX:
                del _failed_here[next(iter(_failed_here))]  # the oldest first
            _failed_here[name] = future


def _unreported_failure(future: Future) -> bool:
    failed = not future.cancelled() and future.exception() is not None
    return failed and not getattr(future, "reported", False)


def _pool() -> ThreadPoolExecutor:
    """One pool per process (a gunicorn worker forked after import gets its own)."""
    global _executor
    if _executor is None or _executor[0] != os.getpid():
        size = int(current_app.config.get("PDF_THREADS", 1))
        _executor = (os.getpid(), ThreadPoolExecutor(size, thread_name_prefix="pdf"))
        _pending.clear()
        _again.clear()
        _failed_here.clear()
        _unstored.clear()
    return _executor[1]


def drain(timeout: float = 60) -> None:
    """Wait for this process's queued renders (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            futures = list(_pending.values())
        if not futures:
            return
        for future in futures:
            future.exception(timeout=max(deadline - time.monotonic(), 0))


def _queue(app: Flask):
    from redis import Redis
    from rq import Queue

    connections = app.extensions.setdefault("pdf_redis", {})
    url = app.config["REDIS_URL"]
    if url not in connections:
        connections[url] = Redis.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT)
    return Queue(app.config.get("PDF_QUEUE", "pdf"), connection=connections[url])


def worker(app: Flask, burst: bool = False) -> bool:
    """Serve the render queue in this process (``flask --app app pdf worker``)."""
    from rq import SimpleWorker

    queue = _queue(app)
    # The job's description holds its arguments, a private token among them: not logged.
    serving = SimpleWorker([queue], connection=queue.connection, log_job_description=False)
    return serving.work(burst=burst, logging_level="WARNING")
