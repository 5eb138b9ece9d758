"""zkML risk proofs: features of a validator snapshot, the risk model, ezkl proofs, receipts.

Everything heavy (ezkl, numpy, onnx) is imported inside the functions that use it.
"""
