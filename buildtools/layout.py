"""Leaf facts that the no-op record and the core share; this module imports nothing."""

# The project's state folder (stamps, stat caches, manifests, the no-op record)
STATE_DIR_NAME = ".buildtools"
