"""The watch's monitors, one concern a module: every module here is imported by
`ion_cli.flows.watch.monitor.registered`, so a new monitor is a new file (see that module)."""
