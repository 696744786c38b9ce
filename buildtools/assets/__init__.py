"""Task assets: upload (copy extra_source_dir into the bundle), embed (data URIs), and signed
URLs for assets served only with an expiring token."""

from buildtools.assets.embed import (
    DEFAULT_MAX_BYTES,
    data_uri,
    decode_data_uri,
    embed_folder,
    sniff_mime,
    strip_embedded,
)
from buildtools.assets.signing import signed_url
from buildtools.assets.upload import collect_assets, copy_assets, looks_secret

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
