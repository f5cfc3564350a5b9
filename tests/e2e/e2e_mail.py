"""The real server end to end, mails included: an admin sets up a school and a service by
invitation (activation links read from the mails the SMTP capture server received), the school
registers a student, the test clock walks into the secundair 2025-2026 calendar, and the round
mail and the weekly reminder arrive once, the reminder counting what the service's list shows.
Usage: e2e_mail.py BASE_URL MAILDIR"""
import json, urllib.request, urllib.error, http.cookiejar, glob, re, time, email, sys
from email import policy
BASE = sys.argv[1]
MAILDIR = sys.argv[2]
RUN = str(int(time.time() * 1000))
SCHOOL = "school-" + RUN + "@sintjozef.test"
SERVICE = "dienst-" + RUN + "@thuiszorg.test"
def client():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), {}
def call(c, method, path, body=None):
    opener, state = c
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if "csrf" in state: req.add_header("X-CSRF-Token", state["csrf"])
    try:
        with opener.open(req) as r: raw = r.read(); status = r.status
    except urllib.error.HTTPError as e: raw = e.read(); status = e.code
    try: out = json.loads(raw) if raw else None
    except Exception: out = raw[:200]
    return status, out
def login(c, email_, pw):
    s, out = call(c, "POST", "/api/v1/login", {"email": email_, "password": pw}); assert s == 200, (s, out)
    c[1]["csrf"] = out["csrf_token"]
def mails():
    out = []
    for f in sorted(glob.glob(MAILDIR + "/*.eml")):
        with open(f, "rb") as fh: out.append(email.message_from_binary_file(fh, policy=policy.default))
    return out
def wait_mail(pred, timeout=20):
    t = time.time()
    while time.time() - t < timeout:
        for m in mails():
            if pred(m): return m
        time.sleep(0.3)
    raise SystemExit("FAIL: the expected mail did not arrive")
def body(m): return m.get_body(preferencelist=("plain",)).get_content()
admin = client(); login(admin, "admin@vivo.test", "geheim-wachtwoord-123")
s, school = call(admin, "POST", "/api/v1/orgs", {"type": "school", "name": "Sint-Jozef", "tracks": ["secundair"]}); print("school", s, school)
s, svc = call(admin, "POST", "/api/v1/orgs", {"type": "service", "name": "Thuiszorg Antwerpen", "provinces": ["ANT"]}); print("service", s, svc)
def invite_and_activate(addr, role, org):
    s, out = call(admin, "POST", "/api/v1/invitations", {"email": addr, "org_id": org, "role": role}); assert s == 201, (s, out)
    m = wait_mail(lambda m: m["To"] == addr)
    token = re.search(r"token=([A-Za-z0-9_-]+)", body(m)).group(1)
    s, out = call(client(), "POST", "/api/v1/activate", {"token": token, "password": "nog-een-wachtwoord"}); assert s == 200, (s, out)
    c = client(); login(c, addr, "nog-een-wachtwoord"); return c
sc = invite_and_activate(SCHOOL, "school", school["id"])
sv = invite_and_activate(SERVICE, "service", svc["id"])
s, contact = call(sc, "POST", "/api/v1/contacts", {"name": "Els", "phone": "03 123 45 67", "email": "els@sintjozef.test"}); print("contact", s)
req = {"first_name": "Lotte", "last_name": "Peeters", "national_number": "85073003328", "street": "Kerkstraat 1",
       "postal_code": "2000", "city": "Antwerpen", "province": "ANT", "phone": "0470 12 34 56", "email": "lotte@example.be",
       "transport": ["fiets"], "school_contact_id": contact["id"], "form": "alternerend", "period_count": 1, "total_hours": 120,
       "periods": [{"start": "2025-10-06", "end": "2025-10-31"}], "preferred_service_id": svc["id"]}
s, r = call(sc, "POST", "/api/v1/tracks/secundair/requests", req); print("register", s, r)
s, out = call(admin, "PUT", "/api/v1/admin/clock", {"now": "2025-06-30T12:00:00+02:00"}); print("clock", s, out)
m = wait_mail(lambda m: m["To"] == SERVICE and "gestart" in m["Subject"] and "Secundair" in m["Subject"])
print("=== ROUND MAIL ===\nSubject:", m["Subject"], "\nMessage-ID:", m["Message-ID"], "\n" + body(m)[:700])
login(admin, "admin@vivo.test", "geheim-wachtwoord-123")
s, out = call(admin, "PUT", "/api/v1/admin/clock", {"now": "2025-07-07T09:00:00+02:00"}); print("clock", s, out)
login(sv, SERVICE, "nog-een-wachtwoord")
m = wait_mail(lambda m: m["To"] == SERVICE and "nog open" in m["Subject"] and "Secundair" in m["Subject"])
print("=== REMINDER ===\nSubject:", m["Subject"], "\n" + body(m)[:500])
s, lst = call(sv, "GET", "/api/v1/tracks/secundair/requests?year=2025-2026"); print("service list total", s, lst.get("total"))
assert re.search(r"^%d aanvra" % lst["total"], m["Subject"]), ("reminder count differs from the list", m["Subject"], lst["total"])
login(admin, "admin@vivo.test", "geheim-wachtwoord-123")
s, out = call(admin, "PUT", "/api/v1/admin/clock", {"now": "2025-07-01T09:00:00+02:00"}); print("backward clock", s, out)
assert s == 422, "a backward clock jump must be refused"
n_before = len(mails()); s, out = call(admin, "PUT", "/api/v1/admin/clock", {"now": "2025-07-07T09:00:05+02:00"}); time.sleep(2)
print("mails before/after a second jump past the same events:", n_before, len(mails()))
assert n_before == len(mails()), "a mail went out twice"
ours = [m for m in mails() if m["To"] == SERVICE and "Secundair" in m["Subject"]]
subjects = [m["Subject"] for m in ours]
assert len(subjects) == len(set(subjects)), ("duplicate mails", subjects)
print("e2e mail: ok")
