"""The deploy's pieces that need no server: knobs, env file, release bookkeeping, rendering, the CLI.

Fast and without SSH (not marked ``stack``); the real deploy is in the other
``test_deploy_*`` files.
"""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core import envfile
from apps.core.release import ReleaseHeaderMiddleware
from deploy import render, server

ROOT = Path(__file__).resolve().parent.parent.parent
FAB = str(ROOT / ".venv" / "bin" / "fab")


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("module", [server, render])
def test_the_doctests_of_the_deploy_modules_pass(module):
    # deploy/ is outside pytest's testpaths, so its doctests run from here.
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_a_variable_beats_fabric_yaml_which_beats_the_default():
    settings = server.Settings.load(
        {"prefix": "/opt/from-yaml", "nginx_port": 8080, "db_name": "from_yaml", "tls_proxy": "10.0.0.0/8"},
        {"WHISPER_PREFIX": "/opt/from-env", "WHISPER_GUNICORN_PORTS": "9001, 9002, 9003"},
    )
    assert settings.prefix == "/opt/from-env"
    assert settings.nginx_port == 8080
    assert settings.db_name == "from_yaml"
    assert settings.ports == [9001, 9002, 9003]
    assert settings.keep_releases == 5
    assert settings.layout.env_file == "/opt/from-env/shared/env"


@pytest.mark.parametrize(
    ("knobs", "complaint"),
    [
        ({"prefix": "srv/whisper"}, "absolute path"),
        ({"prefix": "/srv/whisper/"}, "trailing slash"),
        ({"db_name": "whisper; DROP"}, "plain lowercase name"),
        ({"keep_releases": 1}, "at least 2"),
        ({"nginx_port": 8001}, "must all differ"),
        ({"https": "maybe"}, "true or false"),
        ({"gunicorn_ports": "80x"}, "not a port"),
        ({"https": True}, "set tls_certificate and tls_certificate_key .* or tls_proxy"),
        ({"tls_certificate": "/etc/whisper/cert.pem"}, "go together"),
        ({"tls_certificate": "cert.pem", "tls_certificate_key": "/k.pem"}, "absolute paths"),
        (
            {"tls_certificate": "/c.pem", "tls_certificate_key": "/k.pem", "https_port": 8001},
            "must all differ",
        ),
        ({"tls_proxy": "10.0.0.1/8"}, "not an address or network"),
        ({"https": False, "tls_proxy": "10.0.0.0/8"}, "for https: true"),
    ],
)
def test_bad_knobs_are_refused_with_a_reason(knobs, complaint):
    with pytest.raises(ValueError, match=complaint):
        server.Settings.load(knobs, {})


def test_the_env_file_holds_what_production_reads_and_nothing_per_release():
    settings = server.Settings.load(
        {"hosts": "whisper.example, www.whisper.example", "tls_proxy": "10.0.0.0/8", "env": {"X": "1"}}, {}
    )
    values = server.env_values(settings, "k" * 50, cache_version=3)
    assert values["ALLOWED_HOSTS"] == "whisper.example,www.whisper.example"
    assert values["SITE_URL"] == "https://whisper.example"
    assert values["CACHE_VERSION"] == "3"
    assert values["POSTMARK_SERVER_TOKEN"] == "" and values["SENTRY_DSN"] == ""
    assert values["X"] == "1"
    assert "SECURE_SSL_REDIRECT" not in values  # production's safe defaults stay
    assert "STATIC_ROOT" not in values  # each release reads its own manifest


def test_env_file_values_come_back_verbatim():
    values = {"SECRET_KEY": "a#b=c 'd' \"e\" $HOME ", "EMPTY": "", "DB_NAME": "whisper"}
    assert envfile.parse(envfile.render(values, header="two\nlines")) == values
    with pytest.raises(ValueError, match="line break"):
        envfile.render({"BAD": "a\nSECRET_KEY=stolen"})


def test_loading_the_env_file_never_overrides_the_environment(tmp_path):
    path = tmp_path / "env"
    path.write_text("DB_NAME=from_file\nDB_HOST=db.example\n")
    environ = {"DB_NAME": "from_environment"}
    envfile.load(path, environ)
    assert environ == {"DB_NAME": "from_environment", "DB_HOST": "db.example"}
    envfile.load(None, environ)  # no WHISPER_ENV_FILE: nothing happens
    assert environ == {"DB_NAME": "from_environment", "DB_HOST": "db.example"}


def test_production_settings_read_the_env_file(tmp_path):
    path = tmp_path / "env"
    path.write_text(
        envfile.render(
            {
                "SECRET_KEY": "s" * 60,
                "ALLOWED_HOSTS": "whisper.example",
                "CACHE_VERSION": "7",
                "SESSION_COOKIE_SECURE": "false",
                "DB_NAME": "whisper_from_env_file",
            }
        )
    )
    path.chmod(0o600)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY[:3], s.ALLOWED_HOSTS, s.CACHES['default']['VERSION'], "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DATABASES['default']['NAME'], "
        "s.SECURE_REDIRECT_EXEMPT)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "whisper.settings.production",
        "WHISPER_ENV_FILE": str(path),
    }
    done = run(sys.executable, "-c", code, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "sss",
        "['whisper.example']",
        "7",
        "False",
        "True",
        "whisper_from_env_file",
        "['^health/$']",
    ]


def test_without_a_secret_key_production_refuses_to_start():
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "whisper.settings.production"}
    done = run(sys.executable, "-c", "import django; django.setup()", env=env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


@pytest.mark.parametrize(("count", "keep"), [(n, k) for n in range(0, 8) for k in range(2, 5)])
def test_pruning_keeps_the_newest_and_always_the_current_release(count, keep):
    names = [f"2025010{i}000000-abcd" for i in range(1, count + 1)]
    for current in names or [""]:
        doomed = server.releases_to_prune(names, current, keep)
        left = [name for name in names if name not in doomed]
        assert len(left) == min(count, keep)
        assert not names or current in left
        assert set(left) - {current} <= set(names[-keep:])


def test_rollback_goes_to_the_newest_release_older_than_the_current_one():
    names = ["20250103000000-cccc", "junk", "20250101000000-aaaa", "20250102000000-bbbb", ".upload-x"]
    assert server.previous_release(names, "20250103000000-cccc") == "20250102000000-bbbb"
    # After a rollback to b, c is still there; the next rollback goes to a.
    assert server.previous_release(names, "20250102000000-bbbb") == "20250101000000-aaaa"
    assert server.previous_release(names, "20250101000000-aaaa") is None


def test_same_requirements_same_virtualenv():
    text = (ROOT / "requirements.txt").read_text()
    assert server.requirements_key(text) == server.requirements_key(text)
    assert server.requirements_key(text) != server.requirements_key(text + "six==1.17.0\n")
    assert server.pinned((ROOT / "requirements-dev.txt").read_text(), "supervisor").startswith("supervisor==")


def test_a_server_gets_the_stacks_templates_with_its_own_values(tmp_path):
    env = {
        "STACK_RUN_DIR": "/srv/whisper/shared",
        "STACK_ROOT": "/srv/whisper/current",
        "VENV": "/srv/whisper/current/venv",
        "GUNICORN_PORTS": "8001,8002",
        "STATIC_ROOT": "/srv/whisper/shared/static",
        "MEDIA_ROOT": "/srv/whisper/shared/media",
        "SERVER_NAME": "whisper.example",
    }
    programs = {
        "DJANGO_SETTINGS_MODULE": "whisper.settings.production",
        "WHISPER_ENV_FILE": "/srv/whisper/shared/env",
    }
    overrides = {"LISTEN": "80", "SUPERVISOR_ENV": render.supervisor_environment(programs)}
    render.render_stack(tmp_path, env, overrides)
    supervisord = (tmp_path / "supervisord.conf").read_text()
    assert "--chdir /srv/whisper/current --pid" in supervisord
    assert "command=/srv/whisper/current/venv/bin/gunicorn" in supervisord
    assert 'WHISPER_ENV_FILE="/srv/whisper/shared/env"' in supervisord
    assert "SECRET_KEY" not in supervisord
    assert "programs=web-8001,web-8002" in supervisord
    site = (tmp_path / "nginx" / "whisper.conf").read_text()
    assert "listen 80;" in site
    assert "alias /srv/whisper/shared/static/;" in site
    assert "server 127.0.0.1:8002" in site


def test_a_server_speaking_tls_redirects_http_and_believes_only_its_terminator(tmp_path):
    env = {"STACK_RUN_DIR": str(tmp_path), "STATIC_ROOT": "/s", "MEDIA_ROOT": "/m", "HTTPS_LISTEN": "443"}
    env |= {"TLS_CERTIFICATE": "/etc/whisper/cert.pem", "TLS_CERTIFICATE_KEY": "/etc/whisper/key.pem"}
    render.render_stack(tmp_path, {**env, "TLS_PROXY": "10.0.0.0/8, 192.0.2.7"})
    site = (tmp_path / "nginx" / "whisper.conf").read_text()
    assert "listen 443 ssl;" in site and "ssl_certificate_key /etc/whisper/key.pem;" in site
    assert "return 301 https://$host$request_uri;" in site
    assert "    10.0.0.0/8 1;\n    192.0.2.7/32 1;\n}" in site
    assert "set_real_ip_from 192.0.2.7/32;" in site and "real_ip_header X-Forwarded-For;" in site
    assert "proxy_set_header X-Forwarded-Proto $whisper_forwarded_proto;" in site
    render.render_stack(tmp_path, {**env, "TLS_CERTIFICATE": ""})
    plain = (tmp_path / "nginx" / "whisper.conf").read_text()
    assert " ssl" not in plain and "return 301" not in plain and "set_real_ip_from" not in plain


@pytest.mark.parametrize("server", [False, True], ids=["loopback stack", "server"])
def test_nginx_accepts_the_shared_cache_of_guest_pages(tmp_path, server):
    """The cache folder under the run folder (a server's shared/), and the bench's bypass on loopback only."""
    env = {"STACK_RUN_DIR": str(tmp_path), "STATIC_ROOT": "/s", "MEDIA_ROOT": "/m", "NGINX_PORT": "58199"}
    render.render_stack(tmp_path, env, {"BENCH_EDGE_BYPASS": ""} if server else None)  # as provision.py does
    site = (tmp_path / "nginx" / "whisper.conf").read_text()
    assert f"proxy_cache_path {tmp_path}/nginx/cache levels=1:2 keys_zone=whisper_pages:" in site
    assert ("    bypass 1;" in site) is not server
    nginx = tmp_path / "nginx"
    for folder in ("logs", "tmp"):
        (nginx / folder).mkdir(exist_ok=True)
    done = run("nginx", "-t", "-q", "-c", f"{nginx}/nginx.conf", "-p", f"{nginx}/", "-e", f"{nginx}/e.log")
    assert done.returncode == 0, done.stderr
    assert (nginx / "cache").is_dir()  # nginx makes it (and gives it to its workers' user)


def test_release_header_names_the_release_of_a_deployed_tree(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    with pytest.raises(MiddlewareNotUsed):
        ReleaseHeaderMiddleware(lambda request: HttpResponse())
    (tmp_path / "RELEASE").write_text("20250102030405-abc1234\n")
    middleware = ReleaseHeaderMiddleware(lambda request: HttpResponse("hi"))
    response = middleware(RequestFactory().get("/"))
    assert response["X-Whisper-Release"] == "20250102030405-abc1234"


def test_fab_lists_the_tasks_and_refuses_bad_arguments_before_connecting():
    listed = run(FAB, "--list")
    assert listed.returncode == 0, listed.stderr
    for name in ("setup", "deploy", "rollback", "readonly", "status", "backup", "restore", "manage"):
        assert f"  {name} " in listed.stdout
    # Port 1 answers nobody: these fail on their arguments, before any SSH.
    wrong = run(FAB, "-H", "127.0.0.1:1", "readonly", "maybe")
    assert wrong.returncode == 2
    assert "readonly takes on, off or status" in wrong.stderr
    bad = run(FAB, "-H", "127.0.0.1:1", "status", env={**os.environ, "WHISPER_DB_NAME": "Not A Name"})
    assert bad.returncode == 2
    assert "bad configuration" in bad.stderr
