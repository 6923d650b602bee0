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

  root.MinutesWareki = { date: date };
})(typeof self !== "undefined" ? self : this);
