"""The article's three questions, and the resources and channels checks, answered in words.

Data in content/three_questions.yaml: a score band gives the answer, caps lower it, and
the clauses whose condition holds make the sentence and say which answers it rests on.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Any, Literal

from pydantic import Field

from readiness import conditions as reference
from readiness.content import Strict
from readiness.formatting import french_spacing
from readiness.rules import explain
from readiness.rules.compiled import Answers, Predicate, QuestionText
from readiness.rules.predicates import Leaves, compile_condition, compile_true_leaves
from readiness.rules.schema import DIMENSIONS, Condition, Text

ANSWERS = ("yes", "rather_yes", "not_yet", "no")  # best first
POSITIVE = {"yes", "rather_yes"}
QUESTION_IDS = ("interest", "readiness", "philosophy")
CHECK_IDS = ("resources", "channels")
# A fact the evaluator adds to the answers for these conditions only.
PRIMARY = "primary_channels"
AnswerId = Literal[ANSWERS]


class Band(Strict):
    min: int = Field(ge=0, le=100)
    answer: AnswerId


class Cap(Strict):
    when: Condition
    at_most: AnswerId


class Clause(Strict):
    when: Condition
    text: Text


class Item(Strict):
    id: str
    title: Text
    score: Literal[DIMENSIONS]
    bands: tuple[Band, ...] = Field(min_length=1)
    caps: tuple[Cap, ...] = ()
    strengths: tuple[Clause, ...] = Field(min_length=1)
    limits: tuple[Clause, ...] = Field(min_length=1)
    default_strength: Text
    default_limit: Text


class Joiners(Strict):
    and_: str = Field(alias="and", min_length=1)
    list: Text
    but: Text
    even_if: Text


class ThreeQuestionsFile(Strict):
    sentence: Text
    joiners: Joiners
    answers: dict[AnswerId, Text]
    questions: tuple[Item, ...]
    checks: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class CompiledClause:
    applies: Predicate
    leaves: Leaves
    text: str


@dataclass(frozen=True, slots=True)
class CompiledItem:
    id: str
    title: str
    score: str
    bands: tuple[tuple[int, str], ...]  # highest minimum first
    caps: tuple[tuple[Predicate, str], ...]
    strengths: tuple[CompiledClause, ...]
    limits: tuple[CompiledClause, ...]
    default_strength: str
    default_limit: str


@dataclass(frozen=True, slots=True)
class ThreeQuestions:
    sentence: str
    joiners: Mapping[str, str]
    labels: Mapping[str, str]
    questions: tuple[CompiledItem, ...]
    checks: tuple[CompiledItem, ...]


class _Fact:
    """Looks like a questionnaire question to the condition checker."""

    def __init__(self, kind: str, values: tuple[str, ...]) -> None:
        self.type, self.option_values = kind, values


def problems(data: ThreeQuestionsFile, questions: Mapping[str, Any], channel_ids) -> Iterator[str]:
    """Cross-checks against the questionnaire and the channels, for the loader."""
    known = {**questions, PRIMARY: _Fact("multiple", tuple(channel_ids))}
    if sorted(f for _, f, _, _ in Formatter().parse(data.sentence) if f) != [
        "answer",
        "clauses",
        "question",
    ]:
        yield "sentence: use exactly {question}, {answer} and {clauses}"
    if set(data.answers) != set(ANSWERS):
        yield f"answers: give a label to each of {list(ANSWERS)}"
    for group, expected in (("questions", QUESTION_IDS), ("checks", CHECK_IDS)):
        items = getattr(data, group)
        if tuple(i.id for i in items) != expected:
            yield f"{group}: expected {list(expected)} in this order"
        for item in items:
            where = f"{group[:-1]} {item.id!r}"
            mins = [b.min for b in item.bands]
            if mins != sorted(set(mins), reverse=True) or mins[-1] != 0:
                yield f"{where}: bands must go down to 0"
            conditions = [(f"cap {n}", c.when) for n, c in enumerate(item.caps)]
            conditions += [(f"strength {n}", c.when) for n, c in enumerate(item.strengths)]
            conditions += [(f"limit {n}", c.when) for n, c in enumerate(item.limits)]
            for name, condition in conditions:
                for problem in reference.problems(condition, known):
                    yield f"{where}, {name}: {problem}"
            for clause in (*item.strengths, *item.limits):
                if "{" in clause.text.replace("{primary}", ""):
                    yield f"{where}: only the placeholder {{primary}} is allowed"


def compile_file(data: ThreeQuestionsFile) -> ThreeQuestions:
    def clauses(items: tuple[Clause, ...]) -> tuple[CompiledClause, ...]:
        return tuple(
            CompiledClause(compile_condition(c.when), compile_true_leaves(c.when), c.text)
            for c in items
        )

    def item(i: Item) -> CompiledItem:
        return CompiledItem(
            id=i.id,
            title=i.title,
            score=i.score,
            bands=tuple((b.min, b.answer) for b in i.bands),
            caps=tuple((compile_condition(c.when), c.at_most) for c in i.caps),
            strengths=clauses(i.strengths),
            limits=clauses(i.limits),
            default_strength=i.default_strength,
            default_limit=i.default_limit,
        )

    return ThreeQuestions(
        sentence=data.sentence,
        joiners={
            "and": data.joiners.and_,
            "list": data.joiners.list,
            "but": data.joiners.but,
            "even_if": data.joiners.even_if,
        },
        labels=dict(data.answers),
        questions=tuple(item(i) for i in data.questions),
        checks=tuple(item(i) for i in data.checks),
    )


def answer(
    compiled: ThreeQuestions,
    answers: Answers,
    scores: Mapping[str, int],
    primary: list[str],
    questions: Mapping[str, QuestionText],
) -> dict[str, list[dict[str, Any]]]:
    """``{"three_questions": [...], "checks": [...]}`` for these answers and scores."""
    facts = {**answers, PRIMARY: [c for c, _ in primary]}
    join = compiled.joiners
    names = [name for _, name in primary]
    names = join["and"].join([join["list"].join(names[:-1]), names[-1]] if names[1:] else names)

    def one(item: CompiledItem) -> dict[str, Any]:
        verdict = next(a for low, a in item.bands if scores[item.score] >= low)
        for applies, at_most in item.caps:
            if applies(facts) and ANSWERS.index(at_most) > ANSWERS.index(verdict):
                verdict = at_most
        strengths = [c for c in item.strengths if c.applies(facts)]
        limits = [c for c in item.limits if c.applies(facts)]
        if verdict in POSITIVE:
            first, second, link = strengths[:2], limits[:1], join["but"]
            lead = [c.text for c in first] or [item.default_strength]
        else:
            first, second, link = limits[:1], strengths[:1], join["even_if"]
            lead = [c.text for c in first] or [item.default_limit]
        text = join["and"].join(lead) + (link + second[0].text if second else "")
        text = text.replace("{primary}", names)
        label = compiled.labels[verdict]
        leaves = [leaf for c in (*first, *second) for leaf in c.leaves(facts)]
        return {
            "id": item.id,
            "question": item.title,
            "answer": verdict,
            "answer_label": label,
            # The sentence without the question and the answer, for pages that show those apart.
            "explanation": french_spacing(text[:1].upper() + text[1:] + "."),
            "sentence": french_spacing(
                compiled.sentence.format(question=item.title, answer=label, clauses=text)
            ),
            "because": explain.because(
                lambda _answers: [leaf for leaf in leaves if leaf["q"] != PRIMARY],
                answers,
                questions,
            ),
        }

    return {
        "three_questions": [one(i) for i in compiled.questions],
        "checks": [one(i) for i in compiled.checks],
    }
