"""A baker's day on a 360 px phone: start, stop after step 3, e-mail the link, resume the
next day from the home page, finish, read « Cette semaine », download the PDF, erase.

The axe-core audit runs on every page visited when axe-core is installed (.ci/run installs
it; elsewhere: ``npm install axe-core`` in /tmp/axe, or set AXE_JS to axe.min.js).
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import answer_step, page_width, small_tap_targets, styled
from tests.conftest import SAMPLE_ANSWERS

AXE_JS = Path(os.environ.get("AXE_JS", "/tmp/axe/node_modules/axe-core/axe.min.js"))
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to look at the pages afterwards
WIDTH, HEIGHT = 360, 800
# The baker types numbers as people do in France.
BAKER = dict(SAMPLE_ANSWERS, hours_per_week="1,5", monthly_budget="50 €")
VIOLATIONS = """async () => {
  const found = await axe.run(document, {resultTypes: ["violations"]});
  return found.violations.map(v => v.id + " — " + v.nodes.map(n => n.target.join(" ")).join(", "));
}"""


@pytest.fixture
def phone(browser):
    """A 360 px phone whose pages accept the axe script despite the CSP."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        locale="fr-FR",
        bypass_csp=True,
        accept_downloads=True,
    )
    yield context
    context.close()


def axe_available() -> bool:
    if AXE_JS.exists():
        return True
    if os.environ.get("CI"):
        pytest.fail(f"axe-core is missing at {AXE_JS}: .ci/run installs it")
    return False


def check(page, name: str, audits: dict) -> None:
    """No sideways scroll, a screenshot when asked, and the axe audit when available."""
    assert page_width(page) <= WIDTH, name
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
    if audits is not None:
        page.add_script_tag(path=str(AXE_JS))
        audits[name] = page.evaluate(VIOLATIONS)


def next_step(page) -> None:
    page.click("button[name=nav][value=next]")


def test_a_bakers_day_on_a_phone(app, browser, phone, live_server, smtp_server, questionnaire):
    app.config["PUBLIC_URL"] = live_server
    audits = {} if axe_available() else None
    steps = questionnaire.steps
    page = phone.new_page()

    # Morning: start, answer three steps, stop.
    page.goto(live_server + "/")
    check(page, "01-accueil", audits)
    page.click("text=Commencer le diagnostic")
    page.wait_for_selector("text=Étape 1 sur 6")
    assert page.is_visible("text=questions, environ")
    next_step(page)  # nothing answered: the errors come first, with the focus
    page.wait_for_selector(".error-summary")
    assert page.title().startswith("Erreur : ")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    check(page, "02-erreurs", audits)
    page.click(".error-summary a[href='#sector-0']")
    assert page.evaluate("document.activeElement.id") == "sector-0"
    for number, step in enumerate(steps[:3], start=1):
        page.wait_for_selector(f"text=Étape {number} sur 6")
        assert small_tap_targets(page) == [], f"step {number}"
        answer_step(page, step, BAKER)
        next_step(page)
    page.wait_for_selector("text=Étape 4 sur 6")
    assert page.is_visible("text=Réponses enregistrées.")
    styled(page)
    box = page.locator(".private-link")
    assert box.bounding_box()["y"] < HEIGHT, "the private link is not at the top"
    token = re.search(r"/d/([A-Za-z0-9_-]{32})/", page.url).group(1)
    check(page, "03-etape-4-lien", audits)

    # E-mail the link to herself.
    page.click("text=M’envoyer le lien par e-mail")
    page.fill("#lien-email", "boulangerie.martin@example.fr")
    page.click(".send-link button[type=submit]")
    page.wait_for_selector("text=Le lien a été envoyé")
    assert len(smtp_server.messages) == 1
    body = smtp_server.messages[0].get_content()
    link = re.search(r"http://\S+/d/[A-Za-z0-9_-]{32}", body).group(0)
    assert link.endswith(token)
    page.close()

    # Next day, on another browser (no cookie): the home page, the pasted link.
    next_day = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        locale="fr-FR",
        bypass_csp=True,
        accept_downloads=True,
    )
    page = next_day.new_page()
    page.goto(live_server + "/")
    page.fill("#lien", link[: len(link) - 5])  # a truncated paste first
    page.click("button:has-text('Reprendre')")
    page.wait_for_selector("text=incomplet")
    assert page.title().startswith("Erreur : ")
    check(page, "04-lien-incomplet", audits)
    page.fill("#lien", f"  {link} ")
    page.click("button:has-text('Reprendre')")
    page.wait_for_selector("text=Étape 4 sur 6")
    for number, step in enumerate(steps[3:], start=4):
        page.wait_for_selector(f"text=Étape {number} sur 6")
        if step.id == "resources":
            check(page, "05-ressources", audits)
        assert small_tap_targets(page) == [], f"step {number}"
        answer_step(page, step, BAKER)
        next_step(page)
    page.wait_for_selector("h1:has-text('Récapitulatif')")
    assert "1,5\u00a0h / semaine" in page.inner_text("main")
    check(page, "06-recapitulatif", audits)
    page.click("text=Voir mon résultat >> nth=0")

    # The result: this week first.
    page.wait_for_selector("#semaine-title")
    styled(page)
    first_task = page.locator(".tasks li").first.bounding_box()
    assert first_task["y"] + first_task["height"] <= 1.5 * HEIGHT, first_task
    tasks = page.locator(".tasks li").all_inner_texts()
    assert 1 <= len(tasks) <= 3 and all(re.search(r"\d+\s(min|h)", t) for t in tasks), tasks
    check(page, "07-resultat", audits)
    page.fill("#hours_per_week", "2,5")
    page.click("text=Simuler")
    page.wait_for_selector(".scenario-outcome")
    assert page.url.endswith("#et-si")
    assert page.is_visible("text=Télécharger le plan simulé (PDF)")
    check(page, "08-simulation", audits)
    page.click("text=Revenir à mon résultat enregistré")
    with page.expect_download() as download:
        page.click("text=Télécharger mon plan d’action (PDF)")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # Erase.
    page.click("text=Supprimer mon diagnostic")
    page.wait_for_selector("text=ne peut pas être annulé")
    check(page, "09-supprimer", audits)
    page.click("text=Oui, supprimer mon diagnostic")
    page.wait_for_selector("text=Votre diagnostic a été supprimé")
    assert page.goto(link).status == 404
    next_day.close()

    if audits is not None:
        assert {name: found for name, found in audits.items() if found} == {}
