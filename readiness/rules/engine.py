"""The pure evaluator: answers in, a plain JSON-ready result out. Same answers, same result."""

from typing import Any

from readiness.rules import channels, plan, regulations, scoring, three_questions
from readiness.rules import evidence as citing
from readiness.rules.compiled import Answers, Rules


def evaluate(rules: Rules, answers: Answers) -> dict[str, Any]:
    """Score the answers (already validated, only relevant questions) into a result."""
    scores = {scale.id: scoring.dimension_score(scale, answers) for scale in rules.dimensions}
    ranked, channel_rules = channels.rank(rules.channels, answers)
    legal = regulations.applicable(rules.regulations, answers)
    restricted = regulations.restrict_channels(ranked, legal)
    # A channel the law excludes does not count as somewhere that suits you.
    allowed = [c["fit"] for c in ranked if not (c["role"] == "avoid" and "regulation" in c)]
    scores["channels"] = scoring.channel_score(allowed, rules.channel_score_top)
    scores = {d: scores[d] for d in rules.weights}
    scores["overall"] = scoring.overall(rules, scores)

    by_scores = scoring.score_verdict(rules, scores, scores["overall"])
    blockers = scoring.blockers(rules, answers)
    verdict = scoring.capped(rules, by_scores, [b.cap for b in blockers])

    posting = {c.id: c.in_sentence for c in rules.channels.channels if c.posts}
    primary = [
        (c["channel"], posting[c["channel"]])
        for c in ranked
        if c["role"] == "primary" and c["channel"] in posting
    ]
    network_fits = any(
        c["channel"] in posting and c["fit"] >= rules.channels.primary_min for c in ranked
    )
    # Accounts the business already runs on a recommended network: never paused.
    running = set(answers.get("current_channels") or ())
    active = tuple(channel for channel, _ in primary if channel in running)
    planned = plan.build(rules, answers, verdict, primary, network_fits, active)
    busy = rules.publishing.busy_cap
    if (
        planned["cadence"]["reason_id"] == "busy"
        and scoring.capped(rules, verdict, [busy.cap]) != verdict
    ):
        # "Go" with no hour left to publish would contradict the plan: cap it and re-plan.
        blockers = [*blockers, busy]
        verdict = scoring.capped(rules, verdict, [busy.cap])
        planned = plan.build(rules, answers, verdict, primary, network_fits, active)
    # A misconception is corrected only with evidence that applies to this business.
    fits = citing.audiences(rules, answers)
    misconceptions = [
        (m, cited)
        for m in rules.misconceptions
        if m.applies(answers) and (cited := citing.applicable(m.evidence, fits))
    ]
    named = {c.id: c.in_sentence for c in rules.channels.channels}
    answered = three_questions.answer(
        rules.three_questions,
        answers,
        scores,
        [(c["channel"], named[c["channel"]]) for c in ranked if c["role"] == "primary"],
        rules.questions,
    )

    return {
        "rules_version": rules.version,
        "verdict": verdict,
        "verdict_label": rules.verdict_labels[verdict],
        "verdict_sentence": scoring.sentence(rules, verdict, blockers, scores),
        "verdict_before_blockers": by_scores,
        "three_questions": answered["three_questions"],
        "checks": answered["checks"],
        "scores": scores,
        "blockers": [{"id": b.id, "message": b.message, "cap": b.cap} for b in blockers],
        "channels": ranked,
        "actions": planned["actions"],
        "principles": planned["principles"],
        "misconceptions": [
            {
                "id": m.id,
                "belief": m.belief,
                "correction": m.correction,
                "evidence": cited,
            }
            for m, cited in misconceptions
        ],
        "regulations": legal,
        "cadence": planned["cadence"],
        "plan_load": planned["plan_load"],
        "fired": [f"blocker:{b.id}" for b in blockers]
        + [f"channel:{r}" for r in channel_rules]
        + [f"action:{a['id']}" for a in planned["actions"]]
        + [f"principle:{p['id']}" for p in planned["principles"]]
        + [f"misconception:{m.id}" for m, _ in misconceptions]
        + [f"regulation:{r['id']}" for r in legal]
        + [f"channel_restricted:{r}" for r in restricted],
    }
