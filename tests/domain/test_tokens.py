import re

from webapp.domain import tokens


def test_qr_tokens_are_long_url_safe_and_distinct():
    made = {tokens.new_qr_token() for _ in range(2000)}
    assert len(made) == 2000
    for token in made:
        assert len(token) >= 10
        assert re.fullmatch(r"[A-Za-z0-9]+", token)
        assert not set(token) & set("0O1lI")  # no look-alikes on a printed short URL


def test_tracking_token_carries_at_least_128_bits():
    token = tokens.new_tracking_token()
    # base64url: 6 bits a character
    assert len(token) * 6 >= 128
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len({tokens.new_tracking_token() for _ in range(1000)}) == 1000


def test_submission_key_shape():
    assert tokens.is_submission_key(tokens.new_submission_key())
    for bad in (None, "", "short", "a" * 65, "has space in it!!", "../../etc/passwd0000"):
        assert not tokens.is_submission_key(bad)
