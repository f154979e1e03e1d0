"""The price of a service: one rule, one sentence, wherever a price shows."""

import pytest
from flask_babel import force_locale

from webapp.domain.services.prices import price_text


@pytest.mark.parametrize("free, note, care_card, said", [
    (False, None, None, "Free for everyone."),
    (True, "", None, "Free for everyone."),  # nobody pays: no need to mention the card
    (True, "Materials at your own cost", None,
     "Free for care-card holders; others: Materials at your own cost"),
    (False, "20 yuan", None, "Fee: 20 yuan"),
    (True, "20 yuan", True, "Free (care card)."),  # a booking of a card holder
    (True, "20 yuan", False, "Fee: 20 yuan"),      # a booking of anyone else
    (True, None, True, "Free (care card)."),
    (False, "20 yuan", True, "Fee: 20 yuan"),      # the card does not make it free
])
def test_one_sentence_per_case(app, free, note, care_card, said):
    with app.test_request_context(), force_locale("en"):
        assert price_text(free, note, care_card=care_card) == said


def test_in_chinese(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert price_text(True, "材料费自理") == "爱心卡持有人免费；其他居民：材料费自理"
        assert price_text(False, None) == "所有人免费。"
