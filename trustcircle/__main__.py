"""``python -m trustcircle``: the command line."""

from trustcircle.cli import main

raise SystemExit(main())
