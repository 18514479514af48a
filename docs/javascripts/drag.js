// Dragging on a plot sets two parameters to the pointer's data coordinates.
// Pointer events cover mouse, pen and finger alike.

/** Data coordinates of a pointer event over plot ``gd``, or null outside the axes. */
function toData(gd, event) {
  const { xaxis, yaxis } = gd._fullLayout;
  const box = gd.getBoundingClientRect();
  const px = event.clientX - box.left - xaxis._offset;
  const py = event.clientY - box.top - yaxis._offset;
  if (px < 0 || py < 0 || px > xaxis._length || py > yaxis._length) return null;
  return [xaxis.p2l(px), yaxis.p2l(py)];
}

/** Report pointer positions to ``onMove(x, y)`` while the reader drags; at most once per frame. */
export function attachDrag(gd, enabled, onMove) {
  let dragging = false;
  let queued = null;
  const flush = () => {
    if (queued) onMove(...queued);
    queued = null;
  };
  const move = (event) => {
    const at = toData(gd, event);
    if (!at) return;
    if (!queued) requestAnimationFrame(flush);
    queued = at;
  };
  gd.style.touchAction = "none"; // a finger drags the target instead of scrolling
  gd.addEventListener("pointerdown", (event) => {
    if (!enabled() || !toData(gd, event)) return;
    event.preventDefault(); // keeps Plotly's own mouse handlers out of it
    dragging = true;
    gd.setPointerCapture(event.pointerId);
    move(event);
  }, { capture: true });
  gd.addEventListener("pointermove", (event) => dragging && move(event));
  const stop = () => { dragging = false; };
  gd.addEventListener("pointerup", stop);
  gd.addEventListener("pointercancel", stop);
}
