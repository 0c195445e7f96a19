"""Consultant sign-in and sign-out."""

import hashlib
import hmac

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from readiness import sessions, throttle
from readiness.errors import render_error
from readiness.extensions import db
from readiness.models import Consultant
from readiness.passwords import verify_password_of
from readiness.safe_input import SafeForm

TOO_MANY = (
    "Trop de tentatives de connexion en peu de temps. Patientez quelques minutes avant de "
    "réessayer."
)

bp = Blueprint("auth", __name__)


class LoginForm(SafeForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Saisissez votre adresse e-mail."), Length(max=254)],
    )
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Saisissez votre mot de passe.")]
    )


def find_by_email(email: str) -> Consultant | None:
    return db.session.scalar(
        select(Consultant).where(func.lower(Consultant.email) == email.strip().lower())
    )


def typed_address_tag(typed: str) -> str:
    """A short keyed hash of what was typed as the e-mail, to tell attempts apart in the logs
    without writing the text itself (it may be a password typed in the wrong field)."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, typed.strip().lower().encode(), hashlib.sha256).hexdigest()
    return "typed#" + digest[:10]


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """Sign in; a new session is started so an old cookie cannot be reused."""
    form = LoginForm()
    address = throttle.client_address()
    if form.is_submitted() and not throttle.allowed("LOGIN_RATE_LIMIT", address):
        current_app.logger.warning("login throttled: address %s", address)
        return render_error(429, TOO_MANY)
    if form.validate_on_submit():
        consultant = find_by_email(form.email.data)
        # Limits and logs name an account by its id, an unknown address by a keyed hash only
        # (what was typed may be a password typed in the wrong field).
        account = consultant.id if consultant else typed_address_tag(form.email.data)
        known = consultant is not None and throttle.is_known_device(consultant.id)
        if not known and not throttle.allowed("LOGIN_ACCOUNT_RATE_LIMIT", str(account)):
            current_app.logger.warning("login throttled: account %s from %s", account, address)
            return render_error(429, TOO_MANY)
        # Unknown and deactivated accounts cost the same Argon2 verification as real ones.
        if verify_password_of(consultant, form.password.data) and consultant.active:
            session.clear()
            login_user(consultant)
            sessions.start()
            current_app.logger.info("login ok: consultant %s from %s", consultant.id, address)
            response = redirect(url_for("consultant.clients_list"))
            throttle.remember_device(response, consultant.id)
            return response
        throttle.hit("LOGIN_RATE_LIMIT", address)
        if not known:
            throttle.hit("LOGIN_ACCOUNT_RATE_LIMIT", str(account))
        current_app.logger.warning("login failed for account %s from %s", account, address)
        form.password.errors.append("Adresse e-mail ou mot de passe incorrect.")
    return render_template("login.html", form=form), (422 if form.errors else 200)


@bp.post("/deconnexion")
@login_required
def logout():
    """Sign out here and everywhere: a copy of this session's cookie opens nothing."""
    sessions.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.")
    return redirect(url_for("wizard.landing"))
