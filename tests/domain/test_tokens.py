import re

from webapp.domain import tokens


def test_qr_tokens_are_long_url_safe_and_distinct():
    made = {tokens.new_qr_token() for _ in range(2000)}
    assert len(made) == 2000
    for token in made:
        assert len(token) >= 10
        assert re.fullmatch(r"[A-Za-z0-9]+", token)
        assert not set(token) & set("0O1lI")  # no look-alikes on a printed short URL


def test_a_link_token_carries_128_bits_and_belongs_to_its_submission(app):
    keys = [tokens.new_submission_key() for _ in range(1000)]
    made = [tokens.tracking_token(key) for key in keys]
    # base64url: 6 bits a character
    assert all(len(token) * 6 >= 128 for token in made)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in made)
    assert len(set(made)) == 1000
    # the same submission always gets the same link, so a replay can answer with it
    assert tokens.tracking_token(keys[0]) == made[0]
    # a booking link is another link, even for the same key
    assert tokens.booking_token(keys[0]) != made[0]


def test_link_tokens_depend_on_the_secret_key(app):
    key = tokens.new_submission_key()
    first = tokens.tracking_token(key)
    app.config["SECRET_KEY"] = "another-secret"
    assert tokens.tracking_token(key) != first


def test_the_database_keeps_a_digest_that_does_not_reveal_the_token(app):
    token = tokens.tracking_token(tokens.new_submission_key())
    kept = tokens.digest(token)
    assert re.fullmatch(r"[0-9a-f]{64}", kept)
    assert token not in kept and kept == tokens.digest(token)


def test_submission_key_shape():
    assert tokens.is_submission_key(tokens.new_submission_key())
    for bad in (None, "", "short", "a" * 65, "has space in it!!", "../../etc/passwd0000"):
        assert not tokens.is_submission_key(bad)
