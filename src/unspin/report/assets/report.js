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

  function setup(root) {
    if (root.getAttribute("data-us-ready")) return;
    root.setAttribute("data-us-ready", "1");
    var source = root.querySelector("script.us-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var panel = root.querySelector(".us-panel");
    var body = panel.querySelector(".us-panel-body");
    var showAll = root.querySelector(".us-showall");
    var hidden = {};
    var trigger = null;

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

    // Code labels act as buttons: Enter and Space open them, as on a native button.
    root.addEventListener("keydown", function (event) {
      var tag = event.target instanceof Element && event.target.closest(".us-tag");
      if (tag && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        show([Number(tag.getAttribute("data-i"))], tag);
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

  function setupAll() { document.querySelectorAll(".unspin-report").forEach(setup); }
  window.unspinReport = { setup: setup };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupAll);
  else setupAll();
})();
