"""« Où en sont les entreprises comme la vôtre ? » — published figures set against the answers.

``load_peers`` reads and cross-checks content/peers.yaml; ``published`` is pure (answers in,
plain data out), so the same answers always give the same published comparison. The
community comparison, which depends on this instance's data, lives in ``community``.
"""

import re
import string
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from readiness import conditions
from readiness.content import CONTENT_DIR, ContentError, Questionnaire, _describe, read_yaml
from readiness.formatting import fr_euros

PLACEHOLDERS = {"networks", "budget"}
SELECTORS = {"sizes": "headcount", "sectors": "sector"}
GROUP_PLACEHOLDERS = {"sector_size": {"sector", "headcount"}, "sector": {"sector"}, "all": set()}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=1)
    figure: str = Field(min_length=1)
    source: str = Field(min_length=1)
    short: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    scope: str = Field(min_length=1)
    sizes: Literal["all"] | tuple[str, ...]
    sectors: Literal["all"] | tuple[str, ...]
    url: str = Field(pattern=r"^https://")
    read: str = Field(min_length=1)

    def applies(self, answers: dict[str, Any]) -> bool:
        return (self.sizes == "all" or answers.get("headcount") in self.sizes) and (
            self.sectors == "all" or answers.get("sector") in self.sectors
        )


class SectorMapping(Strict):
    category: str
    figure: bool


class SizeMapping(Strict):
    category: str


class Variant(Strict):
    when: dict[str, Any]
    text: str


class Comparison(Strict):
    id: str
    reference: str
    variants: tuple[Variant, ...] = Field(min_length=1)


class GridCell(Strict):
    label: str
    text: str


class Grid(Strict):
    reference: str
    networks: tuple[str, ...] = Field(min_length=1)
    active_min_hours: float = Field(gt=0)
    approximation: str
    cells: dict[Literal["absent", "present_quiet", "present_active"], GridCell]

    @model_validator(mode="after")
    def _all_cells(self) -> "Grid":
        if len(self.cells) != 3:
            raise ValueError("cells: absent, present_quiet and present_active are all needed")
        return self


class Community(Strict):
    min_group: int = Field(ge=2)
    groups: dict[Literal["sector_size", "sector", "all"], str]


class PeersContent(Strict):
    references: tuple[Reference, ...] = Field(min_length=1)
    sectors: dict[str, SectorMapping]
    sizes: dict[str, SizeMapping]
    no_sector_figure: str
    comparisons: tuple[Comparison, ...]
    grid: Grid
    community: Community

    def reference(self, ref_id: str) -> Reference:
        return next(r for r in self.references if r.id == ref_id)

    def problems(self, q: Questionnaire) -> list[str]:
        """Cross-checks against the questionnaire: ids, options, conditions, placeholders."""
        ids = [r.id for r in self.references]
        found = ["references: duplicate id"] if len(set(ids)) != len(ids) else []
        options = {name: q.questions[qid].option_values for name, qid in SELECTORS.items()}
        for r in self.references:
            for name, values in (("sizes", r.sizes), ("sectors", r.sectors)):
                unknown = [] if values == "all" else set(values) - set(options[name])
                found += [f"reference {r.id!r}: unknown {name} {v!r}" for v in sorted(unknown)]
        for name, mapping in (("sectors", self.sectors), ("sizes", self.sizes)):
            found += [f"{name}: no mapping for {v!r}" for v in options[name] if v not in mapping]
        texts: list[tuple[str, str, set[str]]] = []
        for c in self.comparisons:
            if c.reference not in ids:
                found.append(f"comparison {c.id!r}: unknown reference {c.reference!r}")
            for v in c.variants:
                found += [
                    f"comparison {c.id!r}: {p}" for p in conditions.problems(v.when, q.questions)
                ]
                texts.append((f"comparison {c.id!r}", v.text, PLACEHOLDERS))
        if self.grid.reference not in ids:
            found.append(f"grid: unknown reference {self.grid.reference!r}")
        channels = q.questions["current_channels"].option_values
        found += [f"grid: unknown channel {c!r}" for c in self.grid.networks if c not in channels]
        texts += [
            (f"community {k}", t, GROUP_PLACEHOLDERS[k]) for k, t in self.community.groups.items()
        ]
        texts.append(("no_sector_figure", self.no_sector_figure, set()))
        for where, text, allowed in texts:
            found += [f"{where}: {p}" for p in _placeholder_problems(text, allowed)]
        return found


def _placeholder_problems(text: str, allowed: set[str]) -> list[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        return [f"bad placeholder in {text!r}: {error}"]
    return [f"unknown placeholder {{{n}}} in {text!r}" for n in sorted(names - allowed)]


def _percent_spacing(node: Any) -> Any:
    """'42 %' → '42\u202f%' so a figure never breaks before its sign."""
    if isinstance(node, str):
        return re.sub(r"(\d)\s%", "\\1\u202f%", node)
    if isinstance(node, list):
        return [_percent_spacing(item) for item in node]
    if isinstance(node, dict):
        return {key: _percent_spacing(value) for key, value in node.items()}
    return node


def load_peers(
    questionnaire: Questionnaire, path: Path = CONTENT_DIR / "peers.yaml"
) -> PeersContent:
    """Read, validate and cross-check the published references, or raise ContentError."""
    data = _percent_spacing(read_yaml(path))
    try:
        content = PeersContent.model_validate(data)
    except ValidationError as error:
        raise ContentError(f"{path.name}: {_describe(error, data)}") from None
    found = content.problems(questionnaire)
    if found:
        raise ContentError(f"{path.name}: " + "; ".join(found))
    return content


def published(content: PeersContent, q: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """The figures that apply to this business and its answers set against them (pure)."""
    refs = [r for r in content.references if r.applies(answers)]
    values = {
        "networks": _networks(content, q, answers),
        "budget": fr_euros(answers.get("monthly_budget", 0)),
    }
    comparisons = []
    for c in content.comparisons:
        ref = content.reference(c.reference)
        variant = next((v for v in c.variants if conditions.evaluate(v.when, answers)), None)
        if ref.applies(answers) and variant is not None:
            text = variant.text.format_map(values)
            comparisons.append({"id": c.id, "text": text, "cite": _cite(ref), "reference": ref.id})
    sector = content.sectors.get(answers.get("sector"))
    size = content.sizes.get(answers.get("headcount"))
    return {
        "published": [
            {
                "id": r.id,
                "text": r.text,
                "figure": r.figure,
                "source": r.source,
                "year": r.year,
                "scope": r.scope,
                "url": r.url,
            }
            for r in refs
        ],
        "comparisons": comparisons,
        "grid": grid(content, answers),
        "categories": {
            "sector": None if sector is None else sector.model_dump(),
            "size": None if size is None else size.category,
        },
        "sector_note": None
        if sector is None or sector.figure
        else content.no_sector_figure.format(category=sector.category),
    }


def grid(content: PeersContent, answers: dict[str, Any]) -> dict[str, Any] | None:
    """Where the business stands in a presence × activity grid (an approximation)."""
    g = content.grid
    channels = answers.get("current_channels")
    if channels is None:
        return None
    present = any(c in g.networks for c in channels)
    active = (
        present
        and answers.get("who", "nobody") != "nobody"
        and answers.get("hours_per_week", 0) >= g.active_min_hours
    )
    cell = "present_active" if active else ("present_quiet" if present else "absent")
    return {
        "cell": cell,
        "cells": [{"id": k, "label": c.label, "current": k == cell} for k, c in g.cells.items()],
        "text": g.cells[cell].text,
        "approximation": g.approximation,
        "cite": _cite(content.reference(g.reference)),
    }


def _cite(ref: Reference) -> str:
    return f"{ref.short}, {ref.year}"


def _networks(content: PeersContent, q: Questionnaire, answers: dict[str, Any]) -> str:
    question = q.questions["current_channels"]
    chosen = [c for c in answers.get("current_channels", []) if c in content.grid.networks]
    labels = [question.option_label(c) for c in chosen]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " et " + labels[-1]
