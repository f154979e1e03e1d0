"""The shared form base: text cleaned once, whole numbers read one way (webapp/forms.py)."""

from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired

from webapp.forms import AppForm, TickField, WholeNumberField


class Sample(AppForm):
    class Meta:
        csrf = False

    name = StringField()
    note = TextAreaField()
    short = StringField(filters=[lambda value: value[:3]])
    password = PasswordField()
    count = WholeNumberField(smallest=1, largest=99)
    weeks = WholeNumberField(default=1)
    active = TickField()


def form_of(app, **fields):
    with app.test_request_context(method="POST", data=fields):
        return Sample(formdata=MultiDict(fields))


def test_text_fields_lose_nul_direction_controls_and_blanks_but_passwords_do_not(app):
    form = form_of(app, name=" 王\x00阿\u202e姨 ", note="\u2066楼上\u2069漏水\n",
                   password=" pass\u202eword ")
    assert form.name.data == "王阿姨"
    assert form.note.data == "楼上漏水"
    assert form.password.data == " pass\u202eword "


def test_whole_numbers_are_ascii_digits_within_range(app):
    assert form_of(app, count=" 12 ").count.data == 12
    for typed in ("²", "٣", "1.5", "0", "100", "-1", "9" * 30, "abc"):
        form = form_of(app, count=typed)
        assert form.count.data is None and form.count.unreadable
        assert not form.validate()
        with force_locale("zh_CN"):  # the message is read in the reader's language
            assert form.first_error() == "请填写 1 到 99 之间的整数。"
        assert form.count._value() == typed  # shown again as typed


def test_a_missing_or_blank_number_is_the_default_and_not_an_error(app):
    form = form_of(app, count="")
    assert form.count.data is None and not form.count.unreadable
    assert form.weeks.data == 1
    assert form.validate()
    assert form_of(app, weeks="x").weeks.data == 1


def test_a_text_field_not_sent_is_blank_and_a_tick_is_yes_only_for_1(app):
    form = form_of(app, active="1")
    assert form.name.data == "" and form.active.data is True
    for value in ("0", "on", "true", ""):
        assert form_of(app, active=value).active.data is False
    assert form_of(app).active.data is False


def test_a_fields_own_filters_still_run_after_the_cleaning(app):
    assert form_of(app, short=" \x00abcdef ").short.data == "abc"


class Required(AppForm):
    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])


def test_wtforms_own_messages_are_in_the_pages_language(app):
    """Each language's catalogue is read once per process (not once per request), and each
    request still gets its own language."""
    messages = {}
    for _round in range(2):
        for language in ("zh-CN", "en", "zh-CN"):
            # Its own app context, as under a server: Flask-Babel keeps the locale on `g`.
            with app.app_context(), \
                    app.test_request_context(headers={"Accept-Language": language}):
                form = Required(formdata=MultiDict({}))
                form.validate()
                messages.setdefault(language, set()).add(form.name.errors[0])
    assert messages["en"] == {"This field is required."}
    [chinese] = messages["zh-CN"]
    assert chinese != "This field is required." and "字段" in chinese
