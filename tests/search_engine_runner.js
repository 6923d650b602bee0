// Runs the browser search engine under Node for the parity tests: reads a JSON list of queries
// on stdin, prints a JSON list of results, each hit with its text's length in UTF-16 units, its
// agenda item and its highlights in UTF-16 units, as the search page gets them.
// Usage: node search_engine_runner.js <site>/search
//        node search_engine_runner.js --parse   (prints how each query's syntax is read, nothing more)
"use strict";
const fs = require("fs");
const path = require("path");
const MinutesSearch = require(path.join(__dirname, "..", "templates", "static", "search-engine.js"));

const dir = process.argv[2];
const searcher = MinutesSearch.withLoader(
  (name) => fs.promises.readFile(path.join(dir, name), "utf8").then(JSON.parse)
);

// A query is a string, or {query, filters} for the filter cases.
async function answer(asked) {
  const query = typeof asked === "string" ? asked : asked.query;
  try {
    const result = await searcher.search(query, typeof asked === "string" ? undefined : asked.filters);
    // How the query was read, for the parity test to compare with generator/search/syntax.py.
    result.parsed = MinutesSearch.parseQuery(query);
    const refs = result.hits.map((hit) => hit.ref);
    const details = await searcher.details(refs);
    // Who said each hit, as the speaker filter's list gets it (speakers.json); the text files
    // name the same speaker for the hits shown, or the runner reports the disagreement.
    const spoken = await searcher.speakers(refs);
    result.hits.forEach((hit, i) => {
      if (details[i].speaker !== spoken[i].speaker || details[i].who !== spoken[i].who) {
        throw new Error(`speakers.json and the text file disagree on ${hit.url}`);
      }
      hit.speaker = spoken[i].speaker;
      hit.who = spoken[i].who;
      hit.item = details[i].item;
      hit.highlights = MinutesSearch.highlights(details[i].text, hit.spans);
      // The speech is long and the Python side has it already: keep its length only.
      hit.text = details[i].text.length;
      delete hit.spans;
    });
    return result;
  } catch (error) {
    return { query: query, error: String((error && error.stack) || error) };
  }
}

(async () => {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  if (dir === "--parse") {
    process.stdout.write(JSON.stringify(queries.map((query) => MinutesSearch.parseQuery(query))));
    return;
  }
  if (dir === "--speaker-key") {
    process.stdout.write(JSON.stringify(queries.map((value) => MinutesSearch.speakerKey(value))));
    return;
  }
  const results = [];
  // One after the other, as a reader types them: each query finds the files the last one loaded.
  for (const query of queries) results.push(await answer(query));
  process.stdout.write(JSON.stringify(results));
})();
