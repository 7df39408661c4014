// The message box: Enter sends, Shift+Enter adds a line, Esc (anywhere) stops streaming.
// Send and Stop are both real buttons, so everything also works by Tab and Space.

const MAX_ROWS_PX = 200;

export function bindComposer({ form, input, send, stop, onSend, onStop, canSend, isStreaming }) {
  const refresh = () => {
    send.disabled = input.value.trim() === '' || !canSend();
    const streaming = isStreaming();
    if (!streaming && stop.contains(document.activeElement)) input.focus();
    stop.hidden = !streaming;
  };

  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_ROWS_PX)}px`;
  };

  const submit = (text = input.value) => {
    const content = text.trim();
    if (content === '' || !canSend()) return false;
    onSend(content);
    input.value = '';
    grow();
    refresh();
    return true;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  input.addEventListener('input', () => {
    grow();
    refresh();
  });

  input.addEventListener('keydown', (event) => {
    // isComposing: Enter that confirms an IME candidate must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isStreaming()) {
      event.preventDefault();
      onStop();
    }
  });

  stop.addEventListener('click', () => onStop());

  return {
    refresh,
    submit,
    focus: () => input.focus(),
    setPlaceholder: (text) => { input.placeholder = text; },
    setLimit: (chars) => {
      if (Number.isInteger(chars) && chars > 0) input.maxLength = chars;
    },
  };
}
