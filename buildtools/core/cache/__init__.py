"""The build cache: finished builds kept by their inputs and restored without running npm.

One cache, one module per part of it:

- `reuse`: the cache seen from the walk: restore a build output (and its bundle) made before
  from the same inputs, keep each new one, prune now and then;
- `local`: the local store of entries (<cache>/entries/): look up, store, restore, prune;
- `content`: what an entry holds (content.json), checked before an entry is used;
- `ownership`: which entries a project stored or restored (`clean --all` removes only those);
- `remote`: a store a team shares, over the Turborepo remote cache protocol, signed;
- `remote_artifact`: a remote artifact checked and unpacked into the local store, bounded.

Importing the package imports none of them: the walk loads `reuse`, which loads the rest
while npm runs.
"""
