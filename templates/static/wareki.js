// Dates as the pages print them: 令和4年2月14日（2022年）, the same text generator/wareki.py gives
// wareki_date(), so that a citation copied on a meeting page and a search result read like the page.
// Loaded on every page before the page's own scripts; they call MinutesWareki.date("2022-02-14").
(function (root) {
  "use strict";

  // Newest first, as in generator/wareki.py ERAS: the first era that began on or before a date.
  var ERAS = [
    ["令和", "2019-05-01"],
    ["平成", "1989-01-08"],
    ["昭和", "1926-12-25"],
    ["大正", "1912-07-30"],
    ["明治", "1868-01-25"],
  ];

  // "2022-02-14" -> "令和4年2月14日（2022年）"; anything else comes back as it was given.
  function date(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!parts) return iso || "";
    var y = Number(parts[1]), m = Number(parts[2]), d = Number(parts[3]);
    var western = y + "年" + m + "月" + d + "日";
    for (var i = 0; i < ERAS.length; i++) {
      // ISO dates of the same length compare as strings in date order.
      if (iso >= ERAS[i][1]) {
        var year = y - Number(ERAS[i][1].slice(0, 4)) + 1;
        return ERAS[i][0] + (year === 1 ? "元" : String(year)) + "年" + m + "月" + d + "日（" + y + "年）";
      }
    }
    return western;
  }

  var LETTERS = { R: "令和", H: "平成", S: "昭和", T: "大正", M: "明治" };

  // What a reader types in a date box, as an ISO date: 令和4年2月14日, 令和元年5月1日, R4.2.14,
  // 2022-02-14, 2022/2/14, 2022年2月14日, in full- or half-width digits; null when it is no date.
  function parse(text) {
    // The page prints a date back as 令和4年2月14日（2022年）: that reads as the date it shows.
    var value = String(text || "").normalize("NFKC").replace(/\s+/g, "").replace(/\(\d{4}年\)$/, "");
    var parts = /^(令和|平成|昭和|大正|明治|[RHSTMrhstm])(元|\d{1,2})[年.\/-](\d{1,2})[月.\/-](\d{1,2})日?$/.exec(value);
    var y;
    if (parts) {
      var era = LETTERS[parts[1].toUpperCase()] || parts[1];
      var start = ERAS.filter(function (entry) { return entry[0] === era; })[0][1];
      y = Number(start.slice(0, 4)) + (parts[2] === "元" ? 1 : Number(parts[2])) - 1;
    } else {
      parts = /^()(\d{4})[年.\/-](\d{1,2})[月.\/-](\d{1,2})日?$/.exec(value);
      if (!parts) return null;
      y = Number(parts[2]);
    }
    var m = Number(parts[3]), d = Number(parts[4]);
    var day = new Date(Date.UTC(y, m - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null;
    var iso = String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0") + "-" + String(d).padStart(2, "0");
    if (parts[1]) {
      // 平成32年 is no date: an era's years end where the next era begins.
      var index = ERAS.map(function (entry) { return entry[0]; }).indexOf(LETTERS[parts[1].toUpperCase()] || parts[1]);
      if (iso < ERAS[index][1] || (index > 0 && iso >= ERAS[index - 1][1])) return null;
    }
    return iso;
  }

  root.MinutesWareki = { date: date, parse: parse };
})(typeof self !== "undefined" ? self : this);
