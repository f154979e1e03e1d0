/* "Notify me on this device" (partials/_push_subscribe.html): Web Push for the signed-in
   account, or for the report or booking of a resident's private page.
   - Shown only where the browser has service workers, the Push API and notifications.
   - Asks for permission only when the button is pressed, never on page load.
   - Turning it off ends this page's subscription on the server only: the browser's own
     subscription may serve the resident's other reports too.
   The server cannot be asked which owner a browser speaks for, so the page remembers (in
   localStorage, by owner) the endpoint it subscribed. */
"use strict";
(() => {
  if (window.mashangPush) {
    window.mashangPush(); // loaded again by an htmx page swap
    return;
  }
  const STORE = "mashang.push.";
  const SUBSCRIBE_TIMEOUT = 20000;
  const supported = () => "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    } catch {
      return undefined;
    }
  }

  function bytes(base64url) {
    const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }

  function sameKey(a, b) {
    if (!a) return false;
    const left = new Uint8Array(a);
    return left.length === b.length && left.every((value, i) => value === b[i]);
  }

  class Refused extends Error {}

  async function send(box, method, body) {
    const response = await fetch(box.dataset.url, {
      method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() } });
    if (response.ok || (method === "DELETE" && response.status === 404)) return;
    let message = box.dataset.failed;
    try {
      message = (await response.json()).error || message;
    } catch { /* an HTML error page: the general message */ }
    throw new Refused(message);
  }

  const forWhat = (box) =>
    box.dataset.kind ? { kind: box.dataset.kind, token: box.dataset.token } : undefined;

  function show(box, on, problem = "") {
    box.querySelector(".push-start").hidden = on;
    box.querySelector(".push-on").hidden = !on;
    box.querySelector(".push-problem").textContent = problem;
  }

  // Where the browser's push service cannot be reached (Chrome's, from mainland China),
  // subscribing may never settle: give up rather than leave the button waiting.
  function patiently(promise) {
    return Promise.race([promise, new Promise((_resolve, reject) => {
      setTimeout(() => reject(new Error("push service: no answer")), SUBSCRIBE_TIMEOUT);
    })]);
  }

  async function registration() {
    await navigator.serviceWorker.register("/sw.js");
    return navigator.serviceWorker.ready;
  }

  async function start(box) {
    const button = box.querySelector(".push-start");
    button.disabled = true;
    try {
      if (await Notification.requestPermission() !== "granted") {
        show(box, false, box.dataset.denied);
        return;
      }
      const reg = await registration();
      const { publicKey } = await (await fetch(box.dataset.keyUrl)).json();
      const key = bytes(publicKey);
      let subscription = await reg.pushManager.getSubscription();
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        await subscription.unsubscribe(); // made for the site's earlier key
        subscription = null;
      }
      subscription ||= await patiently(reg.pushManager.subscribe(
        { userVisibleOnly: true, applicationServerKey: key }));
      await send(box, "POST", { subscription: subscription.toJSON(), for: forWhat(box) });
      localStorage.setItem(STORE + box.dataset.owner, subscription.endpoint);
      show(box, true);
    } catch (error) {
      show(box, false, error instanceof Refused ? error.message : box.dataset.failed);
    } finally {
      button.disabled = false;
    }
  }

  async function stop(box) {
    const endpoint = localStorage.getItem(STORE + box.dataset.owner);
    try {
      if (endpoint) await send(box, "DELETE", { endpoint, for: forWhat(box) });
      localStorage.removeItem(STORE + box.dataset.owner);
      show(box, false);
    } catch (error) {
      show(box, true, error instanceof Refused ? error.message : box.dataset.failed);
    }
  }

  async function isOn(box) {
    const endpoint = localStorage.getItem(STORE + box.dataset.owner);
    if (!endpoint || Notification.permission !== "granted") return false;
    const reg = await navigator.serviceWorker.getRegistration();
    const subscription = reg && await reg.pushManager.getSubscription();
    return subscription?.endpoint === endpoint;
  }

  function init() {
    if (!supported()) return;
    for (const box of document.querySelectorAll("[data-push]:not([data-ready])")) {
      box.dataset.ready = "";
      box.querySelector(".push-start").addEventListener("click", () => start(box));
      box.querySelector(".push-stop").addEventListener("click", () => stop(box));
      isOn(box).then((on) => {
        show(box, on, !on && Notification.permission === "denied" ? box.dataset.denied : "");
        box.hidden = false;
      }, () => { box.hidden = false; });
    }
  }

  window.mashangPush = init;
  document.addEventListener("htmx:afterSettle", init);
  init();
})();
