"""How often the structural page verdicts that need no text fire on the development sets.

    .venv/bin/python bench/shells.py            # every HTML page of ../shared/datasets

A page of these sets whose reference text holds anything was served with that text: none may
be flagged as a JavaScript shell ("needs JavaScript"); the script exits 1 if one is. Flagged
pages whose reference text is empty (the set's authors found nothing on them either) are
listed apart. The near misses (pages meeting all but one of the shell's conditions) show how
much margin the rule has. Pages of
link-only shape are listed too, with the size of their reference text: the classifier types
them "listing" only when the extractor also finds under 600 characters and nothing else
(schema, price, posts, code) gives the page a type.
"""

from __future__ import annotations

import gzip
import sys
from collections import Counter

from splits import load_datasets

from scraper.charset import resolve_encoding
from scraper.dom import parse_html
from scraper.extract.classify import (
    _SHELL_SCRIPT,
    _SHELL_TEXT,
    PageSignals,
    _is_js_shell,
    _link_only,
    measure,
)
from scraper.extract.metadata import read_facts


def _conditions(s: PageSignals) -> dict[str, bool]:
    return {
        "little text": s.text_length < _SHELL_TEXT,
        "scripts": s.script_files > 0 or s.script_length >= _SHELL_SCRIPT,
        "app root or noscript": s.app_root or s.noscript_js,
        "nothing in noscript": s.hidden_length < 1000,
    }


def main() -> int:
    flagged: Counter[str] = Counter()
    shells: list[tuple[str, str, int]] = []
    pages: Counter[str] = Counter()
    link_only: list[tuple[str, str, int]] = []
    near: list[tuple[str, str, str]] = []
    for dataset in load_datasets(command="bench/shells.py"):
        for row in dataset.rows:
            raw = dataset.source(row).read_bytes()
            body = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
            html = body.decode(resolve_encoding(body, None, source=str(row["id"])), errors="replace")
            tree = parse_html(html, str(row["id"]))
            signals = measure(tree, read_facts(tree, row.get("url")))
            pages[dataset.name] += 1
            if _is_js_shell(signals):
                flagged[dataset.name] += 1
                shells.append((dataset.name, str(row["id"]), len(str(row.get("text") or ""))))
            else:
                missing = [name for name, ok in _conditions(signals).items() if not ok]
                # "not little text" counts as near only within twice the limit
                if len(missing) == 1 and (
                    missing != ["little text"] or signals.text_length < 2 * _SHELL_TEXT
                ):
                    near.append((dataset.name, str(row["id"]), f"{missing[0]} ({signals.text_length} chars)"))
            if _link_only(signals):
                link_only.append((dataset.name, str(row["id"]), len(str(row.get("text") or ""))))
    print(f"{'dataset':<22}{'pages':>7}{'js_shell':>10}{'link-only':>11}")
    for name in sorted(pages):
        links = sum(1 for d, _, _ in link_only if d == name)
        print(f"{name:<22}{pages[name]:>7}{flagged[name]:>10}{links:>11}")
    print(f"{'all':<22}{sum(pages.values()):>7}{sum(flagged.values()):>10}{len(link_only):>11}")
    print(f"\nflagged as js_shell: {len(shells)}")
    for name, page_id, truth in shells:
        print(f"  {name} {page_id}: reference text {truth} characters")
    print(f"\nnear misses (all shell conditions but one): {len(near)}")
    for name, page_id, unmet in near:
        print(f"  {name} {page_id}: not {unmet}")
    print(f"\nlink-only pages: {len(link_only)}")
    for name, page_id, truth in link_only:
        print(f"  {name} {page_id}: reference text {truth} characters")
    return 1 if any(truth for _, _, truth in shells) else 0


if __name__ == "__main__":
    sys.exit(main())
