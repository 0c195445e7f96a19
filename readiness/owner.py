"""What the owner of a private link does with it: resume it, e-mail it, erase the diagnostic."""

import hashlib
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from readiness import assessments, clients, mail
from readiness.extensions import limiter
from readiness.links import private_link

bp = Blueprint("owner", __name__)

# An apostrophe is legal before the @ (o'brien@…); none of <>",; anywhere (mail headers).
EMAIL = re.compile(r"^[^@\s<>\",;]{1,64}@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")
TOKEN_IN_LINK = re.compile(r"(?:^|/d/)([A-Za-z0-9_-]+)")
# Where « M’envoyer le lien » may return to: the page it was sent from, in this diagnostic.
BACK = re.compile(r"^[a-z_]{1,32}$")


def _link_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return "link-mail:" + hashlib.sha256(token.encode()).hexdigest()  # no token in Redis keys


def _address_key() -> str:
    address = request.form.get("email", "").strip().lower()
    return "link-mail-to:" + hashlib.sha256(address.encode()).hexdigest()


@bp.post("/reprendre")
@limiter.limit(lambda: current_app.config["RESUME_RATE_LIMIT"])
def resume_from_link():
    """A pasted private link, or its code alone, opens the diagnostic."""
    pasted = request.form.get("lien", "").strip()
    token, problem = _token_from(pasted)
    if problem:
        return render_template("resume.html", pasted=pasted[:300], problem=problem), 422
    return redirect(url_for("wizard.resume", token=token))


def _token_from(pasted: str) -> tuple[str | None, str | None]:
    if not pasted:
        return None, "Collez le lien reçu, ou le code qui le termine."
    path = pasted.split("?")[0].split("#")[0].rstrip("/")
    if "/d/" in path:
        path = path.split("/d/", 1)[1].split("/")[0]
    match = TOKEN_IN_LINK.fullmatch(path) or TOKEN_IN_LINK.fullmatch("/d/" + path)
    code = match.group(1) if match else ""
    if len(code) < 32 and code:
        return None, (
            f"Ce lien est incomplet : le code qui le termine a {len(code)} caractères au lieu "
            "de 32. Copiez-le de nouveau en entier, depuis l’e-mail ou la note où vous l’aviez "
            "gardé."
        )
    if len(code) != 32 or assessments.find(code) is None:
        return None, (
            "Aucun diagnostic ne correspond à ce lien. Vérifiez qu’il est complet et sans "
            "espace en trop. Un diagnostic supprimé ou un lien remplacé par votre consultant "
            "ne s’ouvre plus."
        )
    return code, None


@bp.route("/d/<token>/envoyer-lien", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LINK_MAIL_LIMIT_PER_LINK"], key_func=_link_key, methods=["POST"]
)
@limiter.limit(
    lambda: current_app.config["LINK_MAIL_LIMIT_PER_ADDRESS"],
    key_func=_address_key,
    methods=["POST"],
)
def send_link(token: str):
    """E-mail the private link to the address typed (never stored)."""
    clients.reachable_or_404(token)
    if not mail.is_configured():
        abort(404)
    back = request.values.get("retour", "")
    back = back if BACK.match(back) else ""
    if request.method == "GET":
        return render_template("send_link.html", token=token, email="", error=None, back=back)
    email = request.form.get("email", "").strip()
    error = None
    if not email:
        error = "Saisissez votre adresse e-mail."
    elif len(email) > 254 or not EMAIL.match(email):
        error = (
            "Cette adresse e-mail ne semble pas complète : vérifiez-la (exemple : nom@exemple.fr)."
        )
    if error is None:
        try:
            mail.send(email, "Votre lien pour reprendre le diagnostic", _message(token))
        except mail.AddressRefused:
            current_app.logger.warning("private link e-mail refused for its address")
            error = (
                "Le serveur d’e-mails refuse cette adresse : vérifiez-la (une adresse avec des "
                "accents peut ne pas passer), ou copiez le lien."
            )
        except mail.MailError:
            current_app.logger.warning("private link e-mail not sent")
            error = "L’e-mail n’a pas pu partir. Réessayez dans un instant, ou copiez le lien."
    if error:
        return render_template(
            "send_link.html", token=token, email=email[:254], error=error, back=back
        ), 422
    flash(f"Le lien a été envoyé à {email}. Pensez à regarder dans les indésirables.")
    return redirect(_back_url(token, back))


def _message(token: str) -> str:
    return (
        "Bonjour,\n\n"
        "Voici votre lien personnel pour reprendre le diagnostic « Prêt pour les réseaux "
        "sociaux ? » là où vous l’avez laissé, et revoir votre résultat :\n\n"
        f"{private_link(token)}\n\n"
        "Toute personne qui a ce lien peut voir et modifier vos réponses : ne le transférez "
        "qu’à qui vous voulez.\n\n"
        "Vous recevez ce message parce que votre adresse a été saisie sur la page du "
        "diagnostic. Elle n’a pas été enregistrée.\n"
    )


def _back_url(token: str, back: str) -> str:
    if back == "recapitulatif":
        return url_for("wizard.summary", token=token)
    if back == "resultat":
        return url_for("report.result", token=token)
    if back in current_app.extensions["readiness"].questionnaire.step_ids:
        return url_for("wizard.step", token=token, step_id=back)
    return url_for("wizard.resume", token=token)


@bp.route("/d/<token>/supprimer", methods=["GET", "POST"])
def erase(token: str):
    """Ask, then erase the diagnostic: answers, result, notes and PDFs; the link then 404s."""
    assessment = clients.reachable_or_404(token)
    if request.method == "GET":
        return render_template("erase.html", token=token)
    assessments.erase(assessment)
    flash("Votre diagnostic a été supprimé, avec vos réponses et votre résultat.")
    return redirect(url_for("wizard.landing"))
