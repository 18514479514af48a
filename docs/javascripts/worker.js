// The Python runtime of a page: a module web worker that boots Pyodide, loads
// numpy and the jacobiator wheel (both at once; with the self-hosted runtime both
// are checked against their sha256 in the verified lock file), then answers
// render requests. It only relays: Python checks the values and owns the runs.
//
// Messages in:  {id, slot, figure, params, link?}  render (slot: the widget asking;
//                                                  link: a link's raw values, checked in Python)
//               {type: "ack", slot, run}          the widget takes the next frame of run ``run``
//               {type: "stop", slot}              the widget is gone
//               {type: "prepare", figure}         a widget shows ``figure``: import its module now
// Messages out: {type: "status", text}            while booting
//               {type: "ready", bootMs, stages}   once Python can render the page's figures
//                                                 (stages.prepared: their keys, imported)
//               {type: "boot-error", message}     if it never can
//               {type: "result", id, reply, arrays} reply: JSON text {figure, animating, run?, canvasOnly?,
//                                                 params?, ignored?} or {error}; the figure's numeric
//                                                 arrays are Float64Arrays in ``arrays`` (transferred),
//                                                 referenced from the text (typed.js decodes both)
//               {type: "result", id, error}       a Python exception (a bug)
//               {type: "frame", slot, reply, arrays} the next frame of the run acked, or {stale, run}
//                                                 for a run that a newer request replaced

const runtimeBase = new URL("../runtime/", import.meta.url);
// Pyodide waits forever when one of its own files fails to load, so the
// worker checks them itself, and gives up after BOOT_LIMIT_MS in any case.
// (pyodide.mjs and the lock file the worker fetches itself, see verified().)
const PYODIDE_FILES = ["pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"];
const BOOT_LIMIT_MS = 90_000;
const started = performance.now();

const stages = {}; // ms from the worker's start to the end of each boot stage (for the benchmark)
// And when the worker started, in ms since the epoch: the page puts it on its own clock
// (a worker's performance.now() counts from the worker's own start).
stages.began = performance.timeOrigin + started;
// The figures the page asked to prepare while Python was starting; null once it is ready.
let early = new Set();

function say(text) {
  self.postMessage({ type: "status", text });
}

/** Rejects as soon as one of Pyodide's files cannot be fetched; never resolves. */
function unreachable(indexURL) {
  return new Promise((_, reject) => {
    for (const name of PYODIDE_FILES) {
      fetch(indexURL + name, { method: "HEAD" }).then(
        (r) => r.ok || reject(new Error(`${name} answered HTTP ${r.status}`)),
        () => reject(new Error(`${name} could not be fetched`)),
      );
    }
  });
}

function timeout(ms) {
  return new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`Python did not start within ${ms / 1000} s`)), ms));
}

/** A blob URL holding the file ``name`` fetched from ``url``, once the browser has
 * checked it against its pinned hash (from the site or a CDN alike). */
async function verified(url, name, integrity, type) {
  let response;
  try {
    response = await fetch(url, { integrity: integrity[name] });
  } catch {
    throw new Error(`${name} could not be fetched, or did not match its pinned sha256`);
  }
  if (!response.ok) throw new Error(`${name} answered HTTP ${response.status}`);
  return URL.createObjectURL(new Blob([await response.arrayBuffer()], { type }));
}

/** Why the packages that Pyodide was asked for are not all loaded, or null. Pyodide
 * only reports a package that fails (a wheel that does not match its sha256, say). */
function notLoaded(pyodide, names, said) {
  const missing = names.filter((name) => !(name in pyodide.loadedPackages));
  if (!missing.length) return null;
  let reason = said.map((line) => line.trim()).filter(Boolean).slice(-1)[0];
  // The browser's words for a download that failed, or did not match its integrity hash.
  if (reason === "Failed to fetch") reason = "its wheel could not be fetched, or did not match its sha256 in the lock file";
  return `${missing.join(" and ")} did not load${reason ? `: ${reason}` : ""}`;
}

/** ``err`` with the exception Python printed as it failed to start, if it printed one
 * (Emscripten's own error only says "Program terminated with exit(1)"). */
function withCause(err, said) {
  const cause = said.map((line) => line.trim()).find((line) => /^[A-Za-z_][\w.]*(Error|Exception):/.test(line));
  return cause ? new Error(`${oneLine(err)}: ${cause}`) : err;
}

/** One line for the status of a failed boot: an error's first line, and for a
 * Python traceback the first exception in it (the cause: bad bytecode, say). */
function oneLine(err) {
  const lines = String(err && err.message ? err.message : err).split("\n").map((l) => l.trim()).filter(Boolean);
  const cause = lines.slice(1).find((line) => /^[A-Za-z_][\w.]*(Error|Exception|Exit):/.test(line));
  if (!cause) return lines[0] || "unknown error";
  return lines[0].startsWith("Traceback") ? cause : `${lines[0]}: ${cause}`;
}

async function boot() {
  const response = await fetch(new URL("runtime.json", runtimeBase), { cache: "no-cache" });
  if (!response.ok) throw new Error(`runtime/runtime.json: HTTP ${response.status}`);
  const settings = await response.json();
  const indexURL = new URL(settings.indexURL, runtimeBase).href;
  say("Loading Python…");
  const { integrity } = settings;
  const [{ loadPyodide }, lockFileURL] = await Promise.all([
    verified(indexURL + "pyodide.mjs", "pyodide.mjs", integrity, "text/javascript").then((url) => import(url)),
    verified(new URL(settings.lockFile, runtimeBase), "pyodide-lock.json", integrity, "application/json"),
  ]);
  // A package that the lock file does not list (jacobiator, with the CDN's lock) is fetched by URL.
  const packages = settings.packages.map((name) =>
    settings.wheels[name] ? new URL(settings.wheels[name], runtimeBase).href : name);
  const said = []; // Python's stderr while booting: why a package failed, if one does
  const pyodide = await Promise.race([
    loadPyodide({ indexURL, lockFileURL, packages, env: settings.env ?? {}, stderr: (line) => { said.push(line); console.warn(line); } })
      .catch((err) => { throw withCause(err, said); }),
    unreachable(indexURL),
    timeout(BOOT_LIMIT_MS),
  ]);
  pyodide.setStderr(); // Pyodide's default from now on
  const failed = notLoaded(pyodide, settings.packages, said);
  if (failed) throw new Error(failed);
  stages.pyodide = Math.round(performance.now() - started);
  say("Loading jacobiator…");
  // One proxy per function for the page's lifetime: never destroyed, never leaked per call.
  const figures = pyodide.pyimport("jacobiator.figures");
  const getFigure = figures.get_figure;
  stages.registry = Math.round(performance.now() - started);
  // The modules of the page's figures (and numpy with them) are imported before Python
  // says it is ready: a control answers at once, rather than its first change waiting
  // for them (a few hundred ms).
  say("Loading the figures…");
  for (const figure of early) prepare(getFigure, figure);
  stages.prepared = [...early];
  early = null;
  // wire.py (the replies, packed) imports numpy, which the registry does not: it is
  // imported with the first reply, once a figure's module has imported numpy anyway.
  let wire = null;
  const packer = () => {
    if (!wire) {
      // Kept, like ``figures``: destroying the module would destroy the attribute
      // proxies borrowed from it.
      const module = pyodide.pyimport("jacobiator.figures.wire");
      wire = { handle: module.handle, advance: module.advance };
    }
    return wire;
  };
  return {
    handle: (request) => packer().handle(request),
    advance: (slot, run) => packer().advance(slot, run),
    stop: figures.stop,
    getFigure,
  };
}

const python = boot().then(
  (h) => {
    self.postMessage({ type: "ready", bootMs: Math.round(performance.now() - started), stages });
    return h;
  },
  (err) => {
    self.postMessage({ type: "boot-error", message: oneLine(err) });
    throw err;
  },
);

/** The last line of an error: a PythonError's message ends with the exception. */
function lastLine(err) {
  const lines = String(err.message || err).trim().split("\n");
  return lines[lines.length - 1];
}

/** Python's packed reply (wire.py) as [text, arrays]: each array a Float64Array of its
 * own buffer (a copy out of Python's memory), which postMessage can transfer. */
function unpacked(proxy) {
  try {
    return proxy.toJs();
  } finally {
    proxy.destroy();
  }
}

function transfers(arrays) {
  return arrays.map((a) => a.buffer);
}

/** The next frame of ``run`` in ``slot``; Python answers a stale run without stepping it. */
function nextFrame(py, slot, run) {
  try {
    const t0 = performance.now();
    const [reply, arrays] = unpacked(py.advance(slot, run));
    self.postMessage({ type: "frame", slot, reply, arrays, renderMs: performance.now() - t0 }, transfers(arrays));
  } catch (err) {
    self.postMessage({ type: "frame", slot, reply: JSON.stringify({ error: lastLine(err), run }) });
  }
}

/** Import the module of ``figure``: all it takes to prepare it. An unknown key is the next
 * render's to report. */
function prepare(getFigure, figure) {
  try {
    getFigure(figure).destroy();
  } catch {}
}

self.onmessage = async ({ data }) => {
  if (data.type === "prepare" && early) {
    early.add(data.figure); // imported before Python says it is ready (boot)
    return;
  }
  let py;
  try {
    py = await python;
  } catch {
    return; // the boot error has been reported once already
  }
  const { slot } = data;
  if (data.type === "ack") {
    // One ack, one frame: the worker never runs ahead of what the page draws, and
    // it goes back to its inbox between frames. It steps after any message already
    // waiting: a newer request there makes this run stale, and Python skips it.
    setTimeout(() => nextFrame(py, slot, data.run));
    return;
  }
  if (data.type === "stop") {
    py.stop(slot);
    return;
  }
  if (data.type === "prepare") {
    prepare(py.getFigure, data.figure);
    return;
  }
  try {
    const t0 = performance.now();
    const request = JSON.stringify({ figure: data.figure, params: data.params, link: data.link, slot });
    const [reply, arrays] = unpacked(py.handle(request));
    self.postMessage({ type: "result", id: data.id, reply, arrays, renderMs: performance.now() - t0 }, transfers(arrays));
  } catch (err) {
    self.postMessage({ type: "result", id: data.id, error: lastLine(err) });
  }
};
