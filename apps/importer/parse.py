"""Read a product's title, description, image, price and currency from a page.

Sources, best first: JSON-LD ``Product``/``Offer``; Open Graph and product
meta tags; ``itemprop`` microdata; then ``<meta name=description>`` and
``<title>``. Parsed with BeautifulSoup, never with regular expressions.

>>> info = parse_product(b'<title> Teapot | Shop </title>', "https://shop.example/p")
>>> info.title
'Teapot | Shop'
>>> parse_price("1.299,00")
Decimal('1299.00')
>>> parse_price("$1,299.50")
Decimal('1299.50')
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from apps.core.money import CURRENCIES, MAX_PRICE

KNOWN_CURRENCIES = {code for code, _ in CURRENCIES}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}


@dataclass
class ProductInfo:
    title: str = ""
    description: str = ""
    image_url: str = ""
    price: Decimal | None = None
    currency: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["price"] = str(self.price) if self.price is not None else ""
        return data

    @property
    def found_anything(self) -> bool:
        return bool(self.title or self.image_url or self.price)


def parse_price(raw) -> Decimal | None:
    """A price from text like "1,299.50", "1.299,00" or "$19"; None if absurd or unreadable."""
    if raw is None:
        return None
    text = "".join(ch for ch in str(raw) if ch.isdigit() or ch in ".,")
    if not text:
        return None
    if "," in text and "." in text:
        # whichever comes last is the decimal separator
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) == 2 else text.replace(",", "")
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    if value <= 0 or value > MAX_PRICE:
        return None
    return value


def _currency(raw) -> str:
    value = str(raw or "").strip().upper()
    value = CURRENCY_SYMBOLS.get(value, value)
    return value if value in KNOWN_CURRENCIES else ""


def _clean(text, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


def _storable(text: str) -> str:
    """``text`` without what PostgreSQL refuses to store: NUL characters and lone surrogates.

    >>> _storable("Tea\\x00pot \\ud800!")
    'Teapot !'
    """
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def _walk_jsonld(data):
    """Every dict inside a JSON-LD document (handles @graph and lists)."""
    if isinstance(data, list):
        for entry in data:
            yield from _walk_jsonld(entry)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemOffered"):
            if key in data:
                yield from _walk_jsonld(data[key])


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    return {str(t) for t in (value if isinstance(value, list) else [value])}


def _first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _from_jsonld(soup: BeautifulSoup, info: ProductInfo) -> None:
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        for node in _walk_jsonld(data):
            if "Product" not in _types(node):
                continue
            info.title = info.title or _clean(node.get("name"), 200)
            info.description = info.description or _clean(node.get("description"), 2000)
            image = _first(node.get("image"))
            if isinstance(image, dict):
                image = image.get("url") or image.get("contentUrl")
            info.image_url = info.image_url or (str(image) if image else "")
            offer = _first(node.get("offers"))
            if isinstance(offer, dict):
                price = offer.get("price") or offer.get("lowPrice")
                spec = _first(offer.get("priceSpecification"))
                if price is None and isinstance(spec, dict):
                    price = spec.get("price")
                    offer = {
                        **offer,
                        "priceCurrency": offer.get("priceCurrency") or spec.get("priceCurrency"),
                    }
                if info.price is None:
                    info.price = parse_price(price)
                info.currency = info.currency or _currency(offer.get("priceCurrency"))
            return


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return str(tag["content"])
    return ""


def _itemprop(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find(attrs={"itemprop": name})
    if not tag:
        return ""
    return str(tag.get("content") or tag.get("src") or tag.get_text(" ", strip=True))


def parse_product(html: bytes | str, base_url: str) -> ProductInfo:
    """What a product page says about its product; fields it doesn't say stay empty."""
    soup = BeautifulSoup(html, "html.parser")
    info = ProductInfo()
    _from_jsonld(soup, info)
    info.title = info.title or _clean(
        _meta(soup, "og:title", "twitter:title") or _itemprop(soup, "name"), 200
    )
    info.description = info.description or _clean(
        _meta(soup, "og:description", "description", "twitter:description") or _itemprop(soup, "description"),
        2000,
    )
    info.image_url = (
        info.image_url or _meta(soup, "og:image", "og:image:url", "twitter:image") or _itemprop(soup, "image")
    )
    if info.price is None:
        info.price = parse_price(
            _meta(soup, "product:price:amount", "og:price:amount") or _itemprop(soup, "price") or None
        )
    info.currency = info.currency or _currency(
        _meta(soup, "product:price:currency", "og:price:currency") or _itemprop(soup, "priceCurrency")
    )
    if not info.title and soup.title and soup.title.string:
        info.title = _clean(soup.title.string, 200)
    info.title, info.description, info.image_url = map(
        _storable, (info.title, info.description, info.image_url)
    )
    if info.image_url:
        absolute = urljoin(base_url, info.image_url.strip())
        info.image_url = absolute if urlsplit(absolute).scheme in ("http", "https") else ""
    return info
