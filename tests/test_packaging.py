"""The installed distribution: what it declares is what the code needs, with any pip."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import scraper
from scraper.cli import cli

DIST = "storyscraper"
PACKAGE_DIR = Path(scraper.__file__).parent


def _imported_top_level(path: Path) -> Iterator[str]:
    """Top-level names of every absolute import in a module, lazy ones inside functions included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.partition(".")[0]


def _third_party_imports() -> set[str]:
    names = {name for path in PACKAGE_DIR.rglob("*.py") for name in _imported_top_level(path)}
    return names - set(sys.stdlib_module_names) - {"scraper", "__future__"}


def _declared(dist: str, extras: frozenset[str] = frozenset()) -> list[Requirement]:
    """Requirements of `dist` that apply here with `extras` asked for (markers evaluated)."""
    found = []
    for line in metadata.requires(dist) or []:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": extra}) for extra in {"", *extras}):
            found.append(req)
    return found


def test_every_imported_library_is_a_declared_requirement() -> None:
    """A library the code imports must not arrive only because some other dependency pulls it in."""
    declared = {canonicalize_name(req.name) for req in _declared(DIST, _all_extras(DIST))}
    providers = metadata.packages_distributions()
    imported = _third_party_imports()
    assert {"lxml", "selectolax", "trafilatura"} <= imported  # the scan sees the code
    missing = {
        name
        for name in imported
        if not {canonicalize_name(dist) for dist in providers.get(name, [name])} & declared
    }
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def _all_extras(dist: str) -> frozenset[str]:
    return frozenset(metadata.metadata(dist).get_all("Provides-Extra") or [])


def test_what_old_pip_drops_from_an_unnormalised_extra_is_declared_directly() -> None:
    """pip 23.2 (Python 3.11's own) looks extras up by their literal spelling, not PEP 685's.

    justext asks for `lxml[html_clean]`, lxml 6 provides `html-clean`: that pip installs lxml
    without `lxml_html_clean` and the command crashes on start. Walk the dependency closure as
    that pip does and require every dropped extra's packages to be reached another way.
    """
    reached: set[str] = set()
    walked: set[tuple[str, frozenset[str]]] = set()
    dropped: list[tuple[str, Requirement]] = []
    todo = [(canonicalize_name(DIST), frozenset[str]())]
    while todo:
        if (step := todo.pop()) in walked:
            continue
        walked.add(step)
        dist, extras = step
        reached.add(dist)
        try:
            requirements = _declared(dist, extras)
        except metadata.PackageNotFoundError:
            continue  # a marker-guarded requirement for another platform or Python
        for req in requirements:
            literal = frozenset(req.extras) & _all_extras(req.name)
            for extra in frozenset(req.extras) - literal:
                base = {str(r) for r in _declared(req.name)}
                brought = _declared(req.name, frozenset({canonicalize_name(extra)}))
                dropped += [(f"{req.name}[{extra}]", r) for r in brought if str(r) not in base]
            todo.append((canonicalize_name(req.name), literal))
    unreached = {asked: str(r) for asked, r in dropped if canonicalize_name(r.name) not in reached}
    assert not unreached, f"old pip installs none of these; declare them directly: {unreached}"


def test_version_is_the_installed_distributions() -> None:
    """`scraper.__version__` and `scraper --version` both say what the package metadata says."""
    assert scraper.__version__ == metadata.version(DIST)
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.split()[-1] == scraper.__version__


def test_the_package_carries_its_type_marker() -> None:
    """py.typed sits in the package (PEP 561); `make install-check` sees it in a built install."""
    assert (PACKAGE_DIR / "py.typed").is_file()


ROOT = Path(__file__).resolve().parents[1]
# the libraries whose exact versions the docs' quality and speed figures depend on
FIGURE_DEPENDENCIES = ("trafilatura", "htmldate", "lxml", "courlan", "justext", "selectolax")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_constraints_pin_every_dependency_of_pyproject() -> None:
    """Every requirement, extra and dependency group of pyproject.toml has an exact version to install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [
        *project["project"]["dependencies"],
        *(req for extra in project["project"]["optional-dependencies"].values() for req in extra),
        *(req for group in project["dependency-groups"].values() for req in group),
    ]
    pins = _pins()
    requirements = [Requirement(line) for line in wanted]
    unpinned = sorted(req.name for req in requirements if canonicalize_name(req.name) not in pins)
    assert not unpinned, f"not in constraints.txt (run make lock): {unpinned}"
    for req in requirements:
        pinned = pins[canonicalize_name(req.name)]
        assert req.specifier.contains(pinned), f"constraints.txt has {req.name}=={pinned}, against {req}"


def test_the_installed_versions_are_the_pinned_ones() -> None:
    """The environment under test runs the exact versions the figures were measured with."""
    pins = _pins()
    for name in FIGURE_DEPENDENCIES:
        assert metadata.version(name) == pins[canonicalize_name(name)], name


def test_every_install_hint_names_this_distribution_and_one_of_its_extras() -> None:
    """A hint such as `pip install 'storyscraper[dedup]'` names our distribution (`scraper[...]` on
    the index is another project), or a checkout (`.`), and an extra pyproject.toml defines, in
    code and in the docs."""
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]
    )
    texts = [
        path.read_text(encoding="utf-8")
        for path in [*PACKAGE_DIR.rglob("*.py"), *(ROOT / "docs").rglob("*.md")]
    ]
    hints = [hint for text in texts for hint in re.findall(r"pip install '([\w.-]+)\[(\w+)\]'", text)]
    assert len(hints) >= 6
    assert sorted({name for name, _extra in hints}) == [".", "storyscraper"]  # `.`: from a checkout
    assert {extra for _name, extra in hints} <= extras
