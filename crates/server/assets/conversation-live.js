// Keeps a one-to-one conversation live: each message either side sends is
// pushed over a WebSocket (/conversations/{id}/live) and added once; after a
// drop the page reconnects and reloads, so nothing sent meanwhile is missed.
(function () {
  var list = document.getElementById("conversation");
  if (!list) return;
  var status = document.getElementById("conversation-status");
  var opened = false;

  function add(frame) {
    if (document.getElementById("said-" + frame.id)) return; // sent from this page, or seen
    var holder = document.createElement("ol");
    holder.innerHTML = frame.html; // rendered and escaped by the server
    if (holder.firstElementChild) list.appendChild(holder.firstElementChild);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/conversations/" + list.dataset.id + "/live");
    socket.onopen = function () {
      if (opened) { location.reload(); return; }
      opened = true;
      status.textContent = status.dataset.live;
      status.className = "live on";
    };
    socket.onmessage = function (message) {
      var frame = JSON.parse(message.data);
      if (frame.reload) { location.reload(); return; }
      add(frame);
    };
    socket.onclose = function () {
      status.textContent = status.dataset.offline;
      status.className = "live off";
      setTimeout(connect, 3000);
    };
  }
  connect();
  // Clear the box once htmx has sent it.
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt && e.detail.elt.id === "say" && e.detail.successful) e.detail.elt.reset();
  });
})();
