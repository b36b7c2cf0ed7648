"""Invalid inputs by the kind of parameter they are invalid for: plain values, always the same.

``tests/properties_census.py`` runs exactly these over every entry point; the property tests
(``strategies.py``) draw from them and add generated values of the same kinds. Every value here
is invalid *on its own* for its kind: nothing depends on what the org holds.
"""

from __future__ import annotations

import reprlib
from decimal import Decimal
from pathlib import Path
from typing import Any

NAN = float("nan")
INF = float("inf")
DEPTH = 3000  # beyond Python's recursion limit: recursive checks must not be the ones to find out
LONG = "x" * 10_000
HUGE = 10**5000  # too long for str(): int-to-str raises above 4,300 digits
BIG = 10**40  # more digits than any Zoho id


def deep_list(depth: int = DEPTH) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def deep_dict(depth: int = DEPTH, key: str = "a") -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {key: value}
    return value


def deep_criteria(depth: int = DEPTH) -> dict[str, Any]:
    """A criteria tree nested ``depth`` groups deep."""
    node: dict[str, Any] = {"field": {"api_name": "Lead_Source"}, "comparator": "equal", "value": "Web"}
    for _ in range(depth):
        node = {"group_operator": "AND", "group": [node]}
    return node


class Opaque:
    """An object no JSON, no URL and no Zoho call can take."""

    def __repr__(self) -> str:
        return "Opaque()"


DEEP_LIST_TEXT = "[" * DEPTH + "]" * DEPTH
DEEP_DICT_TEXT = '{"a": ' * DEPTH + "1" + "}" * DEPTH
UNHASHABLE_TEXT = "[{[]: 1}]"  # a Python literal whose dict key is a list

# fmt: off
# Values no scalar parameter (an id, a name, a module, a number) takes.
STRUCTURES: list[Any] = [
    Opaque(), 1j, b"123", bytearray(b"12"), {1, 2}, frozenset(), (1,), Decimal("12"), [], {}, [[]], {"a": 1},
    ["554023000001798647"], {"id": "554023000001798647"}, deep_list(), deep_dict(),
]
NUMBERS: list[Any] = [True, False, 0, -1, -BIG, 1.5, NAN, INF, -INF, BIG, HUGE]
# Fullwidth and Arabic-Indic digits are digits to str.isdigit(), not to Zoho.
TEXT: list[Any] = [
    "", " ", "\t\n", "\x00", "12\x0034", LONG, "../../x", "..", "/etc/passwd", "12/../34", "12?x=1", "12#x",
    "%2e%2e%2f", "\uff11\uff12\uff13", "\u0663\u0664", "12 ", " 12", "-12", "+12", "1e3", "0x1f", "1_000", "1" * 31,
    "nan", "inf", "null", "None", "true", "[1]", '{"a": 1}', UNHASHABLE_TEXT, DEEP_LIST_TEXT, "\ud800", "12\n",
]

ID = [None, *NUMBERS, *TEXT, *STRUCTURES]
MODULE_TEXT = [
    "", " ", "1Leads", "_Leads", "Le ads", "Leads\x00", "Leads/..", "../Leads", "Leads?x=1", "Leads#", "L\u00e9ads",
    "Leads\n", "x" * 101, LONG, "Leads,Contacts", "%2e", "\ud800",
]
MODULE = [None, *NUMBERS, *MODULE_TEXT, *STRUCTURES, ["Leads"], {"api_name": "Leads"}]
BOOL = [None, 0, 1, -1, 1.5, NAN, "true", "false", "True", "", "yes", "1", b"true", [True], "false ", *STRUCTURES[:4]]
TEXT_BOOL = [
    None, 0, 1, 1.5, NAN, "", " ", "yes", "no", "1", "0", "t", "truee", "true\x00", LONG, "[true]", ["true"],
    b"true", *STRUCTURES[:4], [], {},
]
NAME = [
    None, "", " ", "\t", "x" * 51, LONG, "a#b", "a@b", "a\x00b", "\x1c", "a<b>", "{{ name }}", 123, 1.5, NAN, True,
    b"name", *STRUCTURES,
]
PRIMARY_MODULE = [
    *[value for value in MODULE if not isinstance(value, dict)], {}, {"api_name": "1x"}, {"id": "abc"}, {"id": BIG},
    {"id": HUGE}, {"module": "Leads"}, {"api_name": "Leads", "bogus": 1}, {"api_name": None, "id": None},
    {"api_name": ["Leads"]}, {"id": []}, {1: "Leads"},
]
DESCRIPTION = ["x" * 501, LONG, 123, 1.5, NAN, True, b"x", ["d"], *STRUCTURES]
IF_EXISTS = [None, "", " ", "Reuse", "REUSE", "reuse ", "overwrite", "fail\x00", 1, True, NAN, ["reuse"], *STRUCTURES]
STATUS = [None, "", " ", "published", "activ", "active\x00", 1, True, NAN, LONG, ["active"], *STRUCTURES]
ON_DRIFT = [None, "", "FAIL", "ignore", "warn ", 1, True, NAN, ["fail"], *STRUCTURES]

_ID_LISTS: list[Any] = [
    [None], ["abc"], [-1], [0], [BIG], [HUGE], ["1" * 31], ["../../x"], [[]], [{}], [1.5], [True], ["12\x00"],
    [NAN], deep_list(), ["554023000001798647", "bad"],
]
RECORD_IDS = [
    "", "123", b"123", None, 123, 1.5, NAN, True, Opaque(), {"554023000001798647": 1}, {}, *_ID_LISTS,
]
RECORD_IDS_TEXT = [
    " ", ",", " , ", "abc", "1, abc", "[1, 2", "{[]: 1}", UNHASHABLE_TEXT, DEEP_LIST_TEXT, DEEP_DICT_TEXT,
    '{"a": 1}', '["abc"]', "[null]", "12\x0034", "None", "nan", "[1e400]",
]
CADENCE_IDS = [*RECORD_IDS, [], {"554023000004092008": 1}, ["554023000004092008", []]]
MAX_WORKERS = [
    None, True, False, 0, -1, 26, BIG, HUGE, 1.5, 8.0, NAN, INF, "", " ", "many", "0", "26", "8.0", "1e3", "\u0668",
    "-1", "8\x00", [8], b"8", *STRUCTURES[:4],
]
CHECKPOINT = [None, 0, 1, 1.5, NAN, [], {}, Opaque(), b"/tmp", "", " ", "relative/dir", "yes", "http://[::1", "\x00"]

POSITIVE_FLOAT = [
    0, -1, -0.5, NAN, INF, -INF, "nan", "inf", "-inf", "Infinity", "1e400", "0", "-1", "abc", "1,5", "30s", True,
    False, 10**400, "1" * 400, "\u0663", "3_0", "30\x00", b"30", [30], 1j, Opaque(), {}, Decimal("NaN"),
]
POSITIVE_INT = [
    0, -1, 1.5, "1.5", NAN, INF, "nan", "inf", True, False, 10**400, "9" * 400, " ", "abc", "\u0663", "1_0",
    "3\x00", b"3", [3], 1j, Decimal("2.5"), Opaque(), {},
]
CHOICE = [1, True, 1.5, NAN, ["us"], {}, Opaque(), "xx", "u s", "us\x00", LONG, b"us", " "]
URL = [
    "http://[::1", "https://127.0.0.1:abc", "https://127.0.0.1:99999", "https://127.0.0.1:0", "ftp://x.example",
    "https://", "http://example.com", "https://user:pw@x.example", "https://x.example?a=1", "https://x.example#f",
    "https://x.example/a\x00", "https://x .example", "https://x.example/a\nb", "javascript:alert(1)", "//x.example",
    "x.example", "https://" + LONG, 123, True, [], {}, Opaque(), b"https://x.example",
]
SECRET = [None, "", " ", "\t", 123, True, [], {}, Opaque(), b"x", "a\x00b", "a\nb", LONG]
CONN_ID = [123, [], {"a": 1}, Opaque(), "a\x00b", "x" * 1000, True, 1.5]
EXTRA = ["{", "not json", 1, [], ["refresh_token"], Opaque(), True, {"refresh_token": "r", "timeuot": 5}]

ORDER = [
    None, "", " ", "abc", 1, 1.5, NAN, True, Opaque(), [], {}, [None], ["abc"], [BIG], ["1" * 31], ["../../x"],
    [[]], [{}], ["12", "12"], {"12": 0}, {"12": -1}, {"12": 1.5}, {"12": True}, {"12": "1"}, {"abc": 1},
    {"12": 1, "13": 1}, {"12": NAN}, {(1, 2): 1}, deep_list(),
]
ORDER_TEXT = ["[1, 2", "{'12': 0}", UNHASHABLE_TEXT, DEEP_LIST_TEXT, DEEP_DICT_TEXT, '["abc"]', "{]"]
POSITIONS = [
    None, "x", 1, {}, {"id": "12"}, [None], [{}], [{"id": "12"}], [{"id": "12", "module_specific_sequence": 0}],
    [{"id": "12", "module_specific_sequence": True}], [{"id": "12", "module_specific_sequence": 1.5}],
    [{"id": "12", "module_specific_sequence": NAN}], [{"id": "../x", "module_specific_sequence": 1}],
    [{"id": BIG, "module_specific_sequence": 1}],
    [{"id": "12", "module_specific_sequence": 1}, {"id": "12", "module_specific_sequence": 2}],
    [{"id": "12", "module_specific_sequence": HUGE}], [{"id": "12", "module_specific_sequence": 1, "bogus": 1}],
    deep_list(),
]


def _condition(**fields: Any) -> dict[str, Any]:
    return {"conditions": [{"sequence_number": 1, **fields}]}


RULE_SHAPES: list[Any] = [
    None, "", "x", 1, [], [{}], Opaque(), {"name": ""}, {"name": "a#b"}, {"name": "x" * 101}, {"name": 1},
    {"name": None}, {"description": 1}, {"lock": {"status": "yes"}}, {"lock": {"status": True}},
    {"status": {"active": "false"}}, {"status": {"active": NAN}},
    {"status": {"active": True, "delete_schedule_action": True}}, {"conditions": "x"},
    {"conditions": [{"sequence_number": 0}]}, {"conditions": [{"id": "../../x"}]}, {"execute_when": "x"},
    {"execute_when": {"type": "bogus"}}, {"name": "ok", 1: 2}, deep_dict(),
]
RULE_EMPTY: list[Any] = [{}, {"bogus": 1}, {"id": "4876876000010880001"}]
RULE_DELETE_IDS: list[Any] = [
    _condition(scheduled_actions=[{"id": [], "_delete": None}]),
    _condition(scheduled_actions=[{"id": {"a": 1}, "_delete": None}]),
    _condition(scheduled_actions=[{"id": "../../x", "_delete": None}]),
]
RULE_DEEP: list[Any] = [
    _condition(criteria=deep_criteria()), _condition(criteria_details={"criteria": deep_criteria()}),
]
RULE_JSON: list[Any] = [
    {"name": "ok", "description": "x", "lock": {"status": False, "message": NAN}}, _condition(sequence_number=HUGE),
]
RULE = [*RULE_SHAPES, *RULE_EMPTY, *RULE_DELETE_IDS, *RULE_DEEP, *RULE_JSON]
RULE_TEXT = ["{", "not json", '{"bogus": 1}', UNHASHABLE_TEXT, DEEP_LIST_TEXT, DEEP_DICT_TEXT, "[1, 2]"]

METHOD = [None, "", " ", "HEAD", "OPTIONS", "TRACE", "CONNECT", "G ET", "GET\r\nX: y", "get\x00", 1, True, b"GET", LONG]
METHOD += STRUCTURES[:4]
REQUEST_PATH = [
    None, "", " ", "/settings", "settings/", "../x", "settings/../x", "https://evil.example/x", "//evil.example",
    "settings?x=1", "settings#x", "settings\x00", "settings/%2e%2e", "a b", "settings\n", "x" * 5000,
    "\uff53ettings", 1, b"settings", *STRUCTURES[:4],
]
PARAMS = [
    "a=b", 1, [], [("a", "b")], Opaque(), {"a": Opaque()}, {"a": NAN}, {"a": INF}, {"a": None}, {"a": True},
    {"a": {"b": 1}}, {"a": [1, [2]]}, {1: "a"}, {"": "a"}, {"a b": "x"}, {"a": LONG}, {"a": HUGE}, {"a": b"\xff"},
    {"a\x00": "x"}, {"a": "x\x00"}, deep_dict(),
]
JSON = [
    Opaque(), {"a": Opaque()}, {"a": NAN}, {"a": INF}, {"a": -INF}, {1: "a"}, {(1, 2): "a"}, {"a": {1, 2}},
    {"a": b"x"}, {"a": HUGE}, {"a": 1j}, {"a": Decimal("1")}, deep_dict(), deep_list(), "text", 1, True, NAN,
]
RETRY = [None, 0, 1, "true", "false", [], {}, NAN, Opaque()]
PLANNED = [
    None, {}, [], "x", 1, {"method": "GET"}, {"method": None, "path": "settings/x", "params": None, "json": None},
    {"method": "PUT", "path": "../x", "params": None, "json": None},
    {"method": "PUT", "path": "settings/x", "params": "a", "json": Opaque()},
    {"method": "PUT", "path": "settings/x", "params": None, "json": {"a": NAN}},
]
PROGRESS = [1, "x", Opaque(), [], {}]
CHECKPOINT_OBJECT = ["/tmp/x", 1, Opaque(), True, {}]
DRY_RUN = ["false", "true", "yes", 1, 0, None, [], NAN]

MODULES = [None, "", " ", ",", 1, NAN, True, [], {}, ["1x"], [None], ["Leads", 1], "1x", "Leads, 1x", b"Leads"]
MODULES += [UNHASHABLE_TEXT, "[", DEEP_LIST_TEXT, {"Leads": 1}, Opaque(), deep_list()]
SELECTION = [
    "not json", 1, [], True, Opaque(), {"bogus": 1}, {"modules": "Leads"}, {"rules": [1]}, {"rules": [{}]},
    {"rules": [{"id": []}]}, {"rules": [{"module": "Leads", "bogus": "x"}]}, {"connected_workflows": "yes"},
    {"connected_workflows": [1]}, {"modules": [""]}, UNHASHABLE_TEXT, DEEP_LIST_TEXT, DEEP_DICT_TEXT, deep_dict(),
]
SNAPSHOT_VALUES = [
    None, "", " ", "{", UNHASHABLE_TEXT, DEEP_LIST_TEXT, DEEP_DICT_TEXT, {}, [], 1, NAN, Opaque(),
    {"version": 1, "taken_at": "t", "modules": {"Leads": {"workflow_rules": [{"id": []}]}}},
    {"version": 1, "taken_at": "t", "modules": {"1x": {"workflow_rules": []}}},
    {"version": 1, "taken_at": "t", "modules": deep_dict()}, "http://[::1", "foo://bucket/snapshot.json",
    "/no/such/snapshot.json", "a\x00b", "/" + "x" * 300 + ".json", LONG,
]
# fmt: on


def snapshot_files(root: Path) -> list[str]:
    """Paths under ``root`` that hold no readable snapshot: a directory, a binary file, deep JSON ..."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "binary.json").write_bytes(b"\xff\xfe\x00\x81" * 64)
    (root / "deep.json").write_text(DEEP_LIST_TEXT)
    (root / "deep_dict.json").write_text(DEEP_DICT_TEXT)
    (root / "text.json").write_text("not json")
    (root / "list.json").write_text("[1, 2]")
    (root / "nan.json").write_text('{"version": NaN}')
    (root / "a_file").write_text("")
    return [
        str(root),
        str(root / "binary.json"),
        str(root / "deep.json"),
        str(root / "deep_dict.json"),
        str(root / "text.json"),
        str(root / "list.json"),
        str(root / "nan.json"),
        str(root / "a_file" / "child.json"),
        root.as_uri(),
        (root / "binary.json").as_uri(),
    ]


def write_paths(root: Path) -> list[Any]:
    """Where a snapshot cannot be written: a directory, under a file, a NUL byte, a name too long ..."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "a_file").write_text("")
    return [
        str(root),
        str(root / "a_file" / "snapshot.json"),
        str(root / "a\x00b.json"),
        str(root / ("x" * 300 + ".json")),
        str(root / "x" / LONG),
        "  ",
        "http://[::1",
        "foo://bucket/snapshot.json",
        root.as_uri(),
        123,
        True,
        [],
        {},
        Opaque(),
        b"/tmp/x.json",
        NAN,
    ]


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and dicts nest more than ``limit`` deep in ``value`` (counted without recursion)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend((child, depth + 1) for child in node)
    return False


def for_operators(values: list[Any]) -> list[Any]:
    """``values`` an operator can be built with: Airflow's own constructor walks nested arguments
    recursively (looking for XComArgs) and dies of objects nested thousands deep, before the
    provider sees them; a DAG can hold such a value only as rendered text, which stays.
    """
    return [value for value in values if not nested_deeper_than(value, 500)]


def label(value: Any) -> str:
    """A short description of ``value`` for reports, computable for huge ints and deep nesting too."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        return f"<int of {value.bit_length()} bits>"
    try:
        return _REPR.repr(value)
    except Exception:
        return f"<{type(value).__name__}>"


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 40
_REPR.maxother = 40
