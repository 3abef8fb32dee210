/* The part of Saleor's AppBridge these pages need, as @saleor/app-sdk does it:
 * the Dashboard frames the page and posts {type: "handshake", payload: {token,
 * version}}; only a message from the frame's parent, at the origin the page
 * was opened from (document.referrer), is believed. The page tells the
 * Dashboard it is ready ({type: "notifyReady"}), and does nothing before the
 * token arrives. A later handshake (a refreshed token) replaces it. The token
 * stays in memory and goes only into Authorization headers to this app. */
(function () {
  "use strict";

  var parentOrigin = "";
  try { parentOrigin = document.referrer ? new URL(document.referrer).origin : ""; } catch (e) { parentOrigin = ""; }
  var params = new URLSearchParams(window.location.search);
  var listeners = [];
  var token = null;

  window.addEventListener("message", function (event) {
    if (!parentOrigin || event.origin !== parentOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    var payload = data.payload || {};
    if (data.type !== "handshake" || typeof payload.token !== "string" || !payload.token) return;
    token = payload.token;
    listeners.slice().forEach(function (listener) { listener(token); });
  });

  function actionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + String(Math.random()).slice(2);
  }

  function request(method, path, body) {
    var headers = { Accept: "application/json", Authorization: "Bearer " + token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = JSON.parse(text); } catch (e) { json = null; }
        return { status: response.status, json: json || {} };
      });
    });
  }

  window.JourneyBridge = {
    params: params,
    inFrame: window.parent !== window && Boolean(parentOrigin),
    onToken: function (listener) {
      listeners.push(listener);
      if (token) listener(token);
    },
    get: function (path) { return request("GET", path); },
    post: function (path, body) { return request("POST", path, body); },
    graphql: function (channel, query, variables) {
      return request("POST", "/graphql/" + encodeURIComponent(channel) + "/", { query: query, variables: variables || {} });
    },
  };

  if (window.JourneyBridge.inFrame) {
    window.parent.postMessage({ type: "notifyReady", payload: { actionId: actionId() } }, parentOrigin);
  }
})();
