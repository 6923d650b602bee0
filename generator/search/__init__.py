"""Japanese full-text search: Sudachi tokens in a lunr index, and the query algorithm over it.

The same query algorithm runs in Python (`query.py`, for `minutes search` and tests) and in the
browser (`templates/static/search-engine.js`, on lunr.js); `tests/test_search_parity.py` holds
them to the same terms, hits and scores.
"""
