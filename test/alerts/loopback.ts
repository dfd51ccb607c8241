/** Loopback receivers for alert tests: an HTTP sink and a tiny SMTP server. */
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';

export interface Received {
  path: string;
  body: unknown;
}

export async function startWebhookReceiver(statuses: number[] = []): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

export interface Mail {
  from: string;
  to: string[];
  data: string;
  /** The message came over TLS (implicit or after STARTTLS). */
  secure: boolean;
}

export interface AuthAttempt {
  mechanism: string;
  user: string;
  pass: string;
  secure: boolean;
}

export interface SmtpServerOptions {
  /** Certificate and key for TLS (PEM). */
  tls?: { key: Buffer; cert: Buffer };
  /** Offer STARTTLS in EHLO (needs `tls`). */
  starttls?: boolean;
  /** TLS from the first byte (smtps, needs `tls`). */
  implicitTls?: boolean;
  /** Offer AUTH with these mechanisms (accepts any credentials, and records them). */
  auth?: string[];
  /** Send an extra line right behind the STARTTLS answer, in the same packet (an injection attempt). */
  injectAfterStarttls?: string;
  /** Listen address (default 127.0.0.1). */
  host?: string;
}

export interface SmtpServer {
  url: string;
  port: number;
  mails: Mail[];
  auths: AuthAttempt[];
  /** Connections whose TLS handshake failed. */
  tlsErrors: string[];
  close(): Promise<void>;
}

/**
 * Accepts EHLO/STARTTLS/AUTH/MAIL/RCPT/DATA/QUIT and records each message's raw DATA, whether it came
 * over TLS, and every AUTH attempt. Like a careless server, it accepts AUTH over plain text, so tests
 * can check that the client refuses to send it.
 */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpServer> {
  const mails: Mail[] = [];
  const auths: AuthAttempt[] = [];
  const tlsErrors: string[] = [];
  const serve = (socket: Socket, secure: boolean, greet: boolean): void => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let loginStep: { user?: string } | undefined;
    let current: Mail = { from: '', to: [], data: '', secure };
    if (greet) socket.write('220 test ESMTP\r\n');
    const onData = (chunk: string): void => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push(current);
          current = { from: '', to: [], data: '', secure };
          socket.write('250 OK queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (loginStep !== undefined) {
          const text = Buffer.from(line, 'base64').toString('utf8');
          if (loginStep.user === undefined) {
            loginStep.user = text;
            socket.write('334 UGFzc3dvcmQ6\r\n');
          } else {
            auths.push({ mechanism: 'LOGIN', user: loginStep.user, pass: text, secure });
            loginStep = undefined;
            socket.write('235 accepted\r\n');
          }
          continue;
        }
        const verb = line.split(' ')[0]?.toUpperCase() ?? '';
        if (verb === 'EHLO') {
          const caps = ['test', '8BITMIME'];
          if (options.starttls === true && !secure) caps.push('STARTTLS');
          if (options.auth !== undefined) caps.push(`AUTH ${options.auth.join(' ')}`);
          socket.write(caps.map((c, i) => `250${i === caps.length - 1 ? ' ' : '-'}${c}\r\n`).join(''));
        } else if (verb === 'STARTTLS' && options.starttls === true && !secure && options.tls !== undefined) {
          socket.off('data', onData);
          socket.write(`220 go ahead\r\n${options.injectAfterStarttls ?? ''}`);
          const upgraded = new TLSSocket(socket, { isServer: true, key: options.tls.key, cert: options.tls.cert });
          upgraded.on('error', (e) => tlsErrors.push(e.message));
          serve(upgraded, true, false);
          return;
        } else if (verb === 'AUTH') {
          const [, mechanism = '', initial] = line.split(' ');
          if (mechanism.toUpperCase() === 'PLAIN' && initial !== undefined) {
            const [, user = '', pass = ''] = Buffer.from(initial, 'base64').toString('utf8').split('\0');
            auths.push({ mechanism: 'PLAIN', user, pass, secure });
            socket.write('235 accepted\r\n');
          } else if (mechanism.toUpperCase() === 'LOGIN') {
            loginStep = {};
            socket.write('334 VXNlcm5hbWU6\r\n');
          } else socket.write('504 unsupported\r\n');
        } else if (verb === 'MAIL') {
          current.from = line.slice(10);
          socket.write('250 OK\r\n');
        } else if (verb === 'RCPT') {
          current.to.push(line.slice(8));
          socket.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else socket.write('502 unknown\r\n');
      }
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  };
  let server: NetServer;
  if (options.implicitTls === true && options.tls !== undefined) {
    const tlsServer = createTlsServer({ key: options.tls.key, cert: options.tls.cert }, (socket) => serve(socket, true, true));
    tlsServer.on('tlsClientError', (e) => tlsErrors.push(e.message));
    server = tlsServer;
  } else server = createNetServer((socket) => serve(socket, false, true));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  const scheme = options.implicitTls === true ? 'smtps' : 'smtp';
  return {
    url: `${scheme}://${host}:${port}`, port, mails, auths, tlsErrors,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
