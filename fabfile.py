"""Deploy Whisper with Fabric 3: ``fab -H USER@HOST[:PORT] TASK [--options]``.

    setup [--revision=REV]   directories, virtualenvs, database, env file, supervisord + nginx configs
    deploy [--revision=REV]  a new release from git, built, switched to without downtime, health-checked
    rollback                 back to the release before the current one, with the same care
    readonly on|off|status   read-only mode (also ``readonly --mode=on``; Fabric 1 said ``readonly:on``)
    status                   supervisord's programs, the current release, /health/ through nginx
    backup                   pg_dump + a tar of the media into shared/backups/<UTC time>/
    restore [--name=TIME]    a backup back (the latest by default), the site read-only meanwhile
    manage "COMMAND ARGS"    any manage.py command in the current release

The knobs (prefix, ports, database, ...) come from ``WHISPER_*`` variables or
the ``whisper:`` section of ``fabric.yaml`` / ``fab -f FILE``; the layout on
the server is described in ``deploy/server.py``, the steps are in
``deploy/steps.py`` and ``deploy/provision.py``, and README's "Deploying
Whisper" says how to run and scale it.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from fabric import Connection, task
from invoke import Collection
from invoke.exceptions import Exit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fab may run from a folder below

from deploy import provision, server, steps
from deploy.steps import DeployError, locked, say


def settings(c: Connection) -> server.Settings:
    try:
        return server.Settings.load(c.config.get("whisper", {}), os.environ)
    except ValueError as error:
        raise Exit(f"whisper: bad configuration: {error}", code=2) from error


@task
def setup(c, revision="HEAD"):
    """Prepare the server (again after changing a knob): dirs, venvs, database, env file, configs."""
    s = settings(c)
    with locked(c, s, "setup"):
        provision.setup_server(c, s, revision)
        say(f"setup done in {s.prefix}")


@task
def deploy(c, revision="HEAD"):
    """A new release of REVISION: build it, switch, reload without downtime, check health, prune."""
    s = settings(c)
    with locked(c, s, "deploy"):
        if not steps.succeeds(c, f"test -f {shlex.quote(s.layout.env_file)}"):
            raise DeployError(f"{s.layout.env_file} is missing: run `fab setup` first")
        name, requirements = steps.upload_release(c, s, revision)
        try:
            steps.build(c, s, name, steps.ensure_venv(c, s, requirements))
        except DeployError:
            # Nothing runs it yet: the half-built release goes, the site is as it was.
            c.run(f"rm -rf {shlex.quote(s.layout.release(name))}", hide=True, warn=True)
            raise
        steps.go_live(c, s, name, steps.current_release(c, s), new=True)
        steps.prune(c, s)
        say(f"deployed {name}")


@task
def rollback(c):
    """Back to the release before the current one: reload, restart celery, health check."""
    s = settings(c)
    with locked(c, s, "rollback"):
        current = steps.current_release(c, s)
        previous = server.previous_release(steps.release_names(c, s), current or "")
        if not current or not previous:
            raise DeployError("there is no older release to roll back to")
        steps.go_live(c, s, previous, current, new=False)
        say(f"rolled back from {current} to {previous}")


@task
def readonly(c, mode):
    """Read-only mode on, off or status: every write gets a friendly 'back soon' page."""
    if mode not in ("on", "off", "status"):
        raise Exit("whisper: readonly takes on, off or status", code=2)
    s = settings(c)
    try:
        command = steps.manage_command(s, s.layout.current, f"readonly {mode}")
        say(steps.sh(c, command, f"readonly {mode}").strip())
    except DeployError as error:
        raise Exit(f"whisper: {error}", code=1) from error


@task
def status(c):
    """supervisord's programs, the current release and /health/ through nginx."""
    s = settings(c)
    for line in steps.status_lines(c, s):
        print(line)


@task
def backup(c):
    """pg_dump -Fc of the database and a tar of shared/media into shared/backups/<UTC time>/."""
    s = settings(c)
    try:
        name = provision.backup(c, s)
    except DeployError as error:
        raise Exit(f"whisper: backup failed: {error}", code=1) from error
    say(f"backup {name} in {s.layout.backups}/{name}")


@task
def restore(c, name=""):
    """Backup NAME (default: the latest) back: database and media, read-only meanwhile."""
    s = settings(c)
    with locked(c, s, "restore"):
        name = provision.restore(c, s, name)
        say(f"restored backup {name}; read-only mode off")


@task
def manage(c, command):
    """manage.py COMMAND in the current release, e.g. fab manage "seed_demo --items 20"."""
    s = settings(c)
    args = " ".join(shlex.quote(arg) for arg in shlex.split(command))
    interactive = sys.stdin.isatty()
    result = c.run(
        steps.manage_command(s, s.layout.current, args), warn=True, in_stream=sys.stdin, pty=interactive
    )
    if not result.ok:
        raise Exit(code=result.exited)


ns = Collection(setup, deploy, rollback, readonly, status, backup, restore, manage)
# Remote commands never read this terminal (manage passes it on explicitly).
ns.configure({"whisper": server.DEFAULTS, "run": {"in_stream": False}})
