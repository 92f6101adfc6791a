"""Static images (PNG, SVG) with kaleido 1.x and the system's Chromium.

One Chromium serves every image (kaleido's sync server). Two measured speed-ups:

* MathJax is switched off: kaleido would otherwise fetch it from a CDN (no network here).
* kaleido reloads its page (and so re-parses the 4.8 MB plotly.js) after *every* image; that
  costs about 0.4 s per image on 2 cores. While the exporter runs, tabs are handed back without
  the reload (private kaleido API, patched only if it exists and restored afterwards); an SVG
  then takes about 0.03 s instead of 0.4 s.

:class:`StaticExporter` renders in a background thread, so the report can compute the topic
sections while Chromium draws the comparison figures.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

EXPORT_WIDTH = 1100
_LOCK = threading.Lock()


def _tmp(p: Path) -> Path:
    return p.with_name(f".{p.stem}.tmp{p.suffix}")


class StaticExporter:
    """Render figures to PNG/SVG in a background thread with one Chromium.

    Use as a context manager; :meth:`submit` queues figures, :meth:`wait` returns the paths
    written (each image is written to a temporary name, then moved into place).

    Parameters
    ----------
    width : int
        Image width in layout pixels (height: the figure's ``layout.height`` or 560).
    fast : bool
        Skip kaleido's page reload between images (see the module notes).
    """

    def __init__(self, width: int = EXPORT_WIDTH, fast: bool = True):
        self.width = width
        self.fast = fast
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future] = []
        self._kaleido = None
        self._patched = None

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> "StaticExporter":
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kaleido")
        self._futures.append(self._pool.submit(self._start))
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._pool is not None:
                self._pool.submit(self._stop).result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def _start(self) -> list[Path]:
        _LOCK.acquire()
        try:
            import kaleido
            from kaleido import kaleido as kmod

            if self.fast and hasattr(kmod.Kaleido, "_return_kaleido_tab"):
                original = kmod.Kaleido._return_kaleido_tab

                async def _return_without_reload(k, tab):
                    await k.tabs_ready.put(tab)

                kmod.Kaleido._return_kaleido_tab = _return_without_reload
                self._patched = (kmod.Kaleido, original)
            kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
            self._kaleido = kaleido
        except Exception:
            self._kaleido = None  # fall back to plotly's batch API in _render
        return []

    def _stop(self) -> None:
        try:
            if self._kaleido is not None:
                self._kaleido.stop_sync_server(silence_warnings=True)
        finally:
            if self._patched is not None:
                cls, original = self._patched
                cls._return_kaleido_tab = original
                self._patched = None
            self._kaleido = None
            if _LOCK.locked():
                _LOCK.release()

    # -- work ----------------------------------------------------------------------------
    def _render(self, figures: Sequence, paths: Sequence[Path]) -> list[Path]:
        tmps = [_tmp(p) for p in paths]
        for p in paths:
            p.parent.mkdir(parents=True, exist_ok=True)
        heights = [int(f.layout.height or 560) for f in figures]
        try:
            if self._kaleido is not None:
                specs = [{"fig": f.to_dict(), "path": t,
                          "opts": {"format": p.suffix.lstrip("."), "width": self.width,
                                   "height": h}}
                         for f, t, p, h in zip(figures, tmps, paths, heights)]
                self._kaleido.write_fig_from_object_sync(specs)
            else:
                import plotly.io as pio

                pio.write_images(list(figures), tmps, width=self.width, height=heights)
            missing = [t for t in tmps if not t.exists() or t.stat().st_size == 0]
            if missing:
                raise RuntimeError(f"kaleido wrote no image for {missing[0]}")
            for t, p in zip(tmps, paths):
                os.replace(t, p)
        finally:
            for t in tmps:
                if t.exists():
                    t.unlink()
        return list(paths)

    def submit(self, figures: Sequence, paths: Sequence[Path]) -> Future:
        """Queue figures (one path each; the suffix gives the format)."""
        if self._pool is None:
            raise RuntimeError("use StaticExporter as a context manager")
        fut = self._pool.submit(self._render, list(figures), [Path(p) for p in paths])
        self._futures.append(fut)
        return fut

    def wait(self) -> list[Path]:
        """Block until every queued image is written; re-raises the first failure."""
        out: list[Path] = []
        for f in self._futures:
            out += f.result()
        self._futures = []
        return out


def export_static(figures: Sequence, paths: Sequence[Path], width: int = EXPORT_WIDTH) -> None:
    """Write figures as static images (blocking), one Chromium for all of them."""
    if not figures:
        return
    with StaticExporter(width=width) as ex:
        ex.submit(figures, paths)
        ex.wait()
