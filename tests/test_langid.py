"""py3langid's model unpacked once into the user's cache and mapped from there, with the same answers."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from scraper import langid

TEXTS = [
    "The quick brown fox jumps over the lazy dog while the committee debates the budget.",
    "Der schnelle braune Fuchs springt über den faulen Hund, und der Ausschuss berät den Haushalt.",
    "Le conseil municipal a voté le budget après un long débat sur les transports publics.",
    "El consejo aprobó el presupuesto tras un largo debate sobre el transporte público.",
    "Совет утвердил бюджет после долгих споров об общественном транспорте.",
    "",
    "12345 !!!",
]


@pytest.fixture(scope="module")
def reference() -> Any:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _unpack_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source: Path) -> dict[str, Any]:
        raise AssertionError("the model was unpacked again")

    monkeypatch.setattr(langid, "_unpack", refuse)


def test_the_cached_model_answers_as_py3langid_and_is_unpacked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Any
) -> None:
    """The first process leaves the arrays in the cache, the next maps them: the same answers."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = langid.identifier()
    [folder] = (tmp_path / "storyscraper").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.npy" for n in langid._ARRAYS)
    _unpack_refused(monkeypatch)
    second = langid.identifier()
    for text in TEXTS:
        assert first.classify(text) == second.classify(text) == reference.classify(text)


def test_a_damaged_copy_is_unpacked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Any
) -> None:
    """A truncated array in the cache is not read: the model is unpacked from py3langid's file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    langid.identifier()
    [folder] = (tmp_path / "storyscraper").iterdir()
    damaged = folder / "nextmove.npy"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    assert langid.identifier().classify(TEXTS[1]) == reference.classify(TEXTS[1])


def test_a_cache_that_cannot_be_written_costs_only_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Any
) -> None:
    """With the cache's place taken by a file, the model still loads and answers the same."""
    (tmp_path / "storyscraper").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert langid.identifier().classify(TEXTS[2]) == reference.classify(TEXTS[2])
    assert (tmp_path / "storyscraper").read_text() == "not a folder"


def test_a_killed_writers_temp_folder_is_swept_and_a_live_one_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temp folder older than an hour (a process killed while writing) goes; a young one stays."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    root = tmp_path / "storyscraper"
    stale, live = root / ".py3langid-0123456789abcdef-dead", root / ".py3langid-0123456789abcdef-busy"
    for temp in (stale, live):
        temp.mkdir(parents=True)
        (temp / "nextmove.npy").write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    langid.identifier()
    assert not stale.exists() and live.exists()
