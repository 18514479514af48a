// Run a Python program (read from stdin) in the pinned Pyodide under Node, with
// a host folder mounted at /work: build/runtime.py compiles the runtime's
// archives to .pyc this way, with the very Python (3.12.7) that loads them.
//
//   node build/pycompile.mjs <pyodide folder> <work folder> < program.py
//
// Exit status: 0, 1 after a Python traceback (printed on stderr), or 69 when
// Pyodide itself could not start.

import path from "node:path";
import { pathToFileURL } from "node:url";
import fs from "node:fs";

const LOAD_FAILED = 69;

async function main() {
  const [indexDir, work] = process.argv.slice(2);
  if (!indexDir || !work) {
    console.error("usage: node pycompile.mjs <pyodide folder> <work folder> < program.py");
    return LOAD_FAILED;
  }
  const program = fs.readFileSync(0, "utf8");
  let pyodide;
  try {
    const indexURL = path.resolve(indexDir) + path.sep;
    const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);
    // A fixed hash seed: nothing in the bytecode may depend on the run.
    pyodide = await loadPyodide({ indexURL, env: { PYTHONHASHSEED: "0" }, stdout: (line) => console.error(line) });
  } catch (e) {
    console.error(`Pyodide did not load from ${indexDir}: ${e && e.message ? e.message : e}`);
    return LOAD_FAILED;
  }
  pyodide.FS.mkdirTree("/work");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(work) }, "/work");
  try {
    pyodide.runPython(program);
    return 0;
  } catch (e) {
    console.error(e && e.message ? e.message : String(e));
    return 1;
  }
}

process.exitCode = LOAD_FAILED;
main().then((status) => {
  process.exitCode = status;
});
