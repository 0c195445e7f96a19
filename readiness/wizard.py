"""The diagnostic wizard: landing page, six steps, summary."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from readiness import assessments, clients, pdf_jobs, results, throttle
from readiness.errors import render_error
from readiness.forms import cleaned_answers, make_step_form
from readiness.results import labelled_answers
from readiness.safe_input import NUL_MESSAGE, has_nul

bp = Blueprint("wizard", __name__)
NOTE_MAX_LENGTH = 5000
DRAFT_MAX_CHARS = 1500  # more would overflow the session cookie and log the visitor out
SAVED = {"enregistre": "1"}  # the query that shows « Réponses enregistrées. » after a save


def questionnaire():
    return current_app.extensions["readiness"].questionnaire


@bp.get("/")
def landing():
    """What the diagnostic gives, the button to start it, and the form to resume one."""
    return render_template(
        "landing.html", steps=questionnaire().steps, start_nonce=assessments.new_start_nonce()
    )


@bp.post("/commencer")
def begin():
    """Create a diagnostic (once per start form, a few per minute per address)."""
    if not throttle.take("START_RATE_LIMIT", throttle.client_address()):
        return render_error(
            429,
            "Beaucoup de diagnostics ont été commencés depuis votre connexion. "
            "Patientez quelques minutes avant d’en commencer un autre.",
        )
    assessment = assessments.start(questionnaire(), request.form.get("debut"))
    return redirect(
        url_for("wizard.step", token=assessment.token, step_id=questionnaire().step_ids[0])
    )


@bp.get("/d/<token>")
def resume(token: str):
    """Send the visitor to the first unfinished step, or to the summary."""
    assessment = clients.reachable_or_404(token)
    steps = assessments.saved_steps(assessment)
    todo = assessments.first_unfinished(
        assessments.step_completion(questionnaire(), steps, assessment.questionnaire_version)
    )
    if todo is None:
        return redirect(url_for("wizard.summary", token=token))
    return redirect(url_for("wizard.step", token=token, step_id=todo))


@bp.route("/d/<token>/<step_id>", methods=["GET", "POST"])
def step(token: str, step_id: str):
    """Show one step; a valid POST saves it and moves on."""
    q = questionnaire()
    current = q.step(step_id)
    if request.method == "GET":
        assessments.read_only_request()
    assessment = clients.reachable_or_404(token)
    if current is None:
        abort(404)
    steps = assessments.saved_steps(assessment)
    saved = {**(assessment.prefill or {}), **assessments.merged_answers(q, steps)}
    meeting = clients.owns(current_user, assessment)
    going_back = request.form.get("nav") == "previous"
    # No CSRF field of its own: CSRFProtect checked the token of every POST before this view.
    typed = _posted_or_draft(token, step_id)
    form = make_step_form(q, current, saved, typed, csrf=False)
    note, note_error = _posted_note(meeting)
    if request.method == "POST":
        if form.validate() and not note_error:
            if results.save_step(assessment, steps, step_id, cleaned_answers(form), note):
                pdf_jobs.after_result_stored(token)  # the plan is ready before it is asked for
            _drop_draft(token, step_id)
            # « Réponses enregistrées. » is asked for in the next page's address rather than
            # flashed: a flash would rewrite the session cookie on this response and the next.
            if request.form.get("nav") == "summary":
                return redirect(url_for("wizard.summary", token=token, **SAVED))
            return redirect(_neighbour_url(token, step_id, -1 if going_back else 1, **SAVED))
        if going_back and not note_error:
            _keep_draft(token, step_id)
            return redirect(_neighbour_url(token, step_id, -1))
    if meeting and note is None:
        # A note typed before « Précédent » on an unfinished step comes back with its answers.
        drafted = typed.get("note") if typed is not None else None
        note = drafted if drafted is not None else clients.notes_of(assessment).get(step_id, "")
    return render_template(
        "step.html",
        form=form,
        step=current,
        index=q.step_ids.index(step_id),
        total=len(q.steps),
        token=token,
        questions={f: q.questions[f] for f in form._fields if f in q.questions},
        meeting=meeting,
        note=note,
        note_error=note_error,
        note_max=NOTE_MAX_LENGTH,
        show_link=bool(steps),
        saved=_saved_notice(),
        complete=all(
            assessments.step_completion(q, steps, assessment.questionnaire_version).values()
        ),
    ), (422 if form.errors or note_error else 200)


@bp.get("/d/<token>/recapitulatif")
def summary(token: str):
    """All answers, each with a link to change it."""
    q = questionnaire()
    assessment = clients.reachable_or_404(token)
    steps = assessments.saved_steps(assessment)
    answers = q.relevant_answers(assessments.merged_answers(q, steps))
    completion = assessments.step_completion(q, steps, assessment.questionnaire_version)
    return render_template(
        "summary.html",
        sections=labelled_answers(q, answers),
        completion=completion,
        complete=all(completion.values()),
        token=token,
        saved=_saved_notice(),
    )


SESSION_ENDED = (
    "Votre session de consultant a pris fin : rien n’a été enregistré. Copiez votre note, "
    "reconnectez-vous, puis revenez à cette étape."
)


def _posted_note(meeting: bool) -> tuple[str | None, str | None]:
    """The consultant's note sent with the step (meeting mode), and what is wrong with it.

    A note posted by someone who is no longer the signed-in consultant (the session ended
    during the meeting) is not dropped silently: the step is refused and the note shown.
    """
    if request.method != "POST":
        return None, None
    note = request.form.get("note", "")
    if not meeting:
        return (note, SESSION_ENDED) if note.strip() else (None, None)
    if len(note) > NOTE_MAX_LENGTH:
        return note, f"{NOTE_MAX_LENGTH} caractères au maximum."
    if has_nul(note):
        return note.replace("\x00", ""), NUL_MESSAGE
    return note, None


def _drafts(token: str) -> dict:
    """Typed-but-invalid values kept in the session (never in the database)."""
    drafts = session.setdefault("drafts", {})
    if token not in drafts:
        drafts.clear()  # keep the cookie small: one diagnostic's drafts at a time
        drafts[token] = {}
    return drafts[token]


def _saved_notice() -> bool:
    return request.method == "GET" and request.args.get("enregistre") == SAVED["enregistre"]


def _drop_draft(token: str, step_id: str) -> None:
    """Forget the draft of a step just saved; the session is rewritten only if there was one."""
    drafts = session.get("drafts", {}).get(token)
    if drafts and drafts.pop(step_id, None) is not None:
        session.modified = True


def _keep_draft(token: str, step_id: str) -> None:
    """Keep what was typed for this step, if it fits in the session cookie (4 kB)."""
    draft = {k: v for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}
    size = sum(len(key) + len(value) for key, values in draft.items() for value in values)
    if size <= DRAFT_MAX_CHARS and not any(has_nul(v) for vs in draft.values() for v in vs):
        _drafts(token)[step_id] = draft
        session.modified = True


def _posted_or_draft(token: str, step_id: str) -> MultiDict | None:
    if request.method == "POST":
        return request.form
    draft = session.get("drafts", {}).get(token, {}).get(step_id)
    return MultiDict([(k, v) for k, values in draft.items() for v in values]) if draft else None


def _neighbour_url(token: str, step_id: str, offset: int, **query: str) -> str:
    ids = questionnaire().step_ids
    index = ids.index(step_id) + offset
    if index < 0:
        return url_for("wizard.step", token=token, step_id=ids[0], **query)
    if index >= len(ids):
        return url_for("wizard.summary", token=token, **query)
    return url_for("wizard.step", token=token, step_id=ids[index], **query)
