"""Notifications through one worker: new reports, each a Web Push to the dispatcher's phone and
a text to its resident, through a real `flask worker` to the local fakes of a push service
(checks the VAPID signature, decrypts) and of Aliyun SMS (checks the signature).

Two phases on a fresh demo database:
- steady: reports arrive at --rate per second while the worker runs; prints the latency from
  commit to delivery (the outbox row's time to its sent time) as p50, p95, p99;
- burst: as many reports again are filed with the worker stopped; then it starts and drains
  them; prints its throughput in messages per second.
The reference, measured in the same run: the same messages sent straight through the channels
in one thread, without database or worker; the ratio says what the outbox costs on top of the
sending. Run: .venv/bin/python bench/notify.py [--events 1000] [--rate 50] [--json]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from serve import BIN, ROOT, SETTINGS, demo_database, server_env, smoke

sys.path.append(str(ROOT))  # the fakes of the test suite

from tests.fakes.aliyun_sms import FakeAliyunSms  # noqa: E402
from tests.fakes.push_service import FakePushService  # noqa: E402

GOAL_P95 = 5.0  # seconds, commit to delivery, one worker on this machine
TIME_LIMIT = 600.0


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@contextmanager
def worker(env, log):
    proc = subprocess.Popen([str(BIN / "flask"), "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=log)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Bench:
    def __init__(self, app, tmp, push, phone):
        from sqlalchemy import select

        from webapp.extensions import db
        from webapp.models import Category, QrCode

        self.app, self.tmp, self.push, self.phone = app, tmp, push, phone
        self.code_id = db.session.scalars(
            select(QrCode.id).where(QrCode.entrance_id.is_not(None))).first()
        self.category = db.session.scalar(select(Category.id).where(Category.code == "water"))
        self.filed = 0

    def file(self, count, rate=None):
        from webapp.domain import unit_of_work
        from webapp.domain.reports import intake
        from webapp.extensions import db
        from webapp.models import QrCode

        code = db.session.get(QrCode, self.code_id)
        started = time.monotonic()
        for n in range(count):
            if rate:
                time.sleep(max(0.0, started + n / rate - time.monotonic()))
            with unit_of_work():
                intake.submit_report(code, intake.ReportDraft(
                    submission_key=f"bench-notify-{self.filed:010d}", category_id=self.category,
                    description="楼道灯不亮", contact_phone=f"138{self.filed:08d}",
                    sms_updates=True), [], self.tmp, secret=SETTINGS["SECRET_KEY"])
            self.filed += 1

    def drained(self, proc, deadline):
        """The outbox rows once none is pending."""
        from sqlalchemy import select

        from webapp.extensions import db
        from webapp.models import OutboxMessage, OutboxStatus

        while True:
            db.session.remove()
            if not db.session.scalars(select(OutboxMessage.id).where(
                    OutboxMessage.status == OutboxStatus.PENDING).limit(1)).first():
                m = OutboxMessage
                return db.session.execute(
                    select(m.id, m.channel, m.recipient, m.dedupe_key, m.title, m.body, m.url,
                           m.status, m.created_at, m.sent_at).order_by(m.id)).all()
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("messages still pending; see the worker's log")
            time.sleep(0.05)

    def direct(self, rows):
        """Seconds to send `rows` again straight through the channels, in one thread."""
        from webapp.channels import Outgoing, sms, webpush

        senders = {"push": webpush.send, "sms": sms.send}
        outgoing = [(m.channel, Outgoing(
            title=m.title, body=m.body, url=self.app.config["BASE_URL"] + m.url[:40],
            tag=m.dedupe_key,
            address=self.phone if m.channel == "push" else {"phone": m.recipient[6:]}))
            for m in rows]
        started = time.perf_counter()
        for channel, message in outgoing:
            senders[channel](message, self.app.config)
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="new reports in each phase")
    parser.add_argument("--rate", type=float, default=50.0, help="reports per second, steady")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = smoke(parser, events=10, rate=20.0)

    from webapp import create_app
    from webapp.domain import unit_of_work
    from webapp.domain.notify import subscriptions
    from webapp.extensions import db
    from webapp.models import OutboxStatus, User

    deadline = time.monotonic() + TIME_LIMIT
    push = FakePushService().start()
    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp, FakeAliyunSms() as texts:
        settings = {"VAPID_KEY_FILE": str(Path(tmp) / "vapid.pem"), "SMS_DAILY_LIMIT": 10,
                    "WORKER_POLL_SECONDS": 0.2, **texts.settings()}
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        env = server_env(url, 8000, tmp, **settings)
        demo_database(env)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": tmp,
                          "SECRET_KEY": SETTINGS["SECRET_KEY"], "BASE_URL": env[
                              "MASHANG_BASE_URL"], **settings})
        log = (Path(tmp) / "worker.log").open("w")
        with app.app_context():
            dispatcher = db.session.scalar(db.select(User).where(User.username == "dispatcher"))
            phone = push.subscription()
            with unit_of_work():
                subscriptions.subscribe(subscriptions.of_user(dispatcher), phone,
                                        allow_http=True)
            bench = Bench(app, tmp, push, phone)
            with worker(env, log) as proc:
                bench.file(args.events, args.rate)
                steady = bench.drained(proc, deadline)
            first_burst_id = steady[-1].id
            bench.file(args.events)
            with worker(env, log) as proc:
                rows = bench.drained(proc, deadline)
            burst = [m for m in rows if m.id > first_burst_id]
            # From the first message sent to the last: the worker's start-up left out.
            drained = (max(m.sent_at for m in burst) - min(m.sent_at for m in burst)
                       ).total_seconds() * len(burst) / max(1, len(burst) - 1)
            direct = bench.direct(burst)
        push.stop()
        received = len(push.payloads(phone)) + len(texts.accepted)

    latencies = [(m.sent_at - m.created_at).total_seconds() for m in steady]
    not_sent = [m for m in rows if m.status != OutboxStatus.SENT]
    report = {
        "events_per_phase": args.events, "messages": len(rows), "steady_rate_per_s": args.rate,
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "latency_p99_s": round(percentile(latencies, 0.99), 3),
        "burst_messages_per_s": round(len(burst) / drained, 1),
        "direct_messages_per_s": round(len(burst) / direct, 1),
        "not_sent": len(not_sent), "delivered_at_fakes": received - len(burst),
    }
    report["worker_to_direct"] = round(report["burst_messages_per_s"]
                                       / report["direct_messages_per_s"], 2)
    ok = not not_sent and report["delivered_at_fakes"] >= len(rows)
    if args.json:
        print(json.dumps({**report, "ok": ok}, indent=2))
    else:
        for key, value in report.items():
            print(f"{key.replace('_', ' '):<24} {value}")
        print(f"every message delivered: {'OK' if ok else 'FAILED'}")
        goal = report["latency_p95_s"] < GOAL_P95
        print(f"goal p95 under {GOAL_P95:.0f} s: {'met' if goal else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
