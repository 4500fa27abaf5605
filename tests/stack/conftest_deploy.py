"""Fixtures of the deploy tests: an sshd on loopback and Whisper deployed through it by the real fab.

``sshd`` runs Debian's OpenSSH server on 127.0.0.1:52222 with its own config,
host key and authorized key under ``.run/deploy-sshd/`` (nothing system-wide).
``site`` copies this checkout's working tree into a throwaway git repository,
then runs ``fab setup`` and ``fab deploy`` over that sshd into the prefix
``.run/deploy-test/`` (nginx on 58780, gunicorn nodes on 58701 and 58702),
on the PostgreSQL, memcached and Redis of scripts/services.sh with a
database, a key prefix (new each run) and a Redis database of its own, and loads the demo data.
Everything it started is stopped at the end, by pid, whatever happened.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
import requests
import yaml
from bs4 import BeautifulSoup

from bench.helpers import form_fields

ROOT = Path(__file__).resolve().parent.parent.parent
SSH_PORT = 52222
NGINX_PORT = 58780
WEB_PORTS = (58701, 58702)
DB_NAME = "whisper_deploy"
REDIS_DB = 7  # the broker's database, ours alone
PG = ("psql", "-h", "127.0.0.1", "-p", "55432", "-U", "whisper")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def stop_pid(pid: int, sig: int = signal.SIGTERM, seconds: float = 60) -> None:
    """Signal ``pid`` and wait for it to go; SIGKILL after ``seconds``."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return  # exited; its parent reaps it
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def pid_in(pidfile: Path, marker: str) -> int | None:
    """The pid in ``pidfile`` if that process still runs with ``marker`` on its command line."""
    try:
        pid = int(pidfile.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
        return None
    return pid if marker in cmdline else None


@dataclass(frozen=True)
class Sshd:
    port: int
    key: Path
    user: str = "root"

    @property
    def host(self) -> str:
        return f"{self.user}@127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def sshd() -> Iterator[Sshd]:
    if not Path("/usr/sbin/sshd").exists():
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "openssh-server"], check=True, env=env)
    home = ROOT / ".run" / "deploy-sshd"
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    host_key, key = home / "host_ed25519", home / "client_ed25519"
    for path in (host_key, key):
        if not path.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    (home / "authorized_keys").write_text(key.with_suffix(".pub").read_text())
    (home / "authorized_keys").chmod(0o600)
    config = home / "sshd_config"
    config.write_text(
        f"""# The deploy tests' sshd (tests/stack/conftest_deploy.py): loopback, keys only.
Port {SSH_PORT}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {home / "sshd.pid"}
AuthorizedKeysFile {home / "authorized_keys"}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
"""
    )
    if leftover := pid_in(home / "sshd.pid", str(config)):
        stop_pid(leftover)
    assert not port_open(SSH_PORT), f"port {SSH_PORT} is taken by another program"
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    with (home / "sshd.log").open("ab") as log:
        process = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stderr=log)
    try:
        wait_for(lambda: port_open(SSH_PORT) or process.poll() is not None, 10, "sshd")
        assert process.poll() is None, (home / "sshd.log").read_text()[-2000:]
        yield Sshd(SSH_PORT, key)
    finally:
        process.terminate()
        process.wait(timeout=10)


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=Deploy test", "-c", "user.email=deploy@example.com"]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout.strip()


@dataclass
class Site:
    """Whisper deployed by fab into ``prefix``, and ways to drive it."""

    sshd: Sshd
    prefix: Path
    repo: Path
    config: Path
    base: str  # the commit holding the working tree

    url = f"http://127.0.0.1:{NGINX_PORT}"

    def fab(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """``fab -H root@127.0.0.1:52222 -i KEY -f CONFIG ARGS`` (the real one), output captured."""
        command = [str(ROOT / ".venv" / "bin" / "fab"), "-H", self.sshd.host, "-i", str(self.sshd.key)]
        command += ["-f", str(self.config), *args]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WHISPER_", "DB_", "DJANGO_"))}
        return subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def fab_ok(self, *args: str, timeout: float = 300) -> str:
        done = self.fab(*args, timeout=timeout)
        assert done.returncode == 0, f"fab {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def commit(self, message: str, path: str, text: str, append: bool = False) -> str:
        """A revision of the throwaway repository: the working tree plus one change; its hash."""
        git(self.repo, "checkout", "-q", "--detach", self.base)
        target = self.repo / path
        target.write_text((target.read_text() if append else "") + text)
        git(self.repo, "add", path)
        git(self.repo, "commit", "-q", "-m", message)
        return git(self.repo, "rev-parse", "HEAD")

    def get(self, path: str, port: int = NGINX_PORT, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return requests.get(f"http://127.0.0.1:{port}{path}", timeout=kwargs.pop("timeout", 30), **kwargs)

    def post(self, path: str, port: int = NGINX_PORT, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return requests.post(f"http://127.0.0.1:{port}{path}", timeout=kwargs.pop("timeout", 30), **kwargs)

    def gifts_left(self, slug: str, port: int = NGINX_PORT) -> dict[int, tuple[int, int]]:
        """The public page's gifts still to reserve: ``{item pk: (left, quantity)}``."""
        page = BeautifulSoup(self.get(f"/r/{slug}/", port=port).text, "html.parser")
        found = {}
        for card in page.select("article.item-card"):
            for line in card.select("p.item-card__meta"):
                if match := re.fullmatch(r"\s*(\d+) of (\d+) left\s*", line.get_text()):
                    found[int(card["id"].removeprefix("item-"))] = (int(match.group(1)), int(match.group(2)))
        return found

    def reserve(self, slug: str, pk: int, port: int = NGINX_PORT) -> requests.Response:
        """A guest (no account) reserves one of gift ``pk`` through ``port``."""
        path = f"/r/{slug}/items/{pk}/reserve/"
        guest = requests.Session()
        page = guest.get(f"http://127.0.0.1:{port}{path}", timeout=30)
        form = BeautifulSoup(page.text, "html.parser").find("form", action=path)
        assert form is not None, f"no reservation form at {path}: {page.status_code}"
        email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
        data = {**form_fields(form, {"name": "Deploy Guest", "email": email}), "quantity": "1"}
        return guest.post(f"http://127.0.0.1:{port}{path}", data=data, allow_redirects=False, timeout=30)

    def release(self, port: int = NGINX_PORT) -> str:
        return self.get("/health/", port=port).headers.get("X-Whisper-Release", "")

    def current(self) -> str:
        return os.readlink(self.prefix / "current").rsplit("/", 1)[-1]

    def sql(self, query: str, *params: object) -> object:
        """The first column of the first row ``query`` returns, from the deployed site's database."""
        with psycopg.connect(host="127.0.0.1", port=55432, user="whisper", dbname=DB_NAME) as connection:
            row = connection.execute(query, params).fetchone()
        return row[0] if row else None


def stop_site(prefix: Path) -> None:
    """Stop nginx and supervisord of the deployed site (and with it gunicorn and celery), by pid."""
    shared = prefix / "shared"
    if pid := pid_in(shared / "nginx" / "nginx.pid", str(shared / "nginx")):
        stop_pid(pid, signal.SIGQUIT, 20)
    if pid := pid_in(shared / "supervisord.pid", str(shared / "supervisord.conf")):
        stop_pid(pid, signal.SIGTERM, 120)


def make_repo(path: Path) -> None:
    """A git repository holding this checkout's working tree as it is now (one commit)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, path / name)
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Whisper as it is in the working tree")


@pytest.fixture(scope="session")
def site(sshd: Sshd, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    prefix = ROOT / ".run" / "deploy-test"
    stop_site(prefix)  # leftovers of an interrupted run
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    for port in (NGINX_PORT, *WEB_PORTS):
        assert not port_open(port), f"port {port} is taken by another program"
    subprocess.run(
        [*PG, "-d", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True
    )
    redis.Redis(port=56379, db=REDIS_DB).flushdb()  # tasks an interrupted run left in the queue

    repo = tmp_path_factory.mktemp("deploy-repo")
    make_repo(repo)
    config = prefix.parent / "deploy-test.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "whisper": {
                    "prefix": str(prefix),
                    "repo": str(repo),
                    "keep_releases": 3,
                    "hosts": "127.0.0.1 localhost",
                    "https": False,
                    "nginx_address": "127.0.0.1",
                    "nginx_port": NGINX_PORT,
                    "gunicorn_ports": ",".join(map(str, WEB_PORTS)),
                    "web_concurrency": 2,
                    "db_name": DB_NAME,
                    "db_port": 55432,
                    "memcached_location": "127.0.0.1:51211",
                    # memcached outlives test runs: a fresh namespace for each, or
                    # pages would show fragments of an earlier run's rows.
                    "cache_key_prefix": f"deploy-test-{uuid.uuid4().hex[:8]}",
                    "broker_url": f"redis://127.0.0.1:56379/{REDIS_DB}",
                    "health_timeout": 10,
                    "env": {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
                }
            }
        )
    )
    running = Site(sshd, prefix, repo, config, base=git(repo, "rev-parse", "HEAD"))
    try:
        running.fab_ok("setup", timeout=600)
        running.fab_ok("deploy", timeout=600)
        running.fab_ok("manage", "seed_demo --items 12")
        yield running
    finally:
        stop_site(prefix)
        still = [port for port in (NGINX_PORT, *WEB_PORTS) if port_open(port)]
        assert not still, f"ports still open after the deploy tests: {still}"
