/* unspin: the extension's background (a service worker in Chromium, an event page in Firefox;
 * the same file). On the toolbar button or Alt+Shift+U it runs the drawing code in the active
 * tab (activeTab grants that tab for this one gesture), and it is the only part that talks to
 * the configured unspin server: the page never sees the request. Only APIs both browsers have
 * are used, through the chrome namespace (Firefox provides it, with promises, in MV3). */
"use strict";

const DEFAULTS = { server: "http://127.0.0.1:8000", apiKey: "" };

async function settings() {
  const stored = await chrome.storage.local.get(["server", "apiKey"]);
  return { ...DEFAULTS, ...stored };
}

async function run(tab) {
  if (!tab || tab.id === undefined) return;
  await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ["draw.js", "content.js"] });
}

async function ask(server, path, init) {
  const answer = await fetch(server + path, { ...init, credentials: "omit", cache: "no-store" });
  let body = null;
  try { body = await answer.json(); } catch (e) { body = null; }
  return { status: answer.status, body };
}

/** The request body: the page's HTML, and its address when it is an http(s) one (the server
 * records it in the analysis and never fetches it). */
function pageBody(html, url) {
  const body = { html };
  if (typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url) && url.length <= 8192) {
    body.url = url;
  }
  return JSON.stringify(body);
}

/** POST the page to the server; {status, body, techniques, server}; status 0: unreachable. */
async function analyse(html, url) {
  const { server, apiKey } = await settings();
  const base = server.replace(/\/+$/, "");
  const headers = { "Content-Type": "application/json" };
  if (apiKey) headers.Authorization = "Bearer " + apiKey;
  try {
    const [result, techniques] = await Promise.all([
      ask(base, "/v1/analyze", { method: "POST", headers, body: pageBody(html, url) }),
      ask(base, "/v1/techniques", { headers }),
    ]);
    return { ...result, techniques: Array.isArray(techniques.body) ? techniques.body : [], server: base };
  } catch (e) {
    return { status: 0, body: null, techniques: [], server: base };
  }
}

chrome.action.onClicked.addListener((tab) => { run(tab); });

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (message && message.type === "unspin-analyse" && sender.tab) {
    // the address is the tab's as the browser knows it, not what the page says about itself
    analyse(String(message.html), sender.tab.url || sender.url || "").then(reply);
    return true; // the reply comes later
  }
  return false;
});

// for tests and for the options page: analyse the active tab
self.unspinRunActive = async () => {
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  await run(tab);
};
