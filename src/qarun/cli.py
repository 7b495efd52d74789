"""The `qarun` command: the action's program for any CI system and a developer's terminal.

Every input of action.yml is an option of the same name with its description and default
(`--timeout`), or a `QARUN_<NAME>` environment variable; the option wins. The API key comes
only from `QARUN_API_KEY`: on a command line it would show in the process list and the shell
history. The command hands qarun the same inputs the runner would (`INPUT_<NAME>`), so the
settings, validation and messages are the action's own, naming options instead of inputs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

from qarun import __version__, manifest
from qarun.errors import KEY_VARIABLE, SECRET_VARIABLES, TOKEN_VARIABLES, command_variable
from qarun.inputs import COMMAND, COMMAND_LINE, FALSE_WORDS, INTERFACE, env_name
from qarun.report.outputs import DOTENV_FILE
from qarun.startup import keep_signals

NOT_OPTIONS = frozenset(SECRET_VARIABLES)
# The Markdown summary's file, as `--dotenv-file`'s is DOTENV_FILE: the option's variable.
SUMMARY_FILE = "QARUN_SUMMARY_FILE"
# --help reads in one pass: each option in the group a user looks for it in, in this order.
HELP_GROUPS: dict[str, tuple[str, ...]] = {
    "what to run": (
        "provider",
        "api-url",
        "suite",
        "test-case",
        "project",
        "app",
        "tags",
        "exclude-tags",
        "devices",
        "browser",
        "environment",
        "environment-name",
        "context",
        "payload",
        "attach-context",
        "rerun-failed",
        "dry-run",
    ),
    "waiting": ("wait-for-url", "wait", "timeout", "poll-interval"),
    "results": (
        "fail-on",
        "summary",
        "report-file",
        "junit-file",
        "output-filter",
        "summary-file",
        "dotenv-file",
    ),
    "GitHub": ("commit-status", "pr-comment"),
}
# Inputs that take several values, one per line or after commas: a repeated option adds its
# value (`--devices desktop --devices mobile`). Any other option given twice is refused: the
# last value winning would silently drop the first.
SEVERAL = frozenset({"suite", "test-case", "app", "tags", "exclude-tags", "devices", "fail-on"})
# An input action.yml gains before it is placed above still shows, here.
UNGROUPED = "more options"
# argparse's "ignored explicit argument 'VALUE'": cut after the words, whatever the quotes.
_EXPLICIT = re.compile(r"(explicit argument).*", re.DOTALL)
# The command's options that are no input of the action's.
EXTRA_OPTIONS = ("--summary-file", "--dotenv-file", "--help", "--version")
# --help's words around the options, whose own words are action.yml's.
DESCRIPTION = (
    "Run a hosted QA test suite (Panto AI, QA.tech, Qualigate), wait for it and exit "
    "with its verdict. Every option can also be given as QARUN_<NAME> (e.g. "
    "QARUN_FAIL_ON); the option wins. Where an option takes several values, give them "
    "after commas, one per line, or by repeating the option (--devices desktop --devices "
    "mobile). The descriptions are the GitHub Action's: its "
    "input `name` is the option --name here, the workspace is the current directory, "
    "the job summary is the text printed at the end (and --summary-file), and the "
    "outputs go to --dotenv-file."
)
EPILOG = (
    f"The API key is read only from {KEY_VARIABLE}: on the command line it would show "
    "in the process list and the shell history. The GitHub token for "
    "--commit-status and --pr-comment is read the same way, from "
    f"{' or '.join(TOKEN_VARIABLES)}. Exit "
    "codes: 0 passed, 1 tests failed (see --fail-on), 2 bad input, 3 the platform "
    "could not be used."
)


class CommandLineError(Exception):
    """What is wrong with the command line, as one sentence: bad input, refused with the
    results written like any other (`run`)."""


class _Parser(argparse.ArgumentParser):
    """argparse, raising its errors instead of exiting (the results are still written), minus
    the values it quotes in them (`--help=VALUE`: "ignored explicit argument 'VALUE'", in
    either quotes): a value given by mistake may be a secret."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(_EXPLICIT.sub(r"\1", message).rstrip(".") + ".")


def build_parser(inputs: Mapping[str, manifest.Input]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="qarun",
        allow_abbrev=False,  # `--suit` is a typo, not `--suite`
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"qarun {__version__}")
    groups = {title: parser.add_argument_group(title) for title in HELP_GROUPS}
    home = {name: title for title, names in HELP_GROUPS.items() for name in names}

    def group_of(name: str) -> argparse._ArgumentGroup:
        title = home.get(name, UNGROUPED)
        if title not in groups:
            groups[title] = parser.add_argument_group(title)
        return groups[title]

    for name, given in inputs.items():
        if name in NOT_OPTIONS:
            continue
        switch = given.default in ("true", "false")
        group_of(name).add_argument(
            f"--{name}",
            # A true/false input is also a bare switch: `--dry-run` means `--dry-run true`.
            nargs="?" if switch else None,
            const="true" if switch else None,
            action="append",  # every time it is given: see SEVERAL
            metavar="VALUE",
            help=_help(given),
        )
    group_of("summary-file").add_argument(
        "--summary-file", action="append", metavar="PATH", help="Write the Markdown summary here."
    )
    group_of("dotenv-file").add_argument(
        "--dotenv-file",
        action="append",
        metavar="PATH",
        help="Write the outputs here as QARUN_STATUS=... lines (GitLab's dotenv report).",
    )
    return parser


def _help(given: manifest.Input) -> str:
    """An option's help: action.yml's description, and whether it is required or its default."""
    said = given.description.replace("%", "%%")
    if given.required:
        return said + " (required)"
    return said + (f" (default: {given.default})" if given.default else "")


def action_env(
    args: argparse.Namespace,
    inputs: Mapping[str, manifest.Input],
    env: Mapping[str, str],
    problems: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """The environment qarun runs with: INPUT_<NAME> from the options and QARUN_ variables,
    and what is wrong with the command line (`problems`: input, sentence)."""
    given = dict(env)
    for name in inputs:
        if name in NOT_OPTIONS:
            continue
        # An option given empty says nothing: its variable, or the default, holds
        # (`--dry-run "$EMPTY"` with QARUN_DRY_RUN=true is still a dry run).
        values = [v for v in getattr(args, name.replace("-", "_")) or () if v.strip()]
        if not values:
            value = env.get(command_variable(name))
        else:  # given twice, one that takes one value is refused (`given_twice`)
            value = "\n".join(values) if name in SEVERAL else values[-1]
        if value is not None:
            given[env_name(name)] = value
    given[env_name("api-key")] = env.get(KEY_VARIABLE, "")
    given[env_name("github-token")] = next(
        (env[name] for name in TOKEN_VARIABLES if env.get(name)), ""
    )
    given[INTERFACE] = COMMAND
    repeated = [(name, "is given more than once; give it once.") for name in given_twice(args)]
    given[COMMAND_LINE] = json.dumps([*problems, *repeated])
    given.setdefault("GITHUB_WORKSPACE", os.getcwd())
    for where, path in (
        ("GITHUB_STEP_SUMMARY", summary_file_of(args, env)),
        (DOTENV_FILE, _file_of(args.dotenv_file, env, DOTENV_FILE)),
    ):
        if path:
            given[where] = os.path.abspath(path)
    return given


def summary_file_of(args: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    return _file_of(args.summary_file, env, SUMMARY_FILE)


def _file_of(given: list[str] | None, env: Mapping[str, str], variable: str) -> str | None:
    """One of the command's own file options (the last given: more than one is refused), else
    its variable, as every option has one."""
    return given[-1] if given else env.get(variable)


def program(argv: Sequence[str], early_signals: Sequence[int] = ()) -> int:
    """The one program behind every door. With no arguments inside GitHub Actions it is the
    action (the runner passes the inputs as INPUT_<NAME>); with arguments, or anywhere
    else, it is the command."""
    if argv or os.environ.get("GITHUB_ACTIONS") != "true":
        return run(argv, early_signals)
    from qarun.main import main

    return main(early_signals=early_signals)


def run(argv: Sequence[str] | None = None, early_signals: Sequence[int] = ()) -> int:
    """The command: its options read, then qarun run as the action is. A command line that
    cannot be read is bad input like any other (exit 2): nothing is sent, and the outputs,
    summary and report are still written, where the options read so far (or their variables)
    say."""
    inputs = manifest.inputs()
    parser = build_parser(inputs)
    given = list(sys.argv[1:] if argv is None else argv)
    secret = secret_option(given)
    problems = [("", secret)] if secret else []
    given, without = without_values(given, parser)
    problems += [(name, f"is given with no value; write `--{name} VALUE`.") for name in without]
    try:
        args, unknown = parser.parse_known_args(given)
    except CommandLineError as error:
        # argparse stops at the mistake: the options are not read, their variables are.
        problems.append(("", str(error)))
        args, unknown = parser.parse_args([]), []
    if unknown and not secret:  # with a secret's option, the unknown words hold the secret
        problems.append(("", unknown_arguments(unknown)))
    env = action_env(args, inputs, os.environ, [*problems, *summary_conflict(args)])
    from qarun.main import main

    return main(env, early_signals=early_signals)


def summary_conflict(args: argparse.Namespace) -> list[tuple[str, str]]:
    """A Markdown summary's file asked for with the summary turned off: refused, rather than
    one of the two silently dropped (`--summary false` alone wins over a QARUN_SUMMARY_FILE,
    as an option wins over any variable)."""
    option = next((value for value in reversed(args.summary or []) if value.strip()), "")
    said = option or os.environ.get(command_variable("summary"), "")
    if said.strip().lower() not in FALSE_WORDS or not summary_file_of(args, os.environ):
        return []
    if option and not args.summary_file:
        return []
    return [
        (
            "summary-file",
            "asks for the Markdown summary that `--summary false` (or `QARUN_SUMMARY`) turns "
            "off; keep one of them.",
        )
    ]


def given_twice(args: argparse.Namespace) -> list[str]:
    """The options given more than once that take one value (`--timeout 5m --timeout 10m`):
    refused as bad input (`inputs.REPEATED`), with the results written as for any other."""
    return [
        option
        for name, values in vars(args).items()
        if (option := name.replace("_", "-")) not in SEVERAL
        and values is not None
        and len(values) > 1
    ]


def without_values(
    argv: Sequence[str], parser: argparse.ArgumentParser
) -> tuple[list[str], list[str]]:
    """`argv` less the options that take a value and are given none (the last word, or one
    followed by another option), and their names: argparse would stop at the first, and the
    options after it would go unread."""
    takes_value = {
        option
        for action in parser._actions
        if action.nargs is None
        for option in action.option_strings
    }
    kept: list[str] = []
    missing: list[str] = []
    for arg, after in zip(argv, [*argv[1:], None], strict=True):
        if arg in takes_value and (after is None or _is_option(after)):
            missing.append(arg.removeprefix("--"))
        else:
            kept.append(arg)
    return kept, missing


def _is_option(arg: str) -> bool:
    """argparse's reading: a word after an option is its value unless it starts with a dash
    (a negative number aside)."""
    return arg.startswith("-") and not re.fullmatch(r"-\d+(\.\d*)?|-\.\d+", arg)


def secret_option(argv: Sequence[str]) -> str | None:
    """`--api-key` or `--github-token` on the command line: refused, naming the variable to
    set, and never echoed back (argparse would, as an unknown argument)."""
    for arg in argv:
        # `--api-key=K`, `--api_key K`, `--apikeyK` (a missing space): all the key's option.
        squashed = re.sub(r"[-_]", "", arg.lower())
        for name, variable in SECRET_VARIABLES.items():
            if arg.startswith("-") and squashed.startswith(name.replace("-", "")):
                return (
                    f"option `--{name}`: secrets are never read from the command line (shell "
                    f"history, process lists and CI logs keep it); set {variable} instead."
                )
    return None


def unknown_arguments(unknown: Sequence[str]) -> str:
    """What argparse would say of arguments it does not know, but naming only the options:
    a value (a mistyped `--api_key SECRET`) is never repeated into a CI log."""
    # Only a near miss of a real option is named (`--suit`, with what was meant): anything
    # else (`-kSECRET`, `--api_key -SECRET`, `--SECRET`) may be a value, and is not repeated.
    options = [arg.split("=", 1)[0] for arg in unknown if arg.startswith("-")]
    meant = _near(list(dict.fromkeys(name for name in options if name.startswith("--"))))
    # The typed name is not repeated either: it may hold a value glued to a real option.
    named = [f"did you mean `{real}`?" for real in dict.fromkeys(meant.values())]
    parts = [f"unknown option(s) ({' '.join(named)})"] if named else []
    others = sum(1 for name in options if name not in meant)
    if others:
        parts.append(f"{others} {'other ' if named else ''}unknown option(s)")
    # A word after an unknown option is its value; any other belongs to no option: most
    # likely a value with a space in it (`--timeout 5 minutes`).
    stray = sum(
        1
        for before, arg in zip(["", *unknown], unknown, strict=False)
        if not arg.startswith("-") and not (before.startswith("-") and "=" not in before)
    )
    if stray:
        parts.append(f"{stray} argument(s) of no option (a value with spaces needs quotes)")
    return (
        f"{' and '.join(parts)}; values are not repeated, one might be a secret. Every option "
        "is `--name value` or `--name=value`, and `qarun --help` lists them."
    )


def _near(typed: list[str]) -> dict[str, str]:
    """The real option each of `typed` most likely misspells (`--suit`: `--suite`), where one
    is close; never the secrets' options, which the command refuses."""
    import difflib  # only on a command line with a mistake in it

    inputs = [f"--{name}" for name in manifest.inputs() if name not in SECRET_VARIABLES]
    known = inputs + list(EXTRA_OPTIONS)
    close = {name: difflib.get_close_matches(name, known, n=1, cutoff=0.8) for name in typed}
    return {name: found[0] for name, found in close.items() if found}


def console_script() -> int:
    """The `qarun` entry point `pip install` makes: the same program as `python -m qarun`."""
    return program(sys.argv[1:], keep_signals())
