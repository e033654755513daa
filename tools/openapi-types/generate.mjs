// Prints the TypeScript types of openapi.yaml (openapi-typescript), as checked in at
// client/schema.d.ts. `npm run generate:client` writes them; test/client/schema.test.ts fails
// when the checked-in file differs from what this prints.
import openapiTS, { astToString } from 'openapi-typescript';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const spec = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
const ast = await openapiTS(readFileSync(spec, 'utf8'), { redocly: undefined });
process.stdout.write(`/**\n * Generated from openapi.yaml by openapi-typescript (npm run generate:client). Do not edit.\n */\n\n${astToString(ast)}`);
