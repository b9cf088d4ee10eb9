// Keeps a group's chat live over its WebSocket (/groups/{id}/live). On every
// (re)connect it asks for the messages after the last one shown, so a drop
// loses nothing and shows nothing twice; the form sends over the same socket.
(function () {
  var chat = document.getElementById("chat");
  if (!chat) return;
  var group = chat.dataset.group;
  var me = parseInt(chat.dataset.me || "0", 10);
  var last = parseInt(chat.dataset.last || "0", 10);
  var list = document.getElementById("messages");
  var status = document.getElementById("chat-status");
  var notice = document.getElementById("chat-notice");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-text");
  var question = document.getElementById("chat-question");
  var replying = document.getElementById("chat-replying");
  var replyTo = null;
  var socket = null;
  var stopped = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function time(iso) {
    // Beijing time, as the server renders it.
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  function render(m) {
    var li = document.createElement("li");
    li.className = "message " + m.sender_kind + " fresh";
    li.id = "m-" + m.id;
    li.dataset.id = m.id;
    var sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = m.sender_kind === "system" ? chat.dataset.system : m.sender_name;
    var when = document.createElement("span");
    when.className = "when";
    when.textContent = time(m.at);
    var parts = [sender, when];
    if (m.reply_to) {
      var r = document.createElement("a");
      r.className = "reply-to";
      r.href = "#m-" + m.reply_to;
      r.textContent = "\u21a9 " + m.reply_to;
      parts.push(r);
    }
    var body = document.createElement("span");
    body.className = "body";
    body.textContent = m.body;
    parts.push(body);
    if (m.red_envelope_id) {
      var open = document.createElement("button");
      open.type = "button";
      open.className = "envelope";
      open.dataset.envelope = m.red_envelope_id;
      open.textContent = chat.dataset.envelopeOpen;
      var st = document.createElement("span");
      st.className = "envelope-status";
      st.id = "envelope-" + m.red_envelope_id;
      parts.push(open, st);
    }
    parts.forEach(function (p) { li.appendChild(p); li.appendChild(document.createTextNode(" ")); });
    return li;
  }

  function add(m) {
    if (m.id <= last || document.getElementById("m-" + m.id)) return;
    last = m.id;
    list.appendChild(render(m));
    list.scrollTop = list.scrollHeight;
  }

  // Red envelopes: opened over the API; every member sees the count move over the socket.
  function api(path, body) {
    return fetch(path, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": chat.dataset.csrf },
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
  }
  function envelopeStatus(d) {
    var st = document.getElementById("envelope-" + d.id);
    if (!st) return;
    st.textContent = d.returned !== undefined
      ? chat.dataset.envelopeReturned.replace("#returned#", d.returned)
      : chat.dataset.envelopeOpened.replace("#opened#", d.opened).replace("#shares#", d.shares);
  }
  list.addEventListener("click", function (e) {
    var b = e.target.closest("button.envelope");
    if (!b) return;
    e.stopPropagation();
    api("/api/v1/red-envelopes/" + b.dataset.envelope + "/open").then(function (r) {
      notice.textContent = r.ok ? chat.dataset.envelopeGot.replace("#points#", r.body.points) : r.body.message;
      if (r.ok) { b.disabled = true; envelopeStatus({ id: r.body.envelope_id, opened: r.body.opened, shares: r.body.shares }); }
    });
  }, true);
  var envelopeForm = document.getElementById("envelope-form");
  if (envelopeForm) {
    envelopeForm.addEventListener("submit", function (e) {
      e.preventDefault();
      api("/api/v1/groups/" + group + "/red-envelopes", {
        points: parseInt(document.getElementById("envelope-points").value, 10),
        shares: parseInt(document.getElementById("envelope-shares").value, 10),
        split: document.getElementById("envelope-split").value
      }).then(function (r) { notice.textContent = r.ok ? "" : r.body.message; });
    });
  }

  // Clicking a message replies to it.
  list.addEventListener("click", function (e) {
    var li = e.target.closest("li.message");
    if (!li || !replying) return;
    replyTo = parseInt(li.dataset.id, 10);
    replying.textContent = "\u21a9 " + replyTo + " ";
  });

  // The last text sent, and whether the next send confirms a warning about it.
  var lastText = null, confirming = false;

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/groups/" + group + "/live?after=" + last);
    socket.onmessage = function (event) {
      var d = JSON.parse(event.data);
      if (d.type === "message") add(d);
      else if (d.type === "ready") { status.textContent = chat.dataset.live; status.className = "live on"; }
      else if (d.type === "blocked" || d.type === "error") {
        notice.textContent = d.message;
        // A product unsuitable for some members: the text comes back, and sending it again confirms.
        if (d.code === "unsuitable_for_members" && lastText && input) { input.value = lastText; confirming = true; }
      }
      else if (d.type === "removed" && d.customer_id === me) stopped = true;
      else if (d.type === "envelope") envelopeStatus(d);
    };
    socket.onclose = function (event) {
      status.textContent = chat.dataset.offline;
      status.className = "live off";
      if (event.code === 4001) stopped = true;
      if (!stopped) setTimeout(connect, 1000);
    };
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      if (!socket || socket.readyState !== WebSocket.OPEN) { notice.textContent = chat.dataset.offline; return; }
      notice.textContent = "";
      socket.send(JSON.stringify({ text: text, reply_to: replyTo, question: question ? question.checked : false,
        confirm_unsuitable: confirming && text === lastText }));
      lastText = text;
      confirming = false;
      input.value = "";
      replyTo = null;
      if (replying) replying.textContent = "";
      if (question) question.checked = false;
    });
  }
  connect();
})();
