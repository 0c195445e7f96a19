"""The wizard walked through the test client: save, resume, back, refresh, two tabs."""

import re

from tests.conftest import SAMPLE_ANSWERS


def saved(client, token):
    return client.get(f"/api/v1/assessments/{token}").get_json()


def test_landing_explains_and_offers_to_start(client):
    html = client.get("/").get_data(as_text=True)
    assert "dizaine de minutes" in html
    assert "Commencer le diagnostic" in html
    assert 'method="post"' in html


def test_start_creates_an_unguessable_token_and_opens_profile(wizard, client):
    response = client.post("/commencer", data={"csrf_token": wizard.csrf()})
    assert response.status_code == 302
    token = response.location.split("/")[-2]
    assert response.location.endswith(f"/d/{token}/profile")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 random bytes = 192 bits


def test_whole_walk_reaches_summary_with_every_answer(wizard, client):
    token = wizard.start()
    for number, step_id in enumerate(wizard.questionnaire.step_ids, start=1):
        page = client.get(f"/d/{token}/{step_id}").get_data(as_text=True)
        assert f"Étape {number} sur 6" in page
        response = wizard.post_step(token, step_id, wizard.step_answers(step_id, SAMPLE_ANSWERS))
        assert response.status_code == 302
    assert response.location.endswith(f"/d/{token}/recapitulatif?enregistre=1")
    summary = client.get(f"/d/{token}/recapitulatif").get_data(as_text=True)
    assert "Boulangerie Martin" in summary
    assert "Fidéliser mes clients" in summary
    assert summary.count("Modifier") >= 6
    assert saved(client, token)["answers"] == SAMPLE_ANSWERS
    assert saved(client, token)["complete"] is True


def test_fresh_client_with_only_the_link_resumes_at_first_unfinished_step(wizard, app):
    token = wizard.start()
    wizard.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    other = app.test_client()
    response = other.get(f"/d/{token}")
    assert response.location.endswith(f"/d/{token}/interest")
    page = other.get(f"/d/{token}/profile").get_data(as_text=True)
    assert 'value="Boulangerie Martin"' in page


def test_resume_goes_to_summary_when_complete(wizard, client):
    token = wizard.complete()
    assert client.get(f"/d/{token}").location.endswith(f"/d/{token}/recapitulatif")


def test_invalid_step_stores_nothing_and_shows_french_errors_next_to_fields(wizard, client):
    token = wizard.start()
    answers = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), local_share="beaucoup")
    answers["company_name"] = ""
    response = wizard.post_step(token, "profile", answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="company_name-erreur"' in html
    assert "Ce champ est obligatoire." in html
    assert "Saisissez un nombre, en chiffres" in html
    assert re.search(r'id="local_share"[^>]*aria-describedby="[^"]*local_share-erreur', html) or (
        'aria-describedby="local_share-aide local_share-erreur"' in html
    )
    assert 'value="Boulangerie' not in html  # nothing typed was lost or invented
    assert saved(client, token)["answers"] == {}


def test_typed_values_are_kept_when_a_step_is_invalid(wizard):
    token = wizard.start()
    answers = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), local_share="120")
    html = wizard.post_step(token, "profile", answers).get_data(as_text=True)
    assert 'value="Boulangerie Martin"' in html
    assert 'value="120"' in html
    assert "Saisissez un nombre entre 0 et 100." in html


def test_post_without_csrf_token_is_refused_in_french(wizard, client):
    token = wizard.start()
    answers = wizard.step_answers("profile", SAMPLE_ANSWERS)
    response = wizard.post_step(token, "profile", answers, csrf=False)
    assert response.status_code == 400
    assert "Rechargez la page" in response.get_data(as_text=True)
    assert saved(client, token)["answers"] == {}


def test_unknown_or_malformed_token_and_unknown_step_answer_french_404(wizard, client):
    token = wizard.start()
    for path in ("/d/inconnu", "/d/" + "A" * 32, f"/d/{token}/etape-inconnue", "/d/x/profile"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)


def test_refresh_and_double_submit_keep_one_copy_of_the_answers(wizard, client):
    token = wizard.start()
    answers = wizard.step_answers("profile", SAMPLE_ANSWERS)
    first = wizard.post_step(token, "profile", answers)
    second = wizard.post_step(token, "profile", answers)
    assert first.location == second.location
    assert client.get(f"/d/{token}/profile").status_code == 200
    assert saved(client, token)["answers"] == answers


def test_previous_saves_a_valid_step_and_goes_back(wizard, client):
    token = wizard.start()
    wizard.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    interest = wizard.step_answers("interest", SAMPLE_ANSWERS)
    response = wizard.post_step(token, "interest", interest, nav="previous")
    assert response.location.endswith(f"/d/{token}/profile?enregistre=1")
    assert saved(client, token)["answers"]["goals"] == ["loyalty", "awareness"]


def test_previous_keeps_what_was_typed_without_storing_an_invalid_step(wizard, client):
    token = wizard.start()
    wizard.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    response = wizard.post_step(token, "interest", {"goals": ["sales"]}, nav="previous")
    assert response.location.endswith(f"/d/{token}/profile")
    assert "goals" not in saved(client, token)["answers"]
    page = client.get(f"/d/{token}/interest").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*value="sales"|<input[^>]*value="sales"[^>]*checked', page
    )


def test_two_tabs_saving_different_steps_lose_nothing(wizard, app):
    token = wizard.start()
    tab_a, tab_b = wizard, type(wizard)(app.test_client(), wizard.questionnaire)
    tab_a.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    tab_b.post_step(token, "interest", wizard.step_answers("interest", SAMPLE_ANSWERS))
    changed = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), company_name="Chez Paul")
    tab_a.post_step(token, "profile", changed)
    answers = saved(app.test_client(), token)["answers"]
    assert answers["company_name"] == "Chez Paul"
    assert answers["goals"] == SAMPLE_ANSWERS["goals"]


def test_later_save_of_the_same_step_wins(wizard, app):
    token = wizard.start()
    tab_b = type(wizard)(app.test_client(), wizard.questionnaire)
    profile = wizard.step_answers("profile", SAMPLE_ANSWERS)
    wizard.post_step(token, "profile", profile)
    tab_b.post_step(token, "profile", dict(profile, local_share=10))
    assert saved(app.test_client(), token)["answers"]["local_share"] == 10


def test_conditional_question_appears_only_with_a_website(wizard, client):
    token = wizard.start()
    profile = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), website="none")
    wizard.post_step(token, "profile", profile)
    assert 'name="website_tracking"' not in client.get(f"/d/{token}/readiness").get_data(
        as_text=True
    )
    readiness = wizard.step_answers("readiness", SAMPLE_ANSWERS)
    del readiness["website_tracking"]
    assert wizard.post_step(token, "readiness", readiness).status_code == 302
    wizard.post_step(token, "profile", dict(profile, website="current"))
    page = client.get(f"/d/{token}/readiness").get_data(as_text=True)
    assert 'name="website_tracking"' in page
    assert "readiness" not in saved(client, token)["completed_steps"]


def test_conditional_question_is_required_when_it_applies(wizard):
    token = wizard.start()
    wizard.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    readiness = wizard.step_answers("readiness", SAMPLE_ANSWERS)
    del readiness["website_tracking"]
    response = wizard.post_step(token, "readiness", readiness)
    assert response.status_code == 422
    assert 'id="website_tracking-erreur"' in response.get_data(as_text=True)


def test_markup_in_answers_shows_as_text(wizard, client):
    answers = dict(SAMPLE_ANSWERS, company_name="<script>alert(1)</script> & <b>Boulangerie</b>")
    token = wizard.complete(answers)
    html = client.get(f"/d/{token}/recapitulatif").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Boulangerie&lt;/b&gt;" in html


def test_choice_groups_are_fieldsets_with_legends_and_inputs_have_labels(wizard, client):
    token = wizard.start()
    html = client.get(f"/d/{token}/interest").get_data(as_text=True)
    assert html.count("<fieldset") == html.count("<legend>") == 7
    for input_id in re.findall(r'<input[^>]*type="(?:radio|checkbox)"[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
