"""The radar chart of the five scores, as inline SVG made on the server."""

import math

from markupsafe import Markup, escape

DIMENSIONS = (
    ("interest", "Intérêt"),
    ("readiness", "Préparation"),
    ("philosophy", "Philosophie"),
    ("resources", "Ressources"),
    ("channels", "Canaux"),
)
WIDTH, HEIGHT = 480, 330
CX, CY = WIDTH / 2, 170
RADIUS = 120


def _point(index: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / len(DIMENSIONS)
    r = RADIUS * value / 100
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _polygon(scores: dict, **attrs: str) -> str:
    points = " ".join(
        f"{x:.1f},{y:.1f}"
        for x, y in (_point(i, scores.get(d, 0)) for i, (d, _) in enumerate(DIMENSIONS))
    )
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<polygon points="{points}" {extra}/>'


def radar_svg(scores: dict, previous: dict | None = None, title: str = "Vos scores") -> Markup:
    """A pentagon radar; the previous diagnostic, when given, is drawn dashed."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="radar-title" class="radar">',
        f'<title id="radar-title">{escape(title)}</title>',
    ]
    for ring in (25, 50, 75, 100):
        parts.append(_polygon({d: ring for d, _ in DIMENSIONS}, fill="none", stroke="#b5b5b5"))
    for i, (dimension, label) in enumerate(DIMENSIONS):
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
                previous, fill="none", stroke="#1a1a1a", stroke_width="2", stroke_dasharray="6 4"
            )
        )
    parts.append(
        _polygon(scores, fill="#1d4e89", fill_opacity="0.25", stroke="#1d4e89", stroke_width="3")
    )
    for i, (dimension, _) in enumerate(DIMENSIONS):
        x, y = _point(i, scores.get(dimension, 0))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1a1a1a"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
