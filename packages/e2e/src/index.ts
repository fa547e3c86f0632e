export { type AppServer, startAppServer } from './app-server.ts';
export {
  ARTIFACTS_DIR,
  type AxeViolation,
  type ContextOptions,
  launchBrowser,
  newContext,
  screenshot,
  seriousA11yViolations,
} from './browser.ts';
