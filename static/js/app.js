/* Mashang on every page, kept small: registers the service worker, loads the report outbox
   (outbox.js) and the phone's remembered reports and bookings (my-items.js) where they are
   needed, offers "add to home screen" to staff and volunteers. */
"use strict";
(() => {
  const script = document.currentScript;
  const zh = () => document.documentElement.lang.startsWith("zh");

  // Scripts loaded where they are needed, each once, in the order asked for (async: false).
  const loaded = new Map();
  function load(src) {
    if (!loaded.has(src)) {
      const tag = Object.assign(document.createElement("script"), { src, async: false });
      const done = new Promise((resolve, reject) => Object.assign(tag, { onload: resolve,
        onerror: reject }));
      done.catch(() => {}); // a script that failed to load is no page error
      loaded.set(src, done);
      document.head.append(tag);
    }
    return loaded.get(src);
  }

  // The phone's database (outbox.js) and what uses it: the outbox on the report form and
  // wherever a report waits to be sent; my-items.js where a report or booking page remembers
  // itself, and on the scan page once this phone has remembered something.
  function needPhoneDb() {
    const { outbox: db, outboxPage } = script.dataset;
    const mine = document.querySelector("[data-my-items]");
    if (document.getElementById("report-form")) [db, outboxPage].forEach(load);
    if (mine && "remember" in mine.dataset) [db, mine.dataset.myItems].forEach(load);
    if (!window.indexedDB) return;
    (indexedDB.databases ? indexedDB.databases() : Promise.resolve([{ name: "mashang" }]))
      .then((list) => {
        if (!list.some((found) => found.name === "mashang")) return;
        const ready = load(db);
        if (mine) load(mine.dataset.myItems);
        // outbox-page.js only if a report waits: the database may hold remembered items alone.
        return ready.then(() => outbox.all()).then((waiting) => waiting.length && load(outboxPage));
      }).catch(() => {});
  }

  function tellWorker() {
    // Lets it keep this page if it is a scan page (the first one is loaded before it exists)
    // and the offline page in the language of this one.
    navigator.serviceWorker.ready.then((reg) => reg.active?.postMessage(
      { page: location.pathname, lang: document.documentElement.lang }));
  }

  if ("serviceWorker" in navigator) {
    addEventListener("load", () => {
      navigator.serviceWorker.register("/sw.js").then(tellWorker, () => {});
    });
  }

  // A link followed by htmx (hx-boost) that could not be loaded: load it for real, so that the
  // service worker answers (a kept scan page or the offline page).
  document.addEventListener("htmx:sendError", (event) => {
    const { boosted, requestConfig, pathInfo } = event.detail;
    if (boosted && requestConfig?.verb === "get") {
      location.assign(pathInfo.finalRequestPath || pathInfo.requestPath);
    }
  });

  // Add to home screen, for staff and volunteers (residents get the browser's own offer).
  let installPrompt = null;
  function installButton() {
    const nav = document.querySelector(".staffnav");
    if (!nav) return;
    let button = nav.querySelector(".install");
    if (!button) {
      button = Object.assign(document.createElement("button"), {
        type: "button", textContent: zh() ? "添加到主屏幕" : "Add to home screen" });
      button.addEventListener("click", () => {
        installPrompt?.prompt();
        installPrompt = null;
        installButton();
      });
      nav.append(button);
    }
    button.hidden = !installPrompt;
    // .linkbutton sets `display`, which would win over `hidden`: only a shown button has it.
    button.className = installPrompt ? "linkbutton install" : "install";
  }
  addEventListener("beforeinstallprompt", (event) => {
    if (!document.querySelector(".staffnav")) return;
    event.preventDefault();
    installPrompt = event;
    installButton();
  });
  addEventListener("appinstalled", () => {
    installPrompt = null;
    installButton();
  });

  // The chosen category's extra questions (partials/_questions.html): only its group shows and
  // is sent (a disabled fieldset is neither validated nor sent); its marked answers are required.
  // On the resident's report form and on the one staff file for a resident (#file-form).
  const form = () => document.querySelector("#report-form, #file-form");
  function questions() {
    const chosen = form()?.querySelector("input[name=category]:checked");
    for (const group of form()?.querySelectorAll(".questions") || []) {
      group.hidden = group.disabled = !chosen || group.dataset.category !== chosen.value;
      for (const input of group.querySelectorAll("[data-required]")) input.required = true;
    }
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches?.(":is(#report-form, #file-form) input[name=category]")) questions();
  });
  document.addEventListener("htmx:afterSettle", questions);

  installButton();
  needPhoneDb();
  questions();
  // A page loaded by htmx rather than by the browser: by hx-boost, or the page named by an
  // answer's HX-Location (where a sent form leads), which is not "boosted" but fills the body.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!event.detail.boosted && event.detail.target !== document.body) return;
    installButton();
    needPhoneDb();
    if (navigator.serviceWorker?.controller) tellWorker();
  });
})();
