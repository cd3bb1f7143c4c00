"""Clean text deltas for fields streamed by a JSON adapter.

DSPy's StreamListener passes a JSON field's raw chunks through, and with real tokenizers a
chunk often straddles the value's end: the answer field streams ` "Paris", "answer` and then
`":`. This turns a field's raw chunks into the text of its value: a JSON string is decoded
(quotes and escapes removed, the next key cut off); any other value keeps its JSON text,
without what follows it.
"""

from __future__ import annotations

import json
import re

_AFTER_VALUE = re.compile(r'\s*(,\s*"?\w*"?\s*:?\s*|\}\s*)$')


class JsonFieldText:
    def __init__(self) -> None:
        self.raw = ""
        self.sent = ""

    def delta(self, chunk: str, last: bool) -> str:
        """The new text of the value after `chunk`; on the last chunk, all that remains."""
        self.raw += chunk
        text = self._value_text(last)
        if not text.startswith(self.sent):  # cannot happen for a well-formed stream; resend nothing
            return ""
        new, self.sent = text[len(self.sent) :], text
        return new

    def _value_text(self, last: bool) -> str:
        body = self.raw.lstrip()
        if not body.startswith('"'):
            return _AFTER_VALUE.sub("", body) if last else body.rstrip(",} \n")
        out: list[str] = []
        i = 1
        while i < len(body):
            c = body[i]
            if c == '"':
                break
            if c == "\\":
                if i + 1 >= len(body):
                    break  # the escape's second half has not arrived
                if body[i + 1] == "u":
                    if i + 6 > len(body):
                        break
                    out.append(json.loads(f'"{body[i : i + 6]}"'))
                    i += 6
                    continue
                out.append(json.loads(f'"{body[i : i + 2]}"'))
                i += 2
                continue
            out.append(c)
            i += 1
        return "".join(out)
