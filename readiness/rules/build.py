"""Turn validated rule files into the plain structures of ``compiled``, once per load."""

from typing import Any

from readiness.content import Questionnaire
from readiness.rules import compiled
from readiness.rules.predicates import compile_condition, compile_true_leaves
from readiness.rules.schema import DIMENSIONS, VERDICTS


def rules(files: dict[str, Any], questionnaire: Questionnaire) -> compiled.Rules:
    """Precompute everything ``evaluate`` needs; the files are already checked."""
    scoring, actions = files["scoring"], files["actions"]
    evidence = _evidence(files["evidence"])
    questions = questionnaire.questions
    ordered = sorted(actions.actions, key=lambda a: (a.priority, a.id))
    return compiled.Rules(
        version=scoring.version,
        verdict_order=VERDICTS,
        verdict_labels={v.id: v.label for v in scoring.verdicts},
        verdict_sentences={v.id: v.sentence for v in scoring.verdicts},
        weakest_sentences={v.id: dict(v.weakest) for v in scoring.verdicts},
        thresholds=tuple((t.verdict, t.min_overall, t.min_each) for t in scoring.thresholds),
        weights={d: scoring.weights[d] for d in DIMENSIONS},
        dimensions=tuple(_dimension(d, questions) for d in scoring.dimensions),
        channel_score_top=scoring.channel_score_top,
        blockers=tuple(
            compiled.Blocker(b.id, _predicate(b.when), b.cap, b.message, b.sentence)
            for b in scoring.blockers
        ),
        channels=_channels(files["channels"]),
        actions=tuple(_action(a, evidence) for a in ordered),
        weeks=actions.weeks,
        publishing=_publishing(actions.publishing, evidence),
        advice=actions.advice.model_dump(),
        misconceptions=tuple(
            compiled.Misconception(
                m.id, _predicate(m.when), m.belief, m.correction, _cite(m.evidence, evidence)
            )
            for m in files["misconceptions"].misconceptions
        ),
        evidence=evidence,
        audiences={a: _predicate(c) for a, c in files["evidence"].audiences.items()},
        age_warning=files["evidence"].age_warning.model_dump(),
        questions={
            q.id: compiled.QuestionText(q.label, {o.value: o.label for o in q.options}, q.unit)
            for q in questions.values()
        },
    )


def _predicate(condition: dict[str, Any]) -> compiled.Predicate:
    return compile_condition(condition)


def _evidence(catalogue: Any) -> dict[str, dict[str, Any]]:
    return {
        e.id: {
            "id": e.id,
            "kind": e.kind,
            "audience": e.audience,
            "geography": e.geography,
            "text": e.text,
            "figure": e.figure,
            "source": e.source,
            "year": e.year,
            "article": catalogue.articles[e.article],
        }
        for e in catalogue.evidence
    }


def _cite(ids: tuple[str, ...], evidence: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    return tuple(evidence[i] for i in ids)


def _dimension(dimension: Any, questions: dict[str, Any]) -> compiled.DimensionScale:
    items = tuple(_score_item(item, questions[item.q].type) for item in dimension.items)
    low = sum(item.low for item in items)
    high = sum(item.high for item in items)
    return compiled.DimensionScale(dimension.id, items, low, max(high, low + 1))


def _score_item(item: Any, kind: str) -> compiled.ScoreItem:
    bands = item.bands or ()
    table = dict(item.points or {})
    if kind == "integer":
        low, high = min(b.points for b in bands), max(b.points for b in bands)
    elif kind == "single":
        low, high = min(table.values()), max(table.values())
    else:
        low = sum(p for p in table.values() if p < 0)
        high = sum(p for p in table.values() if p > 0)
        high = high if item.max is None else min(high, item.max)
    # A conditional question that did not apply gets its `absent` points.
    absent = low if item.absent is None else item.absent
    return compiled.ScoreItem(
        question=item.q,
        kind=kind,
        table=table,
        band_mins=tuple(b.min for b in bands),
        band_points=tuple(b.points for b in bands),
        cap=item.max,
        absent=absent,
        low=min(low, absent),
        high=max(high, absent),
    )


def _channels(channels: Any) -> compiled.ChannelRules:
    return compiled.ChannelRules(
        channels=tuple(
            compiled.Channel(
                c.id,
                c.label,
                c.in_sentence or c.label,
                c.base,
                c.posts,
                c.why_not,
                tuple(
                    compiled.ChannelRule(f"{c.id}.{r.id}", _predicate(r.when), r.points, r.reason)
                    for r in c.rules
                ),
            )
            for c in channels.channels
        ),
        primary_min=channels.primary_min,
        avoid_below=channels.avoid_below,
        max_by_headcount=dict(channels.max_primary.headcount),
        max_secondary=dict(channels.max_secondary),
        avoid_reasons=channels.avoid_reasons.model_dump(),
        hours_mins=tuple(b.min for b in channels.max_primary.hours_per_week),
        max_by_hours=tuple(b.primary for b in channels.max_primary.hours_per_week),
    )


def _action(action: Any, evidence: dict[str, Any]) -> compiled.Action:
    return compiled.Action(
        id=action.id,
        priority=action.priority,
        horizon=action.horizon,
        title=action.title,
        why=action.why,
        minutes=round(action.hours_per_week * 60),
        once_minutes=round(action.hours_once * 60),
        eur=action.eur_per_month,
        kpi=action.kpi,
        applies=_predicate(
            action.when if action.requires is None else {"all": [action.requires, action.when]}
        ),
        true_leaves=compile_true_leaves(action.when),
        verdicts=frozenset(action.verdicts),
        evidence=_cite(action.evidence, evidence),
        boosts=tuple(
            compiled.Boost(_predicate(b.when), b.priority, b.horizon) for b in action.boosts
        ),
        variants=tuple(
            compiled.Variant(
                _predicate(v.when),
                {k: t for k in ("title", "why", "kpi") if (t := getattr(v, k)) is not None},
            )
            for v in action.variants
        ),
        principle=action.principle,
    )


def _publishing(publishing: Any, evidence: dict[str, Any]) -> compiled.Publishing:
    return compiled.Publishing(
        id=publishing.id,
        priority=publishing.priority,
        horizon=publishing.horizon,
        active_priority=publishing.active_priority,
        title=publishing.title,
        scope_one=publishing.scope_one,
        scope_several=publishing.scope_several,
        why=publishing.why,
        kpi=publishing.kpi,
        evidence=_cite(publishing.evidence, evidence),
        minutes=round(publishing.hours_per_post * 60),
        reserve_posts=publishing.reserve_posts,
        max_posts=publishing.max_posts,
        max_by_verdict=dict(publishing.max_posts_by_verdict),
        reasons=dict(publishing.reasons),
        busy_cap=compiled.Blocker(
            id="no_time_to_publish",
            applies=lambda answers: True,
            cap=publishing.busy_cap.cap,
            message=publishing.busy_cap.message,
            sentence=publishing.busy_cap.sentence,
        ),
    )
