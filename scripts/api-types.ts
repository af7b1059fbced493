/**
 * The web pages' API types, generated from openapi.yaml by openapi-typescript, so that the pages
 * read exactly the shapes the API documents (and test/contract checks the API sends).
 *
 * `npm run gen:api-types` writes src/web/app/openapi.gen.ts; test/contract/api-types.test.ts
 * fails when that file is not what openapi.yaml generates today.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SPEC = path.join(REPO, 'openapi.yaml');
export const GENERATED = path.join(REPO, 'src', 'web', 'app', 'openapi.gen.ts');

const HEADER =
  '/* Generated from openapi.yaml by `npm run gen:api-types` (openapi-typescript). Do not edit. */\n\n';

/** The text of openapi.gen.ts for the openapi.yaml of today. */
export async function generateApiTypes(): Promise<string> {
  const ast = await openapiTS(pathToFileURL(SPEC), { alphabetize: false });
  return HEADER + astToString(ast);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(GENERATED, await generateApiTypes());
  console.log(`wrote ${path.relative(REPO, GENERATED)}`);
}
