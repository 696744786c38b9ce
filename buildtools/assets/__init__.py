"""Task assets, both ways: upload (copy extra_source_dir into the bundle) and embed (data URIs)."""

from buildtools.assets.upload import collect_assets, copy_assets, looks_secret

__all__ = ["collect_assets", "copy_assets", "looks_secret"]
