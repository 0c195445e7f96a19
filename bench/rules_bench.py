"""Benchmark: answer sets scored per second on one core (target: 5,000/s).

Usage: .venv/bin/python bench/rules_bench.py [count]
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness.content import load_questionnaire  # noqa: E402
from readiness.rules import evaluate, load_rules  # noqa: E402


def random_answers(questionnaire, rng: random.Random) -> dict:
    """One valid answer set, with only the questions that apply."""
    answers = {}
    for qid, question in questionnaire.questions.items():
        if question.type == "text":
            answers[qid] = f"Entreprise {rng.randrange(1000)}"
        elif question.type == "integer":
            answers[qid] = rng.randint(question.min, question.max)
        elif question.type == "single":
            answers[qid] = rng.choice(question.option_values)
        else:
            exclusive = [o.value for o in question.options if o.exclusive]
            others = [v for v in question.option_values if v not in exclusive]
            if exclusive and rng.random() < 0.15:
                answers[qid] = [rng.choice(exclusive)]
            else:
                answers[qid] = rng.sample(others, rng.randint(1, len(others)))
    # Realistic small numbers most of the time: the interesting part of the plan.
    answers["hours_per_week"] = rng.choice([0, 1, 2, 3, 4, 6, 8, 12, answers["hours_per_week"]])
    answers["monthly_budget"] = rng.choice([0, 30, 100, 300, 1000, answers["monthly_budget"]])
    return questionnaire.relevant_answers(answers)


def main(count: int = 20_000) -> None:
    questionnaire = load_questionnaire()
    started = time.perf_counter()
    rules = load_rules(questionnaire)
    loaded = time.perf_counter() - started
    rng = random.Random(2024)
    answer_sets = [random_answers(questionnaire, rng) for _ in range(count)]
    started = time.perf_counter()
    for answers in answer_sets:
        evaluate(rules, answers)
    elapsed = time.perf_counter() - started
    print(f"rules loaded in {loaded * 1000:.0f} ms (version {rules.version})")
    print(f"{count} answer sets in {elapsed:.2f} s: {count / elapsed:,.0f} per second on one core")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
