/* Starts the journey map page inside the Dashboard: once the handshake gives
 * the token, the map's own script runs with it (it keeps its token in
 * sessionStorage, as it does on every host) against this app's API, for the
 * channel the URL names or the first one the journey is on in. */
(function () {
  "use strict";
  var bridge = window.JourneyBridge;
  var started = false;
  var TOKEN_KEY = "journeyMap.token";

  function say(text) {
    var notice = document.getElementById("notice");
    notice.textContent = text;
    notice.className = "notice";
    notice.hidden = false;
  }

  function start(channel) {
    document.body.dataset.channel = channel;
    document.body.dataset.apiUrl = "/graphql/" + encodeURIComponent(channel) + "/";
    document.getElementById("channel-name").textContent = channel;
    var script = document.createElement("script");
    script.src = "/app/map/assets/map.js";
    document.body.appendChild(script);
  }

  if (!bridge.inFrame) say("Open the journey map from Saleor's Dashboard: Customers → Customer journeys.");
  else say("Waiting for Saleor's Dashboard…");

  bridge.onToken(function (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    if (started) return;
    started = true;
    var named = bridge.params.get("channel");
    if (named) { start(named); return; }
    bridge.get("/app/api/channels").then(function (answer) {
      var channels = answer.json.channels || [];
      if (answer.status !== 200) { say(answer.json.error || "The app refused the Dashboard's token."); return; }
      if (!channels.length) { say("The journey is not on in any channel yet: turn it on in the app's configuration."); return; }
      document.getElementById("notice").hidden = true;
      start(channels[0]);
    }, function () { say("The app could not be reached."); });
  });
})();
