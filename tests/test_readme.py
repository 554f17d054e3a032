"""The Python examples of the README and of the docs/ pages run, as written, against local fixtures."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.corpus.writers import JsonLinesWriter
from scraper.store import Store
from tests.factories import make_doc
from tests.httpserver import Handler, LocalServer, Route

ROOT = Path(__file__).parent.parent
HTML = Path(__file__).parent / "fixtures" / "html"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# (where, code) for every ```python block: "README.md python block 0", "docs/guide/downstream.md ..."
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
BLOCKS = [
    (f"{page.relative_to(ROOT)} python block {number}", code)
    for page in PAGES
    for number, code in enumerate(PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")))
]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A folder like a user's (a latin-1 page.html, a store) and a local site standing in for example.com."""
    page = (HTML / "german-cp1252.html").read_bytes()
    (tmp_path / "page.html").write_bytes(page)
    with Store(tmp_path / "data" / "scraper.db") as store:
        store.save(make_doc(), html_hash="h")
        writer = JsonLinesWriter(tmp_path / "changed.jsonl", sys.stdout)
        writer.start()
        for doc in store.latest(since=datetime(2000, 1, 1, tzinfo=UTC)):
            writer.write(doc)
        writer.finish()
    monkeypatch.chdir(tmp_path)
    story = (HTML / "news-article.html").read_bytes()
    routes: dict[str, Handler] = {"/": Route(body=page), "/story": Route(body=story)}
    with LocalServer(routes) as server:
        base = server.url("").rstrip("/")
        (tmp_path / "config").mkdir()
        config = '[fetch]\nper_host_delay = 0\n[crawl]\nmax_pages = 3\n\n[[sites]]\nname = "local"\n'
        (tmp_path / "config" / "scraper.toml").write_text(config + f'start_urls = ["{base}/"]\n')
        yield base


def test_the_readme_and_the_docs_have_python_examples() -> None:
    """The examples this file runs are there to run: the README's quickstart and the guides'."""
    assert any(where.startswith("README.md") for where, _code in BLOCKS)
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[where for where, _code in BLOCKS])
def test_python_example_runs(where: str, code: str, site: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each ```python block of the README and the docs runs without error, example.com served locally."""
    code = code.replace("https://example.com", site)
    exec(compile(code, where, "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.strip()


def test_the_run_crawl_example_runs_as_a_saved_script(site: str, tmp_path: Path) -> None:
    """The docs' run_crawl example, saved as a script without a `__main__` guard, runs as
    `python crawl.py`: the extraction workers do not run the script again."""
    (block,) = [code for _where, code in BLOCKS if "run_crawl(" in code]
    script = tmp_path / "crawl.py"
    script.write_text(block.replace("https://example.com", site), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout  # the title, then the report's line: printed once, not per worker
    _run_id, new, _changed, _failed = lines[1].split()
    assert int(new) >= 1, lines[1]
    assert "Traceback" not in done.stderr


def test_the_development_layout_names_only_modules_that_exist() -> None:
    """Every module docs/development.md's layout names is there, in the folder it is listed under:
    a module moved or renamed cannot leave its old name behind."""
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    layout = text.split("```\nscraper/\n", 1)[1].split("```", 1)[0]
    folder, named = ROOT / "scraper", []
    for line in layout.splitlines():
        head = line[2:14].strip()
        if head.endswith("/"):
            folder = ROOT / "scraper" / head
        elif head:
            folder = ROOT / "scraper"
        named += [(folder, name) for name in re.findall(r"\b(\w+\.py)\b", line)]
    assert len(named) > 50
    assert [f"{folder.name}/{name}" for folder, name in named if not (folder / name).is_file()] == []
