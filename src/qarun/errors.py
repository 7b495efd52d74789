"""The errors qarun expects, each carrying its exit code (README, Statuses and exit codes)."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_BAD_INPUT = 2
EXIT_PLATFORM = 3


class QarunError(Exception):
    """An expected failure: its message is one sentence a person can act on."""

    exit_code = EXIT_PLATFORM


@dataclass(frozen=True)
class InputProblem:
    input: str
    message: str
    # From the `qarun` command: named as its option (`--timeout`), not as the action's input.
    # The message names other inputs as the interface does (`Inputs.named`, `Inputs.example`).
    as_option: bool = False

    def __str__(self) -> str:
        if not self.input:
            return self.message  # the command line's, naming what it can (qarun.command_line)
        name = input_named(self.input, self.as_option)
        if not self.as_option:
            return f"input {name}: {self.message}"
        if self.input != "api-key":
            # Given as the option or as its variable: the message cannot tell which.
            name = f"option {name} (`{command_variable(self.input)}`)"
        return f"{name}: {self.message}"


# The `qarun` command reads the secrets from these variables only, never from an option: the
# key, and the GitHub token for `--commit-status` and `--pr-comment` (the first that is set).
KEY_VARIABLE = "QARUN_API_KEY"
TOKEN_VARIABLES = ("QARUN_GITHUB_TOKEN", "GITHUB_TOKEN")
# Inputs that have no option (the secrets), and the variable each is read from instead.
SECRET_VARIABLES = {"api-key": KEY_VARIABLE, "github-token": TOKEN_VARIABLES[0]}


def command_variable(name: str) -> str:
    """The `qarun` command's variable for an input: `fail-on` → `QARUN_FAIL_ON`."""
    return "QARUN_" + name.upper().replace("-", "_")


def with_inputs_named(text: str, as_option: bool, *names: str) -> str:
    """`text` with each `{name}` of `names` replaced by how the interface names that input:
    replaced, not formatted, so that any other brace is only text."""
    for name in names:
        text = text.replace("{" + name + "}", input_named(name, as_option))
    return text


def input_named(name: str, as_option: bool) -> str:
    """How a message names an input: the action's `timeout`, the `qarun` command's `--timeout`
    (the key: the variable the command takes it from, `QARUN_API_KEY`)."""
    if not as_option:
        return f"`{name}`"
    return f"`{KEY_VARIABLE}`" if name == "api-key" else f"`--{name}`"


class InputError(QarunError):
    """One or more inputs are wrong; all of them are reported at once."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        # Each problem is a sentence: joined, its full stop would meet the separator (".;").
        super().__init__("; ".join(str(problem).rstrip(".") for problem in problems) + ".")


class PlatformError(QarunError):
    """The platform could not be used: unreachable, refused, malformed answers."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class AuthError(PlatformError):
    """401/403: the key was rejected; never retried."""


class NotFoundError(PlatformError):
    """404: the plan, suite, build or run named does not exist."""


class RateLimitedError(PlatformError):
    """429 on a read whose caller has another way to ask (`HttpClient.read_or_limited`).
    `waited`: the platform said how long to wait (a 429 without a wait, over and over, is a
    platform failing, not a key being shared)."""

    def __init__(self, message: str, *, status_code: int | None = None, waited: bool = True):
        super().__init__(message, status_code=status_code)
        self.waited = waited


class TriggerUncertainError(PlatformError):
    """The trigger may or may not have been received; it is not sent again."""


class RerunRefusedError(PlatformError):
    """The platform refused to rerun a run (QA.tech's 400): the attempt that ran stands."""


class MalformedAnswerError(PlatformError):
    """The platform answered with something its documents do not describe."""


class OutOfTimeError(QarunError):
    """The `timeout` deadline passed while qarun was waiting on the platform."""


class CanceledError(QarunError):
    """The runner asked qarun to stop (SIGINT or SIGTERM)."""
