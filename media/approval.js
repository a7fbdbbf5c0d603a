// @ts-check
// The page of Airlock's approval panel (src/vscode/approvalPanel.ts renders it). Posts
// { type: 'answer', answer } (see PanelMessage there). Allow buttons stay disabled for a moment
// after the page appears or comes back into view, and answer only a pointer click: Enter or Space
// on a focused Allow never allows (Ctrl+Alt+Enter, a VS Code keybinding, does).
(function () {
  // @ts-ignore: provided by VS Code inside webviews
  const vscode = acquireVsCodeApi();
  const body = document.body;
  const armMs = Number(body.dataset.armMs) || 1000;
  const deadline = Date.now() + (Number(body.dataset.remainingMs) || 0);
  const buttons = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('button[data-answer]')]);
  const hint = /** @type {HTMLElement} */ (document.getElementById('hint'));
  const countdown = /** @type {HTMLElement} */ (document.querySelector('.countdown'));
  let armTimer = 0;
  let sent = false;

  function disarm() {
    body.classList.add('arming');
    buttons.forEach((b) => (b.disabled = true));
    clearTimeout(armTimer);
    armTimer = setTimeout(() => {
      body.classList.remove('arming');
      buttons.forEach((b) => (b.disabled = sent));
    }, armMs);
  }

  function tick() {
    const s = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const text = s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
    countdown.textContent = (countdown.dataset.template || '{0}').replace('{0}', text);
  }

  for (const b of buttons) {
    b.addEventListener('click', (e) => {
      if (b.disabled || sent || body.classList.contains('arming')) {
        return;
      }
      // A click from the keyboard (Enter or Space on a focused button) has no pointer position.
      const fromKeyboard = e.detail === 0;
      if (b.dataset.answer !== 'deny' && fromKeyboard) {
        hint.textContent = body.dataset.keyHint || '';
        return;
      }
      sent = b.dataset.answer !== 'deny';
      vscode.postMessage({ type: 'answer', answer: b.dataset.answer });
    });
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      disarm();
    }
  });
  disarm();
  tick();
  setInterval(tick, 1000);
})();
