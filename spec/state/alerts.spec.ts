import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { connectionAlerts, ConnectionRegistry, initialLogReaderStatus, type ConnectionAlert } from '../../lib/index.js';

const failed = (error: string) => ({ type: 'failed', error, reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 }) as const;

function setup(thresholdMs = 60_000) {
  const scheduler = new VirtualTimeScheduler();
  const registry = new ConnectionRegistry({ scheduler });
  const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
  const alerts: Array<[number, ConnectionAlert]> = [];
  const subscription = connectionAlerts(registry.transitions$, { thresholdMs, scheduler }).subscribe((alert) => alerts.push([scheduler.now(), alert]));
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms);
  return { scheduler, log, alerts, at, subscription };
}

describe('connectionAlerts (virtual time)', () => {
  it('one down alert per outage longer than the threshold, however many retries, then recovered', () => {
    const { scheduler, log, alerts, at } = setup();
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(10_000, () => log(failed('refused')));
    for (let retry = 1; retry <= 20; retry++) at(10_000 + retry * 5000, () => (log({ type: 'connecting' }), log(failed(`refused ${retry}`))));
    at(200_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    scheduler.flush();
    expect(alerts).to.deep.equal([
      [70_000, { type: 'down', node: 'node1', component: 'log_reader', since: 10, last_error: 'refused 12' }],
      [200_000, { type: 'recovered', node: 'node1', component: 'log_reader', since: 10, down_for_ms: 190_000 }],
    ]);
  });

  it('a short outage does not alert', () => {
    const { scheduler, log, alerts, at } = setup();
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(10_000, () => log(failed('reset')));
    at(69_999, () => log({ type: 'connected', reconnectAttempts: 0 }));
    scheduler.flush();
    expect(alerts).to.deep.equal([]);
  });

  it('a source that never connects alerts too; one stopped on purpose does not', () => {
    const { scheduler, log, alerts, at } = setup();
    at(0, () => log({ type: 'connecting' }));
    at(1000, () => log(failed('refused')));
    at(100_000, () => log({ type: 'stopped' }));
    scheduler.flush();
    expect(alerts.map(([time, alert]) => [time, alert.type])).to.deep.equal([[60_000, 'down']]);

    const quiet = setup();
    quiet.at(0, () => quiet.log({ type: 'connected', reconnectAttempts: 0 }));
    quiet.at(1000, () => quiet.log({ type: 'stopped' }));
    quiet.scheduler.flush();
    expect(quiet.alerts).to.deep.equal([]);
  });

  it('unsubscribing cancels pending timers', () => {
    const { scheduler, log, alerts, at, subscription } = setup();
    at(0, () => log(failed('x')));
    at(1000, () => subscription.unsubscribe());
    scheduler.flush();
    expect(alerts).to.deep.equal([]);
    expect(scheduler.actions).to.have.length(0);
  });
});
