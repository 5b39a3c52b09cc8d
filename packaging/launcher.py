"""The frozen app's entry point: the `quantdesk` command (the workstation, or its embedded
backend when started with ``--run-backend``)."""

import sys

from quantdesk_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
