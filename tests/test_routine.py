"""The printed 90 days: weeks repeating the same routine become one row."""

from readiness.routine import routine_rows


def task(id_, hours=1.0, new=False, posts=None, review=False, once=False):
    return {
        "id": id_,
        "title": id_,
        "hours": hours,
        "new": new,
        "posts": posts,
        "review": review,
        "once": once,
    }


def week(number, *tasks):
    return {
        "week": number,
        "starts": None,
        "tasks": list(tasks),
        "hours": sum(t["hours"] for t in tasks),
    }


def test_identical_routine_weeks_are_grouped_with_their_reviews():
    weeks = [week(1, task("a", new=True))]
    weeks += [week(n, task("a"), task("post", 0.5, posts=2)) for n in range(2, 8)]
    weeks[6]["tasks"].append(task("review_8", 0, new=True, review=True))  # week 7 here
    rows = routine_rows(weeks)
    assert [(r["first"], r["last"]) for r in rows] == [(1, 1), (2, 7)]
    assert [r["week"] for r in rows[1]["reviews"]] == [7]
    assert rows[1]["hours"] == 1.5


def test_a_week_that_starts_something_or_changes_posts_is_its_own_row():
    weeks = [
        week(1, task("a", new=True)),
        week(2, task("a"), task("post", 0.25, posts=1, new=True)),
        week(3, task("a"), task("post", 0.5, posts=2)),
        week(4, task("a"), task("post", 0.5, posts=2)),
        week(5, task("a"), task("b", once=True)),  # one-off work under way
        week(6, task("a"), task("b", once=True)),
    ]
    assert [(r["first"], r["last"]) for r in routine_rows(weeks)] == [
        (1, 1),
        (2, 2),
        (3, 4),
        (5, 5),
        (6, 6),
    ]


def test_a_single_week_keeps_its_review_among_its_tasks():
    rows = routine_rows([week(4, task("a"), task("review_4", 0, new=True, review=True))])
    assert rows[0]["reviews"] == [] and rows[0]["tasks"][-1]["id"] == "review_4"
