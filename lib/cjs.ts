// The CommonJS entry point: `require('corsguard')` is the factory itself, as `require('cors')` is,
// and also carries `.cors`, `.default`, `.CorsConfigError`, `.CorsTimeoutError`, `.CorsFunctionError`, `.corsDecision`, `.explainCors`,
// `.redisBus`, `.postgresBus`, `.shadow` and `.parseOrigins`. Built only by tsconfig.cjs.json.
import {
  postgresBus as pgBus,
  redisBus as rBus,
  type PostgresBus as PgBus,
  type PostgresBusOptions as PgBusOptions,
  type PostgresClientLike as PgClientLike,
  type RedisBusOptions as RBusOptions,
  type RedisPublisherLike as RPublisherLike,
  type RedisSubscriberLike as RSubscriberLike,
} from './core/bus.js';
import { cors as factory } from './node/cors.js';
import { corsDecision as decisionOf } from './node/decisions.js';
import type * as decisions from './core/decision.js';
import {
  CorsConfigError as ConfigError,
  CorsFunctionError as FunctionError,
  CorsTimeoutError as TimeoutError,
  type CorsConfigIssue as ConfigIssue,
  type CorsFunctionErrorCode as FunctionErrorCode,
} from './core/errors.js';
import { explainCors as explain } from './node/explain.js';
import type * as explaining from './node/explain.js';
import type { CorsWarning as Warning } from './core/options.js';
import { parseOrigins as parse, shadow as shadowOf } from './shadow/index.js';
import type * as shadowing from './shadow/index.js';
import type * as types from './types.js';

const corsguard = Object.assign(factory, {
  cors: factory,
  default: factory,
  CorsConfigError: ConfigError,
  CorsTimeoutError: TimeoutError,
  CorsFunctionError: FunctionError,
  corsDecision: decisionOf,
  explainCors: explain,
  redisBus: rBus,
  postgresBus: pgBus,
  shadow: shadowOf,
  parseOrigins: parse,
});

// eslint-disable-next-line @typescript-eslint/no-namespace -- the type side of `export =`
declare namespace corsguard {
  export type CorsOptions = types.CorsOptions;
  export type CorsRequest = import('node:http').IncomingMessage;
  export type CorsOptionsDelegate<
    Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage,
  > = types.CorsOptionsDelegate<Req>;
  export type CorsMiddleware<
    Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage,
  > = types.CorsMiddleware<Req>;
  export type CheckedCorsOptions<O extends types.CorsOptions> = types.CheckedCorsOptions<O>;
  export type CustomOrigin = types.CustomOrigin;
  export type OriginCallback = types.OriginCallback;
  export type StaticOrigin = types.StaticOrigin;
  export type CorsConfigIssue = ConfigIssue;
  export type CorsConfigError = ConfigError;
  export type CorsTimeoutError = TimeoutError;
  export type CorsFunctionError = FunctionError;
  export type CorsFunctionErrorCode = FunctionErrorCode;
  export type CorsDelegateSettings = types.CorsDelegateSettings;
  export type CorsDecision = decisions.CorsDecision;
  export type CorsAllowedDecision = decisions.CorsAllowedDecision;
  export type CorsRefusedDecision = decisions.CorsRefusedDecision;
  export type CorsRefusalReason = decisions.CorsRefusalReason;
  export type CorsRequestKind = decisions.CorsRequestKind;
  export type CorsExplainRequest = explaining.CorsExplainRequest;
  export type CorsExplanation = explaining.CorsExplanation;
  export type StaticCorsOptions = explaining.StaticCorsOptions;
  export type CorsWarning = Warning;
  export type OriginCacheBus = types.OriginCacheBus;
  export type OriginCacheBusEvents = types.OriginCacheBusEvents;
  export type OriginCacheBusError = types.OriginCacheBusError;
  export type RedisBusOptions = RBusOptions;
  export type RedisPublisherLike = RPublisherLike;
  export type RedisSubscriberLike = RSubscriberLike;
  export type PostgresBus = PgBus;
  export type PostgresBusOptions = PgBusOptions;
  export type PostgresClientLike = PgClientLike;
  export type ShadowEntry = shadowing.ShadowEntry;
  export type ShadowDisagreement = shadowing.ShadowDisagreement;
  export type ShadowReport = shadowing.ShadowReport;
  export type ShadowSettings = shadowing.ShadowSettings;
  export type ShadowMiddleware = shadowing.ShadowMiddleware;
}

export = corsguard;
