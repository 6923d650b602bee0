// Runs the sharded browser engine and lunr.js over one unsharded index on the same queries, for
// tests/test_search_shards.py: reads a JSON list of queries on stdin and prints, per query, both
// engines' matches ([ref, score], before the search page's adjacency reward) and the files the
// sharded engine fetched for it.
// Usage: node shard_equality_runner.js <site>/search <unsharded lunr index.json>
"use strict";
const fs = require("fs");
const path = require("path");
const lunr = require("lunr");
const MinutesSearch = require(path.join(__dirname, "..", "templates", "static", "search-engine.js"));

const [dir, unshardedFile] = process.argv.slice(2);
// A new engine for each query, as on a page just opened: `fetched` is all that query needs.
function freshSearcher(fetched) {
  return MinutesSearch.withLoader((name) => {
    fetched.push(name);
    return fs.promises.readFile(path.join(dir, name), "utf8").then(JSON.parse);
  });
}
const whole = lunr.Index.load(JSON.parse(fs.readFileSync(unshardedFile, "utf8")));

function unsharded(plan) {
  if (!plan.covered || !plan.terms.length) return [];
  return whole.query((q) => {
    plan.terms.forEach((term) => {
      q.term(term.text, {
        presence: lunr.Query.presence.REQUIRED,
        usePipeline: false,
        wildcard: term.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
      });
    });
  }).map((match) => [match.ref, match.score]);
}

(async () => {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  const results = [];
  for (const query of queries) {
    const fetched = [];
    const searcher = freshSearcher(fetched);
    const plan = await searcher.plan(query);
    const sharded = (await searcher.matches(query)).map((match) => [match.ref, match.score]);
    results.push({ query, terms: plan.terms.map((t) => t.text), sharded, unsharded: unsharded(plan), fetched });
  }
  process.stdout.write(JSON.stringify(results));
})();
