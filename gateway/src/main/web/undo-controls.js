// The keys and buttons of one UndoManager (undo.js): Ctrl/Cmd+Z undoes and Shift+Ctrl/Cmd+Z or
// Ctrl+Y redoes while the focus is in one of the pane's elements, and so do the browser's own
// Undo and Redo (its menus send beforeinput historyUndo/historyRedo to a text field); the
// buttons are enabled as canUndo() and canRedo() say. The browser's own undo is always held
// back: it knows nothing of other people's edits and would undo them too.
'use strict';

function which(e) {
  const key = e.key.toLowerCase();
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && e.ctrlKey && !e.shiftKey) return 'redo';
  return null;
}

/**
 * @param undo the UndoManager
 * @param options within: the elements whose keys it takes; undoButton, redoButton;
 *   done(err): what an undo or redo the server refused says (the sharedb client has rolled it back)
 */
function undoControls(undo, {within, undoButton, redoButton, done}) {
  const run = (what) => (what === 'undo' ? undo.undo(done) : undo.redo(done));
  for (const el of within) {
    el.addEventListener('keydown', (e) => {
      const what = which(e);
      if (!what) return;
      e.preventDefault();
      run(what);
    });
    el.addEventListener('beforeinput', (e) => {
      if (e.inputType !== 'historyUndo' && e.inputType !== 'historyRedo') return;
      e.preventDefault();
      run(e.inputType === 'historyUndo' ? 'undo' : 'redo');
    });
  }
  undoButton.addEventListener('click', () => run('undo'));
  redoButton.addEventListener('click', () => run('redo'));
  const render = () => {
    undoButton.disabled = !undo.canUndo();
    redoButton.disabled = !undo.canRedo();
  };
  undo.on('change', render);
  render();
}

module.exports = {undoControls};
