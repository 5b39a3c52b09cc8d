"""The error of a failed installer build step, the tool output its message quotes, and
running a build tool so that its failure says which step failed and why."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence

OUTPUT_TAIL_LINES = 25


class PackagingError(RuntimeError):
    """A build step failed; the message says which and why."""


def output_tail(output: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last ``lines`` lines of a tool's output, to quote in a PackagingError."""
    return "\n".join(output.strip().splitlines()[-lines:])


def run_tool(
    command: Sequence[str], what: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run a build tool to its end. A tool that cannot be started, or exits with an
    error, is a PackagingError naming ``what`` and quoting the end of its output."""
    try:
        done = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            errors="replace",
            env=None if env is None else dict(env),
            check=False,
        )
    except OSError as error:
        raise PackagingError(f"{what}: could not run {command[0]}: {error}") from None
    if done.returncode != 0:
        raise PackagingError(
            f"{what} exited with status {done.returncode}:\n"
            f"{output_tail(done.stdout + done.stderr)}"
        )
    return done
