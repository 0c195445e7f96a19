"""Rate limits counted in the limiter's shared storage (Redis in production).

Sign-in is throttled twice: failures per client address, and failures per account from
browsers that never signed in to it. A browser that once signed in carries a signed
"known device" cookie for that account, so an attacker hammering the account from
elsewhere slows only themselves: the owner's browser still gets in with the right password.
"""

from flask import Flask, Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many

from readiness.extensions import limiter

DEVICE_COOKIE = "known_device"
DEVICE_MAX_AGE = 180 * 24 * 3600


def client_address() -> str:
    """The client's address (the real one behind TRUSTED_PROXIES reverse proxies)."""
    return request.remote_addr or "unknown"


def allowed(setting: str, *key: str) -> bool:
    """Whether one more hit of ``key`` stays within the limits of config[setting]."""
    try:
        strategy = limiter.limiter
        return all(strategy.test(item, setting, *key) for item in _items(setting))
    except Exception as error:  # a dead Redis must not take sign-in down with it
        _unavailable(error)
        return True


def take(setting: str, *key: str) -> bool:
    """Count one hit of ``key``; False when it goes past a limit of config[setting]."""
    try:
        strategy = limiter.limiter
        return all([strategy.hit(item, setting, *key) for item in _items(setting)])
    except Exception as error:
        _unavailable(error)
        return True


def hit(setting: str, *key: str) -> None:
    """Count one hit of ``key`` against every limit of config[setting]."""
    try:
        strategy = limiter.limiter
        for item in _items(setting):
            strategy.hit(item, setting, *key)
    except Exception as error:
        _unavailable(error)


def _unavailable(error: Exception) -> None:
    """The counters' storage failed: the request goes through, with a warning (no traceback:
    one per request while Redis is down would drown the log)."""
    current_app.logger.warning("rate-limit storage unavailable: %s", type(error).__name__)


def _items(setting: str):
    return parse_many(current_app.config[setting])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def is_known_device(consultant_id: int) -> bool:
    """Whether this browser signed in to this account before."""
    try:
        ids = _serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return False
    return isinstance(ids, list) and consultant_id in ids


def remember_device(response: Response, consultant_id: int) -> None:
    """Mark this browser as one the consultant signs in from (a few accounts at most)."""
    try:
        ids = _serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        ids = []
    ids = ([consultant_id] + [i for i in ids if i != consultant_id and isinstance(i, int)])[:5]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(ids),
        max_age=DEVICE_MAX_AGE,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


# Flask-Limiter settings that need its before-request hook (limits on every route or blueprint).
MIDDLEWARE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def drop_idle_check(app: Flask) -> bool:
    """Remove Flask-Limiter's before-request check when it has nothing to check.

    That hook applies default, application, meta and blueprint limits. The app sets none:
    its limits are ``@limiter.limit`` decorators, which check themselves when their view runs,
    and ``take``/``hit`` above. Without the hook every other request (a wizard step…) skips
    the limiter's bookkeeping. Its after-request hook stays (``deduct_when`` needs it).
    Returns whether the hook was removed; call it once the blueprints are registered.
    """
    manager = limiter.limit_manager
    needed = (
        any(app.config.get(name) for name in MIDDLEWARE_SETTINGS)
        or manager.default_limits
        or manager.application_limits
        or any(manager.blueprint_limits(app, name) for name in app.blueprints)
    )
    hooks = app.before_request_funcs.get(None, [])
    if needed or limiter._check_request_limit not in hooks:
        return False
    hooks.remove(limiter._check_request_limit)
    return True
