"""`quantdesk`: start the workstation (on its embedded backend by default)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `quantdesk` console script."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--run-backend"]:
        # the embedded backend, run by the workstation from the same installation
        from backend.__main__ import main as backend_main

        return backend_main(args[1:])
    from backend.version import version
    from quantdesk_desktop.folders import NoWritableFolder, ensure_writable

    parser = argparse.ArgumentParser(prog="quantdesk", description="QuantDesk trading workstation")
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        type=Path,
        help="open the workspace, wait for live market data, save a PNG of every window, exit",
    )
    parser.add_argument(
        "--backend-url", help="use this quantdesk-backend instead of the embedded one"
    )
    parser.add_argument("--workspace", help="open this saved workspace")
    parser.add_argument("--theme", choices=["dark", "light"], help="colour theme")
    parser.add_argument("--log-level", default="warning", help="logging level (default warning)")
    parser.add_argument("--version", action="version", version=f"quantdesk {version()}")
    options = parser.parse_args(args)
    logging.basicConfig(
        level=options.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        session_only = ensure_writable()
    except NoWritableFolder as error:
        print(f"quantdesk: cannot start: {error}", file=sys.stderr)
        return 2
    for folder in session_only:
        logging.getLogger("quantdesk").warning("%s", folder.notice())
    backend = None if options.backend_url else _spawn_embedded_backend()
    from quantdesk_desktop.app import LaunchOptions, run  # Qt loads while the backend boots

    return run(
        LaunchOptions(
            screenshot=options.screenshot,
            backend_url=options.backend_url,
            workspace=options.workspace,
            theme=options.theme,
            backend=backend,
            notices=tuple(folder.notice() for folder in session_only),
        )
    )


def _spawn_embedded_backend():
    """Start the embedded backend now if the connection profile wants it (None if not)."""
    from quantdesk_desktop import paths
    from quantdesk_desktop.client.embedded import EmbeddedBackend
    from quantdesk_desktop.settings import EMBEDDED, WorkstationSettings

    settings = WorkstationSettings.load(paths.config_dir() / "settings.json")
    if settings.profile.name != EMBEDDED and settings.profile.url:
        return None
    backend = EmbeddedBackend(paths.data_dir() / "embedded")
    try:
        backend.spawn()
    except OSError as error:
        logging.getLogger("quantdesk").error("cannot start the embedded backend: %s", error)
        return None
    return backend


if __name__ == "__main__":
    sys.exit(main())
