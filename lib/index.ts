// The public surface of corsguard. CommonJS consumers get the factory itself (see cjs.ts).
import type { IncomingMessage } from 'node:http';
import { cors as factory } from './cors.js';
import type * as decisions from './decision.js';
import type * as errors from './errors.js';
import type * as explaining from './explain.js';
import type * as types from './types.js';

/**
 * The factory, with the type names of `@types/cors` on it: `import cors from 'corsguard'` then
 * `const options: cors.CorsOptions = ...`, as NestJS and tutorials write it, exactly as the CommonJS
 * declarations allow. See {@link factory | cors}.
 *
 * @public
 */
const cors: typeof factory = factory;
// eslint-disable-next-line @typescript-eslint/no-namespace -- type names on the factory, as @types/cors has them
declare namespace cors {
  export type CorsOptions = types.CorsOptions;
  export type CorsRequest = IncomingMessage;
  export type CorsOptionsDelegate<Req extends IncomingMessage = IncomingMessage> =
    types.CorsOptionsDelegate<Req>;
  export type CorsMiddleware<Req extends IncomingMessage = IncomingMessage> =
    types.CorsMiddleware<Req>;
  export type CustomOrigin = types.CustomOrigin;
  export type OriginCallback = types.OriginCallback;
  export type StaticOrigin = types.StaticOrigin;
  export type CorsConfigIssue = errors.CorsConfigIssue;
  export type CorsDecision = decisions.CorsDecision;
  export type CorsExplainRequest = explaining.CorsExplainRequest;
}

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
