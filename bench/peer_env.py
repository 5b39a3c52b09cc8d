"""Virtual envs for benchmark peers, under the user's cache directory, made on demand.

Peers are never dependencies of the product; each lives in its own env so that, for
example, a peer's Qt binding cannot clash with ours.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def peers_dir() -> Path:
    """Where peer envs live: ``$XDG_CACHE_HOME/quantdesk/peers`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quantdesk" / "peers"


def peer_python(name: str, requirements: list[str]) -> Path:
    """The Python of the peer env ``name``, created with ``requirements`` if missing."""
    env = peers_dir() / name
    stamp = env / ".installed"
    wanted = "\n".join(requirements)
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
        subprocess.run(
            [str(env / "bin" / "python"), "-m", "pip", "install", "-q", *requirements],
            check=True,
        )
        stamp.write_text(wanted)
    return env / "bin" / "python"
