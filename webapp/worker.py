"""`flask worker`: delivers the outbox and runs the periodic jobs (SLA sweep with its due-soon
and overdue alerts, closing unrated reports, shift reminders, consultation deadlines,
attendance and care visits), so no cron is needed.

Each round claims a batch of due messages for a lease, sends them side by side (the sends are
network waits), and records each outcome as soon as it is known: a worker killed mid-batch
loses only the rows in flight, which come back when their lease runs out. A message can
therefore reach an outside service twice only if the worker dies between the service
accepting it and the outcome being stored; it carries its dedupe key as a tag (the push
Topic and notification tag) so that what the recipient sees is replaced rather than doubled
where the channel allows. Several workers share the outbox (SKIP LOCKED on PostgreSQL) and
each periodic job runs once per interval across them (periodic_run)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.channels import DeliveryFailed, Outgoing, robots, sms, webpush
from webapp.domain import unit_of_work
from webapp.domain.consultations.deciding import close_due as consultation_deadlines
from webapp.domain.notify import outbox, rules, subscriptions
from webapp.domain.people import robots as robot_settings
from webapp.domain.reports import sla, transitions
from webapp.domain.services import attendance, care_visits
from webapp.domain.shared.tokens import unseal
from webapp.extensions import db
from webapp.models import (
    Channel,
    Organization,
    OutboxMessage,
    PeriodicRun,
    PushSubscription,
    ReportMilestone,
)
from webapp.models.types import utcnow

log = logging.getLogger("mashang.worker")

SENDERS = {Channel.PUSH: webpush.send, Channel.ROBOT: robots.send, Channel.SMS: sms.send}


class Undeliverable(Exception):
    """The recipient is gone (subscription ended, robot removed) or a limit holds it back."""


class Worker:
    def __init__(self, app, name: str | None = None):
        self.app = app
        self.config = app.config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.next_look: dict[str, datetime] = {}
        self.pool = ThreadPoolExecutor(max_workers=max(1, int(self.config["WORKER_THREADS"])))

    # --- the loop ---------------------------------------------------------------------------

    def run(self, once: bool = False) -> int:
        """Until stopped (SIGTERM, SIGINT), or with `once` until nothing is due. Returns how
        many messages it delivered."""
        delivered = 0
        with self.app.app_context():
            self.periodic(utcnow(), force=once)
            while not self.stopping.is_set():
                done = self.one_round(periodic=not once)
                delivered += done or 0
                if once and not done:
                    break
                if not done:
                    self.stopping.wait(float(self.config["WORKER_POLL_SECONDS"]))
        self.pool.shutdown(wait=True)
        return delivered

    def one_round(self, periodic: bool = True) -> int | None:
        """Deliver a batch (and run the periodic jobs that are due): how many were sent, or
        None when the round failed (the database away, say). The worker lives on; what it
        held comes back when the lease runs out."""
        try:
            done = self.deliver_due()
            if periodic:
                self.periodic(utcnow())
            return done
        except Exception:
            log.exception("a delivery round failed; trying again")
            db.session.rollback()
            db.session.remove()
            return None

    def stop_on_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())

    # --- delivering ---------------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Claim a batch and send it side by side, each outcome stored as soon as it is known.
        Returns how many were sent."""
        now = utcnow()
        with unit_of_work():
            claimed = outbox.claim_due(self.name, now, limit=int(self.config["WORKER_BATCH"]),
                                       lease_seconds=int(self.config["WORKER_LEASE_SECONDS"]))
        sending = []
        for message_id in claimed:
            prepared = self._prepare(message_id)
            if prepared is not None:
                sending.append(self.pool.submit(self._deliver, message_id, *prepared))
        db.session.remove()
        return sum(future.result() for future in sending)

    def _deliver(self, message_id: int, sender, outgoing: Outgoing) -> bool:
        with self.app.app_context():  # its own session: the outcome is stored at once
            failure = self._send(sender, outgoing)
            self._record(message_id, failure)
            db.session.remove()
        return failure is None

    def _prepare(self, message_id: int):
        """(sender, Outgoing) for a held message, or None when it was settled here."""
        with unit_of_work():
            message = outbox.held(message_id, self.name)
            if message is None:
                return None
            try:
                address = self._address(message)
            except Undeliverable as reason:
                outbox.mark_cancelled(message, str(reason))
                return None
            path = unseal(message.url, self.config["SECRET_KEY"]) if message.url_sealed \
                else message.url
            if path is None:
                outbox.mark_failed(message, "the link cannot be unsealed (SECRET_KEY changed)",
                                   utcnow(), retry=False, max_attempts=0, base_delay=0)
                return None
            outgoing = Outgoing(title=message.title, body=message.body,
                                url=self.config["BASE_URL"].rstrip("/") + path,
                                tag=message.dedupe_key, urgent=message.urgent, address=address)
            return SENDERS[message.channel], outgoing

    def _address(self, message: OutboxMessage) -> dict:
        kind, _, value = message.recipient.partition(":")
        if message.channel == Channel.PUSH:
            subscription = db.session.get(PushSubscription, int(value))
            if subscription is None or not subscription.active:
                raise Undeliverable("the push subscription has ended")
            return subscription.address()
        if message.channel == Channel.ROBOT:
            org = db.session.get(Organization, int(value))
            address = robot_settings.address_for(org) if org is not None and org.active else None
            if address is None:
                raise Undeliverable("the organisation has no group robot")
            return address
        limit = int(self.config["SMS_DAILY_LIMIT"])
        now = utcnow()
        if outbox.texts_counted(message, now - timedelta(days=1), now) >= limit:
            raise Undeliverable(f"{limit} texts to this phone in 24 hours already")
        return {"phone": value}

    def _send(self, sender, outgoing: Outgoing) -> DeliveryFailed | None:
        try:
            sender(outgoing, self.config)
            return None
        except DeliveryFailed as failed:
            return failed
        except Exception as error:  # a defect in a channel must not stop the worker
            log.exception("sending %s failed", outgoing.tag)
            return DeliveryFailed(f"{type(error).__name__}: {error}")

    def _record(self, message_id: int, failure: DeliveryFailed | None) -> None:
        with unit_of_work():
            message = outbox.held(message_id, self.name)
            if message is None:  # the lease ran out and another worker took it over
                return
            now = utcnow()
            if failure is None:
                outbox.mark_sent(message, now)
                return
            if failure.gone and message.channel == Channel.PUSH:
                subscriptions.end_gone(int(message.recipient.partition(":")[2]), failure.reason)
                outbox.mark_cancelled(message, failure.reason)
                return
            outbox.mark_failed(message, failure.reason, now, retry=failure.retry,
                               max_attempts=int(self.config["DELIVERY_MAX_ATTEMPTS"]),
                               base_delay=float(self.config["DELIVERY_RETRY_SECONDS"]))
            log.warning("delivery of %s failed: %s", message.dedupe_key, failure.reason)

    # --- periodic jobs ------------------------------------------------------------------------

    def periodic(self, now: datetime, force: bool = False) -> None:
        jobs = (("sla", float(self.config["SLA_SWEEP_SECONDS"]), self._sla),
                ("reminders", float(self.config["REMINDER_SECONDS"]), rules.shift_reminders),
                # 一事一议: decide the consultations whose deadline passed (once: deciding.py).
                ("consultations", float(self.config["SLA_SWEEP_SECONDS"]),
                 consultation_deadlines),
                ("attendance", float(self.config["REMINDER_SECONDS"]), sweep_attendance))
        for name, every, job in jobs:
            if not force and now < self.next_look.get(name, now):
                continue  # asked the database less than a tenth of the interval ago
            self.next_look[name] = now + timedelta(seconds=every / 10)
            try:
                with unit_of_work():
                    due = _claim_periodic(name, now, 0 if force else every)
                if due:
                    with unit_of_work():
                        job(now)
            except Exception:  # the next interval tries again; the worker lives on
                log.exception("periodic job %s failed", name)
                db.session.rollback()

    def _sla(self, now: datetime) -> None:
        sweep_clocks(now, int(self.config["AUTO_CLOSE_DAYS"]))


def sweep_clocks(now: datetime, auto_close_days: int) -> tuple[int, int]:
    """Mark clocks that ran out and tell of them, warn of those running out, close resolved
    reports nobody confirmed. Returns (clocks marked overdue, reports closed)."""
    breached = sla.sweep(now)
    for milestone_id in breached:
        rules.clock_alert(db.session.get(ReportMilestone, milestone_id), "overdue")
    for milestone in sla.due_soon(now):
        rules.clock_alert(milestone, "due_soon")
    return len(breached), transitions.auto_close_unrated(now, auto_close_days)


def sweep_attendance(now: datetime) -> None:
    """Bookings checked in at the door are done once their slot starts; no-shows of home
    services recorded at the slot's end; care visits made ahead, and those missed told."""
    attendance.sweep(now)
    for visit in care_visits.sweep(now):
        rules.care_visit_missed(visit)


def _claim_periodic(name: str, now: datetime, every: float) -> bool:
    """Move the job's last run to now if it is due; True for the one worker that did."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    db.session.execute(insert(PeriodicRun).values(name=name, last_run_at=None)
                       .on_conflict_do_nothing(index_elements=["name"]))
    result = db.session.execute(
        update(PeriodicRun)
        .where(PeriodicRun.name == name,
               or_(PeriodicRun.last_run_at.is_(None),
                   PeriodicRun.last_run_at <= now - timedelta(seconds=every)))
        .values(last_run_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1
