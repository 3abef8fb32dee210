/* The part of Saleor's AppBridge these pages need, message for message as
 * @saleor/app-sdk 1.12 (src/app-bridge/app-bridge.ts, actions.ts, events.ts)
 * speaks with saleor-dashboard 3.23 (src/extensions/views/ViewManifestExtension/
 * components/AppFrame/: AppFrame.tsx, useAppActions.ts, appActionsHandler.ts,
 * useAppDashboardUpdates.ts, useUpdateAppToken.ts):
 *
 * - The page says {type: "notifyReady", payload: {actionId}}; the Dashboard
 *   answers with the handshake and {type: "response", payload: {actionId, ok}}.
 *   It also posts the handshake when the frame's load event fires, so the
 *   page hears it once or twice: {type: "handshake", payload: {token,
 *   version: 1, saleorVersion, dashboardVersion}}.
 * - After the handshake: "localeChanged" {locale}, "theme" {theme} and
 *   "redirect" {path}; "theme" again whenever the user switches it.
 * - A token lives 5 minutes (Saleor's JWT_TTL_APP_ACCESS). The Dashboard
 *   fetches a new one before it expires and posts {type: "tokenRefresh",
 *   payload: {token}}, without a new handshake and without reloading the frame.
 * - A widget (a *_DETAILS_WIDGETS frame) starts 200 px high and follows the
 *   height the page reports with {type: "widgetResize", payload: {actionId,
 *   height}}.
 *
 * As in app-sdk, only messages from the origin the page was opened from
 * (document.referrer) are believed; here also only from the parent frame.
 * The token stays in memory and goes only into Authorization headers to this
 * app, never into a URL. */
(function () {
  "use strict";

  var parentOrigin = "";
  try { parentOrigin = document.referrer ? new URL(document.referrer).origin : ""; } catch (e) { parentOrigin = ""; }
  var params = new URLSearchParams(window.location.search);
  var listeners = [];
  var token = null;
  var inFrame = window.parent !== window && Boolean(parentOrigin);

  // The Dashboard names its theme in the frame's URL (?theme=, app-sdk's
  // AppIframeParams.THEME) and later in "theme" events.
  function applyTheme(theme) {
    if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
  }
  applyTheme(params.get("theme"));

  function takeToken(value) {
    if (typeof value !== "string" || !value) return;
    token = value;
    listeners.slice().forEach(function (listener) { listener(token); });
  }

  window.addEventListener("message", function (event) {
    if (!parentOrigin || event.origin !== parentOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    var payload = data.payload || {};
    if (data.type === "handshake" || data.type === "tokenRefresh") takeToken(payload.token);
    else if (data.type === "theme") applyTheme(payload.theme);
  });

  function actionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + String(Math.random()).slice(2);
  }

  function dispatch(type, payload) {
    if (!inFrame) return;
    payload.actionId = actionId();
    window.parent.postMessage({ type: type, payload: payload }, parentOrigin);
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

  // Measures an element that wraps the content, not <body> or <html>: those
  // stretch with the frame and would only echo the height they were given
  // (app-sdk's widget-resize.ts does the same).
  function fitHeight(root) {
    if (!inFrame || !window.ResizeObserver) return;
    var reported = 0;
    var frame = 0;
    function report() {
      var height = Math.ceil(Math.max(root.getBoundingClientRect().height, root.scrollHeight));
      if (height > 0 && height !== reported) {
        reported = height;
        dispatch("widgetResize", { height: height });
      }
    }
    new ResizeObserver(function () {
      window.cancelAnimationFrame(frame);
      frame = window.requestAnimationFrame(report);
    }).observe(root);
  }

  window.JourneyBridge = {
    params: params,
    inFrame: inFrame,
    onToken: function (listener) {
      listeners.push(listener);
      if (token) listener(token);
    },
    fitHeight: fitHeight,
    get: function (path) { return request("GET", path); },
    post: function (path, body) { return request("POST", path, body); },
    graphql: function (channel, query, variables) {
      return request("POST", "/graphql/" + encodeURIComponent(channel) + "/", { query: query, variables: variables || {} });
    },
  };

  dispatch("notifyReady", {});
})();
