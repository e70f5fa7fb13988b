// corpus audit report: draws the lists of the inert JSON block #audit-data a page at a
// time (filter, sort, page), the document view (#doc-N, #doc-N-S), and sorts the static
// tables. Every value from the corpus reaches the page through textContent or a checked
// href, never as markup: scraped <script> or on* text stays text.
(function () {
  "use strict";
  var PAGE = 50;
  document.documentElement.classList.add("js");
  var data = JSON.parse(document.getElementById("audit-data").textContent);
  var docs = data.docs.rows;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function swatch(lang) {
    var s = el("span", "sw");
    s.style.background = data.colors[lang] || "#dde1e6";
    return s;
  }
  function langCell(lang) {
    var td = el("td", "lang");
    td.appendChild(swatch(lang));
    td.appendChild(document.createTextNode(lang));
    return td;
  }
  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.setAttribute("href", href);
    return a;
  }
  function external(href, text) {
    // only what the report built: a relative file link or an http(s) URL
    if (!href || /^\s*(javascript|data|vbscript):/i.test(href)) { return el("span", "", text); }
    var a = link(href, text);
    a.setAttribute("rel", "noopener noreferrer");
    a.setAttribute("target", "_blank");
    return a;
  }
  function state(row) { return row.s ? "kept" : "dropped: " + (row.r || "?"); }

  // -- one paged, filtered, sorted list ---------------------------------------------------
  function List(id, columns, rows, total) {
    this.id = id; this.columns = columns; this.rows = rows; this.total = total;
    this.query = ""; this.page = 0; this.sortCol = -1; this.asc = true;
    this.box = document.getElementById(id + "-list");
    this.pager = document.getElementById(id + "-pager");
    this.count = document.getElementById(id + "-count");
    var self = this;
    var input = document.querySelector("input[data-list='" + id + "']");
    if (input) {
      input.addEventListener("input", function () {
        self.query = input.value.trim().toLowerCase(); self.page = 0; self.draw();
      });
    }
  }
  List.prototype.setRows = function (rows, total) {
    this.rows = rows; this.total = total; this.page = 0; this.draw();
  };
  List.prototype.visible = function () {
    var q = this.query, cols = this.columns, out = this.rows;
    if (q) {
      out = out.filter(function (r) {
        for (var c = 0; c < cols.length; c++) {
          if (String(cols[c].key(r)).toLowerCase().indexOf(q) >= 0) { return true; }
        }
        return false;
      });
    }
    if (this.sortCol >= 0) {
      var col = cols[this.sortCol], asc = this.asc ? 1 : -1;
      out = out.slice().sort(function (a, b) {
        var x = col.key(a), y = col.key(b);
        if (!col.num) { x = String(x).toLowerCase(); y = String(y).toLowerCase(); }
        return (x < y ? -1 : x > y ? 1 : 0) * asc;
      });
    }
    return out;
  };
  List.prototype.draw = function () {
    var self = this, rows = this.visible();
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (this.page >= pages) { this.page = pages - 1; }
    var table = el("table", "list-table");
    var head = el("tr");
    this.columns.forEach(function (col, c) {
      var th = el("th", col.num ? "n sortable" : "sortable", col.title);
      if (c === self.sortCol) { th.setAttribute("aria-sort", self.asc ? "ascending" : "descending"); }
      th.addEventListener("click", function () {
        if (self.sortCol === c) { self.asc = !self.asc; } else { self.sortCol = c; self.asc = !col.num; }
        self.draw();
      });
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    rows.slice(this.page * PAGE, (this.page + 1) * PAGE).forEach(function (r) {
      var tr = el("tr", r.s === 0 || (r.st && r.st !== "kept") ? "dropped" : "kept");
      self.columns.forEach(function (col) { tr.appendChild(col.cell(r)); });
      body.appendChild(tr);
    });
    if (!rows.length) {
      var td = el("td", "note", this.rows.length ? "No row matches the filter." : "None.");
      td.colSpan = this.columns.length;
      body.appendChild(el("tr")).appendChild(td);
    }
    this.box.replaceChildren(table);
    var first = rows.length ? this.page * PAGE + 1 : 0;
    var last = Math.min(rows.length, (this.page + 1) * PAGE);
    var text = "rows " + fmt(first) + "–" + fmt(last) + " of " + fmt(rows.length);
    if (rows.length !== this.rows.length) { text += " (filtered from " + fmt(this.rows.length) + ")"; }
    if (this.total > this.rows.length) {
      text += "; " + fmt(this.total - this.rows.length) + " more counted, not listed";
    }
    if (this.count) { this.count.textContent = text; }
    this.pager.replaceChildren();
    if (pages > 1) {
      var prev = el("button", "", "‹ previous"), next = el("button", "", "next ›");
      prev.disabled = this.page === 0; next.disabled = this.page >= pages - 1;
      prev.addEventListener("click", function () { self.page -= 1; self.draw(); });
      next.addEventListener("click", function () { self.page += 1; self.draw(); });
      this.pager.appendChild(prev);
      this.pager.appendChild(el("span", "note", " page " + (this.page + 1) + " of " + pages + " "));
      this.pager.appendChild(next);
    }
  };

  function text(key, title, cls) {
    return { title: title, key: function (r) { return r[key]; },
             cell: function (r) { var td = el("td", cls, r[key]); td.dir = "auto"; return td; } };
  }
  function num(key, title, digits) {
    return { title: title, num: true, key: function (r) { return r[key]; },
             cell: function (r) {
               return el("td", "n", digits ? Number(r[key]).toFixed(digits) : fmt(r[key]));
             } };
  }
  var place = { title: "where", key: function (r) { return r.w; }, cell: function (r) {
    var td = el("td", "src");
    td.title = r.src;
    td.appendChild(link("#doc-" + r.d + "-" + r.i, r.w));
    return td;
  } };
  var segColumns = [
    place, { title: "doc lang", key: function (r) { return r.dl; },
             cell: function (r) { return langCell(r.dl); } },
    { title: "lang", key: function (r) { return r.l; }, cell: function (r) { return langCell(r.l); } },
    num("p", "p", 2), text("k", "kind"),
    { title: "status", key: state, cell: function (r) { return el("td", "", state(r)); } },
    text("t", "text", "text"), text("tr", "translation", "text"),
  ];

  var foreign = new List("foreign", segColumns, data.foreign.kept,
                         data.foreign.kept.length + data.foreign.kept_more);
  foreign.draw();
  var toggle = document.getElementById("foreign-dropped");
  if (toggle) {
    toggle.addEventListener("change", function () {
      var f = data.foreign;
      if (toggle.checked) { foreign.setRows(f.dropped, f.dropped.length + f.dropped_more); }
      else { foreign.setRows(f.kept, f.kept.length + f.kept_more); }
    });
  }
  new List("lowconf", segColumns, data.low.rows, data.low.rows.length + data.low.more).draw();

  docs.forEach(function (d, i) { d.d = i; });
  var docColumns = [
    { title: "source", key: function (r) { return r.w; }, cell: function (r) {
      var td = el("td", "src");
      td.title = r.src;
      td.appendChild(link("#doc-" + r.d, r.w));
      return td;
    } },
    text("title", "title", "text"), text("st", "status"),
    { title: "lang", key: function (r) { return r.l; }, cell: function (r) { return langCell(r.l); } },
    num("sk", "kept"), num("sd", "dropped"), num("n", "sentences"), num("c", "characters"),
    num("f", "foreign kept"), num("lc", "low conf."),
    { title: "language mix", key: function (r) { return r.mix.length ? r.mix[0][0] : ""; },
      cell: function (r) {
        var td = el("td", "mixcell"), bar = el("div", "mix"), all = 0;
        r.mix.forEach(function (m) { all += m[1]; });
        r.mix.forEach(function (m) {
          var part = el("span");
          part.style.width = (100 * m[1] / (all || 1)).toFixed(2) + "%";
          part.style.background = data.colors[m[0]] || "#dde1e6";
          part.title = m[0] + " " + (100 * m[1] / (all || 1)).toFixed(1) + "%";
          bar.appendChild(part);
        });
        td.appendChild(bar);
        td.appendChild(el("small", "", r.mix.map(function (m) { return m[0]; }).join(" ")));
        return td;
      } },
  ];
  new List("documents", docColumns, docs, docs.length + data.docs.more).draw();

  // -- the document view -------------------------------------------------------------------
  var view = document.getElementById("docview");
  var keptOnly = document.getElementById("docview-kept");
  function openDoc() {
    var m = /^#doc-(\d+)(?:-(\d+))?$/.exec(location.hash);
    if (!m || !docs[+m[1]]) { view.hidden = true; return; }
    var d = docs[+m[1]], want = m[2] === undefined ? -1 : +m[2];
    view.hidden = false;
    document.getElementById("docview-title").textContent = d.w;
    var meta = document.getElementById("docview-meta");
    meta.replaceChildren();
    function fact(label, value) {
      var p = el("span", "fact");
      p.appendChild(el("b", "", label + " "));
      if (value instanceof Node) { p.appendChild(value); } else { p.appendChild(document.createTextNode(value)); }
      meta.appendChild(p);
    }
    fact("file", d.href ? external(d.href, d.src) : el("span", "", d.src));
    if (d.rid) { fact("record id", d.rid); }
    if (d.url) { fact("url", external(d.url, d.url)); }
    if (d.title) { fact("title", d.title); }
    fact("status", d.st);
    fact("language", d.l);
    fact("segments", fmt(d.sk) + " kept, " + fmt(d.sd) + " dropped");
    fact("id", d.id);
    var segs = data.segments.rows[d.d];
    var bodyBox = document.getElementById("docview-body");
    if (!segs) {
      bodyBox.replaceChildren(el("p", "note", data.segments.budget
        ? "This document's segments are not in the report: it holds the first " +
          fmt(data.segments.budget) + " segments. corpus audit OUT --doc " + d.id +
          " --format csv lists them."
        : "This report holds no segments per document (corpus audit OUT --format html does)."));
      document.getElementById("docview-count").textContent = "";
    } else {
      var table = el("table", "list-table doc-table");
      var head = el("tr");
      ["#", "line", "kind", "status", "lang", "p", "text", "translation", "flags"].forEach(
        function (t) { head.appendChild(el("th", t === "p" || t === "#" || t === "line" ? "n" : "", t)); });
      table.appendChild(el("thead")).appendChild(head);
      var tbody = table.appendChild(el("tbody")), shown = 0, target = null;
      segs.forEach(function (s) {
        // [index, source line, kind, kept, reason, lang, prob, text, translation, flags]
        if (keptOnly.checked && !s[3]) { return; }
        shown += 1;
        var tr = el("tr", s[3] ? "kept" : "dropped");
        tr.id = "seg-" + s[0];
        tr.appendChild(el("td", "n", s[0]));
        tr.appendChild(el("td", "n", s[1]));
        tr.appendChild(el("td", "", s[2]));
        tr.appendChild(el("td", "", s[3] ? "kept" : "dropped: " + (s[4] || "?")));
        tr.appendChild(langCell(s[5]));
        tr.appendChild(el("td", "n", Number(s[6]).toFixed(2)));
        var t = el("td", "text", s[7]); t.dir = "auto"; tr.appendChild(t);
        var x = el("td", "text", s[8]); x.dir = "auto"; tr.appendChild(x);
        tr.appendChild(el("td", "", s[9].join(", ")));
        if (s[0] === want) { tr.classList.add("target"); target = tr; }
        tbody.appendChild(tr);
      });
      bodyBox.replaceChildren(table);
      document.getElementById("docview-count").textContent =
        fmt(shown) + " of " + fmt(segs.length) + " segments";
      if (target) { target.scrollIntoView({ block: "center" }); return; }
    }
    view.scrollIntoView();
  }
  keptOnly.addEventListener("change", openDoc);
  window.addEventListener("hashchange", openDoc);
  openDoc();

  // -- the static tables: sort by a header click ---------------------------------------------
  function key(cell, numeric) {
    var v = cell.getAttribute("data-sort");
    if (v === null) { v = cell.textContent; }
    return numeric ? parseFloat(v) || 0 : v.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    table.querySelectorAll("th").forEach(function (th, col) {
      th.classList.add("sortable");
      th.addEventListener("click", function () {
        var numeric = th.classList.contains("n");
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
