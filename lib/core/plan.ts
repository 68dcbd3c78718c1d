// A policy planned for the per-request path, once per policy, for every front: the checks decisions
// are made with, the Vary fields of each kind of answer, and the header fields an allowed answer
// carries besides Access-Control-Allow-Origin, in the order every front sets them.
import { type Checks, checks } from './decision.js';
import { ACAC, ACAH, ACAM, ACEH, ACMA, isValidRequestHeaderList } from './headers.js';
import type { Policy } from './options.js';
import { type VaryFields, varyFields } from './vary.js';

export const VARY_ORIGIN = varyFields('Origin');
const VARY_ORIGIN_ACRH = varyFields('Origin', 'Access-Control-Request-Headers');
const VARY_ACRH = varyFields('Access-Control-Request-Headers');

/** A header field ready to set: its name and value. */
export type Field = readonly [name: string, value: string];

/** What a front needs beyond the policy: the Vary fields and header fields of each kind of answer, the checks. */
export interface Plan {
  readonly policy: Policy;
  readonly checks: Checks;
  /** `methods: 'auto'`: preflights take the route methods (when there is a route table). */
  readonly auto: boolean;
  /** Vary on responses that are not allowed preflights (Origin when the answer depends on it). */
  readonly vary: VaryFields | undefined;
  /** Vary on allowed preflights (adds Access-Control-Request-Headers when it is reflected). */
  readonly preflightVary: VaryFields | undefined;
  /**
   * What an allowed actual response carries after Access-Control-Allow-Origin: credentials, then the
   * exposed headers.
   */
  readonly actualFields: readonly Field[];
  /**
   * What an allowed preflight carries after Access-Control-Allow-Origin: credentials, methods (with
   * `'auto'`, the default list, which a front with a route table replaces), a listed
   * Access-Control-Allow-Headers. Then come a reflected list ({@link reflectedHeaders}),
   * {@link preflightLast} and the private-network answer (the policy's `privateNetworkAccess`, to a
   * request with Access-Control-Request-Private-Network: true): the order of the `cors` package.
   */
  readonly preflightFields: readonly Field[];
  /** Access-Control-Max-Age when it is set, after the allowed headers. */
  readonly preflightLast: readonly Field[];
  /** allowedHeaders left unset: a preflight's Access-Control-Request-Headers is reflected. */
  readonly reflect: boolean;
  /** Content-Length of an answered preflight: '0', or undefined for a 204 (RFC 9110 §8.6). */
  readonly preflightLength: string | undefined;
}

/**
 * Plans by policy: a policy compiled once per content is shared by every middleware or guard built
 * from equal options (one built per request, inside another middleware), and so is its plan.
 */
const plans = new WeakMap<Policy, Plan>();

/** The plan of a policy; its answers depend on the origin unless it is off, '*' or one origin. */
export function plan(policy: Policy): Plan {
  let p = plans.get(policy);
  if (p === undefined) {
    const kind = policy.origin.kind;
    p = planNow(policy, kind === 'match' || kind === 'function');
    plans.set(policy, p);
  }
  return p;
}

function planNow(policy: Policy, dependsOnOrigin: boolean): Plan {
  const reflect = policy.allowedHeaders === null;
  const credentials: Field[] = policy.credentials ? [[ACAC, 'true']] : [];
  const actualFields = [...credentials];
  if (policy.exposedHeaders !== undefined) actualFields.push([ACEH, policy.exposedHeaders]);
  const preflightFields = [...credentials];
  if (policy.methods !== undefined) preflightFields.push([ACAM, policy.methods]);
  if (typeof policy.allowedHeaders === 'string') {
    preflightFields.push([ACAH, policy.allowedHeaders]);
  }
  const preflightLast: Field[] = policy.maxAge === undefined ? [] : [[ACMA, policy.maxAge]];
  return {
    policy,
    auto: policy.autoMethods,
    checks: checks(
      policy.origin.kind === 'disabled',
      policy.origin.kind === 'function',
      policy.origins,
      policy.credentials,
      policy.methods,
      policy.allowedHeaders,
    ),
    vary: dependsOnOrigin ? VARY_ORIGIN : undefined,
    preflightVary: dependsOnOrigin
      ? reflect
        ? VARY_ORIGIN_ACRH
        : VARY_ORIGIN
      : reflect
        ? VARY_ACRH
        : undefined,
    actualFields,
    preflightFields,
    preflightLast,
    reflect,
    preflightLength: policy.optionsSuccessStatus === 204 ? undefined : '0',
  };
}

/**
 * The Access-Control-Allow-Headers of an allowed preflight under a plan that reflects: the request's
 * Access-Control-Request-Headers when it is a well-formed, non-empty list of header names (RFC 9110
 * §5.6.2 tokens), else undefined (nothing is set, and the browser refuses any non-safelisted header).
 */
export function reflectedHeaders(requested: unknown): string | undefined {
  return typeof requested === 'string' && requested !== '' && isValidRequestHeaderList(requested)
    ? requested
    : undefined;
}
