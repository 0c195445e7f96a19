"""The printable action plan: report → print template → PDF bytes, rendered once.

Rendering itself (static files only, forked child, deadline) lives in ``pdf_render``; each
diagnostic's PDF is kept in the database under a key of its answers, rules, branding and
the print templates.
"""

import hashlib
import re
import unicodedata
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from flask import current_app, has_app_context
from markupsafe import Markup

from readiness import pdf_cache
from readiness.content import load_report_texts
from readiness.extensions import db
from readiness.formatting import (
    MONTHS,
    fr_action_time,
    fr_date,
    fr_euros,
    fr_hours,
    fr_number,
    fr_source,
    french_spacing,
    local_date,
)
from readiness.pdf_render import (  # noqa: F401  (re-exported for callers of pdf)
    DEFAULT_TIMEOUT,
    LAST_PAGE_MIN_FILL,
    PdfRenderError,
    PdfTimeout,
    StaticOnlyFetcher,
    html_to_pdf,
    last_page_fill,
    layout,
    write_pdf,
)
from readiness.routine import routine_rows
from readiness.schedule import delegable_actions, starter_schedule

ROOT = Path(__file__).resolve().parent.parent
PRINT_TEMPLATES = ROOT / "templates" / "print"
STATIC_DIR = ROOT / "static"


def _print_files_digest() -> str:
    """Changes whenever a print template or the print stylesheet changes (cache key part)."""
    files = sorted(PRINT_TEMPLATES.glob("*.html")) + [STATIC_DIR / "print.css"]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]


TEMPLATE_VERSION = _print_files_digest()
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.")
SHORT_MONTHS += ("oct.", "nov.", "déc.")


def plan_pdf(report: dict[str, Any]) -> bytes:
    """The plan's PDF, from the database cache when this version was already rendered.

    A new render holds no database connection while WeasyPrint works; if the cache
    cannot be stored afterwards, the PDF is returned anyway.
    """
    key = cache_key(report)
    if key is None or not has_app_context():
        return render_plan(report)
    document = pdf_cache.load(report["token"], key)
    if document is not None:
        return document
    db.session.close()  # back to the pool: no connection sits idle in a transaction
    document = render_plan(report)
    try:
        pdf_cache.store(report["token"], key, document, internal=bool(report.get("internal")))
    except Exception as error:  # no traceback: its SQL parameters would name the diagnostic
        current_app.logger.warning("PDF rendered but not cached: %s", type(error).__name__)
        db.session.rollback()
    return document


def cache_key(report: dict[str, Any]) -> str | None:
    """64 hex digits: what the plan says (answers, branding, notes, templates), then, when
    the report has one, the community figures (32 + 32: ``STABLE_PART`` digits stay equal
    while only the community figures change)."""
    if not report.get("cache_key") or not report.get("token"):
        return None
    key = hashlib.sha256(f"{report['cache_key']}|{TEMPLATE_VERSION}".encode()).hexdigest()
    if report.get("community_key"):
        return key[:STABLE_PART] + report["community_key"][: 64 - STABLE_PART]
    return key


STABLE_PART = 32


def render_plan(report: dict[str, Any]) -> bytes:
    """Render the plan's PDF now (no cache), within the time limit."""
    timeout = _setting("PDF_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    html = plan_html(report)
    # The tighter variant is used only if it saves an almost empty page; it differs by the
    # body's class alone, so it is not rendered by Jinja a second time.
    tighter = html.replace("<body>", '<body class="tight">', 1)
    return html_to_pdf(html, _static_folder(), timeout, tighter_html=tighter)


def plan_filename(report: dict[str, Any]) -> str:
    """plan-action-<company-slug>-<YYYY-MM-DD>[-copie-interne].pdf"""
    ascii_name = unicodedata.normalize("NFKD", report["company_name"]).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")[:60].strip("-")
    suffix = "-copie-interne" if report.get("internal") else ""
    day = local_date(report["date"]).isoformat()
    return f"plan-action-{slug or 'entreprise'}-{day}{suffix}.pdf"


def plan_html(report: dict[str, Any], tight: bool = False) -> str:
    """The print template filled with the report (every text autoescaped), compacted;
    ``tight``: smaller type and spacing (``body.tight`` in print.css)."""
    context = plan_context(report) | {"tight": tight}
    return compact_html(_environment().get_template("plan.html").render(context))


_INDENTATION = re.compile(r">\s*\n\s*<")
_BLOCK = r"</?(?:p|div|section|table|caption|colgroup|col|thead|tbody|tr|td|th|ul|ol|li|h[1-6])\b"
_BETWEEN_BLOCKS = re.compile(rf"({_BLOCK}[^>]*>)\s+(?={_BLOCK})")


def compact_html(html: str) -> str:
    """Less for WeasyPrint to read and lay out, the same page: the templates' line breaks
    and indentation between tags become one space (what the browser makes of them anyway),
    none at all between two block or table tags (~2 % of a render), and the no-break spaces
    the characters themselves. Typed text is escaped, so it holds none of these."""
    html = _BETWEEN_BLOCKS.sub(r"\1", _INDENTATION.sub("> <", html))
    return html.replace("&nbsp;", "\u00a0").replace("&#8239;", "\u202f")


# --- the template's data: plain values, computed here rather than in Jinja --------------


def plan_context(report: dict[str, Any]) -> dict[str, Any]:
    result = report["result"]
    texts = _texts()
    sources = _Sources()
    day = local_date(report["date"])
    declared = result["plan_load"]["declared_hours_per_week"]
    # Actions marked done since the previous meeting are not scheduled again.
    done = set((report.get("since") or {}).get("done_ids", []))
    actions = [
        dict(a, refs=sources.cite(a.get("evidence", [])), done=a["id"] in done)
        for a in result["actions"]
    ]
    misconceptions = [
        dict(m, refs=sources.cite(m.get("evidence", []))) for m in result["misconceptions"]
    ]
    principles = [
        dict(p, refs=sources.cite(p.get("evidence", []))) for p in result.get("principles", [])
    ]
    soon = [a for a in actions if a["horizon"] in result["plan_load"]["horizons"] and not a["done"]]
    to_do = dict(result, actions=[a for a in result["actions"] if a["id"] not in done])
    weeks = starter_schedule(to_do, declared, _next_monday(day))
    internal = bool(report.get("internal"))
    return {
        "report": report,
        "internal": internal,
        # Belt and braces: the client's copy prints no note even if a report carried some.
        "notes": report.get("notes", []) if internal else [],
        "result": result,
        "company": report["company_name"],
        "date_text": fr_date(day),
        "consultant": _consultant(report.get("consultant")),
        "verdicts": _verdict_scale(result["verdict"], result["verdict_label"]),
        "scores": [
            {"id": d, "label": texts.dimensions[d], "value": result["scores"][d]}
            for d in texts.dimensions
        ],
        "radar_svg": Markup(report.get("radar_svg") or ""),
        "horizons": [
            {"id": h, "label": label, "actions": [a for a in actions if a["horizon"] == h]}
            for h, label in texts.horizons.items()
        ],
        "horizon_labels": texts.horizons,
        "roles": texts.roles,
        "misconceptions": misconceptions,
        "principles": principles,
        "soon_count": len(soon),
        "declared_hours": declared,
        "declared_eur": result["plan_load"]["declared_eur_per_month"],
        "weeks_scheduled": weeks,
        "week_rows": routine_rows(weeks),
        "delegable": delegable_actions(result),
        "kpis": _kpis(soon)[:KPI_ROWS],
        "wall": _wall(report, result, soon, day),
        "progress": _progress(report.get("previous"), result["scores"], texts.dimensions),
        "previous_date": _previous_date(report.get("previous")),
        "since": report.get("since"),
        "meeting_text": fr_date(report["meeting_on"]) if report.get("meeting_on") else None,
        "sources": sources.items,
        "source_columns": two_columns(sources.items, _source_weight),
        "answer_columns": two_columns(report["answers"], _step_weight),
        "regulation_columns": two_columns(result.get("regulations") or [], _regulation_weight),
        "age_warning": _age_warning(sources.items, day.year),
    }


def _age_warning(sources: list[dict[str, Any]], this_year: int) -> str | None:
    """The rules' warning when the oldest dated study cited is about ten years old."""
    years = [s["year"] for s in sources if s.get("year")]
    if not years:
        return None
    content = _content()
    warning = content.rules.age_warning if content is not None else _rules().age_warning
    oldest = min(years)
    return warning["text"].format(oldest=oldest) if this_year - oldest >= warning["years"] else None


def two_columns(items: list, weight) -> tuple[list, list]:
    """Items split in two balanced halves, in order: two table cells lay out much faster
    than CSS columns in WeasyPrint."""
    total, running = sum(weight(i) for i in items), 0.0
    for index, item in enumerate(items):
        if running + weight(item) / 2 > total / 2:
            return items[:index], items[index:]
        running += weight(item)
    return items, []


def _source_weight(source: dict[str, Any]) -> float:
    """About the lines a source takes in a column."""
    return 1 + (len(source.get("text", "")) + len(str(source.get("source", "")))) / 60


def _regulation_weight(rule: dict[str, Any]) -> float:
    texts = [rule.get("text", ""), *rule.get("limits", []), *rule.get("mentions", [])]
    return 3 + sum(len(t) for t in texts) / 50


def _step_weight(step: dict[str, Any]) -> float:
    """About the lines a step's answers take in a column."""
    return 2 + sum(1 + (len(i["label"]) + len(str(i["value"]))) // 70 for i in step["items"])


class _Sources:
    """Evidence numbered in order of first citation, for the references and the appendix."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._numbers: dict[str, int] = {}

    def cite(self, evidence: list[dict[str, Any]]) -> list[int]:
        refs = []
        for item in evidence:
            key = item.get("id") or item.get("text", "")
            if key not in self._numbers:
                self.items.append(dict(item, number=len(self.items) + 1))
                self._numbers[key] = len(self.items)
            refs.append(self._numbers[key])
        return refs


def _kpis(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    kpis = []
    for action in actions:
        if action.get("kpi") and action["kpi"] not in seen:
            seen.add(action["kpi"])
            kpis.append({"kpi": action["kpi"], "action": action["title"]})
    return kpis


KPI_ROWS = 10  # the indicators of the first actions: a grid a business will actually fill in
WALL_ACTIONS = 3
WALL_KPIS = 3
REASSESS_AFTER = timedelta(weeks=13)  # the 90 days of the schedule


def _wall(report, result, soon, day: date) -> dict[str, Any]:
    """The page to pin on the wall: this week's three actions, the rhythm, three indicators."""
    next_meeting = report.get("next_meeting")
    cadence = result.get("cadence") or {}
    posts = cadence.get("posts_per_week") or 0
    # « sur … » names where the posts go: networks (no article), never the Google profile.
    labels = {c["channel"]: c["label"] for c in result["channels"]}
    posted_on = [labels[c] for c in cadence.get("channels", []) if c in labels]
    return {
        "actions": [{"title": a["title"], "time": fr_action_time(a)} for a in soon[:WALL_ACTIONS]],
        "posts": posts,
        "channels": posted_on if posts else [],
        "kpis": [k["kpi"] for k in _kpis(soon)[:WALL_KPIS]],
        "next_meeting": fr_date(next_meeting) if next_meeting else None,
        "reassess": fr_date(day + REASSESS_AFTER),
    }


def _progress(previous, scores, labels) -> list[dict[str, Any]]:
    if not previous:
        return []
    rows = []
    for dimension, label in labels.items():
        before = previous.get("scores", {}).get(dimension)
        if before is not None:
            rows.append(
                {
                    "label": label,
                    "before": before,
                    "now": scores[dimension],
                    "delta": scores[dimension] - before,
                }
            )
    return rows


def _previous_date(previous) -> str | None:
    return fr_date(local_date(previous["date"])) if previous and previous.get("date") else None


def _consultant(consultant: dict[str, Any] | None) -> dict[str, Any] | None:
    if not consultant:
        return None
    logo = consultant.get("logo_data_uri") or ""
    # Only an inline raster image: never a link the renderer would have to follow.
    ok = re.fullmatch(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+", logo)
    return dict(consultant, logo_data_uri=logo if ok else None)


def _verdict_scale(verdict: str, label: str) -> list[dict[str, Any]]:
    rules = getattr(_content(), "rules", None)
    if rules is None:
        return [{"id": verdict, "label": label, "current": True}]
    return [
        {"id": v, "label": rules.verdict_labels[v], "current": v == verdict}
        for v in rules.verdict_order
    ]


def _texts():
    content = _content()
    return content.texts if content is not None else _report_texts()


@cache
def _rules():
    from readiness.content import load_questionnaire
    from readiness.rules import load_rules

    return load_rules(load_questionnaire())


@cache
def _report_texts():
    return load_report_texts()


def _content():
    return current_app.extensions.get("readiness") if has_app_context() else None


def _setting(name: str, default: Any) -> Any:
    return current_app.config.get(name, default) if has_app_context() else default


def _static_folder() -> str:
    if has_app_context() and current_app.static_folder:
        return current_app.static_folder
    return str(STATIC_DIR)


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


# --- Jinja environment of the print templates ------------------------------------------


def short_date(day: date) -> str:
    return f"{day.day}\u00a0{SHORT_MONTHS[day.month - 1]}"


def refs(numbers: list[int]) -> str:
    """[3, 4]: source numbers, never broken across lines."""
    return "[" + ",\u00a0".join(map(str, numbers)) + "]"


def signed(value: int) -> str:
    """+12, −5 (a real minus sign), or = for no change."""
    return "=" if value == 0 else (f"+{value}" if value > 0 else f"\u2212{-value}")


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PRINT_TEMPLATES),
        autoescape=True,  # answers and notes are typed by people: markup shows as text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        fr_number=fr_number,
        fr_euros=fr_euros,
        fr_date=fr_date,
        french_spacing=french_spacing,
        duration=fr_hours,
        fr_source=fr_source,
        fr_action_time=fr_action_time,
        short_date=short_date,
        signed=signed,
        refs=refs,
    )
    env.globals["MONTHS"] = MONTHS
    return env
