/* Drag-and-drop reordering of the gifts on a couple's dashboard.
 *
 * Progressive enhancement: without JavaScript the ↑/↓ buttons of each row do
 * the same job. With it, rows can be dragged; on drop the whole new order is
 * posted to items:reorder (order=3,1,2) with the page's CSRF token. If saving
 * fails, the page reloads so it shows the order that is really stored.
 */
(function () {
  "use strict";

  const table = document.querySelector("table[data-reorder-url]");
  if (!table || !window.fetch || !table.tBodies.length) {
    return;
  }
  const body = table.tBodies[0];
  const url = table.dataset.reorderUrl;
  const hint = document.getElementById("reorder-hint");
  const status = document.getElementById("reorder-status");
  let dragged = null;
  let before = "";

  const rows = () => Array.from(body.querySelectorAll("tr[data-item-id]"));
  const currentOrder = () => rows().map((row) => row.dataset.itemId).join(",");
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
