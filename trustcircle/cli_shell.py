"""What the command line does for the shell around it: ``--version``, ``help``, ``completion``,
failures said in the words of the command that failed, and a quiet end on a closed pipe."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from trustcircle.errors import TrustcircleError

BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader went away
Parser = Callable[[], argparse.ArgumentParser]


class Version(argparse.Action):
    """``--version``: print it and exit (before any subcommand is required)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from trustcircle.version import describe

        print(describe())
        parser.exit()


def add_shell_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], build: Parser) -> None:
    """``help [COMMAND ...]`` and ``completion bash``, both read from the parser ``build`` makes."""

    def show_help(args: argparse.Namespace) -> int:
        from trustcircle.cli_help import help_text

        print(help_text(build(), args.words), end="")
        return 0

    def completion(args: argparse.Namespace) -> int:
        from trustcircle.completion import bash

        print(bash(build()), end="")
        return 0

    helper = sub.add_parser("help", help="the help of every command, or of one: help validate, help local status")
    helper.add_argument("words", nargs="*", metavar="COMMAND", help="a command (and its subcommand)")
    helper.set_defaults(func=show_help)
    comp = sub.add_parser("completion", help="print a shell completion script: source <(./run completion bash)")
    comp.add_argument("shell", choices=["bash"])
    comp.set_defaults(func=completion)


def failure(err: TrustcircleError, args: argparse.Namespace) -> str:
    """The error as the user reads it: only a command that could have applied says nothing was."""
    from trustcircle.model.issues import ValidationFailed

    return err.render(applying=args.applies) if isinstance(err, ValidationFailed) else err.render()


def quietly(run: Callable[[], int]) -> int:
    """``run()``; when the reader of stdout has gone, the rest of the output goes nowhere and the exit
    code is 141, as if by SIGPIPE, without a traceback."""
    try:
        try:
            return run()
        finally:
            sys.stdout.flush()  # what is still buffered fails here, not at exit where it cannot be caught
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
