"""Consultant sessions end: logout, password reset or change, deactivation, idle and lifetime."""

import logging
import re

import pytest

from readiness import create_app, sessions
from readiness.config import ConfigError
from tests.conftest import PASSWORD

NEW_PASSWORD = "tulipe-verte-savon-1987"


class Clock:
    """The sessions' clock, moved by hand."""

    def __init__(self, monkeypatch, start=1_800_000_000):
        self.now = start
        monkeypatch.setattr(sessions, "now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def signed_in(browser) -> bool:
    response = browser.get("/conseil/clients")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.location.endswith("/connexion")
    return False


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_a_copied_cookie_works_until_logout_then_opens_nothing(app, client, consultants):
    consultants.create()
    consultants.login()
    thief = copy_of(app, client)
    assert signed_in(thief)  # the copy is a real session until the owner leaves
    client.post("/deconnexion", data={"csrf_token": consultants.csrf()})
    assert not signed_in(client)
    assert not signed_in(thief)
    response = thief.get("/conseil/profil", follow_redirects=True)
    assert "Votre session a été fermée. Reconnectez-vous" in response.get_data(as_text=True)


def test_logout_ends_the_sessions_on_other_devices_too_but_not_other_consultants(
    app, client, consultants
):
    consultants.create()
    consultants.create(email="paul@cci.fr", name="Paul Martin")
    laptop, phone, paul = client, app.test_client(), app.test_client()
    consultants.login()
    consultants.login(client=phone)
    consultants.login(email="paul@cci.fr", client=paul)
    laptop.post("/deconnexion", data={"csrf_token": consultants.csrf()})
    assert not signed_in(phone)
    assert signed_in(paul)
    assert consultants.login(client=phone).status_code == 302  # signing in again works
    assert signed_in(phone)


def test_password_reset_from_the_cli_ends_every_session(app, client, consultants, runner):
    consultants.create()
    consultants.login()
    thief = copy_of(app, client)
    result = runner.invoke(
        args=["consultant", "reset-password", "claire@conseil.fr"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert not signed_in(thief)


def test_deactivation_ends_every_session(app, client, consultants, runner):
    consultants.create()
    consultants.login()
    thief = copy_of(app, client)
    assert runner.invoke(args=["consultant", "deactivate", "claire@conseil.fr"]).exit_code == 0
    assert not signed_in(client)
    assert not signed_in(thief)


def test_an_inactive_account_is_refused_even_with_a_current_session(app, client, consultants):
    """Deactivated by other means than the CLI (e.g. SQL): the session still ends."""
    from readiness.extensions import db
    from readiness.models import Consultant

    account = consultants.create()
    consultants.login()
    with app.app_context():
        db.session.get(Consultant, account).active = False
        db.session.commit()
    assert not signed_in(client)


def test_a_session_from_before_session_versions_is_ended(client, consultants):
    account = consultants.create()
    consultants.login()
    with client.session_transaction() as session:
        session["_user_id"] = str(account)  # the old format: the bare account id
    assert not signed_in(client)


def test_idle_sessions_expire_after_two_hours(client, consultants, clock):
    consultants.create()
    consultants.login()
    clock.advance(2 * 3600 - 60)
    assert signed_in(client)  # used again: the idle timer restarts
    clock.advance(2 * 3600 - 60)
    assert signed_in(client)
    clock.advance(2 * 3600 + 1)
    response = client.get("/conseil/clients", follow_redirects=True)
    assert "Votre session a expiré. Reconnectez-vous" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_sessions_end_twelve_hours_after_sign_in_even_when_used(client, consultants, clock):
    consultants.create()
    consultants.login()
    for _ in range(11):
        clock.advance(3600)
        assert signed_in(client)
    clock.advance(3600 - 1)
    assert signed_in(client)
    clock.advance(2)
    assert not signed_in(client)
    assert consultants.login().status_code == 302
    assert signed_in(client)  # a new sign-in starts a new lifetime


def test_a_copied_cookie_cannot_outlive_the_idle_timeout(app, client, consultants, clock):
    """The thief's copy carries the old "last used" time, signed: it cannot be refreshed."""
    consultants.create()
    consultants.login()
    thief = copy_of(app, client)
    clock.advance(3600)
    assert signed_in(client)
    clock.advance(3600 + 1)
    assert signed_in(client)
    assert not signed_in(thief)


def test_timeouts_follow_the_settings(app, client, consultants, clock):
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_LIFETIME_HOURS=1)
    consultants.create()
    consultants.login()
    clock.advance(5 * 60 + 1)
    assert not signed_in(client)
    consultants.login()
    for _ in range(15):
        clock.advance(4 * 60)
        assert signed_in(client)
    clock.advance(4 * 60 + 1)
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("name", "value"), [("SESSION_IDLE_MINUTES", "0"), ("SESSION_LIFETIME_HOURS", "douze")]
)
def test_timeout_settings_must_be_positive_whole_numbers(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_timeout_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "8")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_LIFETIME_HOURS"]) == (30, 8)


# --- Changing one's password -----------------------------------------------------------------


def change(browser, current=PASSWORD, new=NEW_PASSWORD, confirm=None, csrf=True):
    data = {"current": current, "new": new, "confirm": new if confirm is None else confirm}
    if csrf:
        data["csrf_token"] = csrf_of(browser.get("/conseil/mot-de-passe").get_data(as_text=True))
    return browser.post("/conseil/mot-de-passe", data=data)


def test_the_profile_links_to_the_password_form(client, consultants):
    consultants.create()
    consultants.login()
    assert "/conseil/mot-de-passe" in client.get("/conseil/profil").get_data(as_text=True)
    html = client.get("/conseil/mot-de-passe").get_data(as_text=True)
    assert "Mot de passe actuel" in html and 'autocomplete="new-password"' in html


def test_the_password_form_needs_a_signed_in_consultant(client):
    response = client.get("/conseil/mot-de-passe")
    assert response.status_code == 302 and response.location.endswith("/connexion")


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    app, client, consultants, caplog
):
    consultants.create()
    consultants.login()
    phone = app.test_client()
    consultants.login(client=phone)
    thief = copy_of(app, client)
    with caplog.at_level(logging.INFO):
        response = change(client)
    assert response.status_code == 302 and response.location.endswith("/conseil/profil")
    page = client.get("/conseil/profil").get_data(as_text=True)
    assert "Mot de passe changé. Vos autres sessions ont été fermées." in page
    assert signed_in(client)
    assert not signed_in(phone)
    assert not signed_in(thief)  # a copy taken before the change is dead too
    assert consultants.login(client=phone).status_code == 422  # the old password
    assert consultants.login(password=NEW_PASSWORD, client=phone).status_code == 302
    assert "password changed: consultant" in caplog.text


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        ("faux-mot-de-passe", NEW_PASSWORD, None, "current", "Ce n’est pas votre mot de passe"),
        ("", NEW_PASSWORD, None, "current", "Saisissez votre mot de passe actuel."),
        (PASSWORD, "", "", "new", "Saisissez un nouveau mot de passe."),
        (PASSWORD, NEW_PASSWORD, "autre-chose-que-ca", "confirm", "Les deux saisies"),
        (PASSWORD, "court", None, "new", "au moins 12 caractères"),
        (PASSWORD, "motdepasse123", None, "new", "trop courant"),
        (PASSWORD, "claire@conseil.fr", None, "new", "trop courant"),
        (PASSWORD, PASSWORD, None, "new", "différent de l’actuel"),
    ],
)
def test_a_refused_password_change_says_why_next_to_the_field(
    app, client, consultants, current, new, confirm, field, message
):
    consultants.create()
    consultants.login()
    phone = app.test_client()
    consultants.login(client=phone)
    response = change(client, current, new, confirm)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-erreur">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert f'aria-describedby="{field}-erreur"' in html or f"{field}-erreur" in html
    assert signed_in(client) and signed_in(phone)  # nothing changed, nobody signed out
    assert consultants.login(client=app.test_client()).status_code == 302


def test_a_password_change_without_csrf_token_is_refused(client, consultants):
    consultants.create()
    consultants.login()
    response = change(client, csrf=False)
    assert response.status_code == 400
    assert consultants.login(password=NEW_PASSWORD).status_code == 422


def test_wrong_current_passwords_are_rate_limited(app, client, consultants):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    consultants.create()
    consultants.login()
    codes = [change(client, current="faux-mot-de-passe").status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_every_problem_of_a_password_change_is_shown_at_once(client, consultants):
    consultants.create()
    consultants.login()
    response = change(client, "faux-mot-de-passe", "motdepasse123", "autre")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, message in [
        ("current", "Ce n’est pas votre mot de passe actuel."),
        ("new", "trop courant"),
        ("confirm", "Les deux saisies"),
    ]:
        error = re.search(rf'<p class="error" id="{field}-erreur">(.*?)</p>', html, re.S)
        assert error and message in error.group(1), field
