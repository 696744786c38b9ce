"""Task assets, both ways: upload (copy extra_source_dir into the bundle) and embed (data URIs)."""

from buildtools.assets.embed import (
    DEFAULT_MAX_BYTES,
    data_uri,
    decode_data_uri,
    embed_folder,
    sniff_mime,
    strip_embedded,
)
from buildtools.assets.upload import collect_assets, copy_assets, looks_secret

__all__ = [
    "DEFAULT_MAX_BYTES",
    "collect_assets",
    "copy_assets",
    "data_uri",
    "decode_data_uri",
    "embed_folder",
    "looks_secret",
    "sniff_mime",
    "strip_embedded",
]
