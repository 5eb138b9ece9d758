"""The local reference deployment: compiled artifacts, the anvil node, deployment and its file."""
