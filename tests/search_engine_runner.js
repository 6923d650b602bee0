// Runs the browser search engine under Node for the parity tests: reads a JSON list of queries
// on stdin, prints a JSON list of results, each hit's text replaced by its length in UTF-16
// units. Usage: node search_engine_runner.js <site>/search
"use strict";
const fs = require("fs");
const path = require("path");
const MinutesSearch = require(path.join(__dirname, "..", "templates", "static", "search-engine.js"));

const dir = process.argv[2];
const load = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
const searcher = MinutesSearch.fromData(load("index.json"), load("docs.json"), load("terms.json"));
const queries = JSON.parse(fs.readFileSync(0, "utf8"));
const results = queries.map((query) => {
  try {
    const result = searcher.search(query);
    // The speech is long and the Python side has it already: keep its length only.
    result.hits.forEach((hit) => { hit.text = hit.text.length; });
    return result;
  } catch (error) {
    return { query: query, error: String(error && error.stack || error) };
  }
});
process.stdout.write(JSON.stringify(results));
