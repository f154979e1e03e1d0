"""The notification settings form: ticks, a language and two times of day (HH:MM) read here;
whether they make sense together is the domain's rule (domain/notify/preferences.py)."""

from dataclasses import asdict

from wtforms import StringField

from webapp.domain.notify import preferences
from webapp.forms import AppForm, TickField


class SettingsForm(AppForm):
    language = StringField()
    push = TickField()
    sms = TickField()
    desktop = TickField()
    sound = TickField()
    quiet_hours = TickField()
    quiet_from = StringField()
    quiet_until = StringField()

    @classmethod
    def of(cls, choices: preferences.Choices) -> "SettingsForm":
        """The form filled with the user's present choices (nothing sent yet)."""
        return cls(formdata=None, data={
            **asdict(choices),
            "quiet_from": preferences.time_text(choices.quiet_from),
            "quiet_until": preferences.time_text(choices.quiet_until)})

    def choices(self) -> preferences.Choices:
        return preferences.Choices(
            language=self.language.data, push=self.push.data, sms=self.sms.data,
            desktop=self.desktop.data, sound=self.sound.data,
            quiet_hours=self.quiet_hours.data,
            quiet_from=preferences.minute_of(self.quiet_from.data),
            quiet_until=preferences.minute_of(self.quiet_until.data))
