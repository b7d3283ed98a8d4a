"""Configuration keys declared once, on the settings dataclasses, and read by that declaration.

A field declared with `setting(default, check, key=...)` is one TOML key: the field's
annotation is its type, `default` its default, `check` its rule, and `key` its TOML name where
that differs from the attribute (one dot reaches into a sub-table: "smtp.host"). `table(cls)`
nests a settings class under the field's name, and `array(cls)` marks an array of tables
(`[[themes]]`) whose entries the caller reads with `Table.entries` and `read`.

Every number needs a `Range`: any value TOML can hold (inf, nan, 2**63-1, -0.0) is then either
a finite number inside it or an error naming the key, never a crash later in the run.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Iterator
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from types import NoneType
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from briefing.errors import ConfigError

T = TypeVar("T")
Check = Callable[[Any], str | None]
SPEC = "briefing.schema"  # the metadata key that holds a field's declaration


def config_error(file: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{file}: '{key}' {problem}")


# --- declaring ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    name: str = ""  # the TOML name relative to the table; "" means the attribute's name
    check: Check | None = None


@dataclass(frozen=True)
class Nested:
    cls: type


@dataclass(frozen=True)
class Entries:
    cls: type


def setting(default: T, check: Check | None = None, *, key: str = "") -> T:
    """A field that is one TOML key."""
    return field(default=default, metadata={SPEC: Key(key, check)})


def declare(check: Check | None = None, *, key: str = "") -> dict[str, Key]:
    """The metadata of a key whose field has no default: `field(metadata=declare(...))`."""
    return {SPEC: Key(key, check)}


def table(cls: type[T]) -> T:
    """A field that is a sub-table of the same name, read into `cls`."""
    return field(default_factory=cls, metadata={SPEC: Nested(cls)})


def array(cls: type[T]) -> tuple[T, ...]:
    """A field that is an array of tables of the same name; the caller reads the entries."""
    empty: tuple[T, ...] = ()
    return field(default=empty, metadata={SPEC: Entries(cls)})


@dataclass(frozen=True)
class Range:
    """The check of a number: `low` to `high`, `low` itself excluded if `above`."""

    low: float
    high: float
    above: bool = False
    text: str = ""  # how the message states the range, when the plain words read badly

    def __call__(self, value: float) -> str | None:
        inside = (value > self.low if self.above else value >= self.low) and value <= self.high
        return None if inside else f"must be {self.describe()}, not {shown(value)}"

    def describe(self) -> str:
        if self.text:
            return self.text
        if self.above:
            return f"greater than {self.low} and at most {self.high}"
        return f"between {self.low} and {self.high}"


def positive(high: float) -> Range:
    return Range(0, high, above=True)


def between(low: float, high: float) -> Range:
    return Range(low, high)


FRACTION = Range(0, 1, above=True, text="between 0 (exclusive) and 1")


def one_of(choices: tuple[str, ...]) -> Check:
    return lambda value: None if value in choices else f"must be one of {choices}"


_SHOW = reprlib.Repr()
_SHOW.maxstring = _SHOW.maxother = 60
_SHOW.maxlevel = 2


def shown(value: object) -> str:
    """A value as an error message quotes it: short, even for a huge or deeply nested one."""
    try:
        return _SHOW.repr(value)
    except ValueError:  # an integer with more digits than Python will print
        return "a number with thousands of digits"


# --- reading ------------------------------------------------------------------------------

class Table:
    """One TOML table being read: each key is taken once, leftovers are errors."""

    def __init__(self, data: dict[str, Any], where: str, file: str) -> None:
        self.data = dict(data)
        self.where = where
        self.file = file

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> ConfigError:
        return config_error(self.file, self.name(key), problem)

    def table(self, key: str) -> Table:
        value = self.data.pop(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {shown(value)}")
        return Table(value, self.name(key), self.file)

    def entries(self, key: str) -> list[Table]:
        value = self.data.pop(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"must be an array of tables ([[{key}]]), not {shown(value)}")
        for number, entry in enumerate(value, start=1):
            if not isinstance(entry, dict):
                raise ConfigError(f"{self.file}: {key} #{number} must be a table ([[{key}]])")
        return [Table(entry, f"{self.name(key)}[{n}]", self.file)
                for n, entry in enumerate(value, start=1)]

    def done(self) -> None:
        if self.data:
            key = sorted(self.data)[0]
            raise self.fail(key, "is not a known setting (see README.md, 'Configuration')")


def read(cls: type, t: Table, base: Path) -> dict[str, Any]:
    """Keyword arguments for `cls` from `t`: every declared key once, defaults for the rest.

    Fields without a default that `t` does not give are left out for the caller to fill.
    Sub-tables are read to the end; `t` itself is left to the caller's `done()`.
    """
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    subtables: dict[str, Table] = {}
    for f in fields(cls):
        spec = f.metadata.get(SPEC)
        if isinstance(spec, Nested):
            sub = t.table(f.name)
            nested = read(spec.cls, sub, base)
            for g in fields(spec.cls):  # arrays of tables inside a table: [[story.sides]]
                inner = g.metadata.get(SPEC)
                if isinstance(inner, Entries):
                    nested[g.name] = tuple(_entry(inner.cls, e, base)
                                           for e in sub.entries(g.name))
            values[f.name] = spec.cls(**nested)
            sub.done()
        elif isinstance(spec, Key):
            prefix, _, name = (spec.name or f.name).rpartition(".")
            if prefix and prefix not in subtables:
                subtables[prefix] = t.table(prefix)
            where = subtables[prefix] if prefix else t
            if name in where.data:
                value = where.data.pop(name)
                values[f.name] = _value(where, name, value, hints[f.name], spec.check, base)
            elif (default := _default(f)) is not MISSING:
                values[f.name] = base / default if isinstance(default, Path) else default
    for sub in subtables.values():
        sub.done()
    return values


def _entry(cls: type, t: Table, base: Path) -> Any:
    entry = cls(**read(cls, t, base))
    t.done()
    return entry


def _default(f: Field[Any]) -> Any:
    if f.default_factory is not MISSING:
        return f.default_factory()
    return f.default


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
          Path: "a string (a path)", tuple: "a list of strings", dict: "a table of numbers"}


def _value(t: Table, key: str, value: Any, hint: Any, check: Check | None, base: Path) -> Any:
    """One key's value, of the declared type and passing its check, or an error naming it."""
    optional = NoneType in get_args(hint)  # `X | None`: an empty string means None
    kind = next(a for a in get_args(hint) if a is not NoneType) if optional else hint
    if get_origin(kind) is dict:  # a table of numbers: each is a key of its own
        value = _typed(t, key, value, dict)
        return {k: _value(t, f"{key}.{k}", v, get_args(kind)[1], check, base)
                for k, v in value.items()}
    value = _typed(t, key, value, get_origin(kind) or kind)
    if optional and value == "":
        return None
    if kind in (int, float) and not isinstance(check, Range):
        raise TypeError(f"'{t.name(key)}' is a number declared without a Range")
    if check is not None and (problem := check(value)):
        raise t.fail(key, problem)
    if kind is float:
        return float(value) + 0.0  # safe once in range; + 0.0 turns -0.0 into 0.0
    return base / value if kind is Path else value


def _typed(t: Table, key: str, value: Any, kind: type) -> Any:
    """`value` if TOML gave the type `kind` asks for (a list as a tuple), else an error."""
    if isinstance(value, bool):
        ok = kind is bool
    elif kind is float:
        ok = isinstance(value, int | float)
    elif kind is Path:
        ok = isinstance(value, str)
    elif kind is tuple:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise t.fail(key, f"must be {_KINDS[kind]}, not {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise t.fail(key, f"must be a finite number, not {shown(value)}")
    return tuple(value) if isinstance(value, list) else value


# --- describing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Declared:
    """One declared key, for documentation and tests."""

    name: str  # the full dotted TOML name, e.g. "email.smtp.host"; "[[themes]]" for an array
    hint: Any
    default: Any  # MISSING when the caller supplies it
    check: Check | None


def declared(cls: type, prefix: str = "") -> Iterator[Declared]:
    """Every key `cls` declares, sub-tables and arrays of tables included."""
    hints = get_type_hints(cls)
    for f in fields(cls):
        spec = f.metadata.get(SPEC)
        if isinstance(spec, Nested):
            yield from declared(spec.cls, f"{prefix}{f.name}.")
        elif isinstance(spec, Entries):
            yield Declared(f"[[{prefix}{f.name}]]", hints[f.name], _default(f), None)
            yield from declared(spec.cls, f"{prefix}{f.name}.")
        elif isinstance(spec, Key):
            yield Declared(prefix + (spec.name or f.name), hints[f.name], _default(f), spec.check)
