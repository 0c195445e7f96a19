"""Consultant sessions that end: on logout, password change or reset, deactivation, and in time.

Flask keeps the session in a signed cookie, so a copy of that cookie stays valid until
something on the server says otherwise. Two things do:

- each consultant has a ``session_version``; the session stores it (through
  ``Consultant.get_id``, Flask-Login's alternative id) and ``end_all_sessions`` increments it,
  so every cookie issued before no longer loads the account;
- the session stores when it was opened and when it was last used; past
  ``SESSION_IDLE_MINUTES`` of inactivity or ``SESSION_LIFETIME_HOURS`` in all, it is over.
"""

import time

from flask import Flask, current_app, flash, g, redirect, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from readiness.extensions import db, login_manager
from readiness.models import Consultant

OPENED, SEEN = "opened_at", "seen_at"
# A request refreshes "last used" at most this often, so the cookie is not re-signed every time.
SEEN_RESOLUTION = 60

EXPIRED_MESSAGE = "Votre session a expiré. Reconnectez-vous pour continuer."
ENDED_MESSAGE = "Votre session a été fermée. Reconnectez-vous pour continuer."
LOGIN_MESSAGE = "Connectez-vous pour accéder à cette page."


def now() -> float:
    """The clock of the session timers (tests replace it)."""
    return time.time()


def start() -> None:
    """Start the timers of a session that has just signed in."""
    session[OPENED] = session[SEEN] = int(now())


def end_all_sessions(consultant: Consultant) -> None:
    """Every session of this consultant, on every device, ends at its next request.

    The caller commits.
    """
    # Incremented in SQL, so two simultaneous requests cannot both write the same value.
    consultant.session_version = Consultant.session_version + 1
    db.session.flush()


@login_manager.user_loader
def load_consultant(session_id: str) -> Consultant | None:
    """The consultant of this session, or None when the session is no longer valid."""
    consultant_id, _, version = session_id.partition(":")
    if not (consultant_id.isdigit() and version.isdigit()):
        return _ended(ENDED_MESSAGE)
    consultant = db.session.get(Consultant, int(consultant_id))
    if consultant is None or not consultant.active or consultant.session_version != int(version):
        return _ended(ENDED_MESSAGE)
    moment = int(now())
    opened, seen = session.get(OPENED), session.get(SEEN)
    if not isinstance(opened, int) or not isinstance(seen, int):
        return _ended(ENDED_MESSAGE)
    config = current_app.config
    if (
        moment - seen > config["SESSION_IDLE_MINUTES"] * 60
        or moment - opened > config["SESSION_LIFETIME_HOURS"] * 3600
    ):
        return _ended(EXPIRED_MESSAGE)
    if moment - seen >= SEEN_RESOLUTION:
        session[SEEN] = moment
    return consultant


# What Flask-Login and the timers keep in the session; the rest (CSRF token…) may stay.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds", OPENED, SEEN)


def _ended(reason: str) -> None:
    """Forget the dead sign-in (its cookie is replaced) and say why on the login page."""
    for key in LOGIN_KEYS:
        session.pop(key, None)
    g.session_end_reason = reason
    return None


@login_manager.unauthorized_handler
def unauthorized():
    flash(g.pop("session_end_reason", LOGIN_MESSAGE))
    return redirect(url_for("auth.login"))


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key set.

    Flask builds a new serializer (and its JSON and signer settings) to open and again to
    save the session of every request; the keys rarely change, so it is kept until they do.
    """

    def __init__(self) -> None:
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._serializer is None or self._serializer[0] != keys:
            self._serializer = (keys, super().get_signing_serializer(app))
        return self._serializer[1]
