"""The ``policykit`` command.

Every subcommand lives in ``policykit/commands/<name>.py`` and exposes ``HELP`` (one line),
``configure(parser)`` and ``run(args) -> int``. Command modules import heavy libraries inside
``run`` so that ``policykit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import PolicykitError

#: subcommand → module, in the order ``--help`` lists them
COMMANDS = {
    "documents": "policykit.commands.documents",
    "sentences": "policykit.commands.sentences",
    "segeval": "policykit.commands.segeval",
    "extract": "policykit.commands.extract",
    "evaluate": "policykit.commands.evaluate",
    "train": "policykit.commands.train",
    "topics": "policykit.commands.topics",
    "report": "policykit.commands.report",
    "notebook": "policykit.commands.notebook",
}

DESCRIPTION = """\
policykit: comparative analysis of AI-governance texts.

With no PATHS, commands work on the bundled report (WFEO-CEIT 2023, 32 documents).
PATHS may be files (.txt, .md, .html, .pdf, .docx), folders, an AGORA-style folder
(fulltext/<id>.txt + documents.csv) or a folder with an index.csv of governance texts.
Outputs go to stdout or --out; `report` and `topics` write a folder (default reports/).
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(prog="policykit", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"policykit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, modname in COMMANDS.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:  # a command not shipped in this build
            if exc.name != modname:
                raise
            continue
        p = sub.add_parser(name, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``policykit`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except PolicykitError as exc:
        print(f"policykit {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. piping into `head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
