import type net from 'node:net';

/** A listening test server: its port, and a close that ends the connections it still holds. */
export interface Loopback {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 at a free port. Hostile tests leave connections hanging on purpose, so `close`
 * destroys them first; a client that resets or goes away mid-answer is not the server's problem.
 */
export async function listenOnLoopback(server: net.Server): Promise<Loopback> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error: Error, socket: net.Socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
