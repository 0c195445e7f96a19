"""A whole consultant meeting in a real browser: log in, new client, wizard with notes,
result, PDF download."""

from tests.browser.conftest import answer_step, small_tap_targets
from tests.conftest import PASSWORD, SAMPLE_ANSWERS


def fill_step(page, step, answers, note=None):
    answer_step(page, step, answers)
    if note:
        assert not page.is_visible("#note")  # folded: the screen can be shown to the client
        page.click("summary:has-text('Note privée')")
        page.fill("#note", note)


def log_in_and_add_a_client(page, live_server, email=None) -> None:
    """Claire signs in and creates the client « Boulangerie Martin », whose page opens."""
    page.goto(live_server + "/connexion")
    page.fill("#email", "claire@conseil.fr")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_selector("h1:has-text('Mes clients')")
    page.click("text=Nouveau client")
    page.fill("#name", "Boulangerie Martin")
    if email:
        page.fill("#email", email)
    page.click("button:has-text('Enregistrer')")
    page.wait_for_selector("h1:has-text('Boulangerie Martin')")


def test_a_consultant_runs_a_meeting(page, live_server, consultants, questionnaire, tmp_path):
    consultants.create()
    log_in_and_add_a_client(page, live_server)
    page.click("button:has-text('Commencer en réunion')")
    for number, step in enumerate(questionnaire.steps, start=1):
        page.wait_for_selector(f"text=Étape {number} sur 6")
        assert page.is_visible("text=Mode réunion")
        assert small_tap_targets(page) == [], f"step {number} in a meeting"
        note = "Le client hésite sur le budget." if step.id == "resources" else None
        fill_step(page, step, SAMPLE_ANSWERS, note)
        page.click("button[value=next]")
    page.wait_for_selector("h1:has-text('Récapitulatif')")
    page.click("text=Voir mon résultat")
    page.wait_for_selector("text=Vos scores")
    page.click("#scores-title + details > summary")  # folded on a phone
    assert page.is_visible("svg.radar")
    from pypdf import PdfReader

    texts = {}
    for label in ("Plan pour le client (PDF)", "Copie interne avec mes notes (PDF)"):
        with page.expect_download() as download_info:
            page.click(f"text={label}")
        download = download_info.value
        assert download.suggested_filename.startswith("plan-action-boulangerie-martin-")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        texts[label] = "".join(p.extract_text() for p in PdfReader(path).pages)
    client_text, internal_text = texts.values()
    assert "Claire Durand" in client_text and "Le client hésite" not in client_text
    assert "Le client hésite sur le budget." in internal_text
    page.goto(live_server + "/conseil/clients")
    page.click("text=Boulangerie Martin")
    # static/app.js loaded under CSP adds the button (waited for: the click does not wait
    # for the new page's scripts, and is_visible alone raced them under load)
    page.wait_for_selector("button:has-text('Copier le lien')", state="visible", timeout=10_000)


def pdf_of(page, label, tmp_path) -> str:
    from pypdf import PdfReader

    with page.expect_download() as download_info:
        page.click(f"text={label}")
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return " ".join(p.extract_text() for p in PdfReader(path).pages).replace("\u00a0", " ")


def run_wizard(page, questionnaire, answers, note=None):
    for number, step in enumerate(questionnaire.steps, start=1):
        page.wait_for_selector(f"text=Étape {number} sur 6")
        fill_step(page, step, answers, note if step.id == "resources" else None)
        page.click("button[value=next]")
    page.wait_for_selector("h1:has-text('Récapitulatif')")
    page.click("text=Voir mon résultat")
    page.wait_for_selector("text=Vos scores")


def test_two_meetings_three_months_apart(
    page, live_server, consultants, questionnaire, tmp_path, smtp_server
):
    consultants.create()
    log_in_and_add_a_client(page, live_server, email="martin@example.fr")

    # First meeting: the wizard with a private note, both PDFs.
    page.click("button:has-text('Commencer en réunion')")
    page.wait_for_selector("text=Étape 1 sur 6")
    assert page.input_value("#company_name") == "Boulangerie Martin"  # from the client record
    answers = dict(SAMPLE_ANSWERS, company_name="Boulangerie Martin")
    run_wizard(page, questionnaire, answers, note="Ne veut pas se montrer en photo.")
    client_text = pdf_of(page, "Plan pour le client (PDF)", tmp_path)
    internal_text = pdf_of(page, "Copie interne avec mes notes (PDF)", tmp_path)
    assert "Ne veut pas se montrer" not in client_text
    assert "Ne veut pas se montrer en photo." in internal_text

    # On the client page: the meeting dates, then the plan is e-mailed.
    page.goto(live_server + "/conseil/clients")
    page.click("text=Boulangerie Martin")
    page.fill("#meeting_on", "2026-08-20")
    page.fill("#next_meeting_on", "2026-11-20")
    page.click("button:has-text('Enregistrer les dates')")
    page.wait_for_selector("text=Dates de rendez-vous enregistrées.")
    assert page.is_visible("text=Rendez-vous du 20 août 2026")
    page.click("button:has-text('Envoyer le plan et le lien par e-mail')")
    page.wait_for_selector("text=Envoyé à martin@example.fr")
    [message] = smtp_server.messages
    assert message["To"] == "martin@example.fr"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".pdf")
    assert page.is_visible("text=Historique des envois")

    # Between the meetings: the first action is done, the second under way.
    selects = page.locator("table.follow-up select")
    first_action = page.locator("table.follow-up tbody th").first.inner_text()
    selects.nth(0).select_option("done")
    selects.nth(1).select_option("in_progress")
    page.locator("table.follow-up input[type=text]").nth(1).fill("Fiche Google en cours")
    page.click("button:has-text('Enregistrer le suivi')")
    page.wait_for_selector("text=Suivi des actions enregistré.")

    # Three months later: a re-assessment with more time and an up-to-date website.
    page.click("button:has-text('Commencer en réunion')")
    page.wait_for_selector("text=Étape 1 sur 6")
    later = dict(answers, hours_per_week=6, website="current")
    run_wizard(page, questionnaire, later)
    text = pdf_of(page, "Plan pour le client (PDF)", tmp_path)
    assert "Depuis votre dernier rendez-vous" in text and "Vos progrès" in text
    assert "Faite" in text and "Réponse qui a changé" in text
    assert "Ne veut pas se montrer" not in text
    page.goto(live_server + "/conseil/clients")
    page.click("text=Boulangerie Martin")
    page.fill("#meeting_on", "2026-11-20")
    page.click("button:has-text('Enregistrer les dates')")
    page.wait_for_selector("text=Dates de rendez-vous enregistrées.")
    assert page.is_visible("h2:has-text('Depuis le diagnostic précédent')")
    assert page.locator("text=Faite").first.is_visible()
    assert (
        first_action
        in page.locator("section:has(h2:has-text('Depuis le diagnostic'))").inner_text()
    )
    page.screenshot(path=str(tmp_path / "client.png"), full_page=True)
