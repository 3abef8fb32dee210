/* The customer widget: stage, history and points of the customer the
 * Dashboard shows, in every channel the journey is on in. The Dashboard names
 * the customer in this page's URL, ?customerId=<User ID> (saleor-dashboard
 * 3.23 CustomerDetailsPage.tsx passes params {customerId} to AppWidgets, and
 * AppIFrame.tsx appends them with ExtensionsUrls.resolveAppIframeUrl), and
 * sizes the frame to the height this page reports. */
(function () {
  "use strict";
  var bridge = window.JourneyBridge;
  var $ = function (id) { return document.getElementById(id); };
  var QUERY =
    "query JourneyWidget($id: String!) {\n" +
    "  customerJourney(userId: $id) { stage stageLabel stageEnteredAt paidOrders history { toStageLabel occurredAt } }\n" +
    "  customerLoyalty(userId: $id) { balance tier pointsToNextTier }\n" +
    "}";

  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text || "";
    box.className = "notice" + (kind ? " " + kind : "");
    box.hidden = !text;
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function day(iso) {
    return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }

  function render(channel, data) {
    var journey = data.customerJourney;
    var loyalty = data.customerLoyalty;
    var card = el("section", "card journey");
    card.dataset.channel = channel;
    card.appendChild(el("p", "eyebrow", channel));
    if (!journey) {
      card.appendChild(el("p", "muted", "No journey in this channel yet."));
      return card;
    }
    var head = el("div", "stage-row");
    head.appendChild(el("span", "stage", journey.stageLabel || journey.stage || "—"));
    if (journey.stageEnteredAt) head.appendChild(el("span", "muted small", "since " + day(journey.stageEnteredAt)));
    card.appendChild(head);
    var facts = el("dl", "facts");
    function fact(name, value, id) {
      var row = el("div");
      row.appendChild(el("dt", null, name));
      var dd = el("dd", null, value);
      if (id) dd.dataset.fact = id;
      row.appendChild(dd);
      facts.appendChild(row);
    }
    fact("Paid orders", String(journey.paidOrders), "orders");
    if (loyalty) {
      fact("Points", loyalty.balance.toLocaleString("en"), "points");
      fact("Tier", loyalty.tier, "tier");
    }
    card.appendChild(facts);
    var history = el("ol", "history");
    journey.history.slice(-5).reverse().forEach(function (step) {
      var item = el("li");
      item.appendChild(el("span", null, step.toStageLabel));
      item.appendChild(el("span", "muted small", day(step.occurredAt)));
      history.appendChild(item);
    });
    card.appendChild(history);
    return card;
  }

  function load() {
    var customer = bridge.params.get("customerId");
    if (!customer) { notice("The Dashboard named no customer.", "error"); return; }
    bridge.get("/app/api/channels").then(function (answer) {
      if (answer.status !== 200) { notice(answer.json.error || "HTTP " + answer.status, "error"); return; }
      var channels = answer.json.channels || [];
      if (!channels.length) { notice("The journey is not on in any channel yet."); return; }
      return Promise.all(channels.map(function (channel) {
        return bridge.graphql(channel, QUERY, { id: customer }).then(function (result) {
          return { channel: channel, result: result };
        });
      })).then(function (results) {
        notice(null);
        var box = $("journeys");
        box.textContent = "";
        results.forEach(function (found) {
          var json = found.result.json;
          if (found.result.status !== 200 || (json.errors && !json.data)) {
            var card = el("section", "card journey");
            card.appendChild(el("p", "eyebrow", found.channel));
            card.appendChild(el("p", "error", (json.errors && json.errors[0].message) || "HTTP " + found.result.status));
            box.appendChild(card);
            return;
          }
          box.appendChild(render(found.channel, json.data || {}));
        });
      });
    }, function () { notice("The app could not be reached.", "error"); });
  }

  bridge.fitHeight($("widget"));
  if (!bridge.inFrame) notice("Open a customer in Saleor's Dashboard to see their journey.");
  var loaded = false;
  bridge.onToken(function () { if (!loaded) { loaded = true; load(); } });
})();
