"""Output folders that are replaced whole, or not at all.

``policykit report``, ``policykit topics`` and ``policykit notebook`` write folders. A rerun into
the same folder must not leave the previous run's files beside the new ones (``region-*`` next to
``sector-*``, a stale ``stances.png`` after ``--no-static``), and must never overwrite a folder
that is not policykit's. The rule:

* an output folder may be written when it does not exist, is empty, or is recognisably a
  policykit output of the same kind: it has a marker file :data:`MARKER` (``.policykit.json``,
  written with every output) naming that kind, or (outputs written before the marker existed)
  the files such an output always has;
* a folder whose entries are all policykit outputs of other kinds (``reports/`` holding only
  ``topics/`` and ``notebooks/``) may be written too;
* any other non-empty folder is refused with an :class:`~policykit.errors.InputError` *before*
  the expensive work starts (:func:`check_output_dir`).

Writing happens in a sibling staging folder (``.<name>.policykit-new-*``); on success the
entries the previous output did not own (e.g. ``reports/topics/`` inside ``reports/``) are moved
into it, the old folder is renamed away, the new one renamed into place and the old one deleted
(:func:`staged_output`). A failed run leaves the previous output untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from policykit.errors import InputError

MARKER = ".policykit.json"
#: Top-level entries each kind of output owns (everything else in its folder is carried over).
OWNED = {
    "report": ("index.html", "explorer.html", "figures", "tables", "summary.json", MARKER),
    "topics": ("tables", "figures", "summary.json", "model", MARKER),
    "notebooks": (MARKER,),
}


def output_kind(folder: str | Path) -> str | None:
    """The kind of policykit output a folder holds (``report``, ``topics``, ``notebooks``), or None.

    Read from the marker file; outputs written before markers existed are recognised by their
    files (a report's ``index.html`` + ``summary.json`` with its ``sections``; a topic output's
    ``summary.json`` with its ``fingerprint``).
    """
    folder = Path(folder)
    marker = folder / MARKER
    if marker.is_file():
        try:
            return str(json.loads(marker.read_text(encoding="utf-8")).get("kind")) or None
        except (OSError, ValueError, AttributeError):
            return None
    summary = folder / "summary.json"
    if summary.is_file():
        try:
            s = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(s, dict):
            if "sections" in s and (folder / "index.html").is_file():
                return "report"
            if "fingerprint" in s and "unit" in s:
                return "topics"
    return None


def _is_policykit_output(entry: Path) -> bool:
    return entry.is_dir() and output_kind(entry) is not None


def check_output_dir(out: str | Path, kind: str) -> Path:
    """Check that ``out`` may receive an output of ``kind``; return it as an absolute path.

    Call this before any expensive work, so that a refusal costs nothing.

    Raises
    ------
    InputError
        ``out`` is a file, contains the current directory, or is a non-empty folder that is not
        a policykit output of this kind.
    """
    if kind not in OWNED:
        raise ValueError(f"unknown output kind {kind!r}")
    out = Path(out).expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise InputError(out, "the output path exists and is not a folder", "choose a folder name")
    try:
        here = Path.cwd().resolve()
    except OSError:
        here = None
    if out.exists() and here is not None and here.is_relative_to(out.resolve()):
        raise InputError(out, f"cannot replace the folder you are working in with a {kind}",
                         "give a subfolder, e.g. --out report")
    if not out.is_dir():
        return out
    entries = [e for e in out.iterdir() if e.name != MARKER]
    if not entries:
        return out
    found = output_kind(out)
    if found == kind:
        return out
    if found is None and all(_is_policykit_output(e) for e in entries):
        return out
    what = f"a policykit {found} output" if found else "not a policykit output (no .policykit.json)"
    raise InputError(out, f"the folder is not empty and is {what}, so a {kind} is not written "
                          "into it (its files would mix with the ones already there)",
                     "choose a new or empty folder, or remove this one first")


def _marker(kind: str, extra: dict | None = None) -> str:
    from policykit import __version__

    return json.dumps({"kind": kind, "written_by": f"policykit {__version__}", **(extra or {})},
                      indent=1)


@contextlib.contextmanager
def staged_output(out: str | Path, kind: str, marker: dict | None = None) -> Iterator[Path]:
    """Yield a fresh staging folder for an output of ``kind``; on success it replaces ``out``.

    Entries of the previous ``out`` that ``kind`` does not own (see :data:`OWNED`) are carried
    over. On an exception the staging folder is deleted and ``out`` is left as it was.
    """
    out = check_output_dir(out, kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.policykit-new-"))
    try:
        yield stage
        (stage / MARKER).write_text(_marker(kind, marker), encoding="utf-8")
        if out.exists():
            check_output_dir(out, kind)  # still ours (nothing appeared meanwhile)
            for entry in out.iterdir():
                if entry.name not in OWNED[kind] and not (stage / entry.name).exists():
                    os.replace(entry, stage / entry.name)
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.policykit-old-"))
            os.replace(out, old / out.name)
            os.replace(stage, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, out)
        os.chmod(out, 0o755)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def mark_folder(folder: str | Path, kind: str) -> None:
    """Write the marker of ``kind`` into ``folder`` if it has none (e.g. ``reports/notebooks``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / MARKER).exists():
        (folder / MARKER).write_text(_marker(kind), encoding="utf-8")
