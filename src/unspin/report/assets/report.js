/* unspin report: detail panel, keyboard access and technique filters.
   Works on every .unspin-report on the page, reads its data from the JSON in that report and
   builds the panel with textContent only, so nothing from the article is parsed as HTML. */
(function () {
  "use strict";

  function make(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text != null) el.textContent = text;
    return el;
  }

  // options (all optional): save(record) -> Promise of a message, to send a review somewhere
  // instead of downloading it; source, what the review names as where it was made
  function setup(root, options) {
    if (root.getAttribute("data-us-ready")) return;
    options = options && typeof options === "object" ? options : {};
    root.setAttribute("data-us-ready", "1");
    var source = root.querySelector("script.us-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var panel = root.querySelector(".us-panel");
    var body = panel.querySelector(".us-panel-body");
    var showAll = root.querySelector(".us-showall");
    var hidden = {};
    var trigger = null;
    var review = data.article && data.taxonomy ? reviewing(root, data, options) : null;

    function isHidden(key) { return hidden[key] === true; }

    function covering(node) {
      var found = [];
      for (var n = node; n && n !== root; n = n.parentElement) {
        if (n.classList.contains("h") && !isHidden(n.getAttribute("data-t"))) {
          found.push(Number(n.getAttribute("data-i")));
        }
      }
      return found;
    }

    function mark(indices) {
      root.querySelectorAll(".h.is-active").forEach(function (el) {
        el.classList.remove("is-active");
      });
      indices.forEach(function (i) {
        root.querySelectorAll('.h[data-i="' + i + '"]').forEach(function (el) {
          el.classList.add("is-active");
        });
      });
    }

    function describe(i) {
      var span = data.spans[i];
      var tech = data.techniques[span.t];
      var box = make("section", "us-pspan " + span.t);
      var head = make("div", "us-phead");
      head.appendChild(make("span", "us-code", tech.code));
      head.appendChild(make("strong", null, tech.name));
      box.appendChild(head);
      // the phrase in its sentence, as the reader meets it in the article
      var quote = make("p", "us-quote");
      quote.appendChild(document.createTextNode(span.before || ""));
      quote.appendChild(make("mark", span.t, span.text));
      quote.appendChild(document.createTextNode(span.after || ""));
      box.appendChild(quote);
      var conf = make("div", "us-conf");
      var pct = Math.round(span.score * 100);
      conf.appendChild(make("span", null, "Model confidence"));
      var bar = make("span", "us-bar");
      var fill = make("i");
      fill.style.width = Math.max(0, Math.min(100, pct)) + "%";
      bar.appendChild(fill);
      conf.appendChild(bar);
      conf.appendChild(make("b", null, pct + "%"));
      box.appendChild(conf);
      if (span.tentative) {
        box.appendChild(make("p", "us-tentnote",
          "Tentative: at this confidence, most such findings are not what annotators marked."));
      }
      box.appendChild(make("p", "us-def", tech.definition));
      if (review) box.appendChild(review.controls(i));
      return box;
    }

    // Hover or focus on a highlight: a small tip with the technique and the score.
    var tip = make("div", "us-tip");
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    root.appendChild(tip);

    // what the tip is showing for: "hover" (the pointer) or "focus" (the keyboard); a
    // keyboard focus that scrolls the page moves content under a resting pointer, and the
    // mouseout that follows must not hide the focused tag's tip
    var tipSource = null;

    function tipFor(indices, anchor, x, y, source) {
      if (!indices.length || !panel.hidden) return hideTip();
      tipSource = source || "hover";
      tip.textContent = indices.map(function (i) {
        var span = data.spans[i];
        return data.techniques[span.t].name + " \u00B7 " + Math.round(span.score * 100) + "%" +
          (span.tentative ? " \u00B7 tentative" : "");
      }).join("  +  ");
      tip.hidden = false;
      var rect = pick(anchor, x, y);
      var box = root.getBoundingClientRect();
      var left = Math.min(Math.max(8, rect.left - box.left), root.clientWidth - tip.offsetWidth - 8);
      var top = rect.top - box.top - tip.offsetHeight - 6;
      if (rect.top - tip.offsetHeight - 6 < 0) top = rect.bottom - box.top + 6;
      tip.style.left = Math.max(8, left) + "px";
      tip.style.top = top + "px";
    }

    function hideTip() { tip.hidden = true; tipSource = null; }

    root.addEventListener("mouseover", function (event) {
      var target = event.target instanceof Element && event.target.closest(".h");
      if (target) tipFor(covering(target), target, event.clientX, event.clientY);
    });
    root.addEventListener("mouseout", function (event) {
      var to = event.relatedTarget;
      if (tipSource === "hover" && (!(to instanceof Element) || !to.closest(".h"))) hideTip();
    });
    root.addEventListener("focusin", function (event) {
      var tag = event.target instanceof Element && event.target.closest(".us-tag");
      if (tag) tipFor([Number(tag.getAttribute("data-i"))], tag, null, null, "focus");
    });
    root.addEventListener("focusout", hideTip);

    function pick(anchor, x, y) {
      var rects = anchor.getClientRects();
      var rect = rects.length ? rects[0] : anchor.getBoundingClientRect();
      for (var k = 0; k < rects.length && x != null; k++) {
        var r = rects[k];
        if (x >= r.left - 1 && x <= r.right + 1 && y >= r.top - 1 && y <= r.bottom + 1) {
          return r;
        }
      }
      return rect;
    }

    function place(anchor, x, y) {
      if (window.matchMedia("(max-width: 640px)").matches) {
        panel.style.left = "";
        panel.style.top = "";
        return;
      }
      var rect = pick(anchor, x, y);
      var box = root.getBoundingClientRect();
      var width = panel.offsetWidth;
      var height = panel.offsetHeight;
      var left = Math.min(Math.max(8, rect.left - box.left), root.clientWidth - width - 8);
      var top = rect.bottom - box.top + 10;
      if (rect.bottom + height + 16 > window.innerHeight && rect.top - height - 16 > 0) {
        top = rect.top - box.top - height - 10;
      }
      panel.style.left = Math.max(8, left) + "px";
      panel.style.top = top + "px";
    }

    function show(indices, anchor, x, y) {
      if (!indices.length) return hide(false);
      body.textContent = "";
      if (indices.length > 1) {
        body.appendChild(make("p", "us-panel-lead",
          indices.length + " techniques overlap here (innermost first)"));
      }
      indices.forEach(function (i) { body.appendChild(describe(i)); });
      hideTip();
      panel.hidden = false;
      place(anchor, x, y);
      mark(indices);
      trigger = anchor;
    }

    function hide(refocus) {
      if (panel.hidden) return;
      panel.hidden = true;
      mark([]);
      if (refocus && trigger && trigger.focus) trigger.focus();
      trigger = null;
    }

    function tagOf(i) { return root.querySelector('.us-tag[data-i="' + i + '"]'); }

    root.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof Element)) return;
      if (target.closest(".us-close")) return hide(true);
      var tag = target.closest(".us-tag");
      if (tag) return show([Number(tag.getAttribute("data-i"))], tag);
      var jump = target.closest(".us-jump");
      if (jump) {
        var i = Number(jump.getAttribute("data-i"));
        var where = tagOf(i);
        if (where) {
          where.scrollIntoView({ block: "center" });
          where.focus({ preventScroll: true });
          show([i], where);
        }
        return;
      }
      var entity = target.closest(".us-entity");
      if (entity) return focusEntity(entity);
      if (target.closest(".us-unfocus")) return unfocus(true);
      var quote = target.closest(".us-qjump");
      if (quote) return light("q", quote.getAttribute("data-q"));
      var claim = target.closest(".us-cjump");
      if (claim) return light("c", claim.getAttribute("data-c"));
      var more = target.closest(".us-more");
      if (more) return expand(more);
      var filter = target.closest(".us-filter");
      if (filter) return toggle(filter);
      if (target.closest(".us-showall")) return reset();
      var hideTent = target.closest(".us-hidetent");
      if (hideTent) {
        // tentative highlights hidden or shown again; the findings list keeps them
        var hidden = root.classList.toggle("hide-tent");
        hideTent.setAttribute("aria-pressed", hidden ? "true" : "false");
        hideTent.textContent = hidden ? "Show tentative highlights" : "Hide tentative highlights";
        return;
      }
      var span = target.closest(".h");
      if (span) return show(covering(span), span, event.clientX, event.clientY);
      if (!target.closest(".us-panel")) hide(false);
    });

    // Code labels act as buttons: Enter and Space open them, as on a native button. With the
    // review controls in the panel, the focus moves to them (Escape brings it back).
    root.addEventListener("keydown", function (event) {
      var tag = event.target instanceof Element && event.target.closest(".us-tag");
      if (tag && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        show([Number(tag.getAttribute("data-i"))], tag);
        var first = review && panel.querySelector(".us-rv button");
        if (first) first.focus();
      }
    });

    // On the document, not the report: after a mouse click the focus may be on the body.
    // Escape undoes one thing at a time: the panel, then a selected name, then a lit quote.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      if (!panel.hidden) hide(true);
      else if (focused !== null) unfocus(true);
      else if (lit) light(null);
    });

    // Who is targeted: a name's spans light up and the others fade; again, Clear or Escape
    // ends it. The spans aimed at each name come in the data (report numbering).
    var bar = root.querySelector(".us-focusbar");
    var focused = null;
    var focusButton = null;

    function focusEntity(button) {
      var k = Number(button.getAttribute("data-e"));
      if (focused === k) return unfocus(false);
      unfocus(false);
      var indices = (data.tally || [])[k] || [];
      focused = k;
      focusButton = button;
      button.setAttribute("aria-pressed", "true");
      root.classList.add("is-focus");
      var first = null;
      indices.forEach(function (i) {
        root.querySelectorAll('.h[data-i="' + i + '"], .us-finding[data-i="' + i + '"]')
          .forEach(function (el) {
            el.classList.add("is-lit");
            if (!first && el.classList.contains("h")) first = el;
          });
      });
      if (bar) {
        var name = button.querySelector(".us-ename");
        var msg = bar.querySelector(".us-focusmsg");
        msg.textContent = "";
        msg.appendChild(document.createTextNode(indices.length +
          (indices.length === 1 ? " span" : " spans") + " aimed at "));
        msg.appendChild(make("b", null, name ? name.textContent : ""));
        bar.hidden = false;
      }
      // Bring the first one into view unless one is on screen already.
      if (first && !indices.some(function (i) {
        var el = root.querySelector('.h[data-i="' + i + '"]');
        var r = el && el.getBoundingClientRect();
        return r && r.bottom > 0 && r.top < window.innerHeight;
      })) first.scrollIntoView({ block: "center" });
    }

    function unfocus(refocus) {
      if (focused === null) return;
      root.classList.remove("is-focus");
      root.querySelectorAll(".h.is-lit, .us-finding.is-lit").forEach(function (el) {
        el.classList.remove("is-lit");
      });
      if (focusButton) focusButton.setAttribute("aria-pressed", "false");
      if (bar) bar.hidden = true;
      if (refocus && focusButton) focusButton.focus();
      focused = null;
      focusButton = null;
    }

    // A quote or claim chosen in its list: scroll to its words, light them, move focus there.
    var lit = null;

    function light(kind, k) {
      root.querySelectorAll(".us-qt.is-lit, .us-cl.is-lit").forEach(function (el) {
        el.classList.remove("is-lit");
      });
      lit = null;
      if (!kind) return;
      var cls = kind === "q" ? ".us-qt" : ".us-cl";
      var parts = root.querySelectorAll(cls + "[data-" + kind + '="' + k + '"]');
      if (!parts.length) return;
      parts.forEach(function (el) { el.classList.add("is-lit"); });
      lit = parts[0];
      lit.scrollIntoView({ block: "center" });
      lit.tabIndex = -1;
      lit.focus({ preventScroll: true });
    }

    // "Show all" under a list that shows its top rows only.
    function expand(button) {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.parentElement.querySelectorAll("li.us-extra").forEach(function (li) {
        li.hidden = !open;
      });
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = button.getAttribute(open ? "data-fewer" : "data-all");
    }

    function toggle(button) {
      var key = button.getAttribute("data-t");
      var on = button.getAttribute("aria-pressed") !== "false";
      button.setAttribute("aria-pressed", on ? "false" : "true");
      hidden[key] = on;
      root.classList.toggle("hide-" + key, on);
      sync();
    }

    function reset() {
      root.querySelectorAll(".us-filter").forEach(function (button) {
        button.setAttribute("aria-pressed", "true");
        root.classList.remove("hide-" + button.getAttribute("data-t"));
      });
      hidden = {};
      sync();
    }

    function sync() {
      var any = Object.keys(hidden).some(isHidden);
      if (showAll) showAll.hidden = !any;
      root.querySelectorAll(".us-tag").forEach(function (tag) {
        tag.tabIndex = isHidden(tag.getAttribute("data-t")) ? -1 : 0;
      });
      hide(false);
    }
  }

  // Review: each span's panel takes Accept, Reject or another technique, and new boundaries
  // (the words selected in the article, or a word more or less at either end); words selected
  // in the article become a new span with the technique chosen for them. The corrections leave as one
  // line of unspin's corrections format (unspin.corrections/1): downloaded as a file that
  // 'unspin review import' reads, or handed to options.save (the web page sends it to the API).
  function reviewing(root, data, options) {
    var article = data.article;
    var chars = Array.from(article.text);  // offsets count characters (code points), as unspin's do
    var decisions = {};  // span number -> {action, technique}
    var bounds = {};     // span number -> {start, end}: where the reviewer moved it
    var added = [];      // {start, end, technique}
    var pending = null;  // the words last selected in the article: {start, end}
    var names = {};
    data.taxonomy.forEach(function (t) { names[t.id] = t.name; });

    function original(i) { return data.techniques[data.spans[i].t].id; }
    function words(start, end) {
      var text = chars.slice(start, end).join("").replace(/\s+/g, " ");
      return text.length > 80 ? text.slice(0, 77) + "\u2026" : text;
    }
    function choices(select, selected, prompt) {
      if (prompt) {
        var none = make("option", null, prompt);
        none.value = "";
        select.appendChild(none);
      }
      data.taxonomy.forEach(function (t) {
        var option = make("option", null, t.name + " (" + t.code + ")");
        option.value = t.id;
        option.selected = t.id === selected;
        select.appendChild(option);
      });
    }
    function button(cls, text) {
      var b = make("button", cls, text);
      b.type = "button";
      return b;
    }
    function field(label, control) {
      var box = make("label", "us-rvfield");
      box.appendChild(make("span", null, label));
      box.appendChild(control);
      return box;
    }

    var card = make("section", "us-card us-review");
    card.setAttribute("aria-label", "Review");
    card.appendChild(make("h2", null, "Review"));
    card.appendChild(make("p", "us-rvhint", "Open a span to accept, reject, relabel it or move its " +
      "boundaries. To add one, select its words in the article and choose its technique here."));
    var reviewer = make("input", "us-reviewer");
    reviewer.type = "text";
    reviewer.autocomplete = "name";
    reviewer.placeholder = "Your name or address";
    card.appendChild(field("Reviewer", reviewer));
    var chosen = make("p", "us-rvsel", "No words selected in the article.");
    card.appendChild(chosen);
    var addTechnique = make("select", "us-addtech");
    choices(addTechnique, null, "Choose a technique\u2026");
    card.appendChild(field("Technique of the selected words", addTechnique));
    var addButton = button("us-addspan", "Add span");
    card.appendChild(addButton);
    var addedList = make("ul", "us-added");
    card.appendChild(addedList);
    var count = make("p", "us-note us-rvcount");
    card.appendChild(count);
    var save = button("us-save", options.save ? "Save corrections" : "Download corrections");
    card.appendChild(save);
    var status = make("p", "us-rvstatus");
    status.setAttribute("role", "status");
    card.appendChild(status);
    var side = root.querySelector(".us-side");
    if (side) side.insertBefore(card, side.firstChild);
    else root.appendChild(card);

    function say(message) { status.textContent = message; }

    function tally() {
      var n = { accept: 0, reject: 0, relabel: 0 };
      Object.keys(decisions).forEach(function (k) { n[decisions[k].action] += 1; });
      count.textContent = n.accept + " accepted, " + n.reject + " rejected, " + n.relabel +
        " relabelled, " + Object.keys(bounds).length + " moved, " + added.length + " added";
    }

    // A moved span's boundaries, word by word: a word is a run of characters between spaces.
    function space(k) { return /\s/.test(chars[k]); }
    function nudge(i, which, step) {
      var b = bounds[i] || { start: data.spans[i].start, end: data.spans[i].end };
      var k;
      if (which === "start" && step < 0) {  // take in the word before
        k = b.start;
        while (k > 0 && space(k - 1)) k--;
        while (k > 0 && !space(k - 1)) k--;
        return { start: k, end: b.end };
      }
      if (which === "start") {  // give up the first word
        k = b.start;
        while (k < b.end && !space(k)) k++;
        while (k < b.end && space(k)) k++;
        return { start: k, end: b.end };
      }
      if (step > 0) {  // take in the word after
        k = b.end;
        while (k < chars.length && space(k)) k++;
        while (k < chars.length && !space(k)) k++;
        return { start: b.start, end: k };
      }
      k = b.end;  // give up the last word
      while (k > b.start && !space(k - 1)) k--;
      while (k > b.start && space(k - 1)) k--;
      return { start: b.start, end: k };
    }

    // The highlights, their code labels and the findings list show what was decided.
    function show(i) {
      var d = decisions[i];
      root.querySelectorAll('.h[data-i="' + i + '"], .us-tag[data-i="' + i + '"], ' +
                            '.us-finding[data-i="' + i + '"]').forEach(function (el) {
        ["accept", "reject", "relabel"].forEach(function (a) {
          el.classList.toggle("rv-" + a, !!d && d.action === a);
        });
        el.classList.toggle("rv-move", !!bounds[i] && !(d && d.action === "reject"));
      });
      tally();
    }

    function controls(i) {
      var box = make("div", "us-rv");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Your review of this span");
      var accept = button("us-accept", "Accept");
      var reject = button("us-reject", "Reject");
      var relabel = make("select", "us-relabel");
      choices(relabel, original(i));
      var note = make("p", "us-rvnote");
      note.setAttribute("aria-live", "polite");
      var s = data.spans[i];
      // Boundaries: the selected words, or a word more or less at either end (buttons, so
      // Tab and Enter reach them); Reset puts the span back where the model had it.
      var edges = make("div", "us-rvbounds");
      edges.setAttribute("role", "group");
      edges.setAttribute("aria-label", "Boundaries of this span");
      var where = make("p", "us-rvwhere");
      edges.appendChild(where);
      var toSelection = button("us-setbounds", "Set to selected words");
      edges.appendChild(toSelection);
      var moves = [["start", -1, "\u2190 Start", "Start one word earlier"],
                   ["start", 1, "Start \u2192", "Start one word later"],
                   ["end", -1, "\u2190 End", "End one word earlier"],
                   ["end", 1, "End \u2192", "End one word later"]];
      moves.forEach(function (m) {
        var b = button("us-nudge us-nudge-" + m[0] + (m[1] < 0 ? "-back" : "-on"), m[2]);
        b.setAttribute("aria-label", m[3]);
        b.addEventListener("click", function () { move(nudge(i, m[0], m[1])); });
        edges.appendChild(b);
      });
      var reset = button("us-resetbounds", "Reset boundaries");
      edges.appendChild(reset);
      function refresh() {
        var d = decisions[i], b = bounds[i];
        accept.setAttribute("aria-pressed", d && d.action === "accept" ? "true" : "false");
        reject.setAttribute("aria-pressed", d && d.action === "reject" ? "true" : "false");
        relabel.value = d && d.action === "relabel" ? d.technique : original(i);
        var said = !d ? (b ? "" : "Not reviewed yet.") :
          d.action === "accept" ? "You accepted this span." :
          d.action === "reject" ? "You rejected this span." :
          "You relabelled it as " + names[d.technique] + ".";
        if (b && !(d && d.action === "reject")) {
          said = (said ? said + " " : "") + "You moved it to \u201C" + words(b.start, b.end) +
            "\u201D.";
        }
        note.textContent = said;
        where.textContent = "Boundaries: \u201C" + words(b ? b.start : s.start, b ? b.end : s.end) +
          "\u201D";
        reset.disabled = !b;
        show(i);
      }
      function decide(action) {
        var d = decisions[i];
        if (d && d.action === action) delete decisions[i];  // pressed again: undone
        else decisions[i] = { action: action, technique: original(i) };
        if (action === "reject" && decisions[i]) delete bounds[i];  // struck out: not moved
        refresh();
      }
      // New boundaries must hold words and overlap where the model had the span; the same
      // boundaries as the model's are no move.
      function move(b) {
        if (!b || b.start >= b.end) return say("A span needs at least one word.");
        if (!(b.start < s.end && s.start < b.end)) {
          return say("A moved span must overlap where the model had it; to mark other words, " +
                     "reject this span and add a new one.");
        }
        if (b.start === s.start && b.end === s.end) delete bounds[i];
        else bounds[i] = { start: b.start, end: b.end };
        var d = decisions[i];
        if (d && d.action === "reject") delete decisions[i];  // moved: kept after all
        refresh();
        say(bounds[i] ? "Moved to \u201C" + words(b.start, b.end) + "\u201D." :
            "Back at the model's boundaries.");
      }
      toSelection.addEventListener("click", function () {
        if (!pending) return say("First select the span's words in the article.");
        move(pending);
      });
      reset.addEventListener("click", function () {
        delete bounds[i];
        refresh();
        say("Back at the model's boundaries.");
      });
      accept.addEventListener("click", function () { decide("accept"); });
      reject.addEventListener("click", function () { decide("reject"); });
      relabel.addEventListener("change", function () {
        if (relabel.value === original(i)) delete decisions[i];
        else decisions[i] = { action: "relabel", technique: relabel.value };
        refresh();
      });
      box.appendChild(accept);
      box.appendChild(reject);
      box.appendChild(field("Relabel as", relabel));
      box.appendChild(edges);
      box.appendChild(note);
      refresh();
      return box;
    }

    // Where a point of the selection falls in the text: the characters before it in its
    // paragraph (or a title taken from the text), whose start comes in the data. Code labels
    // and chips are drawn by CSS and hold no text, so the count is the article's own.
    function offset(node, at) {
      var el = node.nodeType === 1 ? node : node.parentElement;
      var holder = el && el.closest(".us-article > p, .us-title");
      if (!holder || !root.contains(holder)) return null;
      var first = holder.classList.contains("us-title") ? article.heading :
        article.paragraphs[Array.prototype.indexOf.call(holder.parentElement.children, holder)];
      if (first == null) return null;
      var range = document.createRange();
      range.setStart(holder, 0);
      range.setEnd(node, at);
      return first + Array.from(range.toString()).length;
    }

    // A click on a control may clear the selection, so the last one in the article is kept.
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (!selection || !selection.rangeCount || selection.isCollapsed) return;
      var range = selection.getRangeAt(0);
      var start = offset(range.startContainer, range.startOffset);
      var end = offset(range.endContainer, range.endOffset);
      if (start === null || end === null) return;
      while (start < end && /\s/.test(chars[start])) start++;
      while (end > start && /\s/.test(chars[end - 1])) end--;
      if (start >= end) return;
      pending = { start: start, end: end };
      chosen.textContent = "Selected: \u201C" + words(start, end) + "\u201D";
    });

    function listAdded() {
      addedList.textContent = "";
      added.forEach(function (a, k) {
        var li = make("li");
        li.appendChild(make("span", null, names[a.technique] + ": \u201C" +
                                          words(a.start, a.end) + "\u201D"));
        var remove = button("us-rmadd", "Remove");
        remove.setAttribute("aria-label", "Remove the added span " + words(a.start, a.end));
        remove.addEventListener("click", function () {
          added.splice(k, 1);
          listAdded();
          say("Added span removed.");
          addButton.focus();
        });
        li.appendChild(remove);
        addedList.appendChild(li);
      });
      tally();
    }

    addButton.addEventListener("click", function () {
      if (!pending) return say("First select the words of the span in the article.");
      if (!addTechnique.value) {
        addTechnique.focus();
        return say("Choose the technique of the selected words.");
      }
      var span = { start: pending.start, end: pending.end, technique: addTechnique.value };
      var known = added.some(function (a) {
        return a.start === span.start && a.end === span.end && a.technique === span.technique;
      });
      if (known) return say("That span is added already.");
      added.push(span);
      listAdded();
      say("Added " + names[span.technique] + ": \u201C" + words(span.start, span.end) + "\u201D.");
    });

    // One line of the corrections format. Spans not reviewed are left out; of two kept spans
    // with the same words and technique (a relabel onto another span's technique) one stays.
    function record() {
      var spans = [], rejected = [], seen = {};
      function keep(c, list) {
        var key = c.start + ":" + c.end + ":" + c.technique + ":" + (list === rejected);
        if (seen[key]) return;
        seen[key] = true;
        list.push(c);
      }
      var reviewed = {};
      Object.keys(decisions).concat(Object.keys(bounds)).forEach(function (k) {
        reviewed[k] = true;
      });
      Object.keys(reviewed).map(Number).sort(function (a, b) { return a - b; })
        .forEach(function (i) {
          var s = data.spans[i], b = bounds[i];
          var d = decisions[i] || { action: "accept", technique: original(i) };
          var c = { start: s.start, end: s.end, technique: d.technique, action: d.action };
          if (b && d.action !== "reject") {  // moved (and perhaps relabelled): one move
            c = { start: b.start, end: b.end, technique: d.technique, action: "move",
                  old_start: s.start, old_end: s.end };
          }
          if (d.technique !== original(i) && d.action !== "reject") c.original = original(i);
          keep(c, d.action === "reject" ? rejected : spans);
        });
      added.forEach(function (a) {
        keep({ start: a.start, end: a.end, technique: a.technique, action: "add" }, spans);
      });
      var line = { schema: "unspin.corrections/1", id: article.id, text: article.text,
                   text_sha256: article.sha256 };
      // the model's taxonomy, whose ids the spans use (absent: 2020, as unspin writes it)
      if (data.taxonomy_name) line.taxonomy = data.taxonomy_name;
      line.model = data.model;
      line.reviewer = reviewer.value.trim();
      line.reviewed_at = new Date().toISOString();
      line.source = options.source || "unspin HTML report";
      line.spans = spans;
      line.rejected = rejected;
      return line;
    }

    function download(line) {
      var blob = new Blob([line], { type: "application/x-ndjson" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "corrections-" +
        (String(article.id).replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "article") + ".jsonl";
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      return "Downloaded " + link.download + "; read it with: unspin review import " +
        link.download;
    }

    save.addEventListener("click", function () {
      if (!reviewer.value.trim()) {
        reviewer.focus();
        return say("Give the reviewer's name first.");
      }
      var line = record();
      if (!line.spans.length && !line.rejected.length) {
        return say("Nothing to save yet: accept, reject, relabel, move or add a span first.");
      }
      if (!options.save) return say(download(JSON.stringify(line) + "\n"));
      save.disabled = true;
      say("Saving\u2026");
      Promise.resolve().then(function () { return options.save(line); })
        .then(function (message) { say(message || "Saved."); },
              function (err) { say("Not saved: " + (err && err.message || err)); })
        .then(function () { save.disabled = false; });
    });

    tally();
    return { controls: controls, record: record };
  }

  function setupAll() {
    document.querySelectorAll(".unspin-report").forEach(function (el) { setup(el); });
  }
  window.unspinReport = { setup: setup };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupAll);
  else setupAll();
})();
