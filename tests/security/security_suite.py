#!/usr/bin/python3
"""The security probe as a suite, against the real `stagematch serve` with the demo data.

Usage: security_suite.py BINARY SOURCE_DIR

It starts the server on a free loopback port with a fresh SQLite database (and, when
STAGEMATCH_TEST_PG is set, a second time on PostgreSQL), loads the demo, and checks:

  matrix    every page and API route from web/page_routes.cpp and web/api_routes.cpp, for every
            role, with ids of another organisation's objects: 401/303 for anonymous, 403 for a
            role the route is not for, 404 (the same answer as a missing id) for an object the
            caller may not see; nothing stored changes
  privacy   national numbers (both forms), student phones and e-mails and school contacts' phones
            and e-mails in every page, JSON, CSV, xlsx and mail a role can reach, and in the
            server log: only where the role may see them
  slow      20 connections sending a header line every few seconds, then 100 idle connections:
            a normal request is still answered
  lockout   wrong passwords from one client address never stop the owner from another
  tokens    after an invitation and a password reset, no live token in any text column
  alias     a calendar with YAML anchors and aliases is refused quickly with a positioned WF0111

It prints one line per failed check and a summary of the counts per category. Exit 1 on any
failure. Python's standard library only (Debian's python3).
"""

import email
import email.policy
import html
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile
from collections import Counter

# Activation and reset links are made when their mail is sent and never stored (issue 12 item
# 3), so any live token found in the database or on the admin's mail page fails the suite. Set
# this to True only while a known regression is being fixed: the token checks then run and their
# failures are printed as expected, and a token check that passes fails the suite, as a reminder
# to set it back.
TOKENS_IN_OUTBOX_EXPECTED = False
TOKENS_IN_OUTBOX_REASON = "links in the outbox: issue 12 item 3"

PASSWORD = "stagematch-demo"
DEMO_LOGINS = {
    "school": "school@demo.stagematch.be",
    "school2": "school2@demo.stagematch.be",
    "dienst": "dienst@demo.stagematch.be",
    "dienst2": "dienst2@demo.stagematch.be",
    "dienst3": "dienst3@demo.stagematch.be",
    "admin": "beheerder@demo.stagematch.be",
}
TRACKS = ["secundair", "duaal", "dubbele_finaliteit", "cvo"]
MISSING_ID = 999999
TIMEOUT = 10  # seconds for any single answer


class Checks:
    """Counts checks per category; remembers failures and expected failures."""

    def __init__(self):
        self.passed = Counter()
        self.failed = Counter()
        self.xfailed = Counter()
        self.failures = []

    def check(self, category, ok, what, expected_failure=None):
        if expected_failure:
            if ok:
                self.failed[category] += 1
                self.failures.append(f"[{category}] passes now, but is marked as an expected failure "
                                     f"({expected_failure}): {what}")
            else:
                self.xfailed[category] += 1
                print(f"expected failure [{category}] ({expected_failure}): {what}")
            return ok
        if ok:
            self.passed[category] += 1
        else:
            self.failed[category] += 1
            self.failures.append(f"[{category}] {what}")
            print(f"FAIL [{category}] {what}", flush=True)
        return ok


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Client:
    """One browser or program: its own cookies, its CSRF token, optionally a client address."""

    def __init__(self, port, name="anonymous", forwarded_for=None):
        self.port = port
        self.name = name
        self.cookies = {}
        self.csrf = None
        self.forwarded_for = forwarded_for

    def request(self, method, path, body=None, headers=None, timeout=TIMEOUT):
        h = {"Connection": "close"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            h["X-Forwarded-For"] = self.forwarded_for
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            for c in r.msg.get_all("Set-Cookie") or []:
                k, _, v = c.split(";", 1)[0].partition("=")
                if v:
                    self.cookies[k.strip()] = v.strip()
                else:
                    self.cookies.pop(k.strip(), None)
            return Response(r.status, r.getheaders(), data)
        finally:
            conn.close()

    def api(self, method, path, payload=None):
        headers = {}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        return self.request(method, path, body, headers)

    def form(self, path, fields):
        fields = dict(fields)
        if self.csrf:
            fields.setdefault("_csrf", self.csrf)
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, address, password=PASSWORD):
        r = self.api("POST", "/api/v1/login", {"email": address, "password": password})
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r


class Server:
    """`stagematch serve` on a free loopback port, in a work dir of its own (var/mail there)."""

    def __init__(self, binary, src, work, db, name):
        self.binary, self.src, self.work, self.db, self.name = binary, src, work, db, name
        self.proc = None
        self.port = None
        self.log_path = os.path.join(work, "server.log")

    def start(self):
        os.makedirs(self.work, exist_ok=True)
        os.symlink(os.path.join(self.src, "web"), os.path.join(self.work, "web"))
        out = subprocess.run([self.binary, "demo", "--db", self.db], cwd=self.src, capture_output=True, text=True,
                             timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"stagematch demo failed: {out.stdout}{out.stderr}")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}",
             "--workflows", os.path.join(self.src, "workflows"),
             "--rules", os.path.join(self.src, "rules"),
             "--mail-templates", os.path.join(self.src, "mail-templates"),
             "--base-url", f"http://127.0.0.1:{self.port}", "--trusted-proxy", "127.0.0.1"],
            cwd=self.work, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if Client(self.port).request("GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"the server did not start:\n{self.log()[-3000:]}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()

    def mails(self):
        """Every mail of the maildrop as (file name, recipient addresses, decoded text)."""
        out = []
        folder = os.path.join(self.work, "var", "mail")
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if not name.endswith(".eml"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            parts = [str(msg["Subject"] or "")]
            for part in msg.walk():
                if part.get_content_maintype() == "text":
                    parts.append(part.get_content())
            to = [a.lower() for a in re.findall(r"[\w.+-]+@[\w.-]+", str(msg["To"] or ""))]
            out.append((name, to, "\n".join(parts)))
        return out

    def wait_for_mail(self, address, count_before, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            mine = [m for m in self.mails() if address.lower() in m[1]]
            if len(mine) > count_before:
                return mine[-1]
            time.sleep(0.2)
        return None


# ---- the database, read directly (SQLite) or through psql (PostgreSQL) ----------------------

class Database:
    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith("sqlite:"):
            con = sqlite3.connect(self.url[len("sqlite:"):], timeout=10)
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        base, _, query = self.url.partition("?")
        env = dict(os.environ)
        schema = urllib.parse.parse_qs(query).get("schema")
        if schema:
            env["PGOPTIONS"] = f"-c search_path={schema[0]}"
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1e", base,
                              "-c", sql], capture_output=True, text=True, env=env, check=True)
        records = (line.strip("\n") for line in out.stdout.split("\x1e"))
        return [tuple(line.split("\x1f")) for line in records if line]

    def text_columns(self):
        """(table, column) of every text column of every table."""
        if self.url.startswith("sqlite:"):
            tables = [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type='table'")]
            cols = []
            for t in tables:
                for c in self.rows(f'PRAGMA table_info("{t}")'):
                    if "TEXT" in (c[2] or "").upper() or not c[2]:
                        cols.append((t, c[1]))
            return cols
        return self.rows("SELECT table_name, column_name FROM information_schema.columns "
                         "WHERE table_schema = current_schema() AND data_type IN "
                         "('text', 'character varying', 'jsonb', 'json')")

    def holding(self, needle):
        """The (table, column) pairs whose text holds needle."""
        found = []
        for t, c in self.text_columns():
            rows = self.rows(f'SELECT count(*) FROM "{t}" WHERE CAST("{c}" AS TEXT) LIKE '
                             f"'%{needle}%'")
            if int(rows[0][0]) > 0:
                found.append(f"{t}.{c}")
        return found

    def digest(self):
        """What the matrix must not change: requests, statuses, contacts, users, organisations."""
        parts = []
        for sql in ["SELECT id, school_id, state, accepted_by, mentor_id, notes, version, fields_json "
                    "FROM requests ORDER BY id",
                    "SELECT request_id, service_id, status FROM service_statuses "
                    "ORDER BY request_id, service_id",
                    "SELECT id, org_id, name, phone, email FROM contacts ORDER BY id",
                    "SELECT id, email, role, org_id, password_hash, activated_at FROM users ORDER BY id",
                    "SELECT id, type, name FROM organisations ORDER BY id",
                    "SELECT count(*) FROM outbox"]:
            parts.append(repr([tuple(str(x) for x in r) for r in self.rows(sql)]))
        return "\n".join(parts)


# ---- the route table, read from the source --------------------------------------------------

ROUTE_RE = re.compile(
    r'router_?\.add\(\s*"(GET|POST|PUT|DELETE|PATCH)",\s*"([^"]+)",\s*'
    r'(Access::only\(\{[^}]*\}\)|Access::\w+\(\)|\w+)')
ACCESS_VAR_RE = re.compile(r'(?:const\s+)?Access\s+(\w+)\s*=\s*(Access::only\(\{[^}]*\}\)|Access::\w+\(\))')


def access_roles(expr):
    """None for a public route, [] for any logged-in role, else the roles."""
    if expr == "Access::public_route()":
        return None
    if expr == "Access::logged_in()":
        return []
    return re.findall(r'"(\w+)"', expr)


def read_routes(src):
    routes = []
    for rel in ["web/page_routes.cpp", "web/api_routes.cpp", "web/app.cpp"]:
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            code = f.read()
        variables = {m.group(1): m.group(2) for m in ACCESS_VAR_RE.finditer(code)}
        for m in ROUTE_RE.finditer(code):
            method, pattern, access = m.groups()
            expr = variables.get(access, access)
            if not expr.startswith("Access::"):
                raise RuntimeError(f"{rel}: cannot read who may call {method} {pattern}: {access}")
            routes.append((method, pattern, access_roles(expr)))
    if len(routes) < 60:
        raise RuntimeError(f"only {len(routes)} routes read from the source: the reader is out of date")
    return routes


# ---- personal data ----------------------------------------------------------------------------

def national_number_forms(nn):
    return [nn, f"{nn[0:2]}.{nn[2:4]}.{nn[4:6]}-{nn[6:9]}.{nn[9:11]}"]


def compact(text):
    return re.sub(r"[\s\u00a0]+", "", text)


class PersonalData:
    """Every personal value of the demo, by the request or contact it belongs to."""

    def __init__(self, db):
        self.requests = {}  # id -> (school_id, school_contact_id, [values])
        for rid, school, contact, fields in db.rows(
                "SELECT id, school_id, school_contact_id, fields_json FROM requests"):
            f = json.loads(fields)
            values = national_number_forms(f["national_number"])
            values += [v for v in (f.get("phone"), f.get("email")) if v]
            self.requests[int(rid)] = (int(school), int(contact) if contact not in (None, "") else None,
                                       values)
        self.contacts = {}  # id -> (org_id, [values]), school contacts only
        for cid, org, phone, mail in db.rows(
                "SELECT c.id, c.org_id, c.phone, c.email FROM contacts c "
                "JOIN organisations o ON o.id = c.org_id WHERE o.type = 'school'"):
            self.contacts[int(cid)] = (int(org), [phone, mail])

    def all_values(self):
        out = set()
        for _, _, values in self.requests.values():
            out.update(values)
        for _, values in self.contacts.values():
            out.update(values)
        return out

    def allowed_for(self, db, role, org):
        """The values a role may see: a school its own; a service those of the students it holds
        now (uitgenodigd or aanvaard) and their school contacts; the admin everything."""
        if role == "admin":
            return self.all_values()
        allowed = set()
        if role == "school":
            for school, _, values in self.requests.values():
                if school == org:
                    allowed.update(values)
            for contact_org, values in self.contacts.values():
                if contact_org == org:
                    allowed.update(values)
        elif role == "service":
            held = {int(r[0]) for r in db.rows(
                "SELECT request_id FROM service_statuses WHERE service_id = %d "
                "AND status IN ('uitgenodigd', 'aanvaard')" % org)}
            for rid in held:
                _, contact, values = self.requests[rid]
                allowed.update(values)
                if contact in self.contacts:
                    allowed.update(self.contacts[contact][1])
        return allowed

    @staticmethod
    def found(text, values):
        """The values that occur in text (phones also without their spaces)."""
        low = text.lower()
        flat = compact(low)
        return sorted(v for v in values if v.lower() in low or compact(v.lower()) in flat)


def readable(resp):
    """The text a person or program reads in an answer: HTML and XML unescaped, xlsx unzipped."""
    ctype = (resp.header("Content-Type") or "").lower()
    if "spreadsheetml" in ctype or resp.body[:2] == b"PK":
        texts = []
        with zipfile.ZipFile(io.BytesIO(resp.body)) as z:
            for n in z.namelist():
                if n.endswith(".xml"):
                    texts.append(html.unescape(z.read(n).decode("utf-8", "replace")))
        return "\n".join(texts)
    text = resp.text()
    if "json" in ctype:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return html.unescape(text)


# ---- the suite ----------------------------------------------------------------------------------

class Suite:
    def __init__(self, server, db, src, checks, label):
        self.server, self.db, self.src, self.c, self.label = server, db, src, checks, label
        self.port = server.port
        self.clients = {}
        self.roles = {}  # name -> (role, org_id)
        self.seen = {}  # client name -> list of (where, readable text)
        self.tokens = []  # live tokens that arrived by mail

    def see(self, who, where, resp):
        try:
            self.seen.setdefault(who, []).append((where, readable(resp)))
        except zipfile.BadZipFile:
            self.c.check("privacy", False, f"{self.label} {who}: {where} is not a readable xlsx")

    def year(self):
        t = time.localtime()
        y = t.tm_year if t.tm_mon >= 9 else t.tm_year - 1
        return f"{y}-{y + 1}"

    # -- set-up: every role logged in, and the statuses the privacy checks need
    def set_up(self):
        for name, address in DEMO_LOGINS.items():
            cl = Client(self.port, name)
            r = cl.login(address)
            if r.status != 200:
                raise RuntimeError(f"{name} cannot log in: {r.status} {r.text()}")
            user = r.json()["user"]
            self.clients[name] = cl
            self.roles[name] = (user["role"], user.get("org_id"))
        org_of = {n: o for n, (_, o) in self.roles.items()}
        mentor = {n: int(self.db.rows(f"SELECT min(id) FROM contacts WHERE org_id = {org_of[n]}")[0][0])
                  for n in ("dienst", "dienst2", "dienst3")}
        # dienst accepts a secundair student of school 1; dienst2 invites a duaal student of
        # school 2, and invites another and takes that back; the admin undoes one of dienst3's
        # acceptances; school2 stops a student.
        sec = self.open_request("secundair", org_of["school"])
        steps = [
            ("dienst", sec, {"status": "aanvaard", "mentor_id": mentor["dienst"], "periods": [0],
                             "notes": "Start op maandag."}),
        ]
        duaal = self.open_requests("duaal", org_of["school2"], 2)
        steps += [
            ("dienst2", duaal[0], {"status": "uitgenodigd"}),
            ("dienst2", duaal[1], {"status": "uitgenodigd"}),
            ("dienst2", duaal[1], {"status": "onbeslist"}),
        ]
        released = self.db.rows(f"SELECT min(id) FROM requests WHERE accepted_by = {org_of['dienst3']}")
        steps.append(("admin", int(released[0][0]), {"status": "onbeslist",
                                                     "reason": "Verkeerde student aanvaard."}))
        for who, rid, body in steps:
            r = self.clients[who].api("POST", f"/api/v1/requests/{rid}/status", body)
            if r.status != 200:
                raise RuntimeError(f"set-up: {who} status {body} on {rid}: {r.status} {r.text()}")
        stop = self.open_request("secundair", org_of["school2"])
        r = self.clients["school2"].api("POST", f"/api/v1/requests/{stop}/stop", {})
        if r.status not in (200, 204):
            raise RuntimeError(f"set-up: school2 stops {stop}: {r.status} {r.text()}")

    def open_requests(self, track, school, n):
        rows = self.db.rows(f"SELECT id FROM requests WHERE track = '{track}' AND school_id = {school} "
                            f"AND accepted_by IS NULL AND state = 'active' ORDER BY id DESC LIMIT {n}")
        return [int(r[0]) for r in rows]

    def open_request(self, track, school):
        return self.open_requests(track, school, 1)[0]

    # -- the authorisation matrix
    def fill(self, pattern, who, foreign):
        """The paths to try for pattern as who: one per foreign id (or one when it has none)."""
        path = pattern.replace("{track}", "secundair").replace("{year}", self.year())
        if "{file}" in path:
            return []
        if "{id}" not in path:
            return [(path, None)]
        kind = "contact" if "contactpersonen" in path or "contacts" in path else \
               "mail" if "/mails/" in path else "request"
        ids = foreign.get((who, kind)) or [1]
        return [(path.replace("{id}", str(i)), i) for i in ids]

    def foreign_ids(self):
        """For each role and kind of object, ids of objects of another organisation that the role
        may not see."""
        out = {}
        for who, (role, org) in self.roles.items():
            if role == "school":
                reqs = self.db.rows(f"SELECT id FROM requests WHERE school_id <> {org} ORDER BY id")
                ids = [int(r[0]) for r in reqs]
                out[(who, "request")] = ids[:3] + ids[-2:]
            elif role == "service":
                reqs = self.db.rows(f"SELECT id FROM requests WHERE (accepted_by IS NOT NULL AND "
                                    f"accepted_by <> {org}) OR state = 'stopped' ORDER BY id")
                out[(who, "request")] = [int(r[0]) for r in reqs][:6]
            if role in ("school", "service"):
                cs = self.db.rows(f"SELECT min(c.id) FROM contacts c JOIN organisations o ON "
                                  f"o.id = c.org_id WHERE c.org_id <> {org} GROUP BY o.type")
                out[(who, "contact")] = [int(r[0]) for r in cs]
            out[(who, "mail")] = [1]
        return out

    def matrix(self):
        routes = read_routes(self.src)
        foreign = self.foreign_ids()
        self.taken_by_other = {(int(r), int(s)) for r, a in self.db.rows(
            "SELECT id, accepted_by FROM requests WHERE accepted_by IS NOT NULL AND state = 'active'")
            for (s,) in self.db.rows(f"SELECT id FROM organisations WHERE type = 'service' AND id <> {a}")}
        # The scheduler's first pass queues the mails that are due (round openings, reminders);
        # on a slow build it is still doing so when the matrix starts. Wait until the stored
        # data stands still, so only the matrix's own requests could change it.
        before, steady_since, deadline = self.db.digest(), time.monotonic(), time.monotonic() + 60
        while time.monotonic() - steady_since < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.db.digest()
            if now != before:
                before, steady_since = now, time.monotonic()
        anon = Client(self.port, "anonymous")
        everyone = [("anonymous", anon)] + list(self.clients.items())
        for method, pattern, roles in routes:
            if roles is None:
                continue  # public: the account forms, static files, /healthz, /metrics
            api = pattern.startswith("/api/")
            for who, cl in everyone:
                role = self.roles.get(who, (None, None))[0]
                allowed = who != "anonymous" and (roles == [] or role in roles)
                for path, obj in self.fill(pattern, who, foreign):
                    if allowed and obj is None and method != "GET":
                        continue  # would change data: covered by the product's own tests
                    if allowed and obj is not None and role == "admin":
                        continue  # the admin sees every organisation's objects
                    r = self.send(cl, method, path, api)
                    self.see(who, f"{method} {path}", r)
                    what = f"{self.label} {who} {method} {path} ({pattern})"
                    if who == "anonymous":
                        if api:
                            self.c.check("matrix", r.status == 401, f"{what}: {r.status}, want 401")
                        else:
                            loc = r.header("Location") or ""
                            ok = r.status == 303 and loc.startswith("/login") if method == "GET" \
                                else r.status in (303, 401, 403)
                            self.c.check("matrix", ok, f"{what}: {r.status} {loc}, want to /login")
                    elif not allowed:
                        self.c.check("matrix", r.status == 403, f"{what}: {r.status}, want 403")
                    elif obj is not None:
                        missing = self.send(cl, method, path.replace(f"/{obj}", f"/{MISSING_ID}", 1), api)
                        same = r.status == 404 and missing.status == 404 and (
                            not api or (r.json() or {}).get("error") == (missing.json() or {}).get("error"))
                        # CONTRACT: a service trying to take a student another service accepted
                        # hears 409 already_accepted, where it would have seen the request.
                        if (obj, self.roles[who][1]) in self.taken_by_other and method == "POST" \
                                and re.search(r"/(status|aanvaarden)$", path):
                            same = r.status == 409
                        self.c.check("matrix", same, f"{what}: {r.status} {r.text()[:120]!r}, want the "
                                     f"404 of a missing id ({missing.status})")
                    else:
                        self.c.check("matrix", r.status in (200, 303),
                                     f"{what}: {r.status}, want 200 for the role it is for")
        # /metrics answers this machine only, not a client nginx passes on.
        r = Client(self.port, "anonymous", forwarded_for="203.0.113.50").request("GET", "/metrics")
        self.c.check("matrix", r.status == 403, f"{self.label} /metrics via a proxy: {r.status}, want 403")
        self.c.check("matrix", self.db.digest() == before,
                     f"{self.label} the refused requests of the matrix changed stored data")

    def send(self, cl, method, path, api):
        """One request; a status change carries a valid status, so it cannot stop at validation."""
        if method == "GET":
            return cl.request("GET", path)
        body = {"status": "niet_aanvaard"} if path.endswith("/status") else {}
        if api:
            return cl.api(method, path, body)
        return cl.form(path, body)

    # -- what each role reaches: lists, details, exports, pages (crawled), for the privacy scan
    def collect(self):
        self.crawl("anonymous", Client(self.port, "anonymous"), start="/login")
        for who, cl in self.clients.items():
            role = self.roles[who][0]
            if role == "admin":
                continue
            for t in TRACKS:
                for tab in ("open", "accepted"):
                    page = 1
                    while page < 20:
                        r = cl.request("GET", f"/api/v1/tracks/{t}/requests?tab={tab}&page_size=500&page={page}")
                        self.see(who, f"list {t} {tab} {page}", r)
                        items = (r.json() or {}).get("items") or []
                        for it in items:
                            d = cl.request("GET", f"/api/v1/requests/{it['id']}")
                            self.see(who, f"detail {it['id']}", d)
                        if len(items) < 500:
                            break
                        page += 1
                    for ext in ("csv", "xlsx"):
                        r = cl.request("GET", f"/api/v1/tracks/{t}/requests.{ext}?tab={tab}")
                        self.c.check("privacy", r.status == 200, f"{self.label} {who} {t}.{ext}: {r.status}")
                        self.see(who, f"{t}.{ext} {tab}", r)
            for path in ("/api/v1/me", "/api/v1/orgs", "/api/v1/contacts"):
                self.see(who, path, cl.request("GET", path))
            self.crawl(who, cl)

    def crawl(self, who, cl, start="/", limit=250):
        """Every page reachable by following links from start, as who."""
        queue, done = [start], set()
        while queue and len(done) < limit:
            path = queue.pop(0)
            if path in done:
                continue
            done.add(path)
            r = cl.request("GET", path)
            self.see(who, f"page {path}", r)
            if r.status == 303 and (r.header("Location") or "").startswith("/"):
                queue.append(r.header("Location"))
            if "html" not in (r.header("Content-Type") or ""):
                continue
            for href in re.findall(r'href="(/[^"#]*)"', r.text()):
                href = html.unescape(href)
                if href.startswith("/static/") or href in done or "afmelden" in href:
                    continue
                queue.append(href)

    def privacy(self, pii):
        for who, responses in self.seen.items():
            role, org = self.roles.get(who, ("anonymous", None))
            forbidden = pii.all_values() - (pii.allowed_for(self.db, role, org) if role != "anonymous"
                                            else set())
            for where, text in responses:
                leaked = PersonalData.found(text, forbidden)
                self.c.check("privacy", not leaked, f"{self.label} {who} sees {leaked} in {where}")
            # The scan must be able to see: every national number this role may see shows up in
            # something it reached (a service's held students, a school's own).
            if role in ("school", "service"):
                everything = "\n".join(compact(t) for _, t in responses)
                allowed = pii.allowed_for(self.db, role, org)
                numbers = [v[0] for _, _, v in pii.requests.values() if v[0] in allowed]
                missing = [n for n in numbers if n not in everything]
                self.c.check("privacy", numbers and not missing,
                             f"{self.label} {who} never saw the national numbers it may see: "
                             f"{missing or 'none held'}")
        users = {r[0].lower(): (r[1], int(r[2]) if r[2] not in (None, "") else None)
                 for r in self.db.rows("SELECT email, role, org_id FROM users")}
        for name, to, text in self.server.mails():
            for address in to:
                role, org = users.get(address, ("anonymous", None))
                forbidden = pii.all_values() - pii.allowed_for(self.db, role, org)
                leaked = PersonalData.found(text, forbidden)
                self.c.check("privacy", not leaked, f"{self.label} mail {name} to {address} ({role}) "
                             f"holds {leaked}")
        log = self.server.log()
        leaked = PersonalData.found(log, pii.all_values() | {PASSWORD})
        self.c.check("privacy", not leaked, f"{self.label} the server log holds {leaked}")
        for token in self.tokens:
            self.c.check("privacy", token not in log, f"{self.label} the server log holds a mailed token")

    # -- slow and idle connections
    def probe(self, what):
        cl = self.clients["dienst"]
        start = time.time()
        try:
            r = cl.request("GET", "/api/v1/me", timeout=8)
            ok = r.status == 200
            detail = f"{r.status} after {time.time() - start:.1f} s"
        except OSError as e:
            ok, detail = False, f"{type(e).__name__} after {time.time() - start:.1f} s"
        self.c.check("slow", ok, f"{self.label} {what}: a normal request got {detail} (bound 8 s)")

    def slow_connections(self):
        stop = threading.Event()
        socks = []

        def dribble(s):
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                i = 0
                while not stop.wait(3):
                    s.sendall(b"X-Slow-%d: a\r\n" % i)
                    i += 1
            except OSError:
                pass

        threads = []
        try:
            for _ in range(20):
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                socks.append(s)
                th = threading.Thread(target=dribble, args=(s,), daemon=True)
                th.start()
                threads.append(th)
            for i in range(3):
                time.sleep(2)
                self.probe(f"20 slow-header connections, probe {i + 1}")
        finally:
            stop.set()
            for s in socks:
                s.close()
        socks = []
        try:
            for _ in range(100):
                socks.append(socket.create_connection(("127.0.0.1", self.port), timeout=5))
            for i in range(3):
                time.sleep(1)
                self.probe(f"100 idle connections, probe {i + 1}")
        finally:
            for s in socks:
                s.close()

    # -- tokens: an invitation and a password reset leave no live token in the database
    def tokens_stored(self):
        admin = self.clients["admin"]
        address = "nieuw.lid@school.demo.stagematch.be"
        org = self.roles["school2"][1]
        r = admin.api("POST", "/api/v1/invitations", {"email": address, "org_id": org, "role": "school"})
        if not self.c.check("tokens", r.status == 201, f"{self.label} invitation: {r.status} {r.text()}"):
            return None
        token, mail_id = self.token_from_mail(address, 0, "activeren")
        if token is None:
            return None
        self.token_not_stored(token, "activation", mail_id)
        new_password = "Een-nieuw-wachtwoord-42"
        r = Client(self.port).api("POST", "/api/v1/activate", {"token": token, "password": new_password})
        self.c.check("tokens", r.status == 200, f"{self.label} the mailed activation token works: {r.status}")
        r = Client(self.port).api("POST", "/api/v1/password-reset", {"email": address})
        self.c.check("tokens", r.status == 202, f"{self.label} password reset: {r.status}")
        token, mail_id = self.token_from_mail(address, 1, "wachtwoord-herstellen")
        if token is None:
            return None
        self.token_not_stored(token, "password reset", mail_id)
        new_password = "Nog-een-ander-wachtwoord-7"
        r = Client(self.port).api("POST", "/api/v1/password-reset/confirm",
                                  {"token": token, "password": new_password})
        self.c.check("tokens", r.status == 200, f"{self.label} the mailed reset token works: {r.status}")
        return address, new_password

    def token_from_mail(self, address, before, word):
        mail = self.server.wait_for_mail(address, before)
        if not self.c.check("tokens", mail is not None, f"{self.label} no {word} mail for {address}"):
            return None, None
        m = re.search(word + r"\?token=([A-Za-z0-9_\-%.~]+)", mail[2])
        if not self.c.check("tokens", m is not None, f"{self.label} no {word} link in {mail[0]}"):
            return None, None
        token = urllib.parse.unquote(m.group(1))
        self.tokens.append(token)
        rows = self.db.rows("SELECT max(id) FROM outbox")
        return token, int(rows[0][0])

    def token_not_stored(self, token, what, mail_id):
        xfail = TOKENS_IN_OUTBOX_REASON if TOKENS_IN_OUTBOX_EXPECTED else None
        found = self.db.holding(token)
        self.c.check("tokens", not found, f"{self.label} the live {what} token is stored in {found}",
                     expected_failure=xfail)
        shown = []
        for (mid,) in self.db.rows("SELECT id FROM outbox ORDER BY id DESC LIMIT 5"):
            r = self.clients["admin"].request("GET", f"/admin/mails/{mid}")
            if token in r.text():
                shown.append(f"/admin/mails/{mid}")
        self.c.check("tokens", not shown, f"{self.label} the live {what} token is shown on {shown}",
                     expected_failure=xfail)

    # -- lockout: one client's wrong passwords never stop the owner elsewhere
    def lockout(self, account):
        if account is None:
            account = (DEMO_LOGINS["school2"], PASSWORD)
        address, password = account
        attacker = Client(self.port, "attacker", forwarded_for="203.0.113.7")
        codes = [attacker.api("POST", "/api/v1/login", {"email": address, "password": f"fout-{i}"}).status
                 for i in range(8)]
        self.c.check("lockout", all(c in (401, 429) for c in codes) and 429 in codes,
                     f"{self.label} the guesser is slowed down: {codes}")
        owner = Client(self.port, "owner", forwarded_for="198.51.100.9")
        r = owner.login(address, password)
        self.c.check("lockout", r.status == 200,
                     f"{self.label} the owner's right password from another address: {r.status} {r.text()[:120]}")
        # The same over the login form, from a third address.
        page = Client(self.port, "owner-page", forwarded_for="198.51.100.10")
        form = page.request("GET", "/login")
        m = re.search(r'name="_csrf" value="([^"]+)"', form.text())
        if self.c.check("lockout", m is not None, f"{self.label} the login form has no _csrf field"):
            r = page.form("/login", {"_csrf": html.unescape(m.group(1)), "email": address,
                                     "password": password})
            self.c.check("lockout", r.status == 303 and "/login" not in (r.header("Location") or ""),
                         f"{self.label} the owner's login form from another address: {r.status} "
                         f"{r.header('Location')}")
        # A client spraying one password over many addresses is slowed down too.
        sprayer = Client(self.port, "sprayer", forwarded_for="203.0.113.8")
        codes = [sprayer.api("POST", "/api/v1/login",
                             {"email": f"spray{i}@example.invalid", "password": "Winter2026!"}).status
                 for i in range(56)]
        self.c.check("lockout", codes[-1] == 429, f"{self.label} 56 addresses from one client: last "
                     f"answers {codes[-6:]}, want 429")

    # -- the alias bomb
    def alias_bomb(self):
        with open(os.path.join(self.src, "workflows/calendars/secundair/2025-2026.yaml")) as f:
            good = f.read()
        lines = ["x0: &x0 [%s]" % ",".join(['"lol"'] * 10)]
        lines += ["x%d: &x%d [%s]" % (i, i, ",".join(["*x%d" % (i - 1)] * 10)) for i in range(1, 10)]
        bomb = good + "\n" + "\n".join(lines) + "\n"
        admin = self.clients["admin"]
        start = time.time()
        try:
            r = admin.request("PUT", "/api/v1/admin/calendars/secundair/2025-2026", bomb.encode(),
                              {"X-CSRF-Token": admin.csrf, "Content-Type": "application/yaml"}, timeout=15)
        except OSError as e:
            self.c.check("alias", False, f"{self.label} the alias bomb got no answer: {e}")
            return
        took = time.time() - start
        self.c.check("alias", r.status == 422, f"{self.label} the alias bomb: {r.status}, want 422")
        self.c.check("alias", took < 5, f"{self.label} the alias bomb took {took:.1f} s (bound 5 s)")
        text = r.text()
        self.c.check("alias", re.search(r"[\w/.-]+\.yaml:\d+:\d+", text) is not None and "WF0111" in text,
                     f"{self.label} the alias bomb's answer has no positioned WF0111: {text[:300]}")
        self.probe("after the alias bomb")


def run(binary, src, db_url, label, work, checks):
    server = Server(binary, src, work, db_url, label)
    try:
        server.start()
        db = Database(db_url)
        pii = PersonalData(db)
        suite = Suite(server, db, src, checks, label)
        suite.set_up()
        suite.matrix()
        suite.collect()
        suite.slow_connections()
        account = suite.tokens_stored()
        suite.lockout(account)
        suite.alias_bomb()
        suite.privacy(pii)
    except Exception:
        print(f"--- server log ({label}) ---\n{server.log()[-4000:]}" if server.port else "")
        raise
    finally:
        server.stop()


def main():
    binary, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    checks = Checks()
    work = tempfile.mkdtemp(prefix="stagematch-security.")
    schema = f"security_{os.getpid()}"
    pg = os.environ.get("STAGEMATCH_TEST_PG")
    started = time.time()
    try:
        run(binary, src, f"sqlite:{work}/sqlite/demo.db", "sqlite", f"{work}/sqlite", checks)
        if pg:
            subprocess.run(["psql", "-q", pg, "-c", f"CREATE SCHEMA {schema}"], check=True,
                           capture_output=True)
            run(binary, src, f"{pg}?schema={schema}", "postgresql", f"{work}/postgresql", checks)
        else:
            print("postgresql: skipped (STAGEMATCH_TEST_PG is not set)")
    finally:
        if pg:
            subprocess.run(["psql", "-q", pg, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nsecurity suite, {time.time() - started:.0f} s:")
    for cat in ["matrix", "privacy", "slow", "lockout", "tokens", "alias"]:
        print(f"  {cat:8} {checks.passed[cat]:5} passed  {checks.failed[cat]:3} failed  "
              f"{checks.xfailed[cat]:3} expected failures")
    for f in checks.failures:
        print(f"FAIL {f}")
    sys.exit(1 if checks.failures else 0)


if __name__ == "__main__":
    main()
