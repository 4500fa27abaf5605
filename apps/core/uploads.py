"""Form fields for the pictures couples upload (cover photos, gift images).

A picture must be a real image that Pillow can open, in a format every browser
shows, within ``settings.WHISPER_MAX_IMAGE_BYTES`` and a sane pixel count —
checked from the header before anything is decoded, so a small file that
declares a huge canvas (a decompression bomb) is refused with a message.

What is stored is never the uploaded file: the picture is decoded and
encoded again (no metadata — EXIF with its GPS position, comments, anything
appended after the image data — survives; the EXIF orientation is applied
first), scaled down to ``MAX_EDGE`` pixels at most, and named with a random
UUID, so media URLs say nothing about the upload and cannot be guessed.
"""

from __future__ import annotations

import io
import uuid

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps

from apps.core.fields import lazy_interpolate

IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
# Far above any phone camera, far below what would choke the thumbnailer.
MAX_IMAGE_PIXELS = 50_000_000
# The longest side of a stored picture: sharp on any screen, small on disk.
MAX_EDGE = 2400
# What each accepted format is stored as (a GIF keeps its first frame, as a PNG).
STORED_AS = {"JPEG": ("JPEG", "jpg", "image/jpeg"), "WEBP": ("WEBP", "webp", "image/webp")}
STORED_DEFAULT = ("PNG", "png", "image/png")


# A picture that passed the checks waits here while its form is shown again with errors.
KEPT_FOLDER = "pending"
_KEPT_SALT = "whisper.uploads.kept"
_KEPT_MAX_AGE = 24 * 3600


class KeepingFileInput(forms.ClearableFileInput):
    """A file input that keeps a checked picture across a failed submit.

    When the form comes back with errors, the picture already chosen is not
    lost: the field stored it under ``KEPT_FOLDER`` and the input carries its
    signed name in a hidden ``<name>_kept``; sent again with no new file, that
    picture is used.
    """

    kept = ""  # the signed name of the kept picture, once there is one

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        if upload or upload is False:  # a new file, or "clear"
            return upload
        signed = data.get(f"{name}_kept", "")
        try:
            stored = signing.loads(signed, salt=_KEPT_SALT, max_age=_KEPT_MAX_AGE) if signed else ""
        except signing.BadSignature:
            stored = ""
        if not stored or not default_storage.exists(stored):
            return upload
        with default_storage.open(stored) as f:
            kept = SimpleUploadedFile(stored.rsplit("/", 1)[-1], f.read())
        kept.kept_as = signed
        return kept

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.kept:
            return html
        return format_html(
            '{}<input type="hidden" name="{}_kept" value="{}"><span class="help">{}</span>',
            html,
            name,
            self.kept,
            _("We kept the picture you chose: no need to choose it again."),
        )


class KeepsUploads:
    """A form mixin: a picture that passed its checks survives the form failing on another field.

    (Only then: a form that is valid, or whose picture is refused, stores nothing extra.)
    """

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        for name, field in self.fields.items():
            picture = self.cleaned_data.get(name)
            if isinstance(field, ImageUploadField) and isinstance(picture, SimpleUploadedFile):
                field.keep(picture)


class ImageUploadField(forms.ImageField):
    """An optional picture upload: checked, capped in size and pixels, re-encoded, renamed."""

    widget = KeepingFileInput

    default_validators = [
        FileExtensionValidator(
            IMAGE_EXTENSIONS,
            message=_("Please upload a JPEG, PNG, GIF or WebP picture (this file ends in “.%(extension)s”)."),
        )
    ]
    default_error_messages = {
        "invalid_image": (
            _("That file isn't a picture we can read — please upload a JPEG, PNG, GIF or WebP image.")
        ),
        "too_big": _("That picture is %(size)s; the limit is %(limit)s. Please upload a smaller one."),
        "too_many_pixels": _("That picture is %(width)s × %(height)s pixels — please upload a smaller one."),
        "bomb": (
            _(
                "That picture is far too large in pixels (over %(megapixels)s megapixels) — "
                "please upload a smaller one."
            )
        ),
        "format": _("%(format)s pictures aren't supported — please upload a JPEG, PNG, GIF or WebP image."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        help_text = gettext_noop("JPEG, PNG, GIF or WebP, up to %(size)s.")
        kwargs.setdefault("help_text", lazy_interpolate(help_text, {"size": _max_size()}))
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
        if data:
            self._check_pixels(data)
        f = super().to_python(data)
        if f is None:
            return None
        image = f.image
        if image.format not in IMAGE_FORMATS:
            raise ValidationError(
                self.error_messages["format"], code="format", params={"format": image.format or "These"}
            )
        # The upload's own name is checked here: the stored file gets a new one.
        self.run_validators(f)
        stored = self._reencoded(f, image.format)
        stored.kept_as = getattr(data, "kept_as", "")
        return stored

    def keep(self, stored: SimpleUploadedFile) -> None:
        """Hold the checked picture ``stored`` for the form's next rendering (its form failed elsewhere)."""
        signed = getattr(stored, "kept_as", "")
        if not signed:
            name = default_storage.save(f"{KEPT_FOLDER}/{stored.name}", io.BytesIO(stored.read()))
            stored.seek(0)
            signed = signing.dumps(name, salt=_KEPT_SALT)
        self.widget.kept = signed

    def _check_pixels(self, data) -> None:
        """Refuse a canvas over ``MAX_IMAGE_PIXELS`` from the header alone (nothing decoded)."""
        try:
            with Image.open(_source(data)) as probe:
                width, height = probe.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow's own guard (where warnings are errors, its warning too).
            raise ValidationError(
                self.error_messages["bomb"],
                code="too_many_pixels",
                params={"megapixels": MAX_IMAGE_PIXELS // 1_000_000},
            ) from None
        except Exception:  # not an image: Django's own check below says so
            return
        finally:
            _rewind(data)
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(
                self.error_messages["too_many_pixels"],
                code="too_many_pixels",
                params={"width": width, "height": height},
            )

    def _reencoded(self, f, source_format: str) -> SimpleUploadedFile:
        """A fresh encoding of the upload's first frame, without metadata, under a random name."""
        fmt, extension, content_type = STORED_AS.get(source_format, STORED_DEFAULT)
        try:
            with Image.open(_source(f)) as original:
                if source_format == "JPEG":
                    original.draft("RGB", (MAX_EDGE, MAX_EDGE))  # decode at a reduced scale: cheap
                original.thumbnail((MAX_EDGE, MAX_EDGE))  # a square box: the same either way up
                picture = ImageOps.exif_transpose(original)  # upright, before the EXIF goes
                picture = _without_metadata(picture, fmt)
                out = io.BytesIO()
                options = {"quality": 85, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
                picture.save(out, fmt, **options)
        except Exception as exc:  # a file that passed verify() but does not decode
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from exc
        stored = SimpleUploadedFile(f"{uuid.uuid4().hex}.{extension}", out.getvalue(), content_type)
        stored.image = picture
        return stored


def _without_metadata(picture: Image.Image, fmt: str) -> Image.Image:
    """The pixels only: a mode ``fmt`` can store, and no ``info`` (EXIF, XMP, comments) to carry."""
    if fmt == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        picture = picture.convert("RGBA")
    clean = picture.copy()
    transparency = picture.info.get("transparency") if picture.mode == "P" else None
    clean.info = {"transparency": transparency} if transparency is not None else {}
    return clean


def _source(data):
    """What Pillow should read: the temporary file on disk, or the bytes in memory."""
    if hasattr(data, "temporary_file_path"):
        return data.temporary_file_path()
    if hasattr(data, "read"):
        _rewind(data)
        return io.BytesIO(data.read())
    return io.BytesIO(data["content"])


def _rewind(data) -> None:
    if hasattr(data, "seek"):
        data.seek(0)


def _max_size() -> str:
    return filesizeformat(settings.WHISPER_MAX_IMAGE_BYTES).replace("\xa0", " ")
