"""Generators of invalid values, one per kind of parameter, invalid by construction.

Validity comes from the documented rules, not from the code under test: an id is 1-30 ASCII digits
or a positive int below 10**30, a module is an API name, a connected-workflow name is at most 50
characters of Zoho's set, a number extra is finite, above 0 and at most its bound, and so on.
"""

from __future__ import annotations

import math
import string
from typing import Any

from hypothesis import strategies as st

from . import corpus as c

# --- what is valid, from the documentation --------------------------------------------------------


def valid_id(value: Any) -> bool:
    if isinstance(value, str):
        return value.isascii() and value.isdigit() and 1 <= len(value) <= 30
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**30


def valid_module(value: Any) -> bool:
    return (
        isinstance(value, str)
        and 1 <= len(value) <= 100
        and value.isascii()
        and value[0].isalpha()
        and value.replace("_", "a").isalnum()
    )


def valid_text_bool(value: Any) -> bool:
    return isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("true", "false"))


NAME_SET = set(string.ascii_letters + string.digits + "_-\\.|$?,'/! \t\n\x0b\x0c\r")


def valid_name(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(value.strip(" \t\n\x0b\x0c\r"))
        and len(value) <= 50
        and all(char in NAME_SET or ord(char) > 0x7F for char in value)
    )


# --- generated invalid values per kind ------------------------------------------------------------

junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=8),
    st.complex_numbers(max_magnitude=10),
    st.builds(c.Opaque),
)
junk_containers = st.one_of(
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.sets(st.integers(), max_size=3),
    st.tuples(st.integers()),
)
word = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)
valid_id_text = st.integers(min_value=1, max_value=10**19).map(str)

bad_ids = st.one_of(
    st.text(max_size=40).filter(lambda s: not valid_id(s)),
    st.integers().filter(lambda n: not valid_id(n)),
    st.integers(min_value=10**30, max_value=10**60),
    junk_scalars,
    junk_containers,
)
bad_modules = st.one_of(st.text(max_size=120).filter(lambda s: not valid_module(s)), st.integers(), junk_scalars)
bad_bools = st.one_of(
    st.text(max_size=8), st.integers(), st.floats(), st.binary(max_size=4), st.lists(st.booleans(), max_size=2)
)
bad_text_bools = st.one_of(
    st.text(max_size=12), st.integers(), st.floats(), st.lists(st.booleans(), max_size=2)
).filter(lambda v: not valid_text_bool(v))
bad_names = st.one_of(
    st.text(max_size=70).filter(lambda s: not valid_name(s)),
    st.text(min_size=51, max_size=80).filter(lambda s: s.strip()),
    st.tuples(st.text(max_size=10), st.sampled_from('@#%&()*+=:;<>[]{}~`"^\x00\x1c\x7f'), st.text(max_size=10)).map(
        "".join
    ),
    st.integers(),
    junk_containers,
)
bad_primary_modules = st.one_of(
    bad_modules.filter(lambda v: v is not None),
    st.fixed_dictionaries({"api_name": bad_modules.filter(lambda v: v is not None)}),
    st.fixed_dictionaries({"id": bad_ids.filter(lambda v: v is not None)}),
    st.dictionaries(word.filter(lambda k: k not in ("api_name", "id")), st.text(max_size=5), min_size=1, max_size=2),
)
bad_descriptions = st.one_of(st.text(min_size=501, max_size=600), st.integers(), st.floats(), junk_containers)


def bad_choice(valid: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=12).filter(lambda s: s.strip().lower() not in valid and s not in valid),
        st.integers(),
        junk_scalars.filter(lambda v: v is not None),
        junk_containers,
    )


def id_lists(bad: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """A list of valid ids with at least one invalid one somewhere in it."""
    return st.tuples(st.lists(valid_id_text, max_size=120), bad, st.lists(valid_id_text, max_size=5)).map(
        lambda t: [*t[0], t[1], *t[2]]
    )


bad_record_ids = st.one_of(id_lists(bad_ids), st.text(max_size=20), st.integers(), junk_scalars)
bad_record_text = st.one_of(
    st.tuples(st.lists(valid_id_text, max_size=5), word, st.lists(valid_id_text, max_size=5)).map(
        lambda t: ", ".join([*t[0], t[1], *t[2]])
    ),
    st.text(alphabet=" ,\t\n", max_size=6),
    st.lists(bad_ids.filter(lambda v: isinstance(v, (str, int, float, type(None)))), min_size=1, max_size=3).map(
        lambda ids: "[" + ", ".join(repr(i) for i in ids) + "]"
    ),
)
bad_workers = st.one_of(
    st.integers().filter(lambda n: not 1 <= n <= 25),
    st.floats(),
    st.text(max_size=6),
    junk_scalars,
    junk_containers,
)
bad_workers_text = st.one_of(
    st.integers().filter(lambda n: not 1 <= n <= 25),
    st.floats(),
    st.text(max_size=6).filter(lambda s: not (s.strip().isascii() and s.strip().isdecimal() and 1 <= int(s) <= 25)),
)
bad_checkpoints = st.one_of(
    st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8}){0,2}", fullmatch=True).filter(lambda s: s not in ("true", "false")),
    st.integers(),
    st.floats(),
    junk_containers,
)
bad_json_leaf = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.builds(c.Opaque),
    st.binary(min_size=1, max_size=4),
    st.sets(st.integers(), min_size=1, max_size=2),
    st.integers(min_value=10**30, max_value=10**40),
)


def nested(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``leaf`` a few levels down a dict/list body."""
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.dictionaries(word, inner, min_size=1, max_size=2), st.lists(inner, min_size=1, max_size=2)
        ),
        max_leaves=4,
    )


RULE_KEYS = ("id", "name", "description", "module", "execute_when", "conditions", "lock", "status")
bad_rule_names = st.one_of(
    st.integers(),
    st.text(min_size=101, max_size=130).filter(lambda s: s.strip()),
    st.tuples(st.text(max_size=10), st.sampled_from("#%^&*()"), st.text(max_size=10)).map("".join),
    st.text(alphabet=" \t", max_size=3),
)
bad_rules = st.one_of(
    st.dictionaries(word.filter(lambda k: k not in RULE_KEYS), st.integers(), min_size=1, max_size=3),
    st.fixed_dictionaries({"name": bad_rule_names}),
    st.fixed_dictionaries({"description": st.one_of(st.integers(), st.floats(), junk_containers)}),
    st.fixed_dictionaries({"status": st.fixed_dictionaries({"active": bad_bools})}),
    st.fixed_dictionaries({"lock": st.fixed_dictionaries({"status": bad_bools})}),
    st.fixed_dictionaries(
        {"conditions": st.lists(st.fixed_dictionaries({"sequence_number": st.integers(max_value=0)}), min_size=1)}
    ),
    junk_scalars,
    st.integers(),
    st.lists(st.integers(), max_size=2),
)
bad_rule_text = st.one_of(word, st.tuples(st.just("{"), word).map("".join), st.just("[1, 2]"))
bad_positions_value = st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), st.text(max_size=3))
bad_order = st.one_of(
    st.lists(bad_ids, min_size=1, max_size=3),
    st.lists(valid_id_text, min_size=1, max_size=4).map(lambda ids: [*ids, ids[0]]),
    st.dictionaries(valid_id_text, bad_positions_value, min_size=1, max_size=3),
    st.dictionaries(word, st.integers(min_value=1, max_value=5), min_size=1, max_size=2),
    st.integers(),
    st.floats(),
    word,
    st.just([]),
    st.just({}),
)
bad_positions = st.one_of(
    st.lists(
        st.fixed_dictionaries({"id": bad_ids, "module_specific_sequence": st.integers(min_value=1, max_value=9)}),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.fixed_dictionaries({"id": valid_id_text, "module_specific_sequence": bad_positions_value}),
        min_size=1,
        max_size=3,
    ),
    st.dictionaries(word, st.integers(), max_size=2),
    st.text(max_size=5),
    st.integers(),
    st.none(),
)
SELECTION_KEYS = ("modules", "rules", "connected_workflows")
bad_selection = st.one_of(
    st.dictionaries(word.filter(lambda k: k not in SELECTION_KEYS), st.integers(), min_size=1, max_size=2),
    st.fixed_dictionaries(
        {"modules": st.one_of(st.integers(), word, st.lists(st.one_of(st.integers(), st.just("")), min_size=1))}
    ),
    st.fixed_dictionaries(
        {"rules": st.lists(st.one_of(st.integers(), st.just({}), st.fixed_dictionaries({"bogus": word})), min_size=1)}
    ),
    st.fixed_dictionaries({"connected_workflows": st.one_of(st.integers(), word, st.lists(st.integers(), min_size=1))}),
    st.integers(),
    st.lists(st.integers(), min_size=1, max_size=2),
    word,
)
bad_snapshots = st.one_of(
    st.fixed_dictionaries(
        {"version": st.integers().filter(lambda n: n != 1), "taken_at": st.text(max_size=5), "modules": st.just({})}
    ),
    st.fixed_dictionaries(
        {"version": st.just(1), "taken_at": st.text(max_size=5), "modules": st.one_of(st.integers(), word)}
    ),
    st.dictionaries(word, st.integers(), max_size=2),
    st.tuples(st.just("{"), word).map("".join),
    word.map(lambda w: f"/no/such/dir/{w}.json"),
    st.integers(),
    st.floats(),
)
bad_modules_lists = st.one_of(
    st.lists(bad_modules.filter(lambda v: not isinstance(v, (list, dict, tuple, set))), min_size=1, max_size=3),
    st.tuples(st.just("Leads"), st.from_regex(r"[0-9_][A-Za-z0-9]{0,5}", fullmatch=True)).map(", ".join),
    st.integers(),
    st.floats(),
    st.just([]),
)
CONTROL = "\x00\x01\x07\x1b\x7f\n\r\t"
bad_secrets = st.one_of(
    st.tuples(word, st.sampled_from(CONTROL), word).map("".join),
    st.text(alphabet=string.ascii_letters, min_size=1001, max_size=1100),
    st.integers(),
    st.floats(),
    st.binary(min_size=1, max_size=4),
    junk_containers,
)
host = word.map(lambda w: f"{w.lower()}.example.com")
bad_urls = st.one_of(
    word,
    host.map(lambda h: f"http://{h}"),
    st.tuples(host, st.integers(min_value=65536, max_value=10**6)).map(lambda t: f"https://{t[0]}:{t[1]}"),
    st.tuples(host, word).map(lambda t: f"https://{t[0]}:{t[1]}"),
    st.tuples(word, host).map(lambda t: f"https://{t[0]}:pw@{t[1]}"),
    st.tuples(host, word).map(lambda t: f"https://{t[0]}/?{t[1]}=1"),
    st.tuples(host, word).map(lambda t: f"https://{t[0]}#{t[1]}"),
    st.tuples(host, st.sampled_from(" \x00\x7f")).map(lambda t: f"https://{t[0]}/a{t[1]}b"),
    st.integers(),
    junk_containers,
)


def bad_numbers(maximum: float, *, integer: bool) -> st.SearchStrategy[Any]:
    out_of_range = st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=int(maximum) + 1, max_value=10**20),
        st.floats(max_value=0),
        st.floats(min_value=maximum, exclude_min=True),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )
    texts = st.one_of(word, out_of_range.map(str), st.just("1,5"))
    fractions = st.floats(min_value=0.01, max_value=maximum).filter(lambda f: not f.is_integer())
    extra = st.one_of(fractions, fractions.map(str)) if integer else st.nothing()
    return st.one_of(out_of_range, texts, extra, st.booleans(), junk_containers)


bad_conn_ids = st.one_of(
    st.integers(),
    st.floats(),
    st.tuples(word, st.sampled_from(CONTROL), word).map("".join),
    st.text(alphabet=string.ascii_lowercase, min_size=251, max_size=300),
    junk_containers,
)
bad_hook_conn_ids = st.one_of(bad_conn_ids, st.text(alphabet=" \t", max_size=3), word.map(lambda w: f"missing_{w}"))
EXTRA_KEYS = ("refresh_token", "data_center", "environment", "api_version", "accounts_url", "api_url", "timeout")
EXTRA_KEYS += ("max_attempts", "max_retry_seconds", "max_concurrency", "auth_cache")
bad_extras = st.one_of(
    st.tuples(word.filter(lambda k: k.lower() not in EXTRA_KEYS), st.integers()).map(
        lambda kv: {"refresh_token": "r", kv[0]: kv[1]}
    ),
    st.text(min_size=1, max_size=10),
    st.integers(),
    st.lists(st.integers(), min_size=1, max_size=2),
)
PATH_CHARS = set(string.ascii_letters + string.digits + "_-")
bad_request_paths = st.one_of(
    st.text(max_size=30).filter(lambda p: not p or not all(part and set(part) <= PATH_CHARS for part in p.split("/"))),
    st.integers(),
    junk_containers,
)
bad_json = st.one_of(nested(bad_json_leaf).filter(lambda v: isinstance(v, (dict, list))), st.text(max_size=3))
# Values a query cannot carry. Not junk_containers: a list or tuple of whole numbers is a valid
# repeated parameter, and a drawn valid value would be sent (and fail the property by chance).
bad_params = st.dictionaries(
    word,
    st.one_of(
        st.none(),
        st.booleans(),
        st.floats(),
        st.sets(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    ),
    min_size=1,
)
bad_retry = st.one_of(st.text(max_size=3), st.integers(), st.none())
bad_methods = st.one_of(
    st.text(max_size=6).filter(lambda m: m.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE")), st.integers()
)
