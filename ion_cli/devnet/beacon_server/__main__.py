"""`python -m ion_cli.devnet.beacon_server`: the server process (see the package docstring)."""

from ion_cli.devnet.beacon_server.app import main

raise SystemExit(main())
