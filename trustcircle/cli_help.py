"""``trustcircle help [COMMAND ...]`` (and ``./run help``): the wrapper's commands, read from the
``./run`` script's own header, beside the command line's, and any subcommand's argparse help."""

from __future__ import annotations

import argparse
import re

from trustcircle.errors import TrustcircleError
from trustcircle.settings import REPO_ROOT

WRAPPER = REPO_ROOT / "run"
WRAPPER_LINE = re.compile(r"^#   (\./run ([a-z][a-z-]*)\b.*)$", re.M)
WRAPPER_CASE = re.compile(r"^  ([a-z][a-z|-]*)\)", re.M)


class UnknownCommand(TrustcircleError):
    exit_code = 2


def _wrapper_text() -> str:
    return WRAPPER.read_text(encoding="utf-8") if WRAPPER.is_file() else ""


def wrapper_commands() -> list[str]:
    """The commands ``./run`` handles itself (the rest go to the trustcircle command line)."""
    names = [name for case in WRAPPER_CASE.findall(_wrapper_text()) for name in case.split("|")]
    return [n for n in names if not n.startswith("-")]


def wrapper_lines() -> dict[str, str]:
    """Each wrapper command's line of the ``./run`` header, by command."""
    return {name: line for line, name in WRAPPER_LINE.findall(_wrapper_text())}


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def help_text(parser: argparse.ArgumentParser, words: list[str]) -> str:
    """The help of ``trustcircle WORDS...`` (every command when there are none)."""
    if not words:
        wrapper = "\n".join(f"  {line}" for line in wrapper_lines().values())
        return (f"./run's own commands:\n{wrapper}\n\nthe trustcircle command line (also reached as ./run COMMAND; "
                f"./run help COMMAND shows its options):\n\n{parser.format_help()}")
    found, path = parser, list[str]()
    for word in words:
        subs = subcommands(found)
        if word not in subs:
            line = wrapper_lines().get(word) if not path else None
            if line is not None:
                return line + "\n"
            known = ", ".join(dict.fromkeys([*subs, *(wrapper_commands() if not path else [])]))
            raise UnknownCommand(f"no command {' '.join([*path, word])!r}", f"one of: {known}")
        found, path = subs[word], [*path, word]
    return found.format_help()
