// The page's WebSocket to the daemon, reopened by itself whenever it closes (a daemon
// restart, a dropped tab, a network blip), with a growing, jittered delay.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

export function connect(url, handlers) {
  let attempt = 0;
  let stopped = false;

  function open() {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      attempt = 0;
      handlers.open();
    };
    ws.onmessage = (event) => {
      handlers.message(JSON.parse(event.data));
    };
    ws.onclose = () => {
      if (stopped) return;
      attempt += 1;
      const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (attempt - 1));
      const delay = MIN_DELAY_MS + Math.random() * (ceiling - MIN_DELAY_MS);
      handlers.closed(attempt, delay);
      setTimeout(open, delay);
    };
  }

  open();
  return {
    stop() {
      stopped = true;
    },
  };
}
