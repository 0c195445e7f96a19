"""Read the rule files, check them against the questionnaire, compile them for evaluation."""

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from readiness.content import CONTENT_DIR, ContentError, Questionnaire, _describe, read_yaml
from readiness.rules import build, checks, regulations, three_questions
from readiness.rules.compiled import Rules
from readiness.rules.schema import (
    ActionsFile,
    ChannelsFile,
    EvidenceFile,
    MisconceptionsFile,
    ScoringFile,
)

FILES = {
    "evidence": ("evidence.yaml", EvidenceFile),
    "scoring": ("scoring.yaml", ScoringFile),
    "channels": ("channels.yaml", ChannelsFile),
    "actions": ("actions.yaml", ActionsFile),
    "misconceptions": ("misconceptions.yaml", MisconceptionsFile),
    "three_questions": ("three_questions.yaml", three_questions.ThreeQuestionsFile),
    "regulations": ("regulations.yaml", regulations.RegulationsFile),
}


def load_rules(questionnaire: Questionnaire, directory: Path = CONTENT_DIR) -> Rules:
    """Read, validate and cross-check the rule files, or raise ContentError."""
    files = {key: _read(directory / name, model) for key, (name, model) in FILES.items()}
    for key, found in checks.problems(files, questionnaire).items():
        if found:
            raise ContentError(f"{FILES[key][0]}: " + "; ".join(found))
    channel_ids = {c.id for c in files["channels"].channels}
    questions = questionnaire.questions
    for key, module in (("three_questions", three_questions), ("regulations", regulations)):
        found = list(module.problems(files[key], questions, channel_ids))
        if found:
            raise ContentError(f"{FILES[key][0]}: " + "; ".join(found))
    rules = dataclasses.replace(
        build.rules(files, questionnaire),
        three_questions=three_questions.compile_file(files["three_questions"]),
        regulations=regulations.compile_file(files["regulations"]),
    )
    # Any edit of a rule file changes the version, so stored results are recomputed.
    digest = hashlib.sha256(
        b"".join((directory / name).read_bytes() for name, _ in FILES.values())
    ).hexdigest()[:8]
    return dataclasses.replace(rules, version=f"{rules.version}+{digest}")


def _read(path: Path, model: type) -> Any:
    data = read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ContentError(f"{path.name}: {_describe(error, data)}") from None
