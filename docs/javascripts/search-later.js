// Material's search builds its index in a worker of its own as soon as a page loads:
// about a quarter of a second of CPU, which on a machine of two cores is taken from
// Python's boot. Run before Material's script (build/hooks.py puts it there), this
// holds that worker back on a page with figures until its Python runtime is live, or
// could not start, or the reader opens the search, whichever comes first. Until then
// Material talks to a stand-in that keeps its messages and passes them on.
(() => {
  const config = JSON.parse(document.getElementById("__config")?.textContent ?? "{}");
  if (!config.search || !document.querySelector(".jb-widget")) return;
  const searchURL = new URL(config.search, document.baseURI).href;
  const RealWorker = window.Worker;
  const waiting = []; // the stand-ins' starts
  let started = false;

  function startAll() {
    started = true;
    waiting.splice(0).forEach((start) => start());
  }

  class LaterWorker extends EventTarget {
    #real = null;
    #queue = [];

    constructor(url, options) {
      super();
      waiting.push(() => {
        this.#real = new RealWorker(url, options);
        for (const type of ["message", "messageerror", "error"]) {
          this.#real.addEventListener(type, (event) => this.dispatchEvent(
            type === "error" ? new ErrorEvent(type, event) : new MessageEvent(type, { data: event.data })));
        }
        this.#queue.splice(0).forEach((message) => this.#real.postMessage(message));
      });
      if (started) startAll();
    }

    postMessage(message) {
      if (this.#real) this.#real.postMessage(message);
      else this.#queue.push(message);
    }

    terminate() {
      this.#real?.terminate();
    }
  }

  window.Worker = new Proxy(RealWorker, {
    construct(target, args, newTarget) {
      if (new URL(String(args[0]), document.baseURI).href === searchURL) return new LaterWorker(...args);
      return Reflect.construct(target, args, newTarget);
    },
  });
  // runtime-client.js announces each state of the Python runtime.
  addEventListener("jb:runtime", ({ detail }) => {
    if (detail.state !== "idle" && detail.state !== "loading") startAll();
  });
  const opensSearch = (event) => event.target.closest?.('[data-md-component="search-query"], #__search');
  document.addEventListener("focusin", (event) => opensSearch(event) && startAll());
  document.addEventListener("change", (event) => opensSearch(event) && startAll());
})();
