"""Numbers typed the French way (« 1,5 », « 1 000 € », « 2 h 30 ») read without guessing.

Pure: text in, a number or a French message out. Nothing is ever silently changed: what
cannot be read exactly gets a message that says what to type instead.
"""

import re
from decimal import Decimal, InvalidOperation

from readiness.safe_input import TOO_BIG_MESSAGE

MAX_CHARS = 30  # longer than any sensible amount: refuse before parsing
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
# Units people add after a number; the question's own unit among them.
UNIT = re.compile(
    r"(?:h|hr?s?|heures?|€|eur|euros?|%|pour\s*cent|pourcents?)?"
    r"(?:/|par)?(?:semaines?|sem|mois)?\.?$",
    re.IGNORECASE,
)
NUMBER = re.compile(r"^([+-]?)(\d*)(?:[.,](\d*))?$")
HOURS_MINUTES = re.compile(r"^(\d{1,2})h(\d{1,2})(?:min)?$", re.IGNORECASE)


class NumberError(ValueError):
    """The text is not a number this question accepts; the message says why, in French."""


def parse_number(text: str, *, integer: bool) -> Decimal:
    """The number in ``text`` (« 1,5 », « 1.5 », « 1 000 € », « 2 h 30 »), or NumberError."""
    raw = (text or "").strip()
    if len(raw) > MAX_CHARS:
        if SPACES.sub("", raw).lstrip("+-").isdigit():
            raise NumberError(TOO_BIG_MESSAGE)
        raise NumberError("Ce nombre est trop long : vérifiez ce que vous avez saisi.")
    compact = SPACES.sub("", raw)
    clock = HOURS_MINUTES.match(compact)
    if clock and not integer:
        hours, minutes = int(clock.group(1)), int(clock.group(2))
        if minutes >= 60:
            raise NumberError("Les minutes vont de 0 à 59 : écrivez par exemple « 1 h 30 ».")
        return Decimal(hours) + Decimal(minutes) / 60
    unit = UNIT.search(compact)
    digits = compact[: unit.start()] if unit else compact
    match = NUMBER.match(digits)
    if not match or not (match.group(2) or match.group(3)):
        example = "1 000" if integer else "1,5"
        raise NumberError(f"Saisissez un nombre, en chiffres (par exemple {example}).")
    sign, whole, fraction = match.groups()
    if integer and fraction is not None:
        # « 1.000 » could mean one or a thousand: ask rather than guess.
        if len(fraction) == 3 or fraction.strip("0"):
            raise NumberError(
                "Saisissez un nombre entier, sans virgule ni point (par exemple 1 000)."
            )
        fraction = None
    try:
        return Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise NumberError("Saisissez un nombre, en chiffres.") from None


def plain(value: Decimal) -> int | float:
    """The number as stored in answers: an int when whole (1.0 → 1), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)
