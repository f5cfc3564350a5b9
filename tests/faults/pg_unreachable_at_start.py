#!/usr/bin/python3
"""PostgreSQL unreachable when `stagematch serve` starts: the server says so in Dutch at every
attempt and tries again with growing pauses; once PostgreSQL answers it starts and serves. With
no PostgreSQL for all of --db-wait it stops with exit 1 and a message that says it gave up.
A throwaway cluster of this test (initdb, pg_ctl on a free loopback port): the shared one is
never stopped. Needs STAGEMATCH_TEST_PG only to know PostgreSQL is meant to be tried.
Usage: pg_unreachable_at_start.py BIN SOURCE_DIR"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_support import Run, check, free_port, shared_pg, wait_for

shared_pg()
with Run("PostgreSQL unreachable at start") as run:
    # 1. PostgreSQL comes up a few seconds after the server.
    cluster = run.cluster()
    server = run.serve("server", cluster.url, "--db-wait", "45", wait=False)
    check(wait_for(lambda: server.log_text().count("nieuwe poging over") >= 2
                   or server.proc.poll() is not None, 20) and server.proc.poll() is None,
          "the server waits for PostgreSQL instead of stopping")
    first = [l for l in server.log_text().splitlines() if "poging 1" in l][0]
    print("   it says:", first)
    check("databank niet bereikbaar" in first and "nieuwe poging over 1 s" in first,
          "each attempt says in Dutch what failed and when it tries again")
    check(not server.healthy(), "no answers before the database is there")
    cluster.start(create_db=True)
    check(wait_for(server.healthy, 30), "once PostgreSQL answers, the server starts by itself")
    c = server.client()
    status, _ = c.call("GET", "/api/v1/me")
    check(status == 401, f"and serves requests ({status})")
    run.stop(server)
    check(server.proc.returncode == 0, "and stops cleanly")

    # 2. PostgreSQL never comes: a bounded wait, then exit 1 with a clear message.
    nothing = f"postgresql://postgres@127.0.0.1:{free_port()}/stagematch_fault"
    gave_up = subprocess.run([run.bin, "serve", "--db", nothing, "--db-wait", "3", "--listen",
                              f"127.0.0.1:{free_port()}", "--workflows",
                              os.path.join(run.src, "workflows"), "--rules",
                              os.path.join(run.src, "rules")],
                             capture_output=True, text=True, timeout=30, cwd=run.dir)
    print("   it says:", gave_up.stderr.splitlines()[-1])
    check(gave_up.returncode == 1, f"no PostgreSQL within --db-wait: exit 1 ({gave_up.returncode})")
    check(gave_up.stderr.count("nieuwe poging over") >= 1, "it tried more than once")
    check("kan niet starten" in gave_up.stderr and "opgegeven na" in gave_up.stderr,
          "the last line says it could not start and gave up after its attempts")
    print("PostgreSQL unreachable at start: ok")
