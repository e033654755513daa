/**
 * The part of phone-verify that other services import: verify a token offline, with the public
 * keys of the environment's JWKS (docs/tokens.md).
 *
 *   import { verifyPhoneToken } from 'phone-verify';
 *   const { phoneNumber } = await verifyPhoneToken(token, { jwksUrl: 'https://verify.example.com/.well-known/jwks.json', issuer: 'phone-verify/prod' });
 */
export { PhoneTokenError, verifyPhoneToken } from './verifier';
export type { KeySource, PhoneTokenErrorCode, VerifiedPhone, VerifyPhoneTokenOptions } from './verifier';
