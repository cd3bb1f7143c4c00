from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor
TOOL_NAMES_FIELD_NUMBER: _ClassVar[int]
tool_names: _descriptor.FieldDescriptor

class ToolNameRules(_message.Message):
    __slots__ = ("pattern", "rule", "reserved")
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    pattern: str
    rule: str
    reserved: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pattern: _Optional[str] = ..., rule: _Optional[str] = ..., reserved: _Optional[_Iterable[str]] = ...) -> None: ...
