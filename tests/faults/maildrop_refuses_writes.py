#!/usr/bin/python3
"""The maildrop refusing writes: first its folder replaced by a file (as root, chmod stops
nothing), then a full disk (a small tmpfs mounted on the folder and filled up). Each time the
mails stay pending in the outbox, and once the folder takes writes again a clock step sends each
exactly once, as one complete .eml. The real `stagematch serve` (SQLite, --test-clock, no
--smtp: the maildrop is FOLDER/var/mail).
Usage: maildrop_refuses_writes.py BIN SOURCE_DIR"""
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_support import Failure, Run, check, invite, new_school, read_mails, wait_for

START = dt.datetime.fromisoformat("2025-06-01T09:00:00+02:00")

with Run("the maildrop refusing writes") as run:
    db_file = os.path.join(run.dir, "db.sqlite")
    db = f"sqlite:{db_file}"
    server = run.serve("server", db, "--test-clock", "--test-clock-start", START.isoformat())
    admin = run.admin(db, server)
    school = new_school(admin)
    drop = server.maildrop
    mounted = []
    run.on_exit = lambda: [subprocess.run(["umount", "-l", m], capture_output=True) for m in mounted]
    now = START

    def rows(first_id=0):
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as c:
            return c.execute("SELECT id, state, attempts, last_error, to_address FROM outbox"
                             " WHERE id > ? ORDER BY id", (first_id,)).fetchall()

    def clock(minutes):
        global now
        now += dt.timedelta(minutes=minutes)
        admin.login("beheer@fonds.test", "admin-wachtwoord-lang")
        status, out = admin.call("PUT", "/api/v1/admin/clock", {"now": now.isoformat()})
        if status != 200:
            raise Failure(f"clock to {now}: {status} {out}")

    def refused_then_delivered(what, addresses, first_id, make_writable):
        invite(admin, school, addresses)
        tried = wait_for(lambda: (lambda rs: rs if len(rs) == len(addresses) and all(
            s == "pending" and a >= 1 and e for _, s, a, e, _ in rs) else None)(rows(first_id)), 20)
        check(tried, f"{what}: every mail was tried, refused and left pending: {rows(first_id)}")
        print("   the outbox says:", tried[0][3])
        clock(2)  # the next attempt is due: it fails the same way
        check(wait_for(lambda: all(a >= 2 and s == "pending" for _, s, a, _, _ in rows(first_id)), 20),
              f"{what}: tried again a minute later, still pending: {rows(first_id)}")
        make_writable()
        clock(5)
        check(wait_for(lambda: all(s == "sent" for _, s, _, _, _ in rows(first_id)), 20),
              f"{what}: sent once the folder takes writes again: {rows(first_id)}")
        got = sorted(m["To"] for m in read_mails(drop) if m["To"] in addresses)
        check(got == sorted(addresses), f"{what}: each mail is in the maildrop exactly once: {got}")
        leftovers = [f for f in os.listdir(drop) if not f.endswith(".eml")]
        check(leftovers == [], f"{what}: no half-written file is left behind: {leftovers}")

    # 1. The maildrop folder is a file.
    shutil.move(drop, drop + ".away")
    open(drop, "w").close()

    def folder_back():
        os.remove(drop)
        shutil.move(drop + ".away", drop)

    refused_then_delivered("folder replaced by a file", [f"a{i}@drop.test" for i in range(3)], 0,
                           folder_back)
    last = rows()[-1][0]

    # 2. The disk is full: a 256 kB tmpfs on the maildrop folder, filled up.
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", drop],
                      capture_output=True).returncode != 0:
        print("SKIP (part 2): cannot mount a tmpfs here, the full disk is not tried")
        sys.exit(0)
    mounted.append(drop)
    filler = os.path.join(drop, "filler")
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)

    def disk_freed():
        os.remove(filler)

    refused_then_delivered("full disk", [f"b{i}@drop.test" for i in range(3)], last, disk_freed)
    print("maildrop refusing writes: ok")
