"""A real `flask worker` killed with SIGKILL, twice, in the middle of a burst of 500 new
reports (each one a push to the dispatcher's phone and a text to its resident): once it is
running again every message arrives at the fakes, which check signatures and decrypt.
A message can arrive twice only when the worker died after the outside service took it and
before the worker stored that; the test counts such repeats and holds them to the messages
that were in flight at the kills (one per sending thread)."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from hashlib import sha256
from pathlib import Path

from sqlalchemy import select

from tests.conftest import TEST_SECRET, app_on_a_copy
from tests.domain.reports.conftest import category_coded
from webapp.domain import unit_of_work
from webapp.domain.notify import subscriptions
from webapp.domain.reports import intake
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, QrCode, User

ROOT = Path(__file__).resolve().parent.parent
REPORTS = 500
THREADS = 4


def start_worker(env, log):
    return subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "worker"], cwd=ROOT,
                            env=env, stdout=log, stderr=log)


def wait_until(condition, log: Path, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out; the worker said:\n" \
            f"{log.read_text()[-3000:]}"
        time.sleep(0.05)


def test_killed_workers_lose_nothing(migrated_db, tmp_path, push_service, aliyun_sms):
    settings = {"BASE_URL": "http://mashang.test", "SECRET_KEY": TEST_SECRET,
                "VAPID_KEY_FILE": str(tmp_path / "vapid.pem"), "WORKER_LEASE_SECONDS": 2,
                "WORKER_POLL_SECONDS": 0.05, "WORKER_THREADS": THREADS,
                "SMS_DAILY_LIMIT": 10, **aliyun_sms.settings()}
    app = app_on_a_copy(migrated_db, tmp_path, True, **settings)
    url = app.config["SQLALCHEMY_DATABASE_URI"]  # the worker works on the test's database
    env = {**os.environ, "FLASK_APP": "wsgi.py", "MASHANG_SQLALCHEMY_DATABASE_URI": url,
           **{f"MASHANG_{k}": v if isinstance(v, str) else json.dumps(v)
              for k, v in settings.items()}}
    with app.app_context():
        dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
        phone = push_service.subscription()
        with unit_of_work():
            subscriptions.subscribe(subscriptions.of_user(dispatcher), phone, allow_http=True)
        code = db.session.scalars(select(QrCode).where(QrCode.entrance_id.is_not(None))).first()
        category = category_coded("water").id

        log = (tmp_path / "worker.log").open("w")
        worker = start_worker(env, log)
        kills = 0
        for n in range(REPORTS):
            with unit_of_work():
                intake.submit_report(code, intake.ReportDraft(
                    submission_key=f"crash-test-{n:010d}", category_id=category,
                    description="楼道灯不亮", contact_phone=f"138{n:08d}", sms_updates=True),
                    [], tmp_path, secret=TEST_SECRET)
            if n in (150, 350):  # mid-burst, while it sends
                wait_until(lambda: len(push_service.payloads()) > 0, tmp_path / "worker.log")
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills += 1
                worker = start_worker(env, log)

        def settled():
            db.session.remove()
            return not db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING)).first()
        wait_until(settled, tmp_path / "worker.log")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0  # stops cleanly on SIGTERM
        messages = db.session.scalars(select(OutboxMessage)).all()

    assert len(messages) == 2 * REPORTS
    assert {m.status for m in messages} == {OutboxStatus.SENT}, (tmp_path / "worker.log")
    pushed = Counter(p["tag"] for p in push_service.payloads(phone))
    texted = Counter(t["out_id"] for t in aliyun_sms.accepted)
    keys = [m.dedupe_key for m in messages]
    push_keys = {k for k in keys if "|push:" in k}
    text_ids = {sha256(k.encode()).hexdigest()[:32] for k in keys if k.endswith("|sms")}
    assert set(pushed) == push_keys and set(texted) == text_ids  # every one, nothing else
    repeats = sum(c - 1 for c in pushed.values()) + sum(c - 1 for c in texted.values())
    print(f"{kills} kills, {repeats} repeated deliveries of {2 * REPORTS}", file=sys.stderr)
    assert repeats <= kills * THREADS
    # What the dispatcher's phone shows: one notification per tag (a repeat replaces it).
    assert len(pushed) == REPORTS
