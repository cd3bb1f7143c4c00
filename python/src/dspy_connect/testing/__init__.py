"""Test support. The only fake in dspy-connect's tests is the LM provider (scripted_lm)."""
