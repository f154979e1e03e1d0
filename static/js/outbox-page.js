/* The outbox on the page (with outbox.js, loaded by app.js on the report form and wherever a
   report may wait). A report sent without a connection is kept on the phone and sent when it is
   back online: on loading a page, on the "online" event, and by the service worker where there
   is Background Sync. The resident then gets the tracking link. Also makes photos at most
   2048 px before they are uploaded. */
"use strict";
(() => {
  const TEXT = {
    saved: ["已保存在本机，联网后会自动发送。",
      "Saved on this phone; it will be sent when you are online."],
    unsaved: ["无法保存在本机，请联网后再提交。",
      "This phone could not keep it. Please send it when you are online."],
    sent: ["报事已发送：", "Report sent: "],
    follow: ["查看处理进度", "follow it here"],
    problem: ["一条保存在本机的报事未能发送，请打开表单检查后重新提交。",
      "A report saved on this phone could not be sent. Please open the form, check it and send it again."],
    open: ["打开表单", "Open the form"],
    discard: ["删除", "Discard"],
    restored: ["这是保存在本机、未能发送的报事，请检查后重新提交。",
      "This is the report saved on this phone that could not be sent. Please check it and send it again."],
  };
  const t = (key) => TEXT[key][document.documentElement.lang.startsWith("zh") ? 0 : 1];
  const reportForm = () => document.getElementById("report-form");

  function element(tag, attrs, ...children) {
    const node = Object.assign(document.createElement(tag), attrs);
    node.append(...children);
    return node;
  }

  // A status line: the one in the form for its own report, else one at the top of the page.
  function say(id, cls, ...parts) {
    const old = document.getElementById(id);
    const line = element("p", { id, className: cls }, ...parts);
    line.setAttribute("role", "status");
    if (old) old.replaceWith(line);
    else document.getElementById("main")?.prepend(line);
    return line;
  }

  function formNotice(form, cls, ...parts) {
    const line = element("p", { id: "outbox-notice", className: cls }, ...parts);
    line.setAttribute("role", "status");
    document.getElementById("outbox-notice")?.remove();
    form.querySelector("button[type=submit]").before(line);
    line.scrollIntoView({ block: "nearest" });
  }

  // --- photos: at most 2048 px on the long edge, as JPEG -------------------------------------
  const MAX_EDGE = 2048;
  const shrinking = new WeakMap(); // form -> promise of its photos being made smaller

  async function shrink(file) {
    if (!file.type.startsWith("image/")) return file;
    let bitmap;
    try {
      bitmap = await createImageBitmap(file); // turned upright by its EXIF orientation
    } catch (error) {
      return file; // a format this browser cannot read: the server decides
    }
    const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.type === "image/jpeg" && file.size < 1500000) {
      bitmap.close();
      return file;
    }
    const canvas = element("canvas", {
      width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // transparent PNG areas become white, not black
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    if (!blob) return file;
    return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    const form = input.form;
    if (input.type !== "file" || !form || form.id !== "report-form" || !input.files.length ||
        !window.DataTransfer) return;
    const work = Promise.all([...input.files].map(shrink)).then((files) => {
      if (shrinking.get(form) !== work) return; // photos were chosen again meanwhile
      const list = new DataTransfer();
      files.forEach((file) => list.items.add(file));
      input.files = list.files;
    }).catch(() => {}).finally(() => {
      if (shrinking.get(form) === work) shrinking.delete(form);
    });
    shrinking.set(form, work);
  });

  // --- the outbox ----------------------------------------------------------------------------
  async function keep(form) {
    const fields = [];
    const photos = [];
    for (const [name, value] of new FormData(form)) {
      if (name === "csrf_token") continue; // a fresh one is fetched when it is sent
      if (typeof value === "string") fields.push([name, value]);
      else if (value.size) photos.push({ name: value.name, blob: value });
    }
    try {
      await outbox.put({ key: form.elements.submission_key.value,
        action: new URL(form.action).pathname, fields, photos });
    } catch (error) {
      formNotice(form, "problem", t("unsaved"));
      return;
    }
    formNotice(form, "flash flash-success", t("saved"));
    navigator.serviceWorker?.ready.then((reg) => reg.sync?.register("outbox")).catch(() => {});
    if (navigator.onLine) refresh(); // online: the request failed, or the form had no token
  }

  // The service worker's copy of the form (opened without a connection) has no CSRF token:
  // what is written in it goes through the outbox, which fetches a fresh one.
  const tokenless = (form) => !form.elements.csrf_token?.value;

  // Before htmx (capture phase): offline, a form without a token, or photos still being made
  // smaller.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id !== "report-form") return;
    const busy = shrinking.get(form);
    if (navigator.onLine && !busy && !tokenless(form)) return; // sent by htmx or the browser
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    Promise.resolve(busy).then(() => {
      if (navigator.onLine && !tokenless(form)) form.requestSubmit(submitter);
      else keep(form);
    });
  }, true);

  // Online, yet the request did not get through.
  document.addEventListener("htmx:sendError", (event) => {
    if (event.detail.elt?.id === "report-form") keep(event.detail.elt);
  });

  function restore(form, record) {
    for (const [name, value] of record.fields) {
      for (const field of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.value === value) field.checked = true;
        } else if (field.type !== "file" && (field.type !== "hidden" || name === "submission_key")) {
          field.value = value;
        }
      }
    }
    const input = form.querySelector("input[type=file]");
    if (input && record.photos.length && window.DataTransfer) {
      const list = new DataTransfer();
      for (const photo of record.photos) {
        list.items.add(new File([photo.blob], photo.name, { type: photo.blob.type }));
      }
      input.files = list.files;
    }
    formNotice(form, "problem", t("restored"));
  }

  async function show() {
    let records;
    try {
      records = await outbox.all();
    } catch (error) {
      return;
    }
    const form = reportForm();
    for (const record of records) {
      if (record.sent) {
        const parts = [t("sent"), element("a", { href: record.sent }, t("follow"))];
        if (form?.elements.submission_key?.value === record.key) {
          formNotice(form, "flash flash-success", ...parts);
        } else {
          say(`outbox-${record.key}`, "flash flash-success", ...parts);
        }
        await outbox.remove(record.key);
      } else if (record.problem) {
        if (form && new URL(form.action).pathname === record.action) {
          restore(form, record);
          await outbox.remove(record.key);
          continue;
        }
        const discard = element("button", { type: "button", className: "button" }, t("discard"));
        const line = say(`outbox-${record.key}`, "problem", t("problem"), " ",
          element("a", { href: record.action }, t("open")), " ", discard);
        discard.addEventListener("click", () => outbox.remove(record.key).then(() => line.remove()));
      }
    }
  }

  let retry = null;
  function retryLater() {
    clearTimeout(retry);
    retry = setTimeout(refresh, 30000);
  }

  async function refresh() {
    if (navigator.onLine) {
      const done = await outbox.flush().catch(() => true);
      if (!done) retryLater();
    }
    await show();
  }

  addEventListener("online", refresh);
  refresh();

  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data === "outbox") show();
  });

  // The form arrived by htmx (hx-boost, or an HX-Location answer) rather than with the page.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.boosted || event.detail.target === document.body) show();
  });
})();
