/**
 * The part of phone-verify that other services import: verify a token offline.
 *
 *   import { verifyPhoneToken } from 'phone-verify';
 *   const { phoneNumber } = await verifyPhoneToken(token, { secret, issuer: 'phone-verify/prod' });
 */
export { PhoneTokenError, verifyPhoneToken } from './functions/domain/token-verifier';
export type { PhoneTokenErrorCode, SecretOrResolver, VerifiedPhone, VerifyPhoneTokenOptions } from './functions/domain/token-verifier';
