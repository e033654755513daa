import { DOMAIN_PROBLEM_CODES, type DomainProblemCode } from '../domain/errors';

/** Problems of the transport, not of the service's rules: wrong path or method, body size or type, the gateway's throttle, a bug. */
export const TRANSPORT_PROBLEM_CODES = [
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'too_many_requests',
  'forbidden',
  'internal_error',
] as const;
export type TransportProblemCode = (typeof TRANSPORT_PROBLEM_CODES)[number];

/** Every problem `code` (openapi.yaml's ProblemCode enum; a test keeps them equal). */
export const PROBLEM_CODES = [...DOMAIN_PROBLEM_CODES, ...TRANSPORT_PROBLEM_CODES] as const;
export type ProblemCode = DomainProblemCode | TransportProblemCode;
