"""Attachments: validated before anything is written, stored under random names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Attachment, Case, Message

MAX_FILES_PER_MESSAGE = 20
_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def clean_file_name(raw: str) -> str:
    """The user's file name without directories, control characters (CR/LF) or tricks."""
    name = unicodedata.normalize("NFC", raw or "")
    # Invisible format characters go: a right-to-left override would show
    # "invoice\u202efdp.exe" as "invoiceexe.pdf". Other controls and line separators
    # (C1 controls such as NEL, U+2028) become "_" like the ASCII ones below.
    name = "".join(
        "_" if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch for ch in name if unicodedata.category(ch) != "Cf"
    )
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip().lstrip(".")
    return name[:200] or "attachment"


def validate_uploads(files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise ValidationError(
            {"attachments": _("At most %(n)d files can be attached at once.") % {"n": MAX_FILES_PER_MESSAGE}}
        )
    limit = settings.ATTACHMENT_MAX_BYTES
    for upload in files:
        name = clean_file_name(upload.name or "")
        if not upload.size:
            raise ValidationError({"attachments": _("“%(name)s” is empty.") % {"name": name}})
        if upload.size > limit:
            raise ValidationError(
                {
                    "attachments": _("“%(name)s” is larger than the limit of %(limit)s.")
                    % {"name": name, "limit": filesizeformat(limit)}
                }
            )


def store_attachments(
    *, case: Case, message: Message | None, files: Sequence[UploadedFile], uploader: User, internal: bool
) -> list[Attachment]:
    stored = []
    for upload in files:
        name = clean_file_name(upload.name or "")
        attachment = Attachment(
            case=case,
            message=message,
            name=name,
            size=upload.size,
            content_type=(getattr(upload, "content_type", None) or "application/octet-stream")[:127],
            uploaded_by=uploader,
            internal=internal,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
