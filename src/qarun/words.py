"""How the summaries and the failure sentence put counts and statuses into words, alike
for Markdown, plain text and the log."""

from __future__ import annotations

from qarun.model import COUNTED, Counts, Status

# What a run not waited for (`wait: false`) has instead of a count of tests.
DID_NOT_WAIT = "qarun started the runs and did not wait for them"


def counts_words(counts: Counts) -> tuple[str, str]:
    """("3 tests", "2 passed, 1 not finished"), or ("", "No tests ran"): the summary's count
    of tests, in words, for Markdown and plain text alike."""
    if counts.total == 0:
        return "", "No tests ran"
    tally = counts.as_dict()
    done = [tally_words(tally[s.value], s) for s in COUNTED if tally[s.value]]
    unfinished = counts.total - sum(tally[s.value] for s in COUNTED)
    if unfinished:
        done.append(f"{unfinished:,} not finished")
    noun = "test" if counts.total == 1 else "tests"
    return f"{counts.total:,} {noun}", ", ".join(done)


def tally_words(count: int, status: Status) -> str:
    """A count of tests that ended so, in words: "2 failed", "1 error", "3 errors",
    "1 timed out"."""
    if status is Status.ERROR:
        return f"{count:,} error" + ("" if count == 1 else "s")
    if status is Status.TIMEOUT:
        return f"{count:,} timed out"
    return f"{count:,} {status.value}"


def says_more(status: Status, provider_status: str) -> bool:
    """Whether the platform's own word says something qarun's does not (`completed` beside
    `failed`), and so is shown beside it; `COMPLETED/FAILED` already says `failed`."""
    # Letters only, spelt as qarun spells them: `TIMED_OUT` says `timeout`, `CANCELLED` `canceled`.
    spoken = "".join(filter(str.isalpha, provider_status.lower()))
    spoken = spoken.replace("cancelled", "canceled").replace("timedout", "timeout")
    return bool(provider_status.strip()) and status.value not in spoken
