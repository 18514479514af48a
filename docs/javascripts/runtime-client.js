// The page's one Python runtime, shared by every widget and kept across
// Material's instant navigation (this module is evaluated once per tab).

import { decode } from "./typed.js";

const listeners = new Set();
const waiting = new Map(); // request id -> resolve
const frameListeners = new Map(); // slot -> onFrame
let worker = null;
let nextId = 1;
// A reply that takes longer than this means the worker died silently (boot included).
const REPLY_LIMIT_MS = 120_000;
export const runtime = { state: "idle", text: "", bootMs: null, stages: null };

function publish(state, text) {
  Object.assign(runtime, { state, text });
  for (const listener of listeners) listener(runtime);
  dispatchEvent(new CustomEvent("jb:runtime", { detail: { state } })); // for search-later.js
}

function start() {
  publish("loading", "Loading the Python runtime…");
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => {
    if (data.type === "status") publish("loading", data.text);
    else if (data.type === "ready") {
      runtime.bootMs = data.bootMs;
      runtime.stages = data.stages;
      performance.mark("jb:live");
      publish("live", "");
    } else if (data.type === "boot-error") publish("error", data.message);
    else if (data.type === "result") {
      waiting.get(data.id)?.(data);
      waiting.delete(data.id);
    } else if (data.type === "frame") {
      frameListeners.get(data.slot)?.({ ...decode(data.reply, data.arrays), renderMs: data.renderMs });
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    if (runtime.state === "live") die(event.message || "the Python worker crashed");
    else publish("error", event.message || "the Python worker could not start");
  };
}

/** The worker is gone: answer what waited for it; the next request boots a new one. */
function die(reason) {
  worker?.terminate();
  worker = null;
  for (const resolve of waiting.values()) resolve({ error: "Python stopped" });
  waiting.clear();
  publish("dead", reason);
}

/** Boot the worker now, unless it is already booting or running (boot.js calls this
 * first thing on a page with figures, so Python starts while the page draws). */
export function startRuntime() {
  if (!worker) start();
}

/** Call ``listener(runtime)`` now and on every state change; boots the worker on first use. */
export function watchRuntime(listener) {
  listeners.add(listener);
  startRuntime();
  listener(runtime);
  return () => listeners.delete(listener);
}

/** Drop the failed worker and boot a new one. */
export function restartRuntime() {
  worker?.terminate();
  for (const resolve of waiting.values()) resolve({ error: "the Python runtime restarted" });
  waiting.clear();
  start();
}

/** Render ``figure`` with ``params`` in the worker for the widget ``slot``, and
 * with ``link``'s raw values where Python finds them valid: resolves to
 * {figure, animating, run?, renderMs} (with a link: also {params, ignored}) or {error}. */
export function render(figure, params, slot, link) {
  startRuntime(); // after a crash, the reader's next change boots a new runtime
  const id = nextId++;
  const sentTo = worker;
  return new Promise((resolve) => {
    const timer = setTimeout(() => worker === sentTo && die("it stopped answering"), REPLY_LIMIT_MS);
    waiting.set(id, (data) => {
      clearTimeout(timer);
      if (data.error) resolve({ error: data.error });
      else resolve({ ...decode(data.reply, data.arrays), renderMs: data.renderMs });
    });
    worker.postMessage({ id, slot, figure, params, link });
  });
}


/** Have Python import ``figure``'s module once it is ready (the registry imports a
 * module on first use), so the reader's first change does not wait for it. */
export function prepareFigure(figure) {
  worker?.postMessage({ type: "prepare", figure });
}

/** Receive the frames of the animation running in ``slot``. */
export function onFrames(slot, onFrame) {
  frameListeners.set(slot, onFrame);
}

/** Ask for the next frame of the run ``run`` (from its render's reply) in ``slot``. */
export function ackFrame(slot, run) {
  worker?.postMessage({ type: "ack", slot, run });
}

/** End whatever runs in ``slot`` (its widget is gone). */
export function stopSlot(slot) {
  frameListeners.delete(slot);
  worker?.postMessage({ type: "stop", slot });
}
