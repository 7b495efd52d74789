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
import sys
from collections.abc import Mapping, Sequence

from qarun import __version__, manifest
from qarun.command_line import Parser, read
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


def build_parser(inputs: Mapping[str, manifest.Input]) -> argparse.ArgumentParser:
    parser = Parser(
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
            help=_help(name, given),
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


def _help(name: str, given: manifest.Input) -> str:
    """An option's help: action.yml's description, whether it may be repeated (SEVERAL), and
    whether it is required or its default."""
    said = given.description.replace("%", "%%")
    if name in SEVERAL:
        said += " Given more than once, each adds its value."
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
    cannot be read is bad input like any other (exit 2, `command_line`): nothing is sent, and
    the outputs, summary and report are still written where its options say."""
    inputs = manifest.inputs()
    parser = build_parser(inputs)
    reading = read(parser, list(sys.argv[1:] if argv is None else argv), inputs)
    args = reading.args
    problems = [*reading.problems, *summary_conflict(args, os.environ)]
    env = action_env(args, inputs, os.environ, problems)
    from qarun.main import main

    return main(env, early_signals=early_signals)


def summary_conflict(args: argparse.Namespace, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """A Markdown summary's file asked for with the summary turned off: refused, rather than
    one of the two silently dropped (`--summary false` alone wins over a QARUN_SUMMARY_FILE,
    as an option wins over any variable)."""
    option = next((value for value in reversed(args.summary or []) if value.strip()), "")
    said = option or env.get(command_variable("summary"), "")
    if said.strip().lower() not in FALSE_WORDS or not summary_file_of(args, env):
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
    refused as bad input (`inputs.COMMAND_LINE`), with the results written as for any other."""
    return [
        option
        for name, values in vars(args).items()
        if (option := name.replace("_", "-")) not in SEVERAL
        and values is not None
        and len(values) > 1
    ]


def console_script() -> int:
    """The `qarun` entry point `pip install` makes: the same program as `python -m qarun`."""
    return program(sys.argv[1:], keep_signals())
