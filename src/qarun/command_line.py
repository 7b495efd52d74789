"""Reading the `qarun` command's words: what argparse makes of them, and every mistake in them
as bad input, never a value repeated.

The contract writes the outputs, the summary and the report whatever the exit code, so a
mistake does not stop the reading: a secret's option and an option with no value are taken
out and named, a word argparse cannot read at all (`-help`) is left out and the rest read
again, and unknown words are counted. `qarun.cli` hands the problems to qarun as bad input
(`inputs.COMMAND_LINE`): exit 2, nothing sent, the results written where the options say.

A value typed by mistake may be a secret (`--api_key K`, `--apikeyK`): no message repeats a
word that is not a real option's name.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from qarun import manifest
from qarun.errors import SECRET_VARIABLES

# argparse's "ignored explicit argument 'VALUE'": cut after the words, whatever the quotes.
_EXPLICIT = re.compile(r"(explicit argument).*", re.DOTALL)
# argparse's own test for a word that starts with a dash but is a value: a negative number.
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")
# After this word argparse reads every word as a value, none as an option.
_END_OF_OPTIONS = "--"


class CommandLineError(Exception):
    """argparse's own complaint about a word it cannot read."""


class Parser(argparse.ArgumentParser):
    """argparse, raising its errors instead of exiting (the reading goes on), minus the values
    it quotes in them (`--help=VALUE`: "ignored explicit argument 'VALUE'", in either
    quotes)."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(_EXPLICIT.sub(r"\1", message).rstrip(".") + ".")


@dataclass
class Reading:
    """The options argparse read, and what is wrong with the command line: (input, sentence),
    "" where the sentence names no one input."""

    args: argparse.Namespace
    problems: list[tuple[str, str]]


def read(
    parser: argparse.ArgumentParser, words: Sequence[str], inputs: Mapping[str, manifest.Input]
) -> Reading:
    """Every option the words give, and every mistake in them at once."""
    kept, secret = without_secrets(words)
    kept, missing = without_values(kept, parser, inputs)
    args, unknown, unread = _parsed(parser, kept)
    problems = [("", secret)] if secret else []
    problems += missing + [("", sentence) for sentence in unread]
    if unknown:
        problems.append(("", unknown_arguments(unknown, parser)))
    return Reading(args, list(dict.fromkeys(problems)))


def without_secrets(words: Sequence[str]) -> tuple[list[str], str | None]:
    """`words` less `--api-key` or `--github-token` and its value, however written (refused,
    naming the variable to set), and the sentence that refuses it."""
    kept: list[str] = []
    said = None
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        name = _secret_named(word)
        if name is None:
            kept.append(word)
            continue
        said = said or (
            f"option `--{name}`: secrets are never read from the command line (shell history, "
            f"process lists and CI logs keep it); set {SECRET_VARIABLES[name]} instead."
        )
        # `--api-key K`: the next word is the key (`--api-key=K`, `--apikeyK`: this one is).
        after = words[index + 1] if index + 1 < len(words) else None
        skip = _squashed(word) == _squashed(name) and after is not None and not _is_option(after)
    return kept, said


def _secret_named(word: str) -> str | None:
    """The secret whose option `word` is: `--api-key=K`, `--api_key`, `--apikeyK` (a missing
    space) all name the key."""
    if not word.startswith("-"):
        return None
    return next(
        (name for name in SECRET_VARIABLES if _squashed(word).startswith(_squashed(name))), None
    )


def _squashed(word: str) -> str:
    return re.sub(r"[-_]", "", word.lower())


def without_values(
    words: Sequence[str], parser: argparse.ArgumentParser, inputs: Mapping[str, manifest.Input]
) -> tuple[list[str], list[tuple[str, str]]]:
    """`words` less the options that take a value and are given none (the last word, or one
    followed by another option, as argparse reads it), and a problem for each: argparse would
    stop at the first, and the options after it would go unread."""
    takes_value = set(_long_options(parser, taking_a_value=True))
    kept: list[str] = []
    missing: list[tuple[str, str]] = []
    for index, word in enumerate(words):
        if word == _END_OF_OPTIONS:
            return kept + list(words[index:]), missing
        after = words[index + 1] if index + 1 < len(words) else None
        if word not in takes_value or (after is not None and not _is_option(after)):
            kept.append(word)
            continue
        name = word.removeprefix("--")
        given = inputs.get(name)
        fallback = "PATH" if name.endswith("-file") else "VALUE"
        example = given.default if given is not None and given.default else fallback
        missing.append(
            (
                name,
                f"is given with no value; write e.g. `{word} {example}` (or "
                f"`{word}={fallback}` for a value that starts with a dash).",
            )
        )
    return kept, missing


def _is_option(word: str) -> bool:
    """As argparse reads a word: an option if it starts with a dash, unless it is a lone dash
    (standard input), a negative number or holds a space."""
    return (
        word.startswith("-")
        and word != "-"
        and not _NEGATIVE_NUMBER.match(word)
        and " " not in word
    )


def _parsed(
    parser: argparse.ArgumentParser, words: list[str]
) -> tuple[argparse.Namespace, list[str], list[str]]:
    """argparse's reading of `words`: the options, the words it does not know, and its
    complaints about words it cannot read at all (`-help`, `--version=x`). Each such word is
    left out and the rest read again, so the options before and after it still count; where
    no one word is to blame, no option is read (their variables are)."""
    complaints: list[str] = []
    while True:
        try:
            args, unknown = parser.parse_known_args(words)
            return args, unknown, complaints
        except CommandLineError as error:
            complaints.append(f"{error} `qarun --help` lists every option and its form.")
            words = _without_blame(parser, words, str(error))
            if not words:
                return parser.parse_args([]), [], complaints


def _without_blame(parser: argparse.ArgumentParser, words: list[str], error: str) -> list[str]:
    """`words` less the word argparse says `error` of: the last of the shortest beginning of
    the line it says it of (argparse reads from the left). Nothing left: no one word is to
    blame."""
    for end in range(1, len(words) + 1):
        try:
            parser.parse_known_args(words[:end])
        except CommandLineError as same:
            if str(same) == error:
                return words[: end - 1] + words[end:]
    return []


def unknown_arguments(unknown: Sequence[str], parser: argparse.ArgumentParser) -> str:
    """What argparse would say of words it does not know, but naming only the options: a
    value (a mistyped `--api_key SECRET`) is never repeated into a CI log."""
    words = list(unknown)
    after_end: list[str] = []
    if _END_OF_OPTIONS in words:  # every word after it is a value, none an option
        cut = words.index(_END_OF_OPTIONS)
        words, after_end = words[:cut], words[cut + 1 :]
    # Only a near miss of a real option is named (`--suit`, with what was meant): anything
    # else (`-kSECRET`, `--api_key -SECRET`, `--SECRET`) may be a value, and is not repeated.
    options = [word.split("=", 1)[0] for word in words if _is_option(word)]
    meant = _near(list(dict.fromkeys(name for name in options if name.startswith("--"))), parser)
    # The typed name is not repeated either: it may hold a value glued to a real option.
    named = [f"did you mean `{real}`?" for real in dict.fromkeys(meant.values())]
    parts = [f"unknown option(s) ({' '.join(named)})"] if named else []
    others = sum(1 for name in options if name not in meant)
    if others:
        parts.append(f"{others} {'other ' if named else ''}unknown option(s)")
    # A word after an unknown option is its value; any other belongs to no option: most
    # likely a value with a space in it (`--timeout 5 minutes`).
    stray = len(after_end) + sum(
        1
        for before, word in zip(["", *words], words, strict=False)
        if not _is_option(word) and not (_is_option(before) and "=" not in before)
    )
    if stray:
        parts.append(f"{stray} argument(s) of no option (a value with spaces needs quotes)")
    return (
        f"{' and '.join(parts)}; values are not repeated, one might be a secret. Every option "
        "is `--name value` or `--name=value`, and `qarun --help` lists them."
    )


def _near(typed: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    """The real option each of `typed` most likely misspells (`--suit`: `--suite`), where one
    is close; never the secrets' options, which the command refuses."""
    import difflib  # only on a command line with a mistake in it

    known = _long_options(parser)
    close = {name: difflib.get_close_matches(name, known, n=1, cutoff=0.8) for name in typed}
    return {name: found[0] for name, found in close.items() if found}


def _long_options(parser: argparse.ArgumentParser, *, taking_a_value: bool = False) -> list[str]:
    """The parser's `--name` options (only those that take one value: `taking_a_value`)."""
    return [
        option
        for action in parser._actions
        if not taking_a_value or action.nargs is None
        for option in action.option_strings
        if option.startswith("--")
    ]
