/*
 * The search page: runs the query in ?q= on load, groups hits by meeting, highlights the matched
 * words, filters by body, fiscal year and speaker, sorts, and keeps all of it in the URL.
 *
 * The engine (search-engine.js, on lunr.js) finds and ranks the hits in a Web Worker
 * (search-worker.js); this file only shows them. The worker answers with every hit but without
 * its speech or speaker: the speeches, which name their speakers, are fetched for the hits
 * shown, and for a meeting's folded hits when the reader opens them. Who said every hit, which
 * only the speaker filter needs, is fetched when a speaker is chosen in the URL or the reader
 * turns to that list (focus or pointer): a plain query does not pay for it. While the reader types, the worker already fetches what the query will
 * need. Everything that comes from the index or the query reaches the page as text nodes: never
 * as markup, so a query such as <img src=x onerror=…> is shown, not run.
 *
 * Hooks for tests and tools: <ol id="search-results"> holds the hit links (a.hit-link, href ending
 * in #sN), meeting groups ordered by their best hit and hits within a group by rank. Results are
 * paged by meeting: every hit of the meetings shown is in the list (beyond the first few of a
 * meeting, inside a closed <details>). The list carries data-total (hits after the filters, all
 * pages), data-state ("loading", "done": every open hit of the page has its snippet, "error") and,
 * as soon as the first FIRST_GROUPS meetings have their snippets, data-first-results="shown".
 */
(function () {
  "use strict";

  var PAGE_SIZE = 20; // meetings per page
  var FIRST_GROUPS = 5; // meetings whose speeches are fetched first: the top of the list
  var HITS_OPEN = 3; // hits shown per meeting; the rest fold into a <details>
  var SNIPPET_LENGTH = 140; // UTF-16 units of speech shown around the matches
  var SNIPPET_LEAD = 40; // of which before the first match shown
  var QUERY_SHOWN = 60; // a 1,000-character query is cut in the status line
  var FILTERS = ["body", "speaker", "from", "to"];
  var PARAMS = ["q", "body", "speaker", "from", "to", "sort"];
  var SAVED = "minutes-search:"; // sessionStorage key prefix: pages shown and scroll, per history entry

  var app = document.getElementById("search-app");
  if (!app) return;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var controls = {
    body: document.getElementById("search-body"),
    from: document.getElementById("search-from"),
    to: document.getElementById("search-to"),
    speaker: document.getElementById("search-speaker"),
    sort: document.getElementById("search-sort"),
  };
  var siteRoot = app.getAttribute("data-site-root") || "./";
  var basePath = app.getAttribute("data-base-path") || "/";

  var engine = null; // the worker's client, started on the first query or keystroke
  var searchRun = 0; // a newer query makes an older one's answer stale
  var renderRun = 0; // a newer rendering makes the speeches an older one waits for unneeded
  var details = new Map(); // ref -> {item, text, highlights}: the speeches fetched so far
  var state = readUrl();
  var result = null; // the engine's answer for state.q: every hit, unfiltered
  var shown = 0; // meetings shown

  // The server renders the body and year options with their names; counts are added here.
  [controls.body].forEach(function (select) {
    Array.prototype.forEach.call(select.options, function (option) {
      option.setAttribute("data-label", option.textContent);
    });
  });

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    return {
      q: params.get("q") || "",
      body: params.get("body") || "",
      speaker: params.get("speaker") || "",
      from: params.get("from") || "",
      to: params.get("to") || "",
      sort: ["newest", "oldest"].indexOf(params.get("sort")) >= 0 ? params.get("sort") : "",
    };
  }

  function urlOf(values) {
    var params = new URLSearchParams();
    PARAMS.forEach(function (key) {
      if (values[key]) params.set(key, values[key]);
    });
    var search = params.toString();
    return window.location.pathname + (search ? "?" + search : "");
  }

  // A new query or filter is a new history entry (Back returns to the one before); the pages
  // shown and the scroll position are kept with the entry, so Back from a meeting restores them.
  function writeUrl(push) {
    var url = urlOf(state);
    if (push && url !== window.location.pathname + window.location.search) {
      saveView();
      window.history.pushState({ shown: PAGE_SIZE, scroll: 0 }, "", url);
    } else {
      window.history.replaceState(Object.assign({}, window.history.state, { shown: shown }), "", url);
    }
  }

  function saveView() {
    var saved = { shown: shown, scroll: window.scrollY };
    window.history.replaceState(Object.assign({}, window.history.state, saved), "", window.location.href);
    try {
      window.sessionStorage.setItem(SAVED + window.location.search, JSON.stringify(saved));
    } catch (error) { /* private mode: history.state still holds it */ }
  }

  function savedView() {
    var saved = window.history.state;
    if (!saved || typeof saved.shown !== "number") {
      try {
        saved = JSON.parse(window.sessionStorage.getItem(SAVED + window.location.search) || "null");
      } catch (error) { saved = null; }
    }
    return saved && typeof saved.shown === "number" ? saved : null;
  }

  function setState(name) {
    list.setAttribute("data-state", name);
    app.setAttribute("aria-busy", name === "loading" ? "true" : "false");
  }

  function say(text) {
    status.textContent = text;
  }

  function quoted(query) {
    var chars = Array.from(query);
    return "「" + (chars.length > QUERY_SHOWN ? chars.slice(0, QUERY_SHOWN).join("") + "…" : query) + "」";
  }

  /* ---- filters ---- */

  // The engine applies the dates and the sort; body and speaker are applied here with the
  // engine's rules, so that each list can count what choosing another option would show.
  function speakerKey(value) {
    return String(value).normalize("NFKC").trim().split(/\s+/).join("");
  }

  function speakerOf(hit) {
    return hit.who !== null && hit.who !== undefined ? hit.who : speakerKey(hit.speaker);
  }

  function passes(hit, except) {
    if (except !== "body" && state.body && hit.body_slug !== state.body.trim()) return false;
    if (except !== "speaker" && state.speaker && speakerOf(hit) !== speakerKey(state.speaker)) return false;
    return true;
  }

  function facetValue(hit, name) {
    if (name === "body") return hit.body_slug;
    return speakerOf(hit);
  }

  // Each filter counts the hits that the other filters let through, so its numbers say what
  // choosing an option would show.
  function facetCounts(name) {
    var counts = new Map();
    (result ? result.hits : []).forEach(function (hit) {
      if (!passes(hit, name)) return;
      var value = facetValue(hit, name);
      counts.set(value, (counts.get(value) || 0) + 1);
    });
    return counts;
  }

  function updateFixedFacet(name) {
    var counts = facetCounts(name);
    Array.prototype.forEach.call(controls[name].options, function (option) {
      if (!option.value) return;
      var count = counts.get(option.value) || 0;
      option.textContent = option.getAttribute("data-label") + (result ? "（" + count + "件）" : "");
      option.hidden = Boolean(result) && count === 0 && option.value !== state[name];
    });
    controls[name].value = state[name];
    if (controls[name].value !== state[name]) {
      // A shared link may name a body or year this build no longer has: show it, do not drop it.
      var option = element("option", null, state[name] + "（0件）");
      option.value = state[name];
      option.setAttribute("data-label", state[name]);
      controls[name].appendChild(option);
      controls[name].value = state[name];
    }
  }

  // A named speaker is one person across roles: 石破茂（内閣総理大臣・議員）; others by their label.
  function speakerNames() {
    var names = new Map();
    (result ? result.hits : []).forEach(function (hit) {
      var key = speakerOf(hit);
      if (!names.has(key)) names.set(key, { name: hit.who ? hit.who : hit.speaker, roles: [] });
      var role = hit.who ? roleOf(hit.speaker, hit.who) : "";
      if (role && names.get(key).roles.indexOf(role) < 0) names.get(key).roles.push(role);
    });
    return names;
  }

  function roleOf(label, who) {
    var role = speakerKey(label).replace(/[（(].*[）)]$/, "");
    return role === who ? "" : role.replace(who, "");
  }

  // Whether every hit of the answer knows its speaker: the engine names them once speakers.json
  // is loaded (needSpeakers), and then for every hit.
  function speakersKnown() {
    return !result || !result.hits.length || result.hits[0].speaker !== undefined;
  }

  /* Make every hit of the answer know its speaker; resolves when they do. */
  function needSpeakers() {
    if (speakersKnown()) return Promise.resolve();
    var answer = result;
    return openEngine()
      .call("speakers", { refs: answer.hits.map(function (hit) { return hit.ref; }) })
      .then(function (found) {
        answer.hits.forEach(function (hit, i) {
          hit.speaker = found[i].speaker;
          hit.who = found[i].who;
        });
      });
  }

  function updateSpeakerFacet() {
    var select = controls.speaker;
    if (!speakersKnown()) {
      // Filled when the reader turns to the list (see the listeners below).
      while (select.options.length > 1) select.remove(1);
      select.value = "";
      return;
    }
    var counts = facetCounts("speaker");
    var names = speakerNames();
    var chosen = state.speaker ? speakerKey(state.speaker) : "";
    if (chosen && !counts.has(chosen)) counts.set(chosen, 0);
    var speakers = Array.from(counts.keys()).sort(function (a, b) {
      return counts.get(b) - counts.get(a) || (a < b ? -1 : a > b ? 1 : 0);
    });
    while (select.options.length > 1) select.remove(1);
    speakers.forEach(function (speaker) {
      var option = document.createElement("option");
      var known = names.get(speaker);
      option.value = speaker;
      var roles = known && known.roles.length ? "（" + known.roles.join("・") + "）" : "";
      option.textContent = (known ? known.name : state.speaker) + roles + " " + counts.get(speaker) + "件";
      select.appendChild(option);
    });
    select.value = chosen;
  }

  /* ---- order ---- */

  // Groups by meeting. By relevance, groups follow their best hit and hits keep the engine's
  // rank; by date, groups follow the meeting date and hits the order they were spoken in.
  function arrange(hits) {
    var groups = [];
    var byKey = new Map();
    hits.forEach(function (hit, rank) {
      var key = hit.meeting_index;
      var group = byKey.get(key);
      if (!group) {
        group = { key: key, first: rank, date: hit.date, hits: [] };
        byKey.set(key, group);
        groups.push(group);
      }
      group.hits.push(hit);
    });
    if (state.sort === "newest" || state.sort === "oldest") {
      var newest = state.sort === "newest";
      groups.sort(function (a, b) {
        if (a.date !== b.date) return (a.date < b.date) === newest ? 1 : -1;
        return a.first - b.first;
      });
      groups.forEach(function (group) {
        group.hits.sort(function (a, b) {
          return a.number - b.number;
        });
      });
    }
    return groups;
  }

  /* ---- rendering ---- */

  function localUrl(url) {
    // The index holds root-relative URLs with the base path the site was built for; a link
    // relative to this page keeps working wherever the folder is actually served.
    if (url.indexOf(basePath) === 0) return siteRoot + url.slice(basePath.length);
    if (url.charAt(0) === "/") return url;
    return siteRoot + url;
  }

  // 令和4年2月14日（2022年）, as the meeting pages print it (wareki.js, loaded before this script).
  function japaneseDate(iso) {
    return window.MinutesWareki ? window.MinutesWareki.date(iso) : iso || "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function isLow(code) {
    return code >= 0xdc00 && code <= 0xdfff;
  }

  // The engine returns the highlights sorted and merged (see search-engine.js): they only need
  // to stay within the text.
  function highlightSpans(hit, length) {
    return (hit.highlights || [])
      .filter(function (s) { return s[0] < length; })
      .map(function (s) { return [s[0], Math.min(s[1], length)]; });
  }

  // The window of the speech to show: the stretch that holds the most different matched words
  // (then the most matches), starting at the sentence that leads into its first match, never
  // cutting a surrogate pair in half.
  function snippetWindow(text, spans) {
    if (text.length <= SNIPPET_LENGTH) return [0, text.length];
    var best = 0, bestScore = -1;
    for (var i = 0; i < spans.length; i++) {
      var words = new Set(), count = 0;
      for (var j = i; j < spans.length && spans[j][1] <= spans[i][0] + SNIPPET_LENGTH - SNIPPET_LEAD; j++) {
        words.add(text.slice(spans[j][0], spans[j][1]).normalize("NFKC").toLowerCase());
        count++;
      }
      var score = words.size * 1000 + count;
      if (score > bestScore) { best = i; bestScore = score; }
    }
    var first = spans.length ? spans[best][0] : 0;
    var start = Math.max(0, first - SNIPPET_LEAD);
    var lead = text.slice(start, first);
    var boundary = Math.max(lead.lastIndexOf("。"), lead.lastIndexOf("！"), lead.lastIndexOf("？"));
    if (boundary >= 0) start += boundary + 1;
    while (start < first && text.charAt(start) === " ") start++;
    var end = Math.min(text.length, start + SNIPPET_LENGTH);
    start = Math.max(0, Math.min(start, end - SNIPPET_LENGTH));
    if (start > 0 && isLow(text.charCodeAt(start))) start++;
    if (end < text.length && isLow(text.charCodeAt(end))) end++;
    return [start, end];
  }

  function snippet(hit) {
    // One space for each line break or space: the highlights count positions in the text.
    var text = String(hit.text || "").replace(/\s/g, " ");
    var container = element("span", "hit-snippet");
    var spans = highlightSpans(hit, text.length);
    var win = snippetWindow(text, spans);
    var at = win[0];
    if (win[0] > 0) container.appendChild(document.createTextNode("…"));
    spans.forEach(function (s) {
      var from = Math.max(s[0], win[0]), to = Math.min(s[1], win[1]);
      if (to <= from || from < at) return;
      if (from > at) container.appendChild(document.createTextNode(text.slice(at, from)));
      container.appendChild(element("mark", null, text.slice(from, to)));
      at = to;
    });
    if (at < win[1]) container.appendChild(document.createTextNode(text.slice(at, win[1])));
    if (win[1] < text.length) container.appendChild(document.createTextNode("…"));
    return container;
  }

  // A hit is its link at once (the worker knows the speaker and the anchor); the agenda item
  // and the snippet are filled in when its speech has arrived (fillHits).
  // The hit links to its utterance with the query (?hl=), for the meeting page to mark the
  // words; a named speaker's name links to their page.
  function hitUrl(hit) {
    var parts = localUrl(hit.url).split("#");
    return parts[0] + (state.q ? "?hl=" + encodeURIComponent(state.q) : "") + (parts[1] ? "#" + parts[1] : "");
  }

  function speakerElement(spoken) {
    if (!spoken.who) return element("span", "hit-speaker", spoken.speaker || "発言者不明");
    var speaker = element("a", "hit-speaker", spoken.speaker);
    speaker.href = siteRoot + "speakers/" + encodeURIComponent(spoken.who) + "/";
    return speaker;
  }

  function renderHit(hit) {
    var item = element("li", "hit");
    var head = element("p", "hit-head");
    // Without the speaker yet, the speech names it (fillHits).
    if (hit.speaker !== undefined) head.appendChild(speakerElement(hit));
    item.appendChild(head);
    var link = element("a", "hit-link");
    link.href = hitUrl(hit);
    link.appendChild(element("span", "hit-number", "発言" + hit.number));
    item.appendChild(link);
    return item;
  }

  function hitList(hits, from) {
    var ol = element("ol", "result-hits");
    if (from) ol.start = from + 1;
    hits.forEach(function (hit) {
      ol.appendChild(renderHit(hit));
    });
    return ol;
  }

  /* Fetch the speeches of `hits` that are not here yet; resolves when all are. */
  function fetchDetails(hits) {
    var missing = hits.filter(function (hit) { return !details.has(hit.ref); });
    if (!missing.length) return Promise.resolve();
    return openEngine()
      .call("details", { hits: missing.map(function (hit) { return { ref: hit.ref, spans: hit.spans }; }) })
      .then(function (found) {
        found.forEach(function (doc) { details.set(doc.ref, doc); });
      });
  }

  /* Put the agenda items and snippets into the list `ol` of `hits`, once their speeches are here. */
  function fillHits(ol, hits) {
    return fetchDetails(hits).then(function () {
      var rows = ol.children;
      hits.forEach(function (hit, i) {
        var doc = details.get(hit.ref), row = rows[i];
        if (!row || row.getAttribute("data-filled")) return;
        row.setAttribute("data-filled", "true");
        var head = row.querySelector(".hit-head");
        if (!head.firstChild) head.appendChild(speakerElement(doc));
        // An agenda item is named once for a run of hits under it.
        if (doc.item && (i === 0 || doc.item !== details.get(hits[i - 1].ref).item)) {
          row.insertBefore(element("p", "hit-item", doc.item), row.firstChild);
        }
        row.querySelector(".hit-link").appendChild(snippet({ text: doc.text, highlights: doc.highlights }));
      });
    });
  }

  function renderGroup(group) {
    var first = group.hits[0];
    var item = element("li", "result-group");
    var heading = element("h2", "result-meeting");
    var title = element("a", null, first.meeting);
    title.href = localUrl(first.url.split("#")[0]);
    heading.appendChild(title);
    item.appendChild(heading);
    var meta = element("p", "result-meta");
    var time = element("time", null, japaneseDate(first.date));
    time.setAttribute("datetime", first.date);
    meta.appendChild(time);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(element("span", "result-body", first.body));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(element("span", "result-count", group.hits.length + "件"));
    item.appendChild(meta);
    var first = group.hits.slice(0, HITS_OPEN), open = hitList(first, 0);
    item.appendChild(open);
    if (group.hits.length > HITS_OPEN) {
      // One meeting can answer hundreds of times: its other hits wait behind a summary, so that
      // the first page shows many meetings; their speeches are fetched when it is opened.
      var others = group.hits.slice(HITS_OPEN);
      var rest = element("details", "result-rest");
      rest.appendChild(element("summary", null, "この会議のほかの発言 " + others.length + "件"));
      var folded = hitList(others, HITS_OPEN);
      rest.appendChild(folded);
      rest.addEventListener("toggle", function () {
        if (rest.open) fillHits(folded, others).catch(showError);
      });
      item.appendChild(rest);
    }
    return { node: item, fill: function () { return fillHits(open, first); } };
  }

  /*
   * Render `groups` into the list (replacing what it holds when `replace`) and fill their open
   * hits, the first FIRST_GROUPS meetings before the others: the reader sees the top of the list
   * first. `onFirst` is called when those are filled; resolves when all are.
   */
  function renderGroups(groups, replace, onFirst) {
    var fragment = document.createDocumentFragment(), fills = [];
    groups.forEach(function (group) {
      var rendered = renderGroup(group);
      fragment.appendChild(rendered.node);
      fills.push(rendered.fill);
    });
    if (replace) list.replaceChildren(fragment);
    else list.appendChild(fragment);
    var run = function (batch) {
      return Promise.all(batch.map(function (fill) { return fill(); }));
    };
    return run(fills.slice(0, FIRST_GROUPS)).then(function () {
      if (onFirst) onFirst();
      return run(fills.slice(FIRST_GROUPS));
    });
  }

  // Wrong syntax is searched as plain words (search-engine.js); the status line says why.
  var SYNTAX_PROBLEMS = {
    "unclosed-quote": "引用符（\"や「）が閉じられていないため",
    "empty-quote": "引用符の中に語がないため",
    "misplaced-or": "OR（または｜）の前か後ろに語がないため",
    "excluded-or": "「-」を付けた語はORでつなげないため",
    "only-excluded": "「-」を付けた語だけでは探せないため",
  };

  function syntaxNotice() {
    var reason = result && result.problem && SYNTAX_PROBLEMS[result.problem];
    return reason ? reason + "、記号は使わずに、すべての語を含む発言を探しました。" : "";
  }

  function describe(total, groups) {
    return syntaxNotice() + describeHits(total, groups);
  }

  function describeHits(total, groups) {
    var all = result ? result.hits.length : 0;
    // The engine's answer has the dates applied already; body and speaker are applied here.
    var filtered = Boolean(state.body || state.speaker);
    if (!state.q.trim()) {
      // Filters only: every utterance that passes.
      if (!total) return "絞り込みの条件に合う発言はありません。";
      var listed = "絞り込みの条件に合う発言 " + total + "件（" + groups.length + "会議）";
      return listed + (shown < groups.length ? "。" + shown + "会議目まで表示しています" : "") + "。";
    }
    if (!total) {
      if (filtered && all) return quoted(state.q) + "の " + all + "件のうち、絞り込みの条件に合う発言はありません。";
      if (!/[\p{L}\p{N}]/u.test(state.q)) return quoted(state.q) + "には検索できる語がありません。文字や数字を含む語で検索してください。";
      return quoted(state.q) + "に一致する発言は見つかりませんでした。語を減らすか、別の言い方で検索してください。";
    }
    var text = quoted(state.q) + "に一致する発言 " + total + "件（" + groups.length + "会議）";
    if (filtered) text += "、絞り込み前 " + all + "件";
    if (shown < groups.length) text += "。" + shown + "会議目まで表示しています";
    return text + "。";
  }

  var view = { hits: [], groups: [] }; // what the list shows: the filtered hits, in groups

  // The status line, the "more" button and data-total, for the groups shown so far.
  function updateCounts() {
    list.setAttribute("data-total", String(view.hits.length));
    more.hidden = shown >= view.groups.length;
    more.textContent = "さらに" + Math.min(PAGE_SIZE, view.groups.length - shown) + "会議を表示";
    var asked = state.q.trim() || FILTERS.some(function (name) { return state[name]; });
    say(asked ? describe(view.hits.length, view.groups) : "検索語を入力するか、絞り込みの条件を選んでください。");
  }

  // Shows the answer with the filters and sort of `state`; the list is done when the speeches
  // of its open hits are in.
  function update() {
    var ticket = ++renderRun;
    var hits = result ? result.hits.filter(function (hit) { return passes(hit); }) : [];
    view = { hits: hits, groups: arrange(hits) };
    shown = Math.min(Math.max(shown, PAGE_SIZE), view.groups.length);
    updateFixedFacet("body");
    updateSpeakerFacet();
    controls.sort.value = state.sort;
    // The date boxes are not rewritten here: an answer arriving late must not undo what the
    // reader is typing. They are set from the URL on load and on Back/Forward.
    list.removeAttribute("data-first-results");
    var filled = renderGroups(view.groups.slice(0, shown), true, function () {
      if (ticket === renderRun) list.setAttribute("data-first-results", "shown");
    });
    updateCounts();
    writeUrl();
    return filled.then(function () {
      if (ticket === renderRun) setState("done");
    });
  }

  /*
   * The worker's client: call(type, fields) posts a message and resolves with its answer. A
   * worker that fails to start rejects every call, and the next query starts a new one.
   */
  function openEngine() {
    if (engine) return engine;
    var worker = new Worker(app.getAttribute("data-worker"));
    var pending = new Map(), next = 0;
    var client = {
      call: function (type, fields) {
        return new Promise(function (resolve, reject) {
          var id = ++next;
          pending.set(id, { resolve: resolve, reject: reject });
          worker.postMessage(Object.assign({ id: id, type: type }, fields));
        });
      },
    };
    worker.onmessage = function (event) {
      var waiting = pending.get(event.data.id);
      if (!waiting) return;
      pending.delete(event.data.id);
      if (event.data.error !== undefined) waiting.reject(new Error(event.data.error));
      else waiting.resolve(event.data.result);
    };
    worker.onerror = function (event) {
      event.preventDefault();
      if (engine === client) engine = null;
      pending.forEach(function (waiting) { waiting.reject(new Error(event.message || "the search worker stopped")); });
      pending.clear();
    };
    worker.postMessage({ type: "open", index: new URL(app.getAttribute("data-index") || "./", document.baseURI).href });
    engine = client;
    return engine;
  }

  function showError(error) {
    // A failed download must not leave the page saying "searching" for ever.
    engine = null;
    view = { hits: [], groups: [] };
    list.replaceChildren();
    list.setAttribute("data-total", "0");
    more.hidden = true;
    // The browser's own text ("Failed to fetch", "HTTP 404") is English and says nothing a reader
    // can act on: the page says what to do in Japanese, the console keeps the detail for staff.
    if (window.console) window.console.error(error);
    var offline = navigator.onLine === false;
    var download = /fetch|network|load failed|cannot load|HTTP \d|not loaded/i.test(String((error && error.message) || error));
    say(
      offline
        ? "検索できませんでした。インターネットに接続されていないようです。接続を確かめてから、ページを再読み込みしてください。"
        : download
          ? "検索できませんでした。検索用のデータを読み込めませんでした。しばらくしてから、ページを再読み込みしてください。"
          : "検索できませんでした。ページを再読み込みしてください。直らないときは、サイトの管理者にお知らせください。"
    );
    setState("error");
  }

  // The dates typed (和暦 or 西暦) as ISO dates; a message, and no search, when one is no date.
  function readDates() {
    var bad = [];
    ["from", "to"].forEach(function (name) {
      var typed = controls[name].value.trim();
      var iso = typed ? window.MinutesWareki.parse(typed) : "";
      if (iso === null) bad.push("「" + typed + "」");
      else state[name] = iso;
    });
    if (bad.length) {
      say(bad.join("と") + "は日付として読めません。「令和4年2月14日」「R4.2.14」「2022-02-14」のように入力してください。");
      controls[window.MinutesWareki.parse(controls.from.value) === null && controls.from.value.trim() ? "from" : "to"].focus();
      return false;
    }
    if (state.from && state.to && state.from > state.to) {
      say("開催日の「から」が「まで」より後になっています。日付を入れ替えてください。");
      return false;
    }
    return true;
  }

  function run(restore) {
    var ticket = ++searchRun;
    shown = restore ? Math.max(PAGE_SIZE, restore.shown) : PAGE_SIZE;
    result = null;
    if (!state.q.trim() && !FILTERS.some(function (name) { return state[name]; })) {
      update();
      return Promise.resolve();
    }
    setState("loading");
    say("検索しています…");
    // Dates and sort go to the engine; body and speaker too when there are no words (else the
    // engine would list the whole archive), and with words they are applied here (passes).
    var filters = { from: state.from, to: state.to, sort: state.sort || "relevance" };
    if (!state.q.trim()) {
      filters.body = state.body;
      filters.speaker = state.speaker;
    }
    return Promise.resolve()
      .then(function () {
        return openEngine().call("search", { query: state.q, filters: filters });
      })
      .then(function (answer) {
        if (ticket !== searchRun) return;
        result = answer;
        // With words, the speaker filter is applied here: it needs every hit's speaker.
        return (state.speaker ? needSpeakers() : Promise.resolve()).then(function () {
          if (ticket === searchRun) return update();
        });
      })
      .then(function () {
        // Back/Forward: the pages shown were rendered above; the scroll waits for their speeches.
        if (restore && ticket === searchRun) window.scrollTo(0, restore.scroll || 0);
      })
      .catch(function (error) {
        if (ticket === searchRun) showError(error);
      });
  }

  // While the reader types, the worker fetches the manifest and the vocabulary of the letters
  // typed so far: the query's own shards follow when it is sent.
  // A failure here is only a missed head start: the query itself reports errors.
  function prepare(text) {
    Promise.resolve()
      .then(function () { return openEngine().call("prepare", { text: text }); })
      .catch(function () {});
  }
  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { prepare(input.value); }, 100);
  });
  input.addEventListener("focus", function () { prepare(""); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    state.q = input.value;
    if (!readDates()) return;
    writeUrl(true);
    run();
  });

  ["body", "speaker", "sort"].forEach(function (name) {
    controls[name].addEventListener("change", function () {
      state[name] = controls[name].value;
      shown = PAGE_SIZE;
      if (name === "sort" || !state.q.trim()) {
        // The engine orders the hits, and lists them when there are no words: ask it again.
        writeUrl(true);
        run();
        return;
      }
      if (list.getAttribute("data-state") === "loading" && !result) {
        writeUrl(); // the answer on its way will be shown with this filter
        return;
      }
      writeUrl(true);
      setState("loading");
      var answer = result;
      (name === "speaker" ? needSpeakers() : Promise.resolve())
        .then(function () {
          if (answer === result) return update();
        })
        .catch(showError);
    });
  });

  // The speaker list is filled when the reader turns to it: who said every hit is fetched then.
  ["pointerenter", "pointerdown", "focus"].forEach(function (type) {
    controls.speaker.addEventListener(type, function () {
      if (speakersKnown()) return;
      var answer = result;
      needSpeakers()
        .then(function () {
          if (answer === result) updateSpeakerFacet();
        })
        .catch(function () {}); // the list stays as it is; the next query reports a failed download
    });
  });

  ["from", "to"].forEach(function (name) {
    controls[name].addEventListener("change", function () {
      if (!readDates()) return;
      writeUrl(true);
      run();
    });
  });

  // Back and Forward: the entry's query, filters, pages shown and scroll come back.
  window.addEventListener("popstate", function () {
    state = readUrl();
    input.value = state.q;
    controls.sort.value = state.sort;
    controls.from.value = state.from;
    controls.to.value = state.to;
    run(savedView() || { shown: PAGE_SIZE, scroll: 0 });
  });

  // Leaving for a hit (or reloading) keeps this entry's pages and scroll for the way back.
  var scrolling = null;
  window.addEventListener("scroll", function () {
    clearTimeout(scrolling);
    scrolling = setTimeout(saveView, 150);
  });
  window.addEventListener("pagehide", saveView);

  more.addEventListener("click", function () {
    var from = shown;
    shown = Math.min(shown + PAGE_SIZE, view.groups.length);
    // Only the new meetings are added: rebuilding the list would shut every <details> the
    // reader has opened and make the page jump.
    var ticket = renderRun;
    setState("loading");
    renderGroups(view.groups.slice(from, shown), false)
      .then(function () {
        if (ticket === renderRun) setState("done");
      })
      .catch(showError);
    updateCounts();
    saveView();
    // Keyboard and screen-reader users continue at the first meeting they have not seen yet.
    var titles = list.querySelectorAll(".result-meeting a");
    if (titles[from]) titles[from].focus();
  });

  input.value = state.q;
  controls.sort.value = state.sort;
  controls.from.value = state.from;
  controls.to.value = state.to;
  if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
  // Opened without a query (a bookmark, the footer), the page is for typing one.
  if (!state.q) input.focus();
  // A bad date in a shared link is said, not searched with.
  if (readDates()) run(savedView());
})();
