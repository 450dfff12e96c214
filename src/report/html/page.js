"use strict";
// Sorting and paging of the accounts tables. A data row is followed by its
// drill-down row (class "why"); the two move together. Nothing from the
// data is parsed as markup: cells are read with textContent.
(function () {
  var PAGE = 25;
  function pairs(body) {
    var out = [];
    Array.prototype.forEach.call(body.rows, function (row) {
      if (row.classList.contains("why") && out.length) {
        out[out.length - 1].push(row);
      } else {
        out.push([row]);
      }
    });
    return out;
  }
  // A cell's sort key: a number (thousands separators and % dropped), a
  // time as written (YYYY-MM-DD HH:MM sorts as text), or the text.
  function key(row, col) {
    var cell = row.cells[col];
    var text = cell ? cell.textContent.trim() : "";
    if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(text)) {
      return text;
    }
    var bare = text.replace(/[,%\s]/g, "");
    return /^[-+]?[0-9]/.test(bare) ? parseFloat(bare) : text.toLowerCase();
  }
  function compare(x, y) {
    if (typeof x !== typeof y) {
      return typeof x === "number" ? -1 : 1;
    }
    return x < y ? -1 : x > y ? 1 : 0;
  }
  document.querySelectorAll("table.accounts").forEach(function (table) {
    var body = table.tBodies[0];
    var page = 0;
    var pager = null;
    var label = null;
    var prev = null;
    var next = null;
    function button(text, step) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.addEventListener("click", function () {
        page += step;
        show();
      });
      return b;
    }
    if (pairs(body).length > PAGE) {
      pager = document.createElement("nav");
      pager.className = "pager";
      pager.setAttribute("aria-label", "pages of accounts");
      prev = button("◀ previous", -1);
      next = button("next ▶", 1);
      label = document.createElement("span");
      label.setAttribute("aria-live", "polite");
      pager.appendChild(prev);
      pager.appendChild(label);
      pager.appendChild(next);
      table.parentNode.insertBefore(pager, table.nextSibling);
    }
    function show() {
      var all = pairs(body);
      var pages = Math.max(1, Math.ceil(all.length / PAGE));
      page = Math.min(Math.max(page, 0), pages - 1);
      all.forEach(function (pair, i) {
        var hide = pager !== null && Math.floor(i / PAGE) !== page;
        pair.forEach(function (row) {
          row.hidden = hide;
        });
      });
      if (pager) {
        var first = page * PAGE + 1;
        var last = Math.min(all.length, (page + 1) * PAGE);
        label.textContent = "accounts " + first + "–" + last + " of " + all.length;
        prev.disabled = page === 0;
        next.disabled = page >= pages - 1;
      }
    }
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var b = th.querySelector("button");
      if (!b) {
        return;
      }
      b.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var all = pairs(body);
        all.sort(function (a, b) {
          var c = compare(key(a[0], col), key(b[0], col));
          return ascending ? c : -c;
        });
        all.forEach(function (pair) {
          pair.forEach(function (row) {
            body.appendChild(row);
          });
        });
        page = 0;
        show();
      });
    });
    show();
  });
})();
