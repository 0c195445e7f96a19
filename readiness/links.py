"""Absolute links shown to users, built from PUBLIC_URL and never from the request's Host."""

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """The address a person can open or paste, e.g. a private link sent by e-mail."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def private_link(token: str) -> str:
    """The private link that resumes a diagnostic."""
    return public_url("wizard.resume", token=token)
