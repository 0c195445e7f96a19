"""The result page, its "Et si… ?" simulation, and the PDF download."""

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from readiness import clients, meetings, result_view, results, throttle
from readiness.errors import render_error
from readiness.forms import make_whatif_form, whatif_answers

bp = Blueprint("report", __name__)


def completed_or_redirect(token: str):
    """The diagnostic and its answers, or a redirect to the first unfinished step."""
    assessment = clients.reachable_or_404(token)
    answers = results.completed_answers(assessment)
    if answers is None:
        return assessment, None, redirect(url_for("wizard.resume", token=token))
    return assessment, answers, None


@bp.get("/d/<token>/resultat")
def result(token: str):
    """The verdict, scores, channels and plan; query parameters simulate other answers."""
    assessment, answers, redirect_response = completed_or_redirect(token)
    if redirect_response:
        return redirect_response
    saved = results.result_for(assessment, answers)  # the page needs no branding, notes, PDF key
    content = results.content()
    owner = clients.owns(current_user, assessment)
    form = make_whatif_form(content.questionnaire, answers, request.args or None)
    scenario, changed = None, answers
    if request.args and form.validate():
        changed = whatif_answers(form, answers)
        if changed != answers:
            scenario = results.evaluate_scenario(changed)
    shown = scenario or saved
    declared = whatif_answers(form, answers) if scenario else answers
    weeks = result_view.ninety_days(shown, declared.get("hours_per_week", 0))
    return render_template(
        "result.html",
        company_name=answers["company_name"],
        this_week=result_view.this_week(shown, weeks),
        weeks=weeks,
        sources=result_view.cited_sources(shown),
        changes=result_view.score_changes(shown["scores"], saved["scores"]),
        result=shown,
        saved_result=saved,
        scenario=scenario is not None,
        # The simulated PDF's link carries the « Et si… ? » fields only, whatever else came.
        scenario_query={
            q: request.args[q] for q in content.questionnaire.what_if if q in request.args
        },
        form=form,
        token=token,
        texts=content.texts,
        declared=declared,
        questions=content.questionnaire.questions,
        peers=results.peers_for(changed if scenario else answers),
        owner=owner,
        since=meetings.since_previous(assessment, content.questionnaire, answers, content.texts)
        if owner
        else None,
    ), (422 if form.errors else 200)


@bp.get("/d/<token>/plan.pdf")
def plan_pdf(token: str):
    """The client's action plan: never a private note, whoever downloads it.

    With the « Et si… ? » values in the query, the simulated plan (rendered, never stored).
    """
    assessment, answers, redirect_response = completed_or_redirect(token)
    if redirect_response:
        return redirect_response
    if request.args:
        form = make_whatif_form(results.content().questionnaire, answers, request.args)
        changed = whatif_answers(form, answers) if form.validate() else answers
        if changed != answers:
            scenario = results.evaluate_scenario(changed)
            report = results.report_data(changed, scenario, date=assessment.updated_at)
            return _scenario_pdf_response(report)
    return _pdf_response(results.build_report(assessment, answers))


@bp.get("/d/<token>/plan-interne.pdf")
def internal_plan_pdf(token: str):
    """The consultant's copy with the meeting notes: the owning consultant only (404 otherwise)."""
    assessment = clients.owned_assessment(current_user, token)
    answers = results.completed_answers(assessment)
    if answers is None:
        return redirect(url_for("wizard.resume", token=token))
    return _pdf_response(results.build_report(assessment, answers, internal=True))


def _too_many_pdfs():
    return render_error(
        429,
        "Vous avez demandé beaucoup de PDF en peu de temps. Patientez une minute ; "
        "votre plan reste consultable à l’écran.",
    )


def _render_failed(error: Exception):
    """The French 503 of a failed render; the log gets the last line of the error only
    (a render child's traceback may quote the plan)."""
    from readiness import pdf_jobs

    current_app.logger.error("PDF render failed: %s", pdf_jobs.last_line(error))
    return render_error(
        503,
        "La création du PDF n’a pas abouti. Réessayez dans un instant ; "
        "votre plan reste consultable à l’écran.",
    )


def _scenario_pdf_response(report: dict):
    """A simulated plan: rendered now (never stored, so never queued or cached); each one
    counts against the address's PDF limit."""
    from readiness import pdf

    if not throttle.take("PDF_RATE_LIMIT", throttle.client_address()):
        return _too_many_pdfs()
    try:
        document = pdf.render_plan(report)
    except pdf.PdfTimeout:
        return render_error(503, "La création du PDF a pris trop de temps. Réessayez.")
    except pdf.PdfRenderError as error:
        return _render_failed(error)
    response = make_response(document)
    response.headers["Content-Type"] = "application/pdf"
    filename = pdf.plan_filename(report).replace(".pdf", "-simulation.pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pdf_response(report: dict):
    """The report's PDF as a download, or a French 503 page when rendering takes too long."""
    from readiness import pdf, pdf_jobs

    document = pdf_jobs.cached(report)
    if document is None:
        # A new render counts; refreshing « en préparation » while it is under way does not.
        if not pdf_jobs.under_way(report) and not throttle.take(
            "PDF_RATE_LIMIT", throttle.client_address()
        ):
            return _too_many_pdfs()
        try:
            document = pdf_jobs.fetch(report, look_in_cache=False)
        except pdf.PdfTimeout:
            return render_error(
                503,
                "La création du PDF a pris trop de temps. Réessayez dans un instant ; "
                "votre plan reste consultable à l’écran.",
            )
        except (pdf.PdfRenderError, pdf_jobs.RenderFailed) as error:
            return _render_failed(error)
    if document is None:
        wait = current_app.config.get("PDF_REFRESH_SECONDS", 3)
        response = make_response(render_template("pdf_pending.html", refresh=wait), 202)
        response.headers["Retry-After"] = str(wait)
        return response
    response = make_response(document)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf.plan_filename(report)}"'
    return response
