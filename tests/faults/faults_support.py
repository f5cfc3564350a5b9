"""What the fault tests share: the real `stagematch serve` started in a temp folder, kill -9 and
SIGTERM, a throwaway PostgreSQL cluster (initdb in the temp folder, pg_ctl on a free loopback
port, as script/test does), the fault SMTP server, an API client, the mails received, psql.

Everything a test starts is stopped, and its temp folder removed, on any exit (failure, ctest's
timeout signal, Ctrl-C): use `with Run(...) as run:`.

A scenario script is run as `SCRIPT BIN SOURCE_DIR`; check(cond, what) prints "ok: what" or
stops the test with "FAIL: what" and the server logs. skip(why) exits 77 (ctest: skipped).
"""
import email
import glob
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email import policy

HERE = os.path.dirname(os.path.abspath(__file__))
PG_BIN = "/usr/lib/postgresql/15/bin"
SKIP = 77


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what, flush=True)


def skip(why):
    print("SKIP:", why, flush=True)
    sys.exit(SKIP)


def wait_for(pred, timeout, step=0.1):
    """pred() until it is truthy (returned) or timeout seconds passed (None)."""
    deadline = time.monotonic() + timeout
    while True:
        got = pred()
        if got:
            return got
        if time.monotonic() >= deadline:
            return None
        time.sleep(step)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_pg():
    """The PostgreSQL the tests share (STAGEMATCH_TEST_PG), or skip."""
    url = os.environ.get("STAGEMATCH_TEST_PG")
    if not url:
        skip("STAGEMATCH_TEST_PG is not set (script/test starts PostgreSQL)")
    return url


def psql(url, sql):
    """Rows of a query, each a list of strings (psql -At)."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", url,
                          "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


def scalar(url, sql):
    return int(psql(url, sql)[0][0])


class Client:
    """One browser: a cookie jar and the CSRF token of its login."""

    def __init__(self, base):
        self.base = base
        self.csrf = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method, path, body=None, timeout=15):
        """(status, JSON answer); status 0 when no answer came (connection refused or reset)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                raw, status = r.read(), r.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        except (OSError, urllib.error.URLError) as e:
            return 0, {"transport_error": str(e)}
        try:
            return status, (json.loads(raw) if raw else None)
        except ValueError:
            return status, {"raw": raw[:300].decode("utf-8", "replace")}

    def login(self, address, password):
        status, out = self.call("POST", "/api/v1/login", {"email": address, "password": password})
        if status != 200:
            raise Failure(f"login of {address}: {status} {out}")
        self.csrf = out["csrf_token"]
        return out


def read_mails(folder):
    """The .eml files in folder, parsed, in name order."""
    out = []
    for name in sorted(glob.glob(os.path.join(folder, "*.eml"))):
        with open(name, "rb") as f:
            out.append(email.message_from_binary_file(f, policy=policy.default))
    return out


class Server:
    def __init__(self, name, proc, port, log, folder):
        self.name, self.proc, self.port, self.log, self.folder = name, proc, port, log, folder
        self.base = f"http://127.0.0.1:{port}"
        self.maildrop = os.path.join(folder, "var", "mail")

    def healthy(self):
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def client(self):
        return Client(self.base)

    def log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()


class Cluster:
    """A throwaway PostgreSQL 15 cluster of this test; stop()/start() for the outage."""

    def __init__(self, run):
        self.run = run
        self.dir = os.path.join(run.dir, "pg")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "postgres.log")
        self.port = free_port()
        os.mkdir(self.dir)
        open(self.log, "w").close()
        self._as_postgres_own(self.dir, self.log)
        self._pg([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E",
                  "UTF8", "--locale=C.UTF-8", "--no-sync"])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/stagematch_fault"
        self.started = False

    @staticmethod
    def _as_postgres_own(*paths):
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:", *paths], check=True)

    @staticmethod
    def _pg(cmd, check=True):
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def start(self, create_db=False):
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.dir} -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off")
        self._pg([f"{PG_BIN}/pg_ctl", "start", "-W", "-D", self.data, "-l", self.log, "-o", opts])
        self.started = True
        ready = wait_for(lambda: subprocess.run(
            [f"{PG_BIN}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"]
        ).returncode == 0, 30, 0.2)
        if not ready:
            raise Failure("the test's PostgreSQL did not become ready")
        if create_db:
            subprocess.run([f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U",
                            "postgres", "stagematch_fault"], check=True)

    def stop(self, mode="fast"):
        if not os.path.exists(os.path.join(self.data, "postmaster.pid")):
            return
        if self._pg([f"{PG_BIN}/pg_ctl", "stop", "-D", self.data, "-m", mode, "-w", "-t", "30"],
                    check=False).returncode != 0:
            self._pg([f"{PG_BIN}/pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w",
                      "-t", "30"], check=False)


class Run:
    """The test's temp folder and everything it started; all of it goes on exit."""

    def __init__(self, title):
        self.title = title
        self.bin = os.path.abspath(sys.argv[1])
        self.src = os.path.abspath(sys.argv[2])
        self.dir = tempfile.mkdtemp(prefix="stagematch-fault-")
        os.chmod(self.dir, 0o755)
        self.procs = []
        self.servers = []
        self.clusters = []
        self.schemas = []
        self.on_exit = None  # run first on exit (e.g. to unmount what the test mounted)

    def __enter__(self):
        def on_signal(signum, _frame):
            raise SystemExit(128 + signum)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, on_signal)
        return self

    def __exit__(self, kind, value, _tb):
        failed = kind is not None and not (kind is SystemExit and value.code in (0, None, SKIP))
        if failed:
            print(f"FAIL: {self.title}: {value}", flush=True)
            for s in self.servers:
                print(f"--- {s.name}'s log (last lines)")
                print("\n".join(s.log_text().splitlines()[-30:]))
        for p in self.procs:
            if p.poll() is None and p in [s.proc for s in self.servers]:
                p.kill()
                p.wait()
        if self.on_exit:
            self.on_exit()
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        for c in self.clusters:
            c.stop("immediate")
        for url, schema in self.schemas:
            subprocess.run(["psql", "-X", "-q", url, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                           capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
        if kind is Failure:
            sys.exit(1)
        return False

    def schema_db(self, url, name):
        """A fresh schema of this test in the shared PostgreSQL: the --db URL for it."""
        schema = f"{name}_{os.getpid()}"
        subprocess.run(["psql", "-X", "-q", url, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"],
                       check=True, capture_output=True)
        self.schemas.append((url, schema))
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}schema={schema}", f"{url}{sep}options=-csearch_path%3D{schema}"

    def cluster(self):
        c = Cluster(self)
        self.clusters.append(c)
        return c

    def spawn(self, cmd, log, cwd=None, env=None):
        p = subprocess.Popen(cmd, cwd=cwd, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env)
        self.procs.append(p)
        return p

    def stagematch(self, *args, stdin=None):
        return subprocess.run([self.bin, *args], input=stdin, capture_output=True, text=True,
                              cwd=self.dir)

    def serve(self, name, db, *extra, port=None, wait=True, folder=None):
        """`stagematch serve` in its own folder (its maildrop is FOLDER/var/mail)."""
        folder = folder or os.path.join(self.dir, name)
        os.makedirs(folder, exist_ok=True)
        if not os.path.exists(os.path.join(folder, "web")):
            os.symlink(os.path.join(self.src, "web"), os.path.join(folder, "web"))
        port = port or free_port()
        log = os.path.join(self.dir, f"{name}.log")
        cmd = [self.bin, "serve", "--db", db, "--listen", f"127.0.0.1:{port}", "--workflows",
               os.path.join(self.src, "workflows"), "--rules", os.path.join(self.src, "rules"),
               "--mail-templates", os.path.join(self.src, "mail-templates"), *extra]
        server = Server(name, self.spawn(cmd, log, cwd=folder), port, log, folder)
        self.servers.append(server)
        if wait and not wait_for(lambda: server.healthy() or server.proc.poll() is not None, 30):
            raise Failure(f"{name} did not answer /healthz within 30 s")
        if wait and server.proc.poll() is not None:
            raise Failure(f"{name} stopped at start (exit {server.proc.returncode})")
        return server

    def kill9(self, server):
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()

    def stop(self, server):
        server.proc.terminate()
        try:
            server.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
            raise Failure(f"{server.name} did not stop within 30 s of SIGTERM")

    def fault_smtp(self, name="smtp"):
        """The fault SMTP server (smtp_fault.py): .folder holds the mails, refuse()/accept()."""
        folder = os.path.join(self.dir, name)
        os.makedirs(folder)
        port_file = os.path.join(self.dir, f"{name}.port")
        self.spawn(["/usr/bin/python3", os.path.join(HERE, "smtp_fault.py"), "--dir", folder,
                    "--port-file", port_file], os.path.join(self.dir, f"{name}.log"))
        if not wait_for(lambda: os.path.exists(port_file), 20):
            raise Failure("the SMTP server did not start")
        with open(port_file) as f:
            return FaultSmtp(folder, int(f.read()))

    def admin(self, db, server, address="beheer@fonds.test", password="admin-wachtwoord-lang"):
        """The first admin (the CLI), logged in on server."""
        made = self.stagematch("admin", "create", "--email", address, "--db", db,
                               stdin=password + "\n")
        if made.returncode != 0:
            raise Failure(f"admin create: {made.stderr}")
        c = server.client()
        c.login(address, password)
        return c


class FaultSmtp:
    """Control of smtp_fault.py through files in its folder."""

    def __init__(self, folder, port):
        self.folder, self.port = folder, port
        self.address = f"127.0.0.1:{port}"

    def _flag(self, name, content=None):
        path = os.path.join(self.folder, name)
        if content is None:
            if os.path.exists(path):
                os.remove(path)
        else:
            with open(path + ".tmp", "w") as f:
                f.write(content)
            os.replace(path + ".tmp", path)

    def refuse(self):
        self._flag(".refuse", "451 4.3.0 Tijdelijk niet beschikbaar")

    def accept(self):
        self._flag(".refuse")

    def delay(self, seconds):
        self._flag(".delay", str(seconds) if seconds else None)

    def mails(self):
        return read_mails(self.folder)

    def refusals(self):
        path = os.path.join(self.folder, ".refused")
        return os.path.getsize(path) if os.path.exists(path) else 0


def invite(admin, org_id, addresses, role="school"):
    """One invitation per address (one outbox mail each)."""
    for a in addresses:
        status, out = admin.call("POST", "/api/v1/invitations",
                                 {"email": a, "org_id": org_id, "role": role})
        if status != 201:
            raise Failure(f"invitation of {a}: {status} {out}")


def new_school(admin):
    status, org = admin.call("POST", "/api/v1/orgs",
                             {"type": "school", "name": "Sint-Jozef", "tracks": ["secundair"]})
    if status != 201:
        raise Failure(f"new school: {status} {org}")
    return org["id"]


def copies_by_message_id(mails):
    out = {}
    for m in mails:
        out.setdefault(m["Message-ID"], []).append(m)
    return out
