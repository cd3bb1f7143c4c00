"""dspy-connect worker: runs DSPy programs for TypeScript clients over gRPC."""

__version__ = "0.1.0"
