import { expect } from 'chai';
import fc from 'fast-check';
import { ApiRequestError } from '../../lib/index.js';
import {
  arrayOf,
  checkFields,
  NUMBER,
  optionalObject,
  STRING,
  TIME_OR_NULL,
  toObject,
  withFields,
  type JsonObject,
} from '../../lib/connections/json-fields.js';
import { fuzzParameters } from '../support/fuzz.js';

describe('json-fields', () => {
  it('checkFields accepts missing fields and throws for one of another type, naming it', () => {
    expect(() => checkFields({ a: 1 }, 'x', { a: NUMBER, b: STRING })).to.not.throw();
    expect(() => checkFields({ a: Number.NaN }, 'x', { a: NUMBER }))
      .to.throw(ApiRequestError, /^x\.a is not a number \(got number\)/)
      .with.property('kind', 'body');
    expect(() => checkFields({ t: [] }, 'x', { t: TIME_OR_NULL }))
      .to.throw(ApiRequestError, /^x\.t is not a time or null \(got an array\)/)
      .with.property('kind', 'body');
  });

  it('arrayOf: null and missing are [], elements are checked with their index', () => {
    expect(arrayOf(null, 'a', toObject)).to.deep.equal([]);
    expect(arrayOf(undefined, 'a', toObject)).to.deep.equal([]);
    expect(() => arrayOf([{}, 3], 'a', toObject))
      .to.throw(ApiRequestError, /^a\[1\] is not a JSON object \(got number\)/)
      .with.property('kind', 'body');
  });

  it('optionalObject: undefined when missing, an error for null', () => {
    expect(optionalObject(undefined, 'o', (object) => object)).to.equal(undefined);
    expect(() => optionalObject(null, 'o', (object) => object))
      .to.throw(ApiRequestError, /^o is not a JSON object \(got null\)/)
      .with.property('kind', 'body');
  });

  describe('withFields', () => {
    it('is what a spread gives: the same keys in the same order, fields added or replacing, undefined ones left out', () => {
      const key = fc.constantFrom('nodeID', 'satellites', 'diskSpace', 'version', '__proto__', 'constructor', '0', '10', 'toString', 'a b');
      const value = fc.oneof(fc.jsonValue(), fc.constant(undefined));
      fc.assert(
        fc.property(fc.dictionary(key, fc.jsonValue(), { maxKeys: 8 }), fc.dictionary(key, value, { maxKeys: 5 }), (fromJson, fields) => {
          // As JSON.parse gives them: `__proto__` an own field, not the prototype.
          const object = JSON.parse(JSON.stringify(fromJson)) as JsonObject;
          const defined = Object.fromEntries(Object.entries(fields).filter(([, field]) => field !== undefined));
          const copy = withFields(object, fields);
          const spread: JsonObject = { ...object, ...defined };
          expect(Object.keys(copy)).to.deep.equal(Object.keys(spread));
          for (const name of Object.keys(spread))
            expect(Object.getOwnPropertyDescriptor(copy, name)).to.deep.equal(Object.getOwnPropertyDescriptor(spread, name));
          expect(Object.getPrototypeOf(copy)).to.equal(Object.prototype);
          expect(copy).to.not.equal(object);
        }),
        fuzzParameters(2000),
      );
    });

    it('copies a __proto__ field as a field, and leaves the object it copies as it was', () => {
      const object = JSON.parse('{"__proto__":{"polluted":true},"nodeID":"12AB","satellites":null}') as JsonObject;
      const copy = withFields(object, { satellites: [], diskSpace: undefined });
      expect(Object.getPrototypeOf(copy)).to.equal(Object.prototype);
      expect((copy as { polluted?: unknown }).polluted).to.equal(undefined);
      expect(Object.keys(copy)).to.deep.equal(['__proto__', 'nodeID', 'satellites']);
      expect(copy.satellites).to.deep.equal([]);
      expect(object.satellites).to.equal(null);
      expect(Object.keys(object)).to.deep.equal(['__proto__', 'nodeID', 'satellites']);
    });
  });
});
