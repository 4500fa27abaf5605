"""``fab deploy`` runs ``manage.py check --deploy`` on the new release before it switches to it.

The real ``fab`` over the loopback sshd (tests/stack/conftest_deploy.py) into a
prefix of its own, stopped by the step under test: the server's virtualenv is
made beforehand from this checkout's (no pip install), and the database is
never reached, since the checks come before ``migrate``.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from apps.core import envfile
from deploy import server
from tests.stack.conftest_deploy import Site, git, make_repo, port_open

pytestmark = [pytest.mark.stack, pytest.mark.timeout(600)]

NGINX_PORT, WEB_PORT = 52490, 52491
# compress writes the manifest under one name, every later process looks for another.
LOST_MANIFEST = '\nCOMPRESS_OFFLINE_MANIFEST = f"manifest-{os.getpid()}.json"\n'


@pytest.fixture
def server_site(sshd, tmp_path) -> Site:
    """A prefix ``fab setup`` would have made (env file, virtualenv), and a repository to deploy."""
    for port in (NGINX_PORT, WEB_PORT):
        assert not port_open(port), f"port {port} is taken by another program"
    prefix, repo = tmp_path / "srv", tmp_path / "repo"
    repo.mkdir()
    make_repo(repo)
    knobs = {
        "prefix": str(prefix),
        "repo": str(repo),
        "hosts": "127.0.0.1",
        "https": False,
        "nginx_address": "127.0.0.1",
        "nginx_port": NGINX_PORT,
        "gunicorn_ports": str(WEB_PORT),
        # Nothing answers there: a deploy that gets as far as migrate fails then, at once.
        "db_port": 1,
        "env": {"DB_POOL_TIMEOUT": "1"},
    }
    config = tmp_path / "fabric.yaml"
    config.write_text(yaml.safe_dump({"whisper": knobs}))
    settings = server.Settings.load(knobs, {})
    (prefix / "releases").mkdir(parents=True)
    (prefix / "shared").mkdir()
    (prefix / "shared" / "env").write_text(
        envfile.render(server.env_values(settings, secrets.token_urlsafe(50)))
    )
    # The virtualenv fab would make for requirements.txt: this checkout's packages, by a .pth file.
    venv = Path(settings.layout.venvs) / server.requirements_key((repo / "requirements.txt").read_text())
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = Path(sysconfig.get_paths(vars={"base": str(venv)})["purelib"])
    (packages / "whisper-test.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
    )
    (venv / ".complete").touch()
    return Site(sshd, prefix, repo, config, base=git(repo, "rev-parse", "HEAD"))


def test_a_release_that_fails_its_deploy_checks_is_never_switched_to(server_site):
    broken = server_site.commit(
        "Lose the manifest", "whisper/settings/production.py", LOST_MANIFEST, append=True
    )
    done = server_site.fab("deploy", f"--revision={broken}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "compress" in done.stdout and "migrate" not in done.stdout
    assert "fails `manage.py check --deploy`" in done.stderr
    assert "(whisper.E001) The offline compression manifest manifest-" in done.stderr
    # Nothing changed for the site: no current, no release left, no static files published.
    prefix = server_site.prefix
    assert not (prefix / "current").exists()
    assert list((prefix / "releases").iterdir()) == []
    assert not (prefix / "shared" / "static").exists() or not any((prefix / "shared" / "static").iterdir())


def test_a_release_that_passes_them_goes_on_to_migrate(server_site):
    done = server_site.fab("deploy", f"--revision={server_site.base}")
    assert "check --deploy: no errors" in done.stdout
    assert "migrate failed" in done.stderr  # db_port 1: this test stops there
    assert not (server_site.prefix / "current").exists()
