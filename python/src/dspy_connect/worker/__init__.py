"""The worker process: `python -m dspy_connect.worker`."""
