"""French typography for numbers and dates, as Jinja filters."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from readiness.radar import radar_svg

PARIS = ZoneInfo("Europe/Paris")  # the day shown anywhere is the day in France
NNBSP = "\u202f"  # narrow no-break space: thousands separator and before « : ; ! ? »
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_spacing(text: str) -> str:
    """No-break spaces before ? ! ; : and inside « », so they never start a line."""
    text = re.sub(r"\s+([?!;])", NNBSP + r"\1", text)
    text = re.sub(r"\s+:(\s|$)", "\u00a0:" + r"\1", text)
    return re.sub(r"«\s*", "«\u00a0", re.sub(r"\s*»", "\u00a0»", text))


APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
FIRST_OF_MONTH = re.compile(r"\b1 (?=(?:" + "|".join(MONTHS) + r")\b)")


def typeset(text: str) -> str:
    """French typography for texts people read: ’ for ', « 1er » for a month's first, spacing."""
    text = FIRST_OF_MONTH.sub("1er ", APOSTROPHE.sub("\u2019", text))
    return french_spacing(text)


def fr_number(value: float | int, decimals: int = 0) -> str:
    """2000 → '2 000', 1.5 → '1,5' (French grouping and decimal comma)."""
    if value is None:
        return ""
    if decimals == 0 or float(value).is_integer():
        text = f"{round(value):,}"
    else:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", NNBSP).replace(".", ",")


def fr_euros(value: float | int) -> str:
    return f"{fr_number(value)}\u00a0€"


def fr_hours(value: float | int | None) -> str:
    """Hours as a person says them: 0.25 → '15 min', 1.5 → '1 h 30', 2 → '2 h'."""
    minutes = round((value or 0) * 60)
    if minutes == 0:
        return "0\u00a0h"
    if minutes < 60:
        return f"{minutes}\u00a0min"
    whole, rest = divmod(minutes, 60)
    return f"{whole}\u00a0h\u00a0{rest:02d}" if rest else f"{whole}\u00a0h"


def fr_source(evidence: dict) -> str:
    """Who says it, when and about whom: « Adobe, étude de 2013, Europe »."""
    parts = [evidence.get("source") or ""]
    if evidence.get("kind") == "study":
        year = evidence.get("year")
        parts.append(f"étude de {year}" if year else "étude non datée")
    elif evidence.get("year"):
        parts.append(str(evidence["year"]))
    if evidence.get("geography"):
        parts.append(evidence["geography"])
    return ", ".join(p for p in parts if p)


def fr_action_time(action: dict) -> str:
    """« 1 h 30, une seule fois », « 15 min par semaine » or « sans temps en plus »."""
    if action.get("hours_once"):
        return f"{fr_hours(action['hours_once'])}, une seule fois"
    if action.get("hours_per_week"):
        return f"{fr_hours(action['hours_per_week'])} par semaine"
    return "sans temps en plus"


def local_date(moment: datetime | date) -> date:
    """The day in France of a stored moment (naive values are UTC, as SQLite returns them)."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).date()


def fr_date(value: datetime | date) -> str:
    """22 novembre 2026, the day in France."""
    value = local_date(value)
    day = "1er" if value.day == 1 else value.day
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def register(app: Flask) -> None:
    app.add_template_filter(fr_number)
    app.add_template_filter(fr_euros)
    app.add_template_filter(fr_hours)
    app.add_template_filter(fr_date)
    app.add_template_filter(fr_source)
    app.add_template_filter(fr_action_time)
    app.add_template_global(radar_svg)
