/* Staff pages, live: asks the server every few seconds what is new (the bell's /live address),
   keeps the bell's count and the queue's tab title true, refreshes the lists that asked for
   it (data-live-refresh, an htmx element listening for "live-refresh"), and, if the user
   allowed it, shows a browser notification and plays a short sound for each new item.
   Without this script the pages still work: the count is the one the server rendered. */
"use strict";
(() => {
  if (window.mashangLive) return; // htmx runs this again after each boosted page
  window.mashangLive = true;

  const zh = () => document.documentElement.lang.startsWith("zh");
  const bell = () => document.querySelector("a.bell[data-live]");
  const sitePath = (url) => typeof url === "string" && url.startsWith("/") && !url.startsWith("//");
  let after = null;
  let waiting = null;
  let timer = null;
  let audio = null;
  let stopped = false;

  function schedule(soon) {
    clearTimeout(timer);
    const here = bell();
    if (stopped || !here) return; // a page without the bell: htmx:afterSettle starts again
    const seconds = Math.max(1, Number(here.dataset.poll) || 5);
    // Hidden tabs ask less often, but still ask: the tab title must stay true.
    const delay = soon ? 0 : seconds * (document.hidden ? 6 : 1) * 1000;
    timer = setTimeout(poll, delay);
  }

  async function poll() {
    const here = bell();
    if (!here) return;
    if (after === null) after = Number(here.dataset.after) || 0;
    try {
      const response = await fetch(`${here.dataset.live}?after=${after}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
        redirect: "manual", cache: "no-store" });
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        stopped = true; // logged out (here or in another tab): the next page load says so
        return;
      }
      if (response.ok) update(await response.json());
    } catch (_error) {
      // Offline or a server restart: ask again at the next tick.
    }
    schedule();
  }

  function update(data) {
    showCount(data.unread);
    const fresh = (data.items || []).filter((item) => item.id > after);
    let changed = fresh.length > 0;
    if (fresh.length) {
      after = Math.max(after, ...fresh.map((item) => item.id));
      announce(fresh.reverse()); // oldest first
    }
    if (data.waiting !== null && data.waiting !== undefined) {
      if (waiting !== null && data.waiting !== waiting) changed = true;
      waiting = data.waiting;
    }
    showTitle();
    if (changed) refreshLists();
  }

  function showCount(unread) {
    const here = bell();
    if (!here || typeof unread !== "number") return;
    here.querySelector(".bell-count").textContent = String(unread);
    here.querySelector(".bell-unread").hidden = unread === 0;
    here.classList.toggle("has-unread", unread > 0);
  }

  // The queue's tab title: "(3) 报事列表 · 码上办" while 3 reports wait for dispatch.
  function showTitle() {
    if (!document.querySelector("[data-title-count]") || waiting === null) return;
    const plain = document.title.replace(/^\(\d+\) /, "");
    document.title = waiting > 0 ? `(${waiting}) ${plain}` : plain;
  }

  // The count the page was rendered with, so that a change before the first answer shows.
  function renderedWaiting() {
    const counted = document.querySelector("[data-title-count]");
    if (counted && counted.dataset.titleCount !== "") waiting = Number(counted.dataset.titleCount);
  }

  function refreshLists() {
    if (!window.htmx) return;
    for (const list of document.querySelectorAll("[data-live-refresh]")) {
      window.htmx.trigger(list, "live-refresh");
    }
  }

  function announce(items) {
    const here = bell();
    if (!here) return;
    if (here.dataset.sound === "1") beep();
    if (here.dataset.desktop !== "1" || !("Notification" in window)
        || Notification.permission !== "granted") return;
    for (const item of items.slice(-3)) {
      const shown = new Notification(item.title, {
        body: item.body, tag: `mashang-${item.id}`, lang: document.documentElement.lang,
        requireInteraction: Boolean(item.urgent) });
      shown.addEventListener("click", () => {
        window.focus();
        if (sitePath(item.url)) location.assign(item.url);
        shown.close();
      });
    }
  }

  function beep() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.15, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (_error) {
      // No sound is no harm.
    }
  }

  // The bell page's "desktop notifications" button: asks the browser only when clicked.
  function desktopButton() {
    const button = document.getElementById("desktop-enable");
    const state = document.getElementById("desktop-state");
    if (!button || !("Notification" in window)) return;
    const show = () => {
      const permission = Notification.permission;
      button.hidden = permission !== "default";
      state.textContent = permission === "granted"
        ? (zh() ? "桌面通知已开启：页面打开时，新消息会在桌面弹出。" : "Desktop notifications are on while a staff page is open.")
        : permission === "denied"
          ? (zh() ? "浏览器已拒绝桌面通知；如需开启，请在浏览器的网站设置中允许通知。" : "The browser blocks notifications for this site; allow them in its site settings to turn them on.")
          : "";
    };
    if (!button.dataset.ready) {
      button.dataset.ready = "1";
      button.addEventListener("click", () => {
        Notification.requestPermission().then(show, show);
      });
    }
    show();
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) schedule(true);
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!event.detail.boosted) return;
    desktopButton();
    renderedWaiting();
    showTitle();
    if (!stopped) schedule();
  });
  desktopButton();
  renderedWaiting();
  schedule();
})();
