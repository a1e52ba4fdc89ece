"""The strict JSON reader (cvcore::read_json, through cvcore._json.load_json and the COCO readers):
valid documents give what Python's json module gives; everything RFC 8259 rejects raises ValueError
naming the file, the line and the column. Python's json is the reference for valid documents only (it
accepts NaN, Infinity and unpaired surrogates)."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcore import _cvcore, cli
from cvcore._json import load_json
from cvcore.metrics import COCOEvaluator


def same(a, b):
    """a and b equal with the same types all the way down, floats bit for bit (the sign of 0 too);
    iterative, for documents nested 512 deep."""
    pairs = [(a, b)]
    while pairs:
        a, b = pairs.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, float):
            if not (a == b and math.copysign(1, a) == math.copysign(1, b)):
                return False
        elif isinstance(a, list):
            if len(a) != len(b):
                return False
            pairs.extend(zip(a, b))
        elif isinstance(a, dict):
            if list(a) != list(b):
                return False
            pairs.extend((a[k], b[k]) for k in a)
        elif a != b:
            return False
    return True


def loads(data):
    return _cvcore.json_loads(data, "doc.json", "test")


# --- valid documents: as json.loads ----------------------------------------------------------------

VALID = [
    '"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\u0041\\u00e9\\u4E2D\\ud83d\\ude00 \\uDBFF\\uDFFF"', '"\\u0000 nul"',
    '"caf\u00e9 \u4e2d \U0001F600 \U0010FFFF \u007f"', '""', '" "',
    "0", "-0", "-0.0", "0.0", "1e5", "1E+5", "1e-5", "-1.5E-300", "2.5e+10", "1e400", "-1e400", "1e-400",
    "4.9e-324", "1.7976931348623157e308", "0.1", "123456789.123456789e-3",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
    "123456789012345678901234567890123456789",
    "true", "false", "null", "[]", "{}", "[[]]", '{"": {}}',
    ' \t\r\n[ 1 , 2 ,\t3 ]\r\n ', '{"a" : 1 , "b":[true,false,null] }',
    '{"a": 1, "a": 2, "b": 3}',  # a repeated name: the last value, at the first one's place
    '{"\\u00e9": "\u00e9", "k\\"": [{"]": "["}]}',
    "[" * 512 + "]" * 512,
]


@pytest.mark.parametrize("text", VALID)
def test_valid_documents_parse_as_json_loads(text):
    assert same(loads(text.encode()), json.loads(text))


def test_byte_order_mark_is_skipped():
    assert same(loads(b"\xef\xbb\xbf[1, \"a\"]"), [1, "a"])


def test_load_json_file(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('{"a": [1, 2.5, "x"]}', encoding="utf-8")
    assert same(load_json(path, "test"), {"a": [1, 2.5, "x"]})
    assert same(load_json(str(path), "test"), {"a": [1, 2.5, "x"]})


# --- invalid documents: ValueError with the file, the line and the column -------------------------

# (bytes, line, column, what): the position is that of the first character that cannot be read.
INVALID = [
    # NaN and infinities
    (b"[1, NaN]", 1, 5, "NaN and Infinity are not JSON numbers"),
    (b'{"a": Infinity}', 1, 7, "NaN and Infinity are not JSON numbers"),
    (b"[-Infinity]", 1, 2, "NaN and Infinity are not JSON numbers"),
    (b"nan", 1, 1, "expected a value, got 'n'"),
    # numbers
    (b"[01]", 1, 2, "a number with a leading zero"),
    (b"-012", 1, 1, "a number with a leading zero"),
    (b"[00]", 1, 2, "a number with a leading zero"),
    (b"1.", 1, 3, "expected a digit after the decimal point, got the end of the text"),
    (b"[1.e5]", 1, 4, "expected a digit after the decimal point, got 'e'"),
    (b".5", 1, 1, "expected a value, got '.'"),
    (b"1e", 1, 3, "expected a digit in the exponent"),
    (b"1e+", 1, 4, "expected a digit in the exponent"),
    (b"+1", 1, 1, "expected a value, got '+'"),
    (b"-", 1, 2, "expected a digit after '-', got the end of the text"),
    (b"0x10", 1, 2, "expected the end of the text after the JSON value, got 'x'"),
    (b"1 2", 1, 3, "expected the end of the text after the JSON value, got '2'"),
    # raw control characters in strings
    (b'["a\tb"]', 1, 4, "a control character (byte 0x09) in a string"),
    (b'["\n"]', 1, 3, "a control character (byte 0x0A) in a string"),
    (b'["\x00"]', 1, 3, "a control character (byte 0x00) in a string"),
    (b'["\x1f"]', 1, 3, "a control character (byte 0x1F) in a string"),
    # escapes
    (b'["\\u12"]', 1, 3, "a \\u escape without 4 hex digits"),
    (b'["\\u12g4"]', 1, 3, "a \\u escape without 4 hex digits"),
    (b'"\\u', 1, 2, "a \\u escape without 4 hex digits"),
    (b'"\\', 1, 2, "a string that does not end"),
    (b'["\\x41"]', 1, 3, "an invalid escape: \\ followed by 'x'"),
    (b'["\\U0041"]', 1, 3, "an invalid escape: \\ followed by 'U'"),
    (b'["\\\xc3\xa9"]', 1, 3, "an invalid escape: \\ followed by '\xc3\xa9'".encode("latin-1").decode("utf-8")),
    # unpaired surrogates
    (b'["\\ud800"]', 1, 3, "an unpaired surrogate \\uD800"),
    (b'["\\uDBFFx"]', 1, 3, "an unpaired surrogate \\uDBFF"),
    (b'["\\ud800\\u0041"]', 1, 3, "an unpaired surrogate \\uD800"),
    (b'["\\ud800\\ud800"]', 1, 3, "an unpaired surrogate \\uD800"),
    (b'["\\ud800\\u00"]', 1, 9, "a \\u escape without 4 hex digits"),
    (b'["\\udc00"]', 1, 3, "an unpaired surrogate \\uDC00"),
    (b'["\\ude00\\ud83d"]', 1, 3, "an unpaired surrogate \\uDE00"),
    # invalid UTF-8
    (b'["\xff"]', 1, 3, "invalid UTF-8 (byte 0xFF) in a string"),
    (b'["ab\xc0\x80"]', 1, 5, "invalid UTF-8 (byte 0xC0) in a string"),  # overlong NUL
    (b'["\xe0\x80\xaf"]', 1, 3, "invalid UTF-8 (byte 0xE0) in a string"),  # overlong '/'
    (b'["\xed\xa0\x80"]', 1, 3, "invalid UTF-8 (byte 0xED) in a string"),  # an encoded surrogate
    (b'["\xe2\x82"]', 1, 3, "invalid UTF-8 (byte 0xE2) in a string"),  # truncated
    (b'["\xe2\x82', 1, 3, "invalid UTF-8 (byte 0xE2) in a string"),  # truncated at the end of the text
    (b'["\xf4\x90\x80\x80"]', 1, 3, "invalid UTF-8 (byte 0xF4) in a string"),  # beyond U+10FFFF
    (b'["\x80"]', 1, 3, "invalid UTF-8 (byte 0x80) in a string"),  # a stray continuation byte
    (b'["caf\xe9"]', 1, 6, "invalid UTF-8 (byte 0xE9) in a string"),  # Latin-1
    (b"[1, \xff]", 1, 5, "expected a value, got the byte 0xFF, which is not UTF-8"),
    ('[1]'.encode("utf-16"), 1, 1, "the text is UTF-16LE, not UTF-8"),
    ('[1]'.encode("utf-16-be"), 1, 1, "the text is UTF-16BE, not UTF-8"),
    ('[1]'.encode("utf-32"), 1, 1, "the text is UTF-32LE, not UTF-8"),
    ('[1]'.encode("utf-32-be"), 1, 1, "the text is UTF-32BE, not UTF-8"),
    # trailing NUL and garbage
    (b"[1]\x00", 1, 4, "expected the end of the text after the JSON value, got the byte 0x00"),
    (b"[1] x", 1, 5, "expected the end of the text after the JSON value, got 'x'"),
    (b"[1][2]", 1, 4, "expected the end of the text after the JSON value, got '['"),
    (b"{} {}", 1, 4, "expected the end of the text after the JSON value, got '{'"),
    (b"[1]\n\n //", 3, 2, "expected the end of the text after the JSON value, got '/'"),
    # structure
    (b"", 1, 1, "expected a value, got the end of the text"),
    (b" \n\t ", 2, 3, "expected a value, got the end of the text"),
    (b"[1,]", 1, 4, "expected a value, got ']'"),
    (b"[,1]", 1, 2, "expected a value, got ','"),
    (b'{"a": 1,}', 1, 9, "expected a member name in double quotes, got '}'"),
    (b'{"a" 1}', 1, 6, "expected ':' after a member name, got '1'"),
    (b"{a: 1}", 1, 2, "expected a member name in double quotes, got 'a'"),
    (b"{'a': 1}", 1, 2, "expected a member name in double quotes, got '''"),
    (b'{"a": 1 "b": 2}', 1, 9, "expected ',' or '}', got a string"),
    (b"[1 2]", 1, 4, "expected ',' or ']', got '2'"),
    (b'["a" : 1]', 1, 6, "expected ',' or ']', got ':'"),
    (b"[", 1, 2, "expected a value, got the end of the text"),
    (b'{"a":', 1, 6, "expected a value, got the end of the text"),
    (b'[1, 2', 1, 6, "expected ',' or ']', got the end of the text"),
    (b'"abc', 1, 1, "a string that does not end"),
    (b"True", 1, 1, "expected a value, got 'T'"),
    (b"[nul]", 1, 2, "expected a value, got 'n'"),
    (b"[undefined]", 1, 2, "expected a value, got 'u'"),
    (b"// c\n[]", 1, 1, "expected a value, got '/'"),
    (b"[\xc2\xa01]", 1, 2, "expected a value, got '\xc2\xa0'".encode("latin-1").decode("utf-8")),  # no-break space
    (b"[\x0b1]", 1, 2, "expected a value, got the byte 0x0B"),  # vertical tab: not JSON whitespace
    # nesting
    (b"[" * 513, 1, 513, "more than 512 nested arrays and objects"),
    (b'{"a":' * 100000, 1, 2561, "more than 512 nested arrays and objects"),
    (b"[" * 100000 + b"]" * 100000, 1, 513, "more than 512 nested arrays and objects"),
    # lines and columns count characters after the last line feed
    (b'[\n  1,\n  NaN\n]', 3, 3, "NaN and Infinity are not JSON numbers"),
    (b'["\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", x]', 1, 9, "expected a value, got 'x'"),
    (b'{\r\n"a":\r\n01}', 3, 1, "a number with a leading zero"),
]


def _invalid_id(case):
    return repr(case[0][:24]) if isinstance(case, tuple) else None


@pytest.mark.parametrize("data,line,column,what", INVALID, ids=[_invalid_id(c) for c in INVALID])
def test_invalid_documents_name_the_file_line_and_column(tmp_path, data, line, column, what):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    expected = f"test: '{path}' line {line} column {column}: invalid JSON: {what}"
    with pytest.raises(ValueError) as e:
        load_json(path, "test")
    assert str(e.value).startswith(expected), str(e.value)
    # The COCO readers: a ground truth file (read whole first), and a detection file (the column reader,
    # which may find a record that is not one before the syntax error).
    with pytest.raises(ValueError) as e:
        COCOEvaluator(path, [])
    assert str(e.value).startswith(f"COCOEvaluator: '{path}' line {line} column {column}: invalid JSON: {what}")
    with pytest.raises(ValueError, match=rf"^COCOEvaluator: '{path}' line \d+ column \d+: "):
        COCOEvaluator({"images": [], "annotations": [], "categories": []}, path)


def test_without_a_source_the_message_has_the_line_and_column():
    with pytest.raises(ValueError, match=r"^op: line 2 column 1: invalid JSON: NaN and Infinity are not JSON numbers$"):
        _cvcore.json_loads(b"[\nNaN]", "", "op")


def test_integers_beyond_python_int_digits_limit_raise_value_error():
    with pytest.raises(ValueError):
        loads(b"1" * 5000)  # as json.loads: int() refuses more than 4300 digits


def test_cli_anchors_names_the_file(tmp_path):
    path = tmp_path / "instances.json"
    path.write_text('{"images": [], "annotations": [{"bbox": [0, 0, NaN, 1]}]}')
    with pytest.raises(SystemExit, match=r"^cvcore anchors: '.*instances.json' line 1 column 48: invalid JSON: NaN"):
        cli.main(["anchors", str(path)])


# --- random documents and mutations -------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@st.composite
def json_documents(draw):
    value = draw(json_values)
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), indent=draw(st.none() | st.integers(0, 3)),
                      separators=draw(st.sampled_from([None, (",", ":"), (" , ", " : "), (",\r\n\t", ":\n")])))
    return text.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(json_documents())
def test_random_documents_parse_as_json_loads(data):
    assert same(loads(data), json.loads(data))


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _has_lone_surrogate(value):
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    return False


def strict_reference(data):
    """What a strict RFC 8259 reader gives for data (UTF-8, a byte order mark skipped): json.loads with
    NaN / Infinity refused, and strings with an unpaired surrogate (which json.loads keeps) refused;
    None when the text is not JSON."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return None if _has_lone_surrogate(value) else [value]


PIECES = [b"NaN", b"Infinity", b"-", b"0", b"01", b".", b"e", b"E+", b"\x00", b"\t", b"\n", b"\x1f", b"\\", b"\\u",
          b"\\ud800", b"\\udc00", b"\\ud83d\\ude00", b"\\u00e9", b'"', b"'", b"\xff", b"\xc3", b"\xc3\xa9", b"\xed\xa0\x80",
          b"\xf0\x9f\x98\x80", b"[", b"]", b"{", b"}", b",", b":", b"true", b"null", b" ", b"\xef\xbb\xbf", b"1e400"]


@st.composite
def mutations(draw):
    data = bytearray(draw(json_documents()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(PIECES) | st.binary(min_size=1, max_size=2))
        if kind == "insert":
            data[at:at] = piece
        elif kind == "delete":
            data[at:at + draw(st.integers(1, 3))] = b""
        else:
            data[at:at + len(piece)] = piece
    return bytes(data)


@settings(max_examples=1500, deadline=None)
@given(mutations())
def test_mutated_documents_parse_as_the_strict_reference_or_raise_value_error(data):
    expected = strict_reference(data)
    try:
        got = [loads(data)]
    except ValueError as e:
        assert expected is None, f"rejected valid JSON {data!r}: {e}"
        assert str(e).startswith("test: 'doc.json' line ") and " column " in str(e)
        return
    assert expected is not None, f"accepted invalid JSON {data!r}"
    assert same(got, expected)
