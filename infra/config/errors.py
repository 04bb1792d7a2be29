"""The one error a config mistake raises, and pydantic's errors turned into sentences."""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from pulumi.errors import RunError
from pydantic import BaseModel, ValidationError

from infra.config.common import Problem, did_you_mean


class ConfigError(RunError):
    """Every problem in a stack config. A RunError, so the CLI prints it without a traceback."""

    def __init__(self, stack: str, problems: list[Problem]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"The config of stack '{stack}' has {len(problems)} {noun}; nothing was created:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))




# ---------------------------------------------------------------------------------------------
# Pydantic errors -> sentences
# ---------------------------------------------------------------------------------------------
def fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at `loc` inside `model` (walks nested models, dicts and lists)."""
    annotation: Any = model
    for part in loc:
        annotation = _child(annotation, part)
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sorted(f.alias or n for n, f in annotation.model_fields.items())
    return []


def _child(annotation: Any, part: Any) -> Any:
    """The annotation of `part` inside `annotation` (a model's field, a dict's or list's
    item), or None where the schema says nothing more."""
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
        return fields[part].annotation if part in fields else None
    if get_origin(annotation) in (dict, list):
        return get_args(annotation)[-1]
    return None


def _unwrap_optional(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) not in (None, dict, list) and len(args) == 1:
        return args[0]
    return annotation


def _config_loc(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """`loc` without the union members pydantic names in it: a value for `StrictInt |
    StrictFloat` fails as `<key>.int` and `<key>.float`, keys no config has."""
    annotation: Any = model
    for depth, part in enumerate(loc):
        if get_origin(_unwrap_optional(annotation)) in (Union, types.UnionType):
            return loc[:depth]                      # the rest names union members
        annotation = _child(annotation, part)
    return loc


_NUMBER_UNION = {"a valid integer or a valid number": "a number",
                 "a valid integer or a finite number": "a finite number"}


def translate_errors(err: ValidationError, prefix: str, model: type[BaseModel]) -> list[Problem]:
    """Pydantic's errors as Problems: key path, bad value, what is allowed, "did you mean".
    A value that fits no member of a union is one problem, naming what each member wants."""
    problems: list[Problem] = []
    for e in err.errors():
        loc = _config_loc(model, tuple(e["loc"]))
        path = ".".join([prefix, *map(str, loc)])
        if len(loc) < len(e["loc"]) and problems and problems[-1].path == path:
            wants = e["msg"][0].lower() + e["msg"][1:]
            wants = wants.removeprefix("input should be ")
            message = problems[-1].message[:-1] + f" or {wants}."
            for both, number in _NUMBER_UNION.items():   # StrictInt | StrictFloat
                message = message.replace(both, number)
            problems[-1] = Problem(path, message)
            continue
        kind, value = e["type"], e.get("input")
        if kind == "extra_forbidden":
            allowed = fields_at(model, loc[:-1])
            message = ("is not a known key." + did_you_mean(str(loc[-1]), allowed)
                       + f" Allowed keys here: {', '.join(allowed)}.")
        elif kind == "missing":
            message = "is required."
        elif kind == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            message = (f"{value!r} is not allowed; use {expected}."
                       + did_you_mean(str(value), re.findall(r"'([^']+)'", expected)))
        elif kind == "string_type" and isinstance(value, (int, float)):
            message = (f"{value!r} must be a string; quote it in YAML, e.g. \"{value}\" "
                       "(unquoted 8.0 is read as a number).")
        elif kind in ("model_type", "dict_type"):
            message = f"{value!r} is not allowed; write a mapping of keys here."
        else:
            message = f"{value!r} is not allowed: {e['msg'][0].lower()}{e['msg'][1:]}."
        problems.append(Problem(path, message))
    return problems
