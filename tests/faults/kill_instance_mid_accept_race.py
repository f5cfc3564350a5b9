#!/usr/bin/python3
"""Two instances on one PostgreSQL database, two services racing to accept the same students,
one per instance, and `kill -9` of one instance in the middle: exactly one winner per student,
no 200 without that acceptance stored, no acceptance stored twice, and the surviving instance
goes on answering.
Usage: kill_instance_mid_accept_race.py BIN SOURCE_DIR"""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults_support import Failure, Run, check, psql, shared_pg

shared = shared_pg()
with Run("two instances, one killed in the middle of an accept race") as run:
    db, sql = run.schema_db(shared, "accept_race")
    demo = run.stagematch("demo", "--db", db, "--workflows", os.path.join(run.src, "workflows"),
                          "--rules", os.path.join(run.src, "rules"))
    if demo.returncode != 0:
        raise Failure(f"demo: {demo.stderr}")
    a = run.serve("a", db)
    b = run.serve("b", db)
    racers = {}
    for name, server, address in (("a", a, "dienst@demo.stagematch.be"),
                                  ("b", b, "dienst2@demo.stagematch.be")):
        client = server.client()
        user = client.login(address, "stagematch-demo")["user"]
        _, contacts = client.call("GET", "/api/v1/contacts")
        racers[name] = {"client": client, "org": user["org_id"], "mentor": contacts["items"][0]["id"],
                        "answers": []}

    # The students both services see open now, in tracks where accepting needs no invitation.
    shared_ids = []
    for track in ("secundair", "cvo", "dubbele_finaliteit"):
        seen = []
        for name in ("a", "b"):
            status, out = racers[name]["client"].call("GET", f"/api/v1/tracks/{track}/requests?page_size=200")
            check(status == 200, f"{name} lists {track}")
            seen.append({item["id"] for item in out["items"]})
        shared_ids += sorted(seen[0] & seen[1])
    check(len(shared_ids) >= 10, f"both services see the same open students ({len(shared_ids)})")

    kill_after = len(shared_ids) // 2
    killed = threading.Event()

    def race(name):
        r = racers[name]
        for i, rid in enumerate(shared_ids):
            if name == "a" and i == kill_after:
                killed.set()
            if name == "a" and killed.is_set() and i > kill_after:
                break
            status, out = r["client"].call("POST", f"/api/v1/requests/{rid}/status",
                                           {"status": "aanvaard", "mentor_id": r["mentor"], "periods": [0]},
                                           timeout=20)
            r["answers"].append((rid, status, out))

    threads = [threading.Thread(target=race, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    killed.wait(60)
    run.kill9(a)
    for t in threads:
        t.join(120)
    check(not any(t.is_alive() for t in threads), "both racers finished")
    check(b.healthy(), "the other instance goes on answering")

    rows = psql(sql, "SELECT id, coalesce(accepted_by, 0) FROM requests WHERE id IN (%s)"
                % ",".join(map(str, shared_ids)))
    winner = {int(rid): int(by) for rid, by in rows}
    doubles = psql(sql, "SELECT request_id FROM service_statuses WHERE status = 'aanvaard'"
                        " GROUP BY request_id HAVING COUNT(*) > 1")
    check(doubles == [], f"no student accepted by two services ({doubles})")
    mismatch = psql(sql, """SELECT COUNT(*) FROM requests r FULL JOIN
               (SELECT * FROM service_statuses WHERE status = 'aanvaard') s ON s.request_id = r.id
              WHERE (r.accepted_by IS NOT NULL OR s.request_id IS NOT NULL)
                AND r.accepted_by IS DISTINCT FROM s.service_id""")[0][0]
    check(mismatch == "0", f"every stored acceptance is whole: accepted_by and the status agree ({mismatch})")
    ok_answers = 0
    for name in ("a", "b"):
        r = racers[name]
        for rid, status, out in r["answers"]:
            if status == 200:
                ok_answers += 1
                check(winner.get(rid) == r["org"],
                      f"{name}'s 200 for student {rid} is the stored acceptance (stored: {winner.get(rid)})")
            elif status == 409:
                check(winner.get(rid) not in (0, r["org"]),
                      f"{name}'s 409 for student {rid}: another service holds it")
            else:
                check(name == "a" and status == 0,
                      f"only the killed instance may leave a call unanswered ({name} {rid}: {status} {out})")
    b_answered = {rid for rid, status, _ in racers["b"]["answers"] if status in (200, 409)}
    check(b_answered == set(shared_ids), "the surviving instance answered every student it was asked")
    check(all(winner[rid] != 0 for rid in b_answered), "every student b was asked about has a winner")
    print(f"accept race over {len(shared_ids)} students, instance a killed after {kill_after}:"
          f" {ok_answers} acceptances answered, each stored once")
