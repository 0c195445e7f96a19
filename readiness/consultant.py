"""The consultant workspace: clients, their diagnostics, progress, exports, branding."""

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from readiness import (
    assessments,
    branding,
    clients,
    community,
    exports,
    mail,
    meetings,
    results,
    sending,
)
from readiness.errors import render_error
from readiness.extensions import db
from readiness.safe_input import SafeForm, at_most, has_nul, optional_email

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
        "Nom de l’entreprise cliente",
        validators=[DataRequired("Saisissez le nom du client."), at_most(120)],
    )
    contact = StringField("Contact (facultatif)", validators=[Optional(), at_most(200)])
    email = optional_email(
        "E-mail du client (facultatif, pour lui envoyer son plan)", "nom@entreprise.fr"
    )


class MeetingForm(FrenchForm):
    # ISO from a date picker, or typed the French way where there is none.
    meeting_on = DateField(
        "Date du rendez-vous",
        format=["%Y-%m-%d", "%d/%m/%Y"],
        validators=[DataRequired("Saisissez la date du rendez-vous (jj/mm/aaaa).")],
    )
    next_meeting_on = DateField(
        "Prochain rendez-vous (facultatif)",
        format=["%Y-%m-%d", "%d/%m/%Y"],
        validators=[Optional()],
    )

    def validate_next_meeting_on(self, field):
        if field.data and self.meeting_on.data and field.data <= self.meeting_on.data:
            raise ValidationError("Le prochain rendez-vous doit venir après celui-ci.")


class ProfileForm(FrenchForm):
    name = StringField(
        "Votre nom", validators=[DataRequired("Saisissez votre nom."), Length(max=120)]
    )
    firm = StringField("Cabinet ou organisme", validators=[Optional(), Length(max=120)])
    contact_email = optional_email("E-mail affiché sur les PDF", "nom@cabinet.fr")
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
    erased = clients.erased_latest([c.id for c in found.items])
    return render_template(
        "consultant/clients.html", page=found, query=query, sort=sort, erased=erased
    )


@bp.route("/clients/nouveau", methods=["GET", "POST"])
def client_new():
    form = ClientForm()
    if form.validate_on_submit():
        client = clients.save_client(
            clients.Client(consultant_id=current_user.id),
            form.name.data.strip(),
            form.contact.data or "",
            (form.email.data or "").strip(),
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
        clients.save_client(
            client, form.name.data.strip(), form.contact.data or "", (form.email.data or "").strip()
        )
        flash("Client enregistré.")
        return redirect(url_for("consultant.client_page", client_id=client.id))
    return render_template("consultant/client_form.html", form=form, client=client), (
        422 if form.errors else 200
    )


@bp.get("/clients/<int:client_id>")
def client_page(client_id: int):
    """A client's diagnostics over time, with progress between two of them."""
    return _client_page(clients.owned_client(current_user, client_id))


def _client_page(client, meeting_form=None, follow_up_errors=None, status=200):
    """The client page; forms posted with errors are shown again with their messages."""
    history = results.history(client)
    progress = results.progress(
        history, request.args.get("avant", type=int), request.args.get("apres", type=int)
    )
    # The meeting form is for the latest diagnostic the client has not erased.
    kept = [a for a in clients.client_assessments(client) if a.erased_at is None]
    latest = kept[-1] if kept else None
    followed = meetings.latest_completed(history)
    labels = results.content().texts.follow_up
    since = None
    if followed:
        assessment = clients.owned_assessment(current_user, followed["token"])
        answers = results.completed_answers(assessment)
        since = meetings.since_previous(
            assessment, results.content().questionnaire, answers, results.content().texts
        )
    if meeting_form is None and latest is not None:
        meeting_form = MeetingForm(
            formdata=None,
            meeting_on=latest.meeting_on or meetings.today(),
            next_meeting_on=latest.next_meeting_on,
        )
    return render_template(
        "consultant/client.html",
        client=client,
        start_nonce=assessments.new_start_nonce,  # one per start form: a double click starts one
        history=history,
        progress=progress,
        latest=latest,
        meeting_form=meeting_form,
        followed=followed,
        follow_up=meetings.follow_up_of(assessment) if followed else {},
        follow_up_errors=follow_up_errors or {},
        follow_up_labels=labels,
        since=since,
        sendings=meetings.sendings(client),
        mail_configured=mail.is_configured(),
    ), status


@bp.post("/diagnostics/<token>/rendez-vous")
def meeting_dates(token: str):
    """The date of the meeting and, optionally, of the next one."""
    assessment = clients.owned_assessment(current_user, token)
    form = MeetingForm()
    if not form.validate():
        return _client_page(assessment.client, meeting_form=form, status=422)
    meetings.set_meeting_dates(assessment, form.meeting_on.data, form.next_meeting_on.data)
    flash("Dates de rendez-vous enregistrées.")
    return redirect(url_for("consultant.client_page", client_id=assessment.client_id))


@bp.post("/diagnostics/<token>/suivi")
def follow_up(token: str):
    """Where the client stands on each action of this plan: done, in progress…"""
    assessment = clients.owned_assessment(current_user, token)
    if not FrenchForm().validate_on_submit():
        return redirect(url_for("consultant.client_page", client_id=assessment.client_id))
    actions = (assessment.result or {}).get("actions", [])
    labels = results.content().texts.follow_up
    entries, errors = meetings.read_follow_up(request.form, actions, labels)
    if errors:
        return _client_page(assessment.client, follow_up_errors=errors, status=422)
    meetings.save_follow_up(assessment, entries)
    flash("Suivi des actions enregistré.")
    return redirect(url_for("consultant.client_page", client_id=assessment.client_id))


@bp.post("/clients/<int:client_id>/envoyer")
def send_plan(client_id: int):
    """E-mail the client's plan (PDF, without notes) and the private link to the client."""
    client = clients.owned_client(current_user, client_id)
    back = redirect(url_for("consultant.client_page", client_id=client.id))
    if not FrenchForm().validate_on_submit():
        return back
    if not mail.is_configured():
        flash(
            "L’envoi d’e-mails n’est pas configuré sur ce serveur (MAIL_SERVER) : "
            "téléchargez le plan et envoyez-le vous-même."
        )
        return back
    followed = meetings.latest_completed(results.history(client))
    if not client.email or followed is None:
        flash("Ajoutez l’e-mail du client (Modifier) et terminez un diagnostic avant d’envoyer.")
        return back
    from readiness import pdf, pdf_jobs  # WeasyPrint loads only when a plan is sent

    try:
        what = sending.send_plan(client, clients.owned_assessment(current_user, followed["token"]))
    except mail.AddressRefused:
        flash(
            f"Le serveur d’e-mails refuse l’adresse {client.email} : vérifiez-la dans la fiche "
            "du client (Modifier) ; une adresse avec des accents peut ne pas passer."
        )
        return back
    except mail.MailError:
        flash("Le serveur d’e-mails n’a pas accepté l’envoi : réessayez dans un instant.")
        return back
    except (pdf.PdfTimeout, pdf.PdfRenderError) as error:
        current_app.logger.error("PDF not sent: %s", pdf_jobs.last_line(error))
        flash("La création du PDF n’a pas abouti : rien n’a été envoyé. Réessayez dans un instant.")
        return back
    flash(f"Envoyé à {client.email} : {what}.")
    return back


@bp.post("/clients/<int:client_id>/diagnostics")
def diagnostic_new(client_id: int):
    """Start a diagnostic: in meeting mode (open the wizard) or to send its link."""
    client = clients.owned_client(current_user, client_id)
    in_meeting = request.form.get("mode") == "reunion"
    assessment = clients.start_for_client(
        client,
        results.content().questionnaire,
        meetings.today() if in_meeting else None,
        request.form.get("debut"),
    )
    if in_meeting:
        first = results.content().questionnaire.step_ids[0]
        return redirect(url_for("wizard.step", token=assessment.token, step_id=first))
    flash("Diagnostic créé : copiez son lien privé ci-dessous et envoyez-le à votre client.")
    return redirect(url_for("consultant.client_page", client_id=client.id))


@bp.post("/diagnostics/<token>/revoquer")
def revoke(token: str):
    assessment = clients.owned_assessment(current_user, token)
    clients.revoke_link(assessment)
    flash("L’ancien lien ne fonctionne plus. Un nouveau lien privé a été créé.")
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
        "consultant/client_delete.html",
        client=client,
        count=sum(1 for a in client.assessments if a.erased_at is None),  # not the erased ones
    )


@bp.get("/clients/<int:client_id>/export.<fmt>")
@bp.get("/export.<fmt>", defaults={"client_id": None})
def export(fmt: str, client_id: int | None):
    """CSV or JSON of one client's diagnostics, or of all the consultant's clients."""
    if fmt not in ("csv", "json"):
        return redirect(url_for("consultant.clients_list"))
    owned = [clients.owned_client(current_user, client_id)] if client_id else current_user.clients
    q = results.content().questionnaire
    records = exports.diagnostic_records(q, owned)
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
