// A policy planned for the per-request path, once per policy, for every front: the checks decisions
// are made with, and the Vary fields of each kind of answer.
import { type Checks, checks } from './decision.js';
import type { Policy } from './options.js';
import { type VaryFields, varyFields } from './vary.js';

export const VARY_ORIGIN = varyFields('Origin');
const VARY_ORIGIN_ACRH = varyFields('Origin', 'Access-Control-Request-Headers');
const VARY_ACRH = varyFields('Access-Control-Request-Headers');

/** What a front needs beyond the policy: the Vary fields of each kind of answer, the checks. */
export interface Plan {
  readonly policy: Policy;
  readonly checks: Checks;
  /** `methods: 'auto'`: preflights take the route methods (when there is a route table). */
  readonly auto: boolean;
  /** Vary on responses that are not allowed preflights (Origin when the answer depends on it). */
  readonly vary: VaryFields | undefined;
  /** Vary on allowed preflights (adds Access-Control-Request-Headers when it is reflected). */
  readonly preflightVary: VaryFields | undefined;
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
  };
}
