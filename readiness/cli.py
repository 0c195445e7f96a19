"""Flask CLI commands: score or render a plan, manage consultants, purge old data."""

import json
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from readiness import assessments, community, results, sessions
from readiness.auth import find_by_email
from readiness.extensions import db
from readiness.forms import validate_payload
from readiness.models import Consultant, utcnow
from readiness.passwords import hash_password, password_problem

plan = AppGroup("plan", help="Diagnostics : score et plan d'action.")


def read_answers(path: Path) -> dict:
    """Validated answers from a JSON file, or exit with the field errors in French."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise click.ClickException(f"Lecture impossible de {path} : {error}") from None
    answers, errors = validate_payload(results.content().questionnaire, payload)
    if errors:
        lines = [f"  {field} : {' '.join(messages)}" for field, messages in errors.items()]
        raise click.ClickException("Réponses invalides :\n" + "\n".join(lines))
    return answers


@plan.command("score")
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def score_command(answers_file: Path) -> None:
    """Print the result JSON of an answers JSON file (nothing is stored)."""
    result = results.evaluate_scenario(read_answers(answers_file))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@plan.command("pdf")
@click.argument(
    "answers_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--token", help="Jeton d'un diagnostic enregistré (au lieu d'un fichier).")
@click.option(
    "--copie-interne",
    "internal",
    is_flag=True,
    help="Avec --token : la copie interne du consultant, avec ses notes privées.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fichier PDF à écrire."
)
def pdf_command(
    answers_file: Path | None, token: str | None, internal: bool, output: Path | None
) -> None:
    """Render the action plan of an answers JSON file, or of a stored diagnostic, to a PDF."""
    from readiness import pdf

    if (answers_file is None) == (token is None):
        raise click.UsageError("Donnez soit un fichier de réponses, soit --token.")
    if token:
        assessment = assessments.find(token)
        answers = results.completed_answers(assessment) if assessment else None
        if answers is None:
            raise click.ClickException("Aucun diagnostic terminé pour ce jeton.")
        report = results.build_report(assessment, answers, internal=internal)
    else:
        answers = read_answers(answers_file)
        report = results.report_data(answers, results.evaluate_scenario(answers))
    output = output or Path(pdf.plan_filename(report))
    output.write_bytes(pdf.render_plan(report))
    click.echo(f"PDF écrit : {output}")


consultant = AppGroup("consultant", help="Comptes des consultants.")


def ask_password(email: str) -> str:
    """Prompt twice (works when piped) and refuse weak passwords."""
    password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez")
    problem = password_problem(password, (email,))
    if problem:
        raise click.ClickException(problem)
    return password


@consultant.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Nom affiché du consultant.")
@click.option("--firm", default="", help="Cabinet ou organisme.")
def consultant_create(email: str, name: str, firm: str) -> None:
    """Create a consultant account; the password is asked twice."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.ClickException("Adresse e-mail invalide.")
    if find_by_email(email):
        raise click.ClickException(f"Un compte existe déjà pour {email}.")
    password = ask_password(email)
    db.session.add(
        Consultant(email=email, name=name, firm=firm, password_hash=hash_password(password))
    )
    db.session.commit()
    click.echo(f"Compte créé pour {email}.")


@consultant.command("reset-password")
@click.argument("email")
def consultant_reset_password(email: str) -> None:
    """Set a new password (asked twice), reactivate the account, end its sessions."""
    account = existing(email)
    account.password_hash = hash_password(ask_password(account.email))
    account.active = True
    sessions.end_all_sessions(account)
    db.session.commit()
    click.echo(f"Mot de passe changé pour {account.email}.")


@consultant.command("deactivate")
@click.argument("email")
def consultant_deactivate(email: str) -> None:
    """Block sign-in for this account and end its sessions; its clients and data are kept."""
    account = existing(email)
    account.active = False
    sessions.end_all_sessions(account)
    db.session.commit()
    click.echo(f"Compte désactivé : {account.email}.")


def existing(email: str) -> Consultant:
    account = find_by_email(email)
    if account is None:
        raise click.ClickException(f"Aucun compte pour {email}.")
    return account


data = AppGroup("data", help="Conservation des données.")


@data.command("purge")
def data_purge() -> None:
    """Delete anonymous diagnostics untouched for RETENTION_DAYS days."""
    limit = utcnow() - timedelta(days=current_app.config["RETENTION_DAYS"])
    count = assessments.purge_anonymous_before(limit)
    click.echo(f"{count} diagnostic(s) anonyme(s) supprimé(s).")


peers = AppGroup("peers", help="Comparaison avec les autres entreprises.")


@peers.command("rebuild")
def peers_rebuild_command() -> None:
    """Put every finished diagnostic in the community and recompute every group."""
    from readiness.models import Assessment

    count = 0
    for assessment in db.session.scalars(
        db.select(Assessment).where(Assessment.revoked_at.is_(None))
    ):
        answers = results.completed_answers(assessment)
        if answers is not None:
            community.record(assessment, answers, results.store_result(assessment, answers), False)
            count += 1
    community.refresh_all()
    click.echo(f"{count} diagnostic(s) terminé(s) dans la comparaison.")


pdf_group = AppGroup("pdf", help="Rendu des plans PDF en arrière-plan.")


@pdf_group.command("worker")
@click.option("--burst", is_flag=True, help="S'arrêter quand la file est vide.")
def pdf_worker_command(burst: bool) -> None:
    """Render the queued PDF plans (needs REDIS_URL); run as many as render machines."""
    from flask import current_app

    from readiness import pdf_jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL n'est pas défini : sans Redis, les plans sont rendus par les "
            "serveurs web eux-mêmes et aucun worker n'est nécessaire."
        )
    pdf_jobs.worker(current_app._get_current_object(), burst=burst)


def register(app: Flask) -> None:
    for group in (plan, consultant, data, peers, pdf_group):
        app.cli.add_command(group)
