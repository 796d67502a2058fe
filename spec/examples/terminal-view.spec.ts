import { expect } from 'chai';
import { renderTable } from '../../examples/terminal-view.js';
import { initialApiClientStatus, initialLogReaderStatus, type ConnectionStatusFrame } from '../../lib/index.js';

describe('examples/terminal-view.ts', () => {
  const frame: ConnectionStatusFrame = {
    type: 'connection_status',
    states: {
      node1: {
        log_reader: { ...initialLogReaderStatus('10.0.0.2', 9001), state: 'connected' },
        api_client: { ...initialApiClientStatus(), state: 'error', reconnect_attempts: 3, last_error: 'HTTP 503 Service Unavailable', next_retry_at: 108 },
      },
      'evil\u001b[2J\nname': { log_reader: { ...initialLogReaderStatus('h', 1), state: 'error', last_error: 'x'.repeat(80) } },
    },
  };

  it('shows a row per node: states, attempts, retry countdown, errors, lines/s and mode', () => {
    const table = renderTable(frame, { rates: new Map([['node1', 12.34]]), now: 100_000, colour: false }).split('\n');
    expect(table[0]).to.match(/^NODE\s+LOG\s+ATT\s+RETRY\s+LAST LOG ERROR\s+LINES\/S\s+API\s+ATT\s+RETRY\s+LAST API ERROR\s+MODE\s+HEALTH\s+WHY$/);
    expect(table[1]).to.match(/^node1\s+connected\s+0\s+12\.3\s+error\s+3\s+8s\s+HTTP 503 Service Unavailable\s+log-only$/);
  });

  it('never lets control characters from names or errors reach the terminal, and truncates long errors', () => {
    const table = renderTable(frame, { rates: new Map(), now: 0, colour: false });
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    expect(table).to.not.match(/[\u0000-\u0009\u000b-\u001f]/);
    expect(table.split('\n')).to.have.length(3);
    expect(table).to.include(`${'x'.repeat(47)}…`);
  });

  it('colours the states on a TTY', () => {
    expect(renderTable(frame, { rates: new Map(), now: 0, colour: true })).to.include('\x1b[32mconnected');
  });

  it("shows each node's verdict and reasons, and a degraded source as connected (degraded)", () => {
    const healthFrame = {
      type: 'connection_status',
      states: { node1: { api_client: { ...initialApiClientStatus(), state: 'connected', is_available: true, degraded: true } } },
      health: { node1: { verdict: 'degraded', reasons: ['API degraded: answers slowly: median 4000 ms over the last 5 checks', 'second'] } },
    } as const;
    const [, row] = renderTable(healthFrame, { rates: new Map(), now: 0, colour: false }).split('\n');
    expect(row).to.match(/^node1\s+-\s+connected \(degraded\)\s+0\s+api-only\s+degraded\s+API degraded: answers slowly: median 4000 ms over the last …$/);
    expect(renderTable(healthFrame, { rates: new Map(), now: 0, colour: true })).to.include('\x1b[33mdegraded');
  });
});
