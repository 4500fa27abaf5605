"""What ``fab setup``, ``backup`` and ``restore`` do on the server (``deploy/steps.py`` for the rest).

- :func:`setup_server`: directories, supervisord's own virtualenv, the
  shared virtualenv of the requirements, the database, the env file (mode
  600, the secret key made once), supervisord's and nginx's configuration;
  nginx started or reloaded, the programs given the new configuration.
- :func:`backup` and :func:`restore`: ``pg_dump -Fc`` plus a tar of the
  media into ``shared/backups/<UTC time>/``, and back, read-only meanwhile.
"""

from __future__ import annotations

import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fabric import Connection

from apps.core import envfile
from deploy import server
from deploy.render import render_stack, supervisor_environment
from deploy.steps import (
    DeployError,
    activate,
    ctl,
    current_release,
    ensure_nginx,
    ensure_venv,
    git,
    manage_command,
    q,
    running,
    say,
    sh,
    start_supervisord,
    succeeds,
)


def setup_server(c: Connection, s: server.Settings, revision: str) -> None:
    """Everything a server needs before (and again after changing a knob, between) deploys."""
    L = s.layout
    # nginx/cache: the shared cache of guest pages; nginx gives it to its workers' user when it starts.
    nginx = [f"{L.nginx_dir}/{name}" for name in ("logs", "tmp", "cache")]
    dirs = [L.releases, L.media, L.static, L.logs, L.venvs, *nginx]
    sh(c, f"umask 022 && mkdir -p {' '.join(map(q, dirs))} && chmod 755 {q(L.prefix)} {q(L.shared)}", "mkdir")
    sh(c, f"install -d -m 700 {q(L.backups)}", "mkdir backups")
    setup_supervisor(c, s)
    ensure_venv(c, s, git(s, "show", f"{revision}:requirements.txt"))
    setup_database(c, s)
    env_changed = write_env_file(c, s)
    write_configs(c, s)
    ensure_nginx(c, s, reload=True)
    current = current_release(c, s)
    if running(c, L.supervisord_pid):
        ctl(c, s, "reread")
        say("supervisorctl update: " + (ctl(c, s, "update").strip() or "no program changed"))
        if current and env_changed:
            # Every process reads the env file when it starts: reload them all, gracefully.
            activate(c, s, current, restart_web=False)
    elif current:
        start_supervisord(c, s)
    else:
        say("supervisord starts with the first deploy")


def setup_supervisor(c: Connection, s: server.Settings) -> None:
    """supervisord in a virtualenv of its own, which no deploy prunes."""
    L = s.layout
    pin = server.pinned((server.ROOT / "requirements-dev.txt").read_text(), "supervisor")
    if succeeds(c, f"{L.supervisor_venv}/bin/pip freeze 2>/dev/null | grep -qix {q(pin)}"):
        return
    say(f"virtualenv {L.supervisor_venv}: {pin}")
    sh(
        c,
        f"{q(s.python)} -m venv {q(L.supervisor_venv)}"
        f" && {L.supervisor_venv}/bin/pip install --disable-pip-version-check -q {q(pin)}",
        "installing supervisor",
        timeout=300,
    )


def setup_database(c: Connection, s: server.Settings) -> None:
    pg = f"PGPASSWORD={q(s.db_password)} " if s.db_password else ""
    # db_name is a plain lowercase name (Settings.check), safe inside quotes.
    query = f"SELECT 1 FROM pg_database WHERE datname = '{s.db_name}'"  # noqa: S608
    exists = f"{pg}psql {s.db_args()} -d postgres -tAc {q(query)}"
    if sh(c, exists, "asking PostgreSQL for the database").strip() == "1":
        return
    sh(c, f"{pg}createdb {s.db_args()} {q(s.db_name)}", f"createdb {s.db_name}")
    say(f"created database {s.db_name}")


def write_env_file(c: Connection, s: server.Settings, bump_cache_version: bool = False) -> bool:
    """shared/env (mode 600) from the settings; True when it is new or its values changed.

    The secret key is made by the first setup and kept. ``CACHE_VERSION`` is
    kept too, or raised by one with ``bump_cache_version`` (a restore): once
    the processes reload, none of them reads what was cached before.
    """
    L = s.layout
    old_text = c.run(f"cat {q(L.env_file)} 2>/dev/null", hide=True, warn=True).stdout
    try:
        old = envfile.parse(old_text)
        cache_version = int(old.get("CACHE_VERSION") or 1) + int(bump_cache_version)
    except ValueError as error:
        raise DeployError(f"{L.env_file}: {error}") from error
    new = server.env_values(s, old.get("SECRET_KEY") or secrets.token_urlsafe(50), cache_version)
    if new == old:
        say(f"{L.env_file} unchanged")
        return False
    text = envfile.render(
        new,
        header="Whisper's environment, written by `fab setup` (the secret key is made once and kept).\n"
        "Change the values in fabric.yaml or WHISPER_* variables and run setup again.",
    )
    put_private(c, text, L.env_file)
    say(f"wrote {L.env_file} (mode 600)")
    return True


def put_private(c: Connection, text: str, path: str) -> None:
    """Upload ``text`` to ``path`` with mode 600 from the first byte on."""
    tmp = f"{path}.new"
    sh(c, f"rm -f {q(tmp)} && install -m 600 /dev/null {q(tmp)}", f"creating {tmp}")
    with tempfile.NamedTemporaryFile("w") as file:
        file.write(text)
        file.flush()
        c.put(file.name, tmp, preserve_mode=False)
    sh(c, f"chmod 600 {q(tmp)} && mv -f {q(tmp)} {q(path)}", f"writing {path}")


def write_configs(c: Connection, s: server.Settings) -> None:
    """nginx's and supervisord's files from the templates in deploy/, for this server."""
    L = s.layout
    env = {
        "STACK_RUN_DIR": L.shared,
        "STACK_ROOT": L.current,
        "VENV": f"{L.current}/venv",
        "GUNICORN_PORTS": s.gunicorn_ports,
        "NGINX_PORT": str(s.nginx_port),
        "SERVER_NAME": " ".join(s.server_names),
        "STATIC_ROOT": L.static,
        "MEDIA_ROOT": L.media,
        "CELERY_CONCURRENCY": str(s.celery_concurrency),
        "HTTPS_LISTEN": s.https_listen,
        "TLS_CERTIFICATE": s.tls_certificate,
        "TLS_CERTIFICATE_KEY": s.tls_certificate_key,
        "TLS_PROXY": s.tls_proxy,
    }
    programs = {
        "DJANGO_SETTINGS_MODULE": s.settings_module,
        "WHISPER_ENV_FILE": L.env_file,
        "WEB_CONCURRENCY": str(s.web_concurrency),
    }
    is_root = c.run("id -u", hide=True).stdout.strip() == "0"
    overrides = {
        "LISTEN": s.listen,
        "NGINX_USER": "user nobody nogroup;" if is_root else "",
        "SUPERVISOR_ENV": supervisor_environment(programs),
        "BENCH_EDGE_BYPASS": "",  # the benchmark's bypass header means nothing on a server
        "WSGI_APP": "whisper.wsgi:application",
    }
    with tempfile.TemporaryDirectory() as tmp:
        for path in render_stack(Path(tmp), env, overrides):
            c.put(str(path), f"{L.shared}/{path.relative_to(tmp)}")
    say("wrote supervisord.conf and nginx/ in " + L.shared)


def _pg(s: server.Settings) -> str:
    return f"PGPASSWORD={q(s.db_password)} " if s.db_password else ""


def backup(c: Connection, s: server.Settings) -> str:
    """A new backup of the database and the media; its directory name (the UTC time)."""
    L = s.layout
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    target = f"{L.backups}/{stamp}"
    try:
        sh(c, f"install -d -m 700 {q(L.backups)} {q(target)}", "mkdir")
        sh(c, f"{_pg(s)}pg_dump -Fc {s.db_args()} -d {q(s.db_name)} -f {q(target)}/db.dump", "pg_dump")
        sh(c, f"tar -czf {q(target)}/media.tar.gz -C {q(L.shared)} media", "archiving media")
        c.run(f"cp {q(L.current)}/RELEASE {q(target)}/RELEASE", hide=True, warn=True)
    except DeployError:
        c.run(f"rm -rf {q(target)}", hide=True, warn=True)
        raise
    print(c.run(f"du -sh {q(target)}/*", hide=True).stdout.rstrip())
    return stamp


def restore(c: Connection, s: server.Settings, name: str = "") -> str:
    """Backup ``name`` (or the latest) back into the database and the media; its name.

    The site is read-only meanwhile and celery stopped. The media go first,
    swapped in by renames, then ``pg_restore --clean`` in one transaction (on
    failure the old media come back and the database is as it was): a
    thumbnail a page makes in between lands in the new media folder and its
    record in the old database, which the restore then replaces, never the
    other way round. Last the cache version goes up and every program reloads
    gracefully, so nothing cached before the restore is read again
    (memcached is not flushed: it may serve others too).
    """
    L = s.layout
    names = sorted(c.run(f"ls -1 {q(L.backups)}", hide=True, warn=True).stdout.split())
    name = name or (names[-1] if names else "")
    if not name or name not in names:
        raise DeployError(f"no backup {name!r} in {L.backups} (there are: {' '.join(names) or 'none'})")
    source, staging, old = f"{L.backups}/{name}", f"{L.shared}/.media-restore", f"{L.shared}/.media-old"
    sh(c, f"rm -rf {q(staging)} {q(old)} && mkdir -p {q(staging)}", "mkdir")
    sh(c, f"tar -xzf {q(source)}/media.tar.gz -C {q(staging)}", "unpacking the media")
    say(f"restoring backup {name}; read-only mode on meanwhile, celery stopped")
    sh(c, manage_command(s, L.current, "readonly on"), "readonly on")
    try:
        ctl(c, s, "stop", "celery:*")
        sh(c, f"mv {q(L.media)} {q(old)} && mv {q(staging)}/media {q(L.media)}", "swapping the media in")
        try:
            sh(
                c,
                f"{_pg(s)}pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error"
                f" {s.db_args()} -d {q(s.db_name)} {q(source)}/db.dump",
                "pg_restore",
            )
        except DeployError:
            c.run(f"rm -rf {q(L.media)} && mv {q(old)} {q(L.media)}", hide=True, warn=True)
            raise
        c.run(f"rm -rf {q(old)} {q(staging)}", hide=True, warn=True)
        write_env_file(c, s, bump_cache_version=True)
        activate(c, s, current_release(c, s) or "", restart_web=False)  # restarts celery too
    finally:
        ctl(c, s, "start", "celery:*", warn=True)  # in case the restore stopped half-way
        sh(c, manage_command(s, L.current, "readonly off"), "readonly off")
    return name
