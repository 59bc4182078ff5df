/* unspin options: the server's address and API key, kept in chrome.storage.local. An address
 * other than 127.0.0.1 or localhost asks for permission to reach that one origin only. */
"use strict";

const server = document.getElementById("server");
const key = document.getElementById("key");
const said = document.getElementById("said");

chrome.storage.local.get(["server", "apiKey"]).then((s) => {
  server.value = s.server || "http://127.0.0.1:8000";
  key.value = s.apiKey || "";
});

document.getElementById("save").addEventListener("click", async () => {
  let url;
  try {
    url = new URL(server.value.trim());
    if (!/^https?:$/.test(url.protocol)) throw new Error("not http");
  } catch (e) {
    said.textContent = "The address must be an http(s) URL, such as http://127.0.0.1:8000";
    return;
  }
  const origin = url.origin + "/*";
  if (!["127.0.0.1", "localhost"].includes(url.hostname)) {
    const granted = await chrome.permissions.request({ origins: [origin] });
    if (!granted) {
      said.textContent = "Not saved: the extension needs permission to reach " + url.origin;
      return;
    }
  }
  await chrome.storage.local.set({ server: url.origin, apiKey: key.value.trim() });
  said.textContent = "Saved: pages go to " + url.origin + " only.";
});
