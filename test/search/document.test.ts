import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressTokens } from '../../src/search/document.js';

const tokens = (...addresses: string[]): string[] =>
  addressTokens(addresses.map((address) => ({ address, name: '' }))).split(' ');

describe('addressTokens', () => {
  it('gives the address, its local part, and @domain and domain down to two labels', () => {
    assert.deepEqual(tokens('Sally.Beck@Mail.Enron.com'), [
      'sally.beck@mail.enron.com',
      'sally.beck',
      '@mail.enron.com',
      'mail.enron.com',
      '@enron.com',
      'enron.com',
    ]);
    assert.deepEqual(tokens('root@localhost'), ['root@localhost', 'root', '@localhost', 'localhost']);
  });

  it('drops empty labels of a malformed domain, and gives each token once', () => {
    assert.deepEqual(tokens('a@.x..enron.com.', 'b@enron.com'), [
      'a@.x..enron.com.',
      'a',
      '@x.enron.com',
      'x.enron.com',
      '@enron.com',
      'enron.com',
      'b@enron.com',
      'b',
    ]);
    assert.deepEqual(tokens('a@', '@b.c'), ['a@', 'a', '@b.c', 'b.c']);
  });
});
