"""The consultant workspace: clients, their diagnostics, progress, exports, branding."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from readiness import branding, clients, community, exports, results
from readiness.errors import render_error
from readiness.extensions import db
from readiness.safe_input import SafeForm, has_nul

bp = Blueprint("consultant", __name__, url_prefix="/conseil")
MAX_PAGE = 100_000


@bp.before_request
@login_required
def require_login():
    """Every page here is for a signed-in consultant."""


class FrenchForm(SafeForm):
    pass


class ClientForm(FrenchForm):
    name = StringField(
        "Nom de l'entreprise cliente",
        validators=[
            DataRequired("Saisissez le nom du client."),
            Length(max=120, message="120 caractères au maximum."),
        ],
    )
    contact = StringField(
        "Contact (facultatif)",
        validators=[Optional(), Length(max=200, message="200 caractères au maximum.")],
    )


class ProfileForm(FrenchForm):
    name = StringField(
        "Votre nom", validators=[DataRequired("Saisissez votre nom."), Length(max=120)]
    )
    firm = StringField("Cabinet ou organisme", validators=[Optional(), Length(max=120)])
    contact_email = EmailField(
        "E-mail affiché sur les PDF",
        validators=[
            Optional(),
            Length(max=254, message="254 caractères au maximum."),
            Email("Saisissez une adresse e-mail valide, par exemple nom@cabinet.fr."),
        ],
    )
    phone = StringField("Téléphone", validators=[Optional(), Length(max=40)])
    logo = FileField("Logo (PNG ou JPEG, 1 Mo au plus)")


@bp.get("/")
@bp.get("/clients")
def clients_list():
    """The consultant's clients: search, sort, pagination."""
    query, sort = request.args.get("q", "")[:120], request.args.get("tri", "recent")
    if has_nul(query):
        return render_error(400, "La recherche contient un caractère non autorisé.")
    page = request.args.get("page", 1, type=int) or 1
    if not 1 <= page <= MAX_PAGE:
        return render_error(400, "Ce numéro de page n’existe pas.")
    found = clients.search_clients(current_user, query, sort, page)
    return render_template("consultant/clients.html", page=found, query=query, sort=sort)


@bp.route("/clients/nouveau", methods=["GET", "POST"])
def client_new():
    form = ClientForm()
    if form.validate_on_submit():
        client = clients.save_client(
            clients.Client(consultant_id=current_user.id),
            form.name.data.strip(),
            form.contact.data or "",
        )
        return redirect(url_for("consultant.client_page", client_id=client.id))
    return render_template("consultant/client_form.html", form=form, client=None), (
        422 if form.errors else 200
    )


@bp.route("/clients/<int:client_id>/modifier", methods=["GET", "POST"])
def client_edit(client_id: int):
    client = clients.owned_client(current_user, client_id)
    form = ClientForm(obj=client)
    if form.validate_on_submit():
        clients.save_client(client, form.name.data.strip(), form.contact.data or "")
        flash("Client enregistré.")
        return redirect(url_for("consultant.client_page", client_id=client.id))
    return render_template("consultant/client_form.html", form=form, client=client), (
        422 if form.errors else 200
    )


@bp.get("/clients/<int:client_id>")
def client_page(client_id: int):
    """A client's diagnostics over time, with progress between two of them."""
    client = clients.owned_client(current_user, client_id)
    history = results.history(client)
    progress = results.progress(
        history, request.args.get("avant", type=int), request.args.get("apres", type=int)
    )
    return render_template(
        "consultant/client.html", client=client, history=history, progress=progress
    )


@bp.post("/clients/<int:client_id>/diagnostics")
def diagnostic_new(client_id: int):
    """Start a diagnostic: in meeting mode (open the wizard) or to send its link."""
    client = clients.owned_client(current_user, client_id)
    assessment = clients.start_for_client(client, results.content().questionnaire)
    if request.form.get("mode") == "reunion":
        first = results.content().questionnaire.step_ids[0]
        return redirect(url_for("wizard.step", token=assessment.token, step_id=first))
    flash("Diagnostic créé : copiez son lien privé ci-dessous et envoyez-le à votre client.")
    return redirect(url_for("consultant.client_page", client_id=client.id))


@bp.post("/diagnostics/<token>/revoquer")
def revoke(token: str):
    assessment = clients.owned_assessment(current_user, token)
    clients.revoke_link(assessment)
    flash("L'ancien lien ne fonctionne plus. Un nouveau lien privé a été créé.")
    return redirect(url_for("consultant.client_page", client_id=assessment.client_id))


@bp.route("/clients/<int:client_id>/supprimer", methods=["GET", "POST"])
def client_delete(client_id: int):
    client = clients.owned_client(current_user, client_id)
    if request.method == "POST" and FrenchForm().validate_on_submit():
        name = client.name
        clients.delete_client(client)
        flash(f"Le client « {name} » et toutes ses données ont été supprimés.")
        return redirect(url_for("consultant.clients_list"))
    return render_template(
        "consultant/client_delete.html", client=client, count=len(client.assessments)
    )


@bp.get("/clients/<int:client_id>/export.<fmt>")
@bp.get("/export.<fmt>", defaults={"client_id": None})
def export(fmt: str, client_id: int | None):
    """CSV or JSON of one client's diagnostics, or of all the consultant's clients."""
    if fmt not in ("csv", "json"):
        return redirect(url_for("consultant.clients_list"))
    owned = [clients.owned_client(current_user, client_id)] if client_id else current_user.clients
    q = results.content().questionnaire
    records = [
        exports.diagnostic_record(q, c, a) for c in owned for a in clients.client_assessments(c)
    ]
    name = f"diagnostics-{client_id or 'tous'}.{fmt}"
    if fmt == "csv":
        body, mime = "\ufeff" + exports.to_csv(q, records), "text/csv; charset=utf-8"
    else:
        body, mime = json.dumps(records, ensure_ascii=False, indent=2), "application/json"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/profil", methods=["GET", "POST"])
def profile():
    """Branding shown on the clients' PDFs."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        upload = form.logo.data
        if upload and upload.filename:
            try:
                current_user.logo_png = branding.clean_logo(upload.read(branding.MAX_BYTES + 1))
            except branding.LogoError as error:
                form.logo.errors = [str(error)]
        if not form.logo.errors:
            if request.form.get("remove_logo"):
                current_user.logo_png = None
            for field in ("name", "firm", "contact_email", "phone"):
                setattr(current_user, field, (getattr(form, field).data or "").strip())
            db.session.commit()
            flash("Profil enregistré.")
            return redirect(url_for("consultant.profile"))
        db.session.rollback()
    logo = branding.logo_data_uri(current_user.logo_png)
    return render_template("consultant/profile.html", form=form, logo=logo), (
        422 if form.errors else 200
    )


@bp.get("/portefeuille")
def portfolio():
    """The consultant's clients, in aggregate, against every finished diagnostic here."""
    return render_template(
        "consultant/portfolio.html",
        mine=community.portfolio(current_user.id),
        everyone=community.everyone(),
        min_group=community.min_group(),
        texts=results.content().texts,
    )
