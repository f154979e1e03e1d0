"""The login form. Its text is left as typed: a name is only compared, and a cleaned
spelling could match an account that was not the one typed (the domain refuses a NUL)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from webapp.forms import AppForm


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class FirstRunForm(AppForm):
    """The first-run page: the community, its office and the first admin's account."""

    name = StringField(_l("Community name"))
    code = StringField(_l("Short code"))
    office = StringField(_l("Name of the community office"))
    hotline = StringField(_l("Hotline"))
    hotline_24h = StringField(_l("24-hour line"))
    display_name = StringField(_l("Your name"))
    username = StringField(_l("Username"))
    password = PasswordField(_l("Password"))
    password_again = PasswordField(_l("Password again"))
