"""Settings from the environment."""

import math
import os
import secrets
from collections import Counter
from pathlib import Path

# Values that must never protect a production deployment.
WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "please-change-me"}


class ConfigError(RuntimeError):
    """The deployment is misconfigured; the message tells the operator what to set."""


def database_url(instance_path: str) -> str:
    """DATABASE_URL, normalised for psycopg 3, or a SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'readiness.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def positive_int(name: str, default: int) -> int:
    """A whole number above zero from the environment, or a clear error at start-up."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise ConfigError(f"{name} doit être un nombre entier positif (reçu : {raw!r}).")
    return int(raw)


def engine_options(url: str) -> dict:
    """SQLAlchemy engine options for the database at ``url``."""
    return {
        # A pooled connection to a database server may have been closed by a server restart
        # or a proxy: test it on checkout (one round trip) rather than fail the request.
        # A SQLite file has no server connection to lose: no ping, one statement less each time.
        "pool_pre_ping": not url.startswith("sqlite"),
        # A database error in the logs never carries a token or an answer.
        "hide_parameters": True,
    }


def settings(instance_path: str) -> dict:
    """The configuration read from the environment."""
    url = database_url(instance_path)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # « M’envoyer le lien »: a few e-mails per private link and per address, never spam.
        "LINK_MAIL_LIMIT_PER_LINK": os.environ.get("LINK_MAIL_LIMIT_PER_LINK", "3 per hour"),
        "LINK_MAIL_LIMIT_PER_ADDRESS": os.environ.get("LINK_MAIL_LIMIT_PER_ADDRESS", "5 per day"),
        "RESUME_RATE_LIMIT": os.environ.get("RESUME_RATE_LIMIT", "20 per minute"),
        **throttle_settings(),
        "PDF_RENDER_TIMEOUT": float(os.environ.get("PDF_RENDER_TIMEOUT", "20")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Anonymous diagnostics (no consultant) untouched for this many days can be purged.
        "RETENTION_DAYS": int(os.environ.get("RETENTION_DAYS", "365")),
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A consultant session ends after this much inactivity, and this long after sign-in.
        "SESSION_IDLE_MINUTES": positive_int("SESSION_IDLE_MINUTES", 120),
        "SESSION_LIFETIME_HOURS": positive_int("SESSION_LIFETIME_HOURS", 12),
        # Set SESSION_COOKIE_SECURE=0 only to serve production over plain HTTP on a LAN.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        # Links shown or sent to users start with this address, never with the request's Host.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").strip(),
        # PDF plans: rendered by RQ workers when REDIS_URL is set (``flask --app app pdf
        # worker``), else by a thread pool in each web worker; a download waits at most
        # PDF_WAIT_SECONDS for a plan not yet rendered, then shows a page that refreshes.
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        "PDF_QUEUE": os.environ.get("PDF_QUEUE", "pdf"),
        "PDF_WAIT_SECONDS": float(os.environ.get("PDF_WAIT_SECONDS", "2")),
        "PDF_THREADS": positive_int("PDF_THREADS", 1),
        **mail_settings(),
    }


def throttle_settings() -> dict:
    """Where the rate-limit counters live (shared by every worker) and the limits themselves."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    storage = storage or os.environ.get("REDIS_URL", "").strip()
    return {
        # Empty: memory:// in debug and tests; production refuses to start (check_throttle).
        "RATELIMIT_STORAGE_URI": storage,
        # Storage unreachable (Redis down): Flask-Limiter counts in this process's memory
        # until it answers again, and an error while counting never turns a page into a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # An unreachable Redis host fails fast instead of hanging the request.
        "RATELIMIT_STORAGE_OPTIONS": (
            {"socket_connect_timeout": 2} if storage.startswith(("redis", "rediss")) else {}
        ),
        # Failed sign-ins per client address.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        # Failed sign-ins per account, from browsers that never signed in to it.
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get(
            "LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes;50 per day"
        ),
        "START_RATE_LIMIT": os.environ.get("START_RATE_LIMIT", "10 per minute;100 per day"),
        "PDF_RATE_LIMIT": os.environ.get("PDF_RATE_LIMIT", "6 per minute;60 per hour"),
    }


def mail_settings() -> dict:
    """SMTP settings (SPEC §6); without MAIL_SERVER nothing is sent and no button offers to."""
    use_tls = os.environ.get("MAIL_USE_TLS", "0").lower() in ("1", "true", "yes")
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or (587 if use_tls else 25)),
        "MAIL_USE_TLS": use_tls,
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Prêt pour les réseaux sociaux <ne-pas-repondre@localhost>"
        ),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
    }


def check(config: dict, instance_path: str) -> None:
    """Refuse to start production on a setting that would make it unsafe or broken."""
    check_secret_key(config, instance_path)
    check_throttle(config)
    check_public_url(config)


def check_secret_key(config: dict, instance_path: str) -> None:
    """Refuse a missing or weak key in production; keep a stable local key in debug."""
    key = config.get("SECRET_KEY") or ""
    if config.get("DEBUG") or config.get("TESTING"):
        if not key:
            config["SECRET_KEY"] = _local_dev_key(Path(instance_path))
        return
    if key.lower() in WEAK_SECRET_KEYS or len(key) < 32 or weak_key(key):
        raise ConfigError(
            "SECRET_KEY manquante ou trop faible : définissez la variable d'environnement "
            "SECRET_KEY avec au moins 32 caractères aléatoires, par exemple la sortie de "
            '`python3 -c "import secrets; print(secrets.token_hex(32))"`.'
        )


def weak_key(key: str) -> bool:
    """Too few different characters, a repeated pattern, or too little entropy: typed by a
    person rather than drawn at random (a random 32-character hex key passes easily)."""
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    repeated = (key + key).find(key, 1) < len(key)
    return len(counts) < 8 or bits < 96 or repeated


def check_throttle(config: dict) -> None:
    """Counters shared by every worker: Redis in production, memory only in debug and tests."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return
    _default_outside_production(
        config,
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "REDIS_URL (ou RATELIMIT_STORAGE_URI) manquante : les limites de tentatives de "
        "connexion doivent être partagées par tous les workers, par exemple "
        "REDIS_URL=redis://127.0.0.1:6379/0. Avec un seul worker (gunicorn -w 1), "
        "RATELIMIT_STORAGE_URI=memory:// est accepté.",
    )


def check_public_url(config: dict) -> None:
    """Private links are built from PUBLIC_URL: production needs the real address."""
    url = config.get("PUBLIC_URL") or ""
    if url:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(
                "PUBLIC_URL doit commencer par https:// (ou http://), "
                "par exemple https://diagnostic.cabinet.fr"
            )
        return
    _default_outside_production(
        config,
        "PUBLIC_URL",
        "http://127.0.0.1:5000",
        "PUBLIC_URL manquante : définissez l'adresse publique de l'application, par exemple "
        "PUBLIC_URL=https://diagnostic.cabinet.fr ; les liens privés envoyés aux clients "
        "commencent par elle.",
    )


def _default_outside_production(config: dict, name: str, default: str, missing: str) -> None:
    """A missing setting: a local default in debug and tests, a French error in production."""
    if config.get("DEBUG") or config.get("TESTING"):
        config[name] = default
        return
    raise ConfigError(missing)


def _local_dev_key(instance: Path) -> str:
    path = instance / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()
