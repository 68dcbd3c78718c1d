// The public surface of corsguard. CommonJS consumers get the factory itself (see cjs.ts).
import { cors } from './cors.js';

export { cors };
export default cors;
export {
  CorsConfigError,
  CorsFunctionError,
  CorsTimeoutError,
  type CorsConfigIssue,
  type CorsFunctionErrorCode,
} from './errors.js';
export {
  corsDecision,
  type CorsAllowedDecision,
  type CorsDecision,
  type CorsRefusalReason,
  type CorsRefusedDecision,
  type CorsRequestKind,
} from './decision.js';
export {
  explainCors,
  type CorsExplainRequest,
  type CorsExplanation,
  type StaticCorsOptions,
} from './explain.js';
export {
  postgresBus,
  redisBus,
  type PostgresBus,
  type PostgresBusOptions,
  type PostgresClientLike,
  type RedisBusOptions,
  type RedisPublisherLike,
  type RedisSubscriberLike,
} from './bus.js';
export type { CorsWarning } from './options.js';
export {
  parseOrigins,
  shadow,
  type ShadowDisagreement,
  type ShadowEntry,
  type ShadowMiddleware,
  type ShadowReport,
  type ShadowSettings,
} from './shadow.js';
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
