"""E-mail goes through a real local SMTP server; links come from PUBLIC_URL."""

import pytest

from readiness import links, mail


def test_a_message_with_an_attachment_reaches_the_smtp_server(app, smtp_server):
    with app.test_request_context():
        assert mail.is_configured()
        mail.send(
            "client@exemple.fr",
            "Votre plan d’action",
            "Bonjour,\nvoici votre plan.",
            [mail.Attachment("plan.pdf", b"%PDF-1.7 test")],
        )
    (message,) = smtp_server.messages
    assert message["To"] == "client@exemple.fr"
    assert message["Subject"] == "Votre plan d’action"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "voici votre plan" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "plan.pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"


def test_an_unreachable_server_raises_mail_error(app):
    from tests.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with app.test_request_context(), pytest.raises(mail.MailError):
        mail.send("client@exemple.fr", "Sujet", "Texte")


def test_without_mail_server_sending_is_not_offered(app):
    app.config["MAIL_SERVER"] = ""
    with app.test_request_context():
        assert not mail.is_configured()


def test_links_use_the_public_address_not_the_host_header(app):
    app.config["PUBLIC_URL"] = "https://diagnostic.cabinet.fr/"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        link = links.private_link("abc123")
    assert link == "https://diagnostic.cabinet.fr/d/abc123"


def test_the_private_link_on_a_step_ignores_a_forged_host(app, client, wizard):
    app.config["PUBLIC_URL"] = "https://diagnostic.cabinet.fr"
    token = wizard.start()
    html = client.get(f"/d/{token}/profile", headers={"Host": "evil.example"}).get_data(
        as_text=True
    )
    assert f"https://diagnostic.cabinet.fr/d/{token}" in html
    assert "evil.example" not in html
