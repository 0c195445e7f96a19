"""Step forms built at run time from the questionnaire (one field per question)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from readiness.content import Question, Questionnaire, Step
from readiness.formatting import fr_number
from readiness.numbers import NumberError, parse_number, plain
from readiness.safe_input import SafeForm

REQUIRED_TEXT = "Ce champ est obligatoire."
REQUIRED_CHOICE = "Choisissez une réponse."
REQUIRED_SEVERAL = "Cochez au moins une réponse."


class FrenchNumberField(Field):
    """A number typed as text the French way (« 1,5 », « 1 000 € »), read on the server.

    A text input, not ``type=number``: browsers silently drop a decimal comma there.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, question: Question | None = None, **kw):
        super().__init__(label, validators, **kw)
        self.question = question
        self.raw = None

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else None
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            self.raw_data = []  # blank counts as not answered: InputRequired says so
            return
        self.data = None
        q = self.question
        try:
            number = parse_number(valuelist[0], integer=q.type == "integer")
        except NumberError as error:
            raise ValueError(str(error)) from None
        if not q.min <= number <= q.max:
            raise ValueError(f"Saisissez un nombre entre {fr_number(q.min)} et {fr_number(q.max)}.")
        if q.step and (number / Decimal(str(q.step))) % 1:
            raise ValueError(f"Arrondissez à {fr_number(q.step, 2)} près (par exemple 1,5 ou 2).")
        self.data = plain(number)

    def _value(self):
        if self.raw is not None:
            return self.raw  # what was typed, kept as typed when it needs correcting
        return fr_number(self.data, 2) if self.data is not None else ""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the parse error says it all


class CheckboxesField(SelectMultipleField):
    """Several-of question: a list of checkboxes sharing one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StepForm(SafeForm):
    pass


def _exclusive(question: Question):
    exclusive = {o.value: o.label for o in question.options if o.exclusive}

    def check(form, field):
        picked = field.data or []
        for value, label in exclusive.items():
            if value in picked and len(picked) > 1:
                raise ValidationError(f"« {label} » ne peut pas être coché avec d’autres réponses.")

    return check


def build_field(question: Question) -> Field:
    """The WTForms field for one question, with French messages."""
    choices = [SelectChoice(o.value, o.label) for o in question.options]
    if question.type == "text":
        required = DataRequired(REQUIRED_TEXT) if question.required else Optional()
        length = Length(
            max=question.max_length,
            message=f"{question.max_length} caractères au maximum.",
        )
        return StringField(
            question.label,
            validators=[required, length],
            filters=[lambda v: v.strip() if isinstance(v, str) else v],
        )
    if question.is_number:
        required = InputRequired(REQUIRED_TEXT) if question.required else Optional()
        return FrenchNumberField(question.label, validators=[required], question=question)
    if question.type == "single":
        required = InputRequired(REQUIRED_CHOICE) if question.required else Optional()
        return RadioField(
            question.label, choices=choices, validators=[required], validate_choice=True
        )
    required = InputRequired(REQUIRED_SEVERAL) if question.required else Optional()
    return CheckboxesField(
        question.label, choices=choices, validators=[required, _exclusive(question)]
    )


_form_classes: dict[tuple, type[StepForm]] = {}


def _form_class(questionnaire: Questionnaire, step_id: str, question_ids: tuple[str, ...]):
    """One form class per step and set of applicable questions, built once."""
    key = (id(questionnaire), step_id, question_ids)
    if key not in _form_classes:
        fields = {qid: build_field(questionnaire.questions[qid]) for qid in question_ids}
        _form_classes[key] = type(f"{step_id.title()}Form", (StepForm,), fields)
    return _form_classes[key]


def relevant_questions(
    questionnaire: Questionnaire, step: Step, context: Mapping[str, Any]
) -> tuple[Question, ...]:
    """The questions of ``step`` that apply given the answers in ``context``."""
    return tuple(q for q in step.questions if questionnaire.is_relevant(q, context))


def raw_step_values(step: Step, formdata: MultiDict | None) -> dict[str, Any]:
    """What the visitor typed for this step, loosely typed, to decide relevance live."""
    if not formdata:
        return {}
    values: dict[str, Any] = {}
    for q in step.questions:
        if q.id not in formdata:
            continue
        if q.type == "multiple":
            values[q.id] = formdata.getlist(q.id)
        elif q.is_number:
            try:
                values[q.id] = plain(parse_number(formdata.get(q.id, ""), integer=False))
            except NumberError:
                continue
        else:
            values[q.id] = formdata.get(q.id)
    return values


def make_step_form(
    questionnaire: Questionnaire,
    step: Step,
    saved: Mapping[str, Any],
    formdata: MultiDict | None = None,
    csrf: bool = True,
) -> StepForm:
    """The form of ``step``: relevant questions only, pre-filled from saved answers."""
    context = {**saved, **raw_step_values(step, formdata)}
    questions = relevant_questions(questionnaire, step, context)
    cls = _form_class(questionnaire, step.id, tuple(q.id for q in questions))
    data = {q.id: saved[q.id] for q in questions if q.id in saved}
    for q in questions:  # never answered: tick what the other answers suggest
        if q.id not in saved and questionnaire.suggested(q, saved):
            data[q.id] = questionnaire.suggested(q, saved)
    meta = {} if csrf else {"csrf": False}
    if formdata is None:
        return cls(formdata=None, data=data, meta=meta)
    return cls(formdata=formdata, meta=meta)


def cleaned_answers(form: StepForm) -> dict[str, Any]:
    """The validated answers of a form, keyed by question id."""
    return {
        name: field.data
        for name, field in form._fields.items()
        if name != "csrf_token" and field.data not in (None, "")
    }


def make_whatif_form(
    questionnaire: Questionnaire, answers: Mapping[str, Any], formdata: MultiDict | None
) -> StepForm:
    """The "Et si… ?" form: a few questions, pre-filled with the saved answers (GET, no CSRF)."""
    cls = _form_class(questionnaire, "what_if", questionnaire.what_if)
    if formdata is None:
        data = {qid: answers[qid] for qid in questionnaire.what_if if qid in answers}
        return cls(formdata=None, data=data, meta={"csrf": False})
    return cls(formdata=formdata, meta={"csrf": False})


def whatif_answers(form: StepForm, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The saved answers with the simulated ones laid over them."""
    return {**answers, **cleaned_answers(form)}


def validate_payload(
    questionnaire: Questionnaire, payload: Any
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate a whole answers dict (API, CLI) with the same forms as the wizard."""
    if not isinstance(payload, Mapping):
        return {}, {"answers": ["Un objet JSON { question: réponse } est attendu."]}
    errors: dict[str, list[str]] = {}
    formdata = MultiDict()
    for qid, value in payload.items():
        question = questionnaire.questions.get(qid)
        if question is None:
            errors[qid] = ["Question inconnue."]
        elif question.type == "multiple":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[qid] = ["Une liste de réponses est attendue."]
            else:
                formdata.setlist(qid, value)
        elif isinstance(value, bool | list | dict) or value is None:
            errors[qid] = ["Une réponse simple (texte ou nombre) est attendue."]
        else:
            formdata.add(qid, str(value))
    answers: dict[str, Any] = {}
    for step in questionnaire.steps:
        form = make_step_form(questionnaire, step, answers, formdata, csrf=False)
        if not form.validate():
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(messages)
        answers.update(cleaned_answers(form))
    return (answers if not errors else {}), errors


# (id(question), field id, name, required) → (question, [(value, HTML after « checked »)])
_choice_fragments: dict[tuple, tuple[Question, list[tuple[str, str]]]] = {}


def _fragments(question: Question, field_id: str, name: str, required: bool):
    """Each option's escaped id, name, type, value and label, joined once per question."""
    key = (id(question), field_id, name, required)
    cached = _choice_fragments.get(key)
    if cached is None or cached[0] is not question:
        kind = "checkbox" if question.type == "multiple" else "radio"
        fragments = []
        for index, option in enumerate(question.options):
            oid = escape(f"{field_id}-{index}")
            fragments.append(
                (
                    option.value,
                    f' id="{oid}" name="{escape(name)}"{" required" if required else ""}'
                    f' type="{kind}" value="{escape(option.value)}">'
                    f' <label for="{oid}">{escape(option.label)}</label></div>',
                )
            )
        cached = _choice_fragments[key] = (question, fragments)
    return cached[1]


def choice_inputs(field: Field, question: Question, aria: str) -> Markup:
    """The radio buttons or checkboxes of a choice question, each with its label.

    The same HTML WTForms' widgets would write, from fragments built once per question:
    only « checked » and the ARIA attributes (``aria``, already escaped) vary per request.
    """
    data = field.data
    picked = (data or ()) if question.type == "multiple" else (data,)
    fragments = _fragments(question, field.id, field.name, bool(field.flags.required))
    return Markup(
        "".join(
            f'\n    <div class="choice"><input{aria}{" checked" if value in picked else ""}{tail}'
            for value, tail in fragments
        )
    )


class _QuestionParts(NamedTuple):
    """The escaped HTML of a question that does not change from one request to the next."""

    question: Question
    id: str
    name: str
    label: str
    help: str  # the help paragraph, or ""
    aria: str  # aria-describedby (help) without an error
    aria_error: str  # aria-describedby (help and error) and aria-invalid
    error_id: str
    suggest: str  # data-suggest-from and data-suggest, or ""


# (id(question), field id, name) → the question's static parts
_question_parts: dict[tuple, _QuestionParts] = {}


def _parts(question: Question, field_id: str, name: str) -> _QuestionParts:
    key = (id(question), field_id, name)
    parts = _question_parts.get(key)
    if parts is None or parts.question is not question:
        help_id, error_id = escape(f"{field_id}-aide"), escape(f"{field_id}-erreur")
        help_p = described = suggest = ""
        if question.help:
            help_p = f'\n  <p class="help" id="{help_id}">{escape(question.help)}</p>'
            described = f"{help_id} "
        if question.suggest:  # what |tojson|forceescape wrote
            values = htmlsafe_json_dumps(
                question.suggest.values,
                dumps=current_app.json.dumps,
                **current_app.jinja_env.policies["json.dumps_kwargs"],
            )
            suggest = (
                f' data-suggest-from="{escape(question.suggest.q)}"'
                f' data-suggest="{escape(str(values))}"'
            )
        parts = _question_parts[key] = _QuestionParts(
            question,
            escape(field_id),
            escape(name),
            escape(question.label),
            help_p,
            f' aria-describedby="{help_id}"' if question.help else "",
            f' aria-describedby="{described}{error_id}" aria-invalid="true"',
            error_id,
            suggest,
        )
    return parts


def question_html(field: Field, question: Question) -> Markup:
    """One question of a step: a labelled input, or a fieldset with a legend for choices,
    with its help, its errors and the ARIA attributes that link them to the input.

    Written from parts built once per question (a Jinja macro cost a tenth of a step
    page's time): only the value, the errors and the ticked options vary per request.
    """
    p = _parts(question, field.id, field.name)
    errors = field.errors
    aria = p.aria_error if errors else p.aria
    flag = " has-error" if errors else ""
    error = ""
    if errors:
        messages = "".join(f"{escape(message)} " for message in errors)
        error = f'\n  <p class="error" id="{p.error_id}">{messages}</p>'
    if question.type in ("single", "multiple"):
        long = " choices-long" if len(question.options) > 4 else ""
        return Markup(
            f'<fieldset class="question{flag}" id="{p.id}"{p.suggest}>\n'
            f"  <legend>{p.label}</legend>{p.help}{error}\n"
            f'  <div class="choices{long}">{choice_inputs(field, question, Markup(aria))}\n'
            "  </div>\n</fieldset>\n"
        )
    required = " required" if field.flags.required else ""
    value = escape(field._value())
    if question.is_number:
        mode = "decimal" if question.type == "decimal" else "numeric"
        unit = f' <span class="unit">{escape(question.unit)}</span>' if question.unit else ""
        control = (
            f'<div class="with-unit"><input{aria} autocomplete="off" class="input-number"'
            f' id="{p.id}" inputmode="{mode}" name="{p.name}"{required} spellcheck="false"'
            f' type="text" value="{value}">{unit}</div>'
        )
    else:
        complete = "organization" if question.id == "company_name" else "off"
        limit = f' maxlength="{question.max_length}"' if question.max_length else ""
        control = (
            f'<input{aria} autocomplete="{complete}" class="input-text" id="{p.id}"{limit}'
            f' name="{p.name}"{required} type="{escape(field.widget.input_type)}"'
            f' value="{value}">'
        )
    return Markup(
        f'<div class="question{flag}">\n  <label for="{p.id}">{p.label}</label>{p.help}'
        f"{error}\n  {control}\n</div>\n"
    )
