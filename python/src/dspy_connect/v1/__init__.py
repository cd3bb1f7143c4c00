"""Generated from packages/core-proto/proto by ./dev generate: do not edit."""
