// Agent Markdown → sanitized DOM. Agent text never becomes live HTML: raw HTML inside the
// Markdown is rendered as visible text, images become plain links (an agent's reply must not
// make the browser fetch URLs on its own — a classic exfiltration trick), and DOMPurify removes
// anything that still slips through (event handlers, javascript: URLs, forms, styles).
import { Marked } from '../lib/marked/marked.esm.js';
import DOMPurify from '../lib/dompurify/purify.es.mjs';

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text, block }) {
      const escaped = escapeHtml(text);
      return block ? `<p>${escaped}</p>\n` : escaped;
    },
    image({ href, text }) {
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

const PURIFY_CONFIG = {
  FORBID_TAGS: ['img', 'picture', 'source', 'video', 'audio', 'iframe', 'object', 'embed', 'style',
    'form', 'input', 'button', 'textarea', 'select', 'option', 'svg', 'math'],
  FORBID_ATTR: ['style', 'id', 'name'],
  ALLOW_DATA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

/** Replaces the children of `element` with the sanitized rendering of `text`. */
export function renderMarkdown(element, text) {
  const fragment = DOMPurify.sanitize(marked.parse(text), PURIFY_CONFIG);
  element.replaceChildren(fragment);
  decorateCodeBlocks(element);
}

/** Wraps each code block with its language and a Copy button (when the clipboard is available). */
function decorateCodeBlocks(element) {
  for (const pre of element.querySelectorAll('pre')) {
    const code = pre.querySelector('code');
    const language = /language-([\w+#.-]+)/.exec(code?.className ?? '')?.[1] ?? 'text';
    const bar = document.createElement('div');
    bar.className = 'code-bar';
    const label = document.createElement('span');
    label.textContent = language;
    bar.append(label);
    if (navigator.clipboard) {
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.className = 'copy';
      copy.textContent = 'Copy';
      copy.setAttribute('aria-label', `Copy ${language} code`);
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText((code ?? pre).textContent);
          copy.textContent = 'Copied';
        } catch {
          copy.textContent = 'Copy failed';
        }
        setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      });
      bar.append(copy);
    }
    const wrapper = document.createElement('div');
    wrapper.className = 'code-block';
    pre.replaceWith(wrapper);
    wrapper.append(bar, pre);
  }
}
