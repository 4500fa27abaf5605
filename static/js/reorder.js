/* The couple's dashboard: drag-and-drop reordering of the gift cards, and "Copy the link".
 *
 * Progressive enhancement: without JavaScript the ↑/↓ buttons of each card do
 * the same job. With it, cards can be dragged (with a mouse; on a phone the
 * buttons are the way); on drop the page's new order is posted to
 * items:reorder (order=3,1,2) with the page's CSRF token. If saving fails,
 * the page reloads so it shows the order that is really stored.
 * "Copy the link" copies the address too, then posts as without JavaScript
 * (the checklist's "share" step).
 */
(function () {
  "use strict";

  const share = document.querySelector("form[data-copy]");
  if (share && navigator.clipboard) {
    share.addEventListener("submit", (event) => {
      const input = share.querySelector("input[type=url]");
      event.preventDefault();
      navigator.clipboard.writeText(input.value).finally(() => share.submit());
    });
  }

  const body = document.querySelector("ol[data-reorder-url]");
  if (!body || !window.fetch || !window.matchMedia("(pointer: fine)").matches) {
    return;
  }
  const url = body.dataset.reorderUrl;
  const hint = document.getElementById("reorder-hint");
  const status = document.getElementById("reorder-status");
  let dragged = null;
  let before = "";

  const rows = () => Array.from(body.querySelectorAll("li[data-item-id]"));
  // The gifts on the pages before and after this one keep their places.
  const around = (name) => (body.dataset[name] ? body.dataset[name].split(",") : []);
  const currentOrder = () =>
    [...around("before"), ...rows().map((row) => row.dataset.itemId), ...around("after")].join(",");
  const say = (text) => {
    if (status) {
      status.textContent = text;
    }
  };
  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // Keep the ↑/↓ buttons right after a drag: first can't go up, last can't go down.
  const refreshButtons = () => {
    const all = rows();
    all.forEach((row, index) => {
      const up = row.querySelector("button[name=direction][value=up]");
      const down = row.querySelector("button[name=direction][value=down]");
      if (up) {
        up.disabled = index === 0;
      }
      if (down) {
        down.disabled = index === all.length - 1;
      }
    });
  };

  const save = () => {
    const order = currentOrder();
    if (order === before) {
      return;
    }
    say(gettext("Saving the new order…"));
    const data = new URLSearchParams();
    data.append("order", order);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: data,
    })
      .then((response) => {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        say(gettext("New order saved."));
      })
      .catch(() => {
        say(gettext("Sorry, the new order could not be saved. Reloading…"));
        window.location.reload();
      });
  };

  rows().forEach((row) => {
    row.draggable = true;
    row.classList.add("is-draggable");

    row.addEventListener("dragstart", (event) => {
      dragged = row;
      before = currentOrder();
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.itemId);
    });

    row.addEventListener("dragover", (event) => {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (row === dragged) {
        return;
      }
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
    });

    row.addEventListener("drop", (event) => {
      event.preventDefault();
    });

    row.addEventListener("dragend", () => {
      row.classList.remove("is-dragging");
      dragged = null;
      refreshButtons();
      save();
    });
  });

  if (hint) {
    hint.hidden = false;
  }
})();
