/* unspin bookmarklet: the same drawing code, run in the page itself. It asks the server
 * directly, so the server must allow this page's origin (unspin serve --cors-origin ORIGIN).
 * UNSPIN_SERVER is replaced by the server's address when the bookmarklet is made. */
(async () => {
  "use strict";
  const server = "UNSPIN_SERVER";
  UnspinDraw.clear();
  const html = UnspinDraw.pageHtml();
  UnspinDraw.message("unspin is reading this page...", false);
  const ask = async (path, init) => {
    const answer = await fetch(server + path, { ...init, credentials: "omit", cache: "no-store" });
    let body = null;
    try { body = await answer.json(); } catch (e) { body = null; }
    return { status: answer.status, body };
  };
  let result;
  try {
    const [analysis, techniques] = await Promise.all([
      ask("/v1/analyze", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(/^https?:$/.test(location.protocol) && location.href.length <= 8192
          ? { html, url: location.href } : { html }) }),
      ask("/v1/techniques", {}),
    ]);
    result = { ...analysis, techniques: techniques.body || [], server };
  } catch (e) {
    result = { status: 0, server };
  }
  UnspinDraw.show(result);
})();
