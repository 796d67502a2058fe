import { expect } from 'chai';
import { ApiRequestError } from '../../lib/index.js';
import { arrayOf, checkFields, NUMBER, optionalObject, STRING, TIME_OR_NULL, toObject } from '../../lib/connections/json-fields.js';

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
});
