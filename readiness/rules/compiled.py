"""The rules once loaded: plain, precomputed structures the evaluator reads quickly."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]
Predicate = Callable[[Answers], bool]


@dataclass(frozen=True, slots=True)
class ScoreItem:
    question: str
    kind: str  # "single", "multiple" or "integer"
    table: Mapping[str, int]  # option -> points (choice questions)
    band_mins: tuple[int, ...]  # lower bounds, ascending (integer questions)
    band_points: tuple[int, ...]
    cap: int | None
    absent: int
    low: int  # lowest and highest points this item can give
    high: int


@dataclass(frozen=True, slots=True)
class DimensionScale:
    id: str
    items: tuple[ScoreItem, ...]
    low: int  # lowest and highest total reachable, mapped to 0 and 100
    high: int


@dataclass(frozen=True, slots=True)
class Blocker:
    id: str
    applies: Predicate
    cap: str
    message: str
    sentence: str


@dataclass(frozen=True, slots=True)
class ChannelRule:
    fired_id: str  # "channel.rule"
    applies: Predicate
    points: int
    reason: str


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    label: str
    in_sentence: str
    base: int
    posts: bool
    why_not: str | None
    rules: tuple[ChannelRule, ...]


@dataclass(frozen=True, slots=True)
class ChannelRules:
    channels: tuple[Channel, ...]
    primary_min: int
    avoid_below: int
    max_by_headcount: Mapping[str, int]
    max_secondary: Mapping[str, int]
    avoid_reasons: Mapping[str, str]
    hours_mins: tuple[int, ...]
    max_by_hours: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Boost:
    applies: Predicate
    priority: int
    horizon: str | None


@dataclass(frozen=True, slots=True)
class Variant:
    applies: Predicate
    texts: Mapping[str, str]  # title / why / kpi replacing the action's own


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    priority: int
    horizon: str
    title: str
    why: str
    minutes: int  # per week; whole minutes keep the budget sums exact
    once_minutes: int  # one-off work, charged once
    eur: int
    kpi: str
    applies: Predicate
    true_leaves: Callable[[Answers], list[Mapping[str, Any]]]  # the answers to quote
    verdicts: frozenset[str]  # empty: any verdict
    evidence: tuple[Mapping[str, Any], ...]
    boosts: tuple[Boost, ...]
    variants: tuple[Variant, ...]
    principle: bool


@dataclass(frozen=True, slots=True)
class Publishing:
    id: str
    priority: int
    horizon: str
    active_priority: int
    title: str
    scope_one: str
    scope_several: str
    why: str
    kpi: str
    evidence: tuple[Mapping[str, Any], ...]
    minutes: int  # per post
    reserve_posts: int  # taken at its priority; more posts take what is left at the end
    max_posts: int
    max_by_verdict: Mapping[str, int]
    reasons: Mapping[str, str]
    busy_cap: "Blocker"


@dataclass(frozen=True, slots=True)
class Misconception:
    id: str
    applies: Predicate
    belief: str
    correction: str
    evidence: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class QuestionText:
    label: str
    options: Mapping[str, str]
    unit: str | None


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything ``evaluate`` needs, validated against the questionnaire."""

    version: str
    verdict_order: tuple[str, ...]  # best first
    verdict_labels: Mapping[str, str]
    verdict_sentences: Mapping[str, str]
    weakest_sentences: Mapping[str, Mapping[str, str]]
    thresholds: tuple[tuple[str, int, int], ...]  # (verdict, min_overall, min_each)
    weights: Mapping[str, int]
    dimensions: tuple[DimensionScale, ...]
    channel_score_top: int
    blockers: tuple[Blocker, ...]
    channels: ChannelRules
    actions: tuple[Action, ...]  # by priority
    weeks: int  # the weeks `now` + `quarter` cover
    publishing: Publishing
    advice: Mapping[str, str]
    misconceptions: tuple[Misconception, ...]
    evidence: Mapping[str, Mapping[str, Any]]
    audiences: Mapping[str, Predicate]  # b2c / b2b / local: who each audience is
    age_warning: Mapping[str, Any]
    questions: Mapping[str, QuestionText]
    # Set by the loader from three_questions.yaml and regulations.yaml.
    three_questions: Any = None
    regulations: Any = None
