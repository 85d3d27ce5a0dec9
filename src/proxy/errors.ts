/**
 * An error of the proxy layer with the HTTP status the Toxiproxy API answers it with (400 bad input,
 * 404 not found, 409 conflict, 500 cannot listen). The CLI and the faults turn it into a UserError.
 */
export class ProxyError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ProxyError';
    this.status = status;
  }
}

/** The one line a listen error deserves: the cause and the fix. */
export function listenErrorMessage(address: string, error: NodeJS.ErrnoException, what = 'the proxy'): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${address} for ${what}: the port is in use; choose another port or stop what listens there`;
    case 'EACCES':
      return `cannot listen on ${address} for ${what}: permission denied; use a port above 1023 or run as root`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${address} for ${what}: the address is not one of this host's; use 127.0.0.1 or a local address`;
    default:
      return `cannot listen on ${address} for ${what}: ${error.message}`;
  }
}
