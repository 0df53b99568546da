// report.html's one script (inline, allowed by the page's CSP by its hash). Hovering, focusing or
// clicking a cell shows its details in a panel; a click pins them until Escape or the close
// button. Everything from the data goes in with textContent: never parsed as HTML.
export const SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('limafs-data').textContent);
  var panel = document.getElementById('detail');
  var title = document.getElementById('detail-title');
  var state = document.getElementById('detail-state');
  var rows = document.getElementById('detail-rows');
  var pinned = null;
  function cellOf(target) {
    return target && target.closest ? target.closest('[data-i]') : null;
  }
  function show(el) {
    var cell = data.cells[Number(el.getAttribute('data-i'))];
    if (!cell) return;
    var col = data.cols[cell.c];
    title.textContent = col.config + (col.env ? ' (' + col.env + ')' : '') + ' \\u00b7 ' + data.rows[cell.r];
    state.textContent = cell.s;
    rows.textContent = '';
    (cell.d || []).forEach(function (pair) {
      var dt = document.createElement('dt');
      var dd = document.createElement('dd');
      dt.textContent = pair[0];
      dd.textContent = pair[1];
      rows.appendChild(dt);
      rows.appendChild(dd);
    });
    panel.hidden = false;
  }
  function unpin() {
    if (pinned) pinned.removeAttribute('aria-pressed');
    pinned = null;
  }
  document.addEventListener('click', function (e) {
    if (e.target.closest && e.target.closest('#detail-close')) {
      unpin();
      panel.hidden = true;
      return;
    }
    var el = cellOf(e.target);
    if (!el) return;
    unpin();
    pinned = el;
    el.setAttribute('aria-pressed', 'true');
    show(el);
  });
  document.addEventListener('mouseover', function (e) {
    var el = cellOf(e.target);
    if (el && !pinned) show(el);
  });
  document.addEventListener('focusin', function (e) {
    var el = cellOf(e.target);
    if (el && !pinned) show(el);
  });
  // Printed, a table wider than the page is scaled down to fit rather than cut off at its edge.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('.scroll > table').forEach(function (table) {
      var room = table.parentElement.clientWidth;
      var need = table.scrollWidth;
      // (a little under: text does not scale exactly with zoom)
      if (need > room && room > 0) table.style.zoom = String(Math.max(0.3, (room / need) * 0.97));
    });
  });
  window.addEventListener('afterprint', function () {
    document.querySelectorAll('.scroll > table').forEach(function (table) {
      table.style.zoom = '';
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    unpin();
    panel.hidden = true;
  });
})();`
