/**
 * The check function as Lambda starts it (AWS_LAMBDA_FUNCTION_NAME set): without a token key it
 * could approve no code, so it refuses to start instead of answering 500 to every approval
 * (docs/tokens.md). Its module is loaded afresh with the function's environment.
 */
const AWS_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'phone-verify-dev-CheckCode',
  CODE_HASH_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:hash',
};
const KEY = 'arn:aws:kms:ap-northeast-2:123456789012:key/11111111-2222-4333-8444-555555555555';

/** Loads functions/check-code.ts in a fresh module registry under `env`; the error it threw, if any. */
function start(env: Record<string, string>): unknown {
  const names = Object.keys(env);
  const saved = names.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  try {
    let thrown: unknown;
    jest.isolateModules(() => {
      try {
        require('../../functions/check-code');
      } catch (error) {
        thrown = error;
      }
    });
    return thrown;
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('the check function, starting in Lambda', () => {
  it('refuses to start without TOKEN_KEY_ID, naming it', () => {
    expect(String(start(AWS_ENV))).toMatch(/TOKEN_KEY_ID must name the KMS key the check function signs tokens with/);
  });

  it('starts with its KMS key', () => {
    expect(start({ ...AWS_ENV, TOKEN_KEY_ID: KEY })).toBeUndefined();
  });
});
