"""The whole wizard with the keyboard alone, in a real browser at 360 px."""

from tests.browser.conftest import page_width
from tests.conftest import SAMPLE_ANSWERS

FOCUSED = (
    "() => document.activeElement"
    " && (document.activeElement.id || document.activeElement.textContent.trim())"
)


def tab_to(page, target: str, limit: int = 200) -> None:
    """Press Tab until the element with this id (or button text) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == target:
            return
    raise AssertionError(f"{target!r} never received the focus")


def answer(page, question, value) -> None:
    if question.type in ("text", "integer", "decimal"):
        tab_to(page, question.id)
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
    elif question.type == "single":
        index = question.option_values.index(value)
        tab_to(page, f"{question.id}-0")
        page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
    else:
        for item in value:
            tab_to(page, f"{question.id}-{question.option_values.index(item)}")
            page.keyboard.press("Space")


def test_walk_all_six_steps_with_the_keyboard(page, live_server, questionnaire):
    page.goto(live_server + "/")
    tab_to(page, "Commencer le diagnostic")
    page.keyboard.press("Enter")
    for number, step in enumerate(questionnaire.steps, start=1):
        page.wait_for_selector(f"text=Étape {number} sur 6")
        page.evaluate("document.activeElement.blur()")
        for question in step.questions:
            if question.id in SAMPLE_ANSWERS and page.locator(f"[name={question.id}]").count():
                answer(page, question, SAMPLE_ANSWERS[question.id])
        label = "Voir le récapitulatif" if number == 6 else "Suivant"
        tab_to(page, label)
        page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Récapitulatif')")
    summary = page.inner_text("main")
    assert "Boulangerie Martin" in summary
    assert "Fidéliser mes clients" in summary
    assert "3\u00a0h / semaine" in summary
    assert "Étape à compléter" not in summary
    width = page_width(page)
    assert width <= 360, "the summary scrolls sideways at 360 px"
