"""rs-trafilatura over pages, in its own Python 3.12 environment (bench/quality.py starts it).

stdin: JSON lines {"id", "path"} (gzip HTML files); stdout: JSON lines {"id", "text"}.
Standard library and rs-trafilatura only: this runs outside the project's environment.
"""

import gzip
import json
import sys

import rs_trafilatura  # type: ignore[import-not-found]  # only in the side environment


def main() -> int:
    for line in sys.stdin:
        task = json.loads(line)
        with open(task["path"], "rb") as fh:
            raw = gzip.decompress(fh.read())
        try:
            text = rs_trafilatura.extract_bytes(raw).main_content or ""
        except Exception:  # a page it cannot read is an empty answer, as for every system
            text = ""
        print(json.dumps({"id": task["id"], "text": text}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
