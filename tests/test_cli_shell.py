"""The command line as a shell user meets it: help for every command through ./run, --version,
bash completion, argparse errors instead of tracebacks, a closed pipe, and what failures say."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from trustcircle.cli import build_parser, main
from trustcircle.cli_args import iso_date
from trustcircle.cli_help import subcommands, wrapper_commands
from trustcircle.cli_shell import BROKEN_PIPE
from trustcircle.settings import REPO_ROOT

RUN = str(REPO_ROOT / "run")
DATE_DESTS = {"on", "since", "until", "after", "before", "start", "end", "day", "date"}


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                                                         argparse.ArgumentParser]]:
    for name, sub in subcommands(parser).items():
        yield (*path, name), sub
        yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(build_parser()))


def _shell(command: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_run_help_lists_the_wrappers_commands_and_the_command_lines() -> None:
    done = _shell(f"{RUN} help")
    assert done.returncode == 0, done.stderr
    for wrapper in ("./run up ", "./run test ", "./run pytest "):
        assert wrapper in done.stdout
    for command in (c[0] for c in COMMANDS if len(c) == 1 and c[0] != "help"):
        assert re.search(rf"^    {command}\b", done.stdout, re.M), command


@pytest.mark.parametrize("words", sorted(COMMANDS), ids=" ".join)
def test_help_reaches_every_subcommand(words: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", *words]) == 0
    assert capsys.readouterr().out == COMMANDS[words].format_help()


def test_run_help_command_and_run_dash_dash_help_command_are_argparse_help() -> None:
    for command in (f"{RUN} help validate", f"{RUN} --help validate", f"{RUN} help local status"):
        done = _shell(command)
        assert done.returncode == 0 and done.stdout.startswith("usage: trustcircle "), (command, done.stderr)


def test_help_of_a_wrapper_command_is_its_line_and_of_an_unknown_one_an_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "up"]) == 0
    assert capsys.readouterr().out.startswith("./run up ")
    assert main(["help", "nothing"]) == 2
    assert "no command 'nothing'" in capsys.readouterr().err


def test_version_names_the_package_and_the_checkout() -> None:
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    for command in (f"{RUN} --version", f"{sys.executable} -m trustcircle --version"):
        done = _shell(command)
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(rf"trustcircle {re.escape(version)} \(git [0-9a-z.-]+; Keycloak [0-9.]+, "
                            r"Pulumi [0-9.]+\)\n", done.stdout), done.stdout


@pytest.fixture(scope="module")
def completion(tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = tmp_path_factory.mktemp("completion") / "trustcircle.bash"
    done = subprocess.run([sys.executable, "-m", "trustcircle", "completion", "bash"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    script.write_text(done.stdout)
    return script


def _complete(script: Path, *words: str) -> list[str]:
    quoted = " ".join(f"'{w}'" for w in words)
    done = _shell(f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _trustcircle_complete; "
                  'printf "%s\\n" "${COMPREPLY[@]}"')
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


def test_the_completion_script_is_valid_bash(completion: Path) -> None:
    done = subprocess.run(["bash", "-n", str(completion)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert "complete -o default -F _trustcircle_complete trustcircle ./run run" in completion.read_text()


@pytest.mark.parametrize(("words", "expected"), [
    (("./run", "loc"), ["local"]),
    (("./run", "local", "st"), ["status"]),
    (("./run", "validate", "--format", "g"), ["github"]),
    (("trustcircle", "diff", "--fo"), ["--format"]),
    (("./run", "help", "vali"), ["validate"]),
    (("./run", "bench-p"), ["bench-provision"]),
])
def test_completion_completes_commands_options_and_choices(completion: Path, words: tuple[str, ...],
                                                           expected: list[str]) -> None:
    assert _complete(completion, *words) == expected


def test_completion_offers_every_command(completion: Path) -> None:
    offered = _complete(completion, "./run", "")
    assert {*(c[0] for c in COMMANDS), *wrapper_commands()} <= set(offered)
    for words in (w for w in COMMANDS if len(w) == 2):
        assert words[1] in _complete(completion, "./run", *words)


def _date_arguments() -> Iterator[tuple[tuple[str, ...], argparse.Action]]:
    for words, parser in COMMANDS.items():
        for action in parser._actions:
            if action.option_strings and (action.dest in DATE_DESTS or "YYYY" in (action.help or "")):
                yield words, action


def test_every_date_argument_is_checked_by_argparse() -> None:
    found = list(_date_arguments())
    assert found, "no command takes a date any more: this test has nothing to check"
    assert [(w, a.dest) for w, a in found if a.type is not iso_date] == []


@pytest.mark.parametrize("bad", ["22/11/2026", "2026-13-01", "20261122", "tomorrow"])
def test_a_date_in_another_format_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    for words, action in _date_arguments():
        with pytest.raises(SystemExit) as done:
            main([*words, action.option_strings[-1], bad])
        err = capsys.readouterr().err
        assert (done.value.code, "Traceback" in err) == (2, False), (words, err)
        assert f"{bad!r} is not a date written YYYY-MM-DD" in err


@pytest.mark.parametrize("args", [["validate", "realms"], ["review", "realms"], ["compile"], ["diff", "HEAD"],
                                  ["help"], ["--version"], ["completion", "bash"]], ids=" ".join)
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte: every write fails
    try:
        done = subprocess.run([sys.executable, "-m", "trustcircle", *args], cwd=REPO_ROOT, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (BROKEN_PIPE, "")


def test_head_sees_no_traceback() -> None:
    done = _shell(f"{RUN} review realms | head -1; {RUN} validate realms/ | head -1")
    assert done.stderr == "" and done.stdout.startswith("# Access matrix")


@pytest.fixture
def broken(realms_copy: Path) -> Path:
    path = realms_copy / "conventions/cnaf-cd33.yaml"
    path.write_text(path.read_text().replace("provider: cnaf", "provider: cpam"))
    return realms_copy


@pytest.mark.parametrize("args", [["validate"], ["compile"], ["review"], ["policy", "report"]], ids=" ".join)
def test_read_only_commands_do_not_say_nothing_was_applied(broken: Path, args: list[str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, str(broken)]) == 1
    err = capsys.readouterr().err
    assert "unknown provider 'cpam'" in err and "problem(s) found." in err and "nothing was applied" not in err


def test_apply_says_nothing_was_applied(broken: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"url": "https://127.0.0.1:9", "ca_bundle": "/nonexistent"}'))
    assert main(["apply", "--realms", str(broken), "--target", "-", "--check"]) == 1
    assert "problem(s) found; nothing was applied." in capsys.readouterr().err


def test_only_commands_that_change_something_say_nothing_was_applied() -> None:
    applying = {words for words, parser in COMMANDS.items() if parser.get_default("applies")}
    assert applying == {("apply",), ("consistency", "sync"), ("consistency", "rollback")}
