"""The stat cache: what the last scan of a tree found, folder by folder, so that a file whose
stat signature (size, mtime_ns, inode, ctime_ns) is unchanged is not read again.

- `file`: the cache file's format, its one reader and its one writer (marshal, no more);
- `cache`: `StatCache`, the cache a scan reads and updates (buildtools.fingerprint.scan);
- `probe`: did a tree's content change since its last scan? (buildtools.core.early, before
  the core is imported).

This package imports nothing itself: the probe's import stays as cheap as its module.
"""

# A file modified this close to a scan may change again within the same mtime tick (the
# "racy git" problem): its stat signature vouches for nothing until it is older than this.
RACY_WINDOW_NS = 2_000_000_000
