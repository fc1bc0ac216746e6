/** Focus helpers for the call UI (dialogs and the call panel that come and go on their own). */

/**
 * Puts focus back on `el` after a dialog or panel went away, when the focus was lost with it (it is on the
 * page's body, or nowhere) and `el` is still on the page. Runs after the render that removed the element.
 */
export function restoreFocus(el: Element | null) {
  setTimeout(() => {
    const now = document.activeElement;
    const lost = !now || now === document.body || (now.shadowRoot && !now.shadowRoot.activeElement);
    if (!lost || !el || !(el as HTMLElement).isConnected || typeof (el as HTMLElement).focus !== "function") {
      return;
    }
    if ((el as HTMLButtonElement).disabled) return;
    (el as HTMLElement).focus();
  }, 0);
}

/** Arrow keys, Home and End move between the enabled buttons of a toolbar (Tab still reaches each one). */
export function toolbarKeys(e: KeyboardEvent) {
  const bar = e.currentTarget as HTMLElement;
  const keys = ["ArrowLeft", "ArrowRight", "Home", "End"];
  if (!keys.includes(e.key) || (e.target as HTMLElement).tagName === "SELECT") return;
  const buttons = [...bar.querySelectorAll<HTMLButtonElement>("button:not([disabled])")];
  const root = bar.getRootNode() as Document | ShadowRoot;
  const i = buttons.indexOf(root.activeElement as HTMLButtonElement);
  if (!buttons.length) return;
  e.preventDefault();
  const next = e.key === "Home"
    ? 0
    : e.key === "End"
    ? buttons.length - 1
    : (i + (e.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length;
  buttons[next].focus();
}
