"""The steps of ``fabfile.py``'s tasks, as commands run on the server over SSH.

Each function takes Fabric's connection ``c`` and the deploy's settings ``s``
(``deploy/server.py``). A step that fails raises :class:`DeployError` with
what failed and the end of its output; the tasks turn that into fab's exit
status. Shell words are quoted with :func:`shlex.quote` throughout.
"""

from __future__ import annotations

import contextlib
import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from fabric import Connection
from invoke.exceptions import Exit

from deploy import server

q = shlex.quote

# How long a step may take before the deploy gives up on it (seconds).
PROGRAMS_TIMEOUT = 90
NODE_TIMEOUT = 90

# Copies a release's collected static files into shared/static, each through
# a temporary name and a rename: nginx never serves a half-written file, and
# the hashed names of older releases stay for pages still open in browsers.
PUBLISH_STATIC = """
import os, shutil, sys
src, dest = sys.argv[1:3]
for root, _dirs, files in os.walk(src):
    target = os.path.join(dest, os.path.relpath(root, src))
    os.makedirs(target, exist_ok=True)
    for name in files:
        tmp = os.path.join(target, "." + name + ".publish")
        shutil.copy2(os.path.join(root, name), tmp)
        os.replace(tmp, os.path.join(target, name))
"""


class DeployError(Exception):
    """A step failed; the message says which and why."""


_STARTED = time.monotonic()


def say(message: str) -> None:
    """A line of progress, with the seconds since fab started."""
    print(f"whisper [{time.monotonic() - _STARTED:5.1f}s]: {message}", flush=True)


def sh(c: Connection, command: str, what: str, **kwargs) -> str:
    """Run ``command`` on the server; its output, or a :class:`DeployError` naming ``what``."""
    result = c.run(command, hide=True, warn=True, **kwargs)
    if not result.ok:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise DeployError(f"{what} failed (exit {result.exited}):\n{tail}")
    return result.stdout


def succeeds(c: Connection, command: str) -> bool:
    return c.run(command, hide=True, warn=True).ok


def manage_command(s: server.Settings, release: str, args: str) -> str:
    """``manage.py ARGS`` in ``release`` (a path), with the env file."""
    env = f"WHISPER_ENV_FILE={q(s.layout.env_file)} DJANGO_SETTINGS_MODULE={q(s.settings_module)}"
    return f"cd {q(release)} && {env} {q(release)}/venv/bin/python manage.py {args}"


def ctl(c: Connection, s: server.Settings, *args: str, warn: bool = False) -> str:
    """``supervisorctl ARGS`` against this installation's supervisord."""
    L = s.layout
    command = f"{L.supervisor_venv}/bin/supervisorctl -c {q(L.supervisord_conf)} {' '.join(map(q, args))}"
    if warn:
        return c.run(command, hide=True, warn=True).stdout
    return sh(c, command, f"supervisorctl {' '.join(args)}")


def running(c: Connection, pidfile: str) -> bool:
    return succeeds(c, f'pid=$(cat {q(pidfile)} 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid"')


@contextlib.contextmanager
def locked(c: Connection, s: server.Settings, task_name: str) -> Iterator[None]:
    """One deploy, rollback, setup or restore at a time on a server."""
    lock = s.layout.lock
    if not succeeds(c, f"mkdir -p {q(s.layout.shared)} && mkdir {q(lock)}"):
        holder = c.run(f"cat {q(lock)}/task 2>/dev/null", hide=True, warn=True).stdout.strip()
        raise Exit(
            f"whisper: {holder or 'another task'} is running ({lock} exists; remove it if not)", code=1
        )
    c.run(f"echo {q(task_name)} > {q(lock)}/task", hide=True)
    try:
        yield
    except DeployError as error:
        raise Exit(f"whisper: {task_name} failed: {error}", code=1) from error
    finally:
        c.run(f"rm -rf {q(lock)}", hide=True, warn=True)


# Releases ------------------------------------------------------------------
def current_release(c: Connection, s: server.Settings) -> str | None:
    target = c.run(f"readlink {q(s.layout.current)}", hide=True, warn=True).stdout.strip()
    return target.rsplit("/", 1)[-1] if target else None


def release_names(c: Connection, s: server.Settings) -> list[str]:
    listing = c.run(f"ls -1 {q(s.layout.releases)}", hide=True, warn=True).stdout
    return server.releases(listing.split())


def switch(c: Connection, s: server.Settings, name: str) -> None:
    """Point ``current`` at release ``name`` in one rename: never missing, never half-made."""
    L = s.layout
    tmp = f"{L.prefix}/.current-{name}"
    sh(c, f"ln -sfn releases/{q(name)} {q(tmp)} && mv -T {q(tmp)} {q(L.current)}", "switching current")
    say(f"current -> releases/{name}")


def git(s: server.Settings, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        ["git", "-C", s.repo, *args],  # noqa: S607 (git from PATH, as the operator runs it)
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DeployError(f"git {' '.join(args)} in {s.repo}: {done.stderr.strip()}")
    return done.stdout


def upload_release(c: Connection, s: server.Settings, revision: str) -> tuple[str, str]:
    """Unpack ``revision`` of the repository into a new release directory: (name, requirements)."""
    commit = git(s, "rev-parse", "--verify", f"{revision}^{{commit}}").strip()
    short = git(s, "rev-parse", "--short=12", commit).strip()
    name = server.release_name(datetime.now(UTC), short)
    path = s.layout.release(name)
    requirements = git(s, "show", f"{commit}:requirements.txt")
    say(f"release {name} from {revision} ({commit[:12]}) of {s.repo}")
    with tempfile.TemporaryDirectory() as tmp:
        tarball = Path(tmp) / "release.tar.gz"
        git(s, "archive", "--format=tar.gz", "-o", str(tarball), commit)
        upload = f"{s.layout.releases}/.upload-{name}.tar.gz"
        c.put(str(tarball), upload)
    sh(
        c,
        f"test ! -e {q(path)} && mkdir -p {q(path)} && tar -xzf {q(upload)} -C {q(path)} && rm -f {q(upload)}"
        f" && echo {q(name)} > {q(path)}/RELEASE && echo {q(commit)} > {q(path)}/REVISION",
        "unpacking the release",
    )
    return name, requirements


def ensure_venv(c: Connection, s: server.Settings, requirements: str) -> str:
    """The shared virtualenv for this requirements file, made (pip install) unless it exists."""
    venv = f"{s.layout.venvs}/{server.requirements_key(requirements)}"
    if succeeds(c, f"test -f {q(venv)}/.complete"):
        say(f"virtualenv {venv} (requirements unchanged)")
        return venv
    say(f"virtualenv {venv}: pip install -r requirements.txt")
    c.run(f"rm -rf {q(venv)} && mkdir -p {q(venv)}", hide=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as file:
        file.write(requirements)
        file.flush()
        c.put(file.name, f"{venv}/requirements.txt")
    pip = f"{q(venv)}/bin/pip install --disable-pip-version-check -q"
    sh(
        c,
        f"{q(s.python)} -m venv {q(venv)} && {pip} --upgrade pip wheel && {pip} -r {q(venv)}/requirements.txt"
        f" && touch {q(venv)}/.complete",
        f"making the virtualenv {venv}",
        timeout=900,
    )
    return venv


def build(c: Connection, s: server.Settings, name: str, venv: str) -> None:
    """Static files, compressed assets, deploy checks and migrations of a release, before anything runs it."""
    path = s.layout.release(name)
    sh(c, f"ln -sfn {q(venv)} {q(path)}/venv", "linking the virtualenv")
    say("collectstatic")
    sh(c, manage_command(s, path, "collectstatic --noinput -v 0"), "collectstatic")
    say("compress")
    sh(c, manage_command(s, path, "compress --force"), "compress")
    # Before anything changes for the running site (static files, schema,
    # current): a release that would answer 500 on every page stops here.
    checked = c.run(manage_command(s, path, "check --deploy --fail-level ERROR"), hide=True, warn=True)
    if not checked.ok:
        raise DeployError(f"release {name} fails `manage.py check --deploy`:\n{checked.stderr.strip()}")
    say("check --deploy: no errors")
    sh(
        c,
        f"{q(path)}/venv/bin/python -c {q(PUBLISH_STATIC)} {q(path)}/.run/static {q(s.layout.static)}",
        "publishing static files",
    )
    say("migrate")
    print(sh(c, manage_command(s, path, "migrate --noinput"), "migrate").rstrip())


def prune(c: Connection, s: server.Settings) -> None:
    """Keep the newest ``keep_releases`` releases and the virtualenvs they use."""
    L = s.layout
    current = current_release(c, s) or ""
    for name in server.releases_to_prune(release_names(c, s), current, s.keep_releases):
        c.run(f"rm -rf {q(L.release(name))}", hide=True)
        say(f"pruned release {name}")
    used = c.run(f"readlink {q(L.releases)}/*/venv", hide=True, warn=True).stdout.split()
    keep = {path.rstrip("/").rsplit("/", 1)[-1] for path in used} | {"supervisor"}
    for venv in c.run(f"ls -1 {q(L.venvs)}", hide=True, warn=True).stdout.split():
        if venv not in keep:
            c.run(f"rm -rf {q(L.venvs)}/{q(venv)}", hide=True)
            say(f"pruned virtualenv {venv}")


# Processes -----------------------------------------------------------------
def nginx_command(s: server.Settings, *args: str) -> str:
    L = s.layout
    flags = f"-c {q(L.nginx_conf)} -p {q(L.nginx_dir)}/ -e {q(L.nginx_dir)}/logs/error.log"
    return f"cd {q(L.nginx_dir)} && nginx {flags} {' '.join(args)}"


def ensure_nginx(c: Connection, s: server.Settings, reload: bool = False) -> None:
    """Start nginx; or, with ``reload``, have it re-read its configuration (gracefully)."""
    if running(c, s.layout.nginx_pid):
        if reload:
            sh(c, nginx_command(s, "-t", "-q"), "nginx -t (the configuration)")
            sh(c, nginx_command(s, "-s", "reload"), "reloading nginx")
            say("nginx reloaded")
    else:
        sh(c, nginx_command(s, "-t", "-q"), "nginx -t (the configuration)")
        sh(c, nginx_command(s) + " </dev/null >/dev/null 2>&1", "starting nginx")
        say(f"nginx started on {s.listen}")


def start_supervisord(c: Connection, s: server.Settings) -> None:
    L = s.layout
    say("starting supervisord (gunicorn nodes, celery worker and beat)")
    sh(
        c,
        f"cd {q(L.shared)} && {L.supervisor_venv}/bin/supervisord -c {q(L.supervisord_conf)}"
        f" </dev/null >>{q(L.logs)}/supervisord-start.log 2>&1",
        "starting supervisord",
    )
    wait_programs(c, s)


def wait_programs(c: Connection, s: server.Settings) -> None:
    """Until every supervised program is RUNNING (past its startsecs)."""
    L = s.layout
    status = f"{L.supervisor_venv}/bin/supervisorctl -c {q(L.supervisord_conf)} status"
    check = f'out=$({status} 2>&1); [ -n "$out" ] && ! echo "$out" | grep -qv RUNNING'
    loop = f"for i in $(seq {PROGRAMS_TIMEOUT * 5}); do if {check}; then exit 0; fi; sleep 0.2; done; exit 1"
    if not succeeds(c, f"bash -c {q(loop)}"):
        raise DeployError("programs did not all reach RUNNING:\n" + ctl(c, s, "status", warn=True))


def wait_node(c: Connection, s: server.Settings, port: int, release: str) -> None:
    """Until gunicorn on ``port`` answers with ``release`` three times in a row (only new workers left)."""
    url = f"http://127.0.0.1:{port}/health/"
    header = f"curl -s -m 5 -o /dev/null -D - -H {q('Host: ' + s.server_names[0])} {q(url)}"
    loop = (
        f"n=0; for i in $(seq {NODE_TIMEOUT * 5}); do"
        f" r=$({header} | tr -d '\\r' | sed -n 's/^[Xx]-[Ww]hisper-[Rr]elease: //p');"
        f' if [ "$r" = {q(release)} ]; then n=$((n+1)); [ $n -ge 3 ] && exit 0; else n=0; sleep 0.2; fi;'
        " done; exit 1"
    )
    if not succeeds(c, f"bash -c {q(loop)}"):
        raise DeployError(f"gunicorn on port {port} does not run release {release}")


def activate(c: Connection, s: server.Settings, release: str, restart_web: bool) -> None:
    """Have the running programs take up the release ``current`` points to.

    Each gunicorn node in turn gets HUP (its master starts workers on the new
    code, then lets the old ones finish their requests), or a restart when the
    virtualenv changed; the next node only once this one answers with the
    new release, so the others keep serving. Then celery restarts (warm).
    """
    ensure_nginx(c, s)
    if not running(c, s.layout.supervisord_pid):
        start_supervisord(c, s)
    else:
        for port in s.ports:
            program = f"web:web-{port}"
            state = ctl(c, s, "status", program, warn=True)
            if restart_web or "RUNNING" not in state:
                say(f"{program}: restart")
                ctl(c, s, "restart", program)
            else:
                say(f"{program}: HUP (graceful reload)")
                ctl(c, s, "signal", "HUP", program)
            wait_node(c, s, port, release)
        say("celery worker and beat: restart")
        ctl(c, s, "restart", "celery:*")
    for port in s.ports:
        wait_node(c, s, port, release)
    wait_programs(c, s)


def health(c: Connection, s: server.Settings) -> str:
    """``/health/`` through nginx: its JSON once it says 200 (within ``health_timeout``)."""
    url = f"{s.local_url}/health/"
    command = f"curl -s -m 10 -H {q('Host: ' + s.server_names[0])} -w '\\n%{{http_code}}' {q(url)}"
    deadline = time.monotonic() + s.health_timeout
    while True:
        body, _, code = c.run(command, hide=True, warn=True).stdout.strip().rpartition("\n")
        if code == "200":
            return body
        if time.monotonic() > deadline:
            last = f"{code or 'nothing'} {body[:300]}"
            raise DeployError(f"/health/ through nginx did not answer 200 (last: {last})")
        time.sleep(1)


def venv_of(c: Connection, s: server.Settings, name: str | None) -> str:
    if not name:
        return ""
    return c.run(f"readlink {q(s.layout.release(name))}/venv", hide=True, warn=True).stdout.strip()


def go_live(c: Connection, s: server.Settings, name: str, previous: str | None, *, new: bool) -> None:
    """Switch to release ``name``, reload, check health; back to ``previous`` if that fails.

    A ``new`` release (a deploy) that failed is deleted once the previous one
    runs again, so that no rollback ever lands on it.
    """
    restart_web = bool(previous) and venv_of(c, s, previous) != venv_of(c, s, name)
    switch(c, s, name)
    try:
        activate(c, s, name, restart_web)
        say("health through nginx: " + health(c, s))
    except DeployError as error:
        if not previous:
            raise
        say(f"{error}")
        say(f"rolling back to {previous}")
        switch(c, s, previous)
        activate(c, s, previous, restart_web)
        health(c, s)
        if new:
            c.run(f"rm -rf {q(s.layout.release(name))}", hide=True, warn=True)
        raise DeployError(f"{error}\nback on {previous}" + (f"; deleted {name}" if new else "")) from error


def status_lines(c: Connection, s: server.Settings) -> list[str]:
    """What ``fab status`` prints: releases, nginx, supervisord's programs, /health/."""
    L = s.layout
    lines = [
        f"current: {current_release(c, s) or '(none)'}  releases: {' '.join(release_names(c, s))}",
        f"nginx: {'running' if running(c, L.nginx_pid) else 'stopped'} on {s.listen}",
    ]
    if running(c, L.supervisord_pid):
        lines += ctl(c, s, "status", warn=True).rstrip().splitlines()
    else:
        lines.append("supervisord: stopped")
    host = q("Host: " + s.server_names[0])
    out = c.run(
        f"curl -s -m 10 -D - -H {host} {q(s.local_url + '/health/')} | tr -d '\\r'", hide=True, warn=True
    )
    head, _, body = out.stdout.partition("\n\n")
    headers = head.splitlines()
    release = next(
        (h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("x-whisper-release:")), ""
    )
    lines.append(f"health: {headers[0] if headers else 'no answer'} release={release or '?'} {body.strip()}")
    return lines
