"""The fifth track (tests/fixtures/lokale_partnerschappen) through the real server: an admin sets
up a local partnership and two partners by invitation (activation links read from the mails in
MAILDIR), the partnership registers a client through the API, the partner it signed up with
lists it (without personal fields), takes it in and then sees them; the other partner never sees
the client. The pages of both roles answer 200 and speak of the track's own words (klant,
partner, begeleider), not of students, schools or stagementors; so do the CSV exports.
Usage: fifth_track.py BASE_URL MAILDIR"""
import csv, email, glob, html, http.cookiejar, io, json, re, sys, time, urllib.error, urllib.parse, urllib.request
from email import policy

BASE, MAILDIR = sys.argv[1], sys.argv[2]
TRACK = "lokaal_partnerschap"
PASSWORD = "een-lang-wachtwoord-123"
PERSONAL = ("national_number", "phone", "email")


def fail(*what):
    raise SystemExit("FAIL: " + " ".join(str(w) for w in what))


def client():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), {}


def call(c, method, path, body=None, raw=False):
    opener, state = c
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if "csrf" in state:
        req.add_header("X-CSRF-Token", state["csrf"])
    try:
        with opener.open(req) as r:
            out, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        out, status = e.read(), e.code
    if raw:
        return status, out.decode("utf-8")
    try:
        return status, json.loads(out) if out else None
    except ValueError:
        return status, out[:300]


def expect(status, out, want, what):
    if status != want:
        fail(what, "answered", status, "instead of", want, ":", out)
    return out


def login(c, address):
    out = expect(*call(c, "POST", "/api/v1/login", {"email": address, "password": PASSWORD}), 200,
                 "login " + address)
    c[1]["csrf"] = out["csrf_token"]
    return c


def wait_mail(to, timeout=20):
    start = time.time()
    while time.time() - start < timeout:
        for f in sorted(glob.glob(MAILDIR + "/*.eml")):
            with open(f, "rb") as fh:
                m = email.message_from_binary_file(fh, policy=policy.default)
            if m["To"] == to:
                return m.get_body(preferencelist=("plain",)).get_content()
        time.sleep(0.2)
    fail("no mail to", to)


def page(c, path):
    status, text = call(c, "GET", path, raw=True)
    if status != 200:
        fail("page", path, "answered", status, text[:500])
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def words(text, *wanted, absent=()):
    for w in wanted:
        if not re.search(w, text):
            fail("the page lacks", repr(w), "\n", re.sub(r"\s+", " ", text)[:3000])
    for w in absent:
        m = re.search(w, text, re.IGNORECASE)
        if m:
            around = text[max(0, m.start() - 120):m.end() + 120]
            fail("the page speaks of", repr(w), ":", re.sub(r"\s+", " ", around))


# A track's pages name no student, school or stagementor (the track calls them otherwise).
FOREIGN = (r"\bstudent", r"\bleerling", r"stagementor", r"stagebegeleider", r"\bscholen\b",
           r"\bschool\b", r"\bdienst\b", r"\bdiensten\b")

admin = login(client(), "beheer@vivo.test")
partnership = expect(*call(admin, "POST", "/api/v1/orgs", {"type": "school", "name": "Partnerschap Kempen",
                                                             "tracks": [TRACK]}), 201, "partnership")["id"]
partner = expect(*call(admin, "POST", "/api/v1/orgs", {"type": "service", "name": "Woonzorg De Linde",
                                                         "provinces": ["ANT"]}), 201, "partner")["id"]
other = expect(*call(admin, "POST", "/api/v1/orgs", {"type": "service", "name": "Thuishulp Noord",
                                                       "provinces": ["ANT"]}), 201, "other partner")["id"]


def invite_and_activate(address, role, org):
    expect(*call(admin, "POST", "/api/v1/invitations", {"email": address, "org_id": org, "role": role}), 201,
           "invitation " + address)
    token = re.search(r"token=([A-Za-z0-9_-]+)", wait_mail(address)).group(1)
    expect(*call(client(), "POST", "/api/v1/activate", {"token": token, "password": PASSWORD}), 200,
           "activation " + address)
    return login(client(), address)


tb = invite_and_activate("trajectbegeleider@kempen.test", "school", partnership)
pa = invite_and_activate("linde@linde.test", "service", partner)
pb = invite_and_activate("noord@noord.test", "service", other)

client_fields = {"first_name": "Yusuf", "last_name": "Demir", "national_number": "85073003328",
                 "phone": "0470 12 34 56", "email": "yusuf@example.be", "postal_code": "2300",
                 "province": "ANT", "preferred_service_id": partner, "job_target": "Logistiek helper",
                 "period_count": 1, "periods": [{"start": "2026-10-12", "end": "2026-11-06"}],
                 "orientation_start": "2026-10-12", "orientation_end": "2026-10-16"}
status, out = call(tb, "POST", f"/api/v1/tracks/{TRACK}/requests", client_fields)
rid = expect(status, out, 201, "registering a client")["id"]

# A check of the track itself still refuses through the API (orientation of 8 days).
status, out = call(tb, "POST", f"/api/v1/tracks/{TRACK}/requests",
                   dict(client_fields, last_name="Peeters", orientation_end="2026-10-19"))
expect(status, out, 422, "a too long orientation phase")
if "orientation_end" not in (out.get("fields") or {}):
    fail("the refusal does not name orientation_end:", out)

# The partner the client signed up with lists it, without the personal fields.
lst = expect(*call(pa, "GET", f"/api/v1/tracks/{TRACK}/requests"), 200, "partner list")
if lst["total"] != 1 or lst["items"][0]["id"] != rid:
    fail("the partner's list:", lst)
item = lst["items"][0]
if any(k in item for k in PERSONAL) or item.get("my_status") != "aangemeld":
    fail("the partner's list item before intake:", item)
if "school_contact" in item:
    fail("a track without a contact field shows a school contact:", item)
# The other partner sees nothing of it, not even by id.
if expect(*call(pb, "GET", f"/api/v1/tracks/{TRACK}/requests"), 200, "other list")["total"] != 0:
    fail("the other partner sees the client")
expect(*call(pb, "GET", f"/api/v1/requests/{rid}"), 404, "the other partner's detail")

# Pages before the intake: the partnership's overview and form, the partner's list and detail.
words(page(tb, f"/school/{TRACK}"), r"Klant toevoegen", r"Overzicht klanten", r"Yusuf",
      absent=FOREIGN)
words(page(tb, f"/school/{TRACK}/nieuw"), r"Jobdoelwit", r"Opslaan en nog een klant toevoegen",
      absent=FOREIGN)
words(page(tb, f"/school/aanvraag/{rid}"), r"Klant bewerken", r"Gegevens klant", absent=FOREIGN)
listing = page(pa, f"/dienst/{TRACK}")
words(listing, r"Demir", r"Klant", r"Partnerschap", absent=FOREIGN)
if "85073003328" in listing or "0470 12 34 56" in listing:
    fail("the partner's list page shows personal data before intake")
detail = page(pa, f"/dienst/aanvraag/{rid}")
words(detail, r"Jobdoelwit", r"Logistiek helper", absent=FOREIGN)
if "85073003328" in detail or "yusuf@example.be" in detail:
    fail("the partner's detail page shows personal data before intake")
expected_csv = ["Klant", "Partnerschap"]
status, text = call(pa, "GET", f"/api/v1/tracks/{TRACK}/requests.csv", raw=True)
header = next(csv.reader(io.StringIO(expect(status, text, 200, "partner csv").lstrip("\ufeff")), delimiter=";"))
for h in header:
    if re.search("|".join(FOREIGN), h, re.IGNORECASE):
        fail("the CSV header speaks of another track:", header)

# The partner takes the client in: a mentor of its own, the one period, notes.
mentor = expect(*call(pa, "POST", "/api/v1/contacts", {"name": "Ann Wouters", "phone": "014 12 34 56",
                                                        "email": "ann@linde.test"}), 201, "mentor")["id"]
expect(*call(pa, "POST", f"/api/v1/requests/{rid}/status", {"status": "verkenning"}), 200, "verkenning")
status, out = call(pa, "POST", f"/api/v1/requests/{rid}/status",
                   {"status": "in_stage", "mentor_id": mentor, "periods": [0], "notes": "Start maandag"})
expect(status, out, 200, "taking the client in")
seen = expect(*call(pa, "GET", f"/api/v1/requests/{rid}"), 200, "partner detail after intake")
if seen.get("national_number") != "85073003328" or seen.get("phone") != "0470 12 34 56":
    fail("the partner does not see the personal fields after intake:", seen)
if (seen.get("accepted_by") or {}).get("id") != partner:
    fail("accepted_by after intake:", seen.get("accepted_by"))
expect(*call(pb, "GET", f"/api/v1/requests/{rid}"), 404, "the other partner after intake")
detail = page(pa, f"/dienst/aanvraag/{rid}")
words(detail, r"85073003328", r"Ann Wouters", r"Begeleider", absent=FOREIGN)
words(page(pa, f"/dienst/{TRACK}?tab=aanvaard"), r"Demir", absent=FOREIGN)
overview = page(tb, f"/school/{TRACK}")
words(overview, r"Demir", r"Begeleider", absent=FOREIGN)

status, text = call(admin, "GET", "/api/v1/admin/export.csv", raw=True)
header = next(csv.reader(io.StringIO(expect(status, text, 200, "admin export").lstrip("\ufeff")), delimiter=";"))
for want in ("Partnerschap", "Begeleider", "Jobdoelwit", "Status per partner (aantal keer gekozen)"):
    if want not in header:
        fail("the admin export lacks", want, ":", header)
if re.search("|".join(FOREIGN), ";".join(header), re.IGNORECASE):
    fail("the admin export header speaks of another track:", header)

# The accept dialog of the page, for a track without a school contact: a second client, taken
# in through the partner's form (its begeleider, its one period).
second = expect(*call(tb, "POST", f"/api/v1/tracks/{TRACK}/requests",
                      dict(client_fields, first_name="Sara", last_name="Janssens",
                           national_number="90020200197")), 201, "a second client")["id"]
expect(*call(pa, "POST", f"/api/v1/requests/{second}/status", {"status": "verkenning"}), 200, "verkenning 2")
status, raw = call(pa, "GET", f"/dienst/aanvraag/{second}", raw=True)
form = re.search(r'<form method="post" action="(/dienst/aanvraag/\d+/aanvaarden)".*?</form>', raw, re.S)
if status != 200 or not form:
    fail("the partner's detail page has no accept form:", status, raw[:2000])
dialog = html.unescape(re.sub(r"<[^>]+>", " ", form.group(0)))
words(dialog, r"Begeleider", r"Ann Wouters", r"12/10/2026", absent=FOREIGN)
token = re.search(r'name="_csrf" value="([^"]+)"', form.group(0)).group(1)
body = urllib.parse.urlencode({"_csrf": token, "track": TRACK, "status": "in_stage", "mentor_id": mentor,
                               "periods": "0", "notes": "Start dinsdag"}).encode()
req = urllib.request.Request(BASE + form.group(1), data=body, method="POST")
req.add_header("Content-Type", "application/x-www-form-urlencoded")
with pa[0].open(req) as r:  # follows the redirect to the detail page
    after = html.unescape(re.sub(r"<[^>]+>", " ", r.read().decode()))
words(after, r"De klant werd aanvaard", r"Ann Wouters", r"90020200197", absent=FOREIGN)
if expect(*call(pa, "GET", f"/api/v1/requests/{second}"), 200, "second detail").get("my_status") != "in_stage":
    fail("the accept form did not take the second client in")
print("fifth track: registered, listed, taken in; pages and exports in the track's words")
