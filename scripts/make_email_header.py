#!/usr/bin/env python3
"""Draw static/img/email-header.png, the image at the top of every mail.

Mails attach it inline (a CID part, see apps.notifications.outbox), so it
shows without loading remote images. Drawn at twice the 560 px it is shown
at, for sharp screens, and kept to a small palette so the file stays small.

    .venv/bin/python scripts/make_email_header.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "img" / "email-header.png"
WIDTH, HEIGHT = 1120, 200
PAPER = (243, 231, 238)  # --accent-soft
ACCENT = (122, 62, 93)  # --accent
INK = (43, 34, 48)  # --ink
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
SYMBOLS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # has the ❦ the serif lacks


def font(size: int, path: str = SERIF) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # no DejaVu: Pillow's own scalable default
        return ImageFont.load_default(size=size)


def draw() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = ImageDraw.Draw(image)
    # A band of soft circles on the right, like confetti.
    for i, (x, y, r) in enumerate(
        [(880, 40, 26), (960, 120, 40), (1050, 60, 22), (1010, 170, 18), (820, 150, 14)]
    ):
        colour = ACCENT if i % 2 == 0 else (214, 174, 196)
        pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    pen.text((64, HEIGHT // 2), "❦", font=font(84, SYMBOLS), fill=ACCENT, anchor="lm")
    pen.text((160, HEIGHT // 2 + 4), "Whisper", font=font(76), fill=INK, anchor="lm")
    pen.rectangle((0, HEIGHT - 8, WIDTH, HEIGHT), fill=ACCENT)
    return image.quantize(colors=16)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUT, optimize=True)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
