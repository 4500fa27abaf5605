"""What a phone shares with Whisper (the manifest's ``share_target``): the product link in it.

Android puts a shared page's address in ``url``, or only inside ``text``
("Look at this teapot https://shop.example/teapot"), depending on the app
that shares; iOS does not share with web apps at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The first web address in a text: up to a space or a character that cannot end one.
_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
MAX_LENGTH = 2000  # as the import form's field


def shared_link(params: Mapping[str, str]) -> str:
    """The product link in what was shared, or "".

    >>> shared_link({"url": "https://shop.example/teapot", "text": "A teapot"})
    'https://shop.example/teapot'
    >>> shared_link({"title": "Teapot", "text": "Look at this: https://shop.example/t?id=3."})
    'https://shop.example/t?id=3'
    >>> shared_link({"url": "javascript:alert(1)", "text": "nothing here"})
    ''
    >>> shared_link({})
    ''
    """
    for name in ("url", "text", "title"):
        found = _LINK.search(str(params.get(name, ""))[: MAX_LENGTH * 2])
        if found:
            return found.group(0).rstrip(".,;:!?)]")[:MAX_LENGTH]
    return ""
