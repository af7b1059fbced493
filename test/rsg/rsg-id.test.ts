/** RSG ids: never read as anything but text where they are written unquoted (YAML job files). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { newRsgId } from '../../src/rsg/index.js';

describe('a new RSG id', () => {
  it('is ten characters of [a-z0-9] starting with a letter, and stays text in YAML', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newRsgId();
      assert.match(id, /^[a-z][a-z0-9]{9}$/);
      assert.equal(YAML.parse(`rsg: ${id}`).rsg, id);
      seen.add(id);
    }
    assert.equal(seen.size, 5000, 'no repeats in 5,000');
  });
});
