"""What ``fabfile.py`` knows about a server, as plain Python (no SSH here).

- :class:`Settings`: the deploy's knobs, from ``WHISPER_*`` environment
  variables, the ``whisper:`` section of Fabric's configuration (``fabric.yaml``
  beside the fabfile, ``~/.fabric.yaml`` or ``fab -f FILE``), then
  :data:`DEFAULTS`, in that order.
- :class:`Layout`: the paths under the prefix::

      <prefix>/releases/<UTC time>-<revision>/   one per deploy, RELEASE file inside
      <prefix>/current -> releases/...           what runs
      <prefix>/shared/env                        the env file (mode 600)
      <prefix>/shared/{media,static,logs,backups}
      <prefix>/shared/venvs/<sha256 of requirements.txt>, venvs/supervisor
      <prefix>/shared/supervisord.conf, nginx/   configuration, pid files, sockets

- the env file's values (:func:`env_values`), release names, which release
  a rollback goes back to and which ones a deploy prunes.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path

from deploy.render import ports as parse_ports
from deploy.render import proxy_networks

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    "prefix": "/srv/whisper",
    "repo": str(ROOT),  # a local git repository (a clone); fab archives the revision from it
    "keep_releases": 5,
    "hosts": "localhost",  # server_name and ALLOWED_HOSTS; the first one is the site's
    "site_url": "",  # default: http(s)://<first host>[:<https_port or nginx_port>]
    "https": True,  # False: plain HTTP (no redirect, no HSTS, cookies without Secure)
    # With https, who speaks TLS to browsers: nginx itself with this certificate
    # and key (paths on the server), HTTP redirected to HTTPS; or a terminator in
    # front (a load balancer) at these addresses, whose X-Forwarded-Proto nginx believes.
    "tls_certificate": "",
    "tls_certificate_key": "",
    "tls_proxy": "",  # addresses or networks, comma-separated: 10.0.0.0/8, 192.0.2.7
    "nginx_address": "",  # listen on every address
    "nginx_port": 80,
    "https_port": 443,  # nginx's TLS port, with tls_certificate
    "gunicorn_ports": "8001,8002",  # one supervised gunicorn node per port
    "web_concurrency": 2,  # gunicorn workers per node
    "celery_concurrency": 1,
    "settings_module": "whisper.settings.production",
    "python": "python3",  # the server's Python that makes the virtualenvs
    "db_name": "whisper",
    "db_user": "whisper",
    "db_host": "127.0.0.1",
    "db_port": 5432,
    "db_password": "",
    "memcached_location": "127.0.0.1:11211",  # a comma list for several servers
    "cache_key_prefix": "whisper",
    "broker_url": "redis://127.0.0.1:6379/0",
    "postmark_server_token": "",
    "sentry_dsn": "",
    "env": {},  # more KEY: value lines for the env file (WHISPER_ENV="K=V,K=V")
    "health_timeout": 30,  # seconds a new release gets to answer /health/ with 200
}

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_RELEASE = re.compile(r"^\d{14}-[0-9a-f]{4,40}$")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _coerce(key: str, value: object) -> object:
    """``value`` (a string from the environment, or YAML's) as the type of the default.

    >>> _coerce("https", "off"), _coerce("nginx_port", "8080"), _coerce("env", "A=1, B=x=y")
    (False, 8080, {'A': '1', 'B': 'x=y'})
    >>> _coerce("gunicorn_ports", [8001, 8002])
    '8001,8002'
    """
    default = DEFAULTS[key]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in _TRUE | _FALSE:
            raise ValueError(f"{key} must be true or false, not {value!r}")
        return text in _TRUE
    if isinstance(default, int):
        return int(value)
    if isinstance(default, dict):
        if isinstance(value, Mapping):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
        pairs = [part.strip() for part in str(value).split(",") if part.strip()]
        return dict(pair.split("=", 1) for pair in pairs)
    if isinstance(value, list | tuple):  # YAML lists: hosts, gunicorn_ports
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Layout:
    """The paths of one installation under its prefix.

    >>> Layout("/srv/whisper").release("20250102030405-abc1234")
    '/srv/whisper/releases/20250102030405-abc1234'
    """

    prefix: str

    def __getattr__(self, name: str) -> str:
        paths = {
            "releases": "releases",
            "current": "current",
            "shared": "shared",
            "env_file": "shared/env",
            "media": "shared/media",
            "static": "shared/static",
            "logs": "shared/logs",
            "backups": "shared/backups",
            "venvs": "shared/venvs",
            "supervisor_venv": "shared/venvs/supervisor",
            "supervisord_conf": "shared/supervisord.conf",
            "supervisord_pid": "shared/supervisord.pid",
            "nginx_dir": "shared/nginx",
            "nginx_conf": "shared/nginx/nginx.conf",
            "nginx_pid": "shared/nginx/nginx.pid",
            "lock": "shared/deploy.lock",
        }
        if name not in paths:
            raise AttributeError(name)
        return f"{self.prefix}/{paths[name]}"

    def release(self, name: str) -> str:
        return f"{self.prefix}/releases/{name}"


@dataclass(frozen=True)
class Settings:
    """The deploy's knobs (see :data:`DEFAULTS`), typed and checked."""

    prefix: str
    repo: str
    keep_releases: int
    hosts: str
    site_url: str
    https: bool
    tls_certificate: str
    tls_certificate_key: str
    tls_proxy: str
    nginx_address: str
    nginx_port: int
    https_port: int
    gunicorn_ports: str
    web_concurrency: int
    celery_concurrency: int
    settings_module: str
    python: str
    db_name: str
    db_user: str
    db_host: str
    db_port: int
    db_password: str
    memcached_location: str
    cache_key_prefix: str
    broker_url: str
    postmark_server_token: str
    sentry_dsn: str
    env: dict
    health_timeout: int

    @classmethod
    def load(cls, config: Mapping, environ: Mapping[str, str]) -> Settings:
        """``WHISPER_<KNOB>`` from ``environ`` first, then ``config`` (Fabric's ``whisper:``).

        >>> s = Settings.load({"nginx_port": 8080}, {"WHISPER_PREFIX": "/opt/w", "WHISPER_HTTPS": "no"})
        >>> s.prefix, s.nginx_port, s.https, s.ports, s.listen
        ('/opt/w', 8080, False, [8001, 8002], '8080')
        """
        values = {}
        for field in fields(cls):
            key = field.name
            raw = environ.get(f"WHISPER_{key.upper()}")
            if raw is None:
                raw = config.get(key, DEFAULTS[key])
            values[key] = _coerce(key, raw)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if not self.prefix.startswith("/") or self.prefix.rstrip("/") != self.prefix or " " in self.prefix:
            raise ValueError(f"prefix must be an absolute path without a trailing slash: {self.prefix!r}")
        if not _NAME.match(self.db_name):
            raise ValueError(f"db_name must be a plain lowercase name, not {self.db_name!r}")
        if self.keep_releases < 2:
            raise ValueError("keep_releases must be at least 2 (the current release and one to roll back to)")
        used = [*self.ports, self.nginx_port, *([self.https_port] if self.tls_certificate else [])]
        if len(set(used)) != len(used):
            raise ValueError("nginx_port, https_port and gunicorn_ports must all differ")
        if self.https and not (self.tls_certificate or self.tls_proxy):
            # Else Django redirects to an HTTPS that nobody serves, or, behind a
            # terminator nginx does not believe, to itself for ever.
            raise ValueError(
                "https is on: set tls_certificate and tls_certificate_key (nginx speaks TLS), "
                "or tls_proxy (the addresses of the TLS terminator in front), or https: false"
            )
        if not self.https and (self.tls_certificate or self.tls_proxy):
            raise ValueError("tls_certificate and tls_proxy are for https: true")
        for path in (self.tls_certificate, self.tls_certificate_key):
            if path and not re.fullmatch(r"/[^\s;'\"{}$]+", path):
                raise ValueError(
                    f"tls_certificate and tls_certificate_key must be absolute paths, not {path!r}"
                )
        if bool(self.tls_certificate) != bool(self.tls_certificate_key):
            raise ValueError("tls_certificate and tls_certificate_key go together")
        proxy_networks(self.tls_proxy)
        if not self.server_names:
            raise ValueError("hosts names no host")

    @property
    def layout(self) -> Layout:
        return Layout(self.prefix)

    @property
    def ports(self) -> list[int]:
        return parse_ports(self.gunicorn_ports)

    @property
    def server_names(self) -> list[str]:
        return [h for h in re.split(r"[\s,]+", self.hosts) if h]

    @property
    def listen(self) -> str:
        """nginx's ``listen``: ``PORT`` or ``ADDRESS:PORT``."""
        return f"{self.nginx_address}:{self.nginx_port}" if self.nginx_address else str(self.nginx_port)

    @property
    def https_listen(self) -> str:
        """nginx's ``listen`` for TLS (with ``tls_certificate``): ``PORT`` or ``ADDRESS:PORT``."""
        return f"{self.nginx_address}:{self.https_port}" if self.nginx_address else str(self.https_port)

    @property
    def local_url(self) -> str:
        """Where nginx answers on the server itself (the deploy's health check).

        >>> Settings.load({"nginx_address": "127.0.0.1", "nginx_port": 58380, "https": False}, {}).local_url
        'http://127.0.0.1:58380'
        """
        address = self.nginx_address if self.nginx_address not in ("", "0.0.0.0", "[::]") else "127.0.0.1"  # noqa: S104
        return f"http://{address}:{self.nginx_port}"

    @property
    def public_url(self) -> str:
        """``SITE_URL``: as configured, or built from the first host.

        >>> Settings.load({"hosts": "whisper.example www.example", "tls_proxy": "10.0.0.0/8"}, {}).public_url
        'https://whisper.example'
        >>> Settings.load({"hosts": "a.example", "tls_certificate": "/c.pem", "tls_certificate_key": "/k.pem",
        ...                "https_port": 8443}, {}).public_url
        'https://a.example:8443'
        >>> Settings.load({"hosts": "127.0.0.1", "https": False, "nginx_port": 58380}, {}).public_url
        'http://127.0.0.1:58380'
        """
        if self.site_url:
            return self.site_url.rstrip("/")
        scheme, port, default = (
            ("https", self.https_port, 443) if self.https else ("http", self.nginx_port, 80)
        )
        return f"{scheme}://{self.server_names[0]}{'' if port == default else f':{port}'}"

    def db_args(self) -> str:
        """``-h -p -U`` for psql, pg_dump and pg_restore, shell-quoted."""
        return f"-h {shlex.quote(self.db_host)} -p {self.db_port} -U {shlex.quote(self.db_user)}"


def env_values(settings: Settings, secret_key: str, cache_version: int = 1) -> dict[str, str]:
    """What the env file holds: everything production settings read from the environment.

    ``secret_key`` and ``cache_version`` are the server's own (made by the
    first setup, bumped by each restore); the rest comes from ``settings``.

    >>> values = env_values(Settings.load({"https": False, "hosts": "a.example"}, {}), "s3cret")
    >>> values["SECRET_KEY"], values["ALLOWED_HOSTS"], values["SECURE_SSL_REDIRECT"], values["CACHE_VERSION"]
    ('s3cret', 'a.example', 'false', '1')
    >>> values["MEDIA_ROOT"], "STATIC_ROOT" in values
    ('/srv/whisper/shared/media', False)
    """
    layout = settings.layout
    values = {
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": ",".join(settings.server_names),
        "SITE_URL": settings.public_url,
        "DB_NAME": settings.db_name,
        "DB_USER": settings.db_user,
        "DB_HOST": settings.db_host,
        "DB_PORT": str(settings.db_port),
        "DB_PASSWORD": settings.db_password,
        "MEMCACHED_LOCATION": settings.memcached_location,
        "CACHE_KEY_PREFIX": settings.cache_key_prefix,
        "CACHE_VERSION": str(cache_version),
        "CELERY_BROKER_URL": settings.broker_url,
        # STATIC_ROOT stays unset: each release collects into its own
        # (<release>/.run/static) and reads its own manifest from there.
        "MEDIA_ROOT": layout.media,
        "TIMELOG_LOG": f"{layout.logs}/timelog.log",
        "POSTMARK_SERVER_TOKEN": settings.postmark_server_token,
        "SENTRY_DSN": settings.sentry_dsn,
    }
    if not settings.https:
        values.update(
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
        )
    values.update(settings.env)
    return values


def release_name(now: datetime, revision: str) -> str:
    """A release directory's name: sorts by time, says which revision.

    >>> release_name(datetime(2025, 1, 2, 3, 4, 5), "abc1234")
    '20250102030405-abc1234'
    """
    return f"{now:%Y%m%d%H%M%S}-{revision}"


def releases(names: list[str]) -> list[str]:
    """The release directories among ``names``, oldest first (half-made ones left out).

    >>> releases(["20250102030405-abc1234", "junk", "20240101000000-beef"])
    ['20240101000000-beef', '20250102030405-abc1234']
    """
    return sorted(name for name in names if _RELEASE.match(name))


def previous_release(names: list[str], current: str) -> str | None:
    """The newest release older than ``current``: where a rollback goes.

    >>> previous_release(["20240101000000-aaaa", "20240102000000-bbbb", "20240103000000-cccc"],
    ...                  "20240102000000-bbbb")
    '20240101000000-aaaa'
    >>> previous_release(["20240101000000-aaaa"], "20240101000000-aaaa") is None
    True
    """
    older = [name for name in releases(names) if name < current]
    return older[-1] if older else None


def releases_to_prune(names: list[str], current: str, keep: int) -> list[str]:
    """The releases a deploy deletes: all but the newest ``keep``, never ``current``.

    >>> names = [f"2024010{i}000000-aaaa" for i in range(1, 8)]
    >>> releases_to_prune(names, names[-1], 5)
    ['20240101000000-aaaa', '20240102000000-aaaa']
    >>> releases_to_prune(names, names[0], 5)
    ['20240102000000-aaaa', '20240103000000-aaaa']
    """
    ordered = releases(names)
    kept = set(ordered[-keep:]) | {current}
    doomed = [name for name in ordered if name not in kept]
    # Keeping the current one outside the newest N still keeps N in all.
    extra = len(ordered) - len(doomed) - keep
    return doomed + [name for name in ordered[-keep:] if name != current][: max(extra, 0)]


def requirements_key(text: str) -> str:
    """The shared virtualenv's name for a requirements file: its sha256 (16 hex digits).

    >>> requirements_key("Django==5.2.19\\n")
    '1cec3d0f817ab711'
    """
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pinned(requirements: str, package: str) -> str:
    """The ``package==version`` line of a requirements file.

    >>> pinned("# tools\\nsupervisor==4.3.0\\nfabric==3.2.3\\n", "supervisor")
    'supervisor==4.3.0'
    """
    for line in requirements.splitlines():
        if re.match(rf"^{re.escape(package)}==\S+$", line.strip(), re.IGNORECASE):
            return line.strip()
    raise LookupError(f"{package} is not pinned")
