// Imported first by bench/run.ts: quiet logs and no EMF lines, before any module reads the environment.
import '../local/env-defaults';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
