import ast
import re
from pathlib import Path

from webapp.domain.shared import tokens

SECRET = "a-secret-for-these-tests"
WEBAPP = Path(__file__).resolve().parents[3] / "webapp"


def test_qr_tokens_are_long_url_safe_and_distinct():
    made = {tokens.new_qr_token() for _ in range(2000)}
    assert len(made) == 2000
    for token in made:
        assert len(token) >= 10
        assert re.fullmatch(r"[A-Za-z0-9]+", token)
        assert not set(token) & set("0O1lI")  # no look-alikes on a printed short URL


def test_a_link_token_carries_128_bits_and_belongs_to_its_submission():
    keys = [tokens.new_submission_key() for _ in range(1000)]
    made = [tokens.tracking_token(key, SECRET) for key in keys]
    # base64url: 6 bits a character
    assert all(len(token) * 6 >= 128 for token in made)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in made)
    assert len(set(made)) == 1000
    # the same submission always gets the same link, so a replay can answer with it
    assert tokens.tracking_token(keys[0], SECRET) == made[0]
    # a booking link is another link, even for the same key
    assert tokens.booking_token(keys[0], SECRET) != made[0]


def test_link_tokens_depend_on_the_secret_key():
    key = tokens.new_submission_key()
    first = tokens.tracking_token(key, SECRET)
    assert tokens.tracking_token(key, "another-secret") != first


def test_link_tokens_need_no_application():
    """The secret is an argument: the domain never reads it from the app itself."""
    tree = ast.parse((WEBAPP / "domain" / "shared" / "tokens.py").read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(name.split(".")[0] in ("flask", "webapp") for name in imported)


def test_the_database_keeps_a_digest_that_does_not_reveal_the_token():
    token = tokens.tracking_token(tokens.new_submission_key(), SECRET)
    kept = tokens.digest(token)
    assert re.fullmatch(r"[0-9a-f]{64}", kept)
    assert token not in kept and kept == tokens.digest(token)


def test_submission_key_shape():
    assert tokens.is_submission_key(tokens.new_submission_key())
    for bad in (None, "", "short", "a" * 65, "has space in it!!", "../../etc/passwd0000"):
        assert not tokens.is_submission_key(bad)


def test_every_other_token_is_long_url_safe_and_distinct():
    for make, bits in ((tokens.new_feed_token, 192), (tokens.new_request_token, 128),
                       (lambda: tokens.new_api_key("ms311_")[len("ms311_"):], 192),
                       (lambda: tokens.new_file_name(".jpg")[:-len(".jpg")], 144)):
        made = {make() for _ in range(500)}
        assert len(made) == 500
        assert all(re.fullmatch(r"[A-Za-z0-9_-]+", t) and len(t) * 6 >= bits for t in made)
    assert tokens.new_api_key("ms311_").startswith("ms311_")
    assert re.fullmatch(r"[0-9a-f]{64}", tokens.new_secret_key())


def test_tokens_and_digests_are_made_only_in_the_tokens_module():
    """secrets, hmac and SHA-256 anywhere else would be a second way to make or keep a token.
    A content fingerprint is not a token: a static file's version (assets.py), a page's ETag;
    nor is the signature an outside service prescribes for our requests to it (channels/:
    DingTalk's and Aliyun's HMAC, a push message's Topic)."""
    found = []
    for path in WEBAPP.rglob("*.py"):
        if path in (WEBAPP / "domain" / "shared" / "tokens.py", WEBAPP / "assets.py") \
                or path.parent == WEBAPP / "channels":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Attribute) and node.attr == "sha256":
                names = ["sha256"]
            found += [f"{path.relative_to(WEBAPP)}: {n}" for n in names
                      if n.split(".")[0] in ("secrets", "hmac", "sha256")]
    assert found == []


def test_a_sealed_link_opens_only_with_the_same_secret():
    sealed = tokens.seal("/t/abc123", "secret-one")
    assert "abc123" not in sealed
    assert tokens.unseal(sealed, "secret-one") == "/t/abc123"
    assert tokens.unseal(sealed, "secret-two") is None
    assert tokens.unseal(sealed[:-4] + "AAAA", "secret-one") is None
