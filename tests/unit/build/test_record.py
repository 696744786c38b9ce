"""The no-op record's key on the environment: the variables that stage keys read, no other."""

from __future__ import annotations

from buildtools import layout
from buildtools.build import record


def test_env_digest_reads_only_the_variables_keys_read() -> None:
    base = {"PATH": "/usr/bin", "HOME": "/root"}
    digest = record.env_digest(base)
    assert record.env_digest({**base, "FOO": "1", "SHLVL": "3", "OLDPWD": "/"}) == digest
    for name in ("VITE_X", "REACT_APP_X", "NODE_ENV", *layout.CHECK_ENV_NAMES):
        assert record.env_digest({**base, name: "other"}) != digest, name
        assert record.env_digest({**base, name: ""}) != digest, name  # set but empty
    assert record.env_digest({**base, "MY_API": "x"}, ["MY_API"]) != digest  # build_env
    assert record.env_digest({**base, "MY_API": "x"}) == digest
