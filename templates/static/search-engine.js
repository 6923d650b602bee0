/*
 * The search engine of the minutes archive, on lunr.js 2.3.9: the query algorithm of
 * generator/search/query.py, step for step, over the sharded search files of
 * generator/search/shards.py, fetching only what a query needs.
 * tests/test_search_parity.py holds it to the Python search (same terms, hits, order, scores to
 * 1e-9, highlights), and tests/test_search_shards.py to one unsharded lunr index.
 *
 * A classic script: in a page or a Web Worker it needs the global `lunr` (assets/lunr.js) and
 * defines `MinutesSearch`; under Node, `require("./search-engine.js")` returns the same object.
 *
 *   MinutesSearch.open(searchDirUrl) -> Searcher                  (fetches files as they are needed)
 *   MinutesSearch.withLoader(load) -> Searcher     (load(relative path, build version) -> Promise<parsed JSON>)
 *   searcher.prepare(text) -> Promise      (the manifest and the lexicon files for the characters of
 *                                           `text`: called while the reader types)
 *   searcher.search(query, filters) -> Promise<{query, terms, total, problem, hits: [{ref, url, meeting_index,
 *       number, meeting, body, body_slug, date, fiscal_year, [speaker, who,] score, spans: [[start, end], ...]}]}>
 *       (filters: {body, speaker, from, to, sort}, optional, as generator/search/filters.py reads them;
 *       speaker and who only once speakers.json is loaded: by a speaker filter or `speakers`)
 *       (problem: null, or why the query syntax was wrong and plain words were searched instead)
 *   searcher.details(refs) -> Promise<[{ref, item, text, speaker, who}]>   (the text files of those refs only;
 *       who: the named speaker's key, or null where the label stands for the speaker)
 *   searcher.speakers(refs) -> Promise<[{speaker, who}]>         (speakers.json: every ref's speaker, for the filter)
 *   searcher.matches(query) -> Promise<[{ref, score}]>            (lunr's scores recombined, unranked)
 *   MinutesSearch.highlights(text, spans) -> [[start, end], ...]  (code points -> UTF-16 units)
 *   MinutesSearch.parseQuery(query) -> {clauses, excluded, problem}   (the syntax, as syntax.py reads it)
 *
 * meeting_index is the meeting's place in the manifest's `meetings`; number the utterance's number
 * in its meeting (the N of the url's #sN). `spans` are the matched words, sorted and merged (no
 * two overlap or touch), in code points as the index counts them. User input never reaches
 * lunr's query parser: terms go through `idx.query` only, and `*` is dropped.
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
  var GAPS = "g";
  var ADJACENCY_BONUS = 0.5;
  var MANIFEST = "manifest.json";
  var SPEAKERS = "speakers.json";
  // lunr's BM25 parameters, as generator/search/lunr_writer.py's K1 and B.
  var K1 = 1.2;
  var B = 0.75;

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

  function firstChar(text) {
    return String.fromCodePoint(text.codePointAt(0));
  }

  /* The position of the last of the sorted `keys` that is <= `key`; -1 when none is. */
  function entryFor(keys, key) {
    var low = 0, high = keys.length;
    while (low < high) {
      var middle = (low + high) >>> 1;
      if (keys[middle] <= key) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /* Running sums: the first position of each run of `counts`. */
  function starts(counts) {
    var total = 0;
    return counts.map(function (count) { total += count; return total - count; });
  }

  function lowerBound(sorted, key) {
    var low = 0, high = sorted.length;
    while (low < high) {
      var middle = (low + high) >>> 1;
      if (sorted[middle] < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /*
   * What the query knows of the index, over the lexicon files loaded so far: each holds the terms
   * that start with some characters (UTF-16 order, the order of JavaScript's <) and the word map
   * (term or reading -> the terms it stands for). Segmenting a part needs the files of its
   * characters and of their hiragana: Searcher.prepare loads them first.
   */
  function Lexicon(firstChars, longest) {
    this.starts = firstChars; // the first character of each lexicon file
    this.longest = longest;
    this.files = new Map(); // file name -> {terms, set, words}
  }

  /* lunr's inverse document frequency, as lunr_writer.idf. */
  function idf(documents, holding) {
    return Math.log(1 + Math.abs((documents - holding + 0.5) / (holding + 0.5)));
  }

  /* A document's BM25 length normalisation, as lunr_writer.length_norm. */
  function lengthNorm(length, average) {
    return length ? K1 * (1 - B + B * (length / average)) : 0;
  }

  /*
   * A term's weight in a document's field vector, rounded as lunr_writer.weight rounds it:
   * toFixed rounds the exact binary value, as Python's round(x, 3) does.
   */
  function weight(termIdf, frequency, norm) {
    return Number((termIdf * ((K1 + 1) * frequency) / (norm + frequency)).toFixed(3));
  }

  Lexicon.prototype.add = function (number, data) {
    this.files.set(number, {
      terms: data.terms, set: new Set(data.terms), words: data.words,
      // The shards of the file's terms: [position of a term, name of the shard that holds it and those after it].
      shards: data.shards, shardStarts: data.shards.map(function (entry) { return entry[0]; })
    });
  };

  /* The numbers of the files a query text needs: those of its characters and of the same in hiragana. */
  Lexicon.prototype.filesFor = function (text) {
    var numbers = new Set(), starts = this.starts;
    Array.from(text).forEach(function (char) {
      [char, hiragana(char)].forEach(function (key) {
        var at = entryFor(starts, key);
        if (at >= 0) numbers.add(at);
      });
    });
    return Array.from(numbers);
  };

  Lexicon.prototype.fileOf = function (word) {
    if (!word) return null;
    var at = entryFor(this.starts, firstChar(word));
    if (at < 0) return null;
    if (!this.files.has(at)) throw new Error("lexicon file not loaded for " + firstChar(word));
    return this.files.get(at);
  };

  Lexicon.prototype.isTerm = function (word) {
    var file = this.fileOf(word);
    return Boolean(file) && file.set.has(word);
  };

  Lexicon.prototype.knows = function (piece) {
    if (this.isTerm(piece)) return true;
    // A key of the word map is a term or a reading.
    var kana = hiragana(piece), file = this.fileOf(kana);
    return Boolean(file) && (file.set.has(kana) || hasOwn(file.words, kana));
  };

  Lexicon.prototype.words = function (piece) {
    var word = this.isTerm(piece) ? piece : hiragana(piece);
    var file = this.fileOf(word);
    return file && hasOwn(file.words, word) ? file.words[word].slice() : [word];
  };

  Lexicon.prototype.hasPrefix = function (prefix) {
    var file = this.fileOf(prefix);
    if (!file) return false;
    var at = lowerBound(file.terms, prefix);
    return at < file.terms.length && file.terms[at].startsWith(prefix);
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

  /*
   * The query syntax, read before folding as generator/search/syntax.py reads it: words (all
   * required), `A OR B` and `|`/`｜` for either, `-A` to exclude, `"A B"` or `「…」` for a phrase.
   * Returns {clauses: [[unit, ...], ...], excluded: [unit, ...], problem} with unit {text, phrase};
   * wrong syntax gives the plain words and names the problem.
   */
  var OR_WORD = "OR", BARS = "|｜", MINUS = "-－";
  var QUOTES = { "\"": "\"＂“”", "＂": "\"＂“”", "“": "\"＂“”", "”": "\"＂“”", "「": "」" };
  var SPACE = new RegExp("^" + SPACES.source.slice(0, -1) + "$");

  function isSpace(char) {
    return SPACE.test(char);
  }

  function hasWordChar(text) {
    return Array.from(text).some(isWordChar);
  }

  function tokens(query) {
    var chars = Array.from(query), out = [], word = [], negated = false;
    var afterSpace = true, wordAfterSpace = true;
    function flush(beforeSpace) {
      var text = word.join("");
      if (text === OR_WORD && !negated && wordAfterSpace && beforeSpace) out.push({ kind: "or" });
      else if (text) out.push({ kind: "item", unit: { text: text, phrase: false }, negated: negated });
      word = [];
      negated = false;
    }
    var i = 0;
    while (i < chars.length) {
      var char = chars[i];
      if (isSpace(char)) {
        flush(true);
        afterSpace = true;
        i++;
        continue;
      }
      if (BARS.indexOf(char) >= 0) {
        flush(false);
        out.push({ kind: "or" });
        afterSpace = false;
        i++;
        continue;
      }
      if (hasOwn(QUOTES, char)) {
        var closers = QUOTES[char], end = -1;
        for (var j = i + 1; j < chars.length; j++) {
          if (closers.indexOf(chars[j]) >= 0) { end = j; break; }
        }
        if (end < 0) return "unclosed-quote";
        // A minus right before the quote, at the start of a word, excludes the phrase.
        var phraseNegated = negated && !word.length;
        if (!phraseNegated) flush(false);
        out.push({ kind: "item", unit: { text: chars.slice(i + 1, end).join(""), phrase: true }, negated: phraseNegated });
        word = [];
        negated = false;
        afterSpace = false;
        i = end + 1;
        continue;
      }
      if (afterSpace && !word.length && MINUS.indexOf(char) >= 0 && i + 1 < chars.length) {
        var following = chars[i + 1];
        if (!isSpace(following) && BARS.indexOf(following) < 0) {
          negated = true;
          wordAfterSpace = true;
          afterSpace = false;
          i++;
          continue;
        }
      }
      if (!word.length && !negated) wordAfterSpace = afterSpace;
      word.push(char);
      afterSpace = false;
      i++;
    }
    flush(true);
    return out;
  }

  function plainQuery(query, problem) {
    var spaced = Array.from(query).map(function (char) {
      return BARS.indexOf(char) >= 0 || hasOwn(QUOTES, char) || char === "」" ? " " : char;
    }).join("");
    var words = spaced.split(new RegExp(SPACE.source.slice(1, -1))).filter(function (word) {
      return word && word !== OR_WORD;
    });
    return {
      clauses: words.map(function (word) { return [{ text: word, phrase: false }]; }),
      excluded: [],
      problem: problem
    };
  }

  function parseQuery(query) {
    var list = tokens(query);
    if (typeof list === "string") return plainQuery(query, list);
    var clauses = [], excluded = [], joined = false;
    for (var n = 0; n < list.length; n++) {
      var token = list[n];
      if (token.kind === "or") {
        var before = list[n - 1], after = list[n + 1];
        if (!before || !after || before.kind === "or" || after.kind === "or") return plainQuery(query, "misplaced-or");
        if (before.negated || after.negated) return plainQuery(query, "excluded-or");
        joined = true;
        continue;
      }
      if (token.unit.phrase && !hasWordChar(token.unit.text)) return plainQuery(query, "empty-quote");
      if (token.negated) excluded.push(token.unit);
      else if (joined) clauses[clauses.length - 1].push(token.unit);
      else clauses.push([token.unit]);
      joined = false;
    }
    if (excluded.length && !clauses.length) return plainQuery(query, "only-excluded");
    return { clauses: clauses, excluded: excluded, problem: null };
  }

  function unitParts(unit) {
    return splitSpaces(fold(unit.text).split("*").join(""));
  }

  /* The pieces of each part of a unit that has any; null when one cannot be covered. */
  function segmentUnit(parts, lexicon, last) {
    var segmented = [];
    for (var p = 0; p < parts.length; p++) {
      var pieces = segment(parts[p], lexicon, last && p === parts.length - 1);
      if (pieces === null) return null;
      if (pieces.length) segmented.push(pieces);
    }
    return segmented;
  }

  function unitTerms(segmented, lexicon, part) {
    var terms = [];
    segmented.forEach(function (pieces) {
      pieces.forEach(function (entry) {
        (entry[1] ? lexicon.words(entry[0]) : [entry[0]]).forEach(function (word) {
          terms.push({ text: word, part: part, prefix: false });
        });
      });
    });
    return terms;
  }

  /*
   * The query's terms: {terms: [{text, part, prefix}], covered, clauses: [[unit number, ...]],
   * excluded: [[term, ...]], problem}, as plan_query in generator/search/query.py.
   */
  function planQuery(query, lexicon) {
    var parsed = parseQuery(query);
    var positive = [].concat.apply([], parsed.clauses);
    var openEnded = positive.length > 0 && !positive[positive.length - 1].phrase;
    var terms = [], clauses = [], lastUnit = null, seen = 0, units = 0;
    for (var c = 0; c < parsed.clauses.length; c++) {
      var alternatives = [], dead = false;
      for (var u = 0; u < parsed.clauses[c].length; u++) {
        var unit = parsed.clauses[c][u];
        seen++;
        var segmented = segmentUnit(unitParts(unit), lexicon, openEnded && seen === positive.length);
        if (segmented === null) { dead = true; continue; }
        if (!segmented.length) continue;
        alternatives.push(units + alternatives.length);
        terms = terms.concat(unitTerms(segmented, lexicon, alternatives[alternatives.length - 1]));
        lastUnit = unit.phrase ? null : segmented;
      }
      if (alternatives.length) {
        clauses.push(alternatives);
        units += alternatives.length;
      } else if (dead) {
        return { terms: [], covered: false, clauses: [], excluded: [], problem: parsed.problem };
      }
    }
    if (lastUnit && lastUnit[lastUnit.length - 1].length === 1) {
      var entry = lastUnit[lastUnit.length - 1][0];
      if ((entry[1] ? lexicon.words(entry[0]) : [entry[0]]).length === 1) {
        // A last unit that is one word, not a compound, also finds the words it begins.
        terms[terms.length - 1].prefix = true;
      }
    }
    var excluded = [];
    parsed.excluded.forEach(function (unit) {
      // A unit that cannot be covered is in no utterance: there is nothing to exclude.
      var segmented = segmentUnit(unitParts(unit), lexicon, false);
      if (segmented && segmented.length) excluded.push(unitTerms(segmented, lexicon, excluded.length));
    });
    return { terms: terms, covered: true, clauses: clauses, excluded: excluded, problem: parsed.problem };
  }

  /*
   * A document's term places and what precedes them: `gaps` maps a start to the number of
   * punctuation or space characters right before it (at most two; the build counted them from
   * the text), so that "in a row" needs no text.
   */
  function follows(end, start, gaps) {
    return end === start || (end < start && start - end <= (gaps.get(start) || 0));
  }

  /* The offsets among `ends` (a Set) after which a term starting at `start` stands in a row. */
  function endsBefore(start, ends, gaps) {
    var found = [];
    for (var end = start - 2; end <= start; end++) {
      if (ends.has(end) && follows(end, start, gaps)) found.push(end);
    }
    return found;
  }

  function endsOf(spans) {
    return new Set(spans.map(function (span) { return span[1]; }));
  }

  function standInRow(before, after, gaps) {
    var ends = endsOf(before);
    return after.some(function (span) { return endsBefore(span[0], ends, gaps).length > 0; });
  }

  /* The spans on a complete run of the part's terms standing in a row, or null. */
  function spansInRow(levels, gaps) {
    var reached = [levels[0]];
    for (var level = 1; level < levels.length; level++) {
      var ends = endsOf(reached[reached.length - 1]);
      reached.push(levels[level].filter(function (span) { return endsBefore(span[0], ends, gaps).length > 0; }));
    }
    if (!reached[reached.length - 1].length) return null;
    // Walk back from the last term: keep only the spans that lead on to a complete run.
    var kept = [reached[reached.length - 1]];
    for (var back = reached.length - 2; back >= 0; back--) {
      var linked = new Set(), before = endsOf(reached[back]);
      kept[kept.length - 1].forEach(function (span) {
        endsBefore(span[0], before, gaps).forEach(function (end) { linked.add(end); });
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

  /* Code point spans of `text` -> UTF-16 spans (astral characters such as 𠮟 take two units). */
  function highlights(text, spans) {
    if (!/[\ud800-\udfff]/.test(text)) return spans.map(function (span) { return span.slice(); });
    var units = [0], position = 0;
    for (var char of text) units.push(position += char.length);
    return spans.map(function (span) { return [units[span[0]], units[span[1]]]; });
  }

  /*
   * A loaded shard: its lunr index, and its terms in UTF-16 order for prefixes. The file holds
   * postings only ([[term, {key: metadata}], ...], keys `<meeting id>.<number>`, each entry with
   * its utterance's length `l`): the index is made here as lunr's builder would have made it,
   * each document's weights from the manifest's counts and the lengths (shards.py), its refs the
   * utterances' places in the archive.
   */
  function Shard(data, documents) {
    var vectors = new Map(), inverted = [];
    data.forEach(function (entry, index) {
      var keys = Object.keys(entry[1]), posting = {};
      var termIdf = idf(documents.count, keys.length);
      keys.forEach(function (key) {
        var ref = documents.refs.get(key), found = entry[1][key];
        // lunr's metadata without the length, which is not a list of places.
        var metadata = posting[ref] = {};
        metadata[POSITIONS] = found[POSITIONS];
        if (found[GAPS]) metadata[GAPS] = found[GAPS];
        var elements = vectors.get(ref);
        if (!elements) vectors.set(ref, elements = []);
        elements.push(index, weight(termIdf, found[POSITIONS].length / 2, lengthNorm(found.l, documents.average)));
      });
      var field = {};
      field[FIELD] = posting;
      field._index = index;
      inverted.push([entry[0], field]);
    });
    this.terms = data.map(function (entry) { return entry[0]; });
    this.index = lunr.Index.load({
      version: lunr.version,
      fields: [FIELD],
      fieldVectors: Array.from(vectors, function (vector) { return [FIELD + "/" + vector[0], vector[1]]; }),
      invertedIndex: inverted,
      pipeline: []
    });
  }

  /* The shard's terms that a query term matches: itself, or every term it begins. */
  Shard.prototype.expand = function (term) {
    if (!term.prefix) return hasOwn(this.index.invertedIndex, term.text) ? [term.text] : [];
    var found = [];
    for (var at = lowerBound(this.terms, term.text); at < this.terms.length && this.terms[at].startsWith(term.text); at++) {
      found.push(this.terms[at]);
    }
    return found;
  };

  /* How many utterances a meeting of the manifest has: the sum of its text files' counts. */
  function utterances(meeting) {
    return meeting.texts.reduce(function (sum, count) { return sum + count; }, 0);
  }

  function Searcher(load) {
    this.load = load;
    this.files = new Map(); // file name -> Promise of its parsed JSON (or of a Shard)
    this.manifest = null;
    this.said = null; // speakers.json, once a speaker filter or `speakers` needed it
  }

  /* A search file, parsed (and made into something by `make`), fetched once. */
  Searcher.prototype.file = function (name, make) {
    if (!this.files.has(name)) {
      var files = this.files;
      var loading = this.load(name, this.manifest ? this.manifest.version : null).then(make || function (data) { return data; });
      // A failed download is tried again by the next query, not remembered.
      loading.catch(function () { files.delete(name); });
      files.set(name, loading);
    }
    return this.files.get(name);
  };

  Searcher.prototype.start = function () {
    var self = this;
    return this.file(MANIFEST).then(function (manifest) {
      if (!self.manifest) {
        self.manifest = manifest;
        self.lexicon = new Lexicon(manifest.lexicon, manifest.longest);
        // The first ref of each meeting: entryFor finds a ref's in these (an empty meeting has
        // the next one's first ref).
        self.meetingStarts = starts(manifest.meetings.map(utterances));
      }
      return self;
    });
  };

  /*
   * What weighting a shard's postings needs (Shard): the number of utterances, each one's ref by
   * its key, and their average length; made once, when the first shard is read.
   */
  Searcher.prototype.documents = function () {
    if (this.documentModel) return this.documentModel;
    var refs = new Map(), count = 0;
    this.manifest.meetings.forEach(function (meeting) {
      for (var number = 1, total = utterances(meeting); number <= total; number++) refs.set(meeting.id + "." + number, String(count++));
    });
    // As lunr_writer.average_length: the integer sum, divided once.
    return this.documentModel = { count: count, refs: refs, average: count ? this.manifest.length / count : 0 };
  };

  Searcher.prototype.prepare = function (text) {
    var self = this;
    return this.start().then(function () {
      return Promise.all(self.lexicon.filesFor(fold(String(text))).map(function (number) {
        return self.file("lexicon/" + self.manifest.lexicon_files[number] + ".json").then(function (data) {
          if (!self.lexicon.files.has(number)) self.lexicon.add(number, data);
        });
      }));
    });
  };

  Searcher.prototype.plan = function (query) {
    var self = this;
    return this.prepare(query).then(function () { return planQuery(String(query), self.lexicon); });
  };

  /*
   * The shards a query term can be found in: one, or for a prefix every shard its terms reach;
   * the lexicon file of its first character says (Searcher.score loads it first).
   */
  Searcher.prototype.shardsOf = function (term) {
    var file = this.lexicon.fileOf(term.text);
    if (!file || !file.shards.length) return [];
    var at = lowerBound(file.terms, term.text);
    var shard = Math.max(0, entryFor(file.shardStarts, at)), names = ["shards/" + file.shards[shard][1] + ".json"];
    if (term.prefix) {
      var end = at;
      while (end < file.terms.length && file.terms[end].startsWith(term.text)) end++;
      while (++shard < file.shards.length && file.shards[shard][0] < end) names.push("shards/" + file.shards[shard][1] + ".json");
    }
    return names;
  };

  /*
   * Score the plan's REQUIRED terms over the shards they live in, as one lunr index over the whole
   * archive would: lunr.js scores a document dot(query, document) / |query|, and each shard holds
   * the postings and field-vector components of its own terms, so each shard's query gives
   * score_s = dot_s / |q_s|, and score = Σ score_s·|q_s| / √Σ|q_s|². A document must match every
   * term, in whichever shard it lives. Resolves to {refs: Map ref -> score, found} where
   * found[term] lists [shard, index term] of each match of the query term.
   */
  Searcher.prototype.score = function (plan) {
    var self = this, terms = plan.terms;
    var excludedTerms = [].concat.apply([], plan.excluded);
    var firsts = terms.concat(excludedTerms).map(function (term) { return firstChar(term.text); }).join("");
    return this.prepare(firsts).then(function () {
      var names = [];
      terms.concat(excludedTerms).forEach(function (term) {
        self.shardsOf(term).forEach(function (name) { if (names.indexOf(name) < 0) names.push(name); });
      });
      return Promise.all(names.map(function (name) {
        return self.file(name, function (data) { return new Shard(data, self.documents()); });
      }));
    }).then(function (shards) {
      var found = terms.map(function () { return []; });
      var dots = new Map(), clauses = new Map(), squares = 0;
      shards.forEach(function (shard) {
        var used = [], vector = new Map();
        terms.forEach(function (term, number) {
          var words = shard.expand(term);
          if (!words.length) return;
          used.push(term);
          words.forEach(function (word) {
            found[number].push([shard, word]);
            var at = shard.index.invertedIndex[word]._index;
            vector.set(at, (vector.get(at) || 0) + 1);
          });
        });
        if (!used.length) return;
        // |q_s|, added up in term order as lunr.Vector.magnitude does.
        var shardSquares = 0;
        Array.from(vector.keys()).sort(function (a, b) { return a - b; }).forEach(function (at) {
          shardSquares += vector.get(at) * vector.get(at);
        });
        squares += shardSquares;
        var magnitude = Math.sqrt(shardSquares);
        // Optional clauses here (lunr's default): a prefix may reach into several shards, so a
        // term is required across the shards, below, not within one.
        shard.index.query(function (q) {
          used.forEach(function (term) {
            q.term(term.text, {
              usePipeline: false,
              wildcard: term.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE
            });
          });
        }).forEach(function (match) {
          dots.set(match.ref, (dots.get(match.ref) || 0) + match.score * magnitude);
          var matched = clauses.get(match.ref) || new Set();
          Object.keys(match.matchData.metadata).forEach(function (word) { matched.add(word); });
          clauses.set(match.ref, matched);
        });
      });
      // Excluded terms are looked up, never scored: they are in no query.
      var excluded = plan.excluded.map(function (unit) {
        return unit.map(function (term) {
          var list = [];
          shards.forEach(function (shard) {
            shard.expand(term).forEach(function (word) { list.push([shard, word]); });
          });
          return list;
        });
      });
      var refs = new Map(), norm = Math.sqrt(squares);
      dots.forEach(function (dot, ref) {
        var matched = clauses.get(ref);
        var holds = found.map(function (list) {
          return list.some(function (entry) { return matched.has(entry[1]); });
        });
        // Every clause needs one alternative whose terms the document all holds.
        var all = plan.clauses.every(function (alternatives) {
          return alternatives.some(function (unit) {
            return terms.every(function (term, k) { return term.part !== unit || holds[k]; });
          });
        });
        if (all) refs.set(ref, norm ? dot / norm : 0);
      });
      return { refs: refs, found: found, excluded: excluded };
    });
  };

  Searcher.prototype.matches = function (query) {
    var self = this;
    return this.plan(query).then(function (plan) {
      if (!plan.covered || !plan.terms.length) return [];
      return self.score(plan).then(function (scored) {
        return Array.from(scored.refs, function (entry) { return { ref: entry[0], score: entry[1] }; });
      });
    });
  };

  /*
   * ref -> sorted, distinct [start, end] code point spans of any of `matches` ([shard, term]),
   * for the documents of `refs` (a Map): every posting is read once, not once per document. The
   * postings' `g` go into gapsOf(ref), a Map start -> punctuation before it, one per document.
   */
  function places(matches, refs, gapsOf) {
    var found = new Map();
    matches.forEach(function (entry) {
      var posting = entry[0].index.invertedIndex[entry[1]][FIELD];
      for (var ref in posting) {
        if (!refs.has(ref)) continue;
        var metadata = posting[ref], flat = metadata[POSITIONS], list = found.get(ref);
        if (!list) found.set(ref, list = []);
        for (var k = 0; k < flat.length; k += 2) list.push([flat[k], flat[k] + flat[k + 1]]);
        var marks = metadata[GAPS];
        if (marks) {
          var gaps = gapsOf(ref);
          for (var g = 0; g < marks.length; g += 2) gaps.set(flat[2 * marks[g]], marks[g + 1]);
        }
      }
    });
    found.forEach(function (list, ref) {
      list.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      found.set(ref, list.filter(function (span, i) {
        return i === 0 || span[0] !== list[i - 1][0] || span[1] !== list[i - 1][1];
      }));
    });
    return found;
  }

  /* The spans of the complete runs of a unit's terms; null when a term is missing or none stands in a row. */
  function unitInRow(levels, gaps) {
    if (levels.some(function (level) { return !level; })) return null;
    return spansInRow(levels, gaps);
  }

  /*
   * Filters as generator/search/filters.py reads them: {body, speaker, from, to, sort}, each
   * optional ("" or missing keeps everything; from/to ISO dates, inclusive; sort relevance,
   * newest or oldest).
   */
  function speakerKey(value) {
    return String(value).normalize("NFKC").trim().split(/\s+/).join("");
  }

  function Filters(given) {
    given = given || {};
    this.body = String(given.body || "").trim();
    this.speaker = String(given.speaker || "").trim();
    this.from = String(given.from || "");
    this.to = String(given.to || "");
    this.sort = ["newest", "oldest"].indexOf(given.sort) >= 0 ? given.sort : "relevance";
    this.any = !!(this.body || this.speaker || this.from || this.to);
    this.speakerKey = this.speaker ? speakerKey(this.speaker) : "";
  }

  Searcher.prototype.passes = function (ref, filters) {
    var position = entryFor(this.meetingStarts, ref);
    var meeting = this.manifest.meetings[position];
    if (filters.body && meeting.body_slug !== filters.body) return false;
    if (filters.from && meeting.date < filters.from) return false;
    if (filters.to && meeting.date > filters.to) return false;
    if (!filters.speaker) return true;
    var spoken = this.speakerOf(ref);
    return filters.speakerKey === (spoken.who !== null ? spoken.who : speakerKey(spoken.speaker));
  };

  /*
   * Load speakers.json, which only the speaker filter needs: who said every utterance. A plain
   * query never fetches it; the text files of the hits shown name their speakers.
   */
  Searcher.prototype.loadSpeakers = function () {
    var self = this;
    return this.start().then(function () {
      return self.file(SPEAKERS);
    }).then(function (said) {
      self.said = said;
    });
  };

  /* {speaker, who} of a ref, from speakers.json (loaded). */
  Searcher.prototype.speakerOf = function (ref) {
    var position = entryFor(this.meetingStarts, ref);
    var meeting = this.said[position];
    var speaker = meeting.said[ref - this.meetingStarts[position]];
    return { speaker: meeting.speakers[speaker], who: meeting.who ? meeting.who[speaker] : null };
  };

  Searcher.prototype.speakers = function (refs) {
    var self = this;
    return this.loadSpeakers().then(function () {
      return refs.map(function (ref) { return self.speakerOf(Number(ref)); });
    });
  };

  /* `ranked` in the filters' order: by score, or by meeting date; ties in the order of the minutes. */
  Searcher.prototype.order = function (ranked, sort) {
    var self = this;
    if (sort === "relevance") return ranked.sort(function (a, b) { return b.score - a.score || a.ref - b.ref; });
    var dateOf = function (ref) { return self.manifest.meetings[entryFor(self.meetingStarts, ref)].date; };
    var sign = sort === "newest" ? -1 : 1;
    return ranked.sort(function (a, b) {
      var da = dateOf(a.ref), db = dateOf(b.ref);
      return (da < db ? -sign : da > db ? sign : 0) || a.ref - b.ref;
    });
  };

  Searcher.prototype.search = function (query, given) {
    var self = this, filters = new Filters(given);
    var result = { query: String(query), terms: [], total: 0, hits: [], problem: null };
    var ready = filters.speaker ? Promise.all([this.plan(query), this.loadSpeakers()]) : Promise.all([this.plan(query)]);
    return ready.then(function (loaded) {
      var plan = loaded[0];
      result.terms = plan.terms.map(function (t) { return t.text; });
      result.problem = plan.problem;
      if (!plan.terms.length && !plan.excluded.length && plan.covered && filters.any) {
        // No words, a filter: every utterance that passes, newest first unless asked oldest first.
        var listed = [];
        for (var ref = 0; ref < self.manifest.documents; ref++) {
          if (self.passes(ref, filters)) listed.push({ ref: ref, score: 0, spans: [] });
        }
        self.order(listed, filters.sort === "relevance" ? "newest" : filters.sort);
        result.total = listed.length;
        result.hits = listed.map(function (entry) { return self.hit(entry); });
        return result;
      }
      if (!plan.covered || !plan.terms.length) return result;
      return self.score(plan).then(function (scored) {
        var gapsByRef = new Map();
        var gapsOf = function (ref) {
          if (!gapsByRef.has(ref)) gapsByRef.set(ref, new Map());
          return gapsByRef.get(ref);
        };
        var units = [];
        plan.terms.forEach(function (term, number) {
          if (!units[term.part]) units[term.part] = [];
          units[term.part].push(places(scored.found[number], scored.refs, gapsOf));
        });
        var excluded = scored.excluded.map(function (unit) {
          return unit.map(function (matches) { return places(matches, scored.refs, gapsOf); });
        });
        var ranked = [];
        scored.refs.forEach(function (score, ref) {
          if (!self.passes(Number(ref), filters)) return;
          var gaps = gapsOf(ref);
          var at = function (found) { return found.get(ref); };
          if (excluded.some(function (unit) { return unitInRow(unit.map(at), gaps) !== null; })) return;
          // Per clause: the spans of its matched alternatives' first terms, last terms and runs.
          var matched = [];
          for (var c = 0; c < plan.clauses.length; c++) {
            var firsts = [], lasts = [], runs = null;
            plan.clauses[c].forEach(function (unit) {
              var levels = units[unit].map(at);
              var inRow = unitInRow(levels, gaps);
              if (inRow === null) return;
              firsts = firsts.concat(levels[0]);
              lasts = lasts.concat(levels[levels.length - 1]);
              runs = (runs || []).concat(inRow);
            });
            if (runs === null) return;
            matched.push([firsts, lasts, runs]);
          }
          if (matched.length > 1) {
            var adjacent = 0;
            for (var b = 0; b + 1 < matched.length; b++) {
              if (standInRow(matched[b][1], matched[b + 1][0], gaps)) adjacent++;
            }
            score = score * (1 + ADJACENCY_BONUS * adjacent / (matched.length - 1));
          }
          var spans = [].concat.apply([], matched.map(function (clause) { return clause[2]; }));
          ranked.push({ ref: Number(ref), score: score, spans: merge(spans) });
        });
        self.order(ranked, filters.sort);
        result.total = ranked.length;
        result.hits = ranked.map(function (entry) { return self.hit(entry); });
        return result;
      });
    });
  };

  Searcher.prototype.hit = function (entry) {
    var position = entryFor(this.meetingStarts, entry.ref);
    var meeting = this.manifest.meetings[position];
    var offset = entry.ref - this.meetingStarts[position];
    var hit = {
      ref: String(entry.ref),
      url: meeting.url + "#s" + (offset + 1),
      meeting_index: position,
      number: offset + 1,
      meeting: meeting.title,
      body: meeting.body,
      body_slug: meeting.body_slug,
      date: meeting.date,
      fiscal_year: meeting.fiscal_year,
      score: entry.score,
      spans: entry.spans
    };
    if (this.said) {
      var spoken = this.speakerOf(entry.ref);
      hit.speaker = spoken.speaker;
      hit.who = spoken.who;
    }
    return hit;
  };

  /* The text and agenda item of each ref, from the text files that hold them (each of consecutive utterances of one meeting). */
  Searcher.prototype.details = function (refs) {
    var self = this;
    return this.start().then(function () {
      return Promise.all(refs.map(function (ref) {
        var position = entryFor(self.meetingStarts, Number(ref));
        var meeting = self.manifest.meetings[position];
        var offset = Number(ref) - self.meetingStarts[position], file = 0;
        while (offset >= meeting.texts[file]) offset -= meeting.texts[file++];
        return self.file("text/" + meeting.id + "-" + file + ".json").then(function (chunk) {
          var doc = chunk[offset];
          return { ref: String(ref), item: doc[0] === null ? null : meeting.items[doc[0]], text: doc[1], speaker: doc[2], who: doc[3] };
        });
      }));
    });
  };

  function fetchJson(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error("cannot load " + url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function open(searchDirUrl) {
    var base = String(searchDirUrl);
    if (base.slice(-1) !== "/") base += "/";
    return new Searcher(function (name, version) {
      // Every file but the manifest is asked for with the build's version: a browser never mixes
      // files of two builds, and keeps them cached until the content changes. The manifest is
      // checked with the server every time.
      if (name === MANIFEST) return fetchJson(base + name, { cache: "no-cache" });
      return fetchJson(base + name + "?v=" + encodeURIComponent(version));
    });
  }

  function withLoader(load) {
    return new Searcher(load);
  }

  return { open: open, withLoader: withLoader, speakerKey: speakerKey, highlights: highlights, fold: fold, planQuery: planQuery, parseQuery: parseQuery };
});
