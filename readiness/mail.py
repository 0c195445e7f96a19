"""Outgoing e-mail through the SMTP server named in the MAIL_* settings (SPEC §6)."""

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


class AddressRefused(MailError):
    """The server will not deliver to this address as written (unknown, or with accents that
    it cannot carry): trying again will not help, correcting the address will."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str = "application/pdf"


def is_configured() -> bool:
    """Sending is offered only when an SMTP server is set."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str, subject: str, body: str, attachments: Iterable[Attachment] = ()) -> None:
    """Send one plain-text message; raise MailError when the server refuses or is unreachable."""
    config = current_app.config
    message = build_message(config["MAIL_DEFAULT_SENDER"], to, subject, body, attachments)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError) as error:
        raise AddressRefused(str(error)) from error  # SMTPNotSupported: no SMTPUTF8 for accents
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(str(error)) from error


def build_message(
    sender: str, to: str, subject: str, body: str, attachments: Iterable[Attachment] = ()
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message
