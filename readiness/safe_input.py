"""Hostile input stopped at the form, with a French message next to the field.

Every form derives from ``SafeForm``: each of its fields refuses a NUL character (which
PostgreSQL cannot store in text) and over-long raw values before any other check runs.
"""

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import Email, Length, Optional, StopValidation

# Far above any field's own limit; the field's Length() gives the precise message.
MAX_RAW_LENGTH = 20_000
NUL_MESSAGE = "Ce champ contient un caractère invisible non autorisé. Retapez-le."
TOO_LONG_MESSAGE = "Cette réponse est beaucoup trop longue."
TOO_BIG_MESSAGE = "Ce nombre est bien trop grand."


def has_nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def clean_raw_values(form, field) -> None:
    """Stop validation on a NUL character or an absurdly long value."""
    for value in field.raw_data or ():
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            field.data = None
            raise StopValidation(NUL_MESSAGE)
        if len(value) > MAX_RAW_LENGTH:
            field.data = None
            raise StopValidation(TOO_LONG_MESSAGE)


class SafeForm(FlaskForm):
    """French messages, and hostile raw values refused on every field."""

    class Meta:
        locales = ("fr_FR", "fr")

        def bind_field(self, form, unbound_field, options):
            validators = [clean_raw_values, *(unbound_field.kwargs.get("validators") or ())]
            return unbound_field.bind(form=form, **options, validators=validators)


def at_most(length: int) -> Length:
    """A length limit with its French message, the same on every form."""
    return Length(max=length, message=f"{length} caractères au maximum.")


def optional_email(label: str, example: str) -> EmailField:
    """An optional e-mail address field: checked, 254 characters at most (RFC 5321)."""
    message = f"Saisissez une adresse e-mail valide, par exemple {example}."
    return EmailField(label, validators=[Optional(), at_most(254), Email(message)])
