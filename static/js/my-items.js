/* "My reports" and "My bookings": the phone remembers the private pages it has opened, so a
   resident without an account who loses the link finds it again on the scan page. Loaded by
   app.js after outbox.js (the phone's database, store "mine").

   Why IndexedDB holds private links: it is the resident's own phone, the same place that
   already holds them in its history. They stay there: nothing here sends them to the server or
   puts them in any URL other than the link itself, and "Forget on this device" removes one.
   A record holds only what the list shows: kind, number, label, place, building (to list this
   building's first), when it was made (created to sort, day to show) and the status last seen. */
"use strict";
(() => {
  const PRIVATE = /^\/[tb]\/[A-Za-z0-9_-]{16,}$/;
  const mine = (mode, work) => typeof phoneDb === "undefined"
    ? Promise.reject(new Error("outbox.js did not load")) : phoneDb.run("mine", mode, work);

  // --- the report or booking page (partials/_keep_link.html) ---------------------------------
  function pathOf(box) {
    try {
      const path = new URL(box.querySelector("input").value).pathname;
      return PRIVATE.test(path) ? path : null;
    } catch (error) {
      return null;
    }
  }

  // Remember it, or bring its status up to date: on every opening and after each live update.
  function remember(box) {
    const path = pathOf(box);
    const status = document.querySelector("#main .status");
    if (!path || !status) return;
    const code = [...status.classList].find((name) => name.startsWith("status-"));
    const { kind, number, label, place, building, created, day } = box.dataset;
    mine("readwrite", (store) => store.put({ path, kind, number, label, place, building, created,
      day, status: code ? code.slice(7) : "", statusLabel: status.textContent.trim() }))
      .catch(() => {}); // a private window or a full disk: the page works as before
  }

  function offerCopyAndShare(box) {
    const url = box.querySelector("input").value;
    const said = box.querySelector("[aria-live]");
    const copy = box.querySelector("[data-copy]");
    const share = box.querySelector("[data-share]");
    if (navigator.clipboard?.writeText && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", () => {
        said.textContent = "";
        navigator.clipboard.writeText(url).then(() => {
          said.textContent = said.dataset.copied;
          clearTimeout(said.clearing);
          said.clearing = setTimeout(() => { said.textContent = ""; }, 5000);
        }, () => box.querySelector("input").select()); // refused: ready to copy by hand
      });
    }
    if (navigator.share) {
      share.hidden = false;
      share.addEventListener("click", () => navigator.share({ url }).catch(() => {}));
    }
    copy.parentElement.hidden = copy.hidden && share.hidden;
  }

  // --- the scan page (partials/_my_items.html) -----------------------------------------------
  let rowCount = 0;
  function fill(row, record) {
    const link = row.querySelector("a");
    link.href = record.path;
    link.id = `my-item-${++rowCount}`;
    row.querySelector("button").setAttribute("aria-describedby", link.id); // which one
    const field = (name) => row.querySelector(`[data-field="${name}"]`);
    field("label").textContent = record.label;
    field("number").textContent = record.number;
    field("place").textContent = record.place;
    field("created").dateTime = record.created;
    field("created").textContent = record.day; // as the server wrote it, in the community's zone
    field("status").textContent = record.statusLabel;
    if (record.status) field("status").classList.add(`status-${record.status}`);
  }

  async function list(box) {
    let records;
    try {
      records = await mine("readonly", (store) => store.getAll());
    } catch (error) {
      return;
    }
    const here = box.dataset.building;
    records.sort((a, b) => (b.building === here) - (a.building === here) ||
      Date.parse(b.created) - Date.parse(a.created));
    const template = box.querySelector("template").content.firstElementChild;
    for (const group of box.querySelectorAll("[data-kind]")) {
      const rows = records.filter((record) => record.kind === group.dataset.kind).map((record) => {
        const row = template.cloneNode(true);
        fill(row, record);
        row.querySelector("button").addEventListener("click", async () => {
          await mine("readwrite", (store) => store.delete(record.path)).catch(() => {});
          await list(box);
          box.focus();
        });
        return row;
      });
      group.querySelector("ul").replaceChildren(...rows);
      group.hidden = !rows.length;
    }
    box.hidden = !records.length;
  }

  function start() {
    for (const box of document.querySelectorAll("[data-remember]")) {
      if (box.dataset.started === undefined) offerCopyAndShare(box);
      box.dataset.started = "";
      remember(box);
    }
    const box = document.getElementById("my-items");
    if (box) list(box);
  }

  start();
  // Another page by htmx (hx-boost), or the tracking page's live part updated.
  document.addEventListener("htmx:afterSettle", start);
})();
