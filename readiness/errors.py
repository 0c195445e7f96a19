"""French error pages (and JSON errors under /api/)."""

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from readiness.extensions import db

RETRY_AFTER_SECONDS = 30

MESSAGES = {
    400: ("Requête invalide", "La page a peut-être expiré. Rechargez-la et recommencez."),
    404: ("Page introuvable", "Ce lien n’existe pas ou n’est plus valable."),
    405: ("Action non permise", "Cette action n’est pas possible sur cette page."),
    413: ("Envoi trop volumineux", "Le contenu envoyé est trop gros."),
    429: (
        "Trop de tentatives",
        "Trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer.",
    ),
    503: ("Service momentanément indisponible", "Réessayez dans un instant."),
    500: (
        "Erreur du serveur",
        "Un problème est survenu de notre côté. Vos réponses déjà enregistrées sont conservées.",
    ),
}


def render_error(code: int, detail: str | None = None):
    """A French error page, or a JSON body for API calls."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
    if request.path.startswith("/api/"):
        return jsonify({"error": title, "detail": detail or message}), code, headers
    page = render_template("error.html", title=title, message=detail or message)
    return page, code, headers


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Le formulaire a expiré ou n’a pas été envoyé depuis cette page. "
            "Rechargez la page et envoyez-le de nouveau.",
        )

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        """SQLite busy past its timeout, or PostgreSQL unreachable: try again, not a 500."""
        current_app.logger.warning("database unavailable: %s", error.orig)
        db.session.rollback()
        return render_error(
            503,
            "La base de données est momentanément occupée. Vos réponses déjà enregistrées "
            "sont conservées : réessayez dans un instant.",
        )

    for code in (400, 404, 405, 413, 429, 500):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
