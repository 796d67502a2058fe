import { expect } from 'chai';
import { initialApiClientStatus, initialLogReaderStatus } from '../../lib/index.js';

describe('initial statuses', () => {
  it('a log reader starts disconnected with nothing dropped, and resume off unless it asks to resume', () => {
    expect(initialLogReaderStatus('10.0.0.2', 9001)).to.deep.equal({
      state: 'disconnected',
      host: '10.0.0.2',
      port: 9001,
      reconnect_attempts: 0,
      last_error: null,
      next_retry_at: null,
      dropped_lines: { malformed: 0, oversize: 0, partial: 0, gap: 0 },
      resume: 'off',
      degraded: false,
    });
    expect(initialLogReaderStatus('10.0.0.2', 9001, false).resume).to.equal('off');
    expect(initialLogReaderStatus('10.0.0.2', 9001, true).resume).to.equal('asked');
  });

  it('an API client starts disconnected, unavailable, with no successful request', () => {
    expect(initialApiClientStatus()).to.deep.equal({
      state: 'disconnected',
      is_available: false,
      last_error: null,
      reconnect_attempts: 0,
      last_successful_request: null,
      next_retry_at: null,
      degraded: false,
    });
  });
});
