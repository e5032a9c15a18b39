// @tensorflow/tfjs-backend-webgl is an optional peer and not installed here, so its types are not
// either. Importing it only registers the "webgl" backend as a side effect; this is all we touch.
declare module "@tensorflow/tfjs-backend-webgl" {
  /** The package's version. */
  export const version_webgl: string;
}
