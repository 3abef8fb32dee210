/* The configuration page: per channel, the plugin's fields (their spec comes
 * from the app, generated from the plugin's one list), saved through the app,
 * which validates them as the plugin does; and the webhooks' health. */
(function () {
  "use strict";
  var bridge = window.JourneyBridge;
  var state = { data: null, channel: null };
  var $ = function (id) { return document.getElementById(id); };

  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text || "";
    box.className = "notice" + (kind ? " " + kind : "");
    box.hidden = !text;
  }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "dataset") Object.assign(node.dataset, props[key]);
      else node[key] = props[key];
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function when(iso) {
    if (!iso) return "Nothing recorded yet";
    return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
  }

  function renderHealth(health) {
    $("last-delivery").textContent = when(health.lastDeliveryAt);
    $("last-event").textContent = when(health.lastEventAt);
    $("events-day").textContent = String(health.eventsLastDay);
    $("failures-day").textContent = String(health.failures24h);
    $("failures-day").className = health.failures24h ? "bad" : "";
    if (health.lastFailure) {
      $("last-failure").textContent =
        "Last refused: " + when(health.lastFailure.at) + " (" + health.lastFailure.reason + ")";
      $("last-failure").hidden = false;
    }
    $("connection").textContent = health.needsReinstall
      ? "Saleor no longer accepts the app's token: install the app again."
      : "Connected";
    $("connection").className = health.needsReinstall ? "bad" : "good";
    $("health").hidden = false;
  }

  function input(field, value, secretSet) {
    var attrs = { name: field.name, id: "field-" + field.name, autocomplete: "off" };
    if (field.kind === "boolean") {
      attrs.type = "checkbox";
      attrs.checked = String(value || field.default).toLowerCase() === "true";
      return el("input", attrs);
    }
    if (field.choices.length) {
      var select = el("select", attrs, field.choices.map(function (choice) {
        return el("option", { value: choice, textContent: choice });
      }));
      select.value = value || field.default;
      return select;
    }
    if (field.kind === "multiline") {
      attrs.rows = 3;
      attrs.value = value;
      attrs.placeholder = field.default;
      return el("textarea", attrs);
    }
    attrs.type = field.kind === "secret" ? "password" : "text";
    attrs.value = value;
    attrs.placeholder = field.kind === "secret"
      ? (secretSet ? "Set: type to replace" : "")
      : field.default;
    return el("input", attrs);
  }

  function renderChannel() {
    var channel = state.data.channels.filter(function (c) { return c.slug === state.channel; })[0];
    $("enabled").checked = channel.enabled;
    $("currency").value = channel.currency || "";
    $("review-url").textContent = channel.reviewWebhookUrl;
    var box = $("fields");
    box.textContent = "";
    state.data.fields.forEach(function (field) {
      var value = channel.values[field.name];
      if (value === undefined) value = field.kind === "secret" ? "" : field.default;
      var control = input(field, value, channel.secretsSet.indexOf(field.name) !== -1);
      var label = field.kind === "boolean"
        ? el("label", { className: "field check" }, [control, el("span", { className: "label", textContent: field.label })])
        : el("label", { className: "field" }, [el("span", { className: "label", textContent: field.label }), control]);
      label.appendChild(el("span", { className: "help", textContent: field.help }));
      label.appendChild(el("span", { className: "error", dataset: { errorFor: field.name } }));
      box.appendChild(label);
    });
    clearErrors();
  }

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-error-for]"), function (node) {
      node.textContent = "";
      node.parentNode.classList.remove("invalid");
    });
    $("saved").textContent = "";
  }

  function values() {
    var found = {};
    state.data.fields.forEach(function (field) {
      var control = $("field-" + field.name);
      if (field.kind === "boolean") found[field.name] = control.checked ? "true" : "false";
      else if (field.kind === "secret" && !control.value) return;  // unchanged
      else found[field.name] = control.value;
    });
    return found;
  }

  function save(event) {
    event.preventDefault();
    clearErrors();
    $("save").disabled = true;
    bridge.post("/app/api/configuration", {
      channel: state.channel,
      enabled: $("enabled").checked,
      currency: $("currency").value.trim(),
      values: values(),
    }).then(function (answer) {
      $("save").disabled = false;
      if (answer.status === 400) {
        var errors = answer.json.errors || {};
        Object.keys(errors).forEach(function (name) {
          var slot = document.querySelector('[data-error-for="' + name + '"]');
          if (slot) { slot.textContent = errors[name]; slot.parentNode.classList.add("invalid"); }
        });
        notice("Not saved: " + Object.keys(errors).length + " field(s) to correct.", "error");
        return;
      }
      if (answer.status !== 200) { notice(answer.json.error || "Not saved (HTTP " + answer.status + ").", "error"); return; }
      state.data.channels.forEach(function (channel) {
        if (channel.slug === state.channel) Object.assign(channel, answer.json, { currency: $("currency").value.trim().toUpperCase() });
      });
      notice(null);
      renderChannel();
      $("saved").textContent = "Saved.";
    }, function () {
      $("save").disabled = false;
      notice("The app could not be reached.", "error");
    });
  }

  function load() {
    bridge.get("/app/api/configuration").then(function (answer) {
      if (answer.status !== 200) { notice(answer.json.error || "HTTP " + answer.status, "error"); return; }
      state.data = answer.json;
      notice(null);
      renderHealth(answer.json.health);
      var select = $("channel");
      select.textContent = "";
      answer.json.channels.forEach(function (channel) {
        select.appendChild(el("option", { value: channel.slug, textContent: channel.name + (channel.enabled ? " · on" : "") }));
      });
      if (!answer.json.channels.length) { notice("Saleor lists no channels yet."); return; }
      state.channel = state.channel || answer.json.channels[0].slug;
      select.value = state.channel;
      renderChannel();
      $("settings").hidden = false;
    }, function () { notice("The app could not be reached.", "error"); });
  }

  if (!bridge.inFrame) notice("Open this page from Saleor's Dashboard: Apps → Customer journey.");
  $("channel").addEventListener("change", function () { state.channel = $("channel").value; renderChannel(); });
  $("form").addEventListener("submit", save);
  var loaded = false;
  bridge.onToken(function () { if (!loaded) { loaded = true; load(); } });
})();
