"""« Où en sont les entreprises comme la vôtre ? »: published figures and the community (k ≥ 10)."""

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from readiness import assessments, clients, community, pdf, peers, results
from readiness.content import ContentError
from readiness.extensions import db
from readiness.models import Assessment, Client, Consultant
from tests.conftest import SAMPLE_ANSWERS
from tests.test_pdf import make_report, pdf_text

PEERS_FILE = Path(__file__).parent.parent / "readiness" / "content" / "peers.yaml"


def content(app):
    return app.extensions["peers"], app.extensions["readiness"].questionnaire


def add_finished(sector="restaurant", headcount="micro", overall=50, verdict="go", client_id=None):
    """A finished diagnostic as the community sees it: its group, scores and verdict."""
    assessment = Assessment(
        token=secrets.token_urlsafe(24), questionnaire_version="test", client_id=client_id
    )
    db.session.add(assessment)
    db.session.commit()
    scores = {d: overall for d in community.DIMENSIONS}
    result = {"verdict": verdict, "scores": scores}
    community.record(assessment, {"sector": sector, "headcount": headcount}, result)
    return assessment


def compare(sector="restaurant", headcount="micro"):
    return community.comparison(sector, headcount, {"sector": sector, "headcount": headcount})


# --- content ------------------------------------------------------------------------------


def test_every_reference_has_its_source_year_scope_and_the_page_read(app):
    peers_content, q = content(app)
    for ref in peers_content.references:
        assert ref.url.startswith("https://") and ref.read and ref.scope and ref.source
        assert 2010 <= ref.year <= 2026
    assert set(q.questions["sector"].option_values) <= set(peers_content.sectors)


def broken(tmp_path, app, change):
    data = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "peers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        peers.load_peers(app.extensions["readiness"].questionnaire, path)
    return str(error.value)


def test_content_errors_name_the_problem(tmp_path, app):
    def unknown_size(d):
        d["references"][0]["sizes"] = ["huge"]

    def missing_sector(d):
        del d["sectors"]["restaurant"]

    def missing_size(d):
        del d["sizes"]["solo"]

    def unknown_reference(d):
        d["comparisons"][0]["reference"] = "nowhere"

    def bad_condition(d):
        d["comparisons"][0]["variants"][0]["when"] = {"q": "website", "eq": "brochure"}

    def bad_placeholder(d):
        d["comparisons"][0]["variants"][0]["text"] = "Vous avez {followers} abonnés"

    def not_https(d):
        d["references"][0]["url"] = "http://example.org"

    assert "unknown sizes 'huge'" in broken(tmp_path, app, unknown_size)
    assert "no mapping for 'restaurant'" in broken(tmp_path, app, missing_sector)
    assert "sizes: no mapping for 'solo'" in broken(tmp_path, app, missing_size)
    assert "unknown reference 'nowhere'" in broken(tmp_path, app, unknown_reference)
    assert "no option 'brochure'" in broken(tmp_path, app, bad_condition)
    assert "{followers}" in broken(tmp_path, app, bad_placeholder)
    assert "url" in broken(tmp_path, app, not_https)


# --- published figures (pure) -------------------------------------------------------------


def test_no_profile_yet_is_set_against_the_share_of_microenterprises(app):
    answers = dict(SAMPLE_ANSWERS, sector="restaurant", current_channels=["none"])
    data = peers.published(*content(app), answers)
    texts = " ".join(c["text"] for c in data["comparisons"])
    assert "aucun profil" in texts and "42\u202f%" in texts and "66\u202f%" in texts
    assert data["grid"]["cell"] == "absent"
    assert data["sector_note"] is None
    assert data == peers.published(*content(app), answers)  # same answers, same figures
    for item in data["published"]:
        assert {"text", "figure", "source", "year", "scope"} <= set(item)


def test_a_sector_without_figures_says_so_and_a_pme_gets_pme_figures(app):
    answers = dict(SAMPLE_ANSWERS, sector="industry", headcount="small", monthly_budget=0)
    data = peers.published(*content(app), answers)
    ids = {r["id"] for r in data["published"]}
    assert "insee_2018_companies_networks" in ids and "insee_2024_micro_networks" not in ids
    assert "pas de chiffre propre à votre secteur" in data["sector_note"]
    assert data["categories"]["sector"]["figure"] is False
    assert "10 personnes ou plus" in data["categories"]["size"]
    assert any("aucun budget" in c["text"] for c in data["comparisons"])


@pytest.mark.parametrize(
    ("channels", "who", "hours", "cell"),
    [
        (["google_business"], "owner", 5, "absent"),
        (["facebook"], "owner", 1, "present_quiet"),
        (["facebook"], "nobody", 5, "present_quiet"),
        (["instagram", "facebook"], "owner", 2, "present_active"),
    ],
)
def test_grid_position_from_networks_and_hours(app, channels, who, hours, cell):
    answers = dict(SAMPLE_ANSWERS, current_channels=channels, who=who, hours_per_week=hours)
    grid = peers.published(*content(app), answers)["grid"]
    assert grid["cell"] == cell and "Approximation" in grid["approximation"]
    assert [c["current"] for c in grid["cells"]].count(True) == 1


# --- community: k >= 10, fall-backs, exclusions -------------------------------------------


def test_nine_in_the_whole_instance_shows_nothing(app):
    with app.app_context():
        for _ in range(9):
            add_finished()
        assert compare() is None


def test_ten_in_the_sector_and_size_group(app):
    with app.app_context():
        for score in range(10, 110, 10):
            add_finished(overall=score, verdict="go" if score > 50 else "start_small")
        found = compare()
        assert found["n"] == 10 and found["level"] == "sector_size"
        assert found["group"] == "restaurant · micro"
        assert found["overall"] == {"median": 55.0, "q1": 32.5, "q3": 77.5}
        assert found["verdicts"] == {"go": 50, "start_small": 50, "prepare_first": 0, "not_now": 0}


def test_nine_in_the_group_falls_back_to_the_sector(app):
    with app.app_context():
        for _ in range(9):
            add_finished()
        add_finished(headcount="small")
        found = compare()
        assert (found["level"], found["n"]) == ("sector", 10)
        assert found["group"] == "restaurant, toutes tailles"


def test_then_to_everyone(app):
    with app.app_context():
        for _ in range(9):
            add_finished()
        add_finished(sector="industry", headcount="medium")
        found = compare()
        assert (found["level"], found["n"]) == ("all", 10)
        assert compare("retail", "solo")["level"] == "all"


def test_revoked_and_deleted_diagnostics_leave_the_community(app):
    with app.app_context():
        finished = [add_finished() for _ in range(11)]
        clients.revoke_link(finished[0])
        assert compare()["n"] == 10
        finished[1].updated_at = datetime.now(UTC) - timedelta(days=400)
        db.session.commit()
        assert assessments.purge_anonymous_before(datetime.now(UTC) - timedelta(days=300)) == 1
        assert compare() is None  # 9 left, everywhere
        # Scoring a revoked diagnostic again never brings it back.
        community.record(
            finished[0],
            {"sector": "restaurant", "headcount": "micro"},
            {"verdict": "go", "scores": dict.fromkeys(community.DIMENSIONS, 1)},
        )
        assert compare() is None


def test_deleting_a_client_removes_its_diagnostics(app):
    with app.app_context():
        consultant = Consultant(email="c@x.fr", name="C", password_hash="x")
        db.session.add(consultant)
        db.session.commit()
        client = Client(consultant_id=consultant.id, name="Client")
        db.session.add(client)
        db.session.commit()
        for _ in range(10):
            add_finished()
        add_finished(client_id=client.id)
        assert compare()["n"] == 11
        clients.delete_client(client)
        assert compare()["n"] == 10


def test_below_the_threshold_no_aggregate_is_even_stored(app):
    with app.app_context():
        for _ in range(3):
            add_finished()
        stored = db.session.scalars(select(community.PeerGroupStats)).all()
        assert stored and all(row.stats is None and row.n == 3 for row in stored)


# --- the API, the page and the PDF --------------------------------------------------------


def test_api_score_and_stored_result_carry_peers(client, app, wizard):
    scored = client.post("/api/v1/score", json=SAMPLE_ANSWERS).get_json()
    assert scored["peers"]["community"] is None
    first = scored["peers"]["published"][0]
    assert {"text", "figure", "source", "year", "scope"} <= set(first)
    token = wizard.complete()
    stored = client.get(f"/api/v1/assessments/{token}").get_json()["result"]
    assert stored["peers"]["published"] == scored["peers"]["published"]
    assert stored["verdict"] == scored["verdict"]


def test_completing_a_diagnostic_joins_the_community_and_the_page_shows_it(client, app, wizard):
    with app.app_context():
        for _ in range(9):
            add_finished(sector="food_retail", headcount="micro", overall=40)
    token = wizard.complete()
    html = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    assert "Où en sont les entreprises comme la vôtre" in html
    assert "42\u202f%" in html and "Approximation" in html
    assert "Comparaison avec <strong>10 diagnostics terminés</strong>" in html
    with app.app_context():
        assert compare("food_retail", "micro")["n"] == 10


def test_the_page_says_when_there_are_too_few(client, wizard):
    token = wizard.complete()
    html = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    assert "Pas encore assez de diagnostics terminés" in html and "au moins 10" in html


def test_the_pdf_has_a_compact_peers_section(app):
    answers = app.extensions["readiness"].questionnaire.relevant_answers(SAMPLE_ANSWERS)
    with app.app_context():
        for score in range(10, 110, 10):
            add_finished(sector="food_retail", overall=score)
        report = make_report(app, peers=results.peers_for(answers))
        pages, text = pdf_text(pdf.write_pdf(pdf.plan_html(report), app.static_folder))
        without, _ = pdf_text(
            pdf.write_pdf(pdf.plan_html(dict(report, peers=None)), app.static_folder)
        )
    assert "Où en sont les entreprises comme la vôtre" in text
    assert (
        "Comparaison avec 10 diagnostics terminés (Commerce alimentaire · 1 à 9 salariés)" in text
    )
    assert "Insee, 2024" in text and "Approximation" in text
    assert pages <= without + 1  # compact: at most one more page


def test_portfolio_counts_each_client_once_by_its_latest_diagnostic(app):
    with app.app_context():
        consultant = Consultant(email="p@x.fr", name="P", password_hash="x")
        db.session.add(consultant)
        db.session.commit()
        for name, scores in (("A", (20, 60)), ("B", (80,))):
            client = Client(consultant_id=consultant.id, name=name)
            db.session.add(client)
            db.session.commit()
            for score in scores:
                add_finished(overall=score, client_id=client.id)
        add_finished(overall=5)  # someone else's
        found = community.portfolio(consultant.id)
        assert found["n"] == 2 and found["overall"]["median"] == 70.0


def test_the_consultant_sees_their_portfolio_against_everyone(app, client):
    from tests.conftest import Consultants

    consultants = Consultants(app, client)
    consultant_id = consultants.create()
    consultants.login()
    assert "Aucun de vos clients" in client.get("/conseil/portefeuille").get_data(as_text=True)
    with app.app_context():
        mine = Client(consultant_id=consultant_id, name="Fleuriste")
        db.session.add(mine)
        db.session.commit()
        add_finished(overall=90, client_id=mine.id)
        for _ in range(9):
            add_finished(overall=30)
    html = client.get("/conseil/portefeuille").get_data(as_text=True)
    assert "Votre client" in html and "Les 10 diagnostics de l&#39;outil" in html
    assert (
        '90 <span class="peer-range">(90 à 90)' in html
        and '30 <span class="peer-range">(30 à 30)' in html
    )
    assert "/conseil/portefeuille" in client.get("/conseil/clients").get_data(as_text=True)


def test_rebuild_puts_earlier_diagnostics_in_the_community(app, wizard, runner):
    wizard.complete()
    with app.app_context():
        db.session.execute(community.PeerScore.__table__.delete())
        db.session.commit()
        community.refresh_all()
        assert community._group("all").n == 0
    result = runner.invoke(args=["peers", "rebuild"])
    assert result.exit_code == 0 and "1 diagnostic(s)" in result.output
    with app.app_context():
        assert community._group("all").n == 1


def test_quartiles_from_counts_match_the_expanded_values():
    import random
    from collections import Counter

    rng = random.Random(5)
    for size in (1, 2, 3, 10, 11, 97, 1000):
        values = [rng.randint(0, 100) for _ in range(size)]
        assert community.quartiles_from_counts(Counter(values)) == community.quartiles(values)


def test_rescoring_replaces_the_row_and_moves_it_between_groups(app):
    with app.app_context():
        for _ in range(10):
            add_finished(sector="retail")
        moving = add_finished(sector="retail")
        assert compare("retail")["n"] == 11
        result = {"verdict": "go", "scores": dict.fromkeys(community.DIMENSIONS, 70)}
        community.record(moving, {"sector": "crafts", "headcount": "micro"}, result)
        community.record(moving, {"sector": "crafts", "headcount": "micro"}, result)
        assert compare("retail")["n"] == 10
        assert db.session.scalar(select(func.count()).select_from(community.PeerScore)) == 11
        assert community._group("crafts|micro").n == 1
