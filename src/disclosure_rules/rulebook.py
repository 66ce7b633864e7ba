"""Load a rulebook: safe YAML with positions, ``extends`` merging, validation, cross-checks.

Every problem is reported with file, line and column: the YAML is composed into
nodes (safe loader only: tags that build objects are refused, and alias expansion
is capped so an alias bomb cannot exhaust memory), turned into plain data while
recording the position of every mapping key and list item, merged with its parents
(DESIGN §3), validated by the pydantic models, and cross-checked (unique rule ids,
datasets, sections and fields exist, expressions compile). Pydantic error locations
are mapped back to the YAML nodes; rules are located by id so that positions
survive merging.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import Problem, RulebookError
from .book import Rulebook, WaiverFile
from .kinds import REGISTRY
from .models import BOOK_ID_PATTERN, Waiver
from .resources import DEFAULT_RULEBOOK, builtin_rulebook

MAX_NODES = 200_000  # after alias expansion; a real rulebook has a few thousand
MAX_DEPTH = 64  # nesting levels; a real rulebook has fewer than ten
MAX_BYTES = 16 * 1024 * 1024  # a real rulebook is under 100 KB
MAX_EXTENDS = 32  # rulebooks in one 'extends' chain; a real one has two or three
MAX_PATH_CHARS = 1024  # an 'extends' path or builtin id
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MERGE_TAG = "tag:yaml.org,2002:merge"

Position = tuple[str, int, int]  # file, line, column (1-based)


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader: composes nodes, constructs plain scalars (never objects).
    Duplicate keys and tags are checked by :class:`_Builder`, not here."""


_FastLoader = getattr(yaml, "CSafeLoader", None)  # libyaml: the same nodes and marks, ~20x faster


def _compose(text: str, file: str) -> yaml.Node | None:
    node = _compose_nodes(text, file)
    _refuse_surrogates(node, file)
    return node


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(node: yaml.Node | None, file: str) -> None:
    """A lone surrogate ("\\uD800" in a quoted string) is no character: no output could hold it."""
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:  # each node once (aliases share nodes: an alias bomb is not expanded here)
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            if isinstance(current.value, str) and _SURROGATE.search(current.value):
                mark = current.start_mark
                raise RulebookError(Problem(
                    "this text holds a lone surrogate (an escape such as \\uD800 that is half of a "
                    "character pair), which no file can store; remove it or write the whole character",
                    file, mark.line + 1, mark.column + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)


def _compose_nodes(text: str, file: str) -> yaml.Node | None:
    if _FastLoader is not None:
        fast = None
        try:
            fast = _FastLoader(text)
            return fast.get_single_node()
        except (yaml.YAMLError, RecursionError, MemoryError):
            pass  # report the error exactly as the pure-Python loader words it, below
        finally:
            if fast is not None:
                fast.dispose()
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters here already
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RulebookError(Problem(f"YAML syntax error: {exc.problem or exc}", file,
                                    mark.line + 1 if mark else None, mark.column + 1 if mark else None))
    except yaml.reader.ReaderError as exc:
        # a control character (NUL, ESC...): not a text file, or a damaged one
        line, column = _line_column(text, exc.position)
        raise RulebookError(Problem(
            f"the rulebook contains the control character #x{exc.character:04x}, which YAML does not "
            "allow; is this the right file?", file, line, column))
    except yaml.YAMLError as exc:
        raise RulebookError(Problem(f"YAML error: {exc}", file))
    except (RecursionError, MemoryError):
        raise RulebookError(Problem("the YAML is nested too deeply to be a rulebook", file)) from None
    finally:
        if loader is not None:
            loader.dispose()


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


class _Builder:
    """Turns composed nodes into plain data and records positions by path."""

    def __init__(self, file: str):
        self.file = file
        self.positions: dict[tuple, Position] = {}
        self.nodes = 0
        self.loader = _Loader("")
        self.merged: dict[int, int] = {}  # id(mapping node) -> leading entries that came from '<<'

    def pos(self, node: yaml.Node) -> Position:
        return (self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: tuple = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise RulebookError(Problem(
                f"the document expands to more than {MAX_NODES} values (an alias bomb?); "
                "rulebooks do not need that many", *self.pos(node)))
        if len(path) > MAX_DEPTH:
            raise RulebookError(Problem(
                f"the document is nested more than {MAX_DEPTH} levels deep (a self-referencing alias?)",
                *self.pos(node)))
        self.positions.setdefault(path, self.pos(node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            # the safe loader would refuse these only when constructing; we never construct collections
            raise RulebookError(Problem(
                f"tag {node.tag!r} is not allowed in a rulebook (only plain YAML values)", *self.pos(node)))
        if isinstance(node, yaml.MappingNode):
            merged = self.flatten(node)  # YAML merge keys (<<)
            out: dict[Any, Any] = {}
            own: set = set()
            for index, (key_node, value_node) in enumerate(node.value):
                self.scalar(key_node)  # refuses tags
                # Keys are names and codes: keep their text, so that YAML 1.1 does not turn
                # `on:` (join.on) into True or a code `1:` into an integer.
                key = key_node.value
                if index < merged:
                    if key in out:
                        continue  # from '<<': the first merged mapping wins
                elif key in own:
                    raise RulebookError(Problem(f"duplicate key {key!r}", *self.pos(key_node)))
                else:
                    own.add(key)  # a key written next to '<<' overrides the merged one
                self.positions[path + (key,)] = self.pos(key_node)
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def flatten(self, node: yaml.MappingNode) -> int:
        """Expand '<<' in place (once per node); how many leading entries came from merges."""
        if id(node) not in self.merged:
            self.merged[id(node)] = 0  # also ends a self-referencing merge
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    subs = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                    for sub in subs:
                        if isinstance(sub, yaml.MappingNode):
                            self.flatten(sub)
            own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
            try:
                self.loader.flatten_mapping(node)
            except yaml.constructor.ConstructorError as exc:
                raise RulebookError(Problem(f"'<<' {exc.problem}", *self.pos(node)))
            self.merged[id(node)] = len(node.value) - own
        return self.merged[id(node)]

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise RulebookError(Problem("a mapping key must be a plain value", *self.pos(node)))
        if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
            # YAML 1.1 reads yes/no/on/off/y/n as booleans; as labels they are text, and a
            # boolean setting still accepts them (pydantic parses 'yes' as True).
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            raise RulebookError(Problem(
                f"tag {node.tag!r} is not allowed in a rulebook (only plain YAML values)", *self.pos(node)))
        except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
            # a scalar the YAML constructors cannot build: '!!timestamp ""' (AttributeError),
            # '!!float abc', '!!binary' that is not base64, 0000-00-00
            if node.tag == "tag:yaml.org,2002:timestamp":
                reason = f"{node.value[:80]!r} is not a valid date (write YYYY-MM-DD)"
            else:
                reason = f"invalid value {node.value[:80]!r}" + (f": {str(exc)[:200]}" if str(exc) else "")
            raise RulebookError(Problem(reason, *self.pos(node)))


def _read_yaml(path: Path) -> tuple[Any, dict[tuple, Position], bytes]:
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RulebookError(Problem(
                f"the file is {size // (1024 * 1024)} MB; a rulebook is at most {MAX_BYTES // (1024 * 1024)} MB "
                "(is this the right file?)", file))
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:
        raise RulebookError(Problem(f"cannot read the rulebook: {getattr(exc, 'strerror', None) or exc}", file))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulebookError(Problem("the rulebook is not UTF-8 text", file))
    node = _compose(text, file)
    if node is None:
        return None, {}, raw
    builder = _Builder(file)
    try:
        return builder.build(node), builder.positions, raw
    except (RecursionError, MemoryError):
        raise RulebookError(Problem("the YAML is nested too deeply to be a rulebook", file)) from None


def _rules_keyed(positions: dict[tuple, Position], data: Any) -> dict[tuple, Position]:
    """Re-key positions under ``rules`` by rule id so that they survive merging."""
    rules = data.get("rules") if isinstance(data, dict) else None
    out = {}
    for path, position in positions.items():
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int) and isinstance(rules, list) \
                and path[1] < len(rules) and isinstance(rules[path[1]], dict) and isinstance(rules[path[1]].get("id"), str):
            out[("rules", "#" + rules[path[1]]["id"]) + path[2:]] = position
        else:
            out[path] = position
    return out


def _merge(parent: Any, child: Any, path: tuple = ()) -> Any:
    """DESIGN §3: mappings merge key by key (child wins); ``rules`` merge by id; other lists are replaced."""
    if isinstance(parent, dict) and isinstance(child, dict):
        out = dict(parent)
        for key, value in child.items():
            if key in out:
                out[key] = _merge(out[key], value, path + (key,))
            else:
                out[key] = value
        return out
    if path == ("rules",) and isinstance(parent, list) and isinstance(child, list):
        merged = [dict(r) if isinstance(r, dict) else r for r in parent]
        # only text ids merge; any other id is appended and refused by validation
        index = {r.get("id"): i for i, r in enumerate(merged) if isinstance(r, dict) and isinstance(r.get("id"), str)}
        for rule in child:
            rid = rule.get("id") if isinstance(rule, dict) else None
            if isinstance(rid, str) and rid in index:
                merged[index[rid]] = _merge(merged[index[rid]], rule, path + (rid,))
            else:
                merged.append(rule)
        return merged
    return child


class _Loaded:
    def __init__(self, data: dict, positions: dict[tuple, Position], files: list[str], digest: "hashlib._Hash"):
        self.data = data
        self.positions = positions
        self.files = files
        self.digest = digest


def _resolve(ref: str, base: Path | None) -> Path:
    """The file a rulebook reference names; RulebookError (no position) if it cannot be one."""
    if len(ref) > MAX_PATH_CHARS:
        raise RulebookError(f"the rulebook name is {len(ref)} characters long; "
                            f"a path or builtin:<id> has at most {MAX_PATH_CHARS}")
    if "\0" in ref:
        raise RulebookError("the rulebook name contains a NUL character")
    if ref.startswith("builtin:"):
        book_id = ref[len("builtin:"):]
        try:
            if not re.fullmatch(BOOK_ID_PATTERN, book_id):
                raise FileNotFoundError(f"no built-in rulebook {book_id!r} (ids are [a-z0-9-]+)")
            return builtin_rulebook(book_id)
        except (FileNotFoundError, OSError) as exc:
            raise RulebookError(str(exc))
    path = Path(ref)
    if base is not None and not path.is_absolute():
        path = base / path
    return path


def _is_file(path: Path) -> bool:
    """Path.is_file, False instead of an OSError (a name too long, a bad character)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def _load_tree(path: Path, chain: tuple[Path, ...] = ()) -> _Loaded:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise RulebookError(Problem(f"cannot open the rulebook: {getattr(exc, 'strerror', None) or exc}", str(path)))
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in chain + (resolved,))
        raise RulebookError(Problem(f"'extends' forms a cycle: {cycle}", str(path)))
    if not _is_file(path):
        raise RulebookError(Problem("rulebook file not found", str(path)))
    data, positions, raw = _read_yaml(path)
    file = str(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RulebookError(Problem("a rulebook is a YAML mapping with 'rulebook:', 'datasets:' and 'rules:'", file, 1, 1))
    _check_unique_ids(data, positions, file)
    positions = _rules_keyed(positions, data)
    digest = hashlib.sha256()
    files = [file]
    extends = data.pop("extends", None)
    removals = data.pop("remove_rules", None)
    if extends is None:
        if removals:
            raise RulebookError(Problem("'remove_rules' needs 'extends' (there are no inherited rules)",
                                        *positions.get(("remove_rules",), (file, None, None))))
        digest.update(raw)
        return _Loaded(data, positions, files, digest)
    if not isinstance(extends, str):
        raise RulebookError(Problem("'extends' is a path or builtin:<id>", *positions[("extends",)]))
    try:
        parent_path = _resolve(extends, path.parent)
    except RulebookError as exc:  # an unknown builtin:<id>
        raise RulebookError(Problem(exc.problems[0].message, *positions[("extends",)])) from None
    if not _is_file(parent_path):
        raise RulebookError(Problem(f"'extends' names a rulebook that does not exist: {parent_path}",
                                    *positions[("extends",)]))
    if len(chain) + 2 > MAX_EXTENDS and _resolved(parent_path) not in chain + (resolved,):
        # a bound, not only cycle detection: each link is a file read and a recursion level
        raise RulebookError(Problem(
            f"'extends' chains more than {MAX_EXTENDS} rulebooks (from {chain[0] if chain else resolved}); "
            "a chain is at most that long: merge some of them into one file", *positions[("extends",)]))
    parent = _load_tree(parent_path, chain + (resolved,))
    merged = _merge(parent.data, data)
    if removals is not None:
        if not isinstance(removals, list) or not all(isinstance(r, str) for r in removals):
            raise RulebookError(Problem("'remove_rules' is a list of rule ids", *positions[("remove_rules",)]))
        rules = merged.get("rules") if isinstance(merged.get("rules"), list) else []
        known = {r.get("id") for r in rules if isinstance(r, dict) and isinstance(r.get("id"), str)}
        for i, rid in enumerate(removals):
            if rid not in known:
                raise RulebookError(Problem(
                    f"'remove_rules' names {rid!r}, which no parent rulebook defines"
                    + _suggest(rid, known),
                    *positions.get(("remove_rules", i), positions[("remove_rules",)])))
        if rules:
            merged["rules"] = [r for r in rules if not (isinstance(r, dict) and r.get("id") in removals)]
    merged_positions = dict(parent.positions)
    merged_positions.update(positions)
    parent.digest.update(raw)
    return _Loaded(merged, merged_positions, parent.files + files, parent.digest)


def _check_unique_ids(data: dict, positions: dict[tuple, Position], file: str) -> None:
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and isinstance(rule.get("id"), str):
            rid = rule["id"]
            if rid in seen:
                raise RulebookError(Problem(
                    f"rule id {rid!r} is used twice (first by rule #{seen[rid] + 1}); ids must be unique",
                    *positions.get(("rules", i, "id"), (file, None, None))))
            seen[rid] = i


def _suggest(name: str, candidates, cutoff: float = 0.5) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Locator:
    """Maps a pydantic error location or a data path to a YAML position."""

    def __init__(self, data: dict, positions: dict[tuple, Position], default_file: str):
        self.data = data
        self.positions = positions
        self.default = default_file

    def key_path(self, loc: tuple) -> tuple:
        """Walk ``loc`` through the data, dropping union tags; rules by id."""
        path: list[Any] = []
        node: Any = self.data
        for part in loc:
            if isinstance(node, dict) and part in node:
                path.append(part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if path == ["rules"] and isinstance(node[part], dict) and isinstance(node[part].get("id"), str):
                    path.append("#" + node[part]["id"])
                else:
                    path.append(part)
                node = node[part]
            elif part == "from_" and isinstance(node, dict) and "from" in node:
                path.append("from")
                node = node["from"]
            else:
                continue  # a union tag ('deadline', 'str', ...) or a missing key
        return tuple(path)

    def at(self, loc: tuple) -> Position:
        path = self.key_path(loc)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (self.default, None, None))

    def problem(self, message: str, loc: tuple) -> Problem:
        return Problem(message, *self.at(loc))


def _pydantic_problems(exc: ValidationError, locator: _Locator) -> list[Problem]:
    problems = []
    seen = set()
    errors = exc.errors(include_url=False)
    # A union such as scoring (a word or {deduct: X}) reports each member's complaint: keep
    # the one about the member that was meant (a mapping was given: the {deduct} member).
    def _other_member(e, deeper: bool) -> bool:
        loc = tuple(e["loc"])
        return any(tuple(o["loc"][:len(loc) - 1]) == loc[:-1] and o["loc"][len(loc) - 1] != loc[-1]
                   and (len(o["loc"]) > len(loc) if deeper else o["type"] == "literal_error")
                   for o in errors if len(o["loc"]) >= len(loc))

    def _union_noise(e) -> bool:
        loc = tuple(e["loc"])
        if len(loc) < 2:
            return False
        if e["type"] == "literal_error" and str(loc[-1]).startswith("literal["):
            return _other_member(e, deeper=True)
        if e["type"] == "model_type":
            return _other_member(e, deeper=False)
        return False
    errors = [e for e in errors if not _union_noise(e)]
    for err in errors:
        loc = tuple(err["loc"])
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        dotted = "".join(f"[{p[1:]}]" if str(p).startswith("#") else f".{p}"
                         for p in locator.key_path(loc)).lstrip(".") if loc else ""
        if err["type"] == "extra_forbidden":
            field = loc[-1]
            allowed = _allowed_keys(exc, loc)
            message = f"unknown key {field!r}" + (_suggest(str(field), allowed, 0.75) if allowed else "")
        elif err["type"] == "missing":
            message = f"missing required key {loc[-1]!r}"
        elif err["type"] == "union_tag_invalid":
            tag = str(err.get("ctx", {}).get("tag", ""))
            loc = loc + ("kind",)
            message = (f"unknown rule kind {tag!r}{_suggest(tag, REGISTRY)}; "
                       f"expected one of: {', '.join(REGISTRY)}")
        elif err["type"] == "union_tag_not_found":
            message = "missing required key 'kind'"
        key = (message, locator.at(loc))
        if key in seen:
            continue
        seen.add(key)
        problems.append(locator.problem(f"{message} (at {dotted or 'top level'})", loc))
    return problems


def _allowed_keys(exc: ValidationError, loc: tuple) -> list[str]:
    from . import models

    candidates: set[str] = set()
    for model in (*(kind.Rule for kind in REGISTRY.values()), models.FieldSpec, models.DatasetSpec,
                  models.BookInfo, Rulebook, models.Join, models.Basis, models.CalendarSpec, models.Section,
                  models.Waiver, models.Limit, models.Extension):
        for name, info in model.model_fields.items():
            candidates.add(info.alias or name)
    return sorted(candidates)


def load_rulebook(source: str | Path = DEFAULT_RULEBOOK) -> Rulebook:
    """Load, merge, validate and cross-check a rulebook; raise RulebookError with positions."""
    source_str = str(source)
    path = _resolve(source_str, None)
    loaded = _load_tree(path)
    locator = _Locator(loaded.data, loaded.positions, str(path))
    try:
        book = Rulebook.model_validate(loaded.data)
    except ValidationError as exc:
        raise RulebookError(_pydantic_problems(exc, locator)) from None
    problems = cross_check(book, locator)
    if problems:
        raise RulebookError(problems)
    book._source = str(path)
    book._files = loaded.files
    book._sha256 = loaded.digest.hexdigest()
    return book


def rulebook_from_dict(data: dict, *, name: str = "<rulebook>") -> Rulebook:
    """Validate a rulebook given as plain data (no ``extends``); positions are not available."""
    locator = _Locator(data, {}, name)
    try:
        book = Rulebook.model_validate(data)
    except ValidationError as exc:
        raise RulebookError(_pydantic_problems(exc, locator)) from None
    problems = cross_check(book, locator)
    if problems:
        raise RulebookError(problems)
    import json

    book._sha256 = hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()
    return book


def cross_check(book: Rulebook, locator: _Locator) -> list[Problem]:
    """Checks across the model: references exist, expressions compile."""
    from .expressions import ExpressionError, compile_rule_expressions

    problems: list[Problem] = []
    sections = {s.id for s in book.sections}
    for name, ds in book.datasets.items():
        for role in ("key", "department"):
            field = getattr(ds, role)
            if field is not None and field not in ds.fields:
                problems.append(locator.problem(
                    f"dataset {name!r}: {role} {field!r} is not one of its fields" + _suggest(field, ds.fields),
                    ("datasets", name, role)))
    for index, rule in enumerate(book.rules):
        loc = ("rules", index)
        if rule.section is not None and rule.section not in sections:
            problems.append(locator.problem(
                f"rule {rule.id}: section {rule.section!r} is not defined in 'sections'" + _suggest(rule.section, sections),
                loc + ("section",)))
        ds = book.datasets.get(rule.dataset)
        if ds is None:
            problems.append(locator.problem(
                f"rule {rule.id}: dataset {rule.dataset!r} is not defined in 'datasets'" + _suggest(rule.dataset, book.datasets),
                loc + ("dataset",)))
            continue
        fields = dict(ds.fields)
        if rule.join is not None:
            join_problems, joined = _check_join(book, rule, locator, loc)
            problems += join_problems
            fields.update(joined)
        for key_name, value in rule.named_fields():
            if value not in fields:
                problems.append(locator.problem(
                    f"rule {rule.id}: {key_name} names {value!r}, which is not a field of dataset {rule.dataset!r}"
                    + _suggest_field(value, fields), loc + tuple(key_name.split("."))))
        for message, key_name in REGISTRY[rule.kind].check(rule, fields):
            problems.append(locator.problem(message, loc + tuple(key_name.split("."))))
        try:
            compile_rule_expressions(rule, fields, book)
        except ExpressionError as exc:
            problems.append(locator.problem(f"rule {rule.id}: {exc}", loc + tuple(exc.key.split("."))))
    from .annual_models import check_mapping

    problems += [locator.problem(message, loc) for message, loc in check_mapping(book)]
    for index, waiver in enumerate(book.waivers):
        if not any(r.id == waiver.rule for r in book.rules):
            problems.append(locator.problem(
                f"waiver #{index + 1} names rule {waiver.rule!r}, which is not in the rulebook"
                + _suggest(waiver.rule, [r.id for r in book.rules]), ("waivers", index, "rule")))
    return problems


def _suggest_field(name: str, fields: dict) -> str:
    names = list(fields)
    for fname, spec in fields.items():
        names += spec.aliases
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    if not close:
        return f"; fields: {', '.join(fields)}"
    hit = close[0]
    for fname, spec in fields.items():
        if hit == fname or hit in spec.aliases:
            return f" (did you mean {fname!r}?)"
    return ""


def joined_fields(book: Rulebook, rule) -> dict:
    """The fields a rule's ``join`` adds, typed (a count is an integer; min/max keep the
    source field's type). Only for a rulebook that passed its cross-checks."""
    if rule.join is None:
        return {}
    other = book.datasets[rule.join.dataset]
    return {name: _joined_spec(agg, other) for name, agg in rule.join.fields.items()}


def _joined_spec(agg, other):
    from .models import FieldSpec

    if agg == "count" or agg.function in ("count", "count_distinct"):
        return FieldSpec(type="integer")
    return other.fields[agg.source]


def _check_join(book: Rulebook, rule, locator: _Locator, loc: tuple):
    """Validate a join and return the fields it adds, typed."""
    problems = []
    join = rule.join
    here = book.datasets[rule.dataset]
    other = book.datasets.get(join.dataset)
    joined: dict = {}
    if other is None:
        problems.append(locator.problem(
            f"rule {rule.id}: join dataset {join.dataset!r} is not defined" + _suggest(join.dataset, book.datasets),
            loc + ("join", "dataset")))
        return problems, joined
    for mine, theirs in join.on.items():
        if mine not in here.fields:
            problems.append(locator.problem(
                f"rule {rule.id}: join.on names {mine!r}, not a field of {rule.dataset!r}" + _suggest_field(mine, here.fields),
                loc + ("join", "on", mine)))
        if theirs not in other.fields:
            problems.append(locator.problem(
                f"rule {rule.id}: join.on names {theirs!r}, not a field of {join.dataset!r}" + _suggest_field(theirs, other.fields),
                loc + ("join", "on", mine)))
    for new_name, agg in join.fields.items():
        if new_name in here.fields:
            problems.append(locator.problem(
                f"rule {rule.id}: joined field {new_name!r} would hide the field of the same name",
                loc + ("join", "fields", new_name)))
            continue
        if agg != "count" and agg.source not in other.fields:
            problems.append(locator.problem(
                f"rule {rule.id}: join aggregate names {agg.source!r}, not a field of {join.dataset!r}"
                + _suggest_field(agg.source, other.fields), loc + ("join", "fields", new_name)))
            continue
        if agg != "count" and agg.function in ("min", "max") and other.fields[agg.source].type in ("set", "boolean"):
            problems.append(locator.problem(
                f"rule {rule.id}: {agg.function} of a {other.fields[agg.source].type} field is not defined",
                loc + ("join", "fields", new_name)))
            continue
        joined[new_name] = _joined_spec(agg, other)
    return problems, joined


def load_waivers(source: str | Path) -> list[Waiver]:
    """Read a waivers file (top level ``waivers:`` list)."""
    from pydantic import ValidationError as _VE

    path = Path(source)
    what = "waivers file"
    if not _is_file(path):
        raise RulebookError(Problem("waivers file not found", str(path)), what=what)
    try:
        data, positions, _ = _read_yaml(path)
    except RulebookError as exc:
        raise RulebookError([Problem(p.message.replace("the rulebook", "the waivers file"), p.file, p.line, p.column)
                             for p in exc.problems], what=what) from None
    if not isinstance(data, dict):
        raise RulebookError(Problem("a waivers file is a mapping with a 'waivers:' list", str(path), 1, 1), what=what)
    locator = _Locator(data, positions, str(path))
    try:
        return WaiverFile.model_validate(data).waivers
    except _VE as exc:
        raise RulebookError(_pydantic_problems(exc, locator), what=what) from None


# ------------------------------------------------------------------ did-you-mean for a Chinese user

from .suggest import closest, fold  # noqa: E402 - did-you-mean, shared with the ledger reader


def resolve_dataset(book: Rulebook, name: str) -> str | None:
    """The dataset ``name`` stands for: a dataset name, or a dataset's title (公文台账), matched
    after folding (公文台帐, full-width letters); None when none matches."""
    name = str(name).strip()
    if name in book.datasets:
        return name
    key = fold(name)
    for dataset, spec in book.datasets.items():
        if fold(dataset) == key or (spec.title and fold(spec.title) == key):
            return dataset
    return None


def dataset_suggestion(book: Rulebook, name: str) -> str | None:
    """The dataset (name) closest to ``name`` by name or title, for an error's did-you-mean."""
    options = {dataset: dataset for dataset in book.datasets}
    options.update({spec.title: dataset for dataset, spec in book.datasets.items() if spec.title})
    hit = closest(name, options, cutoff=0.5)
    return options[hit] if hit is not None else None


# ------------------------------------------------------------------ the JSON Schema for editors

#: what each key of the rulebook means, for the JSON Schema an editor shows on hover. A key is
#: described by (model, key) where its meaning depends on the model, else by its name.
SCHEMA_DESCRIPTIONS: dict = {
    "rulebook": "方案信息 The plan: id, title, issuer, year, period, grades, min_coverage.",
    "extends": "继承 Parent rulebook: a path relative to this file, or builtin:<id>. This file then "
               "gives only what changes: mappings merge key by key, rules merge by id.",
    "remove_rules": "删除继承的规则 Inherited rule ids to drop.",
    "calendar": "工作日历 Working days: extra holidays and make-up workdays, and what to do for a "
                "year the bundled calendar does not cover.",
    "sections": "章节 The plan's chapters, to group scores.",
    "datasets": "台账 The ledgers the rules read: name -> its title, key, division field and fields.",
    "rules": "规则 The checks, one per plan sentence a ledger can show.",
    "waivers": "豁免 Approved exceptions: {rule, key, reason, approved_by, expires}.",
    ("BookInfo", "id"): "方案编号 Identifier of the rulebook: lower-case letters, digits and '-'.",
    ("BookInfo", "title"): "方案名称 The plan's full title.",
    ("BookInfo", "description"): "说明 Notes on the plan and its sources.",
    ("BookInfo", "period"): "考核期间 The period the plan covers: {start, end}.",
    "issuer": "发布单位 The body that issued the plan.",
    "year": "年度 The plan's year.",
    "grades": "等次 Grade bands, highest first: the first whose min <= percent is the grade; the last has min 0.",
    "min_coverage": "最低覆盖率 Below this coverage (0-1) the grade comes from the strict percent (rules "
                    "that could not be assessed count as 0). Default 1.",
    "rectification": "整改时限 Working days after the as-of date by which the rectification list's "
                     "findings are to be fixed or explained.",
    ("Grade", "min"): "分数线 The lowest percent of this band (0-100).",
    ("Grade", "label"): "等次名称 The band's name (优秀, 良好 ...).",
    ("Period", "start"): "开始日期 First day of the period (YYYY-MM-DD).",
    ("Period", "end"): "结束日期 Last day of the period (YYYY-MM-DD).",
    "extra_holidays": "补充节假日 Holidays to add to the official calendar (YYYY-MM-DD).",
    "extra_workdays": "补充调休上班日 Make-up workdays to add to the official calendar (YYYY-MM-DD).",
    "fallback": "无数据年份的处理 For a year neither the bundled calendar nor the rulebook covers: "
                "weekends (Monday-Friday, with a warning) or error.",
    ("Section", "id"): "章节编号 The section's id, named by rules' section.",
    ("Section", "title"): "章节名称 The chapter's title as the plan writes it.",
    ("Section", "description"): "说明 Notes on the chapter.",
    ("DatasetSpec", "title"): "台账名称 The ledger's name as offices call it (公文台账); --data accepts it too.",
    ("DatasetSpec", "key"): "记录编号字段 The field that identifies a record in findings and waivers.",
    ("DatasetSpec", "department"): "处室字段 The field whose value is the division (处室) a finding belongs to.",
    ("DatasetSpec", "description"): "说明 What the ledger records.",
    ("DatasetSpec", "fields"): "字段 The ledger's columns: name -> {type, required, aliases, values}.",
    "type": "类型 string, integer, number, boolean (是/否), date, category (one code), set (several codes).",
    "required": "必有列 true: the file must have this column.",
    "aliases": "表头别名 Headers this column may have in a file (the first one is the preferred header).",
    "values": "取值 For category and set fields: code -> the labels that mean it (部分公开 ...).",
    ("FieldSpec", "description"): "说明 What the column holds.",
    ("Rule", "id"): "规则编号 Unique id: upper-case letters, digits and '-'. In a child rulebook, an "
                    "existing id overrides only the keys given.",
    ("Rule", "title"): "规则名称 The rule in a sentence, as the report lists it.",
    ("Rule", "dataset"): "台账 The dataset whose rows the rule judges.",
    ("Rule", "kind"): "类型 required, condition, ratio, deadline, unique, sequence, count or trend.",
    ("Rule", "section"): "章节 The section (chapter) the rule scores in.",
    ("Rule", "where"): "范围 Which rows the rule looks at: an expression (公开属性 == '主动公开').",
    ("Rule", "severity"): "严重程度 critical / major / minor, or 严重 / 较重 / 一般.",
    ("Rule", "points"): "分值 Points of the rule (0: reported, not scored).",
    ("Rule", "scoring"): "计分方式 proportional, all_or_nothing or {deduct: X, max: Y}.",
    ("Rule", "basis"): "依据 The plan's clause and text the rule enforces: {clause, text, source}.",
    ("Rule", "description"): "说明 Markdown shown in the report and by explain.",
    ("Rule", "enabled"): "启用 false: the rule is kept but not run.",
    ("Rule", "join"): "关联 Bring aggregates of another dataset in as fields: {dataset, on, fields}.",
    ("Rule", "min"): "下限 The lowest pass rate (0-1; 0.9 for 90%); for count, the fewest rows per group.",
    ("Rule", "max"): "上限 The highest rate (0-1); for count, the most rows per group.",
    ("Rule", "warn"): "预警线 A rate within the bounds below (for min) or above (for max) which the "
                      "rule warns (status warn, scored as a pass).",
    ("Rule", "expect"): "要求 What must hold for each row: an expression.",
    ("Rule", "fields"): "字段 The fields the rule checks (required: filled in; unique: the combination; "
                        "sequence: dates in process order).",
    ("Rule", "start"): "起算字段 The date field the clock starts from.",
    ("Rule", "end"): "办结字段 The date field that ends the clock (blank: still open).",
    ("Rule", "limit"): "期限 {working_days: N} or {calendar_days: N}.",
    ("Rule", "extension"): "延期 {when: expression, working_days: N}: more days when the condition holds.",
    ("Rule", "restart"): "重新起算字段 If filled in, the clock starts from this date instead.",
    ("Rule", "exclude"): "不计入期间 Pauses not counted: [{from: field, to: field}].",
    ("Rule", "due_soon"): "即将到期 {working_days: N}: an open row due within N working days is yellow "
                          "(the law gives no figure: a parameter).",
    ("Rule", "per"): "分组字段 Count rows per value of this field.",
    ("Rule", "groups"): "必须出现的组 Group values that must appear even with no row.",
    ("Rule", "of"): "比较的规则 The rule of the previous result whose rate this one compares with.",
    ("Rule", "min_change"): "最少提高 The rate must rise by at least this many points over the previous one.",
    ("Rule", "max_change"): "最多提高 The rate may rise by at most this many points.",
    "clause": "条款 The plan's clause number (三(一)).",
    "text": "原文 The plan's sentence, quoted.",
    "source": "出处 The law or document behind the clause.",
    "deduct": "每条扣分 Points deducted per violation.",
    ("Deduct", "max"): "最多扣分 The most points deducted (default: the rule's points).",
    ("Join", "dataset"): "关联台账 The other dataset.",
    ("Join", "on"): "关联字段 This dataset's field -> the other dataset's field.",
    ("Join", "fields"): "带入的字段 New field name -> count, or {count|count_distinct|min|max: field}.",
    "count": "计数 The number of matching rows with this field filled in.",
    "count_distinct": "不同取值数 The number of distinct values of this field.",
    ("Aggregate", "min"): "最小值 The smallest (earliest) value of this field.",
    ("Aggregate", "max"): "最大值 The largest (latest) value of this field.",
    "working_days": "工作日数 A number of working days (official calendar).",
    "calendar_days": "自然日数 A number of calendar days.",
    "when": "条件 An expression: when true, the extension applies.",
    "from": "暂停开始字段 The date field a pause starts on (not counted after it).",
    "to": "暂停结束字段 The date field a pause ends on (blank: runs to the end or the as-of date).",
    "rule": "规则编号 The rule the waiver applies to.",
    ("Waiver", "key"): "记录编号 The record (its key) or group the waiver exempts.",
    "reason": "理由 Why the record is exempt.",
    "approved_by": "批准人 Who approved the waiver.",
    "expires": "到期日 After this date the waiver is ignored (with a warning).",
    ("BookInfo", "bonus"): "加分 The cap on bonus rules' points ({max}) and the grading percent from which they count "
                           "({min_percent}).",
    ("BonusSpec", "max"): "加分上限 At most this many bonus points in all.",
    ("BonusSpec", "min_percent"): "加分门槛 Bonus points count only when the grading percent is at least this.",
    ("Rule", "bonus"): "加分项 A bonus rule: its points are awarded on top of the score, not part of what is possible.",
    ("Rule", "veto"): "单项否决 A veto rule: when it fails, the grade is the lowest band whatever the score.",
    ("DatasetSpec", "files"): "文件名匹配 Globs of file names that hold this ledger in a unit's folder (assess), "
                              "e.g. \"*依申请*\".",
    ("DatasetSpec", "unit"): "单位字段 The field naming the unit of each row, when one ledger holds every unit (assess).",
    "annual_report": "年度报告表格 How the ledgers map onto tables 二, 三 and 四 of the annual report "
                     "(国办公开办函〔2021〕30号), for the annual-report command.",
    ("AnnualReportSpec", "requests"): "表三 The request ledger's mapping onto table 三 (收到和处理政府信息公开申请).",
    ("AnnualReportSpec", "documents"): "表二 The document ledger's mapping onto table 二 (主动公开).",
    ("AnnualReportSpec", "reviews"): "表四 The review ledger's mapping onto table 四 (行政复议、行政诉讼).",
    ("RequestsMapping", "dataset"): "台账 The dataset holding the requests.",
    ("DocumentsMapping", "dataset"): "台账 The dataset holding the documents.",
    ("ReviewsMapping", "dataset"): "台账 The dataset holding the review and litigation cases.",
    ("RequestsMapping", "received"): "收到日期字段 The date field of the original receipt.",
    ("RequestsMapping", "closed"): "办结日期字段 The date field a request was closed on (blank: still open).",
    ("RequestsMapping", "applicant"): "申请人类型 The applicant-type field and its codes -> table 三's columns.",
    ("RequestsMapping", "outcome"): "办理结果 The outcome field and its codes -> table 三's rows.",
    ("ApplicantMapping", "field"): "字段 The category field of the applicant type.",
    ("ApplicantMapping", "columns"): "列 Code -> table 三 column (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他).",
    ("OutcomeMapping", "field"): "字段 The category field of the outcome.",
    ("OutcomeMapping", "rows"): "行 Code -> table 三 row id (三(一), 三(二), 三(三)1 ... 三(六)3).",
    ("DocumentsMapping", "type"): "文件类型字段 The category field of the document type.",
    ("DocumentsMapping", "issued"): "制发日期字段 The date field a document was issued on.",
    ("DocumentsMapping", "repealed"): "废止日期字段 The date field a document was repealed on (blank: in force).",
    ("DocumentsMapping", "rows"): "行 Table 二 row (规章, 行政规范性文件) -> the document-type codes counted in it.",
    ("ReviewsMapping", "kind"): "案件类型字段 The category field of the case kind.",
    ("ReviewsMapping", "result"): "结果字段 The category field of the case result.",
    ("ReviewsMapping", "filed"): "立案日期字段 The date field a case was filed on.",
    ("ReviewsMapping", "closed"): "审结日期字段 The date field a case was concluded on (blank: not concluded).",
    ("ReviewsMapping", "groups"): "分组 Code of the kind -> 行政复议 / 未经复议直接起诉 / 复议后起诉.",
    ("ReviewsMapping", "results"): "结果 Code of the result -> 结果维持 / 结果纠正 / 其他结果 / 尚未审结.",
}

_RULE_DEFS = ("Rule",)


def _describe_schema(schema: dict) -> None:
    """Give every property of ``schema`` a description (SCHEMA_DESCRIPTIONS), in place."""
    def text(model: str, name: str) -> str | None:
        kind = "Rule" if model.endswith("Rule") else model
        return SCHEMA_DESCRIPTIONS.get((kind, name)) or SCHEMA_DESCRIPTIONS.get((model, name)) \
            or SCHEMA_DESCRIPTIONS.get(name)

    for model, definition in schema.get("$defs", {}).items():
        for name, prop in definition.get("properties", {}).items():
            if not prop.get("description"):
                found = text(model, name)
                if found:
                    prop["description"] = found
    for name, prop in schema.get("properties", {}).items():
        if not prop.get("description") and SCHEMA_DESCRIPTIONS.get(name):
            prop["description"] = SCHEMA_DESCRIPTIONS[name]


def _partial(definition: dict) -> dict:
    """A model's schema with nothing required (what a child rulebook may give of it)."""
    out = {k: v for k, v in definition.items() if k != "required"}
    return out


def extends_schema(schema: dict) -> dict:
    """The rulebook schema, accepting a child rulebook (one with ``extends``) that gives only
    what changes: with ``extends``, ``rulebook`` and datasets need no required key and a rule
    needs only its ``id`` (any key of any kind); without it, the full model applies."""
    defs = schema["$defs"]
    defs["PartialBookInfo"] = _partial(defs["BookInfo"])
    defs["PartialFieldSpec"] = _partial(defs["FieldSpec"])
    dataset = _partial(defs["DatasetSpec"])
    dataset["properties"] = dict(dataset["properties"])
    dataset["properties"]["fields"] = {"type": "object", "additionalProperties": {"$ref": "#/$defs/PartialFieldSpec"},
                                       "description": SCHEMA_DESCRIPTIONS[("DatasetSpec", "fields")]}
    defs["PartialDatasetSpec"] = dataset
    rule_props: dict = {}
    for model, definition in defs.items():
        if model.endswith("Rule"):
            for name, prop in definition.get("properties", {}).items():
                if name == "kind":
                    kinds = rule_props.setdefault("kind", {"enum": [], "description": prop.get("description")})
                    kinds["enum"] += [prop.get("const")] if "const" in prop else list(prop.get("enum", []))
                else:
                    rule_props.setdefault(name, prop)
    defs["PartialRule"] = {"type": "object", "title": "PartialRule", "required": ["id"], "properties": rule_props,
                           "additionalProperties": False,
                           "description": "规则（继承方案中） A rule of a child rulebook: its id, and the keys that change."}
    props = schema["properties"]
    full = {name: props[name] for name in ("rulebook", "datasets", "rules") if name in props}
    for name in full:
        props[name] = {"description": full[name].get("description") or SCHEMA_DESCRIPTIONS[name]}
    schema["if"] = {"required": ["extends"]}
    schema["then"] = {"properties": {
        "rulebook": {"$ref": "#/$defs/PartialBookInfo", "description": SCHEMA_DESCRIPTIONS["rulebook"]},
        "datasets": {"type": "object", "additionalProperties": {"$ref": "#/$defs/PartialDatasetSpec"},
                     "description": SCHEMA_DESCRIPTIONS["datasets"]},
        "rules": {"type": "array", "items": {"$ref": "#/$defs/PartialRule"}, "description": SCHEMA_DESCRIPTIONS["rules"]}}}
    for name, prop in full.items():
        prop.setdefault("description", SCHEMA_DESCRIPTIONS[name])
    schema["else"] = {"properties": full, "required": [r for r in schema.pop("_required_full", [])]}
    return schema


def _severity_words(schema: dict) -> None:
    """severity: the codes and the Chinese words the loader accepts (严重 / 较重 / 一般)."""
    from .models import SEVERITY_ALIASES

    for model, definition in schema.get("$defs", {}).items():
        prop = definition.get("properties", {}).get("severity")
        if prop and "enum" in prop:
            prop["enum"] = list(dict.fromkeys(list(prop["enum"]) + list(SEVERITY_ALIASES)))
