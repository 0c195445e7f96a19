"""CSV and JSON exports of clients' diagnostics (answers, scores, verdict, dates)."""

import csv
import io
from typing import Any

from readiness import assessments, clients, results
from readiness.content import Questionnaire
from readiness.models import Assessment, Client
from readiness.rules.schema import SCORES as DIMENSIONS


def diagnostic_records(q: Questionnaire, owned: list[Client]) -> list[dict[str, Any]]:
    """The clients' diagnostics, except those their owner erased: an erased diagnostic has
    no data left to export, and an empty row would read as one still under way."""
    return [
        diagnostic_record(q, client, assessment)
        for client in owned
        for assessment in clients.client_assessments(client)
        if assessment.erased_at is None
    ]


def diagnostic_record(q: Questionnaire, client: Client, assessment: Assessment) -> dict[str, Any]:
    answers = results.completed_answers(assessment)
    result = {} if answers is None else results.result_for(assessment, answers)
    if answers is None:  # an unfinished diagnostic exports what was answered so far
        answers = q.relevant_answers(
            assessments.merged_answers(q, assessments.saved_steps(assessment))
        )
    return {
        "client": client.name,
        "client_id": client.id,
        "token": assessment.token,
        "created_at": assessment.created_at.isoformat(),
        "updated_at": assessment.updated_at.isoformat(),
        "verdict": result.get("verdict"),
        "scores": result.get("scores"),
        "answers": answers,
    }


def to_csv(q: Questionnaire, records: list[dict[str, Any]]) -> str:
    """One row per diagnostic; several-of answers joined with ' | '."""
    question_ids = list(q.questions)
    header = ["client", "client_id", "created_at", "updated_at", "verdict"]
    header += [f"score_{d}" for d in DIMENSIONS] + question_ids
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in records:
        scores = r["scores"] or {}
        answers = r["answers"]
        row = [r["client"], r["client_id"], r["created_at"], r["updated_at"], r["verdict"]]
        row += [scores.get(d) for d in DIMENSIONS] + [answers.get(qid) for qid in question_ids]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


# A text cell starting with one of these runs as a formula in a spreadsheet (OWASP CSV
# injection); full-width variants too, since some spreadsheets normalise them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _cell(value: Any) -> Any:
    """A CSV cell: numbers as they are, every text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = " | ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.lstrip(" ")[:1] in FORMULA_STARTS else text
