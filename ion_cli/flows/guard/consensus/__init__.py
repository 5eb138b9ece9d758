"""The guard's consensus-layer triggers (issue 26 item 4): what the consensus layer and the
restaking layer say before the reserve rate moves.

On Ion the liquidation price is the reserve rate, which follows the consensus layer only after a
risk proof, its challenge window and capped oracle updates (at most 3% each 58 minutes). These
triggers act on the cause instead:

- `slashing`: a slashing or balance loss of the LRT's validators above a share of their
  effective balance, measured at finalized epochs against a baseline kept since the guard was
  armed (pure: `slashing.py`);
- `avs`: an AVS slashing of an operator the LRT delegates to (pure: `avs.py`);
- `score`: a risk score whose haircut implies the vault's health under a level, acted on when
  final, or when pending only after the guard checked it as `ion challenge` does (pure:
  `implied.py`, `pending.py`).

The pure parts take plain figures; the readers (`readers.py`) fetch them.
"""
