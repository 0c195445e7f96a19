"""Load and validate the content files (the questionnaire) at start-up."""

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from readiness import conditions
from readiness.formatting import typeset

CONTENT_DIR = Path(__file__).parent / "content"
QUESTION_TYPES = ("text", "integer", "decimal", "single", "multiple")
NUMBER_TYPES = ("integer", "decimal")


class ContentError(Exception):
    """A content file is broken; the message names the file, the item and the problem."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    value: str = Field(min_length=1)
    label: str = Field(min_length=1)
    # An exclusive option ("none", "nothing yet") cannot be ticked with others.
    exclusive: bool = False


class Suggestion(Strict):
    """Options ticked in advance from the answer to another (single-choice) question."""

    q: str
    values: dict[str, tuple[str, ...]]


class Question(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: Literal[QUESTION_TYPES]
    label: str = Field(min_length=1)
    help: str | None = None
    required: bool = True
    max_length: int | None = None
    min: int | float | None = None
    max: int | float | None = None
    # decimal questions: the finest step accepted (0.5 = halves)
    step: float | None = Field(default=None, gt=0)
    unit: str | None = None
    options: tuple[Option, ...] = ()
    choices: str | None = None
    relevant: dict[str, Any] | None = None
    # The questionnaire version that added the question: older diagnostics may lack it.
    since: str | None = None
    suggest: Suggestion | None = None

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @cached_property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


class Step(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = Field(min_length=1)


class Questionnaire(Strict):
    version: str
    choices: dict[str, tuple[Option, ...]] = {}
    what_if: tuple[str, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _expand_choices(cls, data: Any) -> Any:
        """Replace ``choices: name`` by the named option list before validation."""
        if not isinstance(data, dict):
            return data
        lists = data.get("choices") or {}
        for step in data.get("steps") or []:
            for question in (step or {}).get("questions") or []:
                name = question.get("choices") if isinstance(question, dict) else None
                if name is not None:
                    if name not in lists:
                        raise ValueError(
                            f"question {question.get('id')!r}: unknown choice list {name!r}"
                        )
                    question.setdefault("options", lists[name])
        return data

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for step in self.steps for q in step.questions}

    @cached_property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_of(self, question_id: str) -> Step:
        return next(s for s in self.steps if any(q.id == question_id for q in s.questions))

    def is_relevant(self, question: Question, answers: dict[str, Any]) -> bool:
        """A conditional question applies only when its condition holds."""
        return question.relevant is None or conditions.evaluate(question.relevant, answers)

    def asked_in(self, question: Question, version: str | None) -> bool:
        """Whether a diagnostic started with questionnaire ``version`` had to answer it."""
        return (
            question.since is None
            or version is None
            or _version(version) >= _version(question.since)
        )

    def suggested(self, question: Question, answers: dict[str, Any]) -> list[str]:
        """The options to tick in advance given the other answers (never stored as such)."""
        if question.suggest is None:
            return []
        return list(question.suggest.values.get(answers.get(question.suggest.q), ()))

    def relevant_answers(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Keep only known, applicable answers (stale ones stay stored, unused)."""
        return {
            q.id: answers[q.id]
            for q in self.questions.values()
            if q.id in answers and self.is_relevant(q, answers)
        }

    def cross_check_problems(self) -> list[str]:
        found: list[str] = []
        seen: set[str] = set()
        for step in self.steps:
            for q in step.questions:
                where = f"step {step.id!r}, question {q.id!r}"
                if q.id in seen:
                    found.append(f"{where}: duplicate question id")
                seen.add(q.id)
                found += [f"{where}: {p}" for p in _question_problems(q)]
        found += [f"what_if: unknown question {qid!r}" for qid in self.what_if if qid not in seen]
        for q in self.questions.values():
            if q.since is not None and (
                not q.since.isdigit() or _version(q.since) > _version(self.version)
            ):
                found.append(
                    f"question {q.id!r}: since {q.since!r} must be a version up to {self.version!r}"
                )
            if q.suggest is not None:
                found += [f"question {q.id!r}, suggest: {p}" for p in self._suggest_problems(q)]
        if len(set(self.step_ids)) != len(self.step_ids):
            found.append("duplicate step id")
        for step in self.steps:
            for q in step.questions:
                if q.relevant is not None:
                    where = f"step {step.id!r}, question {q.id!r}, relevant"
                    found += [
                        f"{where}: {p}" for p in conditions.problems(q.relevant, self.questions)
                    ]
        return found

    def _suggest_problems(self, q: Question) -> list[str]:
        source = self.questions.get(q.suggest.q)
        if source is None or source.type != "single":
            return [f"{q.suggest.q!r} must be a single-choice question"]
        found = [
            f"{q.suggest.q!r} has no option {v!r}"
            for v in q.suggest.values
            if v not in source.option_values
        ]
        found += [
            f"no option {v!r}"
            for values in q.suggest.values.values()
            for v in values
            if v not in q.option_values
        ]
        if q.type != "multiple":
            found.append("only several-of questions take suggestions")
        return found


def _version(version: str) -> int:
    return int(version) if version.isdigit() else 0


def _question_problems(q: Question) -> list[str]:
    found = []
    values = q.option_values
    if q.type in ("single", "multiple"):
        if len(values) < 2:
            found.append("a choice question needs at least two options")
        if len(set(values)) != len(values):
            found.append("duplicate option value")
    elif q.options:
        found.append(f"a {q.type} question takes no options")
    if q.is_number and (q.min is None or q.max is None or q.min > q.max):
        found.append(f"{'an' if q.type == 'integer' else 'a'} {q.type} question needs min <= max")
    if q.type == "integer" and not all(isinstance(v, int) for v in (q.min, q.max)):
        found.append("an integer question needs whole min and max")
    if q.type == "decimal" and not q.step:
        found.append("a decimal question needs a step (0.5 for halves)")
    if q.step and q.type != "decimal":
        found.append("only a decimal question takes a step")
    bounds = (q.min, q.max) if q.min is not None and q.max is not None else ()
    if q.step and any((v / q.step) % 1 for v in bounds):
        found.append("min and max must be multiples of step")
    if q.type == "text" and not q.max_length:
        found.append("a text question needs max_length")
    if q.type != "multiple" and any(o.exclusive for o in q.options):
        found.append("only several-of questions can have an exclusive option")
    return found


def load_questionnaire(path: Path = CONTENT_DIR / "questionnaire.yaml") -> Questionnaire:
    """Read, validate and cross-check the questionnaire, or raise ContentError."""
    data = read_yaml(path)
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as error:
        raise ContentError(f"{path.name}: {_describe(error, data)}") from None
    except ValueError as error:
        raise ContentError(f"{path.name}: {error}") from None
    found = questionnaire.cross_check_problems()
    if found:
        raise ContentError(f"{path.name}: " + "; ".join(found))
    return questionnaire


# libyaml's safe loader when PyYAML has it (its wheels do): ten times faster than the
# pure-Python one, and every app start (each test too) reads all the content files.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A content file's data, with French spacing applied to every text."""
    try:
        return _typeset(yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from None


def _typeset(node: Any) -> Any:
    if isinstance(node, str):
        return typeset(node)
    if isinstance(node, list):
        return [_typeset(item) for item in node]
    if isinstance(node, dict):
        return {key: _typeset(value) for key, value in node.items()}
    return node


def _describe(error: ValidationError, data: Any) -> str:
    """Turn pydantic locations into 'step X, question Y, field: problem'."""
    parts = []
    for item in error.errors():
        names, node = [], data
        for key in item["loc"]:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                names.append(str(key))
                continue
            if isinstance(node, dict) and "id" in node and isinstance(key, int):
                names[-1] = f"{names[-1].rstrip('s')} {node['id']!r}"
            elif not isinstance(key, int):
                names.append(str(key))
        parts.append(f"{', '.join(names)}: {item['msg']}")
    return "; ".join(parts)


class ReportTexts(Strict):
    """Labels for the result ids shown on the result page and in the PDF.

    The ids are those of the rules (``readiness.rules.schema``), in their order; verdict
    labels are the rules' own (scoring.yaml).
    """

    horizons: dict[str, str]
    roles: dict[str, str]
    dimensions: dict[str, str]
    follow_up: dict[Literal["not_started", "in_progress", "done", "dropped"], str]

    @model_validator(mode="after")
    def _complete(self) -> "ReportTexts":
        from readiness.rules.schema import HORIZONS, ROLES, SCORES

        for name, ids in (("horizons", HORIZONS), ("roles", ROLES), ("dimensions", SCORES)):
            if tuple(getattr(self, name)) != ids:
                raise ValueError(f"{name}: give a label to each of {list(ids)}, in this order")
        if len(self.follow_up) != 4:
            raise ValueError("follow_up: every status needs a label")
        return self


def load_report_texts(path: Path = CONTENT_DIR / "report.yaml") -> ReportTexts:
    data = read_yaml(path)
    try:
        return ReportTexts.model_validate(data)
    except ValidationError as error:
        raise ContentError(f"{path.name}: {_describe(error, data)}") from None
