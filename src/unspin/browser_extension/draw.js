/* unspin: draw an analysis onto the page being read.
 *
 * Shared by the extension (run in the content script's isolated world) and the bookmarklet.
 * Nothing from the page or the analysis is ever parsed as HTML: every element is made with
 * createElement and filled with textContent; styles are set through the CSSOM, which a page's
 * Content-Security-Policy does not block.
 *
 * The server's spans index its extracted text (Document.text). Here they are placed on the
 * page's visible text nodes: both texts are compared without whitespace (and with curly quotes
 * and dashes folded), each span's text is searched in the page, and among its occurrences the
 * one whose surroundings match the article best is taken. A span whose text is not on the
 * page, or that could sit in several places equally well, is listed in the panel and never
 * drawn.
 */
var UnspinDraw = (function () {
  "use strict";

  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "INPUT", "SELECT",
    "OPTION", "SVG", "CANVAS", "IFRAME", "OBJECT", "HEAD", "TITLE", "UNSPIN-PANEL", "UNSPIN-TIP"]);
  const MARK = "unspin-mark";
  const CONTEXT = 40; // characters compared on each side of an occurrence
  const FOLD = { "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u2013": "-", "\u2014": "-",
    "\u2212": "-", "\u00ad": "" };
  const WS = /\s/;

  let state = null; // what is drawn now: {marks, panelHost, tipHost, shown}

  // ---------------------------------------------------------------------------------------
  // text without whitespace, with a map back to where each character came from

  function fold(c) {
    return Object.prototype.hasOwnProperty.call(FOLD, c) ? FOLD[c] : c;
  }

  /** The document's text without whitespace, and for each of its characters the flat index. */
  function flatText(text) {
    const out = [];
    const at = new Int32Array(text.length + 1);
    for (let i = 0; i < text.length; i++) {
      at[i] = out.length;
      const c = text[i];
      if (WS.test(c)) continue;
      const f = fold(c);
      if (f) out.push(f);
    }
    at[text.length] = out.length;
    return { flat: out.join(""), at };
  }

  function visible(el, cache) {
    let v = cache.get(el);
    if (v === undefined) {
      v = typeof el.checkVisibility === "function"
        ? el.checkVisibility({ visibilityProperty: true, opacityProperty: false }) : true;
      cache.set(el, v);
    }
    return v;
  }

  /** The page's visible text nodes as one flat string, with (node, offset) per character;
   * gaps[k]: the text nodes of only whitespace between nodes[k] and nodes[k + 1]. */
  function pageText(root) {
    const nodes = [];
    const gaps = [];
    let blank = [];
    const chars = [];
    const node = [];
    const offset = [];
    const cache = new Map();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode(n) {
        if (n.nodeType === 1) {
          return SKIP.has(n.nodeName.toUpperCase()) || !visible(n, cache)
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.nodeValue;
      const k = nodes.length;
      let used = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (WS.test(c)) continue;
        const f = fold(c);
        if (!f) continue;
        chars.push(f);
        node.push(k);
        offset.push(i);
        used = true;
      }
      if (!used) { blank.push(n); continue; }
      if (nodes.length) gaps[nodes.length - 1] = blank;
      blank = [];
      nodes.push(n);
    }
    return { flat: chars.join(""), nodes, gaps, node, offset };
  }

  // ---------------------------------------------------------------------------------------
  // placing spans

  function occurrences(hay, needle, limit) {
    const out = [];
    for (let i = hay.indexOf(needle); i >= 0 && out.length < limit; i = hay.indexOf(needle, i + 1)) {
      out.push(i);
    }
    return out;
  }

  /** How many characters around an occurrence agree with the article, each side capped. */
  function context(doc, ds, de, page, ps, pe) {
    let left = 0;
    while (left < CONTEXT && ds - 1 - left >= 0 && ps - 1 - left >= 0
           && doc[ds - 1 - left] === page[ps - 1 - left]) left++;
    let right = 0;
    while (right < CONTEXT && de + right < doc.length && pe + right < page.length
           && doc[de + right] === page[pe + right]) right++;
    const room = Math.min(CONTEXT, ds) + Math.min(CONTEXT, doc.length - de);
    return { score: left + right, room };
  }

  /** For each span, the flat page range it covers, or null with the reason it was not placed. */
  function place(text, spans, page) {
    const doc = flatText(text);
    const shifts = [];
    const chosen = spans.map((span) => {
      const ds = doc.at[span.start];
      const de = doc.at[span.end];
      const needle = doc.flat.slice(ds, de);
      if (!needle) return { why: "no text" };
      const found = occurrences(page.flat, needle, 500);
      if (!found.length) return { why: "not on the page" };
      const scored = found.map((p) => ({ p, ...context(doc.flat, ds, de, page.flat, p, p + needle.length) }));
      scored.sort((a, b) => b.score - a.score);
      return { ds, needle, scored };
    });
    // a sure placement: the best occurrence matches most of the article around it
    for (const c of chosen) {
      if (!c.scored) continue;
      const best = c.scored[0];
      const sure = best.score >= Math.min(24, best.room)
        && (c.scored.length === 1 || c.scored[1].score < best.score);
      if (sure) shifts.push(best.p - c.ds);
    }
    shifts.sort((a, b) => a - b);
    const shift = shifts.length ? shifts[shifts.length >> 1] : 0;
    return chosen.map((c) => {
      if (!c.scored) return c;
      const best = c.scored[0];
      const tied = c.scored.filter((s) => s.score === best.score);
      const enough = best.score >= Math.min(12, best.room)
        || (c.scored.length === 1 && c.needle.length >= 12);
      if (!enough) return { why: "the text around it differs on the page" };
      let pick = tied[0];
      if (tied.length > 1) {
        // several places fit as well: the one where the article's other spans put it
        tied.sort((a, b) => Math.abs(a.p - c.ds - shift) - Math.abs(b.p - c.ds - shift));
        const d0 = Math.abs(tied[0].p - c.ds - shift);
        const d1 = Math.abs(tied[1].p - c.ds - shift);
        if (!shifts.length || d1 - d0 < c.needle.length + 8) return { why: "it fits several places" };
        pick = tied[0];
      }
      return { from: pick.p, to: pick.p + c.needle.length };
    });
  }

  // ---------------------------------------------------------------------------------------
  // small DOM helpers (text only)

  function el(tag, props, children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (k === "text") e.textContent = v;
        else if (k === "class") e.className = v;
        else if (k === "style") for (const [p, x] of Object.entries(v)) e.style.setProperty(p, x, "important");
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v);
      }
    }
    for (const c of children || []) if (c) e.append(c);
    return e;
  }

  function shadowHost(tag, css) {
    const host = document.createElement(tag);
    host.style.setProperty("all", "initial", "important");
    const root = host.attachShadow({ mode: "closed" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      // a browser whose content scripts cannot adopt a constructed sheet (Firefox): the same
      // rules as the text of a style element
      const style = document.createElement("style");
      style.textContent = css;
      root.append(style);
    }
    document.documentElement.append(host);
    return { host, root };
  }

  /** ``hex`` mixed with white (amount 0..1) or with black (negative amount), as the report does. */
  function mix(hex, amount) {
    const n = parseInt(String(hex).replace("#", ""), 16);
    if (!/^#?[0-9a-fA-F]{6}$/.test(String(hex))) return "#dddddd";
    const to = amount >= 0 ? 255 : 0;
    const a = Math.abs(amount);
    const c = [n >> 16, (n >> 8) & 255, n & 255].map((v) => Math.round(v + (to - v) * a));
    return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
  }

  function pct(score) {
    return Math.round(100 * score) + "%";
  }

  // ---------------------------------------------------------------------------------------
  // highlights

  /** Whether a text node of only whitespace sits in running text, where a highlight may cover
   * it (between inline elements), not between blocks, rows or items, where a wrapper would
   * change the layout. */
  function inlineGap(n) {
    const parent = n.parentElement;
    if (!parent || /table|flex|grid|ruby/.test(getComputedStyle(parent).display)) return false;
    const inline = (x) => x.nodeType === 3
      || (x.nodeType === 1 && /^inline/.test(getComputedStyle(x).display));
    const ends = !n.previousSibling || !n.nextSibling;
    if (ends && !/^inline/.test(getComputedStyle(parent).display)) return false;
    return (!n.previousSibling || inline(n.previousSibling))
      && (!n.nextSibling || inline(n.nextSibling));
  }

  function wrap(page, placed, spans, techniques) {
    const byNode = new Map();
    const add = (node, piece) => {
      if (!byNode.has(node)) byNode.set(node, []);
      byNode.get(node).push(piece);
    };
    placed.forEach((pl, i) => {
      if (!pl || pl.from === undefined) return;
      for (let f = pl.from; f < pl.to;) {
        const k = page.node[f];
        let g = f;
        while (g + 1 < pl.to && page.node[g + 1] === k) g++;
        const node = page.nodes[k];
        // a span that goes on in a later node also covers the whitespace on the way there:
        // the rest of this node, the start of the next and the blank nodes between (if inline)
        const more = g + 1 < pl.to;
        add(node, { s: f === pl.from ? page.offset[f] : 0,
          e: more ? node.nodeValue.length : page.offset[g] + 1, i });
        if (more) {
          for (const n of page.gaps[k] || []) {
            if (inlineGap(n)) add(n, { s: 0, e: n.nodeValue.length, i });
          }
        }
        f = g + 1;
      }
    });
    const marks = [];
    for (const [node, pieces] of byNode) {
      const text = node.nodeValue;
      const cuts = new Set([0, text.length]);
      for (const p of pieces) { cuts.add(p.s); cuts.add(p.e); }
      const at = [...cuts].sort((a, b) => a - b);
      const frag = document.createDocumentFragment();
      for (let j = 0; j + 1 < at.length; j++) {
        const s = at[j], e = at[j + 1];
        const part = text.slice(s, e);
        const over = pieces.filter((p) => p.s <= s && p.e >= e).map((p) => p.i);
        if (!over.length) { frag.append(document.createTextNode(part)); continue; }
        // the innermost (shortest) span gives the colour; the tip lists them all
        over.sort((a, b) => (spans[a].end - spans[a].start) - (spans[b].end - spans[b].start));
        const t = techniques[spans[over[0]].technique] || {};
        const m = document.createElement(MARK);
        m.textContent = part;
        if (part.trim()) {
          m.setAttribute("role", "mark");
          m.setAttribute("aria-label", over.map((i) => spans[i].name).join(", ") + ": " + part);
        } else {
          m.setAttribute("aria-hidden", "true"); // the space between two words of a span
        }
        m.dataset.colour = t.colour || "#dddddd";
        m._unspin = over;
        marks.push(m);
        frag.append(m);
      }
      node.replaceWith(frag);
    }
    return marks;
  }

  function paint(marks, shown) {
    for (const m of marks) {
      if (shown) {
        m.style.setProperty("background-color", mix(m.dataset.colour, 0.28), "important");
        m.style.setProperty("color", "#111", "important");
        m.style.setProperty("box-shadow", "inset 0 -2px 0 " + mix(m.dataset.colour, -0.45), "important");
        m.style.setProperty("border-radius", "2px", "important");
        m.style.setProperty("cursor", "help", "important");
        m.tabIndex = m.textContent.trim() ? 0 : -1; // a space is no stop for the Tab key
      } else {
        for (const p of ["background-color", "color", "box-shadow", "border-radius", "cursor"]) {
          m.style.removeProperty(p);
        }
        m.tabIndex = -1;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // tip and panel

  const TIP_CSS = `
    .tip{position:fixed;z-index:2147483647;max-width:340px;background:#1d2330;color:#f4f6fa;
      font:13px/1.4 system-ui,sans-serif;padding:8px 10px;border-radius:6px;
      box-shadow:0 4px 16px rgba(0,0,0,.3);pointer-events:none}
    .tip[hidden]{display:none}
    .t{font-weight:600}.c{opacity:.8;font-size:12px}.d{margin:2px 0 6px}
    .sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}`;

  const PANEL_CSS = `
    :host{all:initial}
    .p{position:fixed;top:0;right:0;width:360px;max-width:90vw;height:100vh;overflow:auto;
      z-index:2147483646;background:#fff;color:#1d2330;font:14px/1.45 system-ui,sans-serif;
      border-left:1px solid #ccd;box-shadow:-4px 0 18px rgba(0,0,0,.15);padding:12px 14px;
      box-sizing:border-box}
    .p[hidden]{display:none}
    .p.short{height:auto;max-height:100vh;border-bottom:1px solid #ccd;border-bottom-left-radius:6px}
    h2{font-size:16px;margin:0 0 8px}h3{font-size:13px;margin:14px 0 4px;text-transform:uppercase;
      letter-spacing:.04em;color:#556}
    .bar{display:flex;gap:6px;margin-bottom:10px}
    button{font:13px system-ui,sans-serif;padding:4px 10px;border:1px solid #99a;border-radius:4px;
      background:#f4f6fa;color:#1d2330;cursor:pointer}
    ul{margin:0;padding-left:18px}li{margin:2px 0}
    .sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
    .msg{background:#fff4e5;border:1px solid #e8a33d;padding:8px;border-radius:4px}
    .err{background:#fdecec;border-color:#d04545}.muted{color:#667;font-size:12px}
    q{font-style:italic}`;

  function buildTip() {
    const { host, root } = shadowHost("unspin-tip", TIP_CSS);
    const box = el("div", { class: "tip", role: "tooltip", hidden: "" });
    root.append(box);
    return { host, box };
  }

  function showTip(tip, mark, spans, techniques) {
    const box = tip.box;
    box.replaceChildren();
    for (const i of mark._unspin) {
      const s = spans[i];
      const t = techniques[s.technique] || {};
      box.append(
        el("div", { class: "t" }, [el("span", { class: "sw", style: { background: t.colour || "#ddd" } }),
          document.createTextNode(s.name || t.name || s.technique)]),
        el("div", { class: "c", text: "confidence " + pct(s.score) }),
        el("div", { class: "d", text: t.definition || "" }));
    }
    box.hidden = false;
    const r = mark.getBoundingClientRect();
    const below = r.bottom + 6 + 160 < innerHeight;
    box.style.left = Math.max(4, Math.min(r.left, innerWidth - 350)) + "px";
    box.style.top = (below ? r.bottom + 6 : Math.max(4, r.top - 6 - box.offsetHeight)) + "px";
  }

  function section(title, items) {
    if (!items.length) return null;
    return [el("h3", { text: title }), el("ul", null, items.map((x) => el("li", null, [x])))];
  }

  function buildPanel(result, placed, spans, techniques, onToggle, onClose) {
    const { host, root } = shadowHost("unspin-panel", PANEL_CSS);
    const box = el("div", { class: "p", role: "complementary", "aria-label": "unspin" });
    root.append(box);
    const a = result.analysis;
    const drawn = placed.filter((p) => p && p.from !== undefined).length;
    const toggle = el("button", { class: "toggle", text: "Hide highlights" });
    toggle.addEventListener("click", () => { toggle.textContent = onToggle() ? "Hide highlights" : "Show highlights"; });
    box.append(el("h2", { text: "unspin" }),
      el("div", { class: "bar" }, [toggle, el("button", { class: "close", text: "Close", onclick: onClose })]));
    const sum = a.summary || {};
    const top = (sum.top || []).map((id) => (techniques[id] || {}).name || id);
    box.append(el("h3", { text: "Summary" }),
      el("p", { class: "sum", text: `${spans.length} technique spans in ${sum.words || 0} words`
        + ` (${sum.per_1000_words || 0} per 1,000 words), intensity ${sum.intensity || 0}/100`
        + (top.length ? `; most: ${top.join(", ")}.` : ".") }),
      el("p", { class: "placed muted", text: `${drawn} of ${spans.length} spans placed on the page.` }));
    const counts = Object.entries(sum.counts || {}).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]);
    const legend = section("Techniques", counts.map(([id, n]) => {
      const t = techniques[id] || {};
      return el("span", null, [el("span", { class: "sw", style: { background: t.colour || "#ddd" } }),
        document.createTextNode(`${t.name || id}: ${n}`)]);
    }));
    const e = a.enrichment || {};
    const targets = section("Who is targeted", (e.tally || []).slice(0, 8).map((x) => x.summary || x.entity));
    const quotes = section("Who is quoted", (e.quotes || []).slice(0, 8).map((q) => el("span", null, [
      document.createTextNode((q.speaker || "unattributed") + ": "),
      el("q", { text: q.text.length > 160 ? q.text.slice(0, 157) + "..." : q.text })])));
    const claims = section("Claims to check", (e.claims || []).slice(0, 8).map((c) => c.text));
    const missing = section("Not placed on the page",
      placed.map((p, i) => (p && p.from === undefined ? `${spans[i].name}: "${spans[i].text}" (${p.why})` : null))
        .filter(Boolean));
    for (const part of [legend, targets, quotes, claims, missing]) if (part) box.append(...part);
    const model = a.model || {};
    box.append(el("p", { class: "muted", text: `model ${model.name || "?"}; server ${result.server || ""}` }));
    return { host, box };
  }

  /** A message in the page's panel: the server is down, refuses, or is working. */
  function message(text, isError) {
    clear();
    const { host, root } = shadowHost("unspin-panel", PANEL_CSS);
    const close = el("button", { class: "close", text: "Close", onclick: () => host.remove() });
    root.append(el("div", { class: "p short", role: isError ? "alert" : "status" }, [
      el("h2", { text: "unspin" }), el("div", { class: "bar" }, [close]),
      el("p", { class: "msg" + (isError ? " err" : ""), text })]));
    state = { marks: [], panelHost: host, tipHost: null, shown: true };
  }

  /** The words for a failed request. ``result``: {status, body, server}. */
  function explain(result) {
    const server = result.server || "the server";
    const said = result.body && result.body.error ? result.body.error.message : "";
    switch (result.status) {
      case 0: return `unspin could not reach ${server}. Start it with "unspin serve" (or set its `
        + "address in the extension's options) and try again.";
      case 401: return `${server} wants an API key (or refused the one given): set it in the `
        + "extension's options.";
      case 413: return "This page is larger than the server accepts" + (said ? ` (${said})` : "")
        + '. Raise the limit with "unspin serve --max-text-bytes".';
      // the API's own advice (a request option) means nothing to a reader: left out
      case 400: return "The server refused this page: " + (said
        .replace(/^(html|url): /, "").replace(/,? or set options\.any_language[^.;]*/, "")
        .replace(/([^.])$/, "$1.") || "bad input.");
      default: return `The server answered ${result.status}` + (said ? `: ${said}` : ".");
    }
  }

  /** Remove everything drawn: marks become plain text again. */
  function clear() {
    if (!state) return;
    for (const m of state.marks) {
      const parent = m.parentNode;
      if (!parent) continue;
      m.replaceWith(document.createTextNode(m.textContent));
      parent.normalize();
    }
    if (state.panelHost) state.panelHost.remove();
    if (state.tipHost) state.tipHost.remove();
    state = null;
  }

  /** Draw ``result`` = {status, body (the Analysis JSON), techniques (list), server}. */
  function show(result) {
    clear();
    if (!result || result.status !== 200 || !result.body || !result.body.spans) {
      message(explain(result || { status: 0 }), true);
      return { placed: 0, spans: 0 };
    }
    const analysis = result.body;
    const techniques = {};
    for (const t of result.techniques || []) techniques[t.id] = t;
    const spans = analysis.spans;
    const page = pageText(document.body);
    const placed = place(analysis.document.text, spans, page);
    const marks = wrap(page, placed, spans, techniques);
    const tip = buildTip();
    state = { marks, panelHost: null, tipHost: tip.host, shown: true };
    const enter = (ev) => { if (state && state.shown) showTip(tip, ev.currentTarget, spans, techniques); };
    const leave = () => { tip.box.hidden = true; };
    for (const m of marks) {
      m.addEventListener("mouseenter", enter);
      m.addEventListener("focus", enter);
      m.addEventListener("mouseleave", leave);
      m.addEventListener("blur", leave);
    }
    paint(marks, true);
    const panel = buildPanel({ analysis, server: result.server }, placed, spans, techniques,
      () => { state.shown = !state.shown; paint(marks, state.shown); leave(); return state.shown; },
      () => clear());
    state.panelHost = panel.host;
    const drawn = placed.filter((p) => p && p.from !== undefined).length;
    return { placed: drawn, spans: spans.length };
  }

  /** The page as the server should read it: its HTML without scripts, styles and media. */
  function pageHtml() {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll("script,style,noscript,template,svg,canvas,iframe,object,video,audio,"
      + "picture,source,link,unspin-panel,unspin-tip").forEach((e) => e.remove());
    return "<!DOCTYPE html>\n" + copy.outerHTML;
  }

  return { show, message, clear, explain, pageHtml, place, pageText };
})();
