"""The embedded local LM: llama.cpp's OpenAI-compatible server with a model from PyPI."""
