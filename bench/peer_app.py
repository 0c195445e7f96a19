"""The bare peer of the benchmark: the same libraries as the app, nothing else.

``/page`` renders a small Jinja page; ``/step/<token>`` is a five-field Flask-WTF form (CSRF on)
whose valid POST upserts one SQLAlchemy row, commits and redirects. ``bench/step_bench.py``
serves it with gunicorn next to the app: ``gunicorn -w 2 'bench.peer_app:app'``.
Settings: PEER_DATABASE_URL (SQLite file or PostgreSQL), SECRET_KEY.
"""

import os
import sqlite3
from pathlib import Path

from flask import Flask, redirect, render_template, url_for
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from sqlalchemy import JSON, String, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import IntegerField, RadioField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Answer(db.Model):
    __tablename__ = "peer_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StepForm(FlaskForm):
    who = RadioField(
        "Qui ?",
        choices=["nobody", "owner", "employee", "hire", "freelance_agency"],
        validators=[InputRequired()],
    )
    hours_per_week = IntegerField("Heures", validators=[InputRequired(), NumberRange(0, 40)])
    monthly_budget = IntegerField("Budget", validators=[InputRequired(), NumberRange(0, 100000)])
    training_need = RadioField(
        "Formation ?", choices=["none", "some", "full"], validators=[InputRequired()]
    )
    equipment = Checkboxes(
        "Équipement",
        choices=["smartphone", "computer", "camera", "editing_tools", "none"],
        validators=[InputRequired()],
    )


app = Flask(__name__, template_folder=str(Path(__file__).parent / "peer_templates"))
app.config.update(
    SECRET_KEY=os.environ.get("SECRET_KEY", "peer-secret-key-long-enough-0123456789abcdef"),
    SQLALCHEMY_DATABASE_URI=os.environ.get("PEER_DATABASE_URL", "sqlite:///peer.sqlite3"),
    SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    WTF_CSRF_TIME_LIMIT=None,
)
db.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """The same SQLite settings as the app (WAL, busy timeout, synchronous=NORMAL)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute(f"PRAGMA synchronous={os.environ.get('PEER_SQLITE_SYNCHRONOUS', 'NORMAL')}")
        cursor.close()


ITEMS = [f"Élément {i}" for i in range(20)]


@app.get("/page")
def page():
    return render_template("page.html", title="Page nue", items=ITEMS)


@app.route("/step/<token>", methods=["GET", "POST"])
def step(token: str):
    form = StepForm()
    if form.validate_on_submit():
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        values = {k: v for k, v in form.data.items() if k != "csrf_token"}
        statement = insert(Answer).values(token=token, answers=values)
        statement = statement.on_conflict_do_update(
            index_elements=["token"], set_={"answers": values}
        )
        db.session.execute(statement)
        db.session.commit()
        return redirect(url_for("page"))
    return render_template("step.html", form=form)


def init_db() -> None:
    """Create the table (once, before the workers start)."""
    with app.app_context():
        db.create_all()
        db.engine.dispose()
