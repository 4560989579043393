import { WebSocket } from 'ws';

export interface UpgradeOutcome {
  opened: boolean;
  status?: number;
  body?: string;
}

/** Try a WebSocket upgrade; resolves with whether it opened, or the HTTP status and body of the refusal. */
export function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ opened: false, status: res.statusCode, body }));
    });
    ws.on('error', () => resolve({ opened: false }));
  });
}
