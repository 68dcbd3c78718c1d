// jest's test environment for the browser suite: Node's, plus puppeteer-core on the test's global.
// puppeteer-core is an ES module only; jest's module loader (CommonJS, as ts-jest emits the tests)
// cannot require it, but an environment module is loaded by Node itself, which can. The harness
// takes it from the global (__tests__/browser/harness.ts).
import { TestEnvironment } from 'jest-environment-node';
import puppeteer from 'puppeteer-core';

export default class BrowserEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.corsguardPuppeteer = puppeteer;
  }
}
