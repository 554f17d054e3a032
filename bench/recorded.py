"""The record of a sample of dataset pages that bench/walks.py and bench/identical.py keep, so a
change meant to alter nothing can prove it: `--save` writes it, `--check` compares a new run with
it and exits 1 naming the keys that differ (and, where a record is a dict, which of its fields).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def arguments(description: str, sample: int) -> argparse.Namespace:
    """`--sample` (pages per dataset, `sample` by default) and one of `--save` or `--check`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sample", type=int, default=sample, help="pages per dataset, stratified by type")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the record here")
    action.add_argument("--check", type=Path, help="compare with this record")
    return parser.parse_args()


def save_or_check(records: dict[str, Any], args: argparse.Namespace, command: str, summary: str) -> int:
    """Save `records` (`args.save`) or compare them with the saved ones (`args.check`); `summary`
    says what was recorded. 0 when saved or equal, else 1."""
    if args.save is not None:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(
            json.dumps(records, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8"
        )
        print(f"{command}: {summary} saved to {args.save}")
        return 0
    before = json.loads(args.check.read_text(encoding="utf-8"))
    differ = sorted(key for key in before.keys() | records.keys() if before.get(key) != records.get(key))
    print(f"{command}: {summary}; {len(differ)} differ from {args.check}")
    for key in differ[:40]:
        old, new = before.get(key), records.get(key)
        fields = (
            [k for k in new if old.get(k) != new[k]]
            if isinstance(old, dict) and isinstance(new, dict)
            else []
        )
        print(f"  {key}" + (f" ({', '.join(fields)})" if fields else ""))
    return 1 if differ else 0
