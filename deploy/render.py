"""Render the configuration templates in ``deploy/`` for one machine.

The templates hold ``{{ NAME }}`` placeholders (nginx's own ``$variables``
and braces are left alone). ``scripts/stack.sh`` runs this module to write
the loopback stack's configuration into its run folder; the fabfile renders
the same files for a server with :func:`render_stack` and its own values
(``overrides``)::

    python deploy/render.py OUTDIR      # reads the settings from the environment

Every value comes from the environment (see :func:`stack_context`), so the
shell script stays the one place that picks defaults.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Z][A-Z0-9_]*)\s*\}\}")

# Passed to every supervised program through supervisord's ``environment=``
# (when set), so the file alone says how the programs run.
PROGRAM_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "DB_NAME",
    "DB_USER",
    "DB_HOST",
    "DB_PORT",
    "MEMCACHED_LOCATION",
    "CACHE_KEY_PREFIX",
    "CELERY_BROKER_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "TIMELOG_LOG",
    "WEB_CONCURRENCY",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_THREADS",
    "GUNICORN_ACCESS_LOG",
    "WHISPER_STACK",
    "WHISPER_ENV_FILE",
)


def render(template: str, context: dict[str, object]) -> str:
    """``template`` with every ``{{ NAME }}`` replaced; a missing name is an error.

    >>> render("listen {{ PORT }}; root $document_root;", {"PORT": 80})
    'listen 80; root $document_root;'
    >>> render("{{ NOPE }}", {})
    Traceback (most recent call last):
    ...
    KeyError: 'template placeholder NOPE has no value'
    """

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in context:
            raise KeyError(f"template placeholder {name} has no value")
        return str(context[name])

    return _PLACEHOLDER.sub(value, template)


def ports(raw: str) -> list[int]:
    """The gunicorn ports from a comma list such as ``"58001,58002"``.

    >>> ports(" 58001, 58002,")
    [58001, 58002]
    >>> ports("80x")
    Traceback (most recent call last):
    ...
    ValueError: not a port: '80x'
    """
    result = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 0 < int(part) < 65536:
            raise ValueError(f"not a port: {part!r}")
        result.append(int(part))
    if not result:
        raise ValueError("no gunicorn port given")
    return result


def proxy_networks(raw: str) -> list[str]:
    """The TLS terminator's addresses (``tls_proxy``) as networks for nginx's ``geo``.

    >>> proxy_networks("10.0.0.0/8, 192.0.2.7,,2001:db8::/32")
    ['10.0.0.0/8', '192.0.2.7/32', '2001:db8::/32']
    >>> proxy_networks("10.0.0.1/8")
    Traceback (most recent call last):
    ...
    ValueError: tls_proxy: not an address or network: '10.0.0.1/8'
    """
    networks = []
    for part in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(part)))
        except ValueError:
            raise ValueError(f"tls_proxy: not an address or network: {part!r}") from None
    return networks


def tls_directives(https_listen: str, certificate: str, key: str) -> str:
    """nginx's TLS lines for the site's server block: none without a ``certificate``.

    Plain HTTP then goes to HTTPS by a redirect (``$whisper_to_https`` in the
    template keeps ``/health/`` on plain HTTP for load balancers and the
    deploy's health check).

    >>> tls_directives("", "", "")
    ''
    >>> print(tls_directives("127.0.0.1:8443", "/etc/c.pem", "/etc/k.pem").splitlines()[-1].strip())
    if ($whisper_to_https) { return 301 https://$host:8443$request_uri; }
    """
    if not certificate:
        return ""
    port = https_listen.rsplit(":", 1)[-1]
    to = "https://$host" + ("" if port == "443" else f":{port}")
    lines = [
        f"listen {https_listen} ssl;",
        f"ssl_certificate {certificate};",
        f"ssl_certificate_key {key};",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_session_cache shared:whisper_tls:10m;",
        "ssl_session_timeout 1d;",
        f"if ($whisper_to_https) {{ return 301 {to}$request_uri; }}",
    ]
    return "\n    ".join(lines)


def supervisor_environment(env: dict[str, str], names: tuple[str, ...] = PROGRAM_ENV) -> str:
    """An ``environment=`` line for supervisord with the ``names`` set in ``env``.

    >>> supervisor_environment({"DB_NAME": "w", "SECRET": "x", "DB_PORT": "5%"})
    'environment=DB_NAME="w",DB_PORT="5%%"'
    """
    pairs = []
    for name in names:
        if name not in env:
            continue
        value = env[name]
        if any(c in value for c in '"\n\\'):
            raise ValueError(f"{name} holds a character supervisord cannot quote")
        pairs.append(f'{name}="{value.replace("%", "%%")}"')
    return "environment=" + ",".join(pairs) if pairs else ""


def stack_context(env: dict[str, str]) -> dict[str, object]:
    """The placeholders' values, read from ``env`` (``scripts/stack.sh`` sets them)."""
    run = Path(env["STACK_RUN_DIR"])
    terminators = proxy_networks(env.get("TLS_PROXY", ""))
    web_ports = ports(env.get("GUNICORN_PORTS", "58001"))
    access_log = env.get("NGINX_ACCESS_LOG", "buffered")
    if access_log == "off":
        access_log_line = "access_log off;"
    else:
        # Buffered: one write per 64 KB or 5 s instead of one per request.
        access_log_line = f"access_log {run}/nginx/logs/access.log combined buffer=64k flush=5s;"
    is_root = os.geteuid() == 0
    return {
        "ROOT": env.get("STACK_ROOT", str(ROOT)),
        "RUN": str(run),
        "VENV": env.get("VENV", str(ROOT / ".venv")),
        "LISTEN": f"127.0.0.1:{int(env.get('NGINX_PORT', '58080'))}",
        "SERVER_NAME": env.get("SERVER_NAME", "127.0.0.1 localhost"),
        "STATIC_ROOT": env["STATIC_ROOT"].rstrip("/"),
        "MEDIA_ROOT": env["MEDIA_ROOT"].rstrip("/"),
        "ACCESS_LOG": access_log_line,
        # nginx's shared cache of guest pages (docs/caching.md), kept across reloads and deploys.
        "CACHE_DIR": f"{run}/nginx/cache",
        # The benchmark's "X-Bench-Edge: bypass" (rows where Django must answer): the loopback
        # stack only; the fabfile renders it empty for a server.
        "BENCH_EDGE_BYPASS": "    bypass 1;",
        "TLS": tls_directives(
            env.get("HTTPS_LISTEN", "443"), env.get("TLS_CERTIFICATE", ""), env.get("TLS_CERTIFICATE_KEY", "")
        ),
        "TLS_PROXY_NETWORKS": "\n".join(f"    {net} 1;" for net in terminators),
        # The visitor's address (X-Real-IP for Django's rate limits) is the one
        # the terminator saw, not the terminator's own.
        "REAL_IP": "\n    ".join(
            [f"set_real_ip_from {net};" for net in terminators]
            + ["real_ip_header X-Forwarded-For;", "real_ip_recursive on;"] * bool(terminators)
        ),
        "UPSTREAM_SERVERS": "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in web_ports
        ),
        "WEB_PORTS": web_ports,
        "WEB_PROGRAM_NAMES": ",".join(f"web-{port}" for port in web_ports),
        # nginx's workers drop to nobody when the master runs as root; the
        # static and media folders are world-readable (umask 022).
        "NGINX_USER": "user nobody nogroup;" if is_root else "",
        "NGINX_WORKERS": env.get("NGINX_WORKERS", "auto"),
        "SUPERVISOR_ENV": supervisor_environment(env),
        # The app gunicorn loads: the site's, or the benchmark's (scripts/stack.sh's STACK_WSGI).
        "WSGI_APP": env.get("STACK_WSGI", "whisper.wsgi:application"),
        "CELERY_QUEUES": env.get("CELERY_QUEUES", "default"),
        "CELERY_CONCURRENCY": int(env.get("CELERY_CONCURRENCY", "1")),
    }


def render_stack(outdir: Path, env: dict[str, str], overrides: dict[str, object] | None = None) -> list[Path]:
    """Write nginx's and supervisord's configuration for the stack into ``outdir``.

    ``overrides`` replace values of :func:`stack_context` (the fabfile's
    ``LISTEN``, ``NGINX_USER`` or ``SUPERVISOR_ENV`` for a server).
    """
    ctx = {**stack_context(env), **(overrides or {})}
    web_template = (DEPLOY / "supervisord-web.conf.template").read_text()
    ctx["WEB_PROGRAMS"] = "\n".join(render(web_template, {**ctx, "PORT": p}) for p in ctx["WEB_PORTS"])
    files = {
        outdir / "nginx" / "nginx.conf": "nginx-stack.conf.template",
        outdir / "nginx" / "whisper.conf": "nginx.conf.template",
        outdir / "supervisord.conf": "supervisord.conf.template",
    }
    for target, template in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render((DEPLOY / template).read_text(), ctx))
    return list(files)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUTDIR", file=sys.stderr)
        return 2
    for path in render_stack(Path(argv[1]), dict(os.environ)):
        print(f"render: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
