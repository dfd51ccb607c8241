/**
 * Git repositories for tests: an upstream repository made with the real git, served over smart HTTP on
 * loopback (`git http-backend` as CGI behind node:http, port 0), and reachable as file:// too.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

/** Environment for the test's own git commands: no user or system configuration, a fixed identity. */
export function gitTestEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig-test'),
    GIT_AUTHOR_NAME: 'Upstream', GIT_AUTHOR_EMAIL: 'upstream@example.invalid',
    GIT_COMMITTER_NAME: 'Upstream', GIT_COMMITTER_EMAIL: 'upstream@example.invalid',
    LC_ALL: 'C',
  };
}

export function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A working repository at `dir` on branch main; `commit` writes files and commits them. */
export class UpstreamRepo {
  constructor(readonly dir: string, private readonly env: NodeJS.ProcessEnv) {
    mkdirSync(dir, { recursive: true });
    git(dir, env, 'init', '-q', '-b', 'main');
  }

  commit(files: Record<string, string>, message: string): string {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      writeFileSync(join(this.dir, name), content);
    }
    git(this.dir, this.env, 'add', '-A');
    git(this.dir, this.env, 'commit', '-q', '-m', message);
    return git(this.dir, this.env, 'rev-parse', 'HEAD').trim();
  }

  run(...args: string[]): string {
    return git(this.dir, this.env, ...args);
  }
}

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` — a repository at `<root>/name` is at `<url>/name`. */
  url: string;
  /** Request paths seen (with query). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Smart HTTP over `git http-backend`. `requireAuth` answers 401 with a Basic challenge to everything
 * (a private repository).
 */
export async function startGitHttpServer(root: string, options: { requireAuth?: boolean } = {}): Promise<GitHttpServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (options.requireAuth === true) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://git.invalid');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'status') status = Number(value.slice(0, 3));
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(500).end();
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
