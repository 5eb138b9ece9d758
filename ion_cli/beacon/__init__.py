"""Reading the consensus layer: the beacon API client, snapshots and the credential index."""
