"""The rules: answers -> scores, verdict, channels, an affordable action plan, and why.

Rules are validated data (content/scoring.yaml, channels.yaml, actions.yaml,
evidence.yaml, misconceptions.yaml) read once by ``load_rules``; ``evaluate`` is pure.
"""

from readiness.rules.compiled import Rules
from readiness.rules.engine import evaluate
from readiness.rules.loader import load_rules

__all__ = ["Rules", "evaluate", "load_rules"]
