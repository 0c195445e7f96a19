"""Property-based fuzzing of the API and every form: whatever is sent, never a 5xx.

Requests go straight to the Flask test client (no server). A fixed seed (derandomize)
keeps runs reproducible. ``.ci/run`` sets FUZZ_EXAMPLES=2000 (examples per target and
database); the pre-merge run (CI=true) does 200 and a local run 50, to stay quick.
"""

import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from readiness import passwords
from readiness.extensions import db
from tests.conftest import SAMPLE_ANSWERS, Consultants, Wizard, form_data

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or (200 if os.environ.get("CI") else 50))
fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "9" * 19,
    "9" * 309,
    "9" * 4300,
    "9" * 4301,
    "-" + "9" * 400,
    "1e400",
    "NaN",
    "inf",
    "1,5",
    "0x10",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "'; DROP TABLE clients; --",
    "x" * 25_000,
    "é" * 300,
    "\u202e\u200b",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
big_ints = st.one_of(st.integers(), st.integers(min_value=10**300, max_value=10**4000))


@pytest.fixture
def fuzz_app(app, monkeypatch):
    """The app without limits in the way, and a cheap Argon2 so sign-in attempts are fast
    (same code path). Each client sends one valid CSRF token: we fuzz the fields."""
    app.config.update(
        LOGIN_RATE_LIMIT="1000000 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="1000000 per minute",
        START_RATE_LIMIT="1000000 per minute",
    )
    monkeypatch.setattr(passwords, "hasher", passwords.PasswordHasher(1, 8, 1))
    passwords._dummy_hash.cache_clear()
    yield app
    passwords._dummy_hash.cache_clear()
    with app.app_context():
        db.session.remove()


def csrf(client) -> str:
    return Wizard(client, None).csrf()


def ok(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    response.close()


def question_value(question):
    options = [o.value for o in question.options]
    if question.type == "integer":
        return st.one_of(big_ints.map(str), hostile_text)
    if question.type == "text":
        return hostile_text
    choice = st.one_of(st.sampled_from(options), hostile_text) if options else hostile_text
    if question.type == "multiple":
        return st.lists(choice, max_size=4)
    return choice


def step_data(questionnaire, step_id):
    questions = questionnaire.step(step_id).questions
    return st.fixed_dictionaries({}, optional={q.id: question_value(q) for q in questions}).map(
        form_data
    )


json_values = st.recursive(
    st.none() | st.booleans() | big_ints | st.floats() | hostile_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def api_payloads(draw, questionnaire):
    answers = dict(SAMPLE_ANSWERS)
    for qid in draw(st.lists(st.sampled_from(list(questionnaire.questions)), max_size=5)):
        question = questionnaire.questions[qid]
        answers[qid] = draw(st.one_of(json_values, question_value(question)))
    if draw(st.booleans()):
        answers[draw(st.text(max_size=10))] = draw(json_values)
    return draw(st.sampled_from([answers, draw(json_values)]))


def test_api_score_never_fails(fuzz_app, questionnaire):
    client = fuzz_app.test_client()

    @fuzz
    @given(body=st.one_of(api_payloads(questionnaire).map(json.dumps), st.binary(max_size=200)))
    def check(body):
        ok(client.post("/api/v1/score", data=body, content_type="application/json"))

    check()


def test_every_step_form_never_fails(fuzz_app, questionnaire):
    client = fuzz_app.test_client()
    token = Wizard(client, questionnaire).start()
    token_ = csrf(client)

    @fuzz
    @given(data=st.data(), nav=st.sampled_from(["next", "previous", "x\x00"]))
    def check(data, nav):
        step_id = data.draw(st.sampled_from(questionnaire.step_ids))
        fields = data.draw(step_data(questionnaire, step_id)) + [
            ("nav", nav),
            ("csrf_token", token_),
        ]
        ok(client.post(f"/d/{token}/{step_id}", data=MultiDict(fields)))

    check()


def test_what_if_query_never_fails(fuzz_app, questionnaire):
    client = fuzz_app.test_client()
    token = Wizard(client, questionnaire).complete()
    what_if = [questionnaire.questions[qid] for qid in questionnaire.what_if]

    @fuzz
    @given(query=st.fixed_dictionaries({}, optional={q.id: question_value(q) for q in what_if}))
    def check(query):
        ok(client.get(f"/d/{token}/resultat", query_string=MultiDict(form_data(query))))

    check()


def test_login_form_never_fails(fuzz_app):
    client = fuzz_app.test_client()
    Consultants(fuzz_app, client).create()
    token = csrf(client)

    @fuzz
    @given(
        email=st.one_of(st.emails(), hostile_text, st.just("claire@conseil.fr")),
        password=hostile_text,
    )
    def check(email, password):
        data = {"email": email, "password": password, "csrf_token": token}
        ok(client.post("/connexion", data=data))

    check()


@pytest.fixture
def signed_in(fuzz_app):
    client = fuzz_app.test_client()
    consultants = Consultants(fuzz_app, client)
    consultants.create()
    assert consultants.login().status_code == 302
    return client, consultants


def test_client_form_never_fails(fuzz_app, signed_in):
    client, _ = signed_in
    token = csrf(client)

    @fuzz
    @given(name=hostile_text, contact=hostile_text)
    def check(name, contact):
        data = {"name": name, "contact": contact, "csrf_token": token}
        ok(client.post("/conseil/clients/nouveau", data=data))

    check()


def test_profile_form_never_fails(fuzz_app, signed_in):
    client, _ = signed_in
    token = csrf(client)

    @fuzz
    @given(
        fields=st.fixed_dictionaries(
            {},
            optional={
                "name": hostile_text,
                "firm": hostile_text,
                "contact_email": st.one_of(st.emails(), hostile_text),
                "phone": hostile_text,
                "remove_logo": st.sampled_from(["1", "\x00"]),
            },
        ),
        logo=st.one_of(st.none(), st.binary(max_size=300)),
    )
    def check(fields, logo):
        data = dict(fields, csrf_token=token)
        if logo is not None:
            data["logo"] = (io.BytesIO(logo), "logo.png")
        ok(client.post("/conseil/profil", data=data, content_type="multipart/form-data"))

    check()


def test_client_pages_and_notes_never_fail(fuzz_app, signed_in, questionnaire):
    client, consultants = signed_in
    client_id = consultants.new_client("Garage Lenoir", client=client)
    token = consultants.new_diagnostic(client_id, client=client)
    numbers = st.one_of(big_ints.map(str), hostile_text)
    csrf_token = csrf(client)
    answers = Wizard(client, questionnaire).step_answers("profile", SAMPLE_ANSWERS)

    @fuzz
    @given(
        q=hostile_text,
        tri=st.one_of(st.sampled_from(["recent", "name", "verdict"]), hostile_text),
        page=numbers,
        before=numbers,
        after=numbers,
        note=hostile_text,
    )
    def check(q, tri, page, before, after, note):
        ok(client.get("/conseil/clients", query_string={"q": q, "tri": tri, "page": page}))
        query = {"avant": before, "apres": after}
        ok(client.get(f"/conseil/clients/{client_id}", query_string=query))
        fields = form_data(answers) + [("note", note), ("csrf_token", csrf_token)]
        ok(client.post(f"/d/{token}/profile", data=MultiDict(fields)))

    check()


def test_password_change_form_never_fails(fuzz_app, signed_in):
    client, _ = signed_in
    token = csrf(client)
    passwords_ = st.one_of(hostile_text, st.just("cheval-agrafe-pile-42"))

    @fuzz
    @given(current=passwords_, new=hostile_text, confirm=st.one_of(hostile_text, st.just("=")))
    def check(current, new, confirm):
        data = {"current": current, "new": new, "confirm": new if confirm == "=" else confirm}
        ok(client.post("/conseil/mot-de-passe", data=dict(data, csrf_token=token)))

    check()
