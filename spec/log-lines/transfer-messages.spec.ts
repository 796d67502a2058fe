import { expect } from 'chai';
import { ACTION_CATEGORIES, looksLikeTransfer, TRANSFER_MESSAGES } from '../../lib/index.js';

describe('TRANSFER_MESSAGES', () => {
  it('has every transfer message of v1.80 .. v1.162 with its outcome', () => {
    expect(Object.fromEntries([...TRANSFER_MESSAGES].map(([message, { category, outcome }]) => [message, `${category}/${outcome}`]))).to.deep.equal({
      'download started': 'download/started',
      downloaded: 'download/success',
      'download canceled': 'download/canceled',
      'download canceled (race lost or node shutdown)': 'download/canceled',
      'download failed': 'download/failed',
      'upload started': 'upload/started',
      uploaded: 'upload/success',
      'upload canceled': 'upload/canceled',
      'upload canceled (race lost or node shutdown)': 'upload/canceled',
      'upload failed': 'upload/failed',
      'upload rejected, too many requests': 'upload/rejected',
      deleted: 'delete/success',
      'delete failed': 'delete/failed',
    });
  });

  it('ACTION_CATEGORIES: the actions a node logs', () => {
    expect([...ACTION_CATEGORIES.keys()]).to.have.members(['GET', 'PUT', 'GET_AUDIT', 'GET_REPAIR', 'PUT_REPAIR', 'DELETE', 'PUT_GRACEFUL_EXIT']);
  });
});

describe('looksLikeTransfer', () => {
  it('is true for words of a transfer, false for the known non-transfer and for the rest', () => {
    for (const text of ['download finished', 'Upload Done', 'piece deleted', 'downloaded']) expect(looksLikeTransfer(text), text).to.equal(true);
    for (const text of ['upload internal error', 'New bloomfilter is received', 'failed to add bandwidth usage', '']) {
      expect(looksLikeTransfer(text), text).to.equal(false);
    }
  });
});
