"""The Web Push channel against the fake push service, which checks the VAPID token and
decrypts every payload as a browser would."""

import base64
import json
import multiprocessing
import socket
import stat

import pytest

from webapp.channels import DeliveryFailed, Outgoing, webpush
from webapp.channels.webpush import application_server_key, private_pem, send


@pytest.fixture
def config(tmp_path):
    return {"VAPID_KEY_FILE": str(tmp_path / "vapid_private.pem"),
            "BASE_URL": "https://mashang.example.cn", "PUSH_TTL": 86400, "PUSH_TIMEOUT": 5}


def message(subscription, **changes) -> Outgoing:
    fields = dict(title="新报事 R-20261201-0007", body="微波宿舍 1号楼：楼道灯不亮",
                  url="https://mashang.example.cn/staff/reports/7", tag="report:7:new:user:3",
                  address=subscription)
    return Outgoing(**{**fields, **changes})


def test_a_message_arrives_signed_and_decryptable(push_service, config):
    subscription = push_service.subscription(server_key=application_server_key(config))
    send(message(subscription), config)
    assert push_service.rejected == []
    assert push_service.payloads(subscription) == [{
        "title": "新报事 R-20261201-0007", "body": "微波宿舍 1号楼：楼道灯不亮",
        "url": "https://mashang.example.cn/staff/reports/7", "tag": "report:7:new:user:3",
        "urgent": False}]
    delivery = push_service.deliveries[0]
    assert delivery.headers["ttl"] == "86400"
    assert delivery.headers["urgency"] == "normal"
    assert delivery.claims["sub"] == "https://mashang.example.cn"
    assert len(delivery.headers["topic"]) == 32


def test_urgent_is_high_and_one_tag_is_one_topic(push_service, config):
    subscription = push_service.subscription()
    send(message(subscription, urgent=True), config)
    send(message(subscription, urgent=True), config)  # a retry of the same message
    send(message(subscription, tag="report:7:overdue:user:3"), config)
    first, retry, other = push_service.deliveries
    assert first.headers["urgency"] == "high" and first.payload["urgent"] is True
    assert first.headers["topic"] == retry.headers["topic"] != other.headers["topic"]
    assert other.headers["urgency"] == "normal"


def test_a_body_too_long_for_a_push_is_shortened_and_the_link_kept(push_service, config):
    subscription = push_service.subscription()
    send(message(subscription, body="漏水" * 3000), config)
    [payload] = push_service.payloads(subscription)
    assert payload["body"].endswith("…") and payload["body"].startswith("漏水漏水")
    assert len(json.dumps(payload, ensure_ascii=False).encode()) <= webpush.MAX_PAYLOAD
    assert payload["url"] == "https://mashang.example.cn/staff/reports/7"


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_forgot_is_gone(push_service, config, status):
    subscription = push_service.subscription()
    push_service.answer(subscription, status)
    with pytest.raises(DeliveryFailed) as failed:
        send(message(subscription), config)
    assert failed.value.gone and not failed.value.retry
    assert str(status) in failed.value.reason


@pytest.mark.parametrize("status,retry", [(500, True), (503, True), (429, True), (400, False),
                                          (413, False)])
def test_a_refusal_is_retried_only_when_trying_again_can_help(push_service, config, status,
                                                              retry):
    subscription = push_service.subscription()
    push_service.answer(subscription, status)
    with pytest.raises(DeliveryFailed) as failed:
        send(message(subscription), config)
    assert failed.value.retry is retry and not failed.value.gone
    assert failed.value.reason == f"push service {status}: told to answer {status}"


def test_a_push_signed_with_another_key_is_refused_for_good(push_service, config, tmp_path):
    """The site's key changed (lost, regenerated): the browser's subscription is bound to
    the old one, and the push service says so."""
    subscription = push_service.subscription(server_key=application_server_key(config))
    other = {**config, "VAPID_KEY_FILE": str(tmp_path / "another.pem")}
    with pytest.raises(DeliveryFailed) as failed:
        send(message(subscription), other)
    assert not failed.value.retry and not failed.value.gone
    assert "403" in failed.value.reason
    assert push_service.payloads() == []


def test_a_subscription_with_a_bad_key_is_not_retried(push_service, config):
    subscription = push_service.subscription()
    subscription["keys"]["p256dh"] = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode()
    with pytest.raises(DeliveryFailed) as failed:
        send(message(subscription), config)
    assert not failed.value.retry and failed.value.reason.startswith("bad subscription keys")
    with pytest.raises(DeliveryFailed) as failed:
        send(message({}), config)
    assert not failed.value.retry


def test_a_vapid_key_that_cannot_be_read_is_not_retried(push_service, config, tmp_path):
    subscription = push_service.subscription()
    for given in ("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
                  str(tmp_path / "missing.pem")):
        with pytest.raises(DeliveryFailed) as failed:
            send(message(subscription), {**config, "VAPID_PRIVATE_KEY": given})
        assert not failed.value.retry and failed.value.reason.startswith("VAPID key")


def test_an_unreachable_push_service_is_retried(config):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    subscription = {"endpoint": f"http://127.0.0.1:{port}/wpush/x",
                    "keys": {"p256dh": application_server_key(config),
                             "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}
    with pytest.raises(DeliveryFailed) as failed:
        send(message(subscription), config)
    assert failed.value.retry and "unreachable" in failed.value.reason


def test_a_push_service_that_does_not_answer_in_time_is_retried(config):
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        subscription = {"endpoint": f"http://127.0.0.1:{silent.getsockname()[1]}/wpush/x",
                        "keys": {"p256dh": application_server_key(config),
                                 "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}
        with pytest.raises(DeliveryFailed) as failed:
            send(message(subscription), {**config, "PUSH_TIMEOUT": 0.5})
    assert failed.value.retry


# --- the VAPID key -------------------------------------------------------------------------


def test_the_key_is_generated_once_private_and_reused(config, tmp_path):
    first = application_server_key(config)
    path = tmp_path / "vapid_private.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert application_server_key(config) == first
    raw = base64.urlsafe_b64decode(first + "=")
    assert len(first) == 87 and len(raw) == 65 and raw[0] == 4  # an uncompressed point
    assert [p.name for p in tmp_path.iterdir()] == ["vapid_private.pem"]


def _make_key(path):
    return private_pem({"VAPID_KEY_FILE": path})


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = str(tmp_path / "vapid_private.pem")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        keys = pool.map(_make_key, [path] * 8)
    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["vapid_private.pem"]


def test_a_key_from_config_as_text_or_path_is_used_and_nothing_generated(config, tmp_path):
    made = {"VAPID_KEY_FILE": str(tmp_path / "elsewhere" / "made.pem")}
    pem = private_pem(made).decode()
    public = application_server_key(made)
    as_text = {**config, "VAPID_PRIVATE_KEY": pem}
    as_path = {**config, "VAPID_PRIVATE_KEY": str(tmp_path / "elsewhere" / "made.pem")}
    assert application_server_key(as_text) == application_server_key(as_path) == public
    assert not (tmp_path / "vapid_private.pem").exists()


def test_the_subject_names_the_site(config):
    assert webpush.vapid_subject(config) == "https://mashang.example.cn"
    assert webpush.vapid_subject({"BASE_URL": "http://127.0.0.1:8000"}) == \
        "mailto:webpush@127.0.0.1"
    assert webpush.vapid_subject({**config, "VAPID_SUBJECT": "mailto:it@example.cn"}) == \
        "mailto:it@example.cn"
