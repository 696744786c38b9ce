"""Task assets: upload (copy extra_source_dir into the bundle), embed (data URIs), and signed
URLs for assets served only with an expiring token.

The names below are loaded on first use: a build that copies assets into the bundle imports
upload alone, not hashlib and hmac for signing or base64 for embedding.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from buildtools.assets.embed import (
        DEFAULT_MAX_BYTES,
        data_uri,
        decode_data_uri,
        embed_folder,
        sniff_mime,
        strip_embedded,
    )
    from buildtools.assets.upload import collect_assets, copy_assets, looks_secret
    from buildtools.deploy.asset_urls import signed_url

_MODULE_OF = {
    "DEFAULT_MAX_BYTES": "embed",
    "data_uri": "embed",
    "decode_data_uri": "embed",
    "embed_folder": "embed",
    "sniff_mime": "embed",
    "strip_embedded": "embed",
    "collect_assets": "upload",
    "copy_assets": "upload",
    "looks_secret": "upload",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "collect_assets",
    "copy_assets",
    "data_uri",
    "decode_data_uri",
    "embed_folder",
    "looks_secret",
    "signed_url",
    "sniff_mime",
    "strip_embedded",
]


def __getattr__(name: str) -> Any:
    if name == "signed_url":
        # The one public name from above assets/: an offloaded asset's URL is the bucket's
        # (docs/ARCHITECTURE.md lists this arrow up)
        from buildtools.deploy.asset_urls import signed_url

        globals()[name] = signed_url
        return signed_url
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'buildtools.assets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"buildtools.assets.{module}"), name)
    globals()[name] = value
    return value
