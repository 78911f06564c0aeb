"""Render docs/references.md from docs/references.toml, and check every citation in the repository.

A work is cited by key: ``refs = ["allen_2012"]`` in the TOML data files of the package and the
datasets (levers, assumptions, scenarios, targets, data provenance), ``[@allen_2012]`` in
README.md, docs/*.md, the package's Python files and the notebooks' Markdown cells. This script

* renders each entry of docs/references.toml (citation, the facts used, link, and which files
  and records cite it) into docs/references.md;
* checks that every cited key resolves, that every entry has author or issuer, year, title and
  facts with numbers, that every ``source`` or ``note`` naming a work (a year 19xx/20xx,
  "et al." or a 〔YYYY〕 document number) carries ``refs``, and that every paragraph of the
  Markdown documents naming a work ("et al.", "Author & Author YYYY", a 〔YYYY〕 document
  number) carries a ``[@key]`` marker.

Run: python tools/render_references.py          (write docs/references.md; make references)
     python tools/render_references.py --check  (exit 1 on any problem or a stale file)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = Path("docs/references.toml")
RENDERED = Path("docs/references.md")
#: Where TOML records with ``refs`` live (relative to the repository root).
TOML_GLOBS = ("dudao_sim/**/*.toml", "datasets/**/*.toml")
#: Text whose ``[@key]`` markers count as citations.
MARKDOWN_GLOBS = ("README.md", "docs/*.md")
PYTHON_GLOBS = ("dudao_sim/**/*.py",)
NOTEBOOK_GLOBS = ("notebooks/*.ipynb",)
#: Files that show the citation syntax with examples rather than cite (and the rendered file).
NOT_CITING = {RENDERED.as_posix(), "dudao_sim/citations.py"}

KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
MARKER = re.compile(r"\[@([^\]\n]+)\]")
#: A free-text source that names a work: a year, "et al." or a document number 〔YYYY〕.
NAMES_A_WORK = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\bet al\.|〔\d{4}〕")
SOURCE_FIELDS = ("source", "note")
#: A paragraph of prose that names a work (stricter than NAMES_A_WORK: prose has many years).
PROSE_NAMES_A_WORK = re.compile(
    r"\bet al\.|〔\d{4}〕|\b[A-Z][a-z]+ (?:&|and) [A-Z][a-z]+,? (?:19|20)\d{2}\b"
)
KINDS = {"study": "Studies", "document": "Documents", "data": "Statistics and data"}
ENTRY_FIELDS = {"kind", "author", "issuer", "year", "title", "venue", "facts", "url", "note"}


@dataclass(frozen=True, order=True)
class Citation:
    """One use of a reference key.

    Attributes:
        file: Path of the citing file, relative to the repository root.
        record: The record inside it (a TOML table path), or ``""`` for text.
        key: The key cited.
    """

    file: str
    record: str
    key: str


def load_references(root: Path = ROOT) -> dict[str, dict]:
    """The entries of docs/references.toml, by key."""
    return tomllib.loads((root / REFERENCES).read_text(encoding="utf-8"))


def _files(root: Path, globs: tuple[str, ...]) -> list[Path]:
    found = {p for pattern in globs for p in root.glob(pattern) if p.is_file()}
    return sorted(p for p in found if p.relative_to(root).as_posix() not in NOT_CITING)


def _tables(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
    """Every table of a parsed TOML document with its dotted path."""
    if isinstance(node, dict):
        yield ".".join(path), node
        for key, value in node.items():
            yield from _tables(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _tables(value, (*path, str(i)))


def _toml_tables(root: Path) -> Iterator[tuple[str, str, dict]]:
    for path in _files(root, TOML_GLOBS):
        rel = path.relative_to(root).as_posix()
        for record, table in _tables(tomllib.loads(path.read_text(encoding="utf-8"))):
            yield rel, record, table


#: Code (fenced blocks, ``inline`` spans): markers there are examples, not citations.
CODE = re.compile(r"```.*?```|(`+)[^`\n]*?\1", re.S)


def _markers(text: str) -> list[str]:
    """Keys of the ``[@key]`` markers in ``text``, outside code."""
    text = CODE.sub("", text)
    return [k.strip().lstrip("@") for g in MARKER.findall(text) for k in g.split(";") if k.strip()]


def _notebook_markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return "\n".join(
        "".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"
    )


def collect_citations(root: Path = ROOT) -> tuple[list[Citation], list[str]]:
    """Every citation in the repository, and malformed ``refs`` fields.

    Returns:
        The citations (sorted), and one message per ``refs`` value that is not a list of
        strings.
    """
    found: set[Citation] = set()
    problems = []
    for rel, record, table in _toml_tables(root):
        if "refs" not in table:
            continue
        refs = table["refs"]
        if not isinstance(refs, list) or not all(isinstance(k, str) for k in refs):
            problems.append(f"{rel}: {record or '(top)'}: refs must be a list of keys: {refs!r}")
            continue
        found.update(Citation(rel, record, key) for key in refs)
    texts = [(p, p.read_text(encoding="utf-8")) for p in _files(root, MARKDOWN_GLOBS)]
    texts += [(p, p.read_text(encoding="utf-8")) for p in _files(root, PYTHON_GLOBS)]
    texts += [(p, _notebook_markdown(p)) for p in _files(root, NOTEBOOK_GLOBS)]
    for path, text in texts:
        rel = path.relative_to(root).as_posix()
        found.update(Citation(rel, "", key) for key in _markers(text))
    return sorted(found), problems


def unresolved(citations: list[Citation], references: dict[str, dict]) -> list[str]:
    """One message per citation whose key is not an entry of docs/references.toml."""
    return [
        f"{c.file}: {c.record + ': ' if c.record else ''}cites unknown reference {c.key!r}"
        for c in citations
        if c.key not in references
    ]


def entry_problems(references: dict[str, dict]) -> list[str]:
    """What each entry lacks: author or issuer, year, title, facts with numbers, a valid key."""
    problems = []
    for key, entry in references.items():
        where = f"{REFERENCES.as_posix()}: [{key}]"
        if not KEY.fullmatch(key):
            problems.append(f"{where}: key must be lowercase words joined by underscores")
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table")
            continue
        unknown = sorted(set(entry) - ENTRY_FIELDS)
        if unknown:
            problems.append(f"{where}: unknown fields {unknown}")
        if entry.get("kind") not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not str(entry.get("author") or entry.get("issuer") or "").strip():
            problems.append(f"{where}: needs an author or an issuer")
        year = entry.get("year")
        if not isinstance(year, int) or not 1800 <= year <= 2100:
            problems.append(f"{where}: year must be a whole number, got {year!r}")
        for field in ("title", "venue"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                problems.append(f"{where}: needs a {field}")
        facts = entry.get("facts")
        if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
            problems.append(f"{where}: facts must be a list of sentences")
        elif not any(re.search(r"\d", f) for f in facts):
            problems.append(f"{where}: needs at least one fact with its number")
        url = entry.get("url")
        if url is not None and not (isinstance(url, str) and re.match(r"https?://\S+$", url)):
            problems.append(f"{where}: url must be an http(s) address, got {url!r}")
    return problems


def source_problems(root: Path = ROOT) -> list[str]:
    """Every ``source`` or ``note`` that names a work but whose record has no ``refs``."""
    problems = []
    for rel, record, table in _toml_tables(root):
        if table.get("refs"):
            continue
        for field in SOURCE_FIELDS:
            text = table.get(field)
            if isinstance(text, str) and NAMES_A_WORK.search(text):
                problems.append(
                    f"{rel}: {record or '(top)'}.{field} names a work but the record has no "
                    f"refs: {text!r}"
                )
    return problems


def text_problems(root: Path = ROOT) -> list[str]:
    """Every Markdown paragraph or list item that names a work but cites no key."""
    problems = []
    for path in _files(root, MARKDOWN_GLOBS):
        text = CODE.sub("", path.read_text(encoding="utf-8"))
        for block in re.split(r"\n\s*\n|\n(?=\s*[-*] )", text):
            named = PROSE_NAMES_A_WORK.search(block)
            if named and not MARKER.search(block):
                problems.append(
                    f"{path.relative_to(root).as_posix()}: names a work ({named.group(0)!r}) "
                    f"without a [@key]: {' '.join(block.split())[:120]!r}"
                )
    return problems


def problems(root: Path = ROOT) -> list[str]:
    """Everything wrong with the references and citations of the repository at ``root``."""
    references = load_references(root)
    citations, malformed = collect_citations(root)
    return [
        *entry_problems(references),
        *malformed,
        *unresolved(citations, references),
        *source_problems(root),
        *text_problems(root),
    ]


def _md(text: str) -> str:
    """``text`` with Markdown's emphasis marker escaped (``p*`` is a formula, not emphasis)."""
    return str(text).replace("*", r"\*")


def _citation(entry: dict) -> str:
    who = _md(entry.get("author") or entry.get("issuer"))
    text = f"{who} ({entry['year']}). {_md(entry['title'])}. *{_md(entry['venue'])}*."
    if entry.get("url"):
        text += f" <{entry['url']}>"
    return text


def _cited_by(citations: list[Citation]) -> str:
    records: dict[str, list[str]] = defaultdict(list)
    for c in citations:
        records[c.file] += [c.record] if c.record else []
    parts = []
    for file in sorted(records):
        names = sorted(set(records[file]))
        parts.append(f"`{file}`" + (f" ({', '.join(names)})" if names else ""))
    return "; ".join(parts) if parts else "not cited"


def render(root: Path = ROOT) -> str:
    """docs/references.md as it should read for the repository at ``root``."""
    references = load_references(root)
    citations, _ = collect_citations(root)
    by_key: dict[str, list[Citation]] = defaultdict(list)
    for c in citations:
        by_key[c.key].append(c)
    lines = [
        "# References",
        "",
        "<!-- Generated by tools/render_references.py from docs/references.toml "
        "(make references); do not edit by hand. -->",
        "",
        "The works dudao_sim cites, with the facts it takes from each. Data files cite a work "
        'by key in a `refs = ["key"]` field beside their free-text `source` or `note` (levers, '
        "assumptions, scenarios, targets, data provenance); Markdown and docstrings write the "
        "key as `[@key]`. The entries live in `docs/references.toml`; `tests/test_references.py` "
        "checks that every key cited anywhere resolves here and that this file is current.",
        "",
        "A value marked *assumption* in its `source` is a modelling choice; the works it cites "
        "motivate its direction or size, they do not measure it.",
    ]
    for kind, heading in KINDS.items():
        keys = sorted(k for k, e in references.items() if e.get("kind") == kind)
        if not keys:
            continue
        lines += ["", f"## {heading}"]
        for key in keys:
            entry = references[key]
            lines += ["", f"### {key}", "", _citation(entry), ""]
            lines += [f"- {_md(fact)}" for fact in entry.get("facts", [])]
            if entry.get("note"):
                lines += ["", f"Note: {_md(entry['note'])}"]
            lines += ["", f"Cited by: {_cited_by(by_key.get(key, []))}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/references.md (or, with ``--check``, only check); return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 on problems or a stale file"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    found = problems(args.root)
    for problem in found:
        print(problem, file=sys.stderr)
    text = render(args.root)
    target = args.root / RENDERED
    if args.check:
        stale = not target.is_file() or target.read_text(encoding="utf-8") != text
        if stale:
            print(f"{RENDERED} is not current: run make references", file=sys.stderr)
        return 1 if found or stale else 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {RENDERED} ({len(load_references(args.root))} references)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
