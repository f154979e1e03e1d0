/* Mashang's service worker, served as /sw.js so that it covers the whole site.
   - /static/ files with a fingerprint (?v=) come from its cache first: a new file is a new URL.
   - Pages come from the network. Without a connection, a building's scan page (/q/<token>)
     seen before is shown from its copy, any other page as the offline page.
   - Only scan pages and the offline page are kept: public, no CSRF token, no personal data.
     Tracking, staff, admin and volunteer pages, forms and answers to POSTs never are.
   - Background Sync sends the report outbox (outbox.js; the pages send it too).
   - Web Push (webapp/channels/webpush.py): a push is shown as a notification whose tag is
     the message's dedupe key, so a repeated delivery replaces it; tapping it opens its page
     (a tab already on that page is brought forward). */
"use strict";

importScripts("/static/js/outbox.js");

const VERSION = "1";
const STATIC = `mashang-static-${VERSION}`;
const PAGES = `mashang-pages-${VERSION}`;
const OFFLINE = "/offline";
const SCAN = /^\/q\/[A-Za-z0-9_-]{10,32}$/;
const MAX_SCAN_PAGES = 20;
const ANY_VARY = { ignoreVary: true };

// The offline page in the visitor's language, with the styles and scripts it needs.
async function keepOfflinePage() {
  const response = await fetch(OFFLINE, { cache: "no-cache" });
  if (!response.ok) throw new Error(`offline page: ${response.status}`);
  const html = await response.clone().text();
  await (await caches.open(PAGES)).put(OFFLINE, response);
  const cache = await caches.open(STATIC);
  const assets = [...html.matchAll(/(?:href|src)="(\/static\/[^"?]+\.(?:css|js)\?v=[^"]+)"/g)];
  await Promise.all(assets.map(async ([, url]) => {
    if (!(await cache.match(url, ANY_VARY))) await cache.add(url); // from the HTTP cache
  }));
}

async function keepScanPage(path, response) {
  if (response.status !== 200 || response.redirected || response.type !== "basic" ||
      new URL(response.url).pathname !== path ||
      /no-store|private/.test(response.headers.get("Cache-Control") || "") ||
      !(response.headers.get("Content-Type") || "").startsWith("text/html")) return;
  const html = await response.text();
  if (/csrf/i.test(html)) return; // a page with a form token is never kept
  const cache = await caches.open(PAGES);
  await cache.put(path, new Response(html, {
    headers: { "Content-Type": "text/html; charset=utf-8" } }));
  const pages = (await cache.keys()).filter((request) => SCAN.test(new URL(request.url).pathname));
  await Promise.all(pages.slice(0, -MAX_SCAN_PAGES).map((request) => cache.delete(request)));
}

async function staticFile(event, url) {
  const cache = await caches.open(STATIC);
  const hit = await cache.match(event.request, ANY_VARY);
  if (hit) return hit;
  const response = await fetch(event.request);
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    event.waitUntil((async () => {
      for (const request of await cache.keys()) { // earlier versions of the same file
        if (new URL(request.url).pathname === url.pathname) await cache.delete(request);
      }
      await cache.put(event.request, copy);
    })());
  }
  return response;
}

async function page(event, url) {
  try {
    const response = await fetch(event.request);
    if (SCAN.test(url.pathname)) event.waitUntil(keepScanPage(url.pathname, response.clone()));
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES);
    const copy = SCAN.test(url.pathname) && await cache.match(url.pathname, ANY_VARY);
    return copy || await cache.match(OFFLINE, ANY_VARY) || Response.error();
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(keepOfflinePage().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("mashang-") && name !== STATIC && name !== PAGES) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // POSTs go to the network only
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith(staticFile(event, url));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event, url));
  }
});

// From a page that has loaded: keep it if it is a scan page (the first one is loaded before
// this worker exists), and the offline page in the language that page is in.
self.addEventListener("message", (event) => {
  const { page: path, lang } = event.data || {};
  event.waitUntil((async () => {
    const cache = await caches.open(PAGES);
    if (typeof path === "string" && SCAN.test(path) && !(await cache.match(path, ANY_VARY))) {
      await keepScanPage(path, await fetch(path));
    }
    const offline = await cache.match(OFFLINE, ANY_VARY);
    if (typeof lang === "string" &&
        (!offline || !(await offline.text()).includes(`<html lang="${lang}">`))) {
      await keepOfflinePage();
    }
  })().catch(() => {}));
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(outbox.flush().then(async (done) => {
    for (const client of await self.clients.matchAll()) client.postMessage("outbox");
    if (!done) throw new Error("offline: try again later");
  }));
});

const ICON = "/static/icons/icon-192.png";
const BADGE = "/static/icons/favicon-32.png";

// The page a notification opens, always on this site: {url} comes from our own server.
function pageOf(url) {
  try {
    const target = new URL(url, location.origin);
    return new URL(target.pathname + target.search + target.hash, location.origin).href;
  } catch (error) {
    return new URL("/", location.origin).href;
  }
}

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) { /* not JSON: a notification with the site's name still shows */ }
  const title = typeof message.title === "string" && message.title ? message.title : "码上办";
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof message.body === "string" ? message.body : "",
    tag: typeof message.tag === "string" ? message.tag : "",
    renotify: Boolean(message.urgent && message.tag),
    icon: ICON,
    badge: BADGE,
    data: { url: pageOf(message.url || "/") },
  }));
});

// A tab of this site already showing `url`, if there is one.
async function windowShowing(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.find((client) => client.url === url);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = pageOf(event.notification.data?.url || "/");
  event.waitUntil(windowShowing(url).then((open) =>
    open ? open.focus() : self.clients.openWindow(url)));
});
