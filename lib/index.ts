// The public surface of corsguard. CommonJS consumers get the factory itself (see cjs.ts).
import { cors } from './node/cors.js';

export { cors };
export default cors;
export {
  CorsConfigError,
  CorsFunctionError,
  CorsTimeoutError,
  type CorsConfigIssue,
  type CorsFunctionErrorCode,
} from './core/errors.js';
export { corsDecision } from './node/decisions.js';
export {
  type CorsAllowedDecision,
  type CorsDecision,
  type CorsRefusalReason,
  type CorsRefusedDecision,
  type CorsRequestKind,
} from './core/decision.js';
export {
  explainCors,
  type CorsExplainRequest,
  type CorsExplanation,
  type StaticCorsOptions,
} from './node/explain.js';
export {
  postgresBus,
  redisBus,
  type PostgresBus,
  type PostgresBusOptions,
  type PostgresClientLike,
  type RedisBusOptions,
  type RedisPublisherLike,
  type RedisSubscriberLike,
} from './core/bus.js';
export type { CorsWarning } from './core/options.js';
export {
  parseOrigins,
  shadow,
  type ShadowDisagreement,
  type ShadowEntry,
  type ShadowMiddleware,
  type ShadowReport,
  type ShadowSettings,
} from './shadow/index.js';
export type {
  CheckedCorsOptions,
  CorsDelegateSettings,
  CorsMiddleware,
  CorsOptions,
  CorsOptionsDelegate,
  CustomOrigin,
  OriginCacheBus,
  OriginCacheBusError,
  OriginCacheBusEvents,
  OriginCallback,
  StaticOrigin,
} from './types.js';
