"""The delivery settings: the profile's `delivery:` section, optionally replaced by a YAML file
(`brevgen send --delivery-config FILE`, same fields), and paths resolved against content/."""

from __future__ import annotations

from pathlib import Path

from .. import loading, paths
from ..errors import BrevgenError
from ..models import DeliverySettings


def delivery_settings(config: Path | None = None) -> DeliverySettings:
    if config is not None:
        return loading.load_model(DeliverySettings, config)
    return loading.profile().delivery


def content_file(value: str | None, field: str) -> Path:
    if not value:
        raise BrevgenError(f"content/profile.yaml: delivery.{field}: required for this delivery setting")
    path = Path(value)
    return path if path.is_absolute() else paths.CONTENT / path


def sender_cvr() -> str:
    cvr = loading.profile().cvr
    if not cvr:
        raise BrevgenError("content/profile.yaml: cvr: the municipality's CVR number (8 digits) is needed to send Digital Post")
    return cvr
