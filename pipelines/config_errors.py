"""Config validation errors in words: one line per offending key, and "did you mean" for a mistyped one."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError


def describe(error: ValidationError, root: type[BaseModel]) -> str:
    """One indented line per error: `  key.path: what is wrong`, with the closest known key for an unknown one."""
    lines = []
    for item in error.errors():
        loc = tuple(str(part) for part in item["loc"])
        key = ".".join(loc) or "(top level)"
        if item["type"] == "extra_forbidden":
            message = "unknown key" + did_you_mean(root, loc)
        elif item["type"] == "missing":
            message = "required key is missing"
        else:
            message = item["msg"].removeprefix("Value error, ")
            if "input" in item and item["type"] not in ("value_error",):
                message += f" (got {item['input']!r})"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def did_you_mean(root: type[BaseModel], loc: tuple[str, ...]) -> str:
    """'; did you mean 'repeat'?' for an unknown key at `loc`, or the known keys there when none is close."""
    known = keys_at(root, loc[:-1])
    if not known:
        return ""
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f" (the keys here are {', '.join(known)})"


def keys_at(root: type[BaseModel], path: tuple[str, ...]) -> list[str]:
    """The keys the section at `path` accepts ([] when `path` is not a section)."""
    model: type[BaseModel] | None = root
    for part in path:
        field = model.model_fields.get(part) if model is not None else None
        model = _section_type(field.annotation) if field is not None else None
    if model is None:
        return []
    return [name for name, field in model.model_fields.items() if not field.exclude]


def _section_type(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_type(arg)
        if found is not None:
            return found
    return None
