/** The worker closed a new connection before its HTTP/2 settings arrived: it refused the client below HTTP/2. */
export class ClosedBeforeHttp2Error extends Error {
  constructor() {
    super("the worker closed the connection before HTTP/2 began");
    this.name = "ClosedBeforeHttp2Error";
  }
}
