"""Consultant sign-in and sign-out."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from readiness import sessions
from readiness.extensions import db, limiter
from readiness.models import Consultant
from readiness.passwords import verify_password

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    class Meta:
        locales = ("fr_FR", "fr")

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


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Sign in; a new session is started so an old cookie cannot be reused."""
    form = LoginForm()
    if form.validate_on_submit():
        consultant = find_by_email(form.email.data)
        if (
            consultant
            and consultant.active
            and verify_password(consultant.password_hash, form.password.data)
        ):
            session.clear()
            login_user(consultant)
            sessions.start()
            current_app.logger.info(
                "login ok: consultant %s from %s", consultant.id, request.remote_addr
            )
            return redirect(url_for("consultant.clients_list"))
        current_app.logger.warning(
            "login failed for %r from %s", form.email.data, request.remote_addr
        )
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
