import { expect } from 'chai';
import fc from 'fast-check';
import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import { CONNECTED, ForwarderLine, forwarderLineBatches, type DropReason } from '../../lib/index.js';

describe('forwarderLineBatches', () => {
  it('emits one batch per chunk, lines read after later chunks keep their text, and malformed ones are reported with theirs', async () => {
    const drops: Array<[DropReason, string | undefined]> = [];
    const chunks = [Buffer.from('1.5 plain ascii\n2.5 Ünï'), Buffer.from('cödé 🚀\nnot a line\n3.5 '), Buffer.from('last\n')];
    const out = await lastValueFrom(
      from([CONNECTED, ...chunks] as const).pipe(
        forwarderLineBatches<typeof CONNECTED>({ node: 'node3', onDrop: (reason, text) => drops.push([reason, text]) }),
        toArray(),
      ),
    );
    expect(out[0]).to.equal(CONNECTED);
    // Read only after every chunk went through.
    const batches = out.slice(1).map((batch) => (Array.isArray(batch) ? batch.map((line) => [line.node, line.timestampText, line.line]) : batch));
    expect(batches).to.deep.equal([[['node3', '1.5', 'plain ascii']], [['node3', '2.5', 'Ünïcödé 🚀']], [['node3', '3.5', 'last']]]);
    expect(drops).to.deep.equal([['malformed', 'not a line']]);
  });

  it('emits no batch for a chunk that completes no line, or only malformed ones', async () => {
    const out: ForwarderLine[][] = await lastValueFrom(
      from([Buffer.from('1.5 no newline yet'), Buffer.from(' still none'), Buffer.from('\ngarbage\n'), Buffer.from('junk\n')]).pipe(
        forwarderLineBatches<never>({ node: 'n' }),
        toArray(),
      ),
    );
    expect(out.map((batch) => batch.map((line) => line.line))).to.deep.equal([['no newline yet still none']]);
  });

  it('keeps a line of maxLineBytes and drops one a byte longer as oversize', async () => {
    const drops: DropReason[] = [];
    const out: ForwarderLine[][] = await lastValueFrom(
      from([Buffer.from('1.5 abcdef\n1.5 abcdefg\n')]).pipe(
        forwarderLineBatches<never>({ node: 'n', maxLineBytes: 10, onDrop: (reason) => drops.push(reason) }),
        toArray(),
      ),
    );
    expect(out.map((batch) => batch.map((line) => line.line))).to.deep.equal([['abcdef']]);
    expect(drops).to.deep.equal(['oversize']);
  });

  it('rejects a bad maxLineBytes at the call, with a RangeError naming it', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => forwarderLineBatches({ node: 'n', maxLineBytes: bad }), String(bad)).to.throw(RangeError, /^maxLineBytes must be an integer >= 1; got /);
    }
  });

  it('property: chunks delivered through one reused buffer, cut anywhere, give every line as sent, read at the end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '🚀', ' ', '\t', '{', '"', '1') }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        (texts, sizes) => {
          const sent = texts.map((text, index) => `${index}.5 x${text}`);
          const whole = Buffer.from(sent.map((line) => `${line}\n`).join(''));
          // Like a socket reading into one shared buffer: each chunk is a view of it, overwritten by the next.
          const shared = Buffer.alloc(64);
          const lines: ForwarderLine[] = [];
          const source = new Observable<Buffer>((subscriber) => {
            for (let offset = 0, index = 0; offset < whole.length; index++) {
              const size = Math.min(sizes[index % sizes.length] ?? 1, whole.length - offset);
              whole.copy(shared, 0, offset, offset + size);
              subscriber.next(shared.subarray(0, size));
              shared.fill(0x2a);
              offset += size;
            }
            subscriber.complete();
          });
          source.pipe(forwarderLineBatches<never>({ node: 'n' })).subscribe((batch) => lines.push(...batch));
          expect(lines.map((line) => `${line.timestampText} ${line.line}`)).to.deep.equal(sent);
        },
      ),
    );
  });
});
