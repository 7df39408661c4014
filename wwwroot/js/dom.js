// Small DOM and formatting helpers shared by the page's modules.

/**
 * Creates an element. Strings among `children` become text nodes; `text` sets textContent;
 * `on<event>` props add listeners. Nothing here parses HTML.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'hidden' || key === 'disabled') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.filter((child) => child != null));
  return el;
}

/** Pretty-prints JSON arguments once they are complete; anything else is returned as is. */
export function formatArguments(text) {
  if (!text) return '';
  try {
    const parsed = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? JSON.stringify(parsed, null, 2) : text;
  } catch {
    return text;
  }
}

export function formatSeconds(ms) {
  const seconds = Math.max(0, Math.round((ms ?? 0) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function formatDuration(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "first token 180 ms · 42 tok/s" from done.metrics, with the rest in a tooltip. */
export function formatMetrics(metrics) {
  if (!metrics) return null;
  const parts = [];
  if (typeof metrics.ttft_ms === 'number') parts.push(`first token ${formatDuration(metrics.ttft_ms)}`);
  if (typeof metrics.tokens_per_second === 'number' && metrics.tokens_per_second > 0) {
    const rate = metrics.tokens_per_second;
    parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} tok/s`);
  }
  if (parts.length === 0) return null;
  const details = [];
  if (typeof metrics.duration_ms === 'number') details.push(`total ${formatDuration(metrics.duration_ms)}`);
  if (typeof metrics.chunks === 'number') details.push(`${metrics.chunks} chunks`);
  if (typeof metrics.frames === 'number') details.push(`${metrics.frames} frames`);
  return { text: parts.join(' · '), title: details.join(' · ') };
}
