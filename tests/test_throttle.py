"""Sign-in throttling: per address and per account, shared, behind proxies, without
locking the owner out; same time for known and unknown e-mails; start and PDF limits."""

import logging
import time

from tests.conftest import PASSWORD, Wizard, app_config


def attempt(consultants, client, address, password="faux-mot-de-passe", **headers):
    client.environ_base["REMOTE_ADDR"] = address
    for name, value in headers.items():
        client.environ_base[f"HTTP_{name.upper()}"] = value
    return consultants.login(password=password, client=client).status_code


def test_hammering_from_many_addresses_does_not_lock_the_owner_out(app, consultants):
    app.config.update(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="4 per minute")
    consultants.create()
    owner = app.test_client()
    assert attempt(consultants, owner, "192.0.2.10", PASSWORD) == 302  # a browser she uses
    owner.post("/deconnexion", data={"csrf_token": consultants.csrf(owner)})
    attacker = app.test_client()
    codes = [attempt(consultants, attacker, f"198.51.100.{i}") for i in range(6)]
    assert codes == [422] * 4 + [429] * 2  # the account slows down anyone unknown
    assert attempt(consultants, app.test_client(), "198.51.100.77", PASSWORD) == 429
    # The owner's browser still gets in with the right password, from anywhere.
    assert attempt(consultants, owner, "203.0.113.5", PASSWORD) == 302


def test_the_address_limit_counts_failures_only(app, consultants):
    app.config.update(LOGIN_RATE_LIMIT="2 per minute")
    consultants.create()
    client = app.test_client()
    for _ in range(3):
        assert attempt(consultants, client, "192.0.2.20", PASSWORD) == 302
        client.post("/deconnexion", data={"csrf_token": consultants.csrf(client)})
    assert attempt(consultants, client, "192.0.2.20") == 422
    assert attempt(consultants, client, "192.0.2.20") == 422
    assert attempt(consultants, client, "192.0.2.20", PASSWORD) == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app, consultants, caplog):
    app.config.update(LOGIN_RATE_LIMIT="2 per minute")
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # what TRUSTED_PROXIES=1 does
    consultants.create()
    attacker, victim = app.test_client(), app.test_client()
    proxy = "10.0.0.1"
    codes = [
        attempt(consultants, attacker, proxy, X_FORWARDED_FOR="198.51.100.9") for _ in range(3)
    ]
    assert codes == [422, 422, 429]
    with caplog.at_level(logging.INFO):
        assert attempt(consultants, victim, proxy, PASSWORD, X_FORWARDED_FOR="203.0.113.7") == 302
    assert "from 203.0.113.7" in caplog.text  # the real client address is logged


def test_without_trusted_proxies_a_forged_header_does_not_evade_the_limit(app, consultants):
    app.config.update(LOGIN_RATE_LIMIT="2 per minute")
    consultants.create()
    client = app.test_client()
    codes = [
        attempt(consultants, client, "192.0.2.30", X_FORWARDED_FOR=f"203.0.113.{i}")
        for i in range(3)
    ]
    assert codes == [422, 422, 429]


def test_trusted_proxies_setting_installs_proxy_fix(database):
    from readiness import create_app

    app = create_app(app_config(database, TRUSTED_PROXIES=1))

    @app.get("/_whoami")
    def whoami():
        from flask import request

        return request.remote_addr

    response = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.8"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.get_data(as_text=True) == "203.0.113.8"


def test_known_and_unknown_emails_take_the_same_time(app, consultants):
    app.config.update(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    consultants.create()
    client = app.test_client()

    def fastest(email):
        times = []
        for _ in range(4):
            start = time.perf_counter()
            client.environ_base["REMOTE_ADDR"] = "192.0.2.40"
            assert consultants.login(email=email, password="faux-mot-de-passe", client=client)
            times.append(time.perf_counter() - start)
        return min(times)

    known, unknown = fastest("claire@conseil.fr"), fastest("personne@nulle-part.fr")
    assert unknown > known * 0.5, (known, unknown)  # was 9 ms against 232 ms


def test_starting_diagnostics_is_limited_per_address(app, wizard, client):
    app.config.update(START_RATE_LIMIT="2 per minute")
    csrf = wizard.csrf()
    codes = [client.post("/commencer", data={"csrf_token": csrf}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    body = client.post("/commencer", data={"csrf_token": csrf}).get_data(as_text=True)
    assert "Patientez quelques minutes" in body
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    assert Wizard(other, wizard.questionnaire).start()  # another address is not affected
