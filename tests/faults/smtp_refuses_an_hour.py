#!/usr/bin/python3
"""SMTP refusing with 451 for an hour of test clock: every mail stays in the outbox, is tried
again at its growing intervals, and is delivered exactly once when the server accepts again.
The real `stagematch serve` (SQLite, --test-clock) against smtp_fault.py.
Usage: smtp_refuses_an_hour.py BIN SOURCE_DIR"""
import datetime as dt
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_support import Failure, Run, check, copies_by_message_id, invite, new_school, wait_for

START = dt.datetime.fromisoformat("2025-06-01T09:00:00+02:00")
ADDRESSES = [f"school-{i}@refuse.test" for i in range(4)]

with Run("SMTP refusing with 451 for an hour") as run:
    smtp = run.fault_smtp()
    smtp.refuse()
    db_file = os.path.join(run.dir, "db.sqlite")
    db = f"sqlite:{db_file}"
    server = run.serve("server", db, "--smtp", smtp.address, "--test-clock", "--test-clock-start",
                       START.isoformat())
    admin = run.admin(db, server)
    invite(admin, new_school(admin), ADDRESSES)

    def rows():
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as c:
            return c.execute("SELECT id, state, attempts, next_attempt_at FROM outbox"
                             " ORDER BY id").fetchall()

    def settled(now):
        """Nothing due at `now` is left untried (no row pending and due, none being sent)."""
        rs = rows()
        return rs if all(s == "sent" or (s == "pending" and n > now.timestamp())
                         for _, s, _, n in rs) else None

    check(wait_for(lambda: settled(START), 20), "the first attempts were made and refused")
    check(smtp.refusals() >= len(ADDRESSES), "the SMTP server refused every first attempt")
    now = START
    for _ in range(12):  # an hour of test clock in steps of 5 minutes
        now += dt.timedelta(minutes=5)
        status, out = admin.call("PUT", "/api/v1/admin/clock", {"now": now.isoformat()})
        if status == 401:
            admin.login("beheer@fonds.test", "admin-wachtwoord-lang")
            status, out = admin.call("PUT", "/api/v1/admin/clock", {"now": now.isoformat()})
        if status != 200:
            raise Failure(f"clock to {now}: {status} {out}")
        if not wait_for(lambda: settled(now), 20):
            raise Failure(f"the outbox did not settle after the clock reached {now}: {rows()}")
    after_hour = rows()
    check(all(s == "pending" for _, s, _, _ in after_hour),
          f"after an hour of 451 every mail is still pending, none given up: {after_hour}")
    check(all(a >= 5 for _, _, a, _ in after_hour),
          f"each mail was tried again during the hour (attempts: {[a for _, _, a, _ in after_hour]})")
    check(smtp.mails() == [], "nothing was delivered while the server refused")

    smtp.accept()
    now += dt.timedelta(minutes=30)  # past the next attempt of each (at most 32 minutes away)
    admin.login("beheer@fonds.test", "admin-wachtwoord-lang")
    status, out = admin.call("PUT", "/api/v1/admin/clock", {"now": now.isoformat()})
    check(status == 200, f"the clock moves on ({status})")
    sent = wait_for(lambda: (lambda rs: rs if all(s == "sent" for _, s, _, _ in rs) else None)(rows()), 20)
    check(sent, f"every mail was sent once the SMTP server accepted: {rows()}")
    wait_for(lambda: len(smtp.mails()) >= len(ADDRESSES), 10)
    mails = smtp.mails()
    to = sorted(m["To"] for m in mails)
    check(to == sorted(ADDRESSES), f"each invitation arrived exactly once: {to}")
    check(all(len(v) == 1 for v in copies_by_message_id(mails).values()),
          "no Message-ID arrived twice")
    print("smtp refusing an hour: ok")
