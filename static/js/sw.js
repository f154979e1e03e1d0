/* Mashang's service worker, served as /sw.js so that it covers the whole site.
   - /static/ files with a fingerprint (?v=) come from its cache first: a new file is a new URL.
   - Pages come from the network. Without a connection, a building's scan page (/q/<token>)
     seen before is shown from its copy, any other page as the offline page.
   - Only scan pages, the report form of a kept scan page and the offline page are kept:
     public, no personal data. The form is kept without its CSRF token (the outbox fetches a
     fresh one when it sends) and served with a new submission key each time, so a resident
     without a connection can still write a report and have it sent later. Tracking, staff,
     admin and volunteer pages, other forms and answers to POSTs never are; nor is any page
     drawn for a signed-in user.
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
const FORM = /^\/q\/[A-Za-z0-9_-]{10,32}\/report$/;
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

// The HTML of a public page fit to keep, or null.
async function keepable(path, response) {
  if (response.status !== 200 || response.redirected || response.type !== "basic" ||
      new URL(response.url).pathname !== path ||
      /no-store|private/.test(response.headers.get("Cache-Control") || "") ||
      !(response.headers.get("Content-Type") || "").startsWith("text/html")) return null;
  const html = await response.text();
  return html.includes('class="staffnav"') ? null : html; // drawn for a signed-in user
}

const asPage = (html) => new Response(html, {
  headers: { "Content-Type": "text/html; charset=utf-8" } });

async function keepScanPage(path, response) {
  const html = await keepable(path, response);
  if (html === null || /csrf/i.test(html)) return; // a page with a form token is never kept
  const cache = await caches.open(PAGES);
  await cache.put(path, asPage(html));
  const pages = (await cache.keys()).filter((request) => SCAN.test(new URL(request.url).pathname));
  await Promise.all(pages.slice(0, -MAX_SCAN_PAGES).flatMap((request) =>
    [cache.delete(request), cache.delete(new URL(request.url).pathname + "/report")]));
}

// The report form of a kept scan page, without its CSRF token (every copy of it, the one in
// the page's htmx headers too) and without its submission key.
async function keepReportForm(path, response) {
  const cache = await caches.open(PAGES);
  if (!(await cache.match(path.replace(/\/report$/, ""), ANY_VARY))) return;
  let html = await keepable(path, response);
  const token = html && /name="csrf_token"[^>]*value="([^"]+)"/.exec(html);
  if (!token) return;
  html = html.split(token[1]).join("");
  html = html.replace(/(name="submission_key"[^>]*value=")[^"]*"/, '$1"');
  await cache.put(path, asPage(html));
}

// A kept report form with a submission key of its own: two reports written offline from it
// are two reports.
async function keptReportForm(path) {
  const copy = await (await caches.open(PAGES)).match(path, ANY_VARY);
  if (!copy) return null;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const key = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  const html = (await copy.text()).replace(/(name="submission_key"[^>]*value=")"/, `$1${key}"`);
  return asPage(html);
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
    if (FORM.test(url.pathname)) event.waitUntil(keepReportForm(url.pathname, response.clone()));
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES);
    const copy = SCAN.test(url.pathname) ? await cache.match(url.pathname, ANY_VARY)
      : FORM.test(url.pathname) && await keptReportForm(url.pathname);
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
  } else if (request.mode === "navigate" ||
             (FORM.test(url.pathname) && request.headers.get("HX-Request"))) {
    // The report form is also opened by htmx (the scan page's link is boosted); the outbox's
    // own fetch of it for a fresh token goes to the network only.
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
