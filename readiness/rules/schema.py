"""Pydantic models of the rule files; shape only, cross-checks live in the loader."""

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from readiness.content import Strict

# The result's ids (SPEC §4): their one home. Labels live in the content files
# (verdicts in scoring.yaml; horizons, roles, dimensions in report.yaml).
VERDICTS = ("go", "start_small", "prepare_first", "not_now")
DIMENSIONS = ("interest", "readiness", "philosophy", "resources", "channels")
SCORES = (*DIMENSIONS, "overall")  # the keys of `scores`
HORIZONS = ("now", "quarter", "year", "long_term")
ROLES = ("primary", "secondary", "avoid")
RULE_ID = r"^[a-z][a-z0-9_]*$"

Condition = dict[str, Any]
VerdictId = Literal[VERDICTS]
Dimension = Literal[DIMENSIONS]
Text = Annotated[str, Field(min_length=1)]


# --- evidence.yaml --------------------------------------------------------------------------
AUDIENCES = ("b2c", "b2b", "local")  # and "any", which applies to every business


class Evidence(Strict):
    id: str = Field(pattern=RULE_ID)
    kind: Literal["study", "article"]
    audience: Literal[(*AUDIENCES, "any")]
    geography: Text | None
    figure: str | None
    quote: Text | None = None  # verbatim words of the article where the figure stands
    text: Text
    source: Text
    year: int | None = Field(ge=1990, le=2100)
    article: str = Field(pattern=RULE_ID)

    @model_validator(mode="after")
    def _located(self) -> "Evidence":
        if (self.kind == "study" or self.figure) and not self.quote:
            raise ValueError("a study or a figure needs the quote where the article gives it")
        return self


class AgeWarning(Strict):
    years: int = Field(ge=1)
    text: Text


class EvidenceFile(Strict):
    articles: dict[str, str]
    audiences: dict[Literal[AUDIENCES], Condition]
    age_warning: AgeWarning
    evidence: tuple[Evidence, ...] = Field(min_length=1)


# --- scoring.yaml ---------------------------------------------------------------------------
class Band(Strict):
    min: int
    points: int


class PointsItem(Strict):
    q: str
    points: dict[str, int] | None = None
    bands: tuple[Band, ...] | None = None
    # Several-of questions: the sum of ticked options is capped at `max`.
    max: int | None = None
    # Points when the question did not apply (conditional question).
    absent: int | None = None

    @model_validator(mode="after")
    def _one_table(self) -> "PointsItem":
        if (self.points is None) == (self.bands is None):
            raise ValueError("give either points (per option) or bands (for a number)")
        return self


class DimensionItems(Strict):
    id: Literal[DIMENSIONS[:-1]]
    label: Text
    items: tuple[PointsItem, ...] = Field(min_length=1)


class Verdict(Strict):
    id: VerdictId
    label: Text
    sentence: Text
    weakest: dict[Dimension, str] = {}


class Threshold(Strict):
    verdict: VerdictId
    min_overall: int = Field(ge=0, le=100)
    min_each: int = Field(default=0, ge=0, le=100)


class Blocker(Strict):
    id: str = Field(pattern=RULE_ID)
    when: Condition
    cap: VerdictId
    message: Text
    sentence: Text


class ScoringFile(Strict):
    version: Text
    verdicts: tuple[Verdict, ...]
    thresholds: tuple[Threshold, ...] = Field(min_length=1)
    weights: dict[Dimension, int]
    channel_score_top: int = Field(ge=1)
    dimensions: tuple[DimensionItems, ...]
    blockers: tuple[Blocker, ...] = ()


# --- channels.yaml --------------------------------------------------------------------------
class ChannelRule(Strict):
    id: str = Field(pattern=RULE_ID)
    when: Condition
    points: int
    reason: Text


class Channel(Strict):
    id: str
    label: Text
    # How the channel reads after « sur » in a sentence, when not its label.
    in_sentence: str | None = None
    base: int = Field(ge=0, le=100)
    # Whether the publishing cadence applies (an e-mail letter has its own rhythm).
    posts: bool = True
    # Why not, when the channel is to avoid and none of its rules gave a reason against.
    why_not: Text | None = None
    rules: tuple[ChannelRule, ...] = ()


class HoursBand(Strict):
    min: int
    primary: int = Field(ge=0)


class MaxPrimary(Strict):
    headcount: dict[str, int]
    hours_per_week: tuple[HoursBand, ...] = Field(min_length=1)


class AvoidReasons(Strict):
    too_many: Text  # a fitting channel beyond the secondary channels a business can feed
    weak_fit: Text  # the fit is too low and no rule said why


class ChannelsFile(Strict):
    primary_min: int = Field(ge=0, le=100)
    avoid_below: int = Field(ge=0, le=100)
    max_primary: MaxPrimary
    max_secondary: dict[str, int]
    avoid_reasons: AvoidReasons
    channels: tuple[Channel, ...] = Field(min_length=1)


# --- actions.yaml ---------------------------------------------------------------------------
class Boost(Strict):
    """When ``when`` holds, the action takes this priority (and horizon): first match wins."""

    when: Condition
    priority: int
    horizon: Literal[HORIZONS] | None = None


class Variant(Strict):
    """Texts for the businesses ``when`` describes (e.g. a shop: « en caisse »)."""

    when: Condition
    title: Text | None = None
    why: Text | None = None
    kpi: Text | None = None


class Action(Strict):
    id: str = Field(pattern=RULE_ID)
    priority: int
    horizon: Literal[HORIZONS]
    title: Text
    why: Text
    # In quarters of an hour so that sums stay exact. Weekly work takes `hours_per_week`
    # every week; one-off work takes `hours_once` once, in the week it is done.
    hours_per_week: float = Field(default=0, ge=0, le=40, multiple_of=0.25)
    hours_once: float = Field(default=0, ge=0, le=40, multiple_of=0.25)
    eur_per_month: int = Field(ge=0)
    kpi: Text
    when: Condition  # what triggers the action; its answers are quoted in `because`
    requires: Condition | None = None  # a guard, checked but not quoted
    verdicts: tuple[VerdictId, ...] = ()
    evidence: tuple[str, ...] = Field(min_length=1)
    boosts: tuple[Boost, ...] = ()
    variants: tuple[Variant, ...] = ()
    # A rule to keep in mind ("never buy fans"), not a task: listed apart, costs nothing.
    principle: bool = False

    @model_validator(mode="after")
    def _one_kind_of_time(self) -> "Action":
        if self.hours_per_week and self.hours_once:
            raise ValueError("give hours_per_week (weekly work) or hours_once (one-off), not both")
        if self.principle and (self.hours_per_week or self.hours_once or self.eur_per_month):
            raise ValueError("a principle takes no time and no budget")
        return self


CADENCE_REASONS = (
    "no_time",
    "paused",
    "no_channel",
    "busy",
    "active",
    "verdict",
    "hours",
    "maximum",
)
CadenceReason = Literal[CADENCE_REASONS]


class BusyCap(Strict):
    """When preparation leaves no hour to publish, the verdict cannot say "go"."""

    cap: VerdictId
    message: Text
    sentence: Text


class Publishing(Strict):
    id: str = Field(pattern=RULE_ID)
    priority: int
    horizon: Literal["now", "quarter"]
    # An account the business already runs on a primary channel is never paused: publishing
    # then comes at this priority, this month, at least once a week.
    active_priority: int
    title: Text
    # How many posts, and where: on one network, or in all across several.
    scope_one: Text
    scope_several: Text
    why: Text
    kpi: Text
    evidence: tuple[str, ...] = Field(min_length=1)
    hours_per_post: float = Field(gt=0, multiple_of=0.25)
    reserve_posts: int = Field(ge=0, le=7)
    max_posts: int = Field(ge=1, le=7)
    max_posts_by_verdict: dict[VerdictId, int]
    reasons: dict[CadenceReason, str]
    busy_cap: BusyCap


class Advice(Strict):
    zero_hours: Text
    fits: Text
    deferred: Text
    once: Text  # the one-off work of the plan, inserted as {once} (empty when none)
    missing_hours: Text
    missing_once: Text
    missing_eur: Text
    joiner: Text


class ActionsFile(Strict):
    # The plan's first months, week by week ("Vos 90 premiers jours"): what `now` + `quarter`
    # cover, so what weekly work is charged for and one-off work must fit in.
    weeks: int = Field(ge=4, le=26)
    actions: tuple[Action, ...] = Field(min_length=1)
    publishing: Publishing
    advice: Advice


# --- misconceptions.yaml --------------------------------------------------------------------
class Misconception(Strict):
    id: str = Field(pattern=RULE_ID)
    when: Condition
    belief: Text
    correction: Text
    evidence: tuple[str, ...] = Field(min_length=1)


class MisconceptionsFile(Strict):
    misconceptions: tuple[Misconception, ...] = Field(min_length=1)
