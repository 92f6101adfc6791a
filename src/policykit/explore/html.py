"""The explorer as one self-contained HTML page: no server, no network.

The page holds the explorer's JavaScript and CSS (the files the widget uses) and its data as a
``<script type="application/json">`` block. Safety:

* document text reaches the page only as JSON data; ``<``, ``>``, ``&`` and the line separators
  U+2028/U+2029 are written as ``\\uXXXX`` escapes, so no text can close the data block, and the
  script puts text into the page only as text nodes;
* a Content-Security-Policy allows exactly the page's own script and style (by hash) and no
  connection, frame, form or plugin: even an injected ``<script>`` would not run, and the page
  cannot fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

STATIC = "static"


def asset(name: str) -> str:
    """The text of a packaged front-end file (``explorer.js`` or ``explorer.css``)."""
    return resources.files("policykit.explore").joinpath(STATIC, name).read_text(encoding="utf-8")


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no ``<!--``, no U+2028)."""
    s = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


_EXPORTS = re.compile(r"^export (default \{[^}]*\};?\s*)$", re.M)


def module_source() -> str:
    """The explorer module plus the page's start-up code, as one inline module script."""
    js = asset("explorer.js")
    js = _EXPORTS.sub("", js)  # the default export is for anywidget; the page calls render itself
    boot = """
const pkData = JSON.parse(document.getElementById("pk-data").textContent);
const pkKey = "policykit-explorer:" + (pkData.title || "") + ":" + (pkData.created || "");
render({ model: staticModel(pkData, pkKey), el: document.getElementById("pk-root") });
"""
    src = js + "\n" + boot
    low = src.lower()
    if "</script" in low or "<!--" in low or "<script" in low:  # would end or confuse the inline script
        raise ValueError("explorer.js must not contain '<script', '</script' or '<!--'")
    return src


def render_html(payload: Mapping[str, Any], title: str | None = None) -> str:
    """The complete page (a string) for an explorer payload (:func:`~.payload.build_payload`)."""
    script = module_source()
    css = asset("explorer.css") + "\nbody{margin:12px 16px;}\n.pk-page-note{color:#666;font-size:12px;margin:0 0 8px;}\n"
    data = json_for_script(dict(payload))
    t = html.escape(title or payload.get("title") or "policykit evidence explorer")
    csp = (f"default-src 'none'; script-src '{_sha256(script)}'; style-src '{_sha256(css)}'; "
           "img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'")
    note = ("Exported from policykit: this page works offline. Decisions you make here stay in this browser; "
            "use the download button to keep them as a corrections file "
            "(policykit.corrections.append_many reads it into the project's log).")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{html.escape(csp)}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{t}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<p class=\"pk-page-note\">{html.escape(note)}</p>\n"
        "<div id=\"pk-root\"></div>\n"
        f"<script type=\"application/json\" id=\"pk-data\">{data}</script>\n"
        f"<script type=\"module\">{script}</script>\n"
        "</body>\n</html>\n"
    )


def write_html(payload: Mapping[str, Any], path: str | Path, title: str | None = None) -> Path:
    """Write :func:`render_html` atomically to ``path``; returns the path."""
    from ..store import atomic_write

    p = Path(path)
    with atomic_write(p) as fh:
        fh.write(render_html(payload, title))
    return p
