"""What a message tells the user, in the words of the interface it came through: the action's
inputs (`api-key`, `suite: …`) or the `qarun` command's options and variables."""

from __future__ import annotations

from typing import ClassVar

import pytest

from qarun.errors import InputError, InputProblem
from qarun.inputs import COMMAND, INTERFACE
from qarun.providers import PROVIDERS
from qarun.providers.base import key_advice
from qarun.settings import load_settings


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_rejected_key_is_explained_in_each_interface_s_words(name: str) -> None:
    provider = PROVIDERS[name]
    action = key_advice(provider, as_options=False)
    secret = f"{name.upper()}_API_KEY"
    assert action.startswith(
        f"Check `api-key` (pass it from a secret, e.g. `api-key: ${{{{ secrets.{secret} }}}}`). "
    )
    command = key_advice(provider, as_options=True)
    assert command.startswith("Check `QARUN_API_KEY` (set it from your CI system's secrets). ")
    assert "${{" not in command and "`api-key`" not in command
    # Where a valid key comes from, the same either way (the project input named as each names it).
    assert "{project}" not in action + command
    if "{project}" in provider.key_help:
        assert "`project`" in action and "`--project`" in command


def test_a_brace_in_a_provider_s_text_is_only_text() -> None:
    class Braced:
        name: ClassVar[str] = "braced"
        key_help: ClassVar[str] = 'Keys look like {"id": 1}; {project} needs one too.'

    said = key_advice(Braced, as_options=True)  # type: ignore[arg-type]
    assert said.endswith('Keys look like {"id": 1}; `--project` needs one too.')


def test_an_input_s_examples_read_as_options_from_the_command() -> None:
    message = "`x` is not a suite id (`status: passed`?); write its UUID, e.g. `suite: 770e8400`."
    assert str(InputProblem("suite", message, as_option=True)) == (
        "option `--suite` (`QARUN_SUITE`): `x` is not a suite id (`status: passed`?); write its "
        "UUID, e.g. `--suite 770e8400`."
    )
    assert str(InputProblem("suite", message)) == f"input `suite`: {message}"
    # An input of another platform's, given to the command: no `with:` to remove it from.
    env = {"INPUT_PROVIDER": "panto", "INPUT_ENVIRONMENT-NAME": "staging", INTERFACE: COMMAND}
    with pytest.raises(InputError) as refused:
        load_settings(env)
    (foreign,) = [str(p) for p in refused.value.problems if p.input == "environment-name"]
    assert foreign.endswith("applies to provider `qatech` only, not `panto`; leave it out.")


@pytest.mark.parametrize(
    ("given", "message", "said"),
    [
        # The value given is quoted back as it was, even where it looks like an example.
        ("timeout: 10m", "`timeout: 10m` is not a duration; write `30m`.", "`timeout: 10m`"),
        ("x`browser: y", "`x`browser: y` is not a browser engine name.", "`x`browser: y`"),
        # A YAML block has no option form.
        ("", "one tag per line under `tags: |`", "`tags: |`"),
        # Several examples, each on its own.
        ("", "e.g. `report-file: a.json` and `junit-file: b.xml`", "`--junit-file b.xml`"),
        # An input named on its own, and the key by its variable; other words stay.
        ("", "at least one of `suite`, `test-case` or `project`", "`--suite`, `--test-case` or"),
        ("", "not with `api-key`", "not with `QARUN_API_KEY`"),
        ("", "the platform said `running`", "said `running`"),
        ("suite", "`suite` is not a browser", "`suite` is not"),
        # A status is as often a value as the input: `fail-on`'s `timeout` stays.
        ("", "write any of `failed`, `timeout`", "`failed`, `timeout`"),
    ],
)
def test_only_an_input_s_examples_are_rewritten(given: str, message: str, said: str) -> None:
    assert said in str(InputProblem("timeout", message, as_option=True, given=given))
