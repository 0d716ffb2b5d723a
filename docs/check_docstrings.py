"""Check that every public callable and class of gaborcore has the numpydoc sections.

Run from anywhere after installing gaborcore (and numpydoc, the ``docs`` extra)::

    python docs/check_docstrings.py            # table of what is missing + summary
    python docs/check_docstrings.py --quiet    # summary only
    python docs/check_docstrings.py --methods  # also the public methods of the classes
    python docs/check_docstrings.py gaborcore.nn gaborcore.io   # only these modules

The public API is everything in ``gaborcore.__all__`` and in the ``__all__`` of
:mod:`gaborcore.nn`, :mod:`gaborcore.operators`, :mod:`gaborcore.equivalence`,
:mod:`gaborcore.io` and the extraction module (``gaborcore.extract`` where it exists, else
``gaborcore.dataset``).  Constants (names bound to data rather than to a function or a class) are
left out: numpydoc has nothing to check on them.

For every object, numpydoc's own validator (:func:`numpydoc.validate.validate`) is run and its
error codes are read as missing sections:

=========  ======  ===============================================================
column     code    meaning
=========  ======  ===============================================================
docstring  GL08    the object has no docstring at all
summary    SS01    no one-line summary at the top
Parameters PR01    a parameter of the signature is not documented
Returns    RT01    a function that returns something has no Returns section
Yields     YD01    a generator has no Yields section
See Also   SA01    no See Also section
Examples   EX01    no Examples section
=========  ======  ===============================================================

A further column, ``file ref``, flags a docstring that names a file (``*.md``, ``*.rst``,
``*.txt``) that exists neither in the repository nor under ``docs/``: a reader cannot follow it.

Exit status: 0 when nothing outside :data:`ALLOW` is missing, 1 otherwise (2 for a module that
cannot be imported).  The extended summary (ES01) is not required.  numpydoc cannot tell whether a
function raises, so the Raises section is checked only as advice: objects whose own body (or
``__init__``) has a ``raise`` statement but whose docstring has no Raises section are listed
after the summary and do not change the exit status (errors raised by the helpers a function
calls are not seen).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import re
import sys
import textwrap
from pathlib import Path

from numpydoc.docscrape import NumpyDocString
from numpydoc.validate import validate

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

#: (column, numpydoc code) of the sections that must be there.
SECTIONS = (
    ("docstring", "GL08"),
    ("summary", "SS01"),
    ("Parameters", "PR01"),
    ("Returns", "RT01"),
    ("Yields", "YD01"),
    ("See Also", "SA01"),
    ("Examples", "EX01"),
)
FILE_REF = "file ref"

#: The allow-list: a rule (a predicate on the object) -> the codes it may miss, and why.  Keep it
#: short; every entry needs a reason a reviewer accepts.
ALLOW = (
    (
        "exception and warning classes",
        lambda obj: inspect.isclass(obj) and issubclass(obj, (BaseException, Warning)),
        {"EX01"},
        "they are raised by the library, not called; the functions that raise them show them in "
        "their own Examples and Raises sections",
    ),
)

PUBLIC_MODULES = ("gaborcore", "gaborcore.nn", "gaborcore.operators", "gaborcore.equivalence",
                  "gaborcore.io")
EXTRACTION_MODULES = ("gaborcore.extract", "gaborcore.dataset")  # the first that imports


def extraction_module() -> str:
    for name in EXTRACTION_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "__all__", None):
            return name
    raise ImportError(f"none of {', '.join(EXTRACTION_MODULES)} imports")


def public_objects(modules, methods: bool):
    """(import path, object) of every public function and class, in ``__all__`` order."""
    seen: set[int] = set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or callable(obj)):
                continue  # a constant
            if id(obj) in seen:  # re-exported (gaborcore.NSGT and gaborcore.nsgt.NSGT)
                continue
            seen.add(id(obj))
            path = f"{module_name}.{name}"
            yield path, obj
            if methods and inspect.isclass(obj):
                yield from public_methods(path, obj)


def public_methods(class_path: str, cls):
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member):
            yield f"{class_path}.{name}", member


def allowed_codes(obj) -> set[str]:
    codes: set[str] = set()
    for _, applies, allowed, _why in ALLOW:
        if applies(obj):
            codes |= allowed
    return codes


FILE_PATTERN = re.compile(r"\b([\w./-]+\.(?:md|rst|txt))\b")


def dangling_files(doc: str) -> list[str]:
    """Files a docstring names that a reader cannot find (repository root, docs/, or a path)."""
    missing = []
    for name in sorted(set(FILE_PATTERN.findall(doc or ""))):
        if name.startswith(("http", "www.")) or "*" in name:
            continue
        if not any((base / name).exists() for base in (ROOT, DOCS)):
            missing.append(name)
    return missing


class _DirectRaises(ast.NodeVisitor):
    """Finds ``raise`` statements of a function's own body (not of functions defined in it)."""

    def __init__(self) -> None:
        self.found = False
        self.depth = 0

    def visit_FunctionDef(self, node) -> None:
        self.depth += 1
        if self.depth == 1:
            self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node) -> None:
        return

    def visit_ClassDef(self, node) -> None:
        return

    def visit_Raise(self, node) -> None:
        if node.exc is not None:  # a bare "raise" re-raises what it caught
            self.found = True


def raises_without_section(obj) -> bool:
    """Whether ``obj`` (a function, or a class's ``__init__``) has a ``raise`` statement of its
    own while its docstring has no Raises section.  Advisory: errors raised by the functions it
    calls (argument checks in helpers) are not seen."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    target = inspect.unwrap(target)
    try:
        source = textwrap.dedent(inspect.getsource(target))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return False
    finder = _DirectRaises()
    finder.visit(tree)
    if not finder.found:
        return False
    doc = NumpyDocString(inspect.getdoc(obj) or "")
    return not doc["Raises"]


def check(path: str, obj) -> dict:
    result = validate(path)
    codes = {code for code, _ in result["errors"]}
    if "GL08" in codes:  # no docstring: every section is missing, say so once
        codes |= {"SS01", "PR01", "SA01", "EX01"}
    allowed = allowed_codes(obj)
    missing = [column for column, code in SECTIONS if code in codes and code not in allowed]
    excused = [column for column, code in SECTIONS if code in codes and code in allowed]
    files = dangling_files(inspect.getdoc(obj) or "")
    if files:
        missing.append(FILE_REF)
    kind = "class" if inspect.isclass(obj) else "function"
    return {"path": path, "kind": kind, "missing": missing, "excused": excused, "files": files,
            "raises": raises_without_section(obj)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true", help="print the summary only")
    parser.add_argument("--methods", action="store_true",
                        help="also check the public methods of every public class")
    parser.add_argument("modules", nargs="*",
                        help="check only these modules (default: the whole public API)")
    args = parser.parse_args(argv)

    try:
        modules = args.modules or [*PUBLIC_MODULES, extraction_module()]
        objects = list(public_objects(modules, args.methods))
    except ImportError as exc:
        print(f"check_docstrings: cannot import the public API: {exc}", file=sys.stderr)
        return 2

    rows = [check(path, obj) for path, obj in objects]
    columns = [column for column, _ in SECTIONS] + [FILE_REF]
    if not args.quiet:
        width = max(len(r["path"]) for r in rows) + 2
        header = f"{'object':<{width}}{'kind':<10}" + "".join(f"{c:>12}" for c in columns)
        print(header)
        print("-" * len(header))
        for r in rows:
            if not r["missing"] and not r["excused"]:
                continue
            cells = []
            for c in columns:
                cells.append("missing" if c in r["missing"] else "allowed" if c in r["excused"]
                             else "")
            print(f"{r['path']:<{width}}{r['kind']:<10}" + "".join(f"{c:>12}" for c in cells))
        for r in rows:
            if r["files"]:
                print(f"{r['path']}: names {', '.join(r['files'])}, which is not in the repository")
        print()

    failing = [r for r in rows if r["missing"]]
    print(f"modules: {', '.join(modules)}")
    print(f"{len(rows)} public {'objects and methods' if args.methods else 'objects'} checked; "
          f"{len(failing)} with a missing section, {len(rows) - len(failing)} complete")
    for column in columns:
        n = sum(column in r["missing"] for r in rows)
        if n:
            print(f"  {column:<12} missing in {n}")
    raising = [r["path"] for r in rows if r["raises"]]
    if raising:
        print(f"  advisory (not counted): {len(raising)} raise an exception in their own body "
              "but have no Raises section" + ("" if args.quiet else ":"))
        if not args.quiet:
            for path in raising:
                print(f"    {path}")
    excused = sum(bool(r["excused"]) for r in rows)
    if excused:
        print(f"  allow-list excused sections of {excused} objects:")
        for name, _, codes, why in ALLOW:
            print(f"    {name} ({', '.join(sorted(codes))}): {why}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
