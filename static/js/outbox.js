/* The phone's own database (IndexedDB "mashang") and the report outbox in it: reports written
   without a connection, kept on the phone until they can be sent. Used by the pages
   (outbox-page.js, my-items.js) and by the service worker (Background Sync), so it must not
   touch a page. */
"use strict";

const phoneDb = (() => {
  // Version 1 had the outbox; version 2 added "mine" (my-items.js). An upgrade creates every
  // store that is missing, so a phone on any older version (or none) ends up with all of them.
  const VERSION = 2;
  const STORES = { outbox: "key", mine: "path" };

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("mashang", VERSION);
      request.onupgradeneeded = () => {
        for (const [name, keyPath] of Object.entries(STORES)) {
          if (!request.result.objectStoreNames.contains(name)) {
            request.result.createObjectStore(name, { keyPath });
          }
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  // One request in one transaction on one store; the answer once the transaction is done.
  async function run(name, mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(name, mode);
        const request = work(tx.objectStore(name));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  return { run };
})();

const outbox = (() => {
  const TRACKING = /^\/t\/[A-Za-z0-9_-]{16,}$/;
  const run = (mode, work) => phoneDb.run("outbox", mode, work);

  const all = () => run("readonly", (store) => store.getAll());
  const put = (record) => run("readwrite", (store) => store.put(record));
  const remove = (key) => run("readwrite", (store) => store.delete(key));

  // One sender at a time, across tabs and the service worker.
  const exclusively = (work) =>
    navigator.locks ? navigator.locks.request("mashang-outbox", work) : work();

  // Send one report as the form would: a fresh CSRF token from the form's own page, then the
  // same fields and submission key (the server makes one report per key, however often sent).
  async function send(record) {
    const form = await fetch(record.action, { cache: "no-store" });
    if (form.status >= 500) throw new Error(`server: ${form.status}`);
    if (!form.ok) return { ...record, problem: form.status };
    const token = /name="csrf_token"[^>]*value="([^"]*)"/.exec(await form.text());
    const body = new FormData();
    body.append("csrf_token", token ? token[1] : "");
    for (const [name, value] of record.fields) body.append(name, value);
    for (const photo of record.photos) body.append("photos", photo.blob, photo.name);
    const response = await fetch(record.action, { method: "POST", body });
    const path = new URL(response.url).pathname;
    if (response.ok && TRACKING.test(path)) return { key: record.key, sent: path };
    if (response.status >= 500 || response.status === 429) throw new Error("server busy");
    return { ...record, problem: response.status };
  }

  // Sends what waits. False when it stopped on a network error, leaving the rest for later.
  const flush = () => exclusively(async () => {
    for (const record of await all()) {
      if (record.sent || record.problem) continue;
      let result;
      try {
        result = await send(record);
      } catch (error) {
        return false;
      }
      await put(result);
    }
    return true;
  });

  return { all, put, remove, flush };
})();
