"""JSON API v1: the questionnaire, stored diagnostics, scoring."""

from flask import Blueprint, current_app, jsonify, request

from readiness import assessments, clients, results
from readiness.forms import validate_payload

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def questionnaire():
    return current_app.extensions["readiness"].questionnaire


@bp.get("/questionnaire")
def get_questionnaire():
    """The questionnaire: steps, questions, types, options, conditions, version."""
    q = questionnaire()
    return jsonify(
        {
            "version": q.version,
            "steps": [
                {
                    "id": step.id,
                    "title": step.title,
                    "questions": [
                        question.model_dump(exclude_none=True, exclude={"choices"})
                        for question in step.questions
                    ],
                }
                for step in q.steps
            ],
        }
    )


@bp.get("/assessments/<token>")
def get_assessment(token: str):
    """A stored diagnostic's answers and completion state, for its token holder."""
    assessment = clients.reachable_or_404(token)
    q = questionnaire()
    steps = assessments.saved_steps(assessment)
    completion = assessments.step_completion(q, steps, assessment.questionnaire_version)
    answers = results.completed_answers(assessment)
    return jsonify(
        {
            "token": assessment.token,
            "questionnaire_version": assessment.questionnaire_version,
            "created_at": assessment.created_at.isoformat(),
            "updated_at": assessment.updated_at.isoformat(),
            "answers": q.relevant_answers(assessments.merged_answers(q, steps)),
            "completed_steps": [step_id for step_id, done in completion.items() if done],
            "complete": all(completion.values()),
            "result": None
            if answers is None
            else results.with_peers(results.result_for(assessment, answers), answers),
        }
    )


@bp.post("/score")
def score():
    """Answers JSON → result JSON; nothing is stored. 400 with field errors on bad input."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # the stdlib parser recurses once per nesting level
        return jsonify(
            {"error": "Réponses invalides", "errors": {"answers": ["JSON bien trop imbriqué."]}}
        ), 400
    answers, errors = validate_payload(questionnaire(), payload)
    if errors:
        return jsonify({"error": "Réponses invalides", "errors": errors}), 400
    return jsonify(results.with_peers(results.evaluate_scenario(answers), answers))
