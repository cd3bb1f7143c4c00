"""The worker's side of the embedded local LM (served by `@dspy-connect/local-lm`, in Node):
the adapter that always sends the signature's JSON schema, and schema-constrained agent steps."""
