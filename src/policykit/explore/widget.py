"""The JupyterLab widget (anywidget): the explorer's front end talking to its :class:`Session`.

The front end (``static/explorer.js`` and ``static/explorer.css``, shipped in the package and
loaded by anywidget from the kernel, never from the network) renders the ``data`` trait; a
click on ✓ or a saved correction sends a ``decision`` message, which :meth:`Explorer._on_msg`
writes to the corrections file and acknowledges; the ``decisions`` trait then carries the
sentence's new labels to every view of the widget.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .session import Session

_STATIC = Path(__file__).parent / "static"


class Explorer(anywidget.AnyWidget):
    """The evidence explorer (see :func:`policykit.explore`).

    Attributes
    ----------
    session : Session
        Tables, views, decisions; :attr:`wide` is the extraction table with the decisions applied.
    """

    _esm = _STATIC / "explorer.js"
    _css = _STATIC / "explorer.css"
    data = traitlets.Dict().tag(sync=True)
    decisions = traitlets.Dict().tag(sync=True)
    selection = traitlets.Dict().tag(sync=True)

    def __init__(self, session: Session, **kwargs):
        super().__init__(**kwargs)
        self.session = session
        self.data = session.payload("widget")
        self.decisions = dict(session.decisions)
        self.on_msg(self._on_msg)

    # -------------------------------------------------------------- from the front end
    def _on_msg(self, _widget, content: Mapping[str, Any], _buffers=None) -> None:
        if not isinstance(content, Mapping) or content.get("type") != "decision":
            return
        ack = {"type": "ack", "request_id": content.get("request_id"), "sent_id": content.get("sent_id")}
        try:
            res = self.decide(str(content["sent_id"]), content.get("new"), action=content.get("action") or None,
                              note=str(content.get("note") or ""), decision_id=content.get("request_id") or None)
            ack.update(res)
        except Exception as exc:  # reported to the analyst in the widget, never swallowed
            ack.update(status="error", message=f"{type(exc).__name__}: {exc}")
        self.send(ack)

    # -------------------------------------------------------------- Python API
    @property
    def wide(self):
        """The extraction table with the analysts' latest decisions applied."""
        return self.session.wide

    @property
    def corrections_path(self) -> Path | None:
        return self.session.path

    @property
    def report(self):
        """How the corrections file's earlier decisions matched this table (see
        :func:`policykit.corrections.match`)."""
        return self.session.report

    def decide(self, sent_id: str, new: Mapping[str, Any] | None = None, **kwargs) -> dict:
        """Confirm or correct a sentence, as the ✓ and ✎ buttons do (see :meth:`Session.decide`)."""
        res = self.session.decide(sent_id, new, **kwargs)
        self.decisions = dict(self.session.decisions)
        return res

    def confirm(self, sent_id: str, **kwargs) -> dict:
        """Confirm a sentence's current labels."""
        return self.decide(sent_id, None, action="confirm", **kwargs)

    def select(self, group: str, label: str, facet: str | None = None, by: str | None = None) -> "Explorer":
        """Select a heat-map cell (the widget shows its sentences)."""
        current = (self.selection or {}).get("key")
        if facet is None and by is None and current:
            v = self.session.view(key=current)  # the heat map the widget shows
        else:
            v = self.session.view(facet, by)
        self.selection = {"key": v["key"], "group": str(group), "label": str(label)}
        return self

    def selected(self):
        """The sentences of the selected cell (clicked in the widget or set by :meth:`select`)."""
        s = self.selection or {}
        if not s.get("group") or not s.get("label"):
            return self.session.wide.iloc[0:0]
        return self.session.cell_sentences(s["group"], s["label"], key=s.get("key"))

    def review_queue(self, n: int | None = None, undecided: bool = True):
        """Sentences to review first (see :func:`policykit.explore.review_queue`)."""
        return self.session.review_queue(n, undecided)

    def html(self) -> str:
        return self.session.html()

    def to_html(self, path: str | os.PathLike) -> Path:
        """Write the same view as one self-contained HTML page (no server, no network)."""
        return self.session.to_html(path)
