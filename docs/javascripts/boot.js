// The first of the page's scripts: starts the Python worker on a page with
// figures, before Plotly and the static figures take the main thread. Pyodide
// boots in the worker's own thread meanwhile; the widgets (jacobiator.js)
// attach to the same runtime when they mount. A page without figures starts none.
import { startRuntime } from "./runtime-client.js";

if (document.querySelector(".jb-widget")) startRuntime();
