"""The error of a failed installer build step, and the tool output its message quotes."""

OUTPUT_TAIL_LINES = 25


class PackagingError(RuntimeError):
    """A build step failed; the message says which and why."""


def output_tail(output: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last ``lines`` lines of a tool's output, to quote in a PackagingError."""
    return "\n".join(output.strip().splitlines()[-lines:])
