"""Streaming runs: one bidi Run per operation (module, batch, optimize, command)."""
