#!/usr/bin/python3
"""PostgreSQL stopped and restarted while requests arrive (the demo data set, a throwaway cluster
of this test): during the outage every request gets a clean answer (a JSON error with a message,
never a dropped connection or a 500); after it the pool reconnects by itself and no request
fails; in the database no acceptance is half applied (status, accepted_by, history and audit
line together, or none of them).
Usage: pg_restart_under_load.py BIN SOURCE_DIR"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_support import Failure, Run, check, psql, shared_pg, wait_for

shared_pg()
with Run("PostgreSQL stopped and restarted under requests") as run:
    cluster = run.cluster()
    cluster.start(create_db=True)
    demo = run.stagematch("demo", "--db", cluster.url, "--workflows",
                          os.path.join(run.src, "workflows"), "--rules", os.path.join(run.src, "rules"))
    if demo.returncode != 0:
        raise Failure(f"demo: {demo.stderr}")
    server = run.serve("server", cluster.url)
    svc = server.client()
    svc.login("dienst@demo.stagematch.be", "stagematch-demo")
    _, contacts = svc.call("GET", "/api/v1/contacts")
    mentor = contacts["items"][0]["id"]
    _, listing = svc.call("GET", "/api/v1/tracks/secundair/requests?page_size=100")
    ids = [r["id"] for r in listing["items"]]

    def accept(rid):
        return svc.call("POST", f"/api/v1/requests/{rid}/status",
                        {"status": "aanvaard", "mentor_id": mentor, "periods": [0]}, timeout=20)

    def read():
        return svc.call("GET", "/api/v1/tracks/secundair/requests?page_size=5", timeout=20)

    status, out = accept(ids.pop(0))
    check(status == 200, f"an acceptance before the outage ({status} {out})")
    cluster.stop("fast")
    outage, refused = [], []
    for _ in range(4):
        outage.append(read())
        refused.append(ids.pop(0))
        outage.append(accept(refused[-1]))
    print("   during the outage:", sorted({s for s, _ in outage}))
    check(all(s == 503 for s, _ in outage),
          f"during the outage every request fails with an answer: {[s for s, _ in outage]}")
    check(all(isinstance(o, dict) and o.get("message") for _, o in outage),
          f"each with a message: {outage[0][1]}")
    cluster.start()
    back = wait_for(lambda: read()[0] == 200, 30, 0.5)
    check(back, "after the restart the pool reconnects by itself")
    after = [read() for _ in range(5)] + [accept(ids.pop(0)) for _ in range(3)]
    check(all(s == 200 for s, _ in after), f"no request fails after the outage: {[s for s, _ in after]}")
    check(server.proc.poll() is None, "the server ran through it")

    half = psql(cluster.url, """
      SELECT (SELECT COUNT(*) FROM requests r FULL JOIN
               (SELECT * FROM service_statuses WHERE status = 'aanvaard') s ON s.request_id = r.id
              WHERE (r.accepted_by IS NOT NULL OR s.request_id IS NOT NULL)
                AND r.accepted_by IS DISTINCT FROM s.service_id),
             (SELECT COUNT(*) FROM requests r WHERE r.accepted_by IS NOT NULL AND NOT EXISTS
               (SELECT 1 FROM status_history h WHERE h.request_id = r.id AND h.to_status = 'aanvaard')),
             (SELECT COUNT(*) FROM requests r WHERE r.accepted_by IS NOT NULL AND NOT EXISTS
               (SELECT 1 FROM audit_log a WHERE a.object_type = 'request' AND a.object_id = r.id
                  AND a.action = 'status.change' AND a.outcome = 'ok'))""")[0]
    stored = psql(cluster.url, "SELECT COUNT(*) FROM requests WHERE accepted_by IS NOT NULL AND id IN (%s)"
                  % ",".join(map(str, refused)))[0][0]
    check(stored == "0", f"no acceptance refused during the outage was stored ({stored})")
    check(half == ["0", "0", "0"],
          f"no acceptance half applied (status/accepted_by, history, audit mismatches: {half})")
    print("PostgreSQL restart under requests: ok")
