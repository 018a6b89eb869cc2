/**
 * In-memory gateways for `gather` tests. Any method a test did not set up throws, so a test
 * cannot pass by accident through a call it did not expect (the Proxy pattern from Gemini CLI).
 */
import type {
  DnsGateway,
  Gateways,
  HttpGateway,
  KubeGateway,
  KubeTarget,
  OpenBaoGateway,
} from '../../src/gateways/types.js';

type Methods<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] };

function strict<T extends object>(name: string, impl: Partial<T>, extra: Partial<T> = {}): T {
  const target = { ...extra, ...impl } as T;
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop in obj) return Reflect.get(obj, prop, receiver);
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      return () => {
        throw new Error(`fake ${name}.${String(prop)} was called but the test did not set it up`);
      };
    },
  });
}

export const FAKE_TARGET: KubeTarget = {
  context: 'test',
  cluster: 'test-cluster',
  server: 'https://127.0.0.1:6443',
  user: 'tester',
  namespace: null,
  inCluster: false,
};

export function fakeKube(impl: Partial<Methods<KubeGateway>> = {}): KubeGateway {
  return strict<KubeGateway>('kube', impl as Partial<KubeGateway>, {
    target: FAKE_TARGET,
    forget: () => {},
    close: async () => {},
  });
}

export function fakeOpenBao(impl: Partial<Methods<OpenBaoGateway>> = {}): OpenBaoGateway {
  return strict<OpenBaoGateway>('openbao', impl as Partial<OpenBaoGateway>, {
    forget: () => {},
    close: async () => {},
  });
}

export function fakeDns(impl: Partial<Methods<DnsGateway>> = {}, resolvers = ['127.0.0.53:53']): DnsGateway {
  return strict<DnsGateway>('dns', impl as Partial<DnsGateway>, {
    resolvers,
    forget: () => {},
    close: async () => {},
  });
}

export function fakeHttp(impl: Partial<Methods<HttpGateway>> = {}): HttpGateway {
  return strict<HttpGateway>('http', impl as Partial<HttpGateway>, {
    forget: () => {},
    close: async () => {},
  });
}

/** All four gateways; the ones not given throw on any call. */
export function fakeGateways(parts: Partial<Gateways> = {}): Gateways {
  return {
    kube: parts.kube ?? fakeKube(),
    openbao: parts.openbao ?? fakeOpenBao(),
    dns: parts.dns ?? fakeDns(),
    http: parts.http ?? fakeHttp(),
  };
}
