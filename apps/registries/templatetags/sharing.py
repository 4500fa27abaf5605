"""``{% registry_preview registry as preview %}``: the words of a registry's link preview."""

from __future__ import annotations

from django import template
from django.urls import reverse

from apps.core.emails import absolute

from .. import sharing

register = template.Library()


@register.simple_tag
def registry_preview(registry) -> dict[str, str]:
    """Title, description, absolute ``url`` and ``image`` of ``registry``'s Open Graph tags."""
    words = sharing.preview(registry)
    image = absolute(f"{reverse('registries:card', args=[registry.slug])}?v={registry.cache_version}")
    return {**words, "url": sharing.public_url(registry), "image": image}
