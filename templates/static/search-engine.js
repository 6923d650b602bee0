/*
 * The search engine of the minutes archive, on lunr.js 2.3.9: the query algorithm of
 * generator/search/query.py, step for step, so that the page and `minutes search` agree
 * (tests/test_search_parity.py holds them to the same terms, hits and scores).
 *
 * A classic script: in the browser it needs the global `lunr` (assets/lunr.js) and defines
 * `window.MinutesSearch`; under Node, `require("./search-engine.js")` returns the same object.
 *
 *   MinutesSearch.open(searchDirUrl) -> Promise<Searcher>   (fetches index.json, docs.json, terms.json)
 *   MinutesSearch.fromData(index, docs, terms) -> Searcher   (the three files, parsed)
 *   searcher.search(query) -> {query, terms, total, hits: [{ref, url, meeting_index, number,
 *       meeting, body, body_slug, date, fiscal_year, item, speaker, text, score,
 *       highlights: [[start, end], ...]}]}
 *
 * meeting_index is the meeting's place in docs.json's `meetings`; number the utterance's number
 * in its meeting (the N of the url's #sN).
 *
 * Highlights count UTF-16 code units of `text` (the index stores code points); they come sorted,
 * [start, end) pairs, and merged: no two overlap or touch. User input never
 * reaches lunr's query parser: terms go through `idx.query` only, and `*` is dropped.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"));
  } else {
    root.MinutesSearch = factory(root.lunr);
  }
})(typeof self !== "undefined" ? self : this, function (lunr) {
  "use strict";

  // The same three definitions as generator/search/folding.py.
  var SPACES = /[ \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/;
  var WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
  var FIELD = "text";
  var POSITIONS = "p";
  var MAX_GAP = 2;
  var ADJACENCY_BONUS = 0.5;

  function fold(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function isWordChar(char) {
    return WORD_CHAR.test(char);
  }

  /* Code points of `chars` without the non-word ones at both ends, joined. */
  function stripNonWord(chars) {
    var start = 0, end = chars.length;
    while (start < end && !isWordChar(chars[start])) start++;
    while (end > start && !isWordChar(chars[end - 1])) end--;
    return chars.slice(start, end).join("");
  }

  function splitSpaces(text) {
    return text.split(SPACES).filter(function (part) { return part.length > 0; });
  }

  function hiragana(text) {
    return text.replace(/[\u30a1-\u30f6]/g, function (char) {
      return String.fromCharCode(char.charCodeAt(0) - 0x60);
    });
  }

  function hasOwn(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  /*
   * What the query knows of the index: its terms (sorted in UTF-16 order, the order of
   * index.json and of JavaScript's <), and the maps from typed words to terms.
   */
  function Lexicon(sortedTerms, normalized, units, readings) {
    this.sorted = sortedTerms;
    this.set = new Set(sortedTerms);
    this.normalized = normalized;
    this.units = units;
    this.readings = readings;
    var longest = 0;
    // UTF-16 lengths bound the lengths in code points: the search only looks further.
    sortedTerms.concat(Object.keys(readings)).forEach(function (word) {
      if (word.length > longest) longest = word.length;
    });
    this.longest = longest;
  }

  Lexicon.prototype.knows = function (piece) {
    if (this.set.has(piece)) return true;
    var kana = hiragana(piece);
    return this.set.has(kana) || hasOwn(this.readings, kana);
  };

  Lexicon.prototype.isTerm = function (term) {
    return this.set.has(term);
  };

  Lexicon.prototype.words = function (piece) {
    var word = piece;
    if (!this.set.has(piece)) {
      var kana = hiragana(piece);
      word = this.set.has(kana) ? kana : this.readings[kana];
    }
    if (hasOwn(this.units, word)) return this.units[word].slice();
    return [hasOwn(this.normalized, word) ? this.normalized[word] : word];
  };

  Lexicon.prototype.lowerBound = function (prefix) {
    var low = 0, high = this.sorted.length;
    while (low < high) {
      var middle = (low + high) >>> 1;
      if (this.sorted[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  Lexicon.prototype.hasPrefix = function (prefix) {
    var start = this.lowerBound(prefix);
    return start < this.sorted.length && this.sorted[start].startsWith(prefix);
  };

  Lexicon.prototype.withPrefix = function (prefix) {
    var start = this.lowerBound(prefix), end = start;
    while (end < this.sorted.length && this.sorted[end].startsWith(prefix)) end++;
    return this.sorted.slice(start, end);
  };

  /*
   * Cover `part` with the fewest known pieces, skipping non-word characters; ties keep the
   * longest piece at each step. Returns [[piece, exact], ...] or null when a word character
   * cannot be covered. A last part that is one known piece, or the beginning of a term, stays
   * one piece.
   */
  function segment(part, lexicon, last) {
    var chars = Array.from(part);
    var core = stripNonWord(chars);
    if (last && core && (lexicon.knows(core) || lexicon.hasPrefix(core))) {
      return [[core, lexicon.knows(core)]];
    }
    var end = chars.length, infinity = end + 1;
    var cost = new Array(end + 1).fill(infinity);
    var choice = new Array(end + 1).fill(0);
    cost[end] = 0;
    for (var i = end - 1; i >= 0; i--) {
      if (!isWordChar(chars[i])) {
        cost[i] = cost[i + 1];
        choice[i] = i + 1;
        continue;
      }
      for (var j = Math.min(end, i + lexicon.longest); j > i; j--) {
        if (cost[j] + 1 < cost[i] && lexicon.knows(chars.slice(i, j).join(""))) {
          cost[i] = cost[j] + 1;
          choice[i] = j;
        }
      }
    }
    if (cost[0] >= infinity) return null;
    var pieces = [];
    for (var k = 0; k < end; k = choice[k]) {
      if (isWordChar(chars[k])) pieces.push([chars.slice(k, choice[k]).join(""), true]);
    }
    return pieces;
  }

  /* The query's REQUIRED terms: {terms: [{text, part, prefix}], covered}. */
  function planQuery(query, lexicon) {
    var parts = splitSpaces(fold(query).split("*").join(""));
    var segmented = [];
    for (var p = 0; p < parts.length; p++) {
      var pieces = segment(parts[p], lexicon, p === parts.length - 1);
      if (pieces === null) return { terms: [], covered: false };
      if (pieces.length) segmented.push(pieces);
    }
    var terms = [], words = [];
    segmented.forEach(function (pieces, number) {
      pieces.forEach(function (entry) {
        words = entry[1] ? lexicon.words(entry[0]) : [entry[0]];
        words.forEach(function (word) { terms.push({ text: word, part: number, prefix: false }); });
      });
    });
    if (segmented.length && segmented[segmented.length - 1].length === 1 && words.length === 1) {
      // A last part that is one word, not a compound, also finds the words it begins.
      terms[terms.length - 1].prefix = true;
    }
    return { terms: terms, covered: true };
  }


  /* True when a term starting at `start` stands in a row after one ending at `end`. */
  function follows(end, start, doc) {
    if (end === start) return true;
    if (!(end < start && start <= end + MAX_GAP)) return false;
    for (var i = end; i < start; i++) {
      if (isWordChar(doc.charAt(i))) return false;
    }
    return true;
  }

  /* The offsets among `ends` (a Set) after which a term starting at `start` stands in a row. */
  function endsBefore(start, ends, doc) {
    var found = [];
    for (var end = start - MAX_GAP; end <= start; end++) {
      if (ends.has(end) && follows(end, start, doc)) found.push(end);
    }
    return found;
  }

  function endsOf(spans) {
    return new Set(spans.map(function (span) { return span[1]; }));
  }

  function standInRow(before, after, doc) {
    var ends = endsOf(before);
    return after.some(function (span) { return endsBefore(span[0], ends, doc).length > 0; });
  }

  /* The spans on a complete run of the part's terms standing in a row, or null. */
  function spansInRow(levels, doc) {
    var reached = [levels[0]];
    for (var level = 1; level < levels.length; level++) {
      var ends = endsOf(reached[reached.length - 1]);
      reached.push(levels[level].filter(function (span) { return endsBefore(span[0], ends, doc).length > 0; }));
    }
    if (!reached[reached.length - 1].length) return null;
    // Walk back from the last term: keep only the spans that lead on to a complete run.
    var kept = [reached[reached.length - 1]];
    for (var back = reached.length - 2; back >= 0; back--) {
      var linked = new Set(), before = endsOf(reached[back]);
      kept[kept.length - 1].forEach(function (span) {
        endsBefore(span[0], before, doc).forEach(function (end) { linked.add(end); });
      });
      kept.push(reached[back].filter(function (span) { return linked.has(span[1]); }));
    }
    return [].concat.apply([], kept);
  }

  function merge(spans) {
    var sorted = spans.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    sorted.forEach(function (span) {
      var top = merged[merged.length - 1];
      if (top && span[0] <= top[1]) top[1] = Math.max(top[1], span[1]);
      else merged.push([span[0], span[1]]);
    });
    return merged;
  }

  var SURROGATE = /[\ud800-\udfff]/;

  /* A document's text, read by code point (the index's offsets); most texts are all in the BMP. */
  function DocText(text) {
    this.text = text;
    this.astral = SURROGATE.test(text);
    this._codePoints = null;
  }

  DocText.prototype.charAt = function (index) {
    if (!this.astral) return this.text.charAt(index);
    if (this._codePoints === null) this._codePoints = Array.from(this.text);
    return this._codePoints[index] || "";
  };

  /* Code point offsets → UTF-16 offsets (astral characters such as 𠮟 take two units). */
  DocText.prototype.toUtf16 = function (spans) {
    if (!this.astral) return spans;
    var units = [0], position = 0;
    for (var char of this.text) units.push(position += char.length);
    return spans.map(function (span) { return [units[span[0]], units[span[1]]]; });
  };

  function Searcher(indexData, docsData, termsData) {
    this.index = lunr.Index.load(indexData);
    this.lexicon = new Lexicon(
      indexData.invertedIndex.map(function (entry) { return entry[0]; }),
      termsData.normalized, termsData.units, termsData.readings || {}
    );
    this.meetings = docsData.meetings;
    this.docs = docsData.docs;
  }

  Searcher.prototype.plan = function (query) {
    return planQuery(String(query), this.lexicon);
  };

  Searcher.prototype.expand = function (term) {
    if (term.prefix) return this.lexicon.withPrefix(term.text);
    return this.lexicon.isTerm(term.text) ? [term.text] : [];
  };

  /*
   * ref → sorted, distinct [start, end] code point spans of any of `words`, for the documents
   * of `refs` (a Set): every posting is read once, not once per document.
   */
  Searcher.prototype.spans = function (words, refs) {
    var inverted = this.index.invertedIndex, found = new Map();
    words.forEach(function (word) {
      var posting = inverted[word][FIELD];
      for (var ref in posting) {
        if (!refs.has(ref)) continue;
        var flat = posting[ref][POSITIONS], list = found.get(ref);
        if (!list) found.set(ref, list = []);
        for (var k = 0; k < flat.length; k += 2) list.push([flat[k], flat[k] + flat[k + 1]]);
      }
    });
    found.forEach(function (list, ref) {
      list.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      var distinct = list.filter(function (span, i) {
        return i === 0 || span[0] !== list[i - 1][0] || span[1] !== list[i - 1][1];
      });
      found.set(ref, distinct);
    });
    return found;
  };

  Searcher.prototype.search = function (query) {
    var plan = this.plan(query);
    var result = { query: String(query), terms: plan.terms.map(function (t) { return t.text; }), total: 0, hits: [] };
    if (!plan.covered || !plan.terms.length) return result;
    var self = this;
    var matches = this.index.query(function (q) {
      plan.terms.forEach(function (term) {
        q.term(term.text, {
          presence: lunr.Query.presence.REQUIRED,
          usePipeline: false,
          wildcard: term.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE
        });
      });
    });
    var refs = new Set(matches.map(function (match) { return match.ref; }));
    var parts = [];
    plan.terms.forEach(function (term) {
      if (!parts[term.part]) parts[term.part] = [];
      parts[term.part].push(self.spans(self.expand(term), refs));
    });
    parts = parts.filter(function (part) { return part; });
    var ranked = [];
    matches.forEach(function (match) {
      var doc = new DocText(self.docs[Number(match.ref)][4]);
      var spans = parts.map(function (part) {
        return part.map(function (found) { return found.get(match.ref); });
      });
      var highlights = [];
      for (var p = 0; p < spans.length; p++) {
        var inRow = spansInRow(spans[p], doc);
        if (inRow === null) return;
        highlights = highlights.concat(inRow);
      }
      var score = match.score;
      if (spans.length > 1) {
        var adjacent = 0;
        for (var b = 0; b + 1 < spans.length; b++) {
          if (standInRow(spans[b][spans[b].length - 1], spans[b + 1][0], doc)) adjacent++;
        }
        score = score * (1 + ADJACENCY_BONUS * adjacent / (spans.length - 1));
      }
      ranked.push({ ref: Number(match.ref), score: score, doc: doc, highlights: highlights });
    });
    ranked.sort(function (a, b) { return b.score - a.score || a.ref - b.ref; });
    result.total = ranked.length;
    result.hits = ranked.map(function (entry) { return self.hit(entry); });
    return result;
  };

  Searcher.prototype.hit = function (entry) {
    var doc = this.docs[entry.ref];
    var meeting = this.meetings[doc[0]];
    return {
      ref: String(entry.ref),
      url: meeting.url + "#s" + doc[1],
      meeting_index: doc[0],
      number: doc[1],
      meeting: meeting.title,
      body: meeting.body,
      body_slug: meeting.body_slug,
      date: meeting.date,
      fiscal_year: meeting.fiscal_year,
      item: doc[3] === null ? null : meeting.items[doc[3]],
      speaker: doc[2],
      text: doc[4],
      score: entry.score,
      highlights: entry.doc.toUtf16(merge(entry.highlights))
    };
  };

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("cannot load " + url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function open(searchDirUrl) {
    var base = String(searchDirUrl);
    if (base.slice(-1) !== "/") base += "/";
    return Promise.all([
      fetchJson(base + "index.json"), fetchJson(base + "docs.json"), fetchJson(base + "terms.json")
    ]).then(function (files) {
      return new Searcher(files[0], files[1], files[2]);
    });
  }

  function fromData(indexData, docsData, termsData) {
    return new Searcher(indexData, docsData, termsData);
  }

  return { open: open, fromData: fromData, fold: fold, planQuery: planQuery };
});
