/* Mashang on every page, kept small: registers the service worker, loads the report outbox
   (outbox.js) where it is needed, offers "add to home screen" to staff and volunteers. */
"use strict";
(() => {
  const script = document.currentScript;
  const zh = () => document.documentElement.lang.startsWith("zh");

  // The outbox: on the report form, and wherever a report may wait to be sent.
  let outboxLoaded = false;
  function loadOutbox() {
    if (outboxLoaded) return;
    outboxLoaded = true;
    for (const src of [script.dataset.outbox, script.dataset.outboxPage]) {
      document.head.append(Object.assign(document.createElement("script"), { src, async: false }));
    }
  }
  function needOutbox() {
    if (document.getElementById("report-form")) return loadOutbox();
    if (!window.indexedDB) return;
    (indexedDB.databases ? indexedDB.databases() : Promise.resolve([{ name: "mashang" }]))
      .then((list) => list.some((db) => db.name === "mashang") && loadOutbox(), () => {});
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
  function questions() {
    const chosen = document.querySelector("#report-form input[name=category]:checked");
    for (const group of document.querySelectorAll("#report-form .questions")) {
      group.hidden = group.disabled = !chosen || group.dataset.category !== chosen.value;
      for (const input of group.querySelectorAll("[data-required]")) input.required = true;
    }
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches?.("#report-form input[name=category]")) questions();
  });
  document.addEventListener("htmx:afterSettle", questions);

  installButton();
  needOutbox();
  questions();
  // A page loaded by htmx (hx-boost) rather than by the browser.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!event.detail.boosted) return;
    installButton();
    needOutbox();
    if (navigator.serviceWorker?.controller) tellWorker();
  });
})();
