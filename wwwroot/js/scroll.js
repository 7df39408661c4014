// Keeps the newest text in view while the reader is at the bottom, and leaves them alone once
// they scroll up to read something earlier.

const NEAR_BOTTOM_PX = 80;

export function followScroll(scroller, content) {
  let following = true;
  let lastTop = 0;

  const toBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };

  scroller.addEventListener('scroll', () => {
    const top = scroller.scrollTop;
    // Our own jumps only ever move down; moving up is the reader's doing.
    if (top < lastTop) following = false;
    if (scroller.scrollHeight - top - scroller.clientHeight < NEAR_BOTTOM_PX) following = true;
    lastTop = top;
  }, { passive: true });

  new MutationObserver(() => {
    if (following) toBottom();
  }).observe(content, { childList: true, subtree: true, characterData: true });

  return {
    /** Jumps to the newest message and follows it again (after the user sends). */
    toBottom() {
      following = true;
      toBottom();
    },
  };
}
