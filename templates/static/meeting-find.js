/*
 * The searched words and a find box on a meeting page.
 *
 * Arriving from a search hit (`?hl=<query>`), the words the search matched are marked in the
 * utterances it would have found; 「検索語の表示を消す」 takes the marks and the `hl` parameter away
 * without moving the page. 「この会議録内を検索」 finds a query in this meeting's utterances and
 * steps through the places (「3件中1件目」, Enter / Shift+Enter).
 *
 * Both read the query as the search page does: MinutesSearch.parseQuery (search-engine.js, the
 * twin of generator/search/syntax.py) gives the words, `OR` alternatives, `-` exclusions (never
 * marked: they rule an utterance out) and phrases; the text and the query are folded as the index
 * folds them (NFKC, lowercase, katakana as hiragana) and the places are mapped back to the
 * printed text, so ＬＧＷＡＮ finds LGWAN and ﾒｸﾞﾛ finds めぐろ. The words of a unit must
 * follow each other with at most two punctuation or space characters between them, as the
 * engine's terms "in a row" do. No search index is fetched: the page's own text is searched,
 * so a reading the index's lexicon knows (a kana spelling of a kanji word) is not matched.
 *
 * The query reaches the page only as text nodes and a RegExp of escaped characters: never HTML.
 */
(function () {
  "use strict";

  var engine = window.MinutesSearch;
  var article = document.querySelector("article.meeting");
  if (!engine || !article) return;

  var NON_WORD = /[^\p{L}\p{N}\p{M}]/u;
  var GAP = "[^\\p{L}\\p{N}\\p{M}]{0,2}";
  var SYNTAX_PROBLEMS = {
    "unclosed-quote": "引用符（\"や「）が閉じられていないため",
    "empty-quote": "引用符の中に語がないため",
    "misplaced-or": "OR（または｜）の前か後ろに語がないため",
    "excluded-or": "「-」を付けた語はORでつなげないため",
    "only-excluded": "「-」を付けた語だけでは探せないため"
  };

  function hiragana(text) {
    return text.replace(/[\u30a1-\u30f6]/g, function (char) {
      return String.fromCharCode(char.charCodeAt(0) - 0x60);
    });
  }

  /*
   * `text` folded character by character, with where each folded UTF-16 unit came from:
   * {text, starts, ends} (original UTF-16 offsets). A half-width sound mark (ﾞ ﾟ) folds to a
   * combining mark, so it is joined to the kana before it (ｶﾞ → が), as NFKC of the whole does.
   */
  function foldedView(text) {
    var out = [], starts = [], ends = [];
    var i = 0;
    while (i < text.length) {
      var char = String.fromCodePoint(text.codePointAt(i)), next = i + char.length;
      var folded = hiragana(engine.fold(char));
      if ((folded === "\u3099" || folded === "\u309a") && out.length) {
        var joined = (out[out.length - 1] + folded).normalize("NFC");
        if (joined.length === 1) {
          out[out.length - 1] = hiragana(joined);
          ends[ends.length - 1] = next;
          i = next;
          continue;
        }
      }
      for (var k = 0; k < folded.length; k++) {
        out.push(folded[k]);
        starts.push(i);
        ends.push(next);
      }
      i = next;
    }
    return { text: out.join(""), starts: starts, ends: ends };
  }

  function escapeRegExp(text) {
    return text.replace(/[\\^$.*+?()[\]{}|\/]/g, "\\$&");
  }

  /* A RegExp for one unit of the query (a word or a phrase), or null when it has no word character. */
  function unitPattern(unit) {
    var folded = hiragana(engine.fold(unit.text)).split("*").join("");
    var runs = folded.split(new RegExp(NON_WORD.source, "u")).filter(function (run) { return run.length > 0; });
    if (!runs.length) return null;
    return new RegExp(runs.map(escapeRegExp).join(GAP), "gu");
  }

  /*
   * The query, ready to match: {clauses: [[RegExp, ...], ...], excluded: [RegExp, ...], problem};
   * null when nothing in it can be found.
   */
  function compile(query) {
    var parsed = engine.parseQuery(String(query));
    var clauses = parsed.clauses.map(function (units) {
      return units.map(unitPattern).filter(Boolean);
    }).filter(function (patterns) { return patterns.length > 0; });
    if (!clauses.length) return null;
    var excluded = parsed.excluded.map(unitPattern).filter(Boolean);
    return { clauses: clauses, excluded: excluded, problem: parsed.problem };
  }

  function spansOf(pattern, view) {
    var spans = [], match;
    pattern.lastIndex = 0;
    while ((match = pattern.exec(view.text)) !== null) {
      if (!match[0].length) { pattern.lastIndex++; continue; }
      var end = match.index + match[0].length - 1;
      spans.push([view.starts[match.index], view.ends[end]]);
    }
    return spans;
  }

  // Each paragraph of each utterance with its printed text, read once before any mark is made.
  var paragraphs = [];
  var utterances = Array.prototype.map.call(article.querySelectorAll(".utterance"), function (element) {
    var own = Array.prototype.filter.call(element.querySelectorAll("p"), function (p) {
      return !p.closest(".utterance-tools");
    }).map(function (p) {
      var entry = { element: p, text: p.textContent, hl: [], find: [] };
      entry.view = foldedView(entry.text);
      paragraphs.push(entry);
      return entry;
    });
    return { element: element, paragraphs: own };
  });

  /*
   * Where `compiled` matches in each paragraph, for the utterances the search would find: every
   * clause matched by one of its alternatives, no excluded unit present. Returns one list of
   * spans per paragraph (in `paragraphs` order), sorted, overlapping spans merged.
   */
  function matchAll(compiled) {
    var result = new Map();
    utterances.forEach(function (utterance) {
      var views = utterance.paragraphs.map(function (entry) { return entry.view; });
      var excluded = compiled.excluded.some(function (pattern) {
        return views.some(function (view) { return spansOf(pattern, view).length > 0; });
      });
      var found = utterance.paragraphs.map(function () { return []; });
      var every = !excluded && compiled.clauses.every(function (patterns) {
        var any = false;
        patterns.forEach(function (pattern) {
          views.forEach(function (view, n) {
            var spans = spansOf(pattern, view);
            if (spans.length) any = true;
            found[n] = found[n].concat(spans);
          });
        });
        return any;
      });
      utterance.paragraphs.forEach(function (entry, n) {
        result.set(entry, every ? merge(found[n]) : []);
      });
    });
    return result;
  }

  function merge(spans) {
    var sorted = spans.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var out = [];
    sorted.forEach(function (span) {
      var last = out[out.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else out.push(span.slice());
    });
    return out;
  }

  /*
   * Redraw one paragraph from its printed text: the searched words (`hl`) and the find box's
   * places (`find`, numbered across the page) as <mark> elements around text nodes.
   */
  function render(entry) {
    var cuts = new Set([0, entry.text.length]);
    entry.hl.concat(entry.find.map(function (hit) { return hit.span; })).forEach(function (span) {
      cuts.add(span[0]);
      cuts.add(span[1]);
    });
    var points = Array.from(cuts).sort(function (a, b) { return a - b; });
    var fragment = document.createDocumentFragment();
    for (var n = 0; n + 1 < points.length; n++) {
      var start = points[n], end = points[n + 1];
      var text = document.createTextNode(entry.text.slice(start, end));
      var inHl = entry.hl.some(function (span) { return span[0] <= start && end <= span[1]; });
      var hit = null;
      entry.find.forEach(function (candidate) {
        if (candidate.span[0] <= start && end <= candidate.span[1]) hit = candidate;
      });
      if (!inHl && !hit) {
        fragment.appendChild(text);
        continue;
      }
      var mark = document.createElement("mark");
      mark.className = hit ? "find-hit" : "search-term";
      if (hit) mark.setAttribute("data-hit", String(hit.number));
      mark.appendChild(text);
      fragment.appendChild(mark);
    }
    while (entry.element.firstChild) entry.element.removeChild(entry.element.firstChild);
    entry.element.appendChild(fragment);
  }

  function status(className) {
    var element = document.createElement("p");
    element.className = className;
    element.setAttribute("role", "status");
    return element;
  }

  function problemNote(compiled) {
    var reason = compiled && compiled.problem && SYNTAX_PROBLEMS[compiled.problem];
    return reason ? reason + "、記号は使わずに探しました。" : "";
  }

  // --- The searched words, from ?hl= -------------------------------------------------------

  var header = article.querySelector(".meeting-header");
  var tools = document.createElement("div");
  tools.className = "meeting-find-tools";
  header.insertAdjacentElement("afterend", tools);

  var params = new URLSearchParams(location.search);
  var searched = params.get("hl");
  var hlCompiled = searched ? compile(searched) : null;
  if (hlCompiled) {
    var matched = matchAll(hlCompiled), total = 0;
    paragraphs.forEach(function (entry) {
      entry.hl = matched.get(entry) || [];
      total += entry.hl.length;
      if (entry.hl.length) render(entry);
    });
    var note = status("search-terms-note");
    var said = document.createElement("span");
    said.className = "search-terms-text";
    var quoted = document.createElement("span");
    quoted.className = "search-terms-query";
    quoted.textContent = searched;
    said.appendChild(document.createTextNode("検索語「"));
    said.appendChild(quoted);
    said.appendChild(document.createTextNode(
      total ? "」の一致箇所に印を付けています（" + total + "か所）。" : "」はこの会議録の本文に見つかりませんでした。"));
    note.appendChild(said);
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "clear-search-terms";
    clear.textContent = "検索語の表示を消す";
    clear.addEventListener("click", function () {
      paragraphs.forEach(function (entry) {
        if (!entry.hl.length) return;
        entry.hl = [];
        render(entry);
      });
      var url = new URL(location.href);
      url.searchParams.delete("hl");
      if (url.search === "?") url.search = "";
      history.replaceState(history.state, "", url.href);
      // The note keeps its place (the page does not move); focus goes to the find box below.
      while (note.firstChild) note.removeChild(note.firstChild);
      note.textContent = "検索語の表示を消しました。";
      input.focus({ preventScroll: true });
    });
    note.appendChild(clear);
    tools.appendChild(note);
  }

  // --- The find box ---------------------------------------------------------------------------

  var form = document.createElement("form");
  form.className = "meeting-find";
  form.setAttribute("role", "search");
  form.setAttribute("aria-label", "この会議録内を検索");
  var label = document.createElement("label");
  label.setAttribute("for", "meeting-find-input");
  label.textContent = "この会議録内を検索";
  var input = document.createElement("input");
  input.type = "search";
  input.id = "meeting-find-input";
  input.autocomplete = "off";
  input.setAttribute("enterkeyhint", "search");
  input.setAttribute("aria-describedby", "meeting-find-count");
  function stepButton(text, name, step) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = name;
    element.textContent = text;
    element.disabled = true;
    element.addEventListener("click", function () { move(step); });
    return element;
  }
  var previous = stepButton("前へ", "find-previous", -1);
  var next = stepButton("次へ", "find-next", 1);
  var count = document.createElement("span");
  count.className = "find-count";
  count.id = "meeting-find-count";
  count.setAttribute("role", "status");
  var row = document.createElement("div");
  row.className = "meeting-find-row";
  row.appendChild(input);
  row.appendChild(previous);
  row.appendChild(next);
  form.appendChild(label);
  form.appendChild(row);
  form.appendChild(count);
  // The form is a child of the article, not of the tools above it, so that while it holds a
  // query it can stay at the top of the screen (position: sticky) through the whole record.
  tools.insertAdjacentElement("afterend", form);

  var hits = [], current = -1, findQuery = "", findCompiled = null;

  function find(query) {
    findQuery = query;
    findCompiled = query.trim() ? compile(query) : null;
    var matched = findCompiled ? matchAll(findCompiled) : null;
    hits = [];
    paragraphs.forEach(function (entry) {
      var had = entry.find.length > 0;
      entry.find = (matched && matched.get(entry) || []).map(function (span) {
        var hit = { span: span, number: hits.length, entry: entry };
        hits.push(hit);
        return hit;
      });
      if (had || entry.find.length) render(entry);
    });
    current = -1;
    form.classList.toggle("meeting-find-active", Boolean(query.trim()));
    previous.disabled = next.disabled = hits.length === 0;
    if (!query.trim()) count.textContent = "";
    else if (!hits.length) count.textContent = problemNote(findCompiled) + "見つかりませんでした";
    else count.textContent = problemNote(findCompiled) + hits.length + "件";
  }

  function show(number) {
    document.querySelectorAll("mark.find-current").forEach(function (mark) { mark.classList.remove("find-current"); });
    current = number;
    var marks = document.querySelectorAll('mark[data-hit="' + number + '"]');
    marks.forEach(function (mark) { mark.classList.add("find-current"); });
    if (marks.length) marks[0].scrollIntoView({ block: "center" });
    count.textContent = problemNote(findCompiled) + hits.length + "件中" + (number + 1) + "件目";
  }

  function move(step) {
    if (input.value !== findQuery) find(input.value);
    if (!hits.length) return;
    show(current < 0 ? (step > 0 ? 0 : hits.length - 1) : (current + step + hits.length) % hits.length);
  }

  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { find(input.value); }, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    // Enter steps forward, Shift+Enter back; focus stays in the box so the next Enter goes on.
    event.preventDefault();
    clearTimeout(typing);
    move(event.shiftKey ? -1 : 1);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
})();
