"""Security and cache headers on every response, built once at start-up.

These are the headers flask-talisman used to send (with the options this app gave it), but
Talisman recomputed each of them on every response through three request hooks. None of
them varies per request here (no per-view options, no CSP nonce), so they are joined into
one string each when the app starts and copied onto each response by a single hook, which
also sets ``Cache-Control: no-store`` on every private response.

HSTS goes only on HTTPS responses (the request is secure, or a proxy says it was), and only
in production: a laptop serving plain HTTP must not pin itself to HTTPS.
"""

from flask import Flask, request

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",  # the consultant's logo preview is a data: URI
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
HSTS = "max-age=31556926; includeSubDomains"  # one year, as Talisman sent it

# Responses that hold nothing private; every other one is sent with Cache-Control: no-store.
PUBLIC_CACHEABLE = frozenset({"static", "api.get_questionnaire"})


def static_headers() -> dict[str, str]:
    """The headers every response carries, whatever the request."""
    return {
        "Permissions-Policy": "browsing-topics=()",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "; ".join(
            f"{directive} {sources}" for directive, sources in CONTENT_SECURITY_POLICY.items()
        ),
        "Referrer-Policy": "same-origin",
    }


def register(app: Flask, hsts: bool) -> None:
    """Add the headers to every response; ``hsts``: production (HTTPS behind a proxy)."""
    headers = list(static_headers().items())

    @app.after_request
    def security_headers(response):
        response_headers = response.headers
        for name, value in headers:
            response_headers[name] = value
        if hsts and (
            request.is_secure or request.headers.get("X-Forwarded-Proto", "http") == "https"
        ):
            response_headers["Strict-Transport-Security"] = HSTS
        if request.endpoint not in PUBLIC_CACHEABLE:
            response_headers["Cache-Control"] = "no-store"
        return response
