"""Say why in French: which answers made a rule fire, and amounts written for people."""

from collections.abc import Mapping
from typing import Any

from readiness.formatting import fr_number
from readiness.rules.compiled import Answers, QuestionText
from readiness.rules.predicates import Leaves


def because(
    leaves: Leaves, answers: Answers, questions: Mapping[str, QuestionText]
) -> list[dict[str, Any]]:
    """The answers that made a condition (known to hold) true, one entry per question."""
    seen: set[str] = set()
    found = []
    for leaf in leaves(answers):
        qid = leaf["q"]
        if qid not in seen and answers.get(qid) is not None:
            seen.add(qid)
            found.append(answer_entry(qid, _shown(leaf, answers[qid]), questions[qid]))
    return found


def answer_entry(qid: str, answer: Any, question: QuestionText) -> dict[str, Any]:
    """``{question, answer, label}`` where label reads « question — answer »."""
    if isinstance(answer, list):
        text = ", ".join(question.options.get(v, v) for v in answer)
    elif isinstance(answer, int | float) and not isinstance(answer, bool):
        number = fr_number(answer, decimals=2)  # hours may be halves: « 1,5 »
        text = f"{number} {question.unit}" if question.unit else number
    else:
        text = question.options.get(answer, answer)
    return {"question": qid, "answer": answer, "label": f"{question.label} — {text}"}


def _shown(leaf: Mapping[str, Any], answer: Any) -> Any:
    """For several-of answers, only the ticked options the rule looked at."""
    if "contains" in leaf:
        return [leaf["contains"]]
    for operator in ("contains_any", "contains_all"):
        if operator in leaf:
            return [v for v in answer if v in leaf[operator]]
    return list(answer) if isinstance(answer, list) else answer
