#!/usr/bin/python3
"""kill -9 of the server in the middle of an outbox batch: after a restart every mail arrives,
each under one Message-ID. The SMTP server (smtp_fault.py) takes 0.2 s per message, so the kill
lands with a batch claimed and partly sent; the restarted server's clock is moved past the
lease of the claimed rows. The real `stagematch serve` on SQLite with --test-clock.

Exactly once means: one Message-ID per outbox row, and a second copy of a Message-ID only for
the one message in hand at the kill (delivered, but the kill came before its 250 was recorded;
the receiver recognises it by its Message-ID).
Usage: kill_mid_outbox_batch.py BIN SOURCE_DIR"""
import datetime as dt
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_support import Run, check, copies_by_message_id, invite, new_school, wait_for

START = dt.datetime.fromisoformat("2025-06-01T09:00:00+02:00")
ADDRESSES = [f"school-{i:02d}@kill.test" for i in range(30)]

with Run("kill -9 in the middle of an outbox batch") as run:
    smtp = run.fault_smtp()
    db_file = os.path.join(run.dir, "db.sqlite")
    db = f"sqlite:{db_file}"
    args = ("--smtp", smtp.address, "--test-clock", "--test-clock-start")
    server = run.serve("first", db, *args, START.isoformat())
    admin = run.admin(db, server)
    school = new_school(admin)
    smtp.refuse()  # queue them all first, so one batch holds many
    invite(admin, school, ADDRESSES)

    def states():
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as c:
            return dict(c.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())

    check(wait_for(lambda: states().get("pending") == len(ADDRESSES) and smtp.refusals() >= len(ADDRESSES), 30),
          f"all {len(ADDRESSES)} mails are queued (first attempts refused): {states()}")
    smtp.accept()
    smtp.delay(0.2)
    status, _ = admin.call("PUT", "/api/v1/admin/clock",
                           {"now": (START + dt.timedelta(minutes=2)).isoformat()})
    check(status == 200, "the clock moves to their next attempt")
    check(wait_for(lambda: len(smtp.mails()) >= 5, 20), "sending has begun")
    run.kill9(server)
    at_kill = states()
    print("   at the kill:", at_kill, len(smtp.mails()), "messages received")
    check(at_kill.get("sending", 0) > 0, f"the kill came in the middle of a batch: {at_kill}")
    check(len(smtp.mails()) < len(ADDRESSES), "not everything was sent before the kill")

    smtp.delay(0)
    restart = START + dt.timedelta(minutes=3)
    server = run.serve("second", db, *args, restart.isoformat(), folder=server.folder)
    admin = server.client()
    admin.login("beheer@fonds.test", "admin-wachtwoord-lang")
    status, _ = admin.call("PUT", "/api/v1/admin/clock",
                           {"now": (restart + dt.timedelta(minutes=10)).isoformat()})
    check(status == 200, "the restarted server's clock moves past the lease of the claimed mails")
    check(wait_for(lambda: states() == {"sent": len(ADDRESSES)}, 30),
          f"every outbox row is sent after the restart: {states()}")
    mails = smtp.mails()
    by_id = copies_by_message_id(mails)
    check(len(by_id) == len(ADDRESSES), f"one Message-ID per outbox row ({len(by_id)})")
    to_of = {mid: {m["To"] for m in ms} for mid, ms in by_id.items()}
    check(all(len(t) == 1 for t in to_of.values()), "a Message-ID never names two recipients")
    check(sorted(t.pop() for t in to_of.values()) == sorted(ADDRESSES),
          "every invitation arrived, each under its own Message-ID")
    twice = [mid for mid, ms in by_id.items() if len(ms) > 1]
    check(len(twice) <= 1 and all(len(by_id[mid]) == 2 for mid in twice),
          f"a second copy only of the message in hand at the kill: {twice}")
    print(f"kill mid outbox batch: ok ({len(mails)} messages, {len(twice)} resent under its Message-ID)")
