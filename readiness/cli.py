"""Flask CLI commands: score an answers file, render a plan to PDF."""

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from readiness import assessments, results
from readiness.forms import validate_payload

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


def register(app: Flask) -> None:
    app.cli.add_command(plan)
