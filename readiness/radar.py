"""The radar chart of the five scores, as inline SVG made on the server."""

import math
from functools import cache

from markupsafe import Markup, escape

WIDTH, HEIGHT = 480, 330
CX, CY = WIDTH / 2, 170
RADIUS = 120


def dimensions() -> list[tuple[str, str]]:
    """(id, label) of the five dimensions: ids from the rules, labels from report.yaml."""
    from flask import current_app, has_app_context

    from readiness.rules.schema import DIMENSIONS

    content = current_app.extensions.get("readiness") if has_app_context() else None
    labels = content.texts.dimensions if content is not None else _report_labels()
    return [(d, labels[d]) for d in DIMENSIONS]


@cache
def _report_labels() -> dict[str, str]:
    from readiness.content import load_report_texts

    return dict(load_report_texts().dimensions)


def _point(index: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / 5  # a pentagon: the five dimensions
    r = RADIUS * value / 100
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _polygon(scores: dict, ids: list[str], **attrs: str) -> str:
    points = " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (_point(i, scores.get(d, 0)) for i, d in enumerate(ids))
    )
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<polygon points="{points}" {extra}/>'


def radar_svg(scores: dict, previous: dict | None = None, title: str = "Vos scores") -> Markup:
    """A pentagon radar; the previous diagnostic, when given, is drawn dashed."""
    axes = dimensions()
    ids = [d for d, _ in axes]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="radar-title" class="radar">',
        f'<title id="radar-title">{escape(title)}</title>',
    ]
    for ring in (25, 50, 75, 100):
        parts.append(_polygon({d: ring for d in ids}, ids, fill="none", stroke="#b5b5b5"))
    for i, (dimension, label) in enumerate(axes):
        x, y = _point(i, 100)
        parts.append(f'<line x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}" stroke="#b5b5b5"/>')
        lx, ly = _point(i, 112)
        anchor = "middle" if abs(lx - CX) < 5 else ("start" if lx > CX else "end")
        score = int(scores.get(dimension, 0))
        ly += 12 if ly > CY else (-2 if i == 0 else 4)  # keep labels clear of the outer ring
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="15" '
            f'fill="#1a1a1a">{escape(label)} {score}</text>'
        )
    if previous:
        parts.append(
            _polygon(
                previous,
                ids,
                fill="none",
                stroke="#1a1a1a",
                stroke_width="2",
                stroke_dasharray="6 4",
            )
        )
    parts.append(
        _polygon(
            scores, ids, fill="#1d4e89", fill_opacity="0.25", stroke="#1d4e89", stroke_width="3"
        )
    )
    for i, dimension in enumerate(ids):
        x, y = _point(i, scores.get(dimension, 0))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1a1a1a"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
