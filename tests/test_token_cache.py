"""The token cache: the same tokens as Sudachi, never tokenizing a text twice, also across runs."""

from __future__ import annotations

from pathlib import Path

from generator.search.tokenizer import JapaneseTokenizer, Token, Words
from generator.token_cache import TokenCache

TEXTS = [
    "東日本大震災の復興について、こども家庭庁とＧＩＧＡスクールの予算を伺います。",
    "𠮟責された件（資料により説明）は、目黒区報に載りました。",
    "",
    "会議" * 30_000,  # beyond SudachiPy's input limit: the tokenizer splits it
]


class CountingTokenizer(JapaneseTokenizer):
    """Sudachi, counting the texts it was asked to split."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def words(self, text: str) -> Words:
        self.calls += 1
        return super().words(text)


def test_cached_tokens_are_sudachis_tokens(tmp_path: Path) -> None:
    fresh = [JapaneseTokenizer().tokenize(text) for text in TEXTS]
    with TokenCache(tmp_path) as cache:
        assert [cache.tokenize(text) for text in TEXTS] == fresh
    with TokenCache(tmp_path) as cache:
        assert [cache.tokenize(text) for text in TEXTS] == fresh
        assert cache.hits == len(TEXTS)


def test_a_later_run_tokenizes_only_new_texts(tmp_path: Path) -> None:
    with TokenCache(tmp_path, CountingTokenizer()) as cache:
        for text in TEXTS[:2] + TEXTS[:2]:
            cache.tokenize(text)
        assert cache.tokenizer.calls == 2  # type: ignore[attr-defined]
    counting = CountingTokenizer()
    with TokenCache(tmp_path, counting) as cache:
        for text in TEXTS[:2] + ["新しく加えた発言です。"]:
            cache.tokenize(text)
    assert counting.calls == 1


def test_a_cache_from_another_tokenizer_version_is_dropped(tmp_path: Path) -> None:
    stale = [tmp_path / "tokens-0123456789abcdef.sqlite3", tmp_path / "tokens-0123456789abcdef.sqlite3-wal"]
    for path in stale:
        path.write_bytes(b"old")
    with TokenCache(tmp_path) as cache:
        cache.tokenize(TEXTS[0])
    assert not any(path.exists() for path in stale)
    assert [p.name for p in tmp_path.iterdir()] == [cache.path.name]
