/**
 * Local defaults, imported first by the local server so they are in place before any module
 * reads the environment (Powertools reads it when its objects are built). Set values win.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true'; // EMF lines are for CloudWatch, noise in a terminal
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
