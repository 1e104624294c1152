"""Exit codes shared by every subcommand, and the exceptions that carry them.

0 all evaluated controls pass or are waived; 1 at least one violation of a
mandatory control; 2 usage or configuration error; 3 something could not be
evaluated (fail closed: never reported as a pass).
"""

EXIT_OK = 0
EXIT_VIOLATION = 1
EXIT_USAGE = 2
EXIT_ERROR = 3

# "Worst" order used to combine stage results: an evaluation error outranks a
# violation (the violation list may be incomplete), a usage error outranks both.
_SEVERITY_RANK = {EXIT_OK: 0, EXIT_VIOLATION: 1, EXIT_ERROR: 2, EXIT_USAGE: 3}


def worst_exit_code(*codes: int) -> int:
    """The exit code of a run made of several stages."""
    return max(codes, key=lambda code: _SEVERITY_RANK[code], default=EXIT_OK)


class HarnessError(Exception):
    """An error the CLI reports as one line and turns into an exit code."""

    exit_code = EXIT_ERROR


class UsageError(HarnessError):
    """Bad arguments or configuration: the message names the key and the fix."""

    exit_code = EXIT_USAGE


class EvaluationError(HarnessError):
    """Something could not be evaluated (malformed input, tool failure, unreachable endpoint)."""

    exit_code = EXIT_ERROR
