"""Recall points: a restore from the build cache that needs no check and loads no pipeline.

After a build or a restore, when the record (buildtools.core.record) has just been written,
the core keeps a recall point beside it (`keep`): that record, the content hash of every file
whose signature it holds (from the scans' manifests, or read then), the bytes of the stamps
of the build, the extra builds and the bundle, the manifests, and the cache entry whose
output and bundle are in place, with the listing the entry was stored with. The last
`points.KEPT` points are kept; none for a project whose trees hold more than
`keep.MOST_FILES` files (loading and checking its points would cost what they save).

When the record no longer holds, a build first tries those points, newest first (`answer`):
a point matches when the environment it read is the same, every signature it holds is
unchanged or belongs to a file whose content hash is the same, and every folder's signature
is unchanged. Then the full check would find what it found then, so the stamps the point
holds are true again: when the outputs or those stamps moved, they are put back (`restore`:
the entry's files copied and checked against its listing, swapped in as the pipeline swaps
folders, the stamps written), all under the project lock; the record is written anew, with
no signature that is within the racy window (those files are hashed again by the next run).
Anything else (a folder listing that moved, a file that was never hashed, a damaged or pruned
entry, a busy lock) leaves the answer to the full check. Importing these modules costs
os, marshal, struct and xxhash.
"""
