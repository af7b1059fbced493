/**
 * The web pages' types (src/web/app/openapi.gen.ts) are what openapi.yaml generates today: a
 * change to the API's documented shapes that is not regenerated (`npm run gen:api-types`) fails
 * here, and the pages' typecheck then catches every page that reads a shape the API changed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GENERATED, generateApiTypes } from '../../scripts/api-types.js';

describe('web API types', () => {
  it('src/web/app/openapi.gen.ts is what openapi.yaml generates', async () => {
    const expected = await generateApiTypes();
    const actual = fs.readFileSync(GENERATED, 'utf8');
    assert.ok(
      actual === expected,
      `${path.basename(GENERATED)} is stale: run \`npm run gen:api-types\` and commit the result`,
    );
  });
});
