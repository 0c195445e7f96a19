"""What the law or a profession's code imposes on the business's communication.

Data in content/regulations.yaml. An entry applies when its answers hold; then its channel
effects apply too (an excluded channel becomes `avoid`, with the legal reason). For answers
given before the `regulated` question existed, an entry whose `suggest_when` holds is only
shown as a suggestion to check: no channel effect, since the law was not established.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from readiness import conditions
from readiness.content import Strict
from readiness.rules.compiled import Answers, Predicate
from readiness.rules.predicates import compile_condition
from readiness.rules.schema import RULE_ID, Condition, Text

# The answer that says which rules apply; when absent (older diagnostics) only suggestions.
REGULATED = "regulated"


class ChannelEffect(Strict):
    effect: Literal["avoid", "discourage"]
    reason: Text


class Regulation(Strict):
    id: str = Field(pattern=RULE_ID)
    when: Condition
    suggest_when: Condition | None = None
    title: Text
    text: Text
    limits: tuple[Text, ...] = ()
    mentions: tuple[Text, ...] = ()
    check: Text | None = None
    channels: dict[str, ChannelEffect] = {}
    references: tuple[Text, ...] = Field(min_length=1)


class RegulationsFile(Strict):
    as_of: Text
    suggestion_note: Text
    regulations: tuple[Regulation, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class CompiledRegulation:
    id: str
    applies: Predicate
    suggested: Predicate | None
    shown: Mapping[str, Any]  # the JSON-ready part of the entry
    channels: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Regulations:
    as_of: str
    suggestion_note: str
    entries: tuple[CompiledRegulation, ...]


def problems(
    data: RegulationsFile, questions: Mapping[str, Any], channel_ids: set[str]
) -> Iterator[str]:
    """Unknown questions, options or channels, and duplicate ids, for the loader."""
    seen: set[str] = set()
    if REGULATED not in questions:
        yield f"the regulations need a question {REGULATED!r}"
    for entry in data.regulations:
        where = f"regulation {entry.id!r}"
        if entry.id in seen:
            yield f"{where}: duplicate id"
        seen.add(entry.id)
        for name, condition in (("when", entry.when), ("suggest_when", entry.suggest_when)):
            if condition is not None:
                for problem in conditions.problems(condition, questions):
                    yield f"{where}, {name}: {problem}"
        for channel in entry.channels:
            if channel not in channel_ids:
                yield f"{where}: unknown channel {channel!r}"


def compile_file(data: RegulationsFile) -> Regulations:
    return Regulations(
        as_of=data.as_of,
        suggestion_note=data.suggestion_note,
        entries=tuple(
            CompiledRegulation(
                id=e.id,
                applies=compile_condition(e.when),
                suggested=None if e.suggest_when is None else compile_condition(e.suggest_when),
                shown={
                    "id": e.id,
                    "title": e.title,
                    "text": e.text,
                    "limits": list(e.limits),
                    "mentions": list(e.mentions),
                    "check": e.check,
                    "references": list(e.references),
                    "as_of": data.as_of,
                },
                channels={c: e.model_dump() for c, e in e.channels.items()},
            )
            for e in data.regulations
        ),
    )


def applicable(regulations: Regulations, answers: Answers) -> list[dict[str, Any]]:
    """The entries for these answers, each with `suggested` (True: to check, not applied)."""
    legacy = answers.get(REGULATED) is None
    found = []
    for entry in regulations.entries:
        if entry.applies(answers):
            suggested = False
        elif legacy and entry.suggested is not None and entry.suggested(answers):
            suggested = True
        else:
            continue
        found.append(
            {
                **entry.shown,
                "limits": list(entry.shown["limits"]),
                "mentions": list(entry.shown["mentions"]),
                "references": list(entry.shown["references"]),
                "suggested": suggested,
                "note": regulations.suggestion_note if suggested else None,
                "channels": [
                    {"channel": c, **effect}
                    for c, effect in entry.channels.items()
                    if not suggested
                ],
            }
        )
    return found


def restrict_channels(ranked: list[dict[str, Any]], found: list[dict[str, Any]]) -> list[str]:
    """Apply the channel effects of the applied entries; returns the ids of those that acted.

    ``ranked`` is changed in place: an excluded channel becomes `avoid` with the legal
    reason only; a discouraged primary channel becomes secondary, the legal reason first.
    """
    by_channel = {c["channel"]: c for c in ranked}
    acted = []
    for entry in found:
        for effect in entry["channels"]:
            channel = by_channel.get(effect["channel"])
            if channel is None:
                continue
            if effect["effect"] == "avoid":
                # The law's reason alone: the reasons for the channel no longer matter.
                channel["role"], channel["reasons"] = "avoid", [effect["reason"]]
            else:
                if channel["role"] == "primary":
                    channel["role"] = "secondary"
                channel["reasons"] = [effect["reason"], *channel["reasons"]]
            channel["regulation"] = entry["id"]
            acted.append(entry["id"])
    order = {"primary": 0, "secondary": 1, "avoid": 2}
    ranked.sort(key=lambda c: order[c["role"]])
    return acted
