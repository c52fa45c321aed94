// Sortable and filterable tables, and the rankings picker: plain DOM, no library, no network, so
// the site works from file:// offline. A header click sorts by that column (numbers as numbers,
// a cell's data-sort first); a filter box hides the rows that do not contain its text.
(function () {
  "use strict";
  function key(cell) {
    var text = cell.getAttribute("data-sort");
    if (text === null) text = cell.textContent.trim();
    var number = parseFloat(text.replace(/[,%]/g, ""));
    return /^-?[\d.,]+%?$/.test(text) && !isNaN(number) ? number : text;
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index] ? key(a.cells[index]) : "", y = b.cells[index] ? key(b.cells[index]) : "";
      var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return ascending ? c : -c;
    });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.addEventListener("click", function () { sortBy(table, index, th); });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    if (!table) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  });
  document.querySelectorAll("form.rank-picker").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.location.href = form.elements.metric.value + "-" + form.elements.year.value + ".html";
    });
  });
})();
