// Lints an OpenAPI file with Redocly (ESM only, hence a child process) and prints the problems as JSON.
import { lint, loadConfig } from '@redocly/openapi-core';

const [file, configPath] = process.argv.slice(2);
const config = await loadConfig({ configPath });
const problems = await lint({ ref: file, config });
process.stdout.write(JSON.stringify(problems.map((p) => ({ rule: p.ruleId, severity: p.severity, message: p.message }))));
