"""Form fields for the pictures couples upload (cover photos, gift images).

A picture must be a real image that Pillow can open, in a format every browser
shows, within ``settings.WHISPER_MAX_IMAGE_BYTES`` and a sane pixel count.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat

IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
# Far above any phone camera, far below what would choke the thumbnailer.
MAX_IMAGE_PIXELS = 50_000_000


class ImageUploadField(forms.ImageField):
    """An optional picture upload, checked by Pillow and capped in size."""

    default_validators = [
        FileExtensionValidator(
            IMAGE_EXTENSIONS,
            message="Please upload a JPEG, PNG, GIF or WebP picture (this file ends in “.%(extension)s”).",
        )
    ]
    default_error_messages = {
        "invalid_image": (
            "That file isn't a picture we can read — please upload a JPEG, PNG, GIF or WebP image."
        ),
        "too_big": "That picture is %(size)s; the limit is %(limit)s. Please upload a smaller one.",
        "too_many_pixels": "That picture is %(width)s × %(height)s pixels — please upload a smaller one.",
        "format": "%(format)s pictures aren't supported — please upload a JPEG, PNG, GIF or WebP image.",
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"JPEG, PNG, GIF or WebP, up to {_max_size()}.")
        super().__init__(**kwargs)

    def to_python(self, data):
        # Check the size before Pillow reads anything.
        size = getattr(data, "size", None)
        limit = settings.WHISPER_MAX_IMAGE_BYTES
        if size is not None and size > limit:
            raise ValidationError(
                self.error_messages["too_big"],
                code="too_big",
                params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
            )
        f = super().to_python(data)
        if f is None:
            return None
        image = f.image
        if image.format not in IMAGE_FORMATS:
            raise ValidationError(
                self.error_messages["format"], code="format", params={"format": image.format or "These"}
            )
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(
                self.error_messages["too_many_pixels"],
                code="too_many_pixels",
                params={"width": width, "height": height},
            )
        return f


def _max_size() -> str:
    return filesizeformat(settings.WHISPER_MAX_IMAGE_BYTES).replace("\xa0", " ")
