/*
 * The search engine in a Web Worker, so that fetching shards and running lunr.js never make the
 * page stutter while the reader types. search-ui.js talks to it with messages:
 *
 *   {type: "open", index}                   the URL of the site's search/ folder (no answer)
 *   {id, type: "prepare", text}             fetch what a query being typed will need
 *   {id, type: "search", query, filters}    -> the engine's result (hits without texts)
 *   {id, type: "details", hits: [{ref, spans}]}
 *                                           -> [{ref, item, text, speaker, who, highlights}] (highlights in UTF-16 units)
 *   {id, type: "speakers", refs}            -> [{speaker, who}] of each ref (for the speaker filter)
 *
 * Every answer is {id, result} or {id, error: message}.
 */
/* global importScripts, MinutesSearch */
"use strict";

importScripts("lunr.min.js", "search-engine.js");

var searcher = null;

function answer(message) {
  if (!searcher) throw new Error("the search index was not opened");
  if (message.type === "prepare") return searcher.prepare(message.text);
  if (message.type === "search") return searcher.search(message.query, message.filters);
  if (message.type === "speakers") return searcher.speakers(message.refs);
  if (message.type === "details") {
    return searcher.details(message.hits.map(function (hit) { return hit.ref; })).then(function (found) {
      return found.map(function (doc, i) {
        doc.highlights = MinutesSearch.highlights(doc.text, message.hits[i].spans);
        return doc;
      });
    });
  }
  throw new Error("unknown message " + message.type);
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "open") {
    searcher = MinutesSearch.open(message.index);
    return;
  }
  Promise.resolve()
    .then(function () { return answer(message); })
    .then(
      function (result) { self.postMessage({ id: message.id, result: result === undefined ? null : result }); },
      function (error) { self.postMessage({ id: message.id, error: String((error && error.message) || error) }); }
    );
};
