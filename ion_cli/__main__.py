from ion_cli.cli import main

main()
