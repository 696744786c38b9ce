"""Fixtures of the fingerprint tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.files import make_tree


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """package.json, src/ (App.jsx, util/x.js), node_modules/ and dist/ under tmp_path."""
    return make_tree(tmp_path, {
        "package.json": "{}",
        "src/App.jsx": "export default 1\n",
        "src/util/x.js": "x\n",
        "node_modules/react/index.js": "react\n",
        "dist/index.html": "<html>\n",
    })
