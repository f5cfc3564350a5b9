#!/usr/bin/python3
"""The calendar feed (GET /agenda/TOKEN.ics) read by an independent iCalendar implementation.

Usage: agenda_ics.py BINARY SOURCE_DIR [--table FILE.html]

It starts `stagematch serve` on a free loopback port with a fresh SQLite database, makes an
admin (`admin create`), a school entitled to two tracks and a service (invitations, activated
through the mailed links), and for each of them makes a feed address on the /agenda page. Then:

  parse     Debian's python3-icalendar parses each feed; every line ends in CRLF and is at most
            75 octets; the VTIMEZONE Europe/Brussels has its DAYLIGHT and STANDARD rules
  events    every event is checked against `stagematch simulate --format json` of its calendar:
            round openings and closings and results dates are simulate's events (UID, moment,
            text), registration opens and closes are exactly where simulate's segments let
            schools register or not; nothing else is in the feed and nothing of those is missing;
            the moment is computed from the feed's own VTIMEZONE rules (not from a time-zone
            database) and compared with simulate's, and with the one icalendar reads
  tracks    the school's feed holds its two tracks only; the service's and the admin's all
  follows   a calendar the admin publishes is in the feed at the next fetch (and simulate of a
            workflows/ holding that calendar agrees with it)
  tokens    a renewed address stops the old one (404, the same answer as any unknown address),
            a revoked one stops too; the server's log never holds a token

With --table it writes the parsed events of the school's feed as an HTML table (for a look).
Exit 1 on any failure, with one line per failed check.
"""

import datetime
import email
import email.policy
import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import icalendar
from dateutil import rrule

PASSWORD = "een-lang-wachtwoord-voor-de-agenda"
TIMEOUT = 30
# The kinds of simulate's events that are dates in the feed; reminders and "closing soon" are mails.
FEED_KINDS = {"round_opens", "round_closes", "results_visible"}

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


class Client:
    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = None

    def request(self, method, path, body=None, headers=None):
        h = {"Connection": "close"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            for c in r.msg.get_all("Set-Cookie") or []:
                k, _, v = c.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            conn.close()

    def api(self, method, path, payload=None, raw=None, content_type="application/json"):
        headers = {"Content-Type": content_type}
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        body = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else None)
        return self.request(method, path, body, headers)

    def form(self, path, fields):
        fields = dict(fields, _csrf=self.csrf)
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, address):
        status, _, body = self.api("POST", "/api/v1/login", {"email": address, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"login {address}: {status} {body[:200]!r}")
        self.csrf = json.loads(body)["csrf_token"]


class Server:
    def __init__(self, binary, src, work):
        self.binary, self.src, self.work = binary, src, work
        self.db = "sqlite:" + os.path.join(work, "stagematch.db")
        self.log_path = os.path.join(work, "server.log")
        self.proc = None
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()

    def start(self):
        os.symlink(os.path.join(self.src, "web"), os.path.join(self.work, "web"))
        subprocess.run([self.binary, "admin", "create", "--email", "beheerder@agenda.test", "--db", self.db],
                       input=PASSWORD, text=True, check=True, capture_output=True, timeout=60)
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}",
             "--workflows", os.path.join(self.src, "workflows"), "--rules", os.path.join(self.src, "rules"),
             "--mail-templates", os.path.join(self.src, "mail-templates"),
             "--base-url", f"http://127.0.0.1:{self.port}"],
            cwd=self.work, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if Client(self.port).request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("the server did not start:\n" + self.log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(15)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def mailed_token(self, address):
        folder = os.path.join(self.work, "var", "mail")
        deadline = time.time() + 20
        while time.time() < deadline:
            for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                with open(os.path.join(folder, name), "rb") as f:
                    msg = email.message_from_binary_file(f, policy=email.policy.default)
                if address not in str(msg["To"]):
                    continue
                for part in msg.walk():
                    if part.get_content_type() == "text/plain":
                        m = re.search(r"token=([A-Za-z0-9_\-%]+)", part.get_content())
                        if m:
                            return urllib.parse.unquote(m.group(1))
            time.sleep(0.2)
        raise RuntimeError(f"no activation mail for {address}")


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
    status, _, body = client.form("/agenda/nieuw", {})
    page = body.decode("utf-8")
    m = re.search(r'value="(http://127\.0\.0\.1:%d/agenda/[A-Za-z0-9_-]{43}\.ics)"' % port, page)
    if not check(status == 200 and m, f"POST /agenda/nieuw: {status}, no address on the page"):
        raise RuntimeError("no feed address")
    return urllib.parse.urlparse(html.unescape(m.group(1))).path


def fetch(port, path):
    return Client(port).request("GET", path)


def invite(admin, server, address, org, role):
    status, _, body = admin.api("POST", "/api/v1/invitations", {"email": address, "org_id": org, "role": role})
    if status != 201:
        raise RuntimeError(f"invitation {address}: {status} {body[:200]!r}")
    token = server.mailed_token(address)
    status, _, body = Client(server.port).api("POST", "/api/v1/activate", {"token": token, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"activation {address}: {status} {body[:200]!r}")
    c = Client(server.port)
    c.login(address)
    return c


def write_table(path, events):
    rows = "".join(
        f"<tr><td>{html.escape(at.astimezone(datetime.timezone(datetime.timedelta(hours=1))).strftime('%d/%m/%Y'))}</td>"
        f"<td>{html.escape(str(local))}</td><td>{html.escape(summary)}</td><td><code>{html.escape(uid)}</code></td></tr>"
        for uid, (at, summary, _, local) in events)
    with open(path, "w", encoding="utf-8") as f:
        f.write("<!doctype html><meta charset=utf-8><title>Agenda-feed</title><style>body{font:14px sans-serif}"
                "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}table{border-collapse:collapse}</style>"
                f"<h1>Agenda-feed van een school, gelezen door python3-icalendar {icalendar.__version__}</h1>"
                "<table><tr><th>Datum</th><th>DTSTART (Europe/Brussels)</th><th>SUMMARY</th><th>UID</th></tr>"
                + rows + "</table>")


def run(binary, src, work, table):
    server = Server(binary, src, work)
    server.start()
    try:
        workflows = os.path.join(src, "workflows")
        every_track = sorted(os.listdir(os.path.join(workflows, "calendars")))
        admin = Client(server.port)
        admin.login("beheerder@agenda.test")
        status, _, body = admin.api("POST", "/api/v1/orgs", {"type": "school", "name": "Agenda school",
                                                            "tracks": ["secundair", "cvo"]})
        school_org = json.loads(body)["id"]
        status, _, body = admin.api("POST", "/api/v1/orgs", {"type": "service", "name": "Agenda dienst",
                                                            "provinces": ["ANT"]})
        service_org = json.loads(body)["id"]
        school = invite(admin, server, "school@agenda.test", school_org, "school")
        service = invite(admin, server, "dienst@agenda.test", service_org, "service")

        tokens = []
        paths = {}
        for label, client, tracks in (("school", school, ["cvo", "secundair"]), ("dienst", service, every_track),
                                      ("beheerder", admin, every_track)):
            path = new_address(client, server.port)
            tokens.append(path)
            paths[label] = path
            status, headers, raw = fetch(server.port, path)
            if not check(status == 200, f"{label}: GET feed {status}"):
                continue
            check(headers.get("content-type") == "text/calendar; charset=utf-8",
                  f"{label}: Content-Type {headers.get('content-type')}")
            _, events = feed_events(label, raw)
            compare(label, binary, src, workflows, tracks, events)
            if label == "school" and table:
                cal = icalendar.Calendar.from_ical(raw)
                local = {str(e["UID"]): e["DTSTART"].dt for e in cal.walk("VEVENT")}
                write_table(table, [(uid, (v[0], v[1], v[2], local[uid])) for uid, v in events.items()])

        # A published calendar is in the feed at the next fetch.
        changed = os.path.join(work, "workflows")
        shutil.copytree(workflows, changed)
        yaml_path = os.path.join(changed, "calendars", "secundair", "2025-2026.yaml")
        with open(yaml_path, encoding="utf-8") as f:
            text = f.read()
        moved = text.replace("opens: 2025-09-05 12:00", "opens: 2025-09-04 12:00")
        check(moved != text, "the test's calendar change did not apply")
        with open(yaml_path, "w", encoding="utf-8") as f:
            f.write(moved)
        status, _, body = admin.api("PUT", "/api/v1/admin/calendars/secundair/2025-2026", raw=moved.encode(),
                                    content_type="application/x-yaml")
        if check(status == 200, f"publishing the changed calendar: {status} {body[:300]!r}"):
            status, _, raw = fetch(server.port, paths["school"])
            _, events = feed_events("school after publishing", raw)
            compare("school after publishing", binary, src, changed, ["cvo", "secundair"], events)
            uid = "secundair-2025-2026-round_opens-ronde_2@stagematch"
            check(uid in events and events[uid][0] == instant("2025-09-04T12:00:00+02:00"),
                  f"after publishing: {uid} is {events.get(uid)}, want 04/09/2025 12:00")

        # Renewing stops the old address at once; revoking stops the new one.
        old = paths["school"]
        renewed = new_address(school, server.port)
        tokens.append(renewed)
        unknown = "/agenda/" + "A" * 43 + ".ics"
        status_old, _, body_old = fetch(server.port, old)
        status_unknown, _, body_unknown = fetch(server.port, unknown)
        check(status_old == 404, f"the renewed (old) address answers {status_old}, want 404")
        check(body_old == body_unknown and status_unknown == 404,
              "the old address's 404 differs from an unknown address's")
        check(fetch(server.port, renewed)[0] == 200, "the new address does not answer 200")
        status, _, _ = school.form("/agenda/intrekken", {})
        check(status == 303, f"POST /agenda/intrekken: {status}")
        check(fetch(server.port, renewed)[0] == 404, "the revoked address still answers")
    finally:
        server.stop()
    log = server.log()
    for path in tokens:
        token = path.split("/")[-1][:-4]
        check(token not in log, "the server log holds a feed token")
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
