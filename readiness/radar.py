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


def _outline(scores: dict, ids: list[str]) -> str:
    """A closed subpath through the five dimensions' points (for a path's d attribute)."""
    points = (_point(i, scores.get(d, 0)) for i, d in enumerate(ids))
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z"


def radar_svg(scores: dict, previous: dict | None = None, title: str = "Vos scores") -> Markup:
    """A pentagon radar; the previous diagnostic, when given, is drawn dashed.

    Few elements (one path for the rings, one for the axes, one for the dots): the PDF
    renderer's cost is per element."""
    axes = dimensions()
    ids = [d for d, _ in axes]
    rings = " ".join(_outline({d: ring for d in ids}, ids) for ring in (25, 50, 75, 100))
    spokes = " ".join(f"M{CX},{CY} L{x:.1f},{y:.1f}" for x, y in (_point(i, 100) for i in range(5)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="radar-title" class="radar">',
        f'<title id="radar-title">{escape(title)}</title>',
        f'<path d="{rings} {spokes}" fill="none" stroke="#b5b5b5"/>',
    ]
    for i, (dimension, label) in enumerate(axes):
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
            f'<path d="{_outline(previous, ids)}" fill="none" stroke="#1a1a1a" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    parts.append(
        f'<path d="{_outline(scores, ids)}" fill="#1d4e89" fill-opacity="0.25" '
        'stroke="#1d4e89" stroke-width="3"/>'
    )
    dots = " ".join(
        f"M{x - 4:.1f},{y:.1f} a4,4 0 1,0 8,0 a4,4 0 1,0 -8,0"
        for x, y in (_point(i, scores.get(d, 0)) for i, d in enumerate(ids))
    )
    parts.append(f'<path d="{dots}" fill="#1a1a1a"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
