"""Render the app icons (PNG, ICO) from static/img/icon.svg and icon-maskable.svg, once.

The PNGs are committed; run this again only when the mark changes:
    .venv/bin/python scripts/make-icons.py
It draws with the system's chromium (Playwright) and writes favicon.ico with Pillow.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parents[1] / "static" / "img"
# (source SVG, output PNG, size): the sizes Android, iOS and desktop browsers ask for.
ICONS = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("icon-maskable.svg", "icon-maskable-512.png", 512),
    ("icon-maskable.svg", "apple-touch-icon.png", 180),  # iOS rounds the corners itself
    ("icon.svg", "favicon-48.png", 48),
]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        for source, output, size in ICONS:
            svg = base64.b64encode((IMG / source).read_bytes()).decode()
            page.set_viewport_size({"width": size, "height": size})
            page.set_content(
                f'<html><body style="margin:0;background:transparent">'
                f'<img src="data:image/svg+xml;base64,{svg}" width="{size}" height="{size}">'
                f"</body></html>"
            )
            png = page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})
            Image.open(io.BytesIO(png)).save(IMG / output, optimize=True)
        browser.close()
    base = Image.open(IMG / "favicon-48.png")
    base.save(IMG / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    (IMG / "favicon-48.png").unlink()


if __name__ == "__main__":
    main()
