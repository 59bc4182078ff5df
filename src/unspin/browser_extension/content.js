/* unspin: runs in the page's isolated world after draw.js. Sends the page (its HTML without
 * scripts and media) to the service worker, which asks the server, then draws the answer. */
(async () => {
  "use strict";
  UnspinDraw.clear();
  const html = UnspinDraw.pageHtml();
  UnspinDraw.message("unspin is reading this page...", false);
  let result;
  try {
    result = await chrome.runtime.sendMessage({ type: "unspin-analyse", html });
  } catch (e) {
    result = { status: 0 };
  }
  UnspinDraw.show(result);
})();
