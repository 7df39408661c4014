// Just enough of React's hook contract to run a custom hook under node: state slots by call
// order, a re-render after every state update, and useCallback that keeps the function while its
// dependencies are unchanged. Renders synchronously (React would batch), which a hook must
// tolerate anyway.
let component = null;
let slots = [];
let cursor = 0;
let current;
const listeners = new Set();

function rerender() {
  cursor = 0;
  current = component();
  for (const listener of [...listeners]) listener(current);
}

/** Mounts a hook; returns a function giving the latest render's result. */
export function renderHook(hook) {
  component = hook;
  slots = [];
  rerender();
  return () => current;
}

/** Resolves with the first render (the current one included) that satisfies the predicate. */
export function waitForRender(predicate) {
  return new Promise((resolve) => {
    if (predicate(current)) return resolve(current);
    const listener = (result) => {
      if (predicate(result)) {
        listeners.delete(listener);
        resolve(result);
      }
    };
    listeners.add(listener);
  });
}

export function useState(initial) {
  const index = cursor++;
  if (!(index in slots)) slots[index] = initial;
  const setState = (next) => {
    slots[index] = typeof next === 'function' ? next(slots[index]) : next;
    rerender();
  };
  return [slots[index], setState];
}

export function useCallback(callback, deps) {
  const index = cursor++;
  const previous = slots[index];
  if (previous && previous.deps.length === deps.length && previous.deps.every((d, i) => Object.is(d, deps[i]))) {
    return previous.callback;
  }
  slots[index] = { callback, deps };
  return callback;
}
