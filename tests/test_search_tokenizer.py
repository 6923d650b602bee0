"""The Sudachi tokenizer behind the search index: words, their forms, their places in the text."""

from __future__ import annotations

import json

import pytest

from generator.search.folding import fold, is_word_char, strip_non_word
from generator.search.tokenizer import JapaneseTokenizer, Token

SUDACHI_LIMIT = 49_149


@pytest.fixture(scope="module")
def tokenizer() -> JapaneseTokenizer:
    return JapaneseTokenizer()


def surfaces(tokens: list[Token]) -> list[str]:
    return [token.surface for token in tokens]


def assert_covers(text: str, tokens: list[Token]) -> None:
    """Every letter or digit of `text` lies in a token, and every token is the text at its place."""
    covered = set()
    for token in tokens:
        assert token.surface == strip_non_word(fold(text[token.start : token.end]).replace("*", ""))
        covered.update(range(token.start, token.end))
        for unit in token.units:
            assert token.start <= unit.start < unit.end <= token.end
    missing = [i for i, char in enumerate(text) if is_word_char(char) and i not in covered]
    assert not missing, f"characters lost: {[text[i] for i in missing[:10]]}"


def test_full_width_letters_fold_to_the_half_width_lowercase_term(tokenizer: JapaneseTokenizer) -> None:
    tokens = tokenizer.tokenize("ＧＩＧＡスクール構想とｉＰａｄ")
    assert surfaces(tokens) == ["giga", "スクール", "構想", "と", "ipad"]
    assert tokens[0].normalized == "ギガ"


def test_spelling_variants_share_their_normalized_form(tokenizer: JapaneseTokenizer) -> None:
    forms = {text: tokenizer.tokenize(text)[0].normalized for text in ("子供", "子ども", "こども")}
    assert forms == {"子供": "子供", "子ども": "子供", "こども": "子供"}
    assert tokenizer.tokenize("めぐろ区報")[0].normalized == "目黒"


def test_a_compound_carries_its_mode_a_units_with_their_places(tokenizer: JapaneseTokenizer) -> None:
    text = "本日、東日本大震災について"
    (compound,) = [token for token in tokenizer.tokenize(text) if token.surface == "東日本大震災"]
    assert [(u.surface, text[u.start : u.end]) for u in compound.units] == [
        ("東", "東"), ("日本", "日本"), ("大", "大"), ("震災", "震災"),
    ]  # fmt: skip


def test_a_word_that_does_not_split_has_no_units(tokenizer: JapaneseTokenizer) -> None:
    assert all(not token.units for token in tokenizer.tokenize("京都の本人"))


def test_punctuation_and_spaces_are_dropped(tokenizer: JapaneseTokenizer) -> None:
    tokens = tokenizer.tokenize("（投　票）\n〔「異議なし」と呼ぶ者あり〕・、。")
    assert surfaces(tokens) == ["投", "票", "異議", "なし", "と", "呼ぶ", "者", "あり"]


def test_unknown_words_are_kept_and_offsets_count_code_points(tokenizer: JapaneseTokenizer) -> None:
    # 𠮟 is outside the BMP: one code point, two UTF-16 units. Sudachi tags it as a symbol.
    text = "𠮟責を受けた東京都"
    tokens = tokenizer.tokenize(text)
    assert (tokens[0].surface, tokens[0].start, tokens[0].end) == ("𠮟", 0, 1)
    assert [(t.surface, t.start, t.end) for t in tokens if t.surface == "東京都"] == [("東京都", 6, 9)]
    assert_covers(text, tokens)


def test_an_unknown_word_led_by_a_kanji_zero_still_shows_its_words(tokenizer: JapaneseTokenizer) -> None:
    # Sudachi reads a line-leading 〇 and the kanji after it as one unknown word.
    (token,) = tokenizer.tokenize("〇東日本大震災復興特別委員")
    assert [unit.surface for unit in token.units] == ["〇", "東", "日本", "大", "震災", "復興", "特別", "委員"]


def test_a_number_keeps_the_reading_sudachi_gives_it_where_it_stands() -> None:
    """One tokenizer reuses the token of a word met before; a number Sudachi joins is not such a word.

    Sudachi reads 一 in 一つ as ヒト and alone as イチ, both times an unknown word of the same id:
    a reading map built from the wrong one would send the query いち astray.
    """
    tokenizer = JapaneseTokenizer()
    first = [(t.surface, t.normalized, t.reading) for t in tokenizer.tokenize("一つ、一")]
    assert first == [("一", "1", "ヒト"), ("つ", "つ", "ツ"), ("一", "1", "イチ")]
    texts = ["一つ目の議案", "一", "議案一", "十一人"]
    assert [tokenizer.tokenize(text) for text in texts] == [JapaneseTokenizer().tokenize(text) for text in texts]


def test_words_hold_each_word_once_and_give_the_tokens_back(tokenizer: JapaneseTokenizer) -> None:
    text = "東日本大震災の復興と東日本大震災の教訓"
    words = tokenizer.words(text)
    assert words.tokens() == JapaneseTokenizer().tokenize(text)
    compounds = [word for word in words.words if word.surface == "東日本大震災"]
    assert len(compounds) == 2 and compounds[0] is compounds[1]
    assert [start for word, start in zip(words.words, words.starts) if word is compounds[0]] == [0, 10]
    assert all(word.start == 0 for word in words.words)


def test_text_over_sudachis_input_limit_is_tokenized_whole(tokenizer: JapaneseTokenizer) -> None:
    sentence = "本日の審議会では、ＧＩＧＡスクール構想について議論しました。\n"
    text = sentence * (SUDACHI_LIMIT // len(sentence.encode("utf-8")) + 50)
    assert len(text.encode("utf-8")) > SUDACHI_LIMIT
    tokens = tokenizer.tokenize(text)
    assert surfaces(tokens).count("giga") == text.count("ＧＩＧＡ")
    assert_covers(text, tokens)


def test_a_long_run_without_sentence_ends_loses_no_character(tokenizer: JapaneseTokenizer) -> None:
    text = "𠮟" + "あいうえおかきくけこ東京都" * 2_000 + "𠮟"
    assert len(text.encode("utf-8")) > SUDACHI_LIMIT
    tokens = tokenizer.tokenize(text)
    assert tokens[-1].surface == "𠮟" and tokens[-1].end == len(text)
    assert_covers(text, tokens)


@pytest.mark.corpus
def test_the_tokyo_utterances_above_the_limit_are_tokenized(tokenizer: JapaneseTokenizer, corpus) -> None:
    long = [
        utterance["Utterance"]
        for path in sorted((corpus / "tokyo-assembly").glob("*.json"))
        for meeting in json.loads(path.read_text(encoding="utf-8"))
        for utterance in meeting["Proceeding"]
        if len(utterance["Utterance"].encode("utf-8")) > SUDACHI_LIMIT
    ]
    assert len(long) == 9
    for text in long:
        assert_covers(text, tokenizer.tokenize(text))
