// Exchange links and citations on a meeting page.
//
// ?range=s12-s18#s12 (and the older #s12-s18 or #s18-s12) marks utterances 12 to 18 and scrolls
// to 12; 「ここから」 then 「ここまで」 in two utterances' toolbars (touch, keyboard) or a shift-click on
// a second permalink makes such a range; "リンクをコピー" and "引用をコピー" copy the URL or a Japanese
// citation of one utterance or of the range; 「この範囲を印刷」 prints the range alone. Without this
// script, #s12 links still work (the ids are in the HTML), and so does ?range=s12-s18#s12: the
// browser lands on s12. Links this script makes use that form (docs/theme.md).
//
// A corrected meeting's `renumbered:` (old anchor → new anchor) keeps published links working:
// on such a page every fragment is read in the published numbering (#s13 opens the new s12), and
// the links the page itself makes (permalinks, copy link) are written in that numbering too, so
// that they survive being opened again. The address bar is never rewritten, for the same reason.
(function () {
  "use strict";

  var article = document.querySelector("article.meeting");
  if (!article) return;

  article.classList.add("js-anchors");
  var RANGE = /^#s(\d+)(?:-s?(\d+))?$/;
  var utteranceCount = Number(article.getAttribute("data-utterances")) || 0;
  var renumbered = {};
  try {
    renumbered = JSON.parse(article.getAttribute("data-renumbered") || "{}") || {};
  } catch (e) {
    renumbered = {};
  }
  // Current anchor → the fragment that reaches it here (its old anchor, when a link to its own
  // number would be sent elsewhere): itself if mapped to itself, else the lowest old anchor
  // (generator/permalinks.py published_anchor() chooses alike for meeting.json).
  var reachedBy = {};
  Object.keys(renumbered).forEach(function (old) {
    var now = renumbered[old];
    var best = reachedBy[now];
    if (best === undefined || old === now || (best !== now && Number(old.slice(1)) < Number(best.slice(1)))) {
      reachedBy[now] = old;
    }
  });
  var selectionStart = null; // number of the utterance a shift-click range starts from
  var pickStart = null; // number of the utterance whose 「ここから」 was pressed, until 「ここまで」
  var pickButtons = [];
  var status = null;
  var rangeBar = null;

  function toHalfWidth(text) {
    return text.replace(/[０-９]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    });
  }

  // The page's address without the fragment and without the parameters that are one reader's
  // state (?range= is written anew, ?hl= marks search words and is never copied).
  function pageUrl() {
    var url = new URL(location.href);
    url.hash = "";
    url.searchParams.delete("range");
    url.searchParams.delete("hl");
    return url.href.split("#")[0];
  }

  // ?range=s12-s18 with the hash at its first utterance: the range, as if the hash were #s12-s18.
  // It counts only while the hash is empty or that first anchor; a later #s40 replaces it.
  function currentFragment() {
    var hash = location.hash;
    var param = new URLSearchParams(location.search).get("range");
    if (param && RANGE.test("#" + param) && (hash === "" || hash === "#" + param.split("-")[0])) {
      return "#" + param;
    }
    return hash;
  }

  // A range link: ?range=sA-sB#sA lands on sA even without this script (#sA-sB matches no id).
  function withRange(base, first, last) {
    var url = new URL(base);
    url.hash = "";
    url.searchParams.delete("range");
    if (first !== last) url.searchParams.set("range", anchorFor(first) + "-" + anchorFor(last));
    return url.href.split("#")[0] + "#" + anchorFor(first);
  }

  // The address a selection puts in the address bar: the current one (?hl= included) with the range.
  function addressFor(first, last) {
    return withRange(location.href, first, last);
  }

  // The fragment that opens utterance n on this page: sN unless `renumbered:` sends sN elsewhere.
  function anchorFor(n) {
    var anchor = "s" + n;
    return renumbered[anchor] === undefined ? anchor : reachedBy[anchor] || anchor;
  }

  function linkTo(first, last) {
    return withRange(pageUrl(), first, last);
  }

  // 目黒区 情報公開・個人情報保護審議会 令和3年度第7回 令和4年2月14日（2022年）発言12〜18 <URL>
  // (the date as the page prints it: wareki.js, loaded before this script)
  function citation(first, last) {
    var org = article.getAttribute("data-organization") || "";
    var body = article.getAttribute("data-body") || "";
    var title = article.getAttribute("data-title") || "";
    var shortTitle = body && title.indexOf(body) !== -1 ? title.replace(body, "").trim() : title;
    var iso = article.getAttribute("data-date") || "";
    var when = window.MinutesWareki ? window.MinutesWareki.date(iso) : iso;
    var names = [org, body, toHalfWidth(shortTitle), when].filter(function (part) { return part; });
    var speeches = first === last ? "発言" + first : "発言" + first + "〜" + last;
    return names.join(" ") + speeches + " <" + linkTo(first, last) + ">";
  }

  // The range a fragment names, cut to the utterances that exist; null when it names none.
  function parseRange(hash) {
    var match = RANGE.exec(hash);
    if (!match) return null;
    var a = Number(match[1]);
    var b = match[2] === undefined ? a : Number(match[2]);
    var first = Math.max(1, Math.min(a, b));
    var last = Math.min(utteranceCount, Math.max(a, b));
    if (first > last) return null;
    return { first: first, last: last, single: match[2] === undefined };
  }

  // Fragments published before a correction shifted the anchors: #s13 → #s12 per `renumbered:`.
  function mapOldFragment(hash) {
    var match = RANGE.exec(hash);
    if (!match) return hash;
    var a = "s" + match[1];
    var b = match[2] === undefined ? null : "s" + match[2];
    var newA = renumbered[a] || a;
    var newB = b === null ? null : renumbered[b] || b;
    if (newA === a && newB === b) return hash;
    return "#" + newA + (newB === null ? "" : "-" + newB);
  }

  function clearMarks() {
    var marked = article.querySelectorAll("[data-in-range], [data-linked]");
    for (var i = 0; i < marked.length; i++) {
      marked[i].removeAttribute("data-in-range");
      marked[i].removeAttribute("data-linked");
      marked[i].classList.remove("range-first", "range-last");
    }
  }

  function markRange(range) {
    clearMarks();
    if (range && range.single) {
      // Marked like :target, which a renumbered fragment would put on the wrong utterance.
      var linked = document.getElementById("s" + range.first);
      if (linked) linked.setAttribute("data-linked", "");
    }
    if (!range || range.single) {
      hideRangeBar();
      return;
    }
    for (var n = range.first; n <= range.last; n++) {
      var element = document.getElementById("s" + n);
      if (element) element.setAttribute("data-in-range", "");
    }
    var firstElement = document.getElementById("s" + range.first);
    var lastElement = document.getElementById("s" + range.last);
    if (firstElement) firstElement.classList.add("range-first");
    if (lastElement) lastElement.classList.add("range-last");
    showRangeBar(range);
  }

  function onHash(scroll) {
    var range = parseRange(mapOldFragment(currentFragment()));
    markRange(range);
    if (range) {
      selectionStart = range.first;
      var target = document.getElementById("s" + range.first);
      // The browser finds no element for #s12-s18, nor for an old fragment that was mapped.
      if (target && scroll) target.scrollIntoView();
    }
  }

  // Made at once, empty: screen readers announce changes to a live region they already know.
  status = document.createElement("p");
  status.className = "copy-status";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  function announce(message) {
    status.textContent = message;
  }

  function copyText(text, what) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      document.body.removeChild(area);
      announce(ok ? what + "をコピーしました" : "コピーできませんでした：" + text);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        announce(what + "をコピーしました");
      }, fallback);
    } else {
      fallback();
    }
  }

  function button(label, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function currentBarRange() {
    return rangeBar ? { first: Number(rangeBar.getAttribute("data-first")), last: Number(rangeBar.getAttribute("data-last")) } : null;
  }

  function showRangeBar(range) {
    if (!rangeBar) {
      rangeBar = document.createElement("div");
      rangeBar.className = "range-bar";
      rangeBar.setAttribute("role", "region");
      rangeBar.setAttribute("aria-label", "選択した発言の範囲");
      var label = document.createElement("span");
      label.className = "range-label";
      rangeBar.appendChild(label);
      rangeBar.appendChild(button("範囲のリンクをコピー", "copy-link", function () {
        var r = currentBarRange();
        copyText(linkTo(r.first, r.last), "リンク");
      }));
      rangeBar.appendChild(button("範囲の引用をコピー", "copy-citation", function () {
        var r = currentBarRange();
        copyText(citation(r.first, r.last), "引用");
      }));
      rangeBar.appendChild(button("この範囲を印刷", "print-range", function () {
        var r = currentBarRange();
        printRange(r.first, r.last);
      }));
      rangeBar.appendChild(button("選択を解除", "clear-range", function () {
        if (pickStart !== null && rangeBar.hasAttribute("data-picking")) {
          setPickStart(null);
          announce("範囲の選択をやめました");
          return;
        }
        var first = currentBarRange().first;
        history.pushState(null, "", addressFor(first, first));
        onHash(false);
      }));
      document.body.appendChild(rangeBar);
    }
    rangeBar.removeAttribute("data-picking");
    rangeBar.setAttribute("data-first", range.first);
    rangeBar.setAttribute("data-last", range.last);
    rangeBar.querySelector(".range-label").textContent = "発言" + range.first + "〜" + range.last + "を選択中";
    setBarButtons(true);
    rangeBar.hidden = false;
  }

  // While 「ここから」 waits for 「ここまで」 the bar says what to do next and offers only to stop.
  function showPickingBar(first) {
    showRangeBar({ first: first, last: first });
    rangeBar.setAttribute("data-picking", "");
    rangeBar.querySelector(".range-label").textContent =
      "発言" + first + "から：範囲の終わりの発言で「ここまで」を押してください";
    setBarButtons(false);
  }

  function setBarButtons(ready) {
    var actions = rangeBar.querySelectorAll(".copy-link, .copy-citation, .print-range");
    for (var i = 0; i < actions.length; i++) actions[i].hidden = !ready;
    rangeBar.querySelector(".clear-range").textContent = ready ? "選択を解除" : "範囲の選択をやめる";
  }

  function hideRangeBar() {
    if (rangeBar && pickStart === null) rangeBar.hidden = true;
  }

  // The page's own address, printed under the title (range print: the range's link).
  function setPrintLink(url) {
    var target = document.querySelector(".print-link-url");
    if (target) target.textContent = url;
  }

  // 「この範囲を印刷」: a body class lets the print rules (meeting.css) drop every other utterance.
  function printRange(first, last) {
    document.body.classList.add("print-range");
    setPrintLink(linkTo(first, last));
    window.print();
  }

  window.addEventListener("afterprint", function () {
    document.body.classList.remove("print-range");
    setPrintLink(pageUrl());
  });
  setPrintLink(pageUrl());

  // 「ここから」 in one toolbar, 「ここまで」 in another: a range without a shift key (touch, keyboard).
  function setPickStart(number) {
    pickStart = number;
    article.classList.toggle("range-picking", number !== null);
    for (var i = 0; i < pickButtons.length; i++) {
      var b = pickButtons[i];
      var n = Number(b.getAttribute("data-number"));
      var starting = number === null || number === n;
      b.textContent = starting ? "ここから" : "ここまで";
      b.setAttribute("aria-label", (starting ? "ここから" : "ここまで") + "（発言" + n + "）");
      b.setAttribute("aria-pressed", number === n ? "true" : "false");
    }
    var marked = article.querySelector("[data-pick-start]");
    if (marked) marked.removeAttribute("data-pick-start");
    if (number === null) {
      onHash(false);
    } else {
      var section = document.getElementById("s" + number);
      if (section) section.setAttribute("data-pick-start", "");
      showPickingBar(number);
    }
  }

  function pick(number) {
    if (pickStart === null) {
      setPickStart(number);
      announce("発言" + number + "から選択中です。終わりの発言で「ここまで」を押してください");
      return;
    }
    if (pickStart === number) {
      setPickStart(null);
      announce("範囲の選択をやめました");
      return;
    }
    var first = Math.min(pickStart, number);
    var last = Math.max(pickStart, number);
    pickStart = null;
    setPickStart(null);
    history.pushState(null, "", addressFor(first, last));
    onHash(false);
    selectionStart = first;
    announce("発言" + first + "〜" + last + "を選択しました");
    // The bar sits at the end of the page; take the keyboard there, where its actions are.
    var next = rangeBar && rangeBar.querySelector(".copy-link");
    if (next) next.focus();
  }

  // A toolbar is one tab stop: arrow keys, Home and End move between its controls, and the one
  // focused last keeps the tab stop (the WAI-ARIA toolbar pattern).
  function rovingFocus(toolbar, initial) {
    var controls = toolbar.querySelectorAll("a, button");
    for (var i = 0; i < controls.length; i++) {
      controls[i].setAttribute("tabindex", controls[i] === initial ? "0" : "-1");
    }
    toolbar.addEventListener("keydown", function (event) {
      var index = Array.prototype.indexOf.call(controls, document.activeElement);
      if (index < 0) return;
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (index + 1) % controls.length;
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (index - 1 + controls.length) % controls.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = controls.length - 1;
      if (next === null) return;
      event.preventDefault();
      controls[index].setAttribute("tabindex", "-1");
      controls[next].setAttribute("tabindex", "0");
      controls[next].focus();
    });
  }

  // Tools on every utterance: copy its link, copy its citation.
  var sections = article.querySelectorAll(".utterance[id]");
  for (var i = 0; i < sections.length; i++) {
    (function (section) {
      var number = Number(section.id.slice(1));
      var tools = document.createElement("span");
      tools.className = "utterance-tools";
      var copyLink = button("リンクをコピー", "copy-link", function () {
        copyText(linkTo(number, number), "リンク");
      });
      var copyCitation = button("引用をコピー", "copy-citation", function () {
        copyText(citation(number, number), "引用");
      });
      // 248 buttons all named リンクをコピー tell a screen reader user nothing: name the utterance.
      copyLink.setAttribute("aria-label", "発言" + number + "のリンクをコピー");
      copyCitation.setAttribute("aria-label", "発言" + number + "の引用をコピー");
      var pickButton = button("ここから", "pick-range", function () {
        pick(number);
      });
      pickButton.setAttribute("data-number", String(number));
      pickButton.setAttribute("aria-label", "ここから（発言" + number + "）");
      pickButton.setAttribute("aria-pressed", "false");
      pickButtons.push(pickButton);
      tools.appendChild(pickButton);
      tools.appendChild(copyLink);
      tools.appendChild(copyCitation);
      var permalink = section.querySelector(".permalink");
      // One toolbar per utterance, in the order it is seen (buttons, then #N), and one tab stop:
      // 249 utterances × 3 controls made a keyboard user press Tab over 700 times to cross a meeting.
      tools.setAttribute("role", "toolbar");
      tools.setAttribute("aria-label", "発言" + number);
      if (permalink) tools.appendChild(permalink);
      var heading = section.querySelector(".speaker");
      section.insertBefore(tools, heading ? heading.nextSibling : section.firstChild);
      rovingFocus(tools, permalink || copyLink);
      if (permalink) {
        permalink.setAttribute("href", "#" + anchorFor(number));
        permalink.title = "この発言へのリンク（Shiftを押しながらクリックで範囲を選択）";
        permalink.addEventListener("click", function (event) {
          if (event.shiftKey && selectionStart !== null && selectionStart !== number) {
            event.preventDefault();
            var first = Math.min(selectionStart, number);
            var last = Math.max(selectionStart, number);
            history.pushState(null, "", addressFor(first, last));
            onHash(false);
            selectionStart = first;
          } else {
            selectionStart = number;
          }
        });
      }
    })(sections[i]);
  }

  window.addEventListener("hashchange", function () {
    onHash(true);
  });
  window.addEventListener("popstate", function () {
    onHash(false);
  });
  onHash(true);
})();
