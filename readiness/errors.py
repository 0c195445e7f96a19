"""French error pages (and JSON errors under /api/)."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

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
    if request.path.startswith("/api/"):
        return jsonify({"error": title, "detail": detail or message}), code
    return render_template("error.html", title=title, message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Le formulaire a expiré ou n’a pas été envoyé depuis cette page. "
            "Rechargez la page et envoyez-le de nouveau.",
        )

    for code in (400, 404, 405, 413, 429, 500):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
