"""YAML features that change what a file means without it showing, found by streaming the
parser's events (nothing is constructed or expanded, so a hostile file costs little).

Refused: aliases (content repeated from elsewhere, and alias bombs), merge keys (``<<:`` adds
keys a reviewer does not see as keys of the mapping), explicit tags (``!!binary``, ``!!str``,
``!custom``, ``!!python/…``), directives (``%YAML 1.1`` changes how every value is read), a second
document, nesting deeper or collections longer than any real file needs, and plain values that a
YAML 1.1 reader (many editors and tools) reads differently from trustcircle (``no``, ``010``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml import events as ev

from trustcircle.model.issues import Issue

MAX_DEPTH = 20
MAX_ITEMS = 1000
MAX_NUMBER_CHARS = 30
# plain scalars YAML 1.1 reads as booleans or numbers that YAML 1.2 (trustcircle) reads otherwise
AMBIGUOUS = re.compile(r"""(?x)
    (?P<boolean> y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF )
  | (?P<number> [-+]?0[0-9_]+(\.[0-9_]*)?          # a leading zero: octal to YAML 1.1
  | [-+]?0o[0-7_]+ | [-+]?0b[01_]+                 # octal to 1.2 only, binary to 1.1 only
  | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?   # base 60 to YAML 1.1
  | [-+]?[0-9]+_[0-9_]*(\.[0-9_]*)? )              # digit separators
""")
NUMBER = re.compile(r"[-+]?[0-9][0-9_.:a-fA-FxXoObB]*")
STOPS = {"TC005", "TC009", "TC013", "TC014", "TC017"}  # the file is not validated further
# libyaml's parser, fast; the file is then loaded by ruamel.yaml's: a file the first cannot parse
# entirely is refused even if the second can, so nothing reaches the model unscanned
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Open:
    mapping: bool
    path: list[str]
    count: int = 0
    key: str = ""


@dataclass
class Scan:
    name: str
    issues: list[Issue] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    documents: int = 0
    unparseable: bool = False  # aliases, excessive nesting, giant numbers: not even given to the parser
    syntax_error: Issue | None = None  # where this parser stopped (what it did not scan)

    def add(self, event: ev.Event, rule: str, message: str, hint: str, path: list[str] | None = None) -> None:
        mark = event.start_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        self.issues.append(Issue(self.name, line, col, ".".join(path or self.path()) or "$", rule, message, hint))

    def path(self) -> list[str]:
        if not self.stack:
            return []
        top = self.stack[-1]
        return [*top.path, top.key if top.mapping else str(top.count - 1)]

    @property
    def stops(self) -> bool:
        return any(i.rule in STOPS for i in self.issues)



def _count(scan: Scan, event: ev.NodeEvent) -> bool:
    """Count a node in its collection; True when it is a mapping's key."""
    top = scan.stack[-1] if scan.stack else None
    if top is None:
        return False
    top.count += 1
    if top.count == (2 * MAX_ITEMS if top.mapping else MAX_ITEMS) + 1:
        scan.add(event, "TC017", f"more than {MAX_ITEMS} entries in one list or mapping", "split the file")
    return top.mapping and top.count % 2 == 1


def _node(scan: Scan, event: ev.NodeEvent) -> None:
    """A scalar or the start of a collection: its position, tag and (for a scalar) its value."""
    is_key = _count(scan, event)
    path = scan.stack[-1].path if is_key else scan.path()
    tag = getattr(event, "tag", None)
    if tag is not None:
        scan.add(event, "TC013", f"explicit YAML tag {tag!s}", "remove the tag: write the value plainly "
                 "(quote it if it must be text)", path)
    if isinstance(event, ev.ScalarEvent):
        _scalar(scan, event, is_key, path)


def _scalar(scan: Scan, event: ev.ScalarEvent, is_key: bool, path: list[str]) -> None:
    value = event.value
    if is_key:
        scan.stack[-1].key = value
        if value == "<<" and not event.style:  # plain (libyaml says "", PyYAML None)
            scan.add(event, "TC009", "YAML merge key `<<`: it adds keys to this mapping from elsewhere",
                     "write each key of the mapping out in full where it applies", path)
        return
    if event.style:  # quoted or block text: read alike by every YAML version
        return
    if NUMBER.fullmatch(value) and len(value) > MAX_NUMBER_CHARS:
        scan.add(event, "TC017", f"a number of {len(value)} digits", "no field takes a number that long", path)
        scan.unparseable = True
    elif (match := AMBIGUOUS.fullmatch(value)) is not None:
        if match.group("boolean"):
            scan.add(event, "TC019", f"`{value}` is a boolean to YAML 1.1 readers and the text {value!r} to "
                     "trustcircle", f"write true or false for a yes/no field; quote it ('{value}') if you mean "
                     "text", path)
        else:
            scan.add(event, "TC019", f"`{value}` is read as different numbers (or text) by YAML 1.1 and 1.2",
                     "write numbers in plain decimal, without leading zeros or _ (quote it if it is text)", path)


def _document(scan: Scan, event: ev.DocumentStartEvent) -> None:
    scan.documents += 1
    if event.version or event.tags:
        scan.add(event, "TC014", "a YAML directive (%YAML or %TAG): it changes how every value is read",
                 "remove the directive line and the --- after it")
    if scan.documents == 2:
        scan.add(event, "TC014", "a second YAML document in the file: it would be ignored",
                 "one document per file: remove the --- line and what follows, or move it to a file of its own")


def scan(name: str, text: str) -> Scan:
    """Every refused feature of ``text``; where the scan stopped on a syntax error, if it did."""
    found = Scan(name)
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, ev.DocumentStartEvent):
                _document(found, event)
            elif isinstance(event, ev.AliasEvent):
                _count(found, event)
                if not any(i.rule == "TC005" for i in found.issues):
                    found.add(event, "TC005", "YAML anchors and aliases are not allowed", "write each value out "
                              "in full (aliases hide content where it applies and can explode in size)")
                found.unparseable = True
            elif isinstance(event, ev.NodeEvent):
                _node(found, event)
                if isinstance(event, ev.CollectionStartEvent):
                    found.stack.append(_Open(isinstance(event, ev.MappingStartEvent), found.path()))
                    if len(found.stack) > MAX_DEPTH:
                        found.add(event, "TC017", f"nested deeper than {MAX_DEPTH} levels", "no file of realms/ "
                                  "needs this depth: flatten it", found.stack[-1].path)
                        found.unparseable = True
                        break
            elif isinstance(event, ev.CollectionEndEvent):
                found.stack.pop()
    except yaml.YAMLError as err:  # the loading parser reports it; if that one reads the file, it is refused
        mark = getattr(err, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        found.syntax_error = Issue(name, line, col, "$", "TC002", f"YAML that parsers read differently: "
                                   f"{getattr(err, 'problem', None) or err}", "write plain YAML (block mappings and "
                                   "lists, quoted text) that every YAML parser reads alike")
    return found
