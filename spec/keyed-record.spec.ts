import { expect } from 'chai';
import { keyedRecord } from '../lib/keyed-record.js';

describe('keyedRecord', () => {
  it('keys any name, __proto__ and constructor included, and reads as JSON', () => {
    const record = keyedRecord<number>();
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'node1']) record[name] = name.length;
    expect(Object.keys(record)).to.deep.equal(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'node1']);
    expect(JSON.parse(JSON.stringify(record))).to.deep.equal(record);
    expect(record.__proto__).to.equal(9);
  });

  it('has no inherited keys: a name that is not there reads undefined', () => {
    const record = keyedRecord<{ mode: string }>();
    expect(record.constructor).to.equal(undefined);
    expect('toString' in record).to.equal(false);
    const keys: string[] = [];
    for (const key in record) keys.push(key);
    expect(keys).to.deep.equal([]);
  });
});
