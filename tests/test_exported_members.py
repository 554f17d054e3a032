"""The public surface is defined once, in scraper/__init__.py."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import scraper


def test_all_names_exist_and_nothing_private_leaks() -> None:
    """Every name in __all__ is importable and public."""
    for name in scraper.__all__:
        assert hasattr(scraper, name), name
        assert not name.startswith("_")
    assert sorted(scraper.__all__) == scraper.__all__


def test_clean_html_is_the_one_call_api() -> None:
    """clean_html turns an HTML string into a Document with a JSON-ready record."""
    html = (
        "<html lang='en'><head><title>T</title></head><body><article>"
        + "<p>A sentence of the story that is long enough to be kept as main text.</p>" * 4
        + "</article></body></html>"
    )
    doc = scraper.clean_html(html, url="https://a.example/s")
    assert "long enough to be kept" in doc.text
    assert doc.to_record()["url"] == "https://a.example/s"


STAGES = ["scraper", "scraper.fetch", "scraper.extract", "scraper.crawl", "scraper.store", "scraper.corpus"]


@pytest.mark.parametrize("name", STAGES)
def test_each_seam_exports_what_it_lists_and_type_checkers_see_the_same(name: str) -> None:
    """Every lazily exported name resolves, is in __all__, and is imported under TYPE_CHECKING (what
    mypy reads); none is also a submodule's name (the submodule would shadow it once imported)."""
    package = importlib.import_module(name)
    exports: dict[str, str] = package._EXPORTS
    assert set(exports) <= set(package.__all__)
    tree = ast.parse(Path(str(package.__file__)).read_text(encoding="utf-8"))
    checked = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    typed = {a.asname or a.name for n in checked.body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert typed == set(exports)
    submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert not set(exports) & submodules
    for exported, module in exports.items():
        assert getattr(package, exported) is getattr(importlib.import_module(module), exported)


def test_importing_the_package_loads_no_heavy_library() -> None:
    """`import scraper` and the CLI's module load no trafilatura, httpx, pyarrow, lightgbm or numpy."""
    code = "import sys, scraper, scraper.cli; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert not loaded & {"trafilatura", "httpx", "pyarrow", "lightgbm", "numpy", "warcio", "pebble"}


def test_the_corpus_engine_leaves_the_extractor_to_its_workers() -> None:
    """`clean -o` of many pages extracts them all in the pool, whose forkserver imports the
    extractor: its own process loads no trafilatura, htmldate or numpy (half a CPU second, 30 MB)."""
    code = "import sys, scraper.corpus.batch, scraper.corpus.folder, scraper.cli.clean; print(*sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "scraper.corpus.batch" in loaded
    assert not loaded & {"trafilatura", "htmldate", "numpy", "scraper.extract.pipeline"}


def test_cleaning_a_local_file_loads_no_http_client_and_no_lightgbm() -> None:
    """`scraper clean page.html`, a cold start: no httpx (nothing is fetched) and no LightGBM (the
    block model runs on numpy), the two that made it slow."""
    page = Path(__file__).parent / "fixtures" / "seed-article" / "page.html"
    code = (
        "import sys\n"
        "from scraper.cli import main\n"
        f"sys.argv = ['scraper', 'clean', {str(page)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stderr.split())
    assert "Rotherham" in done.stdout
    assert not loaded & {"httpx", "httpcore", "lightgbm", "scipy", "tenacity"}
