"""Embed mode in a real browser: headless Chromium decodes every data URI embed_folder makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.assets.embed import embed_folder
from support.browser import Browser


@pytest.mark.browser
def test_chromium_decodes_the_data_uris(media: Path, tmp_path: Path, browser: Browser) -> None:
    entries = embed_folder(media)
    page = tmp_path / "page.html"
    page.write_text(
        f"""<!doctype html><html><body>
<img id="png" src="{entries["TestImg_data"]}">
<img id="jpeg" src="{entries["cat_photo_data"]}">
<img id="svg" src="{entries["diagram_data"]}">
<audio id="mp3" preload="auto" src="{entries["_1_beep_data"]}"></audio>
<p id="out"></p>
<script>
const out = document.getElementById('out')
const seen = {{}}
function report () {{ out.textContent = JSON.stringify(seen) }}
for (const id of ['png', 'jpeg', 'svg']) {{
  const img = document.getElementById(id)
  const done = () => {{ seen[id] = img.naturalWidth + 'x' + img.naturalHeight; report() }}
  if (img.complete && img.naturalWidth) done(); else img.onload = done
  img.onerror = () => {{ seen[id] = 'error'; report() }}
}}
const audio = document.getElementById('mp3')
audio.onloadedmetadata = () => {{ seen.mp3 = audio.duration.toFixed(1); report() }}
audio.onerror = () => {{ seen.mp3 = 'error'; report() }}
</script></body></html>"""
    )
    dom = browser.dump_dom(page.as_uri())
    assert '"png":"4x3"' in dom, dom[-500:]
    assert '"jpeg":"8x8"' in dom, dom[-500:]
    assert '"svg":"10x6"' in dom, dom[-500:]
    assert '"mp3":"1.0"' in dom, dom[-500:]


