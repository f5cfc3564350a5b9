#!/usr/bin/python3
"""The calendar feed (GET /agenda/TOKEN.ics) read by an independent iCalendar implementation.

Usage: agenda_ics.py BINARY SOURCE_DIR [--table FILE.html]

It starts `stagematch serve` on a free loopback port with a fresh SQLite database holding the
demo data set (the security suite's Server and Client: tests/security/security_suite.py), and
for the demo's school, a service and the admin makes a feed address on the /agenda page. Then:

  parse     Debian's python3-icalendar parses each feed; every line ends in CRLF and is at most
            75 octets; the VTIMEZONE Europe/Brussels has its DAYLIGHT and STANDARD rules
  events    every event is checked against `stagematch simulate --format json` of its calendar
            (the shipped ones, and the demo's published ones, written where simulate reads them):
            round openings and closings and results dates are simulate's events (UID, moment,
            text), registration opens and closes are exactly where simulate's segments let
            schools register or not; nothing else is in the feed and nothing of those is missing;
            the moment is computed from the feed's own VTIMEZONE rules (not from a time-zone
            database) and compared with simulate's, and with the one icalendar reads
  tracks    the school's feed holds the tracks the school may register in; the service's and the
            admin's every track
  follows   a calendar the admin publishes is in the feed at the next fetch (and simulate of a
            workflows/ holding that calendar agrees with it)
  tokens    a renewed address stops the old one (404, the same answer as any unknown address),
            a revoked one stops too; the server's log never holds a token

With --table it writes the parsed events of the school's feed as an HTML table (for a look).
Exit 1 on any failure, with one line per failed check.
"""

import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import icalendar
from dateutil import rrule

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "security"))
from security_suite import Client, Database, Server  # noqa: E402  (the suite's helpers)

# The kinds of simulate's events that are dates in the feed; reminders and "closing soon" are mails.
FEED_KINDS = {"round_opens", "round_closes", "results_visible"}

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def published_workflows(src, db, work):
    """A copy of workflows/ with every calendar the database holds as published, where
    simulate reads them (calendars/TRACK/YEAR.yaml)."""
    out = os.path.join(work, "workflows-published")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(src, "workflows"), out)
    for track, year, yaml in db.rows("SELECT track, year, yaml FROM published_calendars"):
        os.makedirs(os.path.join(out, "calendars", track), exist_ok=True)
        with open(os.path.join(out, "calendars", track, f"{year}.yaml"), "w", encoding="utf-8") as f:
            f.write(yaml)
    return out


# ---- simulate: what the feed must hold ---------------------------------------------------------

def instant(text):
    return datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)


def expected_events(binary, src, workflows, track, year):
    """{uid: (utc moment, kind, description or None)} from simulate, and the registration checks."""
    out = subprocess.run([binary, "simulate", "--track", track, "--year", year, "--format", "json",
                          "--workflows", workflows, "--rules", os.path.join(src, "rules")],
                         capture_output=True, text=True, check=True, timeout=60)
    sim = json.loads(out.stdout)
    events = {}
    for e in sim["events"]:
        if e["kind"] in FEED_KINDS:
            uid = f"{track}-{year}-{e['kind']}-{e['round'] or 'kalender'}@stagematch"
            events[uid] = (instant(e["at"]), e["kind"], e["message"])
    segments = [(instant(s["from"]) if s["from"] else None, instant(s["until"]) if s["until"] else None,
                 s["school"]["may_register"]) for s in sim["segments"]]
    return events, segments


def may_register(segments, t):
    for start, until, may in segments:
        if (start is None or start <= t) and (until is None or t < until):
            return may
    return False


def registration_flips(segments):
    """(moment, kind) where schools start or stop being able to register."""
    flips = set()
    for (_, _, before), (start, _, after) in zip(segments, segments[1:]):
        if before != after:
            flips.add((start, "registration_opens" if after else "registration_closes"))
    return flips


def calendars_in(workflows):
    out = []
    base = os.path.join(workflows, "calendars")
    for track in sorted(os.listdir(base)):
        for f in sorted(os.listdir(os.path.join(base, track))):
            if f.endswith(".yaml"):
                out.append((track, f[:-5]))
    return out


# ---- the feed as icalendar reads it --------------------------------------------------------------

def offset_from_vtimezone(vtz, local):
    """The UTC offset at naive local time `local`, from the VTIMEZONE's own rules."""
    best = None
    for sub in vtz.subcomponents:
        if sub.name not in ("STANDARD", "DAYLIGHT"):
            continue
        start = sub.decoded("DTSTART").replace(tzinfo=None)
        rule = rrule.rrulestr(sub["RRULE"].to_ical().decode(), dtstart=start)
        onset = rule.before(local, inc=True)
        if onset is not None and (best is None or onset > best[0]):
            best = (onset, sub.decoded("TZOFFSETTO"))
    return best[1] if best else None


def check_raw(label, raw):
    text = raw.decode("utf-8")
    check(text.endswith("\r\n"), f"{label}: the feed does not end with CRLF")
    lines = raw.split(b"\r\n")[:-1]
    check(all(b"\n" not in line and b"\r" not in line for line in lines), f"{label}: a line ends without CRLF")
    long = [line for line in lines if len(line) > 75]
    check(not long, f"{label}: {len(long)} lines longer than 75 octets, e.g. {long[:1]!r}")
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            check(False, f"{label}: a folded line splits a UTF-8 character: {line!r}")


def feed_events(label, raw):
    """The parsed calendar and its events as {uid: (utc, summary, description)}."""
    check_raw(label, raw)
    cal = icalendar.Calendar.from_ical(raw)
    check(str(cal.get("VERSION")) == "2.0", f"{label}: VERSION is not 2.0")
    check(cal.get("PRODID") is not None, f"{label}: no PRODID")
    zones = [c for c in cal.walk("VTIMEZONE") if str(c.get("TZID")) == "Europe/Brussels"]
    if not check(len(zones) == 1, f"{label}: no VTIMEZONE Europe/Brussels"):
        return cal, {}
    vtz = zones[0]
    kinds = {sub.name: sub for sub in vtz.subcomponents}
    check(set(kinds) == {"STANDARD", "DAYLIGHT"}, f"{label}: VTIMEZONE parts {sorted(kinds)}")
    events = {}
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID"))
        check(uid not in events, f"{label}: UID {uid} twice")
        check(ev.get("DTSTAMP") is not None, f"{label}: {uid} has no DTSTAMP")
        prop = ev["DTSTART"]
        check(prop.params.get("TZID") == "Europe/Brussels", f"{label}: {uid} DTSTART without TZID=Europe/Brussels")
        local = prop.dt.replace(tzinfo=None)
        offset = offset_from_vtimezone(vtz, local)
        if not check(offset is not None, f"{label}: {uid}: no VTIMEZONE rule covers {local}"):
            continue
        utc = (local - offset).replace(tzinfo=datetime.timezone.utc)
        check(prop.dt.astimezone(datetime.timezone.utc) == utc,
              f"{label}: {uid}: icalendar reads {prop.dt}, the VTIMEZONE says {utc}")
        description = str(ev.get("DESCRIPTION")) if ev.get("DESCRIPTION") is not None else None
        events[uid] = (utc, str(ev.get("SUMMARY")), description)
    return cal, events


def compare(label, binary, src, workflows, tracks, events):
    """Every event of the feed against simulate, for every calendar of `tracks`."""
    seen = set()
    for track, year in calendars_in(workflows):
        if track not in tracks:
            continue
        want, segments = expected_events(binary, src, workflows, track, year)
        for uid, (at, kind, message) in want.items():
            seen.add(uid)
            got = events.get(uid)
            if not check(got is not None, f"{label}: {uid} ({kind} {at}) missing from the feed"):
                continue
            check(got[0] == at, f"{label}: {uid} at {got[0]}, simulate says {at}")
            check(got[2] == message, f"{label}: {uid} text {got[2]!r}, simulate says {message!r}")
        prefix = f"{track}-{year}-registration_"
        registration = {(at, "registration_" + uid[len(prefix):].split("-")[0])
                        for uid, (at, _, _) in events.items() if uid.startswith(prefix)}
        for uid, (at, _, _) in events.items():
            if not uid.startswith(prefix):
                continue
            seen.add(uid)
            if uid.startswith(prefix + "opens"):
                check(may_register(segments, at), f"{label}: {uid} at {at}, but simulate: no registering then")
            else:
                check(may_register(segments, at - datetime.timedelta(seconds=1)),
                      f"{label}: {uid} at {at}, but simulate: no registering just before")
        for at, kind in registration_flips(segments):
            check((at, kind) in registration,
                  f"{label}: simulate {track} {year}: {kind} at {at}, not in the feed")
    print(f"{label}: {len(seen)} events checked against simulate")
    extra = sorted(set(events) - seen)
    check(not extra, f"{label}: events simulate does not know: {extra[:5]}")
    feed_tracks = {uid.split("-")[0] for uid in events}
    check(feed_tracks == set(tracks), f"{label}: tracks {sorted(feed_tracks)}, want {sorted(tracks)}")


# ---- the flow ---------------------------------------------------------------------------------------

def new_address(client, port):
    r = client.form("/agenda/nieuw", {})
    m = re.search(r'>(http://127\.0\.0\.1:%d/agenda/[A-Za-z0-9_-]{43}\.ics)</textarea>' % port, r.text())
    if not check(r.status == 200 and m, f"{client.name}: POST /agenda/nieuw: {r.status}, no address on the page"):
        raise RuntimeError("no feed address")
    return urllib.parse.urlparse(html.unescape(m.group(1))).path


def fetch(port, path):
    return Client(port).request("GET", path)


def logged_in(port, address):
    c = Client(port, address)
    r = c.login(address)
    if r.status != 200:
        raise RuntimeError(f"login {address}: {r.status} {r.text()[:200]}")
    return c


def write_table(path, rows):
    cells = "".join(
        f"<tr><td>{html.escape(local.strftime('%d/%m/%Y %H:%M'))}</td><td>{html.escape(summary)}</td>"
        f"<td><code>{html.escape(uid)}</code></td></tr>" for local, summary, uid in sorted(rows))
    with open(path, "w", encoding="utf-8") as f:
        f.write("<!doctype html><meta charset=utf-8><title>Agenda-feed</title><style>body{font:13px sans-serif;"
                "margin:16px}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
                "table{border-collapse:collapse}h1{font-size:18px}</style>"
                "<h1>De agenda-feed van een school, gelezen door Debian's python3-icalendar "
                f"{html.escape(icalendar.__version__)} ({len(rows)} gebeurtenissen, Europe/Brussels)</h1>"
                "<table><tr><th>DTSTART (lokale tijd)</th><th>SUMMARY</th><th>UID</th></tr>" + cells + "</table>")


def run(binary, src, work, table):
    server = Server(binary, src, work, "sqlite:" + os.path.join(work, "stagematch.db"), "sqlite")
    server.start()
    tokens = []
    try:
        db = Database(server.db)
        every_track = sorted(os.listdir(os.path.join(src, "workflows", "calendars")))
        school_tracks = sorted(r[0] for r in db.rows(
            "SELECT t.track FROM organisation_tracks t JOIN users u ON u.org_id = t.org_id "
            "WHERE u.email = 'school@demo.stagematch.be'"))
        workflows = published_workflows(src, db, work)
        admin = logged_in(server.port, "beheerder@demo.stagematch.be")
        school = logged_in(server.port, "school@demo.stagematch.be")
        service = logged_in(server.port, "dienst@demo.stagematch.be")

        paths = {}
        for label, client, tracks in (("school", school, school_tracks), ("dienst", service, every_track),
                                      ("beheerder", admin, every_track)):
            path = new_address(client, server.port)
            tokens.append(path)
            paths[label] = path
            r = fetch(server.port, path)
            if not check(r.status == 200, f"{label}: GET feed {r.status}"):
                continue
            check(r.header("Content-Type") == "text/calendar; charset=utf-8",
                  f"{label}: Content-Type {r.header('Content-Type')}")
            _, events = feed_events(label, r.body)
            compare(label, binary, src, workflows, tracks, events)
            if label == "school" and table:
                cal = icalendar.Calendar.from_ical(r.body)
                write_table(table, [(e["DTSTART"].dt.replace(tzinfo=None), str(e["SUMMARY"]), str(e["UID"]))
                                    for e in cal.walk("VEVENT")])

        # A published calendar is in the feed at the next fetch.
        with open(os.path.join(workflows, "calendars", "secundair", "2025-2026.yaml"), encoding="utf-8") as f:
            text = f.read()
        moved = text.replace("opens: 2025-09-05 12:00", "opens: 2025-09-04 12:00")
        check(moved != text, "the test's calendar change did not apply")
        r = admin.request("PUT", "/api/v1/admin/calendars/secundair/2025-2026", moved.encode(),
                          {"Content-Type": "application/x-yaml", "X-CSRF-Token": admin.csrf})
        if check(r.status == 200, f"publishing the changed calendar: {r.status} {r.text()[:300]}"):
            r = fetch(server.port, paths["school"])
            _, events = feed_events("school after publishing", r.body)
            compare("school after publishing", binary, src, published_workflows(src, db, work), school_tracks,
                    events)
            uid = "secundair-2025-2026-round_opens-ronde_2@stagematch"
            check(uid in events and events[uid][0] == instant("2025-09-04T12:00:00+02:00"),
                  f"after publishing: {uid} is {events.get(uid)}, want 04/09/2025 12:00")

        # Renewing stops the old address at once; revoking stops the new one.
        renewed = new_address(school, server.port)
        tokens.append(renewed)
        old = fetch(server.port, paths["school"])
        unknown = fetch(server.port, "/agenda/" + "A" * 43 + ".ics")
        check(old.status == 404, f"the renewed (old) address answers {old.status}, want 404")
        check(old.body == unknown.body and unknown.status == 404,
              "the old address's 404 differs from an unknown address's")
        check(fetch(server.port, renewed).status == 200, "the new address does not answer 200")
        r = school.form("/agenda/intrekken", {})
        check(r.status == 303, f"POST /agenda/intrekken: {r.status}")
        check(fetch(server.port, renewed).status == 404, "the revoked address still answers")
    finally:
        server.stop()
    log = server.log()
    for path in tokens:
        check(path.split("/")[-1][:-4] not in log, "the server log holds a feed token")
    check("/agenda/[verborgen]" in log, "the feed requests are not in the server log (masked)")


def main():
    args = sys.argv[1:]
    table = None
    if "--table" in args:
        i = args.index("--table")
        table = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__)
        return 2
    binary, src = os.path.abspath(args[0]), os.path.abspath(args[1])
    work = tempfile.mkdtemp(prefix="stagematch-agenda-")
    try:
        run(binary, src, work, table)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"agenda feed: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
