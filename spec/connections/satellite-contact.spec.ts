import { expect } from 'chai';
import { toDashboard } from '../../lib/index.js';
import { toSatelliteContact } from '../../lib/connections/satellite-contact.js';

describe('toSatelliteContact', () => {
  it('reads the satellite contact of a dashboard: the zero time and nonsense are unknown, quicStatus kept safe', () => {
    expect(
      toSatelliteContact(toDashboard({ nodeID: 'x', lastPinged: '2026-12-01T10:00:00Z', startedAt: '2026-11-30T10:00:00Z', quicStatus: 'OK' })),
    ).to.deep.equal({
      lastPingedMs: Date.parse('2026-12-01T10:00:00Z'),
      startedAtMs: Date.parse('2026-11-30T10:00:00Z'),
      quicStatus: 'OK',
    });
    expect(toSatelliteContact(toDashboard({ nodeID: 'x', lastPinged: '0001-01-01T00:00:00Z', startedAt: 'soon' }))).to.deep.equal({
      lastPingedMs: null,
      startedAtMs: null,
      quicStatus: null,
    });
    const hostile = toSatelliteContact(toDashboard({ nodeID: 'x', quicStatus: `Mis\u001b]0;x\u0007configured${'!'.repeat(100)}` })).quicStatus;
    expect(hostile).to.match(/^Mis\]0;xconfigured!+…\[\+77 chars\]$/);
  });
});
