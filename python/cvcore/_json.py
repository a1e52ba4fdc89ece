"""JSON files read by the C++ reader (cvcore::read_json): RFC 8259 only, UTF-8, nesting at most 512
deep, and errors that name the file, the line and the column."""

import os

from . import _cvcore


def load_json(path, op):
    """The JSON file at ``path`` as Python objects, as ``json.load`` builds them from valid JSON;
    ValueError "<op>: '<path>' line <l> column <c>: invalid JSON: ..." for anything else."""
    with open(path, "rb") as f:
        data = f.read()
    return _cvcore.json_loads(data, os.fspath(path), op)
