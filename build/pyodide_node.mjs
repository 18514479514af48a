// Run a Python program (read from stdin) in Pyodide under Node, from the
// pinned runtime that build/runtime.py stages: no network, no npm install.
//
//   node build/pyodide_node.mjs <pyodide folder> [<python source dir> ...] < program.py
//
// Each source dir (e.g. jacobiator/) is copied into the Pyodide file system
// under one folder that goes on sys.path. The program's stdout and stderr go
// to Node's. Exit status: the program's (0, 1 after a traceback, or its
// sys.exit code), or 69 (EX_UNAVAILABLE) when Pyodide itself could not start.
// build/pyodide_node.py is the Python face of this script.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const LOAD_FAILED = 69; // sysexits EX_UNAVAILABLE, unlikely to be a program's own status
const SRC = "/home/pyodide/src"; // inside Pyodide's file system

// Copied, not mounted with NODEFS: Pyodide would otherwise write its own
// __pycache__ (wasm CPython 3.12 bytecode) into the working tree.
function copyTree(FS, from, to) {
  FS.mkdirTree(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === "__pycache__") continue;
    const src = path.join(from, entry.name);
    const dst = `${to}/${entry.name}`;
    if (entry.isDirectory()) copyTree(FS, src, dst);
    else if (entry.isFile()) FS.writeFile(dst, fs.readFileSync(src));
  }
}

// Emscripten hands over a view of the wasm heap that it reuses: copy it
// before the asynchronous write, and let Node flush on a normal exit.
const writer = (stream) => ({
  write(bytes) {
    stream.write(Buffer.from(bytes));
    return bytes.length;
  },
});

// Runs the program as __main__ and turns its end into an exit status, so a
// traceback is printed by Python itself, exactly as CPython would print it.
const DRIVER = `
def _jacobiator_run(code):
    import sys, traceback
    try:
        exec(compile(code, "<stdin>", "exec"), {"__name__": "__main__"})
        return 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    except BaseException as e:
        # From the program's own frames on, as CPython would print it.
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
`;

async function main() {
  const [indexDir, ...sources] = process.argv.slice(2);
  if (!indexDir) {
    console.error("usage: node pyodide_node.mjs <pyodide folder> [<python source dir> ...] < program.py");
    return LOAD_FAILED;
  }
  const program = fs.readFileSync(0, "utf8");
  let pyodide;
  try {
    const indexURL = path.resolve(indexDir) + path.sep; // loadPyodide joins file names onto it
    const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);
    pyodide = await loadPyodide({
      indexURL,
      // Another stdlib zip than the one beside pyodide.mjs: the site's lean one, say.
      ...(process.env.JACOBIATOR_STDLIB ? { stdLibURL: path.resolve(process.env.JACOBIATOR_STDLIB) } : {}),
      // numpy from the lock beside pyodide.mjs, or another wheel of it: the site's lean one, say.
      packages: process.env.JACOBIATOR_NUMPY ? [process.env.JACOBIATOR_NUMPY] : ["numpy"],
      // Python's environment (PYTHONOPTIMIZE for a runtime compiled at -OO), as JSON.
      env: JSON.parse(process.env.JACOBIATOR_PYTHON_ENV || "{}"),
      // Loading messages ("Loading numpy", ...) must not mix with the program's output.
      stdout: (line) => console.error(line),
    });
    // A wheel that fails to install is only reported (on stderr), not thrown.
    if (!("numpy" in pyodide.loadedPackages)) throw new Error("numpy did not load (see above)");
  } catch (e) {
    console.error(`Pyodide did not load from ${indexDir}: ${e && e.message ? e.message : e}`);
    return LOAD_FAILED;
  }
  stage = "running the program";
  process.exitCode = 1;
  pyodide.setStdout(writer(process.stdout));
  pyodide.setStderr(writer(process.stderr));
  for (const dir of sources) copyTree(pyodide.FS, dir, `${SRC}/${path.basename(path.resolve(dir))}`);
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(SRC)})` + DRIVER);
  const run = pyodide.globals.get("_jacobiator_run");
  try {
    return run(program);
  } finally {
    run.destroy();
  }
}

// Emscripten's abort (a broken .wasm, say) leaves loadPyodide pending forever:
// Node then exits with the status preset here rather than finishing main().
let stage = "loading";
process.exitCode = LOAD_FAILED;
process.on("exit", () => stage === "done" || console.error(`Pyodide stopped while ${stage}`));
main().then(
  (status) => {
    stage = "done";
    process.exitCode = status;
  },
  (error) => {
    stage = "done";
    console.error(error);
    process.exitCode = 1;
  },
);
