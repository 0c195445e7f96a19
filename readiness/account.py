"""A signed-in consultant changes their own password."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from readiness import sessions
from readiness.extensions import db, limiter
from readiness.passwords import hash_password, password_problem, verify_password
from readiness.safe_input import SafeForm, at_most

bp = Blueprint("account", __name__, url_prefix="/conseil")


class PasswordForm(SafeForm):
    current = PasswordField(
        "Mot de passe actuel", validators=[DataRequired("Saisissez votre mot de passe actuel.")]
    )
    new = PasswordField(
        "Nouveau mot de passe",
        validators=[
            DataRequired("Saisissez un nouveau mot de passe."),
            at_most(200),  # zxcvbn slows down sharply on very long inputs
        ],
    )
    confirm = PasswordField(
        "Confirmez le nouveau mot de passe",
        validators=[
            DataRequired("Saisissez à nouveau le nouveau mot de passe."),
            EqualTo("new", "Les deux saisies du nouveau mot de passe sont différentes."),
        ],
    )

    def check(self, consultant) -> bool:
        """The field rules, the current password and the new one's strength, all reported."""
        if not self.is_submitted():
            return False
        self.validate_on_submit()
        right = bool(self.current.data) and verify_password(
            consultant.password_hash, self.current.data
        )
        if self.current.data and not right:
            self.current.errors.append("Ce n’est pas votre mot de passe actuel.")
        if self.new.data and not self.new.errors:
            if right and self.new.data == self.current.data:
                self.new.errors.append("Choisissez un mot de passe différent de l’actuel.")
            else:
                problem = password_problem(self.new.data, (consultant.email, consultant.name))
                if problem:
                    self.new.errors.append(problem)
        return not self.errors


def _failed_attempt(response) -> bool:
    return response.status_code != 302


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=lambda: f"password-change:{current_user.id}",
    methods=["POST"],
    deduct_when=_failed_attempt,
)
def change_password():
    """Current password asked; the new one follows the CLI's rules; other sessions end."""
    form = PasswordForm()
    consultant = current_user._get_current_object()
    if form.check(consultant):
        consultant.password_hash = hash_password(form.new.data)
        sessions.end_all_sessions(consultant)
        db.session.commit()
        login_user(consultant)  # this session carries the new version and stays open
        current_app.logger.info("password changed: consultant %s", consultant.id)
        flash("Mot de passe changé. Vos autres sessions ont été fermées.")
        return redirect(url_for("consultant.profile"))
    return render_template("consultant/password.html", form=form), (422 if form.errors else 200)
